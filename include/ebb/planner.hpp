// SPDX-License-Identifier: GPL-2.0-or-later
// The planner: when should a job start so that it emits least and costs least while
// still finishing before its deadline?
//
// cost(start) = energy x mean over [start, start + runtime) of
//                 (carbon intensity x carbon weight + price x price weight)
// The objective picks the weights: carbon (1, 0), cost (0, 1), or balanced, where one
// gram of CO2 is worth carbon_price / 1e6 (carbon_price is per tonne) and one kWh
// costs price / 1000. The planner returns the exact optimum over all starts on the
// one-minute grid (the earliest allowed start, then every whole clock minute) with
// start + time_limit <= deadline; ties go to the earliest start. It runs in time
// linear in the number of forecast slots (see planner.cpp for the argument).
//
// Time the forecast does not cover counts at the forecast's highest value in the
// window's range, so ebb never bets a job on hours it knows nothing about.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ebb/capacity.hpp"
#include "ebb/energy.hpp"
#include "ebb/job.hpp"
#include "ebb/signal.hpp"
#include "ebb/time.hpp"

namespace ebb {

enum class Objective { carbon, cost, balanced };

// "carbon", "cost", "balanced" in any case; throws InputError on anything else.
Objective parse_objective(std::string_view text);
const char* to_string(Objective o);

struct Policy {
  Objective objective = Objective::balanced;
  double carbon_price = 100.0;      // currency per tonne CO2e, for balanced
  double min_saving_percent = 5.0;  // do not defer for less than this
  // Error-aware plans: the carbon intensity the planner minimises is the forecast plus
  // error_weight x the measured mean absolute error at each hour's lead time
  // (PlanRequest::error_by_lead), so a far start must beat a near one by more than the
  // forecast's extra error out there. 0: plan on the forecast alone.
  double error_weight = 0;
};

struct PlanRequest {
  TimePoint now;
  std::optional<TimePoint> earliest_start;   // the user's --begin, if later than now
  std::optional<TimePoint> deadline;         // latest finish
  std::optional<Duration> max_delay;         // latest start = earliest + max_delay
  Duration time_limit{3600};                 // hard: start + time_limit <= deadline
  std::optional<Duration> expected_runtime;  // shapes the cost; defaults to time_limit
  double power_watts = 0;                    // from PowerModel::watts
  // The forecast's measured MAE (gCO2e/kWh) per lead bucket of ForecastErrorTracker::kBucket
  // from `now` (ForecastErrorTracker::mae_by_lead; NaN: not measured). Used with
  // Policy::error_weight; empty: no penalty.
  std::vector<double> error_by_lead;
};

// Emissions and money of running the job from a given start.
struct Impact {
  TimePoint start;
  double mean_carbon = 0;        // gCO2e/kWh over the runtime
  double mean_price = kNoPrice;  // currency/MWh over the runtime, NaN if no prices
  double grams_co2 = 0;
  double cost = kNoPrice;  // currency for the electricity, NaN if no prices
  double objective = 0;    // the value minimised, in objective units
  double covered = 1.0;    // share of the runtime the forecast covers
};

struct Decision {
  bool defer = false;      // true: hold the job until `start`
  TimePoint start;         // the chosen start (== earliest allowed when not deferred)
  TimePoint latest_start;  // the last start the deadline allows
  double energy_kwh = 0;
  Impact chosen;    // at `start`
  Impact baseline;  // at the earliest allowed start (normally now)
  Objective objective = Objective::balanced;
  std::string currency;
  std::string reason;   // one short sentence: why this start
  Duration runtime{0};  // the runtime the plan assumed: the expected one, else the limit
  // The time limit the plan was made for: the job's, or the one ebbd took from slurmctld
  // for a job without one (limit_basis says which), which the plugin then checks against.
  Duration time_limit{0};
  // Where an expected runtime came from ("23 similar jobs"), when ebbd predicted it from
  // the site's history; empty otherwise.
  std::string runtime_basis;
  // Where the time limit came from when the job gave none ("partition debug's DefaultTime
  // 20m"), when ebbd took it from slurmctld's partition settings; empty otherwise.
  std::string limit_basis;
  // Where the power behind energy_kwh came from ("power measured on 41 jobs"), when ebbd
  // calibrated it from the energy Slurm measured; empty: the configured power model.
  std::string power_basis;
  // Savings, chosen against baseline; positive is better.
  double saved_grams() const { return baseline.grams_co2 - chosen.grams_co2; }
  double saved_cost() const { return baseline.cost - chosen.cost; }
};

// Plans one job. Throws InputError when the request cannot be met at all (the
// deadline is earlier than the earliest start plus the time limit). An empty
// forecast, or one that covers none of the window, gives a non-deferring decision
// with a reason.
//
// `forbidden` (sorted, disjoint) are starts the job may not be deferred to, because
// its partition has no room then (PartitionLoad::forbidden_starts). The earliest
// allowed start always stays allowed. The optimum is exact over the remaining starts.
Decision plan(const PlanRequest& request, const SignalSeries& forecast, const Policy& policy,
              const std::vector<Interval>& forbidden = {});

// The objective rate (per hour of one kW) of a slot under a policy; the planner's
// integrand, exposed for tests and the replay.
double objective_rate(const Slot& slot, const Policy& policy, bool prices_known);

}  // namespace ebb
