// SPDX-License-Identifier: GPL-2.0-or-later
// Carbon Aware SDK (WebAPI shapes and its JSON data file) and the time-of-use tariff.
#include <catch2/catch.hpp>

#include "carbon_aware_sdk.hpp"
#include "helpers.hpp"
#include "tariff.hpp"

using namespace ebb;
using ebbtest::read_fixture;
using ebbtest::utc;

namespace {

std::unique_ptr<GridSource> casdk(std::map<std::string, std::string> extra = {}) {
  extra["carbonsource"] = "carbon-aware-sdk";
  extra["carbonfile"] = "/nonexistent";
  return make_carbon_source(extra, FetchOptions{});
}

}  // namespace

TEST_CASE("CASDK forecasts/current: forecastData with durations in minutes", "[parse]") {
  const auto s = casdk()->parse(read_fixture("casdk_webapi_forecasts_current_doc_example.json"),
                                utc("2022-07-19T13:37Z"));
  REQUIRE(s.size() == 2);
  CHECK(s.region == "northeurope");
  CHECK(s.slots()[0].start == utc("2022-07-19T14:00Z"));
  CHECK(s.slots()[0].end == utc("2022-07-19T14:10Z"));
  CHECK(s.slots()[0].carbon == Approx(532.02293146));
  CHECK(s.slots()[1].carbon == Approx(535.7318741001667));
  CHECK(s.slots()[1].origin == Origin::forecast);
  CHECK_THROWS_WITH(casdk({{"location", "westus"}})
                        ->parse(read_fixture("casdk_webapi_forecasts_current_doc_example.json"),
                                utc("2022-07-19T13:37Z")),
                    Catch::Contains("no forecast for location 'westus'"));
}

TEST_CASE("CASDK JSON data file: BOM, PascalCase, ratings as strings", "[parse]") {
  const std::string body = read_fixture("casdk_json_datasource_sample-emissions-data.json");
  REQUIRE(static_cast<unsigned char>(body[0]) == 0xEF);  // the fixture keeps its BOM
  const auto s = casdk({{"location", "Sydney"}})->parse(body, utc("2023-01-01T00:00Z"));
  REQUIRE(s.size() == 5);
  CHECK(s.region == "Sydney");
  CHECK(s.slots()[0].start == utc("2021-01-01T00:00:01Z"));
  CHECK(s.slots()[0].carbon == Approx(0.6));
  CHECK(s.slots()[0].end == utc("2021-04-01T00:00:01Z"));
  CHECK(s.slots()[3].carbon == Approx(0.72));
  CHECK(s.slots()[4].carbon == Approx(0.01));
  CHECK(s.slots()[4].origin == Origin::actual);
  CHECK_THROWS_WITH(casdk()->parse(body, utc("2023-01-01T00:00Z")),
                    Catch::Contains("Location= is needed: the data holds 4 locations (Auckland, "
                                    "Melbourne, Sydney, US-East)"));
  CHECK_THROWS_WITH(casdk({{"location", "Perth"}})->parse(body, utc("2023-01-01T00:00Z")),
                    Catch::Contains("no data for location 'Perth'"));
}

TEST_CASE("CASDK bare emissions array with TimeSpan durations; average intensities", "[parse]") {
  const auto s =
      casdk({{"location", "us-east-1"}})
          ->parse(read_fixture("casdk_json_datasource_test-data-aws-emissions_first48.json"),
                  utc("2022-01-01T00:00Z"));
  REQUIRE(s.size() >= 2);
  CHECK(s.slots()[0].start == utc("2021-10-25T14:50Z"));
  CHECK(s.slots()[0].carbon == 90);
  CHECK(s.slots()[0].length() == std::chrono::hours(1));  // "01:00"
  CHECK(s.slots()[1].carbon == 57);
  CHECK(s.slots()[2].carbon == 19);

  const auto avg =
      casdk()->parse(read_fixture("casdk_webapi_average-carbon-intensity_batch_doc_example.json"),
                     utc("2023-01-01T00:00Z"));
  REQUIRE(avg.size() == 3);
  CHECK(avg.slots()[0].start == utc("2022-05-01T18:00Z"));
  CHECK(avg.slots()[0].end == utc("2022-05-01T22:00Z"));
  CHECK(avg.slots()[0].carbon == Approx(32.935208333333335));
  CHECK(avg.slots()[2].carbon == Approx(10.416875));

  CHECK(gridsources::parse_timespan_seconds("01:00") == 3600);
  CHECK(gridsources::parse_timespan_seconds("08:00:00") == 8 * 3600);
  CHECK(gridsources::parse_timespan_seconds("00:05:00") == 300);
  CHECK(gridsources::parse_timespan_seconds("1.02:00:00.5") == 86400 + 7200);
  CHECK(gridsources::parse_timespan_seconds("25:00") == -1);
  CHECK(gridsources::parse_timespan_seconds("abc") == -1);
  CHECK_THROWS_WITH(
      casdk()->parse(
          R"({"title":"ArgumentException","status":400,"detail":"location is required"})",
          utc("2023-01-01T00:00Z")),
      "carbon-aware-sdk: error response: ArgumentException: location is required");
  CHECK_THROWS_WITH(casdk()->parse("[]", utc("2023-01-01T00:00Z")), Catch::Contains("no data"));
}

