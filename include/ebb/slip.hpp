// SPDX-License-Identifier: GPL-2.0-or-later
// Queue slip, measured online: how long a job ebb held until its begin time then waited
// in the queue before it started.
//
// A deferred job becomes eligible at its begin time and starts when the scheduler finds
// room for it; on a busy partition that can take hours, and a job planned close to its
// latest start then misses its deadline. The cluster view cannot foresee that wait (it
// treats CPUs as freely divisible and knows nothing of backfill reservations), so instead
// of a fixed share of the window (CapacityRule::slack_reserve_percent) the planner can
// keep free, at the end of each job's window, the slip that jobs of its size were seen to
// have: a high quantile of the realised waits of deferred jobs of the same size class
// (cores x time limit), over the most recent ones that have already started.
//
// Walk-forward: an observation counts only once it is finished, i.e. from the moment the
// job started; estimate(now) never looks at a job that had not started by `now`, so the
// replay uses exactly what ebbd could have known.
#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <optional>
#include <queue>
#include <vector>

#include "ebb/time.hpp"

namespace ebb {

struct SlipSettings {
  double quantile = 0.9;         // of the realised waits in a class
  std::size_t window = 200;      // most recent observations kept per class
  std::size_t min_samples = 20;  // fewer in a class: the estimate over all classes
  Duration floor{0};             // never reserve less than this
  // Also by the time of week the job is released (UTC, weekday or weekend, 4-hour blocks):
  // congestion follows the working day. estimate()'s `release` then picks the block.
  bool by_time_of_week = false;
};

// One deferred job's wait: eligible (released at its begin time) at `released`, started
// at `started`.
struct SlipObservation {
  TimePoint released;
  TimePoint started;
  double cpus = 1;
  Duration time_limit{3600};
};

class SlipEstimator {
 public:
  SlipEstimator() = default;
  explicit SlipEstimator(SlipSettings settings) : settings_(settings) {}

  // Records a wait; it is used from observation.started on (never earlier).
  void add(const SlipObservation& observation);
  // The predicted slip of a job of this size released at `now`'s queue: the configured
  // quantile of the waits in its class that were finished by `now` (all classes when its
  // class has too few); nullopt before min_samples observations have finished overall.
  std::optional<Duration> estimate(TimePoint now, double cpus, Duration time_limit,
                                   std::optional<TimePoint> release = std::nullopt);
  // Observations finished by the last estimate() (for reports and tests).
  std::size_t finished() const { return finished_; }

  static constexpr std::size_t kCoreClasses = 5;     // 1, 2-4, 5-16, 17-64, more
  static constexpr std::size_t kRuntimeClasses = 4;  // <= 1 h, <= 4 h, <= 24 h, more
  static constexpr std::size_t kTimeClasses = 12;    // weekday/weekend x 4-hour blocks
  static std::size_t size_class(double cpus, Duration time_limit);
  static std::size_t time_class(TimePoint t);

 private:
  struct Class {
    std::deque<std::int64_t> waits;  // seconds, oldest first
    std::optional<std::int64_t> cached;
  };
  void take_finished(TimePoint now);
  std::optional<std::int64_t> quantile_of(Class& c) const;
  void push(Class& c, std::int64_t wait) const;

  SlipSettings settings_;
  // Not yet finished at the last estimate(): ordered by start, earliest first.
  struct Pending {
    std::int64_t started;
    std::int64_t wait;
    std::size_t cls;
    std::size_t time;
    bool operator>(const Pending& o) const { return started > o.started; }
  };
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> pending_;
  std::array<Class, kCoreClasses * kRuntimeClasses> classes_{};
  std::array<Class, kCoreClasses * kRuntimeClasses * kTimeClasses> timed_{};
  Class all_;
  std::size_t finished_ = 0;
};

}  // namespace ebb
