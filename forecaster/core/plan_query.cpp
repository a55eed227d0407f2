// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/plan_query.hpp"

#include "ebb/error.hpp"

namespace ebb {

PlanRequest planner_input(const PlanQuery& query, TimePoint now, double power_watts) {
  PlanRequest r;
  r.now = query.now.value_or(now);
  r.earliest_start = query.earliest_start;
  r.deadline = query.deadline;
  r.max_delay = query.max_delay;
  r.time_limit = query.job.time_limit;
  r.expected_runtime = query.expected_runtime;
  r.power_watts = power_watts;
  return r;
}

Policy policy_for(const PlanQuery& query, Policy policy) {
  if (query.objective) policy.objective = *query.objective;
  return policy;
}

Decision plan_locally(const Config& config, const PlanQuery& query, const SignalSeries& forecast) {
  // Only ebbd knows a partition's DefaultTime.
  if (!query.time_limit_given) throw InputError("no time limit to plan with");
  const double watts = config.partition(query.job.partition).power.watts(query.job);
  Decision d =
      plan(planner_input(query, now_utc(), watts), forecast, policy_for(query, config.policy));
  if (d.currency.empty()) d.currency = config.currency;
  return d;
}

}  // namespace ebb
