// SPDX-License-Identifier: GPL-2.0-or-later
// Trace and grid readers: real files written to a private directory, parsed by the
// same functions `ebb replay` uses.
#include <catch2/catch.hpp>
#include <string>

#include "ebb/error.hpp"
#include "grid.hpp"
#include "support.hpp"
#include "trace.hpp"

using namespace ebb;
using namespace ebb::replay;
using Catch::Matchers::Contains;

TEST_CASE("SWF: header start time, skipped jobs, requested below runtime", "[readers]") {
  std::string swf =
      "; Version: 2.2\n"
      "; UnixStartTime: 1027839845\n"
      ";\n"
      "    1        0 308434  31405   30  31405    -1   30  37980    -1  1   1   1  -1 -1  1 -1 "
      "-1\n"
      "    2        8 308426     -1   30     -1    -1   30  37980    -1  5   1   1  -1 -1  1 -1 "
      "-1\n"
      "    3       12 308483    600   -1     -1    -1    4    500    -1  1   7   1  -1 -1  2 -1 "
      "-1\n";
  Trace t = read_trace(test::write_temp("a.swf", swf));
  REQUIRE(t.jobs.size() == 2);
  CHECK_FALSE(t.relative_times);
  CHECK(t.jobs[0].submit == TimePoint{seconds{1027839845}});
  CHECK(t.jobs[0].runtime == seconds{31405});
  CHECK(t.jobs[0].requested == seconds{37980});
  CHECK(t.jobs[0].cores == 30);
  CHECK(t.jobs[1].cores == 4);                 // requested procs when allocated is -1
  CHECK(t.jobs[1].requested == seconds{600});  // raised to the runtime
  CHECK(t.requested_raised == 1);
  CHECK(t.skipped.begin()->second == 1);
}

TEST_CASE("SWF: a malformed line names file, line and reason", "[readers]") {
  std::string swf =
      "; UnixStartTime: 0\n"
      "1 0 10 100 2 -1 -1 2 200 -1 1 1 1 -1 -1 1 -1 -1\n"
      "2 5 10 abc 2 -1 -1 2 200 -1 1 1 1 -1 -1 1 -1 -1\n";
  std::string path = test::write_temp("bad.swf", swf);
  REQUIRE_THROWS_WITH(read_trace(path), Contains("bad.swf line 3") && Contains("field 4"));
  std::string short_line = "; UnixStartTime: 0\n1 0 10 100 2\n";
  REQUIRE_THROWS_WITH(read_trace(test::write_temp("short.swf", short_line)),
                      Contains("line 2") && Contains("18 fields"));
}

TEST_CASE("sacct -P: jobs, steps skipped, never-started skipped, Slurm durations", "[readers]") {
  std::string text =
      "JobID|Submit|Start|End|Elapsed|Timelimit|NCPUS|ReqMem|State|Partition|Account|User\n"
      "101|2024-03-04T10:00:00|2024-03-04T10:05:00|2024-03-04T12:05:00|02:00:00|1-00:00:00|16|"
      "2000Mc|COMPLETED|cpu|phys|ana\n"
      "101.batch|2024-03-04T10:00:00|2024-03-04T10:05:00|2024-03-04T12:05:00|02:00:00||16|"
      "|COMPLETED|||\n"
      "102|2024-03-04T11:00:00|Unknown|Unknown|00:00:00|30:00|4|4G|CANCELLED by 0|cpu|phys|bo\n"
      "103|2024-03-05T09:00:00|2024-03-05T09:00:00|2024-03-05T09:30:00|00:30:00|UNLIMITED|2|"
      "8G|TIMEOUT|gpu|chem|cy\n";
  Trace t = read_trace(test::write_temp("jobs.txt", text));
  REQUIRE(t.jobs.size() == 2);
  CHECK(t.jobs[0].id == "101");
  CHECK(t.jobs[0].runtime == hours(2));
  CHECK(t.jobs[0].requested == hours(24));
  CHECK(t.jobs[0].cores == 16);
  CHECK(t.jobs[0].user == "ana");
  CHECK(t.jobs[0].account == "phys");
  CHECK(t.jobs[0].memory_gb == Approx(16 * 2000 / 1024.0));  // per CPU
  CHECK(t.jobs[1].memory_gb == Approx(8));
  CHECK(t.jobs[1].requested == minutes(30));  // unlimited: the runtime
  CHECK(t.skipped.at("never started") == 1);

  std::string bad = "JobID|Submit|Elapsed|NCPUS\n7|2024-03-04T10:00:00|2:xx:00|4\n";
  REQUIRE_THROWS_WITH(read_trace(test::write_temp("bad.txt", bad)),
                      Contains("bad.txt line 2") && Contains("duration"));
}

