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
#include "ebb/plan_query.hpp"
#include "ebb/planner.hpp"

namespace ebb::plugin {

// No source could decide: the job goes in unchanged. what() says why, for the warning line.
class DecisionUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What to ask ebbd: the plan, or (for a job bound for another cluster than the one ebbd
// watches, whose capacity view and bookings are not that cluster's) only its forecast for
// the region (GET /v1/forecast), planned here like the fallbacks.
enum class Ask { plan, forecast };

// The decision for the job as the plugin read it from the command line, with its region
// (empty: ebbd's default) and `now` set. ebbd applies its own power model and policy and
// names its currency; the plans made here use plan_locally() with this ebb.conf's, whose
// Currency= names the currency when the forecast does not (a CSV forecast says nothing
// about its currency). A plan from ebbd is
// used only when it passes validate_plan() (ebb/plan_check.hpp) and is no older than
// MaxForecastAge. When ebbd was reachable but at fault (wrong DaemonUrl, an error or
// malformed answer, a refused or stale plan) and a fallback planned instead, *refused
// (when not null) says so, for one warning line.
Decision obtain_decision(const Config& config, const PlanQuery& query, Ask ask,
                         std::string* refused);

}  // namespace ebb::plugin
