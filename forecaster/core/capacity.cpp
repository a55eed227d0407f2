// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/capacity.hpp"

#include <algorithm>
#include <cmath>

namespace ebb {

namespace {

std::int64_t secs(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint at(std::int64_t s) { return TimePoint{seconds{s}}; }

// A running job past its expected end may still hold its CPUs for a moment; count it
// for one more minute rather than not at all.
constexpr std::int64_t kOverrun = 60;

}  // namespace

void PartitionLoad::add(const QueuedJob& job, TimePoint now) { change(job, now, +1); }
void PartitionLoad::remove(const QueuedJob& job, TimePoint now) { change(job, now, -1); }

void PartitionLoad::change(const QueuedJob& job, TimePoint now, int sign) {
  if (!(job.cpus > 0) || !std::isfinite(job.cpus)) return;
  if (sign < 0 && jobs_ == 0) return;
  jobs_ = sign > 0 ? jobs_ + 1 : jobs_ - 1;
  const double cpus = sign * job.cpus;
  std::int64_t from = 0, to = 0;
  const std::int64_t n = secs(now);
  const std::int64_t expected = std::llround(static_cast<double>(job.expected.count()) *
                                             std::clamp(rule_.runtime_share, 0.0, 1.0));
  if (job.state == QueuedJob::State::running) {
    from = n;
    to = std::max(secs(job.since) + expected, n + kOverrun);
  } else {
    // Pending: from when it becomes eligible (now, for a job already waiting).
    from = std::max(secs(job.since), n);
    to = from + std::max<std::int64_t>(expected, kOverrun);
    if (job.deferred_by_ebb) {
      auto& starts = starts_[from - from % 60];
      starts = sign > 0 ? starts + 1 : (starts > 0 ? starts - 1 : 0);
      held_[from] += cpus;
      held_[to] -= cpus;
      return;
    }
  }
  demand_[from] += cpus;
  demand_[to] -= cpus;
}

std::vector<std::pair<TimePoint, double>> PartitionLoad::projected(TimePoint now) const {
  std::vector<std::pair<TimePoint, double>> out;
  const double cap = rule_.cpus;
  const std::int64_t n = secs(now);
  double demand = 0;   // CPUs wanted over the current step
  double backlog = 0;  // CPU-seconds that wanted to run earlier and still wait
  auto emit = [&](std::int64_t t, double busy) {
    if (!out.empty() && secs(out.back().first) == t) out.pop_back();
    if (!out.empty() && std::abs(out.back().second - busy) < 1e-9) return;
    out.emplace_back(at(t), busy);
  };
  // Demand: what is running or waiting, plus the jobs held until their begin time.
  double known = 0, held = 0;
  auto it = demand_.begin();
  auto ih = held_.begin();
  for (; it != demand_.end() && it->first <= n; ++it) known += it->second;
  for (; ih != held_.end() && ih->first <= n; ++ih) held += ih->second;
  demand = known + held;
  std::int64_t t = n;
  // Walks the demand steps; over each, the fluid queue either serves the backlog at
  // full size or, once it has drained, runs what is asked.
  while (true) {
    const bool last = it == demand_.end() && ih == held_.end();
    const std::int64_t next = last ? INT64_MAX
                                   : std::min(it == demand_.end() ? INT64_MAX : it->first,
                                              ih == held_.end() ? INT64_MAX : ih->first);
    if (cap <= 0) {
      emit(t, std::max(demand, 0.0));
    } else if (demand >= cap) {
      emit(t, cap);
      if (!last) backlog += (demand - cap) * static_cast<double>(next - t);
    } else if (backlog > 1e-9) {
      const double spare = cap - demand;
      const double drain = backlog / spare;
      emit(t, cap);
      if (last || drain < static_cast<double>(next - t)) {
        const std::int64_t done = t + static_cast<std::int64_t>(std::ceil(drain));
        emit(done, std::max(demand, 0.0));
        backlog = 0;
      } else {
        backlog -= spare * static_cast<double>(next - t);
      }
    } else {
      emit(t, std::max(demand, 0.0));
    }
    if (last) break;
    t = next;
    for (; it != demand_.end() && it->first == t; ++it) known += it->second;
    for (; ih != held_.end() && ih->first == t; ++ih) held += ih->second;
    demand = known + held;
  }
  return out;
}

std::vector<Interval> PartitionLoad::forbidden_starts(TimePoint now, TimePoint latest_start,
                                                      Duration window, double cpus,
                                                      std::optional<Duration> slip) const {
  std::vector<Interval> out;
  if (rule_.cpus <= 0) return out;
  const double limit = rule_.cpus * (1.0 - rule_.headroom_percent / 100.0);
  const std::int64_t w = std::max<std::int64_t>(window.count(), 1);
  const std::int64_t end = secs(latest_start);
  std::vector<std::pair<std::int64_t, std::int64_t>> raw;
  if (slip) {
    // The last start that, after the predicted wait in the queue, still starts by the
    // latest start.
    const double share = std::clamp(rule_.slip_min_reserve_percent, 0.0, 100.0) / 100.0;
    const std::int64_t reserve = std::min<std::int64_t>(
        std::max<std::int64_t>(slip->count(),
                               std::llround(static_cast<double>(end - secs(now)) * share)),
        end - secs(now));
    if (reserve > 0) raw.emplace_back(end - reserve, end + 1);
  } else if (end > secs(now) && rule_.slack_reserve_percent > 0) {
    const double share = std::clamp(rule_.slack_reserve_percent, 0.0, 100.0) / 100.0;
    const auto reserve = std::llround(static_cast<double>(end - secs(now)) * share);
    if (reserve > 0) raw.emplace_back(end - reserve, end + 1);
  }
  // Busy stretches: a start s is forbidden when [s, s + w) meets one, i.e. s in (a - w, b).
  const auto steps = projected(now);
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const std::int64_t a = secs(steps[k].first);
    if (a - w >= end) break;
    const std::int64_t b = k + 1 < steps.size() ? secs(steps[k + 1].first) : INT64_MAX / 2;
    if (steps[k].second + cpus > limit + 1e-9) raw.emplace_back(a - w + 1, b);
  }
  // Minutes already holding the most deferred starts the rule allows.
  if (rule_.max_starts_per_minute > 0) {
    for (auto s = starts_.lower_bound(secs(now) - secs(now) % 60);
         s != starts_.end() && s->first <= end; ++s)
      if (s->second >= rule_.max_starts_per_minute) raw.emplace_back(s->first, s->first + 60);
  }
  std::sort(raw.begin(), raw.end());
  for (const auto& [a, b] : raw) {
    if (!out.empty() && a <= secs(out.back().to)) {
      out.back().to = std::max(out.back().to, at(b));
    } else {
      out.push_back({at(a), at(b)});
    }
  }
  return out;
}

}  // namespace ebb
