// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/seasonal_forecast.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ebb/ridge_fit.hpp"

namespace ebb {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kProfileDays = 7;
constexpr int kIntercept = 0, kDay = 1, kWeek = 2, kProfile = 3, kLast = 4, kLastProfile = 5;

// The value at the latest hour t - k * period (k >= 1) before `issue`.
double latest_seen(const HourlySeries& past, std::int64_t issue, std::int64_t t,
                   std::int64_t period, std::int64_t* first_k = nullptr) {
  std::int64_t k = std::max<std::int64_t>(1, (t - issue) / period + 1);
  if (first_k) *first_k = k;
  return past.at(t - k * period);
}

// Mean of the same hour of the day over the `days` latest days before `issue`, skipping
// unknown ones; NaN with fewer than half of them known.
double profile(const HourlySeries& past, std::int64_t issue, std::int64_t t, int days) {
  std::int64_t k0 = 0;
  latest_seen(past, issue, t, 24, &k0);
  double sum = 0;
  int n = 0;
  for (int d = 0; d < days; ++d) {
    double v = past.at(t - (k0 + d) * 24);
    if (std::isnan(v)) continue;
    sum += v;
    ++n;
  }
  return 2 * n >= days ? sum / n : kNaN;
}

// The hours of `past` before `issue` that a fit or a forecast can use (the last
// `days` days). The cut is what makes the forecaster walk-forward: nothing at or after
// `issue` is copied, so nothing later can be read.
HourlySeries seen_before(const HourlySeries& past, std::int64_t issue, int days) {
  HourlySeries out;
  const std::int64_t hi = std::clamp(issue, past.first_hour, past.end_hour());
  const std::int64_t lo = std::clamp(issue - std::int64_t{days} * 24, past.first_hour, hi);
  out.first_hour = lo;
  out.values.assign(past.values.begin() + static_cast<std::ptrdiff_t>(lo - past.first_hour),
                    past.values.begin() + static_cast<std::ptrdiff_t>(hi - past.first_hour));
  return out;
}

}  // namespace

std::int64_t hour_index(TimePoint t) {
  const auto s = t.time_since_epoch().count();
  return (s >= 0 ? s : s - 3599) / 3600;
}

TimePoint hour_start(std::int64_t hour) { return TimePoint{seconds{hour * 3600}}; }

HourlySeries hourly_means(const std::vector<Slot>& slots, std::int64_t from_hour,
                          std::int64_t to_hour, bool price) {
  HourlySeries out;
  out.first_hour = from_hour;
  out.values.assign(static_cast<std::size_t>(std::max<std::int64_t>(0, to_hour - from_hour)), kNaN);
  std::vector<double> covered(out.values.size(), 0), sum(out.values.size(), 0);
  for (const Slot& s : slots) {
    if (price && !s.has_price()) continue;
    const double v = price ? s.price : s.carbon;
    for (std::int64_t h = std::max(from_hour, hour_index(s.start));
         h < to_hour && hour_start(h) < s.end; ++h) {
      const auto i = static_cast<std::size_t>(h - from_hour);
      const double w = static_cast<double>(
          (std::min(s.end, hour_start(h + 1)) - std::max(s.start, hour_start(h))).count());
      covered[i] += w;
      sum[i] += w * v;
    }
  }
  for (std::size_t i = 0; i < out.values.size(); ++i)
    if (covered[i] >= 1800) out.values[i] = sum[i] / covered[i];
  return out;
}

double HourlySeries::at(std::int64_t hour) const {
  if (hour < first_hour || hour >= end_hour()) return kNaN;
  return values[static_cast<std::size_t>(hour - first_hour)];
}

bool SeasonalForecaster::features(const HourlySeries& past, std::int64_t issue, int lead,
                                  Weights& x) const {
  const std::int64_t t = issue + lead;
  x[kIntercept] = 1;
  x[kDay] = latest_seen(past, issue, t, 24);
  x[kWeek] = latest_seen(past, issue, t, 24 * 7);
  x[kProfile] = profile(past, issue, t, kProfileDays);
  x[kLast] = past.at(issue - 1);
  x[kLastProfile] = profile(past, issue, issue - 1, kProfileDays);
  return std::none_of(x.begin(), x.end(), [](double v) { return std::isnan(v); });
}

SeasonalForecaster::Model SeasonalForecaster::fit(const HourlySeries& past_in,
                                                  std::int64_t issue_hour) const {
  // Samples reach back train_days plus the longest lead, their features 9 days more.
  const HourlySeries past = seen_before(
      past_in, issue_hour, settings_.train_days + (settings_.fitted_leads + 23) / 24 + 9);
  Model m;
  m.fitted_at = issue_hour;
  const std::int64_t samples = std::int64_t{settings_.train_days} * 24;
  std::vector<Weights> weights;
  Weights prior{};
  prior[kProfile] = 1;  // the ridge pulls towards "the profile alone"
  for (int lead = 0; lead < settings_.fitted_leads; ++lead) {
    RidgeFit fit(kFeatures);
    // Each sample: an issue time i whose target i + lead is already known at issue_hour.
    for (std::int64_t i = issue_hour - lead - samples; i < issue_hour - lead; ++i) {
      const double y = past.at(i + lead);
      Weights x;
      if (std::isnan(y) || !features(past, i, lead, x)) continue;
      fit.add(x, y);
    }
    if (fit.samples() < 7 * 24) return m;  // under a week of samples: the profile alone
    const auto w = fit.solve(settings_.ridge, prior);
    if (!w) return m;
    Weights fitted;
    std::copy(w->begin(), w->end(), fitted.begin());
    weights.push_back(fitted);
  }
  m.weights = std::move(weights);
  return m;
}

std::vector<double> SeasonalForecaster::apply(const Model& model, const HourlySeries& past,
                                              std::int64_t issue_hour, int leads) const {
  std::vector<double> out(static_cast<std::size_t>(std::max(leads, 0)), kNaN);
  // The fallback looks back 4 weeks plus the longest lead.
  const HourlySeries seen = seen_before(past, issue_hour, 28 + (leads + 23) / 24 + 1);
  const double last = [&] {
    for (std::int64_t h = issue_hour - 1; h >= seen.first_hour && h >= issue_hour - 24 * 28; --h)
      if (!std::isnan(seen.at(h))) return seen.at(h);
    return kNaN;
  }();
  for (int lead = 0; lead < leads; ++lead) {
    Weights x;
    double v = kNaN;
    if (!model.weights.empty() && features(seen, issue_hour, lead, x)) {
      const Weights& w = model.weights[static_cast<std::size_t>(
          std::min<int>(lead, static_cast<int>(model.weights.size()) - 1))];
      v = 0;
      for (int r = 0; r < kFeatures; ++r) v += w[r] * x[r];
    } else {
      // Too little history to fit or a feature unknown: the 7-day profile, else the
      // mean of whatever days of the last 4 weeks are known at this hour, else the
      // latest value seen.
      const std::int64_t t = issue_hour + lead;
      v = profile(seen, issue_hour, t, kProfileDays);
      if (std::isnan(v)) {
        std::int64_t k0 = 0;
        latest_seen(seen, issue_hour, t, 24, &k0);
        double sum = 0;
        int n = 0;
        for (int d = 0; d < 28; ++d) {
          double y = seen.at(t - (k0 + d) * 24);
          if (!std::isnan(y)) sum += y, ++n;
        }
        v = n ? sum / n : last;
      }
    }
    if (settings_.nonnegative && v < 0) v = 0;
    out[static_cast<std::size_t>(lead)] = v;
  }
  return out;
}

}  // namespace ebb
