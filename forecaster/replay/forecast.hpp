// What the planner sees: forecasts made from the actual series. Whatever the planner
// sees, the replay scores the outcome against the actual series.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ebb/signal.hpp"
#include "grid.hpp"

namespace ebb::replay {

enum class ForecastKind {
  perfect,        // the actual series
  noisy,          // actual + Gaussian noise, sigma = fraction x mean (Let's Wait Awhile)
  yesterday,      // each hour's value from the same time on the last day already seen
  weekly_median,  // ebbd's extension rule: median of the same hour of the week over the
                  // past weeks already seen (of the same hour of the day if under two weeks)
};
ForecastKind parse_forecast_kind(const std::string& text);
std::string to_string(ForecastKind k);

struct ForecastOptions {
  ForecastKind kind = ForecastKind::perfect;
  double noise_fraction = 0.05;  // noisy: sigma as a fraction of the series' mean
  std::uint64_t seed = 0;        // noisy: one noise draw per slot, fixed by the seed
  int weeks = 4;                 // weekly_median: how many past weeks
};

class Forecaster {
 public:
  Forecaster(const Grid& actual, ForecastOptions options);
  // The forecast as known at `now`, for the slots overlapping [from, to).
  SignalSeries view(TimePoint now, TimePoint from, TimePoint to) const;
  const ForecastOptions& options() const { return options_; }

 private:
  double past_value(TimePoint now, TimePoint x, Duration period, bool price) const;
  const Grid& actual_;
  ForecastOptions options_;
  std::vector<Slot> noisy_;  // for ForecastKind::noisy
};

}  // namespace ebb::replay
