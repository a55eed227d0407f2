// SPDX-License-Identifier: GPL-2.0-or-later
// Where the plugin's decision comes from, in order:
//   1. ebbd (DaemonUrl=), asked for the plan within DaemonTimeout (default 300 ms), its
//      answer checked against the job's own constraints and MaxForecastAge;
//   2. the local planner against ebbd's cache file (CacheDir=/<region>.csv), when fresh;
//   3. the local planner against ForecastFile=, when fresh;
//   4. nothing: DecisionUnavailable, whose what() names why each source failed, for the
//      one warning line (the job then goes in unchanged).
// A forecast file or cache is fresh when its mtime is within MaxForecastAge and it covers now.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "ebb/config.hpp"
#include "ebb/job.hpp"
#include "ebb/planner.hpp"

namespace ebb::plugin {

// No source could decide: the job goes in unchanged. what() says why, for the warning line.
class DecisionUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One job as the plugin read it from the command line.
struct JobToPlan {
  PlanRequest request;                 // power_watts from this ebb.conf's power model
  JobRequest job;                      // for ebbd, which applies its own power model
  Policy policy;                       // this ebb.conf's policy, --carbon-objective applied
  std::optional<Objective> objective;  // the user's --carbon-objective, passed to ebbd
  // false: no --time; only ebbd, which knows the partition's DefaultTime (else MaxTime),
  // can plan, and request.time_limit is 0 until its decision says which limit it used.
  bool time_limit_given = true;
  // The job would run on another cluster (sbatch -M) than the one ebbd watches: ebbd's
  // capacity view and bookings are not that cluster's, so only its forecast for the region
  // is asked for (GET /v1/forecast) and the plan is made here, like the fallbacks'.
  bool forecast_only = false;
};

// The decision for the job. Its currency is filled from Config::currency when the source
// did not know one (a CSV forecast says nothing about its currency). A plan from ebbd is
// used only when it passes validate_plan() (ebb/plan_check.hpp) and is no older than
// MaxForecastAge. When ebbd was reachable but at fault (wrong DaemonUrl, an error or
// malformed answer, a refused or stale plan) and a fallback planned instead, *refused
// (when not null) says so, for one warning line.
Decision obtain_decision(const Config& config, const JobToPlan& job, std::string* refused);

}  // namespace ebb::plugin
