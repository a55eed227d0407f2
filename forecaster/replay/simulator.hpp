// SPDX-License-Identifier: GPL-2.0-or-later
// A cluster of N cores scheduled like Slurm's backfill: jobs become eligible at their
// begin time (the time ebb or another policy chose; submit time without shifting), are
// queued in order of eligibility (Slurm's age priority), the queue's head starts as soon
// as enough cores are free, and later jobs may start earlier (EASY backfilling) when,
// judged by their requested time limits, they do not delay the head's reservation.
// Jobs run for their actual runtime.
//
// Two ways to drive it: simulate() for begin times known in advance, or Cluster, which
// moves through time one submission at a time so that a policy can plan each job with
// what the cluster looks like at that moment (running jobs, the queue, jobs held until
// their begin time), as ebbd sees it through squeue.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <set>
#include <vector>

#include "ebb/capacity.hpp"
#include "ebb/time.hpp"

namespace ebb::replay {

struct SimJob {
  TimePoint submit;
  TimePoint begin;       // eligible from here (>= submit)
  Duration runtime{0};   // actual
  Duration limit{0};     // requested; what backfilling plans with
  Duration expected{0};  // what a view of the cluster assumes it runs (0: its limit)
  std::uint32_t cores = 1;
};

struct SimOptions {
  std::uint32_t cores = 0;           // 0: unlimited (every job starts at its begin time)
  std::size_t backfill_depth = 500;  // jobs tested per backfill pass (Slurm's bf_max_job_test)
  // Queue order among eligible jobs. false: by eligibility (Slurm's age factor counts from
  // the begin time, its default); true: by submit time (PriorityFlags=ACCRUE_ALWAYS, so a
  // job held until its begin time keeps its place in line).
  bool age_from_submit = false;
};

struct SimOutcome {
  std::vector<TimePoint> start;   // per job, same order as the input
  std::size_t cores_clamped = 0;  // jobs asking for more cores than the cluster has
};

SimOutcome simulate(const std::vector<SimJob>& jobs, const SimOptions& options);

// The cluster, one submission at a time. Jobs must be submitted in order of submit
// time; each one's begin time is given when it is submitted.
class Cluster {
 public:
  Cluster(const std::vector<SimJob>& jobs, const SimOptions& options);

  // Runs every event before t, then the completions and eligibilities at t, so that
  // state() shows the cluster as a job submitted at t would find it.
  void advance_to(TimePoint t);
  // Job j enters at its submit time (the time of the last advance_to) with this begin.
  void submit(std::size_t j, TimePoint begin);
  // Starts what can start now (after the submissions at this time), then runs to the end.
  SimOutcome finish();
  // Moves held job j's begin time to t (now, if t is past): what ebbd does with
  // `scontrol update StartTime=` when it re-plans a deferred job.
  void rebegin(std::size_t j, TimePoint t);
  // The jobs held until their begin time, in order of eligibility.
  std::vector<std::size_t> held() const;
  bool holds() const { return !held_.empty(); }
  // Held job j as view() shows it: what to take out of a PartitionLoad to re-plan it.
  QueuedJob held_job(std::size_t j) const;

  // What squeue would show now: running jobs (expected end from their time limit),
  // queued jobs (eligible, waiting for cores) and held jobs (begin time ahead).
  // `expected` gives the duration a view should assume for a job (its limit, or a
  // prediction).
  // Each with its index in the input.
  void view(const std::function<void(std::size_t job, const QueuedJob&)>& visit) const;
  TimePoint now() const { return TimePoint{std::chrono::seconds{now_}}; }
  // The jobs started since the last call, each with its begin time (when it became
  // eligible) and its start: what a site sees in its accounting as jobs start.
  struct Started {
    std::size_t job;
    TimePoint begin, start;
  };
  std::vector<Started> take_started();
  // The eligible jobs waiting for cores, each with its begin time.
  void queued(const std::function<void(std::size_t job, TimePoint begin)>& visit) const;
  // The share of their time limits that the jobs finished so far ran, weighted by cores:
  // what a site learns from its accounting (1 before any job has finished).
  double runtime_share() const;

 private:
  using Clock = std::int64_t;
  struct Running {
    Clock expected_end;  // start + limit: what the scheduler believes
    std::uint32_t cores;
    std::size_t job;
    bool operator<(const Running& o) const {
      return expected_end != o.expected_end ? expected_end < o.expected_end : job < o.job;
    }
  };
  // Held jobs in eligibility order: begin time, then submit time, then input order.
  struct Held {
    Clock begin;
    Clock submit;
    std::size_t job;
    bool operator<(const Held& o) const {
      if (begin != o.begin) return begin < o.begin;
      if (submit != o.submit) return submit < o.submit;
      return job < o.job;
    }
  };

  Duration expected_of(std::size_t j) const;
  Held held_entry(std::size_t j) const { return {begin_[j], secs_of(jobs_[j].submit), j}; }
  static Clock secs_of(TimePoint t) { return t.time_since_epoch().count(); }
  void start_job(std::size_t j);
  void schedule();
  void complete_at(Clock t);
  void release_at(Clock t);
  void enqueue(std::size_t j);
  Clock next_event() const;

  const std::vector<SimJob>& jobs_;
  SimOptions options_;
  SimOutcome out_;
  std::vector<std::uint32_t> cores_;
  std::vector<Clock> expected_end_;
  std::vector<Clock> begin_;
  std::priority_queue<std::pair<Clock, std::size_t>, std::vector<std::pair<Clock, std::size_t>>,
                      std::greater<>>
      ends_;
  std::set<Running> running_;
  std::set<Held> held_;
  std::vector<std::size_t> queue_;  // eligible, waiting; in priority order
  std::uint32_t free_ = 0;
  Clock now_ = INT64_MIN;
  std::vector<std::size_t> started_;    // since the last take_started()
  double run_sum_ = 0, limit_sum_ = 0;  // core-seconds of finished jobs: ran, asked for
};

}  // namespace ebb::replay
