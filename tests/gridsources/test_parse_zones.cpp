// SPDX-License-Identifier: GPL-2.0-or-later
// Answers for another zone, area or region than the one configured are refused, naming the
// provider and the field; a single-region Carbon Aware SDK answer is accepted; a saved
// Octopus page that links to more pages is refused. The *_handwritten recordings were
// written by hand in each provider's documented format (tests/data/README.md).
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ebb;
using ebbtest::read_fixture;
using ebbtest::utc;

namespace {

std::unique_ptr<GridSource> source(const char* role, const std::string& name,
                                   std::map<std::string, std::string> extra = {}) {
  extra[std::string(role) + "source"] = name;
  extra[std::string(role) + "file"] = "/nonexistent";
  return std::string(role) == "carbon" ? make_carbon_source(extra, FetchOptions{})
                                       : make_price_source(extra, FetchOptions{});
}

}  // namespace

TEST_CASE("CASDK /emissions/bylocation backed by WattTime names the grid region", "[parse]") {
  const std::string body =
      read_fixture("casdk_webapi_emissions_bylocation_watttime_handwritten.json");
  const auto s = source("carbon", "carbon-aware-sdk", {{"location", "eastus"}})
                     ->parse(body, utc("2024-03-04T10:07Z"));
  REQUIRE(s.size() == 4);
  CHECK(s.region == "eastus");
  CHECK(s.begin() == utc("2024-03-04T10:00Z"));
  CHECK(s.end() == utc("2024-03-04T10:20Z"));
  CHECK(s.slots()[0].carbon == Approx(412.38));
  CHECK(s.slots()[3].carbon == Approx(421.67));
  // Several locations without the one asked: still refused, naming what the answer holds.
  std::string mixed = body;
  mixed.replace(mixed.rfind("PJM_ROANOKE"), 11, "PJM_DC");
  CHECK_THROWS_WITH(source("carbon", "carbon-aware-sdk", {{"location", "eastus"}})
                        ->parse(mixed, utc("2024-03-04T10:07Z")),
                    "carbon-aware-sdk: no data for location 'eastus' (the answer holds PJM_DC, "
                    "PJM_ROANOKE)");
  // Several locations with the one asked: that one only.
  const auto one = source("carbon", "carbon-aware-sdk", {{"location", "pjm_dc"}})
                       ->parse(mixed, utc("2024-03-04T10:07Z"));
  REQUIRE(one.size() == 1);
  CHECK(one.slots()[0].carbon == Approx(421.67));
}

TEST_CASE("ENTSO-E: a document for another bidding zone is refused", "[parse]") {
  const std::string fr = read_fixture("entsoe_A44_dayahead_prices_FR_handwritten.xml");
  CHECK_THROWS_WITH(
      source("price", "entsoe", {{"biddingzone", "DE-LU"}})->parse(fr, utc("2025-11-26T00:00Z")),
      "entsoe: TimeSeries[0].out_Domain.mRID: answer is for 10YFR-RTE------C, asked for "
      "BiddingZone DE-LU (10Y1001A1001A82H)");
  const auto s =
      source("price", "entsoe", {{"biddingzone", "FR"}})->parse(fr, utc("2025-11-26T00:00Z"));
  REQUIRE(s.size() == 6);
  CHECK(s.region == "10YFR-RTE------C");
  CHECK(s.slots()[0].price == Approx(92.41));
  // An EIC code works as well; without BiddingZone= a file is read as it is.
  CHECK(source("price", "entsoe", {{"biddingzone", "10YFR-RTE------C"}})
            ->parse(fr, utc("2025-11-26T00:00Z"))
            .size() == 6);
  CHECK(source("price", "entsoe")->parse(fr, utc("2025-11-26T00:00Z")).size() == 6);
  // The recorded Swiss answer, in_Domain alone wrong: named too.
  std::string ch = read_fixture("entsoe_A44_dayahead_prices_CH_PT60M.xml");
  CHECK(source("price", "entsoe", {{"biddingzone", "CH"}})
            ->parse(ch, utc("2025-11-26T00:00Z"))
            .size() == 48);
  const auto at = ch.find("<in_Domain.mRID codingScheme=\"A01\">10YCH-SWISSGRIDZ");
  REQUIRE(at != std::string::npos);
  ch.replace(ch.find("10YCH-SWISSGRIDZ", at), 16, "10YAT-APG------L");
  CHECK_THROWS_WITH(
      source("price", "entsoe", {{"biddingzone", "CH"}})->parse(ch, utc("2025-11-26T00:00Z")),
      "entsoe: TimeSeries[0].in_Domain.mRID: answer is for 10YAT-APG------L, asked for "
      "BiddingZone CH (10YCH-SWISSGRIDZ)");
}

TEST_CASE("WattTime: meta.region must be the Region= asked for", "[parse]") {
  const std::string dc = read_fixture("watttime_v3_forecast_PJM_DC_handwritten.json");
  CHECK_THROWS_WITH(source("carbon", "watttime", {{"region", "CAISO_NORTH"}})
                        ->parse(dc, utc("2024-03-04T10:00Z")),
                    "watttime: meta.region: answer is for PJM_DC, asked for Region CAISO_NORTH");
  const auto s =
      source("carbon", "watttime", {{"region", "PJM_DC"}})->parse(dc, utc("2024-03-04T10:00Z"));
  REQUIRE(s.size() == 12);
  CHECK(s.region == "PJM_DC");
  CHECK(s.slots()[0].carbon == Approx(1012 * 0.45359237));
  CHECK(source("carbon", "watttime", {{"region", "CAISO_NORTH"}})
            ->parse(read_fixture("watttime_v3_forecast_official_openapi_example.json"),
                    utc("2022-07-15T00:00Z"))
            .size() == 288);
}

