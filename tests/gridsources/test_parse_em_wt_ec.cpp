// SPDX-License-Identifier: GPL-2.0-or-later
// Electricity Maps, WattTime and Energy-Charts parsers: expected numbers read by hand from
// the fixtures (see tests/data/README.md for where each came from).
#include <catch2/catch.hpp>
#include <cmath>

#include "helpers.hpp"

using namespace ebb;
using ebbtest::read_fixture;
using ebbtest::utc;

namespace {

std::unique_ptr<GridSource> carbon(const std::string& name,
                                   std::map<std::string, std::string> extra = {}) {
  extra["carbonsource"] = name;
  extra["carbonfile"] = "/nonexistent";  // parse() only; no key or region needed
  return make_carbon_source(extra, FetchOptions{});
}
std::unique_ptr<GridSource> price(const std::string& name,
                                  std::map<std::string, std::string> extra = {}) {
  extra["pricesource"] = name;
  extra["pricefile"] = "/nonexistent";
  return make_price_source(extra, FetchOptions{});
}

}  // namespace

TEST_CASE("Electricity Maps forecast: 48 hourly forecast points", "[parse]") {
  const auto s = carbon("electricity-maps")
                     ->parse(read_fixture("electricitymaps_v3_carbon-intensity_forecast.json"),
                             utc("2023-05-02T19:55Z"));
  REQUIRE(s.size() == 48);
  CHECK(s.region == "DE");
  CHECK(s.kind == SignalKind::average);
  CHECK(s.slots()[0].start == utc("2023-05-02T20:00Z"));
  CHECK(s.slots()[0].carbon == 557);
  CHECK(s.slots()[1].carbon == 552);
  CHECK(s.slots()[47].carbon == 590);
  CHECK(s.end() == utc("2023-05-04T20:00Z"));
  CHECK(s.slots()[10].origin == Origin::forecast);
}

TEST_CASE("Electricity Maps history, past-range and latest are actuals", "[parse]") {
  auto em = carbon("electricity-maps");
  const auto h = em->parse(read_fixture("electricitymaps_v3_carbon-intensity_history.json"),
                           utc("2024-03-06T20:00Z"));
  REQUIRE(h.size() == 24);
  CHECK(h.slots()[0].carbon == 599);
  CHECK(h.slots()[1].carbon == 607);
  CHECK(h.slots()[23].carbon == 689);
  CHECK(h.slots()[23].start == utc("2024-03-06T19:00Z"));
  CHECK(h.slots()[0].origin == Origin::actual);

  const auto p = em->parse(read_fixture("electricitymaps_v3_carbon-intensity_past-range.json"),
                           utc("2024-03-19T00:00Z"));
  REQUIRE(p.size() == 2);
  CHECK(p.region == "DK-DK2");
  CHECK(p.slots()[0].carbon == 161);
  CHECK(p.slots()[1].carbon == 167);
  CHECK(p.slots()[1].end == utc("2024-03-18T04:00Z"));

  const auto l = em->parse(read_fixture("electricitymaps_v3_carbon-intensity_latest.json"),
                           utc("2024-03-06T19:10Z"));
  REQUIRE(l.size() == 1);
  CHECK(l.region == "US-CAR-DUK");
  CHECK(l.slots()[0].carbon == 216);
  CHECK(l.slots()[0].length() == std::chrono::hours(1));
}

TEST_CASE("Electricity Maps: null intensities are gaps, errors are named", "[parse]") {
  auto em = carbon("electricity-maps");
  const auto s = em->parse(
      R"({"zone":"DE","history":[{"carbonIntensity":100,"datetime":"2024-03-05T20:00:00.000Z"},)"
      R"({"carbonIntensity":null,"datetime":"2024-03-05T21:00:00.000Z"},)"
      R"({"carbonIntensity":120,"datetime":"2024-03-05T22:00:00.000Z"}]})",
      utc("2024-03-06T00:00Z"));
  REQUIRE(s.size() == 2);
  CHECK(s.slots()[0].end == utc("2024-03-05T21:00Z"));
  CHECK(s.slots()[1].start == utc("2024-03-05T22:00Z"));
  CHECK_THROWS_WITH(em->parse(R"({"error":"Token is invalid"})", utc("2024-03-06T00:00Z")),
                    "electricity-maps: error response: Token is invalid");
  CHECK_THROWS_WITH(
      em->parse(
          R"({"zone":"DE","forecast":[{"carbonIntensity":"high","datetime":"2024-03-05T20:00:00.000Z"}]})",
          utc("2024-03-06T00:00Z")),
      "electricity-maps: forecast[0].carbonIntensity: not a number: 'high'");
  CHECK_THROWS_WITH(em->parse(R"({"zone":"DE","forecast":[]})", utc("2024-03-06T00:00Z")),
                    Catch::Contains("no data"));
}

