// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb replay --ledger FILE` (the reconciliation finance asks for): one row per job of the ebb
// policy, and its columns sum to the replay's own totals for ebb and baseline.
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "ebb/replay.hpp"
#include "io.hpp"
#include "ledger_csv.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::replay;
using Catch::Matchers::Contains;

namespace {

struct Run {
  int rc;
  std::string out, err;
};

Run run(std::vector<std::string> args) {
  args.insert(args.begin(), "ebb replay");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream out, err;
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  int rc = replay_main(static_cast<int>(argv.size()), argv.data());
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  return {rc, out.str(), err.str()};
}

// Five days of a grid with clean, cheap nights and dirty, dear days, in ebb's forecast
// file form (carbon and price).
std::string priced_grid() {
  std::ostringstream f;
  f << "time,carbon_intensity,price\n";
  for (int h = 0; h < 5 * 24; ++h) {
    char t[32];
    std::snprintf(t, sizeof t, "2026-03-%02dT%02d:00:00Z", 2 + h / 24, h % 24);
    const int hod = h % 24;
    f << t << ',' << 90 + (hod * 37) % 200 << ',' << 15.0 + (hod * 13) % 80 << '\n';
  }
  return f.str();
}

// Jobs through two working days on a small cluster, so that some queue.
std::string jobs() {
  std::ostringstream o;
  o << "arrival,length,cores,requested\n";
  for (int i = 0; i < 80; ++i) {
    const int day = i / 40, slot = i % 40;
    o << day * 86400 + 7 * 3600 + slot * 900 << ',' << 1200 + (i * 613) % 9000 << ',' << 1 + i % 6
      << ',' << 1200 + (i * 613) % 9000 + 1800 << '\n';
  }
  return o.str();
}

struct Sums {
  double kwh = 0, kg = 0, kg_as = 0, cost = 0, cost_as = 0;
  std::size_t rows = 0, deferred = 0;
};

Sums sum_ledger(const std::string& csv) {
  Sums s;
  LineReader lines(csv, "ledger.csv");
  std::string_view line;
  REQUIRE(lines.next(line));
  REQUIRE(line == kLedgerHeader);
  const auto header = split(line, ',');
  auto col = [&](std::string_view name) {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    FAIL("no column " << name);
    return std::size_t{0};
  };
  const std::size_t kwh = col("kwh"), kg = col("kgco2"), kg_as = col("kgco2_as_submitted"),
                    cost = col("cost"), cost_as = col("cost_as_submitted"), def = col("deferred");
  // The required columns are all there.
  for (const char* c : {"job", "user", "account", "partition", "submit", "start", "end"}) col(c);
  auto num = [](std::string_view v) {
    double d = 0;
    REQUIRE(parse_double(std::string(v), d));
    return d;
  };
  while (lines.next(line)) {
    const auto f = split(line, ',');
    REQUIRE(f.size() == header.size());
    s.kwh += num(f[kwh]);
    s.kg += num(f[kg]);
    s.kg_as += num(f[kg_as]);
    s.cost += num(f[cost]);
    s.cost_as += num(f[cost_as]);
    s.deferred += f[def] == "1";
    ++s.rows;
  }
  return s;
}

}  // namespace

TEST_CASE("ebb replay --ledger: the columns sum to the replay's totals within 0.1 %",
          "[ledger-csv]") {
  const std::string grid = test::write_temp("ledger_grid.csv", priced_grid());
  const std::string trace = test::write_temp("ledger_jobs.csv", jobs());
  const std::string dir = test::temp_dir();
  Run r = run({"--trace", trace, "--grid", grid, "--grid-format", "forecast", "--cores", "12",
               "--deadline", "slack:18h", "--objective", "balanced", "--policies", "baseline,ebb",
               "--json", dir + "/r.json", "--ledger", dir + "/ledger.csv", "-q"});
  INFO(r.err);
  REQUIRE(r.rc == 0);

  const Sums s = sum_ledger(read_text_file(dir + "/ledger.csv"));
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.load(dir + "/r.json");
  REQUIRE(int64_t(doc["jobs"]) == 80);
  CHECK(s.rows == 80);
  double ebb_kg = -1, ebb_cost = -1, ebb_kwh = -1, base_kg = -1, base_cost = -1;
  std::int64_t ebb_deferred = -1;
  for (auto p : simdjson::dom::array(doc["policies"])) {
    const std::string_view name = p["policy"];
    if (name == "ebb") {
      ebb_kg = double(p["kg_co2"]);
      ebb_cost = double(p["cost"]);
      ebb_kwh = double(p["energy_kwh"]);
      ebb_deferred = int64_t(p["deferred"]);
    } else if (name == "baseline") {
      base_kg = double(p["kg_co2"]);
      base_cost = double(p["cost"]);
    }
  }
  REQUIRE(base_kg > 0);
  REQUIRE(base_cost > 0);
  CHECK(s.kg == Approx(ebb_kg).epsilon(0.001));
  CHECK(s.kg_as == Approx(base_kg).epsilon(0.001));
  CHECK(s.cost == Approx(ebb_cost).epsilon(0.001));
  CHECK(s.cost_as == Approx(base_cost).epsilon(0.001));
  CHECK(s.kwh == Approx(ebb_kwh).epsilon(0.001));
  CHECK(static_cast<std::int64_t>(s.deferred) == ebb_deferred);
  // ebb moved work, so "as submitted" is a different number: the check is not vacuous.
  CHECK(ebb_deferred > 0);
  CHECK(s.kg < s.kg_as);
}

TEST_CASE("ebb replay --ledger: needs the ebb policy, says so before running", "[ledger-csv]") {
  const std::string grid = test::write_temp("ledger_grid2.csv", priced_grid());
  const std::string trace = test::write_temp("ledger_jobs2.csv", jobs());
  Run r = run({"--trace", trace, "--grid", grid, "--grid-format", "forecast", "--policies",
               "baseline,oracle", "--ledger", test::temp_dir() + "/l.csv", "-q"});
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Contains("--ledger") && Contains("ebb"));
}
