// SPDX-License-Identifier: GPL-2.0-or-later
// UK Carbon Intensity: the expected numbers were read by hand from the fixtures.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ebb;
using ebbtest::read_fixture;
using ebbtest::utc;

namespace {

std::unique_ptr<GridSource> uk(std::map<std::string, std::string> extra = {}) {
  extra["carbonsource"] = "uk-carbon-intensity";
  return make_carbon_source(extra, FetchOptions{});
}

}  // namespace

TEST_CASE("UK national fw48h: eight forecast half hours", "[parse]") {
  const auto s =
      uk()->parse(read_fixture("uk_carbonintensity_national_fw48h.json"), utc("2024-01-12T06:01Z"));
  REQUIRE(s.size() == 8);
  CHECK(s.source == "uk-carbon-intensity");
  CHECK(s.region == "GB");
  CHECK(s.kind == SignalKind::average);
  CHECK(s.begin() == utc("2024-01-12T06:00Z"));
  CHECK(s.end() == utc("2024-01-12T10:00Z"));
  const double expected[] = {293, 301, 304, 306, 305, 305, 308, 309};
  for (std::size_t i = 0; i < 8; ++i) {
    CHECK(s.slots()[i].carbon == expected[i]);
    CHECK(s.slots()[i].origin == Origin::forecast);
    CHECK(s.slots()[i].length() == std::chrono::minutes(30));
    CHECK_FALSE(s.slots()[i].has_price());
  }
}

TEST_CASE("UK national pt24h: actuals win over forecasts", "[parse]") {
  const auto s =
      uk()->parse(read_fixture("uk_carbonintensity_national_pt24h.json"), utc("2024-01-12T06:01Z"));
  REQUIRE(s.size() == 8);
  CHECK(s.begin() == utc("2024-01-11T06:00Z"));
  const double actual[] = {271, 277, 282, 283, 282, 275, 276, 275};
  for (std::size_t i = 0; i < 8; ++i) {
    CHECK(s.slots()[i].carbon == actual[i]);
    CHECK(s.slots()[i].origin == Origin::actual);
  }
}

TEST_CASE("UK regional: all-regions response picks RegionId, postcode response its region",
          "[parse]") {
  const std::string all =
      read_fixture("uk_carbonintensity_regional_fw48h_all_regions_first_window.json");
  const auto london = uk({{"regionid", "13"}})->parse(all, utc("2024-01-12T06:01Z"));
  REQUIRE(london.size() == 1);
  CHECK(london.slots()[0].carbon == 266);
  CHECK(london.slots()[0].end == utc("2024-01-12T06:30Z"));
  CHECK(uk({{"regionid", "1"}})->parse(all, utc("2024-01-12T06:01Z")).slots()[0].carbon == 314);
  CHECK_THROWS_WITH(uk()->parse(all, utc("2024-01-12T06:01Z")), Catch::Contains("needs RegionId="));

  const auto ng1 = uk({{"postcode", "ng1"}})
                       ->parse(read_fixture("uk_carbonintensity_regional_postcode_NG1.json"),
                               utc("2023-09-02T16:10Z"));
  REQUIRE(ng1.size() == 1);
  CHECK(ng1.region == "East Midlands");
  CHECK(ng1.slots()[0].carbon == 312);
  CHECK(ng1.slots()[0].start == utc("2023-09-02T16:00Z"));
  CHECK(ng1.slots()[0].origin == Origin::forecast);
}

TEST_CASE("UK regional by id: data is an object", "[parse]") {
  const std::string body =
      R"({"data":{"regionid":13,"dnoregion":"UKPN London","shortname":"London","data":[)"
      R"({"from":"2024-01-12T06:00Z","to":"2024-01-12T06:30Z","intensity":{"forecast":266,"index":"high"}},)"
      R"({"from":"2024-01-12T06:30Z","to":"2024-01-12T07:00Z","intensity":{"forecast":-4,"index":"high"}}]}})";
  CHECK_THROWS_WITH(uk({{"regionid", "13"}})->parse(body, utc("2024-01-12T06:00Z")),
                    "uk-carbon-intensity: data.data[1].intensity: negative intensity -4");
}

TEST_CASE("UK error body and malformed responses", "[parse]") {
  CHECK_THROWS_WITH(
      uk()->parse(read_fixture("uk_carbonintensity_error_400.json"), utc("2024-01-12T06:00Z")),
      Catch::Contains("uk-carbon-intensity: error response: Please enter a valid datetime"));
  CHECK_THROWS_WITH(uk()->parse(R"({"data":[]})", utc("2024-01-12T06:00Z")),
                    Catch::Contains("no data"));
  CHECK_THROWS_WITH(
      uk()->parse(R"({"data":[{"from":"2024-01-12T06:00Z","to":"2024-01-12T06:30Z"}]})",
                  utc("2024-01-12T06:00Z")),
      "uk-carbon-intensity: data[0].intensity: missing");
  CHECK_THROWS_WITH(
      uk()->parse(
          R"({"data":[{"from":"yesterday","to":"2024-01-12T06:30Z","intensity":{"forecast":1}}]})",
          utc("2024-01-12T06:00Z")),
      Catch::Contains("data[0].from: not an ISO 8601 time: 'yesterday'"));
  const std::string whole = read_fixture("uk_carbonintensity_national_fw48h.json");
  CHECK_THROWS_WITH(uk()->parse(whole.substr(0, whole.size() / 2), utc("2024-01-12T06:00Z")),
                    Catch::Contains("malformed JSON"));
}