TEST_CASE("Electricity Maps: zone, and each history item's zone, must be Zone=", "[parse]") {
  const std::string fr =
      read_fixture("electricitymaps_v3_carbon-intensity_history_FR_handwritten.json");
  CHECK_THROWS_WITH(
      source("carbon", "electricity-maps", {{"zone", "DE"}})->parse(fr, utc("2024-03-06T00:00Z")),
      "electricity-maps: history[0].zone: answer is for FR, asked for Zone DE");
  const auto s =
      source("carbon", "electricity-maps", {{"zone", "FR"}})->parse(fr, utc("2024-03-06T00:00Z"));
  REQUIRE(s.size() == 4);
  CHECK(s.slots()[3].carbon == 47);
  // The recorded German forecast names its zone at the top only.
  CHECK_THROWS_WITH(source("carbon", "electricity-maps", {{"zone", "FR"}})
                        ->parse(read_fixture("electricitymaps_v3_carbon-intensity_forecast.json"),
                                utc("2023-05-02T20:00Z")),
                    "electricity-maps: zone: answer is for DE, asked for Zone FR");
  // Latitude/Longitude: nothing to compare.
  CHECK(source("carbon", "electricity-maps", {{"latitude", "48.1"}, {"longitude", "11.6"}})
            ->parse(fr, utc("2024-03-06T00:00Z"))
            .size() == 4);
}

TEST_CASE("UK Carbon Intensity: regionid and postcode must match; national is no region",
          "[parse]") {
  auto uk = [](std::map<std::string, std::string> extra) {
    extra["carbonsource"] = "uk-carbon-intensity";
    return make_carbon_source(extra, FetchOptions{});
  };
  const std::string london =
      read_fixture("uk_carbonintensity_regional_regionid_13_handwritten.json");
  const auto s = uk({{"regionid", "13"}})->parse(london, utc("2024-03-04T10:00Z"));
  REQUIRE(s.size() == 2);
  CHECK(s.region == "London");
  CHECK(s.slots()[1].carbon == 141);
  CHECK_THROWS_WITH(uk({{"regionid", "9"}})->parse(london, utc("2024-03-04T10:00Z")),
                    "uk-carbon-intensity: data.regionid: answer is for 13, asked for RegionId 9");
  const std::string ng1 = read_fixture("uk_carbonintensity_regional_postcode_NG1.json");
  CHECK(uk({{"postcode", "NG1"}})->parse(ng1, utc("2023-09-02T16:00Z")).size() == 1);
  CHECK_THROWS_WITH(uk({{"postcode", "RG41"}})->parse(ng1, utc("2023-09-02T16:00Z")),
                    "uk-carbon-intensity: data[0].postcode: answer is for NG1, asked for Postcode "
                    "RG41");
  CHECK_THROWS_WITH(
      uk({{"regionid", "13"}})->parse(ng1, utc("2023-09-02T16:00Z")),
      "uk-carbon-intensity: data[0].regionid: answer is for 9, asked for RegionId 13");
  CHECK_THROWS_WITH(
      uk({{"regionid", "13"}})
          ->parse(read_fixture("uk_carbonintensity_national_fw48h.json"), utc("2024-01-12T06:00Z")),
      "uk-carbon-intensity: data: answer is for GB (the national series), asked for "
      "RegionId 13");
}

TEST_CASE("aWATTar: the answer's url names the country", "[parse]") {
  const std::string at = read_fixture("awattar_v1_marketdata_at_handwritten.json");
  const auto s =
      source("price", "awattar", {{"country", "at"}})->parse(at, utc("2024-03-04T10:00Z"));
  REQUIRE(s.size() == 3);
  CHECK(s.region == "AT");
  CHECK(s.slots()[1].price == Approx(77.39));
  CHECK_THROWS_WITH(source("price", "awattar")->parse(at, utc("2024-03-04T10:00Z")),
                    "awattar: url (/at/v1/marketdata): answer is for at, asked for Country de");
  CHECK_THROWS_WITH(
      source("price", "awattar", {{"country", "AT"}})
          ->parse(read_fixture("awattar_v1_marketdata_de.json"), utc("2023-10-26T12:30Z")),
      "awattar: url (/de/v1/marketdata): answer is for de, asked for Country at");
}

TEST_CASE("Octopus: a saved page that links to the next one is refused", "[parse]") {
  const std::string page =
      read_fixture("octopus_agile_standard-unit-rates_page1_of_2_handwritten.json");
  CHECK_THROWS_WITH(source("price", "octopus")->parse(page, utc("2024-03-04T12:00Z")),
                    Catch::StartsWith("octopus: next: the answer holds only the first page (3 of "
                                      "96 rates)"));
  // The whole answer in one page (next: null) is read as before.
  CHECK(
      source("price", "octopus")
          ->parse(read_fixture("octopus_agile_standard-unit-rates_E-1R-AGILE-FLEX-22-11-25-C.json"),
                  utc("2023-03-26T00:00Z"))
          .size() == 3);
}
