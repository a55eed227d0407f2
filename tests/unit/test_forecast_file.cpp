// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "ebb/error.hpp"
#include "ebb/forecast_file.hpp"

using namespace ebb;

TEST_CASE("CSV forecast with offsets, optional prices and comments", "[forecast_file]") {
  auto s = parse_forecast_csv(
      "# exported by hand\n"
      "time,carbon_intensity,price\n"
      "2026-11-27T18:00:00Z,212,85.10\n"
      "2026-11-27T19:30:00+01:00,198,\n"
      "2026-11-27T19:00:00Z,150,60\r\n",
      "fc.csv");
  REQUIRE(s.size() == 3);
  CHECK(s.slots()[0].price == Approx(85.1));
  CHECK(s.slots()[1].start == parse_iso8601("2026-11-27T18:30Z"));
  CHECK_FALSE(s.slots()[1].has_price());
  CHECK(s.slots()[2].end == parse_iso8601("2026-11-27T19:30Z"));
}

TEST_CASE("CSV errors name file, line and reason", "[forecast_file]") {
  CHECK_THROWS_WITH(parse_forecast_csv("when,ci\n", "a.csv"),
                    Catch::Contains("a.csv line 1") && Catch::Contains("header"));
  CHECK_THROWS_WITH(parse_forecast_csv("time,carbon_intensity\n2026-11-27T18:00Z,abc\n", "a.csv"),
                    Catch::Contains("a.csv line 2: carbon_intensity: not a number: 'abc'"));
  CHECK_THROWS_WITH(parse_forecast_csv("time,carbon_intensity\nnoon,1\n", "a.csv"),
                    Catch::Contains("a.csv line 2: time"));
  CHECK_THROWS_WITH(
      parse_forecast_csv("time,carbon_intensity\n2026-11-27T18:00Z,1\n2026-11-27T18:00Z,2\n", "a.csv"),
      Catch::Contains("line 3") && Catch::Contains("repeated"));
  CHECK_THROWS_WITH(
      parse_forecast_csv("time,carbon_intensity\n2026-11-27T18:00Z,1\n2026-11-27T17:00Z,2\n", "a.csv"),
      Catch::Contains("goes backwards"));
  CHECK_THROWS_WITH(parse_forecast_csv("time,carbon_intensity\n2026-11-27T18:00Z,-4\n", "a.csv"),
                    Catch::Contains("negative"));
  CHECK_THROWS_WITH(parse_forecast_csv("", "a.csv"), Catch::Contains("empty"));
  CHECK_THROWS_WITH(parse_forecast_csv("time,carbon_intensity\n", "a.csv"), Catch::Contains("no forecast rows"));
  CHECK_THROWS_WITH(parse_forecast_csv("time,carbon_intensity,price\n2026-11-27T18:00Z,1,x\n", "a.csv"),
                    Catch::Contains("price: not a number"));
}

TEST_CASE("JSON forecast, with BOM, currency and kind", "[forecast_file]") {
  auto s = parse_forecast(
      "\xEF\xBB\xBF{\"region\":\"GB\",\"currency\":\"GBP\",\"kind\":\"marginal\",\"data\":["
      "{\"time\":\"2026-11-27T18:00Z\",\"carbon_intensity\":212,\"price\":85.1},"
      "{\"time\":\"2026-11-27T18:30Z\",\"carbon_intensity\":198,\"price\":null}]}",
      "fc.json");
  REQUIRE(s.size() == 2);
  CHECK(s.region == "GB");
  CHECK(s.currency == "GBP");
  CHECK(s.kind == SignalKind::marginal);
  CHECK(s.slots()[1].end == parse_iso8601("2026-11-27T19:00Z"));
  CHECK_THROWS_WITH(parse_forecast_json("{\"data\":[{\"time\":\"x\",\"carbon_intensity\":1}]}", "j"),
                    Catch::Contains("j: data[0]: time"));
  CHECK_THROWS_WITH(parse_forecast_json("{\"data\":[{\"time\":\"2026-11-27T18:00Z\"}]}", "j"),
                    Catch::Contains("carbon_intensity"));
  CHECK_THROWS_WITH(parse_forecast_json("{\"data\":[", "j"), Catch::Contains("not valid JSON"));
}

TEST_CASE("CSV round trip keeps gaps and the last slot's end", "[forecast_file]") {
  const TimePoint t0 = parse_iso8601("2026-11-27T00:00Z");
  SignalSeries s({{t0, t0 + minutes(30), 100, 5},
                  {t0 + minutes(30), t0 + minutes(45), 80},
                  {t0 + hours(2), t0 + hours(3), 60, 1.25}},
                 "x");
  auto back = parse_forecast_csv(to_forecast_csv(s), "round");
  REQUIRE(back.size() == s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    CHECK(back.slots()[i].start == s.slots()[i].start);
    CHECK(back.slots()[i].end == s.slots()[i].end);
    CHECK(back.slots()[i].carbon == s.slots()[i].carbon);
    CHECK(back.slots()[i].has_price() == s.slots()[i].has_price());
  }
}

TEST_CASE("a missing file is an error naming the path", "[forecast_file]") {
  CHECK_THROWS_WITH(read_forecast_file("/nonexistent/ebb/fc.csv"),
                    Catch::Contains("/nonexistent/ebb/fc.csv: cannot read"));
}
