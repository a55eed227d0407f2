// SPDX-License-Identifier: GPL-2.0-or-later
// Carbon, energy and money budgets per Slurm account:
//
//     AccountBudget=physics kgCO2=500 kWh=2000 money=300 Period=month
//     BudgetWarnPercent=80          # the sbatch line appears from here
//     OverBudget=warn               # or require-deadline
//
// Use is what the savings ledger counts (ledger.hpp): the realised kgCO2e, kWh and money of
// the account's jobs that ebb planned and that started in the period (a running job up to
// now). Periods are UTC calendar months, quarters and years, as `ebb report`'s months.
//
// ebbd computes the use on each accounting refresh and writes it to CacheDir/budgets
// (format below, readable by everyone, replaced atomically); the plugin reads that file,
// as it reads the forecast cache, so the line costs sbatch one small local read and no
// round trip. When the file is missing, stale (older than kMaxBudgetAge) or for another
// period, the use is unknown and the plugin says nothing (fail open).
//
//   ebb-budgets 1
//   as_of 1764800000
//   use physics 1764547200 1767225600 412.5 1530 210.2     account, period from, to, kgCO2e,
//                                                          kWh, money
//   user alice physics                                     user, default account (sacctmgr)
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ebb/time.hpp"

namespace ebb {

enum class BudgetPeriod { month, quarter, year };
enum class OverBudget { warn, require_deadline };

struct AccountBudget {
  std::string account;
  std::optional<double> kgco2, kwh, money;  // at least one is set
  BudgetPeriod period = BudgetPeriod::month;
  std::string where;  // "ebb.conf line 7", for messages
};

BudgetPeriod parse_budget_period(std::string_view text);  // throws InputError
const char* to_string(BudgetPeriod p);
OverBudget parse_over_budget(std::string_view text);  // throws InputError
const char* to_string(OverBudget o);

// The UTC calendar period containing `t`, and its name for people: "December",
// "Q4 2026", "2026".
struct BudgetWindow {
  TimePoint from, to;
  std::string name;
};
BudgetWindow budget_window(BudgetPeriod period, TimePoint t);

// An account's use over one window.
struct BudgetUse {
  TimePoint from, to;
  double kgco2 = 0, kwh = 0, money = 0;
};

// Where the use stands against the budget: the largest share of any budgeted quantity.
struct BudgetStanding {
  double percent = 0;
  std::string quantity;  // "carbon", "energy", "money"
};
BudgetStanding budget_standing(const AccountBudget& budget, const BudgetUse& use);

// "account physics: 82 % of its December carbon budget used" (with " (over budget)" from
// 100 %).
std::string budget_line(const std::string& account, const BudgetStanding& s,
                        const std::string& period_name);

// The file ebbd writes and the plugin reads.
inline constexpr const char* kBudgetFileName = "budgets";
inline constexpr Duration kMaxBudgetAge = hours(24);
struct BudgetFile {
  TimePoint as_of;
  std::map<std::string, BudgetUse> use;                 // by account
  std::map<std::string, std::string> default_accounts;  // by user
};
std::string encode_budget_file(const BudgetFile& f);
// Throws InputError naming `source` and the line.
BudgetFile parse_budget_file(std::string_view text, const std::string& source);

}  // namespace ebb