TEST_CASE("Electricity Maps day-ahead price: currency from the unit", "[parse]") {
  auto em = price("electricity-maps");
  const auto one = em->parse(
      R"({"zone":"AU-NSW","datetime":"2024-05-19T03:00:00.000Z","value":10.14,"unit":"AUD/MWh","source":"opennem.org.au"})",
      utc("2024-05-19T00:00Z"));
  REQUIRE(one.size() == 1);
  CHECK(one.currency == "AUD");
  CHECK(one.slots()[0].price == Approx(10.14));
  CHECK(one.slots()[0].carbon == 0);
  CHECK(one.slots()[0].origin == Origin::forecast);
  CHECK_THROWS_WITH(
      em->parse(
          R"({"zone":"DE","datetime":"2024-05-19T03:00:00.000Z","value":10,"unit":"EUR/kWh"})",
          utc("2024-05-19T00:00Z")),
      "electricity-maps: unit: unit mismatch: 'EUR/kWh', expected <currency>/MWh");
}

TEST_CASE("WattTime forecast: lbs/MWh to g/kWh, marginal, 5-minute slots", "[parse]") {
  const auto s = carbon("watttime")
                     ->parse(read_fixture("watttime_v3_forecast_official_openapi_example.json"),
                             utc("2022-07-15T00:00Z"));
  REQUIRE(s.size() == 288);
  CHECK(s.kind == SignalKind::marginal);
  CHECK(s.region == "CAISO_NORTH");
  CHECK(s.slots()[0].carbon == Approx(870 * 0.45359237));
  CHECK(s.slots()[0].carbon == Approx(394.625));
  CHECK(s.slots()[0].length() == std::chrono::minutes(5));
  CHECK(s.slots()[0].origin == Origin::forecast);
  CHECK(s.begin() == utc("2022-07-15T00:00Z"));
  CHECK(s.end() == utc("2022-07-16T00:00Z"));
}

TEST_CASE("WattTime historical and forecast/historical", "[parse]") {
  auto wt = carbon("watttime");
  for (const char* f : {"watttime_v3_historical_official_openapi_example.json",
                        "watttime_v3_historical_aiowatttime.json"}) {
    const auto h = wt->parse(read_fixture(f), utc("2023-10-01T00:00Z"));
    REQUIRE(h.size() == 2);
    CHECK(h.slots()[0].carbon == Approx(870 * 0.45359237));
    CHECK(h.slots()[1].carbon == Approx(860 * 0.45359237));
    CHECK(h.slots()[1].origin == Origin::actual);
    CHECK(h.slots()[1].end == utc("2022-07-15T00:10Z"));
  }
  const auto fh = wt->parse(read_fixture("watttime_v3_forecast-historical_aiowatttime.json"),
                            utc("2023-10-01T00:00Z"));
  REQUIRE(fh.size() == 3);
  CHECK(fh.slots()[2].start == utc("2022-07-15T00:10Z"));
  CHECK(fh.slots()[2].origin == Origin::forecast);
}

TEST_CASE("WattTime: errors, unit mismatch, negative values", "[parse]") {
  auto wt = carbon("watttime");
  CHECK_THROWS_WITH(wt->parse(read_fixture("watttime_v3_error_official_openapi_example.json"),
                              utc("2023-01-01T00:00Z")),
                    "watttime: error response: INVALID_QUERY_PARAMS: You've provided invalid "
                    "parameters in your query");
  CHECK_THROWS_WITH(wt->parse(read_fixture("watttime_v3_error_invalid_scope_aiowatttime.json"),
                              utc("2023-01-01T00:00Z")),
                    Catch::Contains("Invalid scope"));
  CHECK_THROWS_WITH(
      wt->parse(read_fixture("watttime_v3_error_coordinates_not_found_aiowatttime.json"),
                utc("2023-01-01T00:00Z")),
      Catch::Contains("No coverage available"));
  const std::string body =
      R"({"data":[{"point_time":"2022-07-15T00:00:00+00:00","value":870},)"
      R"({"point_time":"2022-07-15T00:05:00+00:00","value":870},)"
      R"({"point_time":"2022-07-15T00:10:00+00:00","value":870},)"
      R"({"point_time":"2022-07-15T00:15:00+00:00","value":-5}],)"
      R"("meta":{"units":"lbs_co2_per_mwh","signal_type":"co2_moer","data_point_period_seconds":300}})";
  CHECK_THROWS_WITH(wt->parse(body, utc("2023-01-01T00:00Z")),
                    "watttime: data[3].value: negative intensity -5");
  std::string grams = body;
  grams.replace(grams.find("lbs_co2_per_mwh"), 15, "g_co2_per_kwh");
  CHECK_THROWS_WITH(
      wt->parse(grams, utc("2023-01-01T00:00Z")),
      "watttime: meta.units: unit mismatch: 'g_co2_per_kwh', expected lbs_co2_per_mwh");
  CHECK_THROWS_WITH(
      wt->parse(R"({"data":[],"meta":{"units":"lbs_co2_per_mwh"}})", utc("2023-01-01T00:00Z")),
      Catch::Contains("no data"));
  CHECK_THROWS_WITH(wt->parse(read_fixture("watttime_error_403_forbidden_aiowatttime.html"),
                              utc("2023-01-01T00:00Z")),
                    Catch::Contains("malformed JSON"));
}

