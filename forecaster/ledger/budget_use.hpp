// SPDX-License-Identifier: GPL-2.0-or-later
// Budgets against the ledger (ebb/budget.hpp): what each budgeted account used in each of
// its budget periods, counted as `ebb report` counts (report.hpp's Totals: jobs ebb
// planned, in the period they started in; kgCO2e and money only where the grid data is
// complete). Shared by `ebb report` and ebbd, so that the sbatch line and the report
// can never disagree on the method.
#pragma once

#include <string>
#include <vector>

#include "ebb/budget.hpp"
#include "ebb/config.hpp"
#include "report.hpp"

namespace ebb::ledger {

// The totals of `account`'s entries that started in [from, to).
Totals account_totals(const std::vector<LedgerEntry>& entries, const std::string& account,
                      TimePoint from, TimePoint to);
BudgetUse budget_use(const Totals& t, TimePoint from, TimePoint to);

struct BudgetRow {
  const AccountBudget* budget = nullptr;
  BudgetWindow window;
  bool partial = false;  // the report's period covers only part of the window
  Totals totals;
  BudgetStanding standing;
};

// One row per budgeted account and budget period that meets [from, to), counting only the
// part of the period inside [from, to).
std::vector<BudgetRow> budget_rows(const std::vector<LedgerEntry>& entries, const Config& config,
                                   TimePoint from, TimePoint to);

// "Budgets" section of the table: account, period, used, budget, percent.
std::string format_budget_table(const std::vector<BudgetRow>& rows, const std::string& currency);
// The same as JSON: [{"account", "period", "from", "to", "partial", "percent", "quantity",
// "kgco2", "kgco2_budget", ...}].
std::string format_budget_json(const std::vector<BudgetRow>& rows);

}  // namespace ebb::ledger
