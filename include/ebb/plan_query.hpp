// SPDX-License-Identifier: GPL-2.0-or-later
// The one request for a plan: what the plugin and `ebb plan` send to ebbd (POST /v1/plan,
// wire::encode_plan_query) and what ebbd receives, and what the local planners of both
// plan from when ebbd cannot answer. The planner's own input (PlanRequest) is derived
// from it in one place, planner_input().
#pragma once

#include <optional>
#include <string>

#include "ebb/config.hpp"
#include "ebb/job.hpp"
#include "ebb/planner.hpp"
#include "ebb/signal.hpp"
#include "ebb/time.hpp"

namespace ebb {

// A job to plan. Whoever plans it supplies the power model (from the job's partition in
// its ebb.conf) and the policy; `objective` overrides the policy's objective.
struct PlanQuery {
  std::string region;                        // empty: the planner's default region
  std::optional<TimePoint> now;              // empty: the planner's clock
  std::optional<TimePoint> earliest_start;   // the user's --begin
  std::optional<TimePoint> deadline;         // latest finish
  std::optional<Duration> max_delay;         // latest start = earliest + max_delay
  std::optional<Duration> expected_runtime;  // shapes the cost; defaults to time limit
  std::optional<Objective> objective;
  JobRequest job;  // time_limit, resources, partition
  // false: no time limit was given; ebbd takes the partition's DefaultTime, else its
  // MaxTime, from its view of the cluster, and refuses the request without one. The local
  // planners cannot plan such a query.
  bool time_limit_given = true;
};

// The planner's input for `query`: its window, the job's time limit, `now` where the query
// leaves it to the planner's clock, and the job's power draw in watts.
PlanRequest planner_input(const PlanQuery& query, TimePoint now, double power_watts);

// `policy` with the query's objective, when it names one.
Policy policy_for(const PlanQuery& query, Policy policy);

// Plans `query` against a forecast at hand (a forecast file, ebbd's cache) as ebbd would
// without its cluster view: the power model of the job's partition in `config`, `config`'s
// policy under the query's objective, now from the query else the clock. The decision's currency
// is `config`'s Currency= when the forecast names none (a CSV file does not). Throws
// InputError as plan() does, and when the query gives no time limit.
Decision plan_locally(const Config& config, const PlanQuery& query, const SignalSeries& forecast);

}  // namespace ebb