TEST_CASE("sacct --json: old and new number forms", "[readers]") {
  std::string json = R"({"jobs":[
    {"job_id":5,"user":"ana","partition":"cpu",
     "time":{"submission":1700000000,"start":1700000600,"end":1700004200,"elapsed":3600,"limit":120},
     "required":{"CPUs":8,"memory":16384}},
    {"job_id":6,"time":{"submission":1700000100,"start":{"set":true,"infinite":false,"number":1700000200},
     "elapsed":{"set":true,"number":60},"limit":{"set":true,"infinite":false,"number":10}},
     "tres":{"allocated":[{"type":"cpu","count":2},{"type":"mem","count":1000}]}},
    {"job_id":7,"time":{"submission":1700000100,"start":0,"elapsed":0,"limit":10},"required":{"CPUs":1}}
  ]})";
  Trace t = read_trace(test::write_temp("jobs.json", json));
  REQUIRE(t.jobs.size() == 2);
  CHECK(t.jobs[0].runtime == hours(1));
  CHECK(t.jobs[0].requested == hours(2));
  CHECK(t.jobs[0].cores == 8);
  CHECK(t.jobs[0].memory_gb == Approx(16));
  CHECK(t.jobs[1].cores == 2);
  CHECK(t.jobs[1].requested == minutes(10));
  CHECK(t.skipped.at("never started") == 1);
  REQUIRE_THROWS_WITH(read_trace(test::write_temp("broken.json", "{\"jobs\": [")),
                      Contains("broken.json") && Contains("JSON"));
}

TEST_CASE("CSV traces: GAIA's columns, relative times, hours as unit", "[readers]") {
  Trace t = read_trace(
      test::write_temp("g.csv", "arrival_time,length,cpus\n0.0,6302.0,1\n68.0,1000.0,4\n"));
  REQUIRE(t.jobs.size() == 2);
  CHECK(t.relative_times);
  CHECK(t.jobs[1].submit == TimePoint{seconds{68}});
  CHECK(t.jobs[1].cores == 4);
  TraceReadOptions o;
  o.csv_time_unit_seconds = 3600;
  Trace h = read_trace(test::write_temp("h.csv", "arrival,length,cores\n1.5,2,1\n"), o);
  CHECK(h.jobs[0].submit == TimePoint{seconds{5400}});
  CHECK(h.jobs[0].runtime == hours(2));
  REQUIRE_THROWS_WITH(read_trace(test::write_temp("b.csv", "arrival,length\n1,2\n3,-4\n")),
                      Contains("b.csv line 3") && Contains("length"));
}

