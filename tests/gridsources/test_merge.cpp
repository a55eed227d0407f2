// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>
#include <cmath>

#include "helpers.hpp"

using namespace ebb;
using ebbtest::utc;

namespace {

Slot slot(const char* start, const char* end, double carbon, double price,
          Origin origin = Origin::forecast) {
  Slot s;
  s.start = utc(start);
  s.end = utc(end);
  s.carbon = carbon;
  s.price = price;
  s.origin = origin;
  return s;
}

}  // namespace

TEST_CASE("merge splits carbon slots at price boundaries", "[normalise]") {
  // Carbon: half hours 00:00-01:30. Price: hourly 00:15-01:15 (offset on purpose), then a gap.
  SignalSeries carbon(
      {slot("2024-01-01T00:00Z", "2024-01-01T00:30Z", 200, kNoPrice),
       slot("2024-01-01T00:30Z", "2024-01-01T01:00Z", 210, kNoPrice, Origin::actual),
       slot("2024-01-01T01:00Z", "2024-01-01T01:30Z", 220, kNoPrice)},
      "uk-carbon-intensity");
  carbon.region = "GB";
  SignalSeries price({slot("2024-01-01T00:15Z", "2024-01-01T00:45Z", 0, 50),
                      slot("2024-01-01T00:45Z", "2024-01-01T01:15Z", 0, 60, Origin::extension)},
                     "octopus");
  price.currency = "GBP";
  const SignalSeries m = merge_carbon_and_price(carbon, price);
  CHECK(m.source == "uk-carbon-intensity+octopus");
  CHECK(m.currency == "GBP");
  CHECK(m.region == "GB");
  REQUIRE(m.size() == 6);
  const auto& s = m.slots();
  CHECK((s[0].start == utc("2024-01-01T00:00Z") && s[0].end == utc("2024-01-01T00:15Z")));
  CHECK(std::isnan(s[0].price));
  CHECK(s[0].carbon == 200);
  CHECK((s[1].end == utc("2024-01-01T00:30Z") && s[1].price == 50 && s[1].carbon == 200));
  CHECK((s[2].end == utc("2024-01-01T00:45Z") && s[2].price == 50 && s[2].carbon == 210));
  CHECK(s[2].origin == Origin::forecast);  // actual carbon, forecast price: forecast
  CHECK((s[3].end == utc("2024-01-01T01:00Z") && s[3].price == 60 &&
         s[3].origin == Origin::extension));
  CHECK((s[4].end == utc("2024-01-01T01:15Z") && s[4].price == 60 && s[4].carbon == 220));
  CHECK((s[5].end == utc("2024-01-01T01:30Z") && std::isnan(s[5].price)));
}

TEST_CASE("merge with no prices keeps the carbon slots", "[normalise]") {
  SignalSeries carbon({slot("2024-01-01T00:00Z", "2024-01-01T01:00Z", 200, kNoPrice)}, "c");
  const auto m = merge_carbon_and_price(carbon, SignalSeries{});
  REQUIRE(m.size() == 1);
  CHECK(std::isnan(m.slots()[0].price));
  CHECK(merge_carbon_and_price(SignalSeries{}, carbon).empty());
}
