// SPDX-License-Identifier: GPL-2.0-or-later
// Bounded reads and printable excerpts (ebb/input.hpp), and what uses them: ebb.conf and
// forecast files, and parse_objective.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>

#include "ebb/config.hpp"
#include "ebb/error.hpp"
#include "ebb/forecast_file.hpp"
#include "ebb/input.hpp"
#include "ebb/planner.hpp"

using namespace ebb;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system's temp dir, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("ebb-input-" + std::to_string(::getpid()) + "-" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name, const std::string& text) const {
    const std::string p = (path / name).string();
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

bool printable(const std::string& s) {
  for (char c : s) {
    auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b >= 0x7f) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("printable_excerpt replaces control bytes and cuts long text", "[input]") {
  CHECK(printable_excerpt("plain text") == "plain text");
  CHECK(printable_excerpt("red \x1b[31mALERT\x1b[0m\r\n") == "red ?[31mALERT?[0m??");
  CHECK(printable_excerpt("caf\xc3\xa9 \x9b"
                          "2J\x7f") == "caf?? ?2J?");
  const std::string long_text(500, 'x');
  const std::string cut = printable_excerpt(long_text);
  CHECK(cut.size() == kExcerptChars);
  CHECK(cut.ends_with("..."));
  CHECK(printable_excerpt(long_text, 10) == "xxxxxxx...");
  CHECK(in_quotes("a\tb") == "'a?b'");
}

TEST_CASE("read_bounded_file refuses big files, FIFOs and directories without reading them",
          "[input]") {
  TempDir dir;
  CHECK(read_bounded_file(dir.file("small", "abc"), 3, "test file") == "abc");
  CHECK(read_bounded_file(dir.file("empty", ""), 3, "test file").empty());
  CHECK_THAT(error_of([&] { read_bounded_file(dir.file("four", "abcd"), 3, "test file"); }),
             Catch::Contains("four: the test file is larger than 3 bytes"));
  CHECK_THAT(error_of([&] { read_bounded_file((dir.path / "none").string(), 3, "test file"); }),
             Catch::Contains((dir.path / "none").string() +
                             ": cannot read the test file: No such file or directory"));
  CHECK_THAT(error_of([&] { read_bounded_file(dir.path.string(), 3, "test file"); }),
             Catch::Contains("not a regular file"));
  const std::string fifo = (dir.path / "fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THAT(error_of([&] { read_bounded_file(fifo, 3, "test file"); }),
             Catch::Contains("not a regular file"));

  // A 1 GB sparse ebb.conf: refused by its size, in well under a millisecond per MB.
  const std::string sparse = dir.file("big.conf", "");
  fs::resize_file(sparse, std::uintmax_t{1} << 30);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string e = error_of([&] { load_config(sparse); });
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took < std::chrono::milliseconds(50));
  CHECK(e == sparse + ": the config file is larger than 1 MiB");
}

TEST_CASE("ebb.conf lines are bounded, and bad values are quoted printably", "[input][config]") {
  const std::string long_line = "ForecastFile=" + std::string(5000, 'a') + "\n";
  const std::string e1 = error_of([&] { parse_config(long_line, "ebb.conf"); });
  CHECK_THAT(e1, Catch::StartsWith("ebb.conf line 1: longer than 4096 characters (starts "
                                   "'ForecastFile=aaa"));
  CHECK(e1.size() < 200);

  const std::string e2 =
      error_of([&] { parse_config("CarbonPrice=\x1b]0;pwned\x07\x1b[2J", "ebb.conf"); });
  CHECK(e2 == "ebb.conf line 1: CarbonPrice: not a number: '?]0;pwned??[2J'");
  CHECK(printable(e2));

  const std::string e3 = error_of([&] { parse_config(std::string(3000, '\x1b'), "ebb.conf"); });
  CHECK(printable(e3));
  CHECK(e3.size() < 200);
}

TEST_CASE("forecast files are read bounded and quoted printably", "[input][forecast]") {
  TempDir dir;
  const std::string bad = dir.file("f.csv", "time,carbon_intensity\n2026-11-27T18:00:00Z,\x1b[31m" +
                                                std::string(300, '9') + "x\n");
  const std::string e = error_of([&] { read_forecast_file(bad); });
  CHECK_THAT(e, Catch::Contains("carbon_intensity: not a number: '?[31m999"));
  CHECK(printable(e));
  CHECK(e.size() < bad.size() + 150);

  const std::string big = dir.file("big.csv", "");
  fs::resize_file(big, kMaxForecastFileBytes + 1);
  CHECK_THAT(error_of([&] { read_forecast_file(big); }),
             Catch::Contains("the forecast file is larger than 64 MiB"));
}

TEST_CASE("objectives are case-insensitive everywhere", "[input][planner]") {
  CHECK(parse_objective("CARBON") == Objective::carbon);
  CHECK(parse_objective("Cost") == Objective::cost);
  CHECK(parse_objective("balanced") == Objective::balanced);
  CHECK(parse_config("Objective=COST\n", "ebb.conf").policy.objective == Objective::cost);
  CHECK_THROWS_WITH(parse_objective("gr\x1b"
                                    "een"),
                    Catch::Contains("unknown objective 'gr?een'"));
}
