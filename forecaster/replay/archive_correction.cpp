// SPDX-License-Identifier: GPL-2.0-or-later
#include "archive_correction.hpp"

#include <algorithm>
#include <cmath>

#include "ebb/ridge_fit.hpp"
#include "ebb/seasonal_forecast.hpp"

namespace ebb::replay {
namespace {

constexpr int kIntercept = 0, kForecast = 1, kForecastNext = 2, kEbbd = 3, kMiss = 4, kPrevious = 5;
constexpr double kRidge = 0.01;
constexpr int kMinSamplesPerLead = 3 * 24;  // 3 days of hourly submits

// The snapshot's value at `t`, NaN outside it.
double value_at(const ForecastArchive::Snapshot& snap, TimePoint t) {
  auto it = std::upper_bound(snap.slots.begin(), snap.slots.end(), t,
                             [](TimePoint v, const Slot& s) { return v < s.end; });
  if (it == snap.slots.end() || it->start > t) return std::nan("");
  return it->carbon;
}

int lead_hour(TimePoint now, TimePoint t) {
  const auto h = std::chrono::duration_cast<hours>(t - now).count();
  return static_cast<int>(std::clamp<std::int64_t>(h, 0, ArchiveCorrection::kLeadHours - 1));
}

}  // namespace

ArchiveCorrection::ArchiveCorrection(const ForecastArchive& archive, const Grid& actual,
                                     const Seasonal& seasonal)
    : archive_(archive), actual_(actual) {
  const auto& snaps = archive_.snapshots();
  if (snaps.empty() || actual_.empty()) return;
  // Every hour from the first forecast on, as a submit would see it: the latest forecast
  // issued before, its windows up to kLeadHours ahead, each paired with its actual.
  std::vector<Sample> samples;
  const TimePoint first = hour_start(hour_index(snaps.front().issued) + 1);
  for (TimePoint n = first; n < actual_.end(); n += hours(1)) {
    const ForecastArchive::Snapshot* snap = archive_.latest_before(n);
    if (!snap) continue;
    std::vector<Slot> ahead;
    for (const Slot& s : snap->slots)
      if (s.start >= n && s.start < n + hours(kLeadHours) && s.end <= actual_.end())
        ahead.push_back(s);
    ebbd_[hour_index(n)] = seasonal(hour_index(n), kLeadHours + 24);
    const auto x = features(n, *snap, ahead);
    for (std::size_t i = 0; i < ahead.size(); ++i)
      samples.push_back(
          {ahead[i].end, n, lead_hour(n, ahead[i].start), x[i], actual_.carbon_at(ahead[i].start)});
  }
  // One model per forecast, from the pairs complete when it was issued.
  std::vector<double> prior(kFeatures, 0.0);
  prior[kForecast] = 1;  // the ridge pulls towards the forecast as issued
  for (const ForecastArchive::Snapshot& snap : snaps) {
    std::vector<RidgeFit> fits(kLeadHours, RidgeFit(kFeatures));
    for (const Sample& s : samples)
      if (s.known <= snap.issued && s.seen >= snap.issued - hours(24 * kTrainDays))
        fits[static_cast<std::size_t>(s.lead_hour)].add(s.x, s.y);
    std::vector<Weights> model;
    for (const RidgeFit& f : fits) {
      if (f.samples() < kMinSamplesPerLead) break;
      auto w = f.solve(kRidge, prior);
      if (!w) break;
      model.push_back(std::move(*w));
    }
    if (static_cast<int>(model.size()) == kLeadHours) models_[snap.issued] = std::move(model);
  }
}

double ArchiveCorrection::miss_before(TimePoint now) const {
  // actual - forecast over the hour before `now`, each window against the latest forecast
  // issued before it began.
  double sum = 0;
  int n = 0;
  for (const Slot& a : actual_.slots_between(now - hours(1), now)) {
    if (a.end > now) continue;
    const ForecastArchive::Snapshot* s = archive_.latest_before(a.start + seconds(1));
    const double f = s ? value_at(*s, a.start) : std::nan("");
    if (std::isnan(f)) continue;
    sum += a.carbon - f;
    ++n;
  }
  return n ? sum / n : 0;
}

std::vector<std::vector<double>> ArchiveCorrection::features(TimePoint now,
                                                             const ForecastArchive::Snapshot& snap,
                                                             const std::vector<Slot>& slots) const {
  const std::int64_t h0 = hour_index(now);
  static const std::vector<double> none;
  const auto found = ebbd_.find(h0);
  const std::vector<double>& ebbd = found == ebbd_.end() ? none : found->second;
  const double miss = miss_before(now);
  const ForecastArchive::Snapshot* previous = archive_.latest_before(snap.issued);
  std::vector<std::vector<double>> out;
  for (const Slot& s : slots) {
    std::vector<double> x(kFeatures, 0.0);
    x[kIntercept] = 1;
    x[kForecast] = s.carbon;
    const double next = value_at(snap, s.start + hours(1));
    x[kForecastNext] = std::isnan(next) ? s.carbon : next;
    const auto i = static_cast<std::size_t>(std::max<std::int64_t>(0, hour_index(s.start) - h0));
    x[kEbbd] = i < ebbd.size() && !std::isnan(ebbd[i]) ? ebbd[i] : s.carbon;
    x[kMiss] = miss;
    const double p = previous ? value_at(*previous, s.start) : std::nan("");
    x[kPrevious] = std::isnan(p) ? s.carbon : p;
    out.push_back(std::move(x));
  }
  return out;
}

void ArchiveCorrection::apply(TimePoint now, const ForecastArchive::Snapshot& snap,
                              std::vector<Slot>& slots) const {
  auto it = models_.find(snap.issued);
  if (it == models_.end()) return;  // too little learnt yet: the forecast as issued
  const auto x = features(now, snap, slots);
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const Weights& w = it->second[static_cast<std::size_t>(lead_hour(now, slots[i].start))];
    double v = 0;
    for (int r = 0; r < kFeatures; ++r)
      v += w[static_cast<std::size_t>(r)] * x[i][static_cast<std::size_t>(r)];
    slots[i].carbon = std::clamp(v, 0.0, 5000.0);
  }
}

}  // namespace ebb::replay
