// SPDX-License-Identifier: GPL-2.0-or-later
// The budget line sbatch prints for an account near or over its budget (ebb/budget.hpp):
//
//   ebb: account physics: 82 % of its December carbon budget used
//
// The use comes from CacheDir/budgets, which ebbd rewrites every AccountingRefresh. A
// missing, unreadable, stale or last-period file means the use is unknown: no line, and
// no requirement (fail open), with the reason in sbatch -v.
#pragma once

#include <optional>
#include <string>

#include "ebb/config.hpp"
#include "ebb/job.hpp"
#include "ebb/time.hpp"

namespace ebb::plugin {

struct BudgetNote {
  std::string account;
  std::string line;   // without the "ebb: " prefix; empty below BudgetWarnPercent
  bool over = false;  // at or past 100 % of a budgeted quantity
};

// Cheap when no AccountBudget is configured (returns at once). The account is the job's
// --account, else the user's default account as ebbd last saw it. Never throws.
std::optional<BudgetNote> budget_note(const Config& config, const JobRequest& job, TimePoint now);

}  // namespace ebb::plugin
