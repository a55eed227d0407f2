// SPDX-License-Identifier: GPL-2.0-or-later
#include "error_profile.hpp"

#include <algorithm>
#include <cmath>

#include "ebb/forecast_error.hpp"

namespace ebb::replay {

ErrorProfiles::ErrorProfiles(const Forecaster& forecaster, const Grid& actual, TimePoint from,
                             TimePoint to) {
  ForecastErrorTracker tracker;
  const Duration horizon = ForecastErrorTracker::kBucket * ForecastErrorTracker::kBuckets;
  auto actual_hour = [&](TimePoint h) -> std::optional<double> {
    if (h < actual.begin() || h + hours(1) > actual.end()) return std::nullopt;
    const double v = actual.mean_carbon(h, h + hours(1));
    return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
  };
  for (TimePoint t = std::chrono::floor<hours>(from); t <= to; t += kEvery) {
    // Score first: at t only hours that ended by t - kSettle are read.
    tracker.score(t, actual_hour);
    tracker.record(t, forecaster.view(t, t, t + horizon), true);
    profiles_.emplace_back(t, tracker.mae_by_lead());
  }
}

const std::vector<double>& ErrorProfiles::at(TimePoint t) const {
  static const std::vector<double> kNone;
  auto it = std::upper_bound(profiles_.begin(), profiles_.end(), t,
                             [](TimePoint v, const auto& p) { return v < p.first; });
  if (it == profiles_.begin()) return kNone;
  return std::prev(it)->second;
}

}  // namespace ebb::replay