TEST_CASE("Grid CSV: a zone column, gaps counted not filled, bad cells reported", "[readers]") {
  std::string csv =
      "datetime_utc,AA,BB\n"
      "2022-01-01 00:00:00,100,1\n"
      "2022-01-01 01:00:00,200,2\n"
      "2022-01-01 02:00:00,,3\n"  // a missing value
      "2022-01-01 03:00:00,400,4\n"
      "2022-01-01 06:00:00,700,7\n"  // three hours missing before this row
      "2022-01-01 07:00:00,800,8\n";
  std::string path = test::write_temp("grid.csv", csv);
  GridReadOptions o;
  o.column = "aa";  // case-insensitive
  PointSeries p = read_wide_csv(path, o);
  Grid g(points_to_slots(p), false, p.source);
  CHECK(g.gaps().carbon_gaps == 2);
  CHECK(g.gaps().carbon_gap_time == hours(3));  // 02:00-03:00 and 04:00-06:00
  Integral in = g.integrate(parse_iso8601("2022-01-01T01:00Z"), parse_iso8601("2022-01-01T05:00Z"));
  CHECK(in.carbon_gap_seconds == Approx(2 * 3600));
  // 200 + 200 (held) + 400 + 400 (held), in g/kWh x h
  CHECK(in.carbon_hours == Approx(1200));

  o.column = "CC";
  REQUIRE_THROWS_WITH(read_wide_csv(path, o), Contains("no column 'CC'") && Contains("AA BB"));
  std::string bad = "t,AA\n2022-01-01 00:00:00,1\n2022-01-01 01:00:00,x1\n";
  o.column = "AA";
  REQUIRE_THROWS_WITH(read_wide_csv(test::write_temp("bad.csv", bad), o),
                      Contains("bad.csv line 3") && Contains("not a number"));
  std::string back = "t,AA\n2022-01-01 01:00:00,1\n2022-01-01 00:00:00,1\n";
  REQUIRE_THROWS_WITH(read_wide_csv(test::write_temp("back.csv", back), o),
                      Contains("line 3") && Contains("not after"));
}

TEST_CASE("Grid: prices attached by time, NaN prices counted as price gaps", "[readers]") {
  std::string carbon =
      "t,DE\n2022-01-01 00:00:00,100\n2022-01-01 00:30:00,100\n2022-01-01 01:00:00,100\n"
      "2022-01-01 01:30:00,100\n";
  std::string prices = "t,DE-LU_EUR_per_MWh\n2022-01-01 00:00:00,-5\n2022-01-01 01:00:00,NaN\n";
  GridReadOptions o;
  o.column = "DE";
  auto slots = points_to_slots(read_wide_csv(test::write_temp("c.csv", carbon), o));
  GridReadOptions po;
  po.column = "DE-LU_EUR_per_MWh";
  po.allow_negative = true;
  attach_prices(slots, read_wide_csv(test::write_temp("p.csv", prices), po));
  Grid g(slots, true, "test");
  CHECK(g.slots()[1].price == -5);
  CHECK(std::isnan(g.slots()[2].price));
  CHECK(g.gaps().price_gaps == 1);
  CHECK(g.gaps().price_gap_time == hours(1));
}

TEST_CASE("--cores auto: the cluster size from the recorded starts", "[readers]") {
  // Four jobs: two overlap with 6 + 10 cores for most of the time, a third adds 4 cores
  // for a moment too short to count (under 0.1% of the time).
  std::string swf =
      "; UnixStartTime: 0\n"
      "1      0 0 100000  6 -1 -1  6 100000 -1 1 1 1 -1 -1 1 -1 -1\n"
      "2     10 0 100000 10 -1 -1 10 100000 -1 1 1 1 -1 -1 1 -1 -1\n"
      "3    100 0     10  4 -1 -1  4     10 -1 1 1 1 -1 -1 1 -1 -1\n"
      "4 200000 0    100  2 -1 -1  2    100 -1 1 1 1 -1 -1 1 -1 -1\n";
  Trace t = read_trace(test::write_temp("peak.swf", swf));
  CHECK(t.jobs[0].recorded_start == TimePoint{seconds{0}});
  CHECK(peak_recorded_cores(t) == 16);
  Trace csv = read_trace(test::write_temp("nostart.csv", "arrival,length,cores\n0,10,4\n"));
  CHECK(peak_recorded_cores(csv) == 0);
}
