// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd's own forecaster: for time beyond a provider's horizon and for regions whose
// provider has no forecast. Shared by ebbd (daemon/history.cpp) and `ebb replay
// --forecast ebbd`, so the replay measures exactly what ebbd plans with.
//
// A seasonal blend fitted per lead hour by ridge least squares on the recent past
// (walk-forward: a forecast issued at hour H reads only hours before H). For a target
// hour t = H + lead, the features are
//   day      the value at the same hour of the day on the latest day already seen
//   week     the value at the same hour of the week, latest week already seen
//   profile  the mean of the same hour of the day over the 7 latest days seen
//   last     the latest hour seen (H - 1), and its own 7-day profile
// so the fit can learn how fast the current departure from the daily profile fades
// with the lead, and how much weekdays differ. The ridge pulls the weights towards the
// profile alone, which is also the answer while too little history exists to fit.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "ebb/signal.hpp"

namespace ebb {

// One value per UTC hour: values[i] is the mean over hour first_hour + i (hours since the
// epoch); NaN where unknown.
struct HourlySeries {
  std::int64_t first_hour = 0;
  std::vector<double> values;
  // NaN outside the series.
  double at(std::int64_t hour) const;
  std::int64_t end_hour() const { return first_hour + static_cast<std::int64_t>(values.size()); }
};

// The hourly means of `slots` (carbon, or price when `price`), hours [from_hour,
// to_hour); an hour less than half covered (by priced slots, for prices) is NaN.
HourlySeries hourly_means(const std::vector<Slot>& slots, std::int64_t from_hour,
                          std::int64_t to_hour, bool price);
std::int64_t hour_index(TimePoint t);  // hours since the epoch, rounded down
TimePoint hour_start(std::int64_t hour);

struct SeasonalSettings {
  int train_days = 42;    // issue times the fit learns from: the last 6 weeks
  int fitted_leads = 48;  // one weight vector per lead hour up to this; later leads reuse the last
  double ridge = 0.001;   // pull towards the profile, relative to the features' scale
  bool nonnegative = true;  // carbon intensity cannot go below zero (prices can)
};

class SeasonalForecaster {
 public:
  static constexpr int kFeatures = 6;  // intercept, day, week, profile, last, last's profile
  using Weights = std::array<double, kFeatures>;

  // The weights per lead, fitted on the hours of `past` before `issue_hour` only.
  struct Model {
    std::int64_t fitted_at = 0;    // the issue hour of the fit
    std::vector<Weights> weights;  // per lead; empty: not enough history, the profile alone
  };

  explicit SeasonalForecaster(SeasonalSettings settings = {}) : settings_(settings) {}

  Model fit(const HourlySeries& past, std::int64_t issue_hour) const;
  // Hours issue_hour .. issue_hour + leads - 1 with `model` (fitted at or before
  // issue_hour), reading only hours before issue_hour. NaN where nothing is known at all
  // (no value in the last 4 weeks at that hour of the day, nor any latest value).
  std::vector<double> apply(const Model& model, const HourlySeries& past, std::int64_t issue_hour,
                            int leads) const;
  // fit + apply.
  std::vector<double> forecast(const HourlySeries& past, std::int64_t issue_hour, int leads) const {
    return apply(fit(past, issue_hour), past, issue_hour, leads);
  }
  const SeasonalSettings& settings() const { return settings_; }

 private:
  // The features of target hour `issue_hour + lead`; false when one is unknown.
  bool features(const HourlySeries& past, std::int64_t issue_hour, int lead, Weights& x) const;
  SeasonalSettings settings_;
};

}  // namespace ebb
