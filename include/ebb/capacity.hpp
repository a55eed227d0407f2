// SPDX-License-Identifier: GPL-2.0-or-later
// Planning for the cluster, not for one job: what a partition has already committed
// over the coming hours, and where that leaves room for one more deferred job.
//
// Planned alone, every deferrable job picks the same clean hour; on a real partition
// they then queue behind each other and miss their deadlines. ebb therefore plans each
// job against a view of its partition: the CPUs that running jobs hold until their
// expected end, that pending jobs will hold once they start, and that earlier deferred
// jobs (ebb's own bookings) will hold from their planned start. Demand beyond the
// partition's size waits its turn (a fluid queue: what cannot run now runs as soon as
// CPUs free up), which is how a backlog pushes the busy hours later.
//
// A job may be deferred only into a window where the projected busy CPUs plus its own
// stay within the partition's size less a headroom kept free for jobs not yet submitted,
// only to a minute that fewer than `max_starts_per_minute` deferred jobs already start
// in, and not into the last part of its window (the slack reserve), so that waiting in
// the queue once it becomes eligible does not make it late. Starting when the user asked is always
// allowed: ebb never makes a job wait for room it would have had anyway. The planner then minimises
// its usual objective over the allowed starts, exactly (see planner.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ebb/time.hpp"

namespace ebb {

// A half-open stretch of time [from, to).
struct Interval {
  TimePoint from;
  TimePoint to;
};

// A job as a cluster view knows it: from squeue, from a plan ebbd has just handed out,
// or from the replay's simulated queue. One type for all three, so ebbd and the replay
// build the same view.
struct QueuedJob {
  enum class State { running, pending };
  State state = State::pending;
  TimePoint since;          // running: its start; pending: when it becomes eligible
  Duration expected{3600};  // how long it holds its CPUs (time limit, or a prediction)
  double cpus = 1;
  bool deferred_by_ebb = false;  // a pending job held by ebb (counts toward starts per minute)
};

// How much of a partition deferred jobs may fill.
struct CapacityRule {
  double cpus = 0;                           // the partition's size; 0 = unknown (no limit)
  double headroom_percent = 20;              // kept free for jobs not yet submitted
  std::uint32_t max_starts_per_minute = 20;  // deferred jobs planned to start in one minute
  // The share of its time limit a job is expected to run: time limits are generous, and
  // a view that believes them sees the partition fuller than it will be. 1 = the limits.
  double runtime_share = 1.0;
  // Percent of a job's window (earliest to latest start) kept free at its end: a
  // deferred job never starts later than latest start - this share, so that a slip in
  // the queue (jobs submitted meanwhile, a backlog) does not cost its deadline.
  double slack_reserve_percent = 50;
  // With a predicted slip (forbidden_starts' `slip`): the reserve is at least this percent
  // of the window, the slip's tail being what a quantile of past waits misses.
  double slip_min_reserve_percent = 0;
};

// The committed load of one partition, as a set of jobs, with the projection the
// planner needs. Cheap to build (O(n log n) in the jobs) and to query.
class PartitionLoad {
 public:
  PartitionLoad() = default;
  explicit PartitionLoad(CapacityRule rule) : rule_(rule) {}

  void add(const QueuedJob& job, TimePoint now);
  // Takes back exactly what add(job, now) put in (same job, same now): the load less one
  // job, for re-planning it against everything else.
  void remove(const QueuedJob& job, TimePoint now);
  const CapacityRule& rule() const { return rule_; }
  std::size_t jobs() const { return jobs_; }

  // Projected busy CPUs: a step function as (start, cpus) pairs, each holding until the
  // next; the first starts at `now`, the last holds for ever. Demand beyond rule().cpus
  // waits and runs as soon as CPUs free up.
  std::vector<std::pair<TimePoint, double>> projected(TimePoint now) const;

  // Starts in [now, latest_start] that a job of `cpus` CPUs holding them for `window`
  // may not be deferred to: sorted, disjoint intervals (the slack reserve at the end of
  // the window, stretches without room, minutes with their fill of deferred starts).
  // Empty when the capacity is unknown. `slip`: the queue wait predicted for this job once
  // it is released (ebb/slip.hpp); given, the reserve at the end of the window is that
  // long instead of rule().slack_reserve_percent of the window.
  std::vector<Interval> forbidden_starts(TimePoint now, TimePoint latest_start, Duration window,
                                         double cpus,
                                         std::optional<Duration> slip = std::nullopt) const;

 private:
  void change(const QueuedJob& job, TimePoint now, int sign);

  CapacityRule rule_;
  std::map<std::int64_t, double> demand_;  // running and waiting: epoch second -> change in CPUs
  std::map<std::int64_t, double> held_;    // held until their begin time, likewise
  std::map<std::int64_t, std::uint32_t> starts_;  // minute (epoch s) -> deferred starts
  std::size_t jobs_ = 0;
};

}  // namespace ebb
