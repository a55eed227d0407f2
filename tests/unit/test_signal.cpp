// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>

#include "ebb/error.hpp"
#include "ebb/signal.hpp"

using namespace ebb;

namespace {
const TimePoint t0 = parse_iso8601("2026-11-27T00:00Z");
}

TEST_CASE("series accept mixed resolutions and gaps", "[signal]") {
  SignalSeries s({{t0, t0 + minutes(5), 100},
                  {t0 + minutes(5), t0 + minutes(60), 120},
                  {t0 + hours(2), t0 + hours(3), 90, 40.5}},
                 "test");
  CHECK(s.size() == 3);
  CHECK(s.at(t0 + minutes(7))->carbon == 120);
  CHECK(s.at(t0 + minutes(90)) == nullptr);  // the gap
  CHECK(s.at(t0 + hours(3)) == nullptr);     // end is exclusive
  CHECK(s.at(t0 - seconds(1)) == nullptr);
  CHECK_FALSE(s.has_prices());
}

TEST_CASE("series refuse unsorted, overlapping and absurd slots, naming the slot", "[signal]") {
  CHECK_THROWS_WITH(SignalSeries({{t0 + hours(1), t0 + hours(2), 1}, {t0, t0 + hours(1), 1}}, "f"),
                    Catch::Contains("f: slot 1") && Catch::Contains("increasing order"));
  CHECK_THROWS_WITH(SignalSeries({{t0, t0 + hours(2), 1}, {t0 + hours(1), t0 + hours(3), 1}}, "f"),
                    Catch::Contains("overlaps"));
  CHECK_THROWS_WITH(SignalSeries({{t0, t0 + hours(1), -3}}, "f"), Catch::Contains("outside 0-5000"));
  CHECK_THROWS_WITH(SignalSeries({{t0, t0 + hours(1), std::nan("")}}, "f"),
                    Catch::Contains("outside 0-5000"));
  CHECK_THROWS_WITH(SignalSeries({{t0, t0, 10}}, "f"), Catch::Contains("ends before it starts"));
}

TEST_CASE("points become slots that hold until the next point", "[signal]") {
  auto slots = slots_from_points({t0, t0 + minutes(30), t0 + minutes(60)}, {1, 2, 3}, {});
  REQUIRE(slots.size() == 3);
  CHECK(slots[0].end == t0 + minutes(30));
  CHECK(slots[2].end == t0 + minutes(90));  // the last holds for the previous step
  CHECK_FALSE(slots[0].has_price());
}
