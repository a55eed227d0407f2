// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/slip.hpp"

#include <algorithm>
#include <cmath>

namespace ebb {

std::size_t SlipEstimator::size_class(double cpus, Duration time_limit) {
  std::size_t c = 0;
  if (cpus > 64)
    c = 4;
  else if (cpus > 16)
    c = 3;
  else if (cpus > 4)
    c = 2;
  else if (cpus > 1)
    c = 1;
  std::size_t r = 0;
  const auto limit = time_limit.count();
  if (limit > 24 * 3600)
    r = 3;
  else if (limit > 4 * 3600)
    r = 2;
  else if (limit > 3600)
    r = 1;
  return c * kRuntimeClasses + r;
}

std::size_t SlipEstimator::time_class(TimePoint t) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::weekday wd{std::chrono::sys_days{days.time_since_epoch()}};
  const auto hour = std::chrono::floor<std::chrono::hours>(t - days).count();
  const bool weekend = wd == std::chrono::Saturday || wd == std::chrono::Sunday;
  return (weekend ? 6u : 0u) + static_cast<std::size_t>(hour / 4);
}

void SlipEstimator::add(const SlipObservation& o) {
  const std::int64_t wait = std::max<std::int64_t>((o.started - o.released).count(), 0);
  pending_.push({o.started.time_since_epoch().count(), wait, size_class(o.cpus, o.time_limit),
                 time_class(o.released)});
}

void SlipEstimator::push(Class& c, std::int64_t wait) const {
  c.waits.push_back(wait);
  if (c.waits.size() > std::max<std::size_t>(settings_.window, 1)) c.waits.pop_front();
  c.cached.reset();
}

void SlipEstimator::take_finished(TimePoint now) {
  const std::int64_t n = now.time_since_epoch().count();
  while (!pending_.empty() && pending_.top().started <= n) {
    const Pending p = pending_.top();
    pending_.pop();
    push(classes_[p.cls], p.wait);
    push(timed_[p.cls * kTimeClasses + p.time], p.wait);
    push(all_, p.wait);
    ++finished_;
  }
}

std::optional<std::int64_t> SlipEstimator::quantile_of(Class& c) const {
  if (c.waits.size() < std::max<std::size_t>(settings_.min_samples, 1)) return std::nullopt;
  if (!c.cached) {
    std::vector<std::int64_t> v(c.waits.begin(), c.waits.end());
    const double q = std::clamp(settings_.quantile, 0.0, 1.0);
    auto k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    k = std::clamp<std::size_t>(k, 1, v.size()) - 1;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    c.cached = v[k];
  }
  return c.cached;
}

std::optional<Duration> SlipEstimator::estimate(TimePoint now, double cpus, Duration time_limit,
                                                std::optional<TimePoint> release) {
  take_finished(now);
  const std::size_t cls = size_class(cpus, time_limit);
  std::optional<std::int64_t> q;
  if (settings_.by_time_of_week && release)
    q = quantile_of(timed_[cls * kTimeClasses + time_class(*release)]);
  if (!q) q = quantile_of(classes_[cls]);
  if (!q) q = quantile_of(all_);
  if (!q) return std::nullopt;
  return std::max(Duration{*q}, settings_.floor);
}

}  // namespace ebb
