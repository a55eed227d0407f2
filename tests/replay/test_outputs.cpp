// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb replay` end to end: the command line on real files, its table, CSV, JSON and SVG,
// and its messages for bad input.
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "ebb/replay.hpp"
#include "io.hpp"
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

// A week of jobs in the CSV trace form, submitted during the working day.
std::string week_of_jobs() {
  std::ostringstream o;
  o << "arrival,length,cores,requested\n";
  for (int i = 0; i < 300; ++i) {
    int day = i / 60, slot = i % 60;
    o << day * 86400 + 8 * 3600 + slot * 480 << ',' << 1800 + (i * 397) % 14000 << ',' << 1 + i % 8
      << ',' << 1800 + (i * 397) % 14000 + 3600 << '\n';
  }
  return o.str();
}

}  // namespace

TEST_CASE("ebb replay: table, CSV, JSON and SVG from one run", "[outputs]") {
  std::string trace = test::write_temp("week.csv", week_of_jobs());
  std::string dir = test::temp_dir();
  Run r = run({"--trace",     trace,
               "--grid",      test::data_path("em_ci_lca_2022_hourly_123zones.csv.gz"),
               "--zone",      "DE",
               "--start",     "2022-06-06T00:00:00Z",
               "--cores",     "16",
               "--deadline",  "slack:12h",
               "--objective", "carbon",
               "--csv",       dir + "/r.csv",
               "--json",      dir + "/r.json",
               "--svg",       dir + "/r.svg"});
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK_THAT(r.out, Contains("Replay of 300 jobs"));
  CHECK_THAT(r.out, Contains("best-window"));
  CHECK_THAT(r.out, Contains("oracle"));

  std::string csv = read_text_file(dir + "/r.csv");
  LineReader lines(csv, "r.csv");
  std::string_view line;
  REQUIRE(lines.next(line));
  auto header = split(line, ',');
  int rows = 0;
  while (lines.next(line)) {
    CHECK(split(line, ',').size() == header.size());
    ++rows;
  }
  CHECK(rows == 4);

  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.load(dir + "/r.json");
  CHECK(int64_t(doc["jobs"]) == 300);
  simdjson::dom::array policies = doc["policies"];
  REQUIRE(policies.size() == 4);
  double base_kg = 0, ebb_planned = 0, oracle_planned = 0;
  for (auto p : policies) {
    std::string_view name = p["policy"];
    if (name == "baseline") base_kg = double(p["kg_co2"]);
    if (name == "ebb") {
      ebb_planned = double(p["planned_reduction_pct"]);
      CHECK(int64_t(p["planned_misses"]) == 0);
    }
    if (name == "oracle") oracle_planned = double(p["planned_reduction_pct"]);
  }
  CHECK(base_kg > 0);
  // Planned alone (no queueing), ebb saves, and never more than the per-job optimum.
  CHECK(ebb_planned > 0);
  CHECK(oracle_planned >= ebb_planned);

  std::string svg = read_text_file(dir + "/r.svg");
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK_THAT(svg, Contains("</svg>"));
  std::size_t lines_drawn = 0;
  for (std::size_t p = svg.find("<polyline"); p != std::string::npos;
       p = svg.find("<polyline", p + 1))
    ++lines_drawn;
  CHECK(lines_drawn == 8);  // two panels x four policies
}

TEST_CASE("ebb replay: bad input is reported with file, line and reason", "[outputs]") {
  std::string trace = test::write_temp("bad_trace.csv", "arrival,length\n0,100\n50,abc\n");
  Run r = run({"--trace", trace, "--grid", test::data_path("em_ci_lca_2022_hourly_123zones.csv.gz"),
               "--zone", "DE"});
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Contains("bad_trace.csv line 3") && Contains("length"));

  std::string grid =
      test::write_temp("bad_grid.csv", "t,DE\n2022-01-01 00:00,100\n2022-01-01 01:00,1e\n");
  Run g = run({"--trace", test::write_temp("ok.csv", "arrival,length\n0,100\n"), "--grid", grid,
               "--zone", "DE"});
  CHECK(g.rc == 1);
  CHECK_THAT(g.err, Contains("bad_grid.csv line 3") && Contains("not a number"));

  Run z = run({"--trace", test::write_temp("ok2.csv", "arrival,length\n0,100\n"), "--grid",
               test::data_path("em_ci_lca_2022_hourly_123zones.csv.gz"), "--zone", "XX"});
  CHECK(z.rc == 1);
  CHECK_THAT(z.err, Contains("no column 'XX'"));

  Run u = run({"--trace"});
  CHECK(u.rc == 2);
  Run h = run({"--help"});
  CHECK(h.rc == 0);
}

TEST_CASE("ebb replay: grid gaps are counted and reported", "[outputs]") {
  std::string grid = test::write_temp("gappy.csv",
                                      "t,DE\n2022-01-03 00:00,100\n2022-01-03 "
                                      "01:00,200\n2022-01-03 02:00,NaN\n2022-01-03 03:00,150\n"
                                      "2022-01-03 09:00,120\n2022-01-03 10:00,90\n");
  std::string trace = test::write_temp("t.csv", "arrival,length\n0,7200\n3600,7200\n");
  Run r = run({"--trace", trace, "--grid", grid, "--zone", "DE", "--json", "-", "-q"});
  INFO(r.err);
  REQUIRE(r.rc == 0);
  simdjson::dom::parser parser;
  simdjson::padded_string json(r.out);
  simdjson::dom::element doc = parser.parse(json);
  CHECK(int64_t(doc["grid_gaps"]["carbon_gaps"]) == 2);
  CHECK(double(doc["grid_gaps"]["carbon_gap_hours"]) == Approx(6.0));
}

TEST_CASE("ebb replay: grid from ebb's forecast file format, with prices", "[outputs]") {
  std::ostringstream f;
  f << "time,carbon_intensity,price\n";
  for (int h = 0; h < 72; ++h) {
    char t[32];
    std::snprintf(t, sizeof t, "2026-03-%02dT%02d:00:00Z", 2 + h / 24, h % 24);
    int hod = h % 24;
    f << t << ',' << (hod < 6 ? 80 : 250) << ',' << (hod < 6 ? 20.5 : 90.0) << '\n';
  }
  std::string grid = test::write_temp("forecast.csv", f.str());
  std::string trace = test::write_temp("day.csv",
                                       "arrival,length,cores,requested\n0,3600,4,3600\n"
                                       "28800,7200,8,7200\n43200,3600,2,3600\n");
  Run r = run({"--trace", trace, "--grid", grid, "--grid-format", "forecast", "--deadline",
               "slack:24h", "--objective", "cost", "--json", "-", "-q"});
  INFO(r.err);
  REQUIRE(r.rc == 0);
  simdjson::dom::parser parser;
  simdjson::padded_string json(r.out);
  simdjson::dom::element doc = parser.parse(json);
  simdjson::dom::array policies = doc["policies"];
  bool saw_ebb = false;
  for (auto p : policies) {
    if (std::string_view(p["policy"]) != "ebb") continue;
    saw_ebb = true;
    // Two of the three jobs start in the day and can move into the cheap night.
    CHECK(int64_t(p["deferred"]) == 2);
    CHECK(double(p["cost_reduction_pct"]) > 50);
    CHECK(double(p["reduction_pct"]) > 50);
  }
  CHECK(saw_ebb);
}
