// SPDX-License-Identifier: GPL-2.0-or-later
// The replay: jobs from a trace, each planned by a policy at its submit time, queued on
// a cluster like Slurm's backfill, and scored against the actual grid series.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bound.hpp"
#include "deadline.hpp"
#include "ebb/congestion.hpp"
#include "ebb/energy.hpp"
#include "ebb/planner.hpp"
#include "ebb/replan.hpp"
#include "ebb/slip.hpp"
#include "forecast.hpp"
#include "grid.hpp"
#include "runtime.hpp"
#include "simulator.hpp"
#include "trace.hpp"

namespace ebb::replay {

enum class PolicyKind {
  baseline,     // start at submit (no shifting)
  best_window,  // per job, the lowest-carbon window in the forecast up to the deadline,
                // ignoring the queue and other jobs; no threshold (what CATS does)
  ebb,          // ebb::plan() as configured: objective, carbon price, threshold
  oracle,       // per job, the optimum with the actual series and the actual runtime
};
std::string to_string(PolicyKind k);
PolicyKind parse_policy_kind(const std::string& text);

// How ebb shares the clean hours among the jobs it holds (ebb/congestion.hpp).
enum class CongestionMode {
  off,    // each job planned on the forecast alone (with the capacity rule)
  duals,  // on the forecast plus the congestion prices of the last re-plan
  flow,   // as duals at submit; at each re-plan every held job begins in the first hour
          // the flow gives it work
};
std::string to_string(CongestionMode m);
CongestionMode parse_congestion_mode(const std::string& text);

struct ReplayConfig {
  SimOptions sim;
  DeadlineRule deadline;
  ForecastOptions forecast;
  Policy ebb_policy;  // ebb's objective, carbon price, threshold
  PowerModel power;
  std::vector<PolicyKind> policies{PolicyKind::baseline, PolicyKind::best_window, PolicyKind::ebb,
                                   PolicyKind::oracle};
  // The runtime ebb plans each job with, and assumes for the jobs in its cluster view: the
  // time limit (as in production without history), a prediction learned online from the
  // jobs finished before each submission (ebb/runtime_predictor.hpp), or the actual one.
  RuntimeMode runtime = RuntimeMode::limit;
  PredictorSettings predictor;
  // ebb plans each job with the cluster as it is at its submit time (running jobs, the
  // queue, the jobs it has deferred): ebb::PartitionLoad, as ebbd does. Off: each job
  // alone (the behaviour before capacity-aware planning). Needs sim.cores > 0.
  bool capacity_aware = true;
  CapacityRule capacity;  // headroom, starts per minute, slack reserve (cpus: sim.cores)
  // Learn the view's runtime share as the replay goes, from the jobs finished so far
  // (--runtime-share learn); else capacity.runtime_share as given, as ebbd does today.
  bool learn_runtime_share = false;
  // --slack-reserve auto: instead of capacity.slack_reserve_percent, each job keeps free at
  // the end of its window the queue slip predicted for its size class by ebb::SlipEstimator,
  // learned from the deferred jobs that had started by then (capacity.slack_reserve_percent
  // until enough have). Re-planning uses the same estimate.
  bool slip_auto = false;
  SlipSettings slip;
  // With slip_auto: the reserve is at least the longest wait so far of the deferred jobs of
  // the same size class that are past their begin time and still queued (what squeue
  // shows now: a congestion that has not ended yet, which no finished wait tells).
  bool slip_waiting = false;
  // With capacity_aware: every replan_every, ebb re-plans each job it still holds with
  // ebb::replan() against the cluster and the forecast of that moment, as ebbd does after
  // each forecast refresh. 0: plans stay as made at submit.
  Duration replan_every = hours(1);
  ReplanRule replan_rule;
  // With the queue in submit order: re-plan a held job without the waiting jobs behind it
  // in line (see engine.cpp). Off: against the whole cluster, as at submit.
  bool replan_ahead_only = true;
  // With capacity_aware and re-planning: at each re-plan, congestion prices from a min-cost
  // flow of the held jobs over the free CPUs; every plan until the next one (new jobs and
  // the re-planned held jobs) is made on the forecast plus those prices.
  CongestionMode congestion = CongestionMode::off;
  CongestionSettings congestion_settings;
  bool congestion_each_submit = false;  // also solve again at each submission
  unsigned threads = 2;                 // planning threads
  // What "of bound" divides by (bound.hpp): the oracle's per-job cut, or the capacity
  // relaxation (needs sim.cores > 0).
  BoundKind bound = BoundKind::per_job;
};

struct PolicyResult {
  PolicyKind kind;
  std::string name;
  double energy_kwh = 0;
  double kg_co2 = 0;
  double cost = 0;           // currency of the price series; NaN without prices
  double reduction_pct = 0;  // kgCO2 against baseline
  double cost_reduction_pct = 0;
  double planned_reduction_pct = 0;  // kgCO2 against baseline if every job started as planned
                                     // (no queueing delays)
  double share_of_upper_bound = 0;   // reduction / the bound's reduction (ReplayResult::
                                     // bound; NaN without one)
  double mean_added_wait_h = 0;      // start - baseline start, over all jobs
  double p95_added_wait_h = 0;
  double mean_wait_h = 0;               // start - submit
  std::size_t deferred = 0;             // jobs planned to start after submit
  std::size_t deadline_misses = 0;      // finished after the deadline (queueing included)
  std::size_t planned_misses = 0;       // planned so that the time limit passes the deadline
  std::size_t peak_planned_starts = 0;  // most deferred jobs planned for the same minute
  std::size_t peak_hour_starts = 0;     // most jobs that started in any one hour
  std::size_t moves = 0;                // held jobs' begin times moved by re-planning
  double gap_job_hours = 0;             // job-hours scored over grid gaps
  std::vector<TimePoint> planned;       // per job (in trace order)
  std::vector<TimePoint> start;
  std::vector<double> grams;
  std::vector<double> job_kwh;           // per job: energy (the same under every policy)
  std::vector<double> job_cost;          // per job: currency of the prices; NaN without prices
  std::vector<std::uint32_t> job_moves;  // per job: times re-planning moved it (ebb only)
};

struct ReplayResult {
  std::vector<PolicyResult> policies;
  std::vector<TraceJob> jobs;  // as replayed (times on the grid)
  std::vector<TimePoint> deadlines;
  std::size_t infeasible_deadlines = 0;  // deadline < submit + limit: run at submit
  std::size_t cores_clamped = 0;
  GapStats grid_gaps;
  std::string currency;
  bool has_prices = false;
  double seconds_planning = 0, seconds_simulating = 0;
  std::optional<RuntimeAccuracy> runtime_accuracy;  // with RuntimeMode::predicted
  BoundSummary bound;
  const PolicyResult* find(PolicyKind k) const;
};

// Places a trace on the grid's time axis. Times move by whole weeks, so weekday and time
// of day stay: the trace's first submit lands in the week starting at `start` (default:
// the grid's first week; no move when the trace already lies within the grid). Traces
// with relative times (no dates) start exactly at `start` (default: the grid's start).
// Returns the shift applied.
Duration map_onto_grid(Trace& trace, const Grid& grid, std::optional<TimePoint> start);

// Runs every configured policy. The grid is repeated by whole weeks if the trace runs
// past its end (see Grid::tiled_to_cover).
ReplayResult run_replay(const std::vector<TraceJob>& jobs, const Grid& grid,
                        const ReplayConfig& config);

}  // namespace ebb::replay
