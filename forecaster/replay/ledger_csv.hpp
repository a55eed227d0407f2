// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb replay --ledger FILE`: the replay's per-job ledger, in the shape of `ebb report
// --by job` (the reconciliation finance asks for), so that finance can read a what-if the way
// they read the real report.
//
// One row per job of the `ebb` policy. "As submitted" is the same job in the `baseline`
// run (started when its user asked, then queued like any other), so the columns add up to
// the replay's totals: sum(kgco2) is ebb's kg_co2, sum(kgco2_as_submitted) is baseline's,
// and likewise for kWh and cost.
#pragma once

#include <string>

#include "engine.hpp"

namespace ebb::replay {

// The ledger header, in column order.
inline constexpr const char* kLedgerHeader =
    "job,user,account,partition,submit,planned_start,start,end,deferred,kwh,kgco2,"
    "kgco2_as_submitted,cost,cost_as_submitted,currency,added_wait_h";

// Throws InputError when the run has no `ebb` or no `baseline` policy.
std::string format_ledger_csv(const ReplayResult& r);

}  // namespace ebb::replay
