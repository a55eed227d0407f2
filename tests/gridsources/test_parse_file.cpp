// SPDX-License-Identifier: GPL-2.0-or-later
// ebb's forecast file as a source, in both roles.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ebb;
using ebbtest::utc;

TEST_CASE("forecast file: carbon role drops prices, price role needs them", "[parse]") {
  ebbtest::TempDir dir;
  const std::string csv =
      "time,carbon_intensity,price\n"
      "2026-11-27T18:00:00Z,212,85.10\n"
      "2026-11-27T18:30:00Z,198,80\n"
      "2026-11-27T19:00:00Z,190,70.5\n";
  const std::string path = dir.write("f.csv", csv);
  auto carbon =
      make_carbon_source({{"carbonsource", "file"}, {"carbonfile", path}}, FetchOptions{});
  CHECK(carbon->gives_carbon());
  CHECK_FALSE(carbon->gives_price());
  const auto c = carbon->fetch(utc("2026-11-27T18:00Z"));
  REQUIRE(c.size() == 3);
  CHECK(c.slots()[1].carbon == 198);
  CHECK_FALSE(c.slots()[1].has_price());
  CHECK(c.end() == utc("2026-11-27T19:30Z"));

  auto price =
      make_price_source({{"pricesource", "forecast-file"}, {"pricefile", path}}, FetchOptions{});
  CHECK(price->gives_price());
  const auto p = price->fetch(utc("2026-11-27T18:00Z"));
  REQUIRE(p.size() == 3);
  CHECK(p.slots()[0].price == Approx(85.10));
  CHECK(p.slots()[2].price == Approx(70.5));
  CHECK(p.slots()[0].carbon == 0);

  const auto merged = merge_carbon_and_price(c, p);
  REQUIRE(merged.size() == 3);
  CHECK(merged.slots()[1].carbon == 198);
  CHECK(merged.slots()[1].price == 80);

  const std::string no_price = dir.write(
      "np.csv", "time,carbon_intensity\n2026-11-27T18:00:00Z,212\n2026-11-27T18:30:00Z,200\n");
  auto p2 = make_price_source({{"pricesource", "file"}, {"pricefile", no_price}}, FetchOptions{});
  CHECK_THROWS_WITH(p2->fetch(utc("2026-11-27T18:00Z")),
                    Catch::Contains("file: " + no_price + ": row 1"));
  auto missing = make_carbon_source(
      {{"carbonsource", "file"}, {"carbonfile", dir.path().string() + "/none.csv"}},
      FetchOptions{});
  CHECK_THROWS_WITH(missing->fetch(utc("2026-11-27T18:00Z")), Catch::Contains("cannot read"));
}
