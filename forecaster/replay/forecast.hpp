// SPDX-License-Identifier: GPL-2.0-or-later
// What the planner sees: forecasts made from the actual series. Whatever the planner
// sees, the replay scores the outcome against the actual series.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "archive.hpp"
#include "archive_correction.hpp"
#include "ebb/seasonal_forecast.hpp"
#include "ebb/signal.hpp"
#include "grid.hpp"

namespace ebb::replay {

enum class ForecastKind {
  perfect,        // the actual series
  noisy,          // actual + Gaussian noise, sigma = fraction x mean (Let's Wait Awhile)
  yesterday,      // each hour's value from the same time on the last day already seen
  weekly_median,  // ebbd's extension rule: median of the same hour of the week over the
                  // past weeks already seen (of the same hour of the day if under two weeks)
  archive,        // the latest archived forecast issued before the submit time, extended
                  // beyond its horizon (or replaced, without one) by ebbd's forecaster
  ebbd,           // ebbd's own forecaster (ebb/seasonal_forecast.hpp), walk-forward: fed
                  // only the hours before the submit time, refitted every midnight
};
ForecastKind parse_forecast_kind(const std::string& text);
std::string to_string(ForecastKind k);

struct ForecastOptions {
  ForecastKind kind = ForecastKind::perfect;
  double noise_fraction = 0.05;  // noisy: sigma as a fraction of the series' mean
  std::uint64_t seed = 0;        // noisy: one noise draw per slot, fixed by the seed
  int weeks = 4;                 // weekly_median: how many past weeks
  std::shared_ptr<const ForecastArchive> archive;  // archive: the forecasts as issued
  bool archive_correction = false;                 // archive: correct it as its past misses teach
                                                   // (archive_correction.hpp)
};

// "perfect", "yesterday", ..., or "archive:FILE" (reads FILE).
ForecastOptions parse_forecast_option(const std::string& text);

class Forecaster {
 public:
  Forecaster(const Grid& actual, ForecastOptions options);
  // The forecast as known at `now`, for the slots overlapping [from, to).
  SignalSeries view(TimePoint now, TimePoint from, TimePoint to) const;
  const ForecastOptions& options() const { return options_; }

 private:
  double past_value(TimePoint now, TimePoint x, Duration period, bool price) const;
  // The weekly-median rule at s.start, from the actual series before `now`.
  void weekly_median(TimePoint now, Slot& s) const;
  // Values `slots` (all at or after `issue`) with ebbd's forecaster issued at `issue`,
  // fed `carbon` / `price` (hourly, read only before the issue hour).
  void seasonal(const HourlySeries& carbon, const HourlySeries* price, TimePoint issue,
                std::vector<Slot>& slots) const;
  const Grid& actual_;
  ForecastOptions options_;
  std::vector<Slot> noisy_;  // for ForecastKind::noisy
  // ebbd and archive: the actual series hour by hour; for ebbd the model fitted at each
  // midnight (index: days since hourly_carbon_'s first hour).
  SeasonalForecaster seasonal_, seasonal_price_;
  HourlySeries hourly_carbon_, hourly_price_;
  std::vector<SeasonalForecaster::Model> daily_models_, daily_price_models_;
  std::shared_ptr<const ArchiveCorrection> correction_;  // archive with archive_correction
};

}  // namespace ebb::replay
