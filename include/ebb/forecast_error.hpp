// SPDX-License-Identifier: GPL-2.0-or-later
// How wrong the forecasts were, per lead time: ebbd records every forecast it serves
// (the provider's part as fetched, and the extension its own model made) and scores
// each one against the actual once the hours have passed. `ebb replay` keeps the same
// record walk-forward, so error-aware plans (Policy::error_weight) see in the replay
// exactly what they would see in ebbd.
//
// Lead time is measured from the issue time; hours fall in 6 h lead buckets (0-6 h,
// 6-12 h, ...). Per bucket, and separately for the provider's part and ebbd's
// extension:
//   MAE       mean |forecast - actual| over the scored hours, gCO2e/kWh
//   MAPE      mean |forecast - actual| / actual, over hours with actual > 0, percent
//   Spearman  rank correlation of forecast and actual over the bucket's hours of one
//             forecast (how well it orders hours, which is what the planner needs),
//             averaged over forecasts; a bucket with a flat side has no ranking.
// A bucket is scored when all its hours ended at least kSettle ago (late actuals land).
// Statistics are kept per UTC day of the issue and summed over the last kWindowDays.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "ebb/signal.hpp"
#include "ebb/time.hpp"

namespace ebb {

// Spearman's rho of two equally long series; NaN when either side is constant.
double spearman(const std::vector<double>& a, const std::vector<double>& b);

enum class ForecastPart { provider, extension };
const char* to_string(ForecastPart p);

// One lead bucket's measured error.
struct LeadError {
  int bucket = 0;           // leads [bucket x 6 h, (bucket + 1) x 6 h)
  long long hours = 0;      // hours scored
  double mae = 0;           // gCO2e/kWh
  double mape = 0;          // percent; NaN without a positive actual
  double spearman = 0;      // NaN when no forecast had a ranking in this bucket
  long long forecasts = 0;  // forecasts whose bucket entered the Spearman mean
};

struct ErrorSummary {
  std::vector<LeadError> provider;   // buckets with at least one scored hour, in order
  std::vector<LeadError> extension;  // ebbd's own model, past the provider's horizon
  long long recorded = 0;            // forecasts recorded so far (kept or scored)
  long long pending = 0;             // forecasts with buckets still to score
  long long rejected = 0;            // fetches kept out (failed or unusable answers)
  bool empty() const { return provider.empty() && extension.empty(); }
};

class ForecastErrorTracker {
 public:
  static constexpr Duration kBucket = hours(6);
  static constexpr int kBuckets = 28;  // leads up to 7 days
  static constexpr Duration kSettle = hours(1);
  static constexpr Duration kMinInterval = hours(1);  // between two recorded forecasts
  static constexpr int kWindowDays = 28;
  static constexpr std::size_t kMaxForecasts = 24 * 8;

  // Records what was served at `issued_at` from the next whole hour on: hourly means of
  // `served`, each hour marked extension when any slot in it is Origin::extension.
  // Provider hours are kept only when `provider_fresh` (fetched at `issued_at`): data
  // kept from an earlier fetch was recorded then, and a failed or garbage answer must
  // not enter the statistics. Returns false (nothing recorded) within kMinInterval of
  // the last recorded forecast or when nothing is left to record.
  bool record(TimePoint issued_at, const SignalSeries& served, bool provider_fresh);
  // Counts a fetch kept out of the statistics.
  void count_rejected() { ++rejected_; }
  // Scores every bucket whose hours ended at or before `now - kSettle`; `actual(h)` is the
  // actual for the UTC hour starting at h, if known. Drops fully scored forecasts and
  // statistics older than kWindowDays.
  void score(TimePoint now, const std::function<std::optional<double>(TimePoint)>& actual);

  ErrorSummary summary() const;
  // The error ebb served at each lead bucket (both parts pooled), for the planner: MAE
  // per bucket, NaN where nothing was scored yet. Empty when nothing was scored.
  std::vector<double> mae_by_lead() const;

  // "# ebb forecast error" text; parse throws InputError naming `source` and the line.
  std::string to_text() const;
  static ForecastErrorTracker parse(std::string_view text, const std::string& source);

 private:
  struct Forecast {
    TimePoint issued_at;
    std::int64_t first_hour = 0;     // hours since the epoch
    std::vector<double> values;      // NaN: unknown
    std::size_t provider_hours = 0;  // the first ones; the rest are extension
    int scored_buckets = 0;
  };
  struct Acc {
    long long hours = 0;
    double abs_sum = 0;
    long long pct_hours = 0;
    double pct_sum = 0;
    long long ranked = 0;
    double rank_sum = 0;
  };
  // key: (day of issue, part, bucket)
  using Key = std::tuple<std::int64_t, int, int>;
  int bucket_of(const Forecast& f, std::size_t i) const;
  void score_bucket(const Forecast& f, int bucket,
                    const std::function<std::optional<double>(TimePoint)>& actual);

  std::vector<Forecast> forecasts_;
  std::map<Key, Acc> acc_;
  long long recorded_ = 0;
  long long rejected_ = 0;
};

}  // namespace ebb
