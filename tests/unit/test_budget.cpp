// SPDX-License-Identifier: GPL-2.0-or-later
// Budgets per account: ebb.conf's AccountBudget lines, periods, the
// sbatch line, and the CacheDir/budgets file ebbd writes for the plugin.
#include <catch2/catch.hpp>

#include "ebb/budget.hpp"
#include "ebb/config.hpp"
#include "ebb/error.hpp"

using namespace ebb;
using Catch::Matchers::Contains;

TEST_CASE("AccountBudget lines in ebb.conf", "[budget]") {
  const Config c = parse_config(
      "AccountBudget=physics kgCO2=500 Period=month\n"
      "AccountBudget=chem kWh=2000 money=300 period=Quarter\n"
      "BudgetWarnPercent=75 OverBudget=require-deadline\n",
      "ebb.conf");
  REQUIRE(c.budgets.size() == 2);
  const AccountBudget& p = c.budgets.at("physics");
  CHECK(p.kgco2 == Approx(500));
  CHECK_FALSE(p.kwh);
  CHECK(p.period == BudgetPeriod::month);
  CHECK(p.where == "ebb.conf line 1");
  const AccountBudget& ch = c.budgets.at("chem");
  CHECK(ch.kwh == Approx(2000));
  CHECK(ch.money == Approx(300));
  CHECK(ch.period == BudgetPeriod::quarter);
  CHECK(c.budget_warn_percent == Approx(75));
  CHECK(c.over_budget == OverBudget::require_deadline);
  // Defaults: warn from 80 %, never more than a warning.
  const Config d = parse_config("", "ebb.conf");
  CHECK(d.budgets.empty());
  CHECK(d.budget_warn_percent == Approx(80));
  CHECK(d.over_budget == OverBudget::warn);
}

TEST_CASE("bad AccountBudget lines name the file, line and key", "[budget]") {
  auto error_of = [](const char* text) {
    try {
      parse_config(text, "ebb.conf");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error_of("\nAccountBudget=physics Period=month\n"),
             Contains("ebb.conf line 2") && Contains("sets no budget"));
  CHECK_THAT(error_of("AccountBudget=physics kgCO2=lots\n"),
             Contains("ebb.conf line 1") && Contains("kgCO2") && Contains("not a number"));
  CHECK_THAT(error_of("AccountBudget=physics kgCO2=-5\n"), Contains("outside"));
  CHECK_THAT(error_of("AccountBudget=physics kgCO2=5 Period=week\n"),
             Contains("Period") && Contains("month, quarter or year"));
  CHECK_THAT(error_of("AccountBudget=physics kgCO2=5 WattsPerCore=3\n"),
             Contains("cannot be set on an AccountBudget line"));
  CHECK_THAT(error_of("AccountBudget=physics kgCO2=5\nAccountBudget=physics kWh=5\n"),
             Contains("ebb.conf line 2") && Contains("has a budget already"));
  CHECK_THAT(error_of("AccountBudget= kgCO2=5\n"), Contains("needs an account name"));
  CHECK_THAT(error_of("OverBudget=reject\n"),
             Contains("OverBudget") && Contains("warn or require-deadline"));
}

TEST_CASE("budget periods are UTC calendar months, quarters and years", "[budget]") {
  const TimePoint t = parse_iso8601("2026-12-07T20:00:00Z");
  const BudgetWindow m = budget_window(BudgetPeriod::month, t);
  CHECK(format_utc(m.from) == "2026-12-01T00:00:00Z");
  CHECK(format_utc(m.to) == "2027-01-01T00:00:00Z");
  CHECK(m.name == "December");
  const BudgetWindow q =
      budget_window(BudgetPeriod::quarter, parse_iso8601("2026-05-31T23:59:59Z"));
  CHECK(format_utc(q.from) == "2026-04-01T00:00:00Z");
  CHECK(format_utc(q.to) == "2026-07-01T00:00:00Z");
  CHECK(q.name == "Q2 2026");
  const BudgetWindow y = budget_window(BudgetPeriod::year, t);
  CHECK(format_utc(y.from) == "2026-01-01T00:00:00Z");
  CHECK(format_utc(y.to) == "2027-01-01T00:00:00Z");
  CHECK(y.name == "2026");
}

TEST_CASE("the budget line names the quantity closest to its limit", "[budget]") {
  AccountBudget b;
  b.kgco2 = 500;
  b.kwh = 1000;
  BudgetUse u;
  u.kgco2 = 412;
  u.kwh = 300;
  BudgetStanding s = budget_standing(b, u);
  CHECK(s.quantity == "carbon");
  CHECK(s.percent == Approx(82.4));
  CHECK(budget_line("physics", s, "December") ==
        "account physics: 82 % of its December carbon budget used");
  u.kwh = 1100;
  s = budget_standing(b, u);
  CHECK(s.quantity == "energy");
  CHECK(budget_line("physics", s, "December") ==
        "account physics: 110 % of its December energy budget used (over budget)");
}

TEST_CASE("the budgets file round-trips and rejects what it cannot read", "[budget]") {
  BudgetFile f;
  f.as_of = parse_iso8601("2026-12-07T20:00:00Z");
  f.use["physics"] = {parse_iso8601("2026-12-01T00:00:00Z"), parse_iso8601("2027-01-01T00:00:00Z"),
                      412.25, 1530.5, 210.125};
  f.default_accounts["alice"] = "physics";
  const BudgetFile g = parse_budget_file(encode_budget_file(f), "budgets");
  CHECK(g.as_of == f.as_of);
  REQUIRE(g.use.count("physics"));
  CHECK(g.use.at("physics").kgco2 == 412.25);
  CHECK(g.use.at("physics").money == 210.125);
  CHECK(g.use.at("physics").to == f.use["physics"].to);
  CHECK(g.default_accounts.at("alice") == "physics");
  CHECK_THROWS_WITH(parse_budget_file("hello\n", "budgets"),
                    Contains("budgets line 1") && Contains("not an ebb budgets file"));
  CHECK_THROWS_WITH(parse_budget_file("ebb-budgets 1\nas_of 5\nuse x 1 2 a 3 4\n", "budgets"),
                    Contains("budgets line 3") && Contains("not a number"));
  CHECK_THROWS_WITH(parse_budget_file("ebb-budgets 1\n", "budgets"), Contains("no as_of"));
}
