// SPDX-License-Identifier: GPL-2.0-or-later
// The plan that travels with a job: a compact, versioned record that contrib/job_submit.lua
// stores in the job's AdminComment, so that it lives as long as Slurm's accounting does.
//
// Three readers need it after sbatch has returned: ebbd, to re-plan a deferred job without
// a database of its own (and after a restart); `ebb why JOBID`, to tell a user why the job
// waits; and the savings ledger, to set what was planned against what happened.
//
// The record is one token with no spaces, so that it can share AdminComment with a site's
// own text (it is found wherever it sits):
//
//   ebb1:a=1764800000,p=1764830000,d=1764900000,l=1764880000,o=carbon,cp=100,cur=EUR,
//        kwh=3.1,ci=142/289,pr=51.2/88.7,m=0,v=0.1.0
//
//   a   the start the user asked for (submit time, or their --begin), epoch seconds
//   p   the start ebb planned (== a when the job was not deferred)
//   d   the latest finish (--carbon-deadline or --deadline); absent without one
//   l   the latest start the deadline allows
//   o   objective; cp carbon price per tonne; cur currency ("" when prices are unknown)
//   kwh estimated energy; ci forecast gCO2/kWh at p / at a; pr forecast price per MWh
//       at p / at a ("nan" when unknown)
//   m   how many times ebbd has moved the job since sbatch (re-planning)
//   v   the ebb version that made the plan
//
// Unknown keys are ignored (a later minor version may add some); a different major tag
// ("ebb2:") is not this record. It stays under kMaxPlanRecordBytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ebb/plan_query.hpp"
#include "ebb/planner.hpp"
#include "ebb/time.hpp"

namespace ebb {

inline constexpr std::string_view kPlanRecordTag = "ebb1:";
inline constexpr std::size_t kMaxPlanRecordBytes = 200;

struct PlanRecord {
  TimePoint asked;                    // the start the user asked for
  TimePoint planned;                  // ebb's start
  std::optional<TimePoint> deadline;  // latest finish
  TimePoint latest_start;
  Objective objective = Objective::balanced;
  double carbon_price = 0;
  std::string currency;
  double kwh = 0;
  double carbon_planned = 0, carbon_asked = 0;              // gCO2e/kWh (forecast)
  double price_planned = kNoPrice, price_asked = kNoPrice;  // currency/MWh (forecast)
  std::uint32_t moves = 0;
  std::string version;

  bool deferred() const { return planned > asked; }
};

// The record of a decision the plugin (or ebbd) has just made for a query.
PlanRecord plan_record_for(const Decision& decision, const PlanQuery& query, const Policy& policy,
                           std::string_view version);

// "ebb1:..." with no spaces, at most kMaxPlanRecordBytes (numbers are rounded to fit).
std::string encode_plan_record(const PlanRecord& record);

// Finds the record in an AdminComment (or any text). nullopt when there is none; throws
// InputError naming the key when a record is there but malformed.
std::optional<PlanRecord> find_plan_record(std::string_view text);

// `text` with its ebb record replaced by `record` (appended after a space when it had
// none), for ebbd's moves. Throws InputError when the result would not fit `max_bytes`.
std::string with_plan_record(std::string_view text, const PlanRecord& record,
                             std::size_t max_bytes = 1024);

}  // namespace ebb
