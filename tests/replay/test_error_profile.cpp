// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb replay --error-weight`: the forecast error each job's planner knows is measured
// walk-forward (error_profile.hpp): at a submit time it must not depend on anything at
// or after it, and a perfect forecast has none.
#include <catch2/catch.hpp>
#include <cmath>

#include "ebb/forecast_error.hpp"
#include "error_profile.hpp"
#include "forecast.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::replay;

TEST_CASE("the replay's error profile reads only the grid's past", "[error-profile]") {
  const Grid grid = test::load_grid("em_ci_lca_2022_hourly_123zones.csv.gz", "DE");
  const TimePoint from = parse_iso8601("2022-03-01T00:00Z");
  const TimePoint now = parse_iso8601("2022-03-15T13:20Z");
  ForecastOptions o;
  o.kind = ForecastKind::yesterday;
  std::vector<Slot> slots = grid.slots();
  for (Slot& s : slots)
    if (s.end > now) s.carbon = 3000 + static_cast<double>(s.start.time_since_epoch().count() % 97);
  const Grid poisoned(std::move(slots), false, "poisoned");
  const Forecaster real_f(grid, o), blind_f(poisoned, o);
  const ErrorProfiles real(real_f, grid, from, now + hours(48));
  const ErrorProfiles blind(blind_f, poisoned, from, now + hours(48));
  const std::vector<double>& a = real.at(now);
  const std::vector<double>& b = blind.at(now);
  REQUIRE(a.size() == static_cast<std::size_t>(ForecastErrorTracker::kBuckets));
  REQUIRE(b.size() == a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("bucket " << i);
    CHECK((std::isnan(a[i]) ? std::isnan(b[i]) : a[i] == b[i]));
  }
  CHECK(a[0] > 5);  // yesterday's values miss by a real amount
  CHECK(real.at(from - hours(1)).empty());
  // Later, the poison shows: the profile does see the actuals once they are past.
  CHECK(real.at(now + hours(47))[0] != blind.at(now + hours(47))[0]);

  ForecastOptions perfect;
  const Forecaster p(grid, perfect);
  const ErrorProfiles none(p, grid, from, now);
  CHECK(none.at(now)[0] == Approx(0).margin(1e-9));
}