TEST_CASE("tariff: peak and off-peak by weekday, in local time across DST", "[parse]") {
  const std::map<std::string, std::string> settings{{"pricesource", "tariff"},
                                                    {"currency", "GBP"},
                                                    {"tariffunit", "kWh"},
                                                    {"tarifftimezone", "Europe/London"},
                                                    {"tariffoffpeak", "0.12"},
                                                    {"tariffpeak", "0.30"},
                                                    {"tariffpeakhours", "Mon-Fri 07:00-19:00"}};
  auto source = make_price_source(settings, FetchOptions{});
  // Wednesday 2026-03-25, the Sunday after is the change to BST (29 March).
  const auto s = source->fetch(utc("2026-03-25T12:00Z"));
  CHECK(s.currency == "GBP");
  CHECK(s.at(utc("2026-03-25T06:59Z"))->price == Approx(120.0));  // 06:59 GMT off-peak
  CHECK(s.at(utc("2026-03-25T07:00Z"))->price == Approx(300.0));  // 07:00 GMT peak
  CHECK(s.at(utc("2026-03-25T18:59Z"))->price == Approx(300.0));
  CHECK(s.at(utc("2026-03-25T19:00Z"))->price == Approx(120.0));
  CHECK(s.at(utc("2026-03-28T12:00Z"))->price == Approx(120.0));  // Saturday
  CHECK(s.at(utc("2026-03-30T06:00Z"))->price == Approx(300.0));  // Monday 07:00 BST = 06:00 UTC
  CHECK(s.at(utc("2026-03-30T05:59Z"))->price == Approx(120.0));
  CHECK(s.at(utc("2026-03-30T18:00Z"))->price == Approx(120.0));  // 19:00 BST
  CHECK(s.at(utc("2026-03-25T12:00Z"))->origin == Origin::forecast);
  CHECK(s.at(utc("2026-03-24T12:00Z"))->origin == Origin::actual);
  CHECK(s.begin() <= utc("2026-03-24T00:00Z"));
  CHECK(s.end() >= utc("2026-04-01T00:00Z"));
  CHECK(s.slots()[0].carbon == 0);
  // Consecutive slots never repeat a price: they are merged.
  for (std::size_t i = 1; i < s.size(); ++i) CHECK(s.slots()[i].price != s.slots()[i - 1].price);
}

TEST_CASE("tariff: shoulder, overnight ranges, file form and errors", "[parse]") {
  auto source =
      make_price_source({{"pricesource", "tariff"}, {"pricefile", "/nonexistent"}}, FetchOptions{});
  const auto s = source->parse(
      "# night is cheap\nTariffOffPeak=50\nTariffPeak=200\nTariffPeakHours=\"Daily 17:00-20:00\"\n"
      "TariffShoulder=100\nTariffShoulderHours=Mon-Sun 07:00-22:00\nTariffDays=3\n",
      utc("2026-06-10T12:00Z"));
  CHECK(s.currency == "EUR");
  CHECK(s.at(utc("2026-06-10T06:00Z"))->price == 50);
  CHECK(s.at(utc("2026-06-10T08:00Z"))->price == 100);
  CHECK(s.at(utc("2026-06-10T18:00Z"))->price == 200);  // peak wins over shoulder
  CHECK(s.at(utc("2026-06-10T21:00Z"))->price == 100);
  CHECK(s.at(utc("2026-06-10T22:30Z"))->price == 50);

  const auto night = gridsources::parse_tariff_hours("Fri 22:00-06:00");
  REQUIRE(night.size() == 1);
  CHECK(night[0].first == 4 * 1440 + 22 * 60);
  CHECK(night[0].second == 5 * 1440 + 6 * 60);
  const auto sunday = gridsources::tariff_series(
      gridsources::parse_tariff_settings(
          {{"tariffoffpeak", "10"}, {"tariffpeak", "20"}, {"tariffpeakhours", "Sun 23:00-01:00"}}),
      utc("2026-06-10T12:00Z"));
  CHECK(sunday.at(utc("2026-06-14T23:30Z"))->price == 20);  // Sunday night
  CHECK(sunday.at(utc("2026-06-15T00:30Z"))->price == 20);  // wraps into Monday
  CHECK(sunday.at(utc("2026-06-15T01:30Z"))->price == 10);

  FetchOptions o;
  CHECK_THROWS_WITH(make_price_source({{"pricesource", "tariff"}}, o),
                    Catch::Contains("TariffOffPeak= is needed"));
  CHECK_THROWS_WITH(
      make_price_source({{"pricesource", "tariff"}, {"tariffoffpeak", "1"}, {"tariffpeak", "2"}},
                        o),
      Catch::Contains("TariffPeakHours= is needed with TariffPeak="));
  CHECK_THROWS_WITH(make_price_source({{"pricesource", "tariff"},
                                       {"tariffoffpeak", "1"},
                                       {"tariffpeak", "2"},
                                       {"tariffpeakhours", "Mon-Fri 7-19"}},
                                      o),
                    Catch::Contains("TariffPeakHours=Mon-Fri 7-19: bad time '7'"));
  CHECK_THROWS_WITH(
      make_price_source(
          {{"pricesource", "tariff"}, {"tariffoffpeak", "1"}, {"tarifftimezone", "Mars/Base"}}, o),
      Catch::Contains("TariffTimeZone=Mars/Base: unknown time zone"));
  CHECK_THROWS_WITH(make_price_source({{"pricesource", "tariff"},
                                       {"tariffoffpeak", "1"},
                                       {"tariffpeak", "2"},
                                       {"tariffpeakhours", "Funday 07:00-19:00"}},
                                      o),
                    Catch::Contains("unknown weekday 'Funday'"));
}
