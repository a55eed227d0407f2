// SPDX-License-Identifier: GPL-2.0-or-later
// The forecast's measured error as ebbd would know it at each moment of a replay, for
// error-aware plans (Policy::error_weight): every 6 h the replay issues the forecast the
// planner would see then, records it in a ForecastErrorTracker (ebb/forecast_error.hpp,
// the one ebbd keeps), and scores earlier ones against the actual hours already past.
// Walk-forward: the profile a job gets reads only hours that ended before its submit.
#pragma once

#include <utility>
#include <vector>

#include "forecast.hpp"
#include "grid.hpp"

namespace ebb::replay {

class ErrorProfiles {
 public:
  static constexpr Duration kEvery = hours(6);
  // Issues from `from` (rounded down to the hour) up to `to`.
  ErrorProfiles(const Forecaster& forecaster, const Grid& actual, TimePoint from, TimePoint to);
  // MAE per lead bucket as known at `t` (ForecastErrorTracker::mae_by_lead); empty before
  // anything was scored.
  const std::vector<double>& at(TimePoint t) const;

 private:
  std::vector<std::pair<TimePoint, std::vector<double>>> profiles_;  // by issue time
};

}  // namespace ebb::replay
