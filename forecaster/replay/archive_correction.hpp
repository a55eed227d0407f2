// SPDX-License-Identifier: GPL-2.0-or-later
// `--archive-correction learn`: corrects an archived provider forecast with what its own
// past misses teach, walk-forward. Each forecast, when it is issued, gets a small ridge
// regression per lead hour, fitted on the (forecast, actual) pairs already complete at
// that moment (the forecasts of the last weeks, seen from every hour, against the actuals
// that had arrived). The regression reads, for a window w seen at time n:
//   forecast       the provider's value for w
//   forecast +1 h  its value for w + 1 h (NESO's GB forecast tracks the actual an hour
//                  earlier than it says; see ../shared/data/README.md)
//   ebbd           ebbd's own forecaster issued at n (seasonal_forecast.hpp)
//   miss now       actual - forecast over the hour before n, which fades with the lead
//   previous       the forecast issued before this one, for w (two vintages average out
//                  some of each one's noise)
// so it learns the provider's lag, bias and scale by lead, and how far to trust it
// against ebbd's own model. With under 3 days of complete pairs it leaves the forecast
// as issued.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "archive.hpp"
#include "ebb/signal.hpp"
#include "grid.hpp"

namespace ebb::replay {

class ArchiveCorrection {
 public:
  // ebbd's own forecast issued at `issue_hour` for `leads` hours (reads only before it).
  using Seasonal = std::function<std::vector<double>(std::int64_t issue_hour, int leads)>;
  // intercept, forecast, forecast +1 h, ebbd, miss now, previous
  static constexpr int kFeatures = 6;
  static constexpr int kLeadHours = 26;  // one model per lead hour; later leads use the last
  static constexpr int kTrainDays = 28;

  // Learns every model at once (`seasonal` is called here only, once per hour).
  ArchiveCorrection(const ForecastArchive& archive, const Grid& actual, const Seasonal& seasonal);
  // Corrects the values of `slots` (the part of `snap` from `now` on; `snap` the latest
  // forecast issued before `now`) with the model learnt when `snap` was issued.
  void apply(TimePoint now, const ForecastArchive::Snapshot& snap, std::vector<Slot>& slots) const;

 private:
  using Weights = std::vector<double>;
  struct Sample {
    TimePoint known;  // when the actual arrived (the window's end)
    TimePoint seen;   // the virtual submit time n
    int lead_hour;
    std::vector<double> x;
    double y;
  };
  // Features of the windows of `slots` seen at `now` with `snap`; an unknown one (past the
  // forecast's end, no ebbd forecast yet) takes the forecast's own value.
  std::vector<std::vector<double>> features(TimePoint now, const ForecastArchive::Snapshot& snap,
                                            const std::vector<Slot>& slots) const;
  double miss_before(TimePoint now) const;

  const ForecastArchive& archive_;
  const Grid& actual_;
  std::map<std::int64_t, std::vector<double>> ebbd_;  // ebbd's forecast issued at each hour
  std::map<TimePoint, std::vector<Weights>> models_;  // by issue time; per lead hour
};

}  // namespace ebb::replay
