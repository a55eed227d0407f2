// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/budget.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

#include "ebb/error.hpp"
#include "ebb/input.hpp"
#include "ebb/number_text.hpp"
#include "ebb/record_file.hpp"
#include "ebb/strings.hpp"

namespace ebb {
namespace {

TimePoint midnight(std::chrono::year_month_day ymd) {
  return std::chrono::time_point_cast<Duration>(std::chrono::sys_days{ymd});
}

TimePoint epoch(std::string_view s, const std::string& where) {
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    throw InputError(where + ": not a time in epoch seconds: " + in_quotes(s));
  return TimePoint{Duration{v}};
}

}  // namespace

BudgetPeriod parse_budget_period(std::string_view text) {
  const std::string t = lower(text);
  if (t == "month") return BudgetPeriod::month;
  if (t == "quarter") return BudgetPeriod::quarter;
  if (t == "year") return BudgetPeriod::year;
  throw InputError("expected month, quarter or year, got " + in_quotes(text));
}

const char* to_string(BudgetPeriod p) {
  switch (p) {
    case BudgetPeriod::month:
      return "month";
    case BudgetPeriod::quarter:
      return "quarter";
    case BudgetPeriod::year:
      return "year";
  }
  return "?";
}

OverBudget parse_over_budget(std::string_view text) {
  const std::string t = lower(text);
  if (t == "warn") return OverBudget::warn;
  if (t == "require-deadline") return OverBudget::require_deadline;
  throw InputError("expected warn or require-deadline, got " + in_quotes(text));
}

const char* to_string(OverBudget o) { return o == OverBudget::warn ? "warn" : "require-deadline"; }

BudgetWindow budget_window(BudgetPeriod period, TimePoint t) {
  using namespace std::chrono;
  static constexpr const char* kMonths[] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};
  const year_month_day ymd{floor<days>(t)};
  const year y = ymd.year();
  const unsigned m = static_cast<unsigned>(ymd.month());
  BudgetWindow w;
  switch (period) {
    case BudgetPeriod::month: {
      const year_month_day first{y, ymd.month(), day{1}};
      w.from = midnight(first);
      w.to = midnight(year_month_day{(year_month{y, ymd.month()} + months{1}) / day{1}});
      w.name = kMonths[m - 1];
      break;
    }
    case BudgetPeriod::quarter: {
      const unsigned q = (m - 1) / 3;  // 0-3
      const year_month start{y, month{q * 3 + 1}};
      w.from = midnight(start / day{1});
      w.to = midnight((start + months{3}) / day{1});
      w.name = "Q" + std::to_string(q + 1) + " " + std::to_string(static_cast<int>(y));
      break;
    }
    case BudgetPeriod::year:
      w.from = midnight(y / January / day{1});
      w.to = midnight((y + years{1}) / January / day{1});
      w.name = std::to_string(static_cast<int>(y));
      break;
  }
  return w;
}

BudgetStanding budget_standing(const AccountBudget& b, const BudgetUse& use) {
  BudgetStanding s;
  s.percent = -1;
  auto consider = [&](const std::optional<double>& limit, double used, const char* what) {
    if (!limit) return;
    const double pct = *limit > 0 ? 100.0 * used / *limit : (used > 0 ? 1e9 : 0);
    if (pct > s.percent) s = {pct, what};
  };
  consider(b.kgco2, use.kgco2, "carbon");
  consider(b.kwh, use.kwh, "energy");
  consider(b.money, use.money, "money");
  if (s.percent < 0) s.percent = 0;
  return s;
}

std::string budget_line(const std::string& account, const BudgetStanding& s,
                        const std::string& period_name) {
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.0f", std::floor(s.percent));
  std::string line = "account " + account + ": " + pct + " % of its " + period_name + " " +
                     s.quantity + " budget used";
  if (s.percent >= 100) line += " (over budget)";
  return line;
}

std::string encode_budget_file(const BudgetFile& f) {
  std::string out =
      "ebb-budgets 1\nas_of " + std::to_string(f.as_of.time_since_epoch().count()) + "\n";
  for (const auto& [account, u] : f.use)
    out += "use " + account + " " + std::to_string(u.from.time_since_epoch().count()) + " " +
           std::to_string(u.to.time_since_epoch().count()) + " " + format_exact(u.kgco2) + " " +
           format_exact(u.kwh) + " " + format_exact(u.money) + "\n";
  for (const auto& [user, account] : f.default_accounts)
    out += "user " + user + " " + account + "\n";
  return out;
}

BudgetFile parse_budget_file(std::string_view text, const std::string& source) {
  BudgetFile f;
  bool as_of = false;
  auto record = [&](const std::vector<std::string_view>& w, const std::string& where,
                    std::string_view line) {
    if (w[0] == "as_of" && w.size() == 2) {
      f.as_of = epoch(w[1], where);
      as_of = true;
    } else if (w[0] == "use" && w.size() == 7) {
      BudgetUse u{epoch(w[2], where), epoch(w[3], where), parse_number(w[4], where),
                  parse_number(w[5], where), parse_number(w[6], where)};
      f.use[std::string(w[1])] = u;
    } else if (w[0] == "user" && w.size() == 3) {
      f.default_accounts[std::string(w[1])] = std::string(w[2]);
    } else {
      throw InputError(where + ": unexpected line " + in_quotes(line));
    }
  };
  const bool header =
      for_each_record_line(text, source, "ebb-budgets", "1", "an ebb budgets file", record);
  if (!header || !as_of) throw InputError(source + ": incomplete budgets file (no as_of)");
  return f;
}

}  // namespace ebb
