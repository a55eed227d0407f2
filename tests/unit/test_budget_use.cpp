// SPDX-License-Identifier: GPL-2.0-or-later
// Budget use from ledger entries (forecaster/ledger/budget_use.hpp), as `ebb report` and
// ebbd count it: jobs ebb planned, by the period they started in, per account.
#include <catch2/catch.hpp>

#include "budget_use.hpp"
#include "ebb/config.hpp"

using namespace ebb;
using namespace ebb::ledger;
using Catch::Matchers::Contains;

namespace {

LedgerEntry entry(const std::string& account, const char* start, double kwh, double kg,
                  double cost) {
  LedgerEntry e;
  e.status = JobStatus::counted;
  e.job.account = account;
  e.job.start = parse_iso8601(start);
  e.job.submit = *e.job.start;
  e.kwh = kwh;
  e.realised.kgco2 = kg;
  e.realised.cost = cost;
  e.as_submitted = e.realised;
  return e;
}

}  // namespace

TEST_CASE("budget rows: use per account and period, partial periods marked", "[budget]") {
  const Config config = parse_config(
      "AccountBudget=physics kgCO2=10 Period=month\nAccountBudget=chem kWh=100 Period=quarter\n",
      "ebb.conf");
  std::vector<LedgerEntry> entries{
      entry("physics", "2026-11-03T10:00:00Z", 5, 4, 1),
      entry("physics", "2026-11-20T10:00:00Z", 5, 5, 1),
      entry("physics", "2026-12-02T10:00:00Z", 5, 2, 1),  // December
      entry("chem", "2026-11-05T10:00:00Z", 30, 1, 1),
      entry("other", "2026-11-05T10:00:00Z", 300, 100, 1),  // no budget
  };
  LedgerEntry not_planned = entry("physics", "2026-11-04T10:00:00Z", 50, 50, 5);
  not_planned.status = JobStatus::not_planned;
  entries.push_back(not_planned);

  const auto rows = budget_rows(entries, config, parse_iso8601("2026-11-01T00:00:00Z"),
                                parse_iso8601("2026-12-15T00:00:00Z"));
  // chem: Q4 (partial: the report ends mid-December); physics: November, December (partial).
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].budget->account == "chem");
  CHECK(rows[0].window.name == "Q4 2026");
  CHECK(rows[0].partial);
  CHECK(rows[0].standing.percent == Approx(30));
  CHECK(rows[0].standing.quantity == "energy");
  CHECK(rows[1].window.name == "November");
  CHECK_FALSE(rows[1].partial);
  CHECK(rows[1].totals.kgco2 == Approx(9));  // the job ebb did not plan is not counted
  CHECK(rows[1].standing.percent == Approx(90));
  CHECK(rows[2].window.name == "December");
  CHECK(rows[2].partial);
  CHECK(rows[2].totals.kgco2 == Approx(2));

  const std::string table = format_budget_table(rows, "EUR");
  CHECK_THAT(table, Contains("physics") && Contains("90 % (carbon)") && Contains("9.0 / 10 "));
  CHECK_THAT(format_budget_json(rows), Contains("\"kgco2_budget\": 10.0"));
  CHECK(format_budget_table({}, "EUR").empty());
}
