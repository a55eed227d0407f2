// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb replay --forecast ebbd`: ebbd's own forecaster, walk-forward. What the planner sees
// at a submit time must not depend on anything at or after it.
#include <catch2/catch.hpp>

#include "forecast.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::replay;

TEST_CASE("--forecast ebbd reads only the grid's past", "[forecast-ebbd]") {
  const Grid grid = test::load_grid("em_ci_lca_2022_hourly_123zones.csv.gz", "DE");
  ForecastOptions o;
  o.kind = ForecastKind::ebbd;
  const Forecaster real(grid, o);
  for (const char* when : {"2022-03-01T00:00Z", "2022-06-15T13:00Z", "2022-06-15T13:20Z"}) {
    const TimePoint now = parse_iso8601(when);
    // The same grid, with everything from `now` on replaced.
    std::vector<Slot> slots = grid.slots();
    for (Slot& s : slots)
      if (s.end > now)
        s.carbon = 3000 + static_cast<double>(s.start.time_since_epoch().count() % 97);
    const Grid poisoned(std::move(slots), false, "poisoned");
    const Forecaster blind(poisoned, o);
    const SignalSeries a = real.view(now, now, now + hours(24));
    const SignalSeries b = blind.view(now, now, now + hours(24));
    REQUIRE(a.size() == b.size());
    REQUIRE(a.size() >= 24);
    for (std::size_t i = 0; i < a.size(); ++i) {
      INFO(when << " slot " << i);
      CHECK(a.slots()[i].carbon == b.slots()[i].carbon);
      CHECK(a.slots()[i].carbon < 1500);  // a forecast, not the poison
      CHECK(a.slots()[i].origin == Origin::forecast);
    }
  }
}