TEST_CASE("Energy-Charts signal: renewable share as a proxy intensity", "[parse]") {
  auto ec = carbon("energy-charts", {{"product", "signal"}, {"fossilintensity", "700"}});
  const auto s = ec->parse(read_fixture("energycharts_signal_de.json"), utc("2024-02-24T00:00Z"));
  REQUIRE(s.size() == 192);
  CHECK(s.begin() == utc("2024-02-23T23:00Z"));
  CHECK(s.end() == utc("2024-02-25T23:00Z"));
  CHECK(s.slots()[0].carbon == Approx((100 - 51.4) / 100 * 700));
  CHECK(s.slots()[191].carbon == Approx((100 - 38.8) / 100 * 700));
  CHECK(s.slots()[0].length() == std::chrono::minutes(15));
  CHECK(s.slots()[0].origin == Origin::actual);  // ended before now
  CHECK(s.slots()[191].origin == Origin::forecast);

  const auto shorter =
      ec->parse(read_fixture("energycharts_signal_short.json"), utc("2024-02-24T00:00Z"));
  REQUIRE(shorter.size() == 4);
  CHECK(shorter.slots()[0].carbon == Approx((100 - 80.4) / 100 * 700));
  CHECK_THROWS_WITH(
      carbon("energy-charts")
          ->parse(read_fixture("energycharts_signal_short.json"), utc("2024-02-24T00:00Z")),
      Catch::Contains("set Product=signal"));
  CHECK_THROWS_WITH(carbon("energy-charts", {{"product", "signal"}}),
                    Catch::Contains("FossilIntensity="));
}

TEST_CASE("Energy-Charts co2eq: measured where present, else forecast; nulls are gaps", "[parse]") {
  auto ec = carbon("energy-charts");
  const auto s = ec->parse(
      R"({"unix_seconds":[1708729200,1708730100,1708731000,1708731900],)"
      R"("co2eq":[400.5,390,null,null],"co2eq_forecast":[null,null,380,null],"deprecated":false})",
      utc("2024-02-23T23:20Z"));
  REQUIRE(s.size() == 3);
  CHECK(s.slots()[0].carbon == 400.5);
  CHECK(s.slots()[0].origin == Origin::actual);
  CHECK(s.slots()[2].carbon == 380);
  CHECK(s.slots()[2].origin == Origin::forecast);
  CHECK(s.end() == utc("2024-02-23T23:45Z"));  // the last point (both null) is a gap
  CHECK_THROWS_WITH(ec->parse(R"({"unix_seconds":[1708729200,1708730100],"co2eq":[400]})",
                              utc("2024-02-24T00:00Z")),
                    "energy-charts: co2eq: 1 values for 2 unix_seconds");
  CHECK_THROWS_WITH(
      ec->parse(R"({"unix_seconds":[],"co2eq":[],"co2eq_forecast":[]})", utc("2024-02-24T00:00Z")),
      Catch::Contains("no data"));
  CHECK_THROWS_WITH(ec->parse(R"({"detail":"bzn not found"})", utc("2024-02-24T00:00Z")),
                    "energy-charts: error response: bzn not found");
  CHECK_THROWS_WITH(ec->parse(R"({"unix_seconds":[1708729200,1708729200],"co2eq":[1,2]})",
                              utc("2024-02-24T00:00Z")),
                    Catch::Contains("unix_seconds[1]: duplicate timestamp"));
}

TEST_CASE("Energy-Charts price: EUR/MWh quarter hours", "[parse]") {
  const auto s =
      price("energy-charts")
          ->parse(read_fixture("energycharts_price_openems_test.json"), utc("2021-09-23T13:20Z"));
  REQUIRE(s.size() == 4);
  CHECK(s.currency == "EUR");
  CHECK(s.begin() == utc("2021-09-23T13:00Z"));
  const double expected[] = {158.95, 160.98, 171.15, 174.96};
  for (int i = 0; i < 4; ++i) CHECK(s.slots()[i].price == Approx(expected[i]));
  CHECK(s.slots()[0].origin == Origin::actual);
  CHECK(s.slots()[3].origin == Origin::forecast);
  CHECK(s.end() == utc("2021-09-23T14:00Z"));
  CHECK_THROWS_WITH(price("energy-charts")
                        ->parse(R"({"unix_seconds":[1632402000],"price":[1],"unit":"EUR / kWh"})",
                                utc("2021-09-23T13:20Z")),
                    Catch::Contains("unit mismatch"));
}
