// SPDX-License-Identifier: GPL-2.0-or-later
#include "budget_use.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "ebb/decision_text.hpp"

namespace ebb::ledger {

Totals account_totals(const std::vector<LedgerEntry>& entries, const std::string& account,
                      TimePoint from, TimePoint to) {
  Totals t;
  for (const LedgerEntry& e : entries) {
    if (e.job.account != account) continue;
    const TimePoint when = e.job.start.value_or(e.job.submit);
    if (when >= from && when < to) t.add(e);
  }
  return t;
}

BudgetUse budget_use(const Totals& t, TimePoint from, TimePoint to) {
  return BudgetUse{from, to, t.kgco2, t.kwh, t.cost};
}

std::vector<BudgetRow> budget_rows(const std::vector<LedgerEntry>& entries, const Config& config,
                                   TimePoint from, TimePoint to) {
  std::vector<BudgetRow> rows;
  for (const auto& [account, budget] : config.budgets) {
    for (TimePoint t = from; t < to;) {
      BudgetRow row;
      row.budget = &budget;
      row.window = budget_window(budget.period, t);
      const TimePoint a = std::max(from, row.window.from), b = std::min(to, row.window.to);
      row.partial = a > row.window.from || b < row.window.to;
      row.totals = account_totals(entries, account, a, b);
      row.standing = budget_standing(budget, budget_use(row.totals, a, b));
      rows.push_back(std::move(row));
      t = rows.back().window.to;
    }
  }
  return rows;
}

std::string format_budget_table(const std::vector<BudgetRow>& rows, const std::string& currency) {
  if (rows.empty()) return "";
  std::string out = "\nBudgets (use by jobs ebb planned, in the period they started in):\n";
  char line[512];
  std::snprintf(line, sizeof line, "  %-16s %-14s %-28s %-28s %-22s %s\n", "account", "period",
                "kgCO2e used / budget", "kWh used / budget", "money used / budget", "used");
  out += line;
  for (const BudgetRow& r : rows) {
    auto cell = [](double used, const std::optional<double>& limit) {
      return limit ? amount(used) + " / " + amount(*limit) : amount(used) + " / -";
    };
    const std::string period =
        r.window.name +
        (r.budget->period == BudgetPeriod::month ? " " + format_utc(r.window.from).substr(0, 4)
                                                 : std::string()) +
        (r.partial ? "*" : "");
    std::snprintf(
        line, sizeof line, "  %-16s %-14s %-28s %-28s %-22s %.0f %% (%s)%s\n",
        r.budget->account.c_str(), period.c_str(), cell(r.totals.kgco2, r.budget->kgco2).c_str(),
        cell(r.totals.kwh, r.budget->kwh).c_str(),
        (cell(r.totals.cost, r.budget->money) + " " + currency).c_str(), r.standing.percent,
        r.standing.quantity.c_str(), r.standing.percent >= 100 ? " over budget" : "");
    out += line;
  }
  if (std::any_of(rows.begin(), rows.end(), [](const BudgetRow& r) { return r.partial; }))
    out += "  * the report covers only part of this period\n";
  return out;
}

std::string format_budget_json(const std::vector<BudgetRow>& rows) {
  nlohmann::json a = nlohmann::json::array();
  for (const BudgetRow& r : rows) {
    auto opt = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nullptr; };
    a.push_back({{"account", r.budget->account},
                 {"period", r.window.name},
                 {"from", format_utc(r.window.from)},
                 {"to", format_utc(r.window.to)},
                 {"partial", r.partial},
                 {"percent", r.standing.percent},
                 {"quantity", r.standing.quantity},
                 {"kgco2", r.totals.kgco2},
                 {"kgco2_budget", opt(r.budget->kgco2)},
                 {"kwh", r.totals.kwh},
                 {"kwh_budget", opt(r.budget->kwh)},
                 {"money", r.totals.cost},
                 {"money_budget", opt(r.budget->money)},
                 {"no_grid_data", r.totals.no_grid_data}});
  }
  return a.dump(2);
}

}  // namespace ebb::ledger
