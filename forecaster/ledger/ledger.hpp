// SPDX-License-Identifier: GPL-2.0-or-later
// The savings ledger: what each job planned by ebb really cost the grid, and
// what the same job would have cost had it started when the user asked.
//
// Method (README, "For finance teams"): energy is sacct's ConsumedEnergyRaw where the
// site measures it, else the partition's power model times the real elapsed time
// (marked estimated). It is spread evenly over the run and weighted, hour by hour, by
// the grid's actual intensity and price that ebbd recorded (location-based, GHG
// Protocol scope 2). The counterfactual is the same energy over the same runtime from
// the start the user asked for (the plan record's a=); queueing is ignored.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ebb/config.hpp"
#include "ebb/plan_record.hpp"
#include "ebb/sacct_json.hpp"

namespace ebb::ledger {

// The grid's recorded actual for the hour containing a time, or nothing.
struct GridHour {
  double carbon = 0;        // gCO2e/kWh
  double price = kNoPrice;  // currency per MWh
};
using Actuals = std::function<std::optional<GridHour>(TimePoint)>;

// What the grid charged for `kwh` spread evenly over [from, to).
struct GridCost {
  double kgco2 = 0;
  double cost = 0;
  bool carbon_complete = true;  // false: some hour had no recorded intensity
  bool price_complete = true;   // false: some hour had no recorded price
};
GridCost grid_cost(const Actuals& actuals, TimePoint from, TimePoint to, double kwh);

enum class JobStatus {
  counted,        // finished (or running past the period) with its plan record
  never_started,  // planned, but cancelled or failed before it ran
  not_planned,    // no ebb record: not planned by ebb (or planned in explain mode)
  bad_record,     // an AdminComment with a corrupt ebb record: skipped
};
const char* to_string(JobStatus s);

struct LedgerEntry {
  AccountedJob job;
  JobStatus status = JobStatus::not_planned;
  std::string problem;  // why the record was skipped
  std::optional<PlanRecord> plan;
  double kwh = 0;
  bool energy_estimated = false;
  GridCost realised, as_submitted;
  double planned_kgco2_saved = 0;  // the plan's own estimate (forecast), for comparison
  Duration added_wait{0};          // actual start - asked start
  bool deferred() const { return plan && plan->deferred(); }
  // Both grid costs complete: the job's saving can be counted.
  bool carbon_known() const { return realised.carbon_complete && as_submitted.carbon_complete; }
  bool price_known() const { return realised.price_complete && as_submitted.price_complete; }
};

// One entry per job: its record found, its energy and both grid costs computed. `now`
// ends jobs that are still running.
LedgerEntry ledger_entry(AccountedJob job, const Config& config, const Actuals& actuals,
                         TimePoint now);

}  // namespace ebb::ledger
