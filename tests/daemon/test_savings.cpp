// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd's savings counters and budget use (forecaster/ledger/savings_tracker.hpp), with the
// real ebbd process: a script stands in for sacct and answers a `sacct --json` document
// (the real-cluster tests read slurmdbd), the grid's actuals are a real history file.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <regex>
#include <string>

#include "ebb/budget.hpp"
#include "ebb/time.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using ebb::hours;
using ebb::parse_iso8601;
using ebb::test::Daemon;
using ebb::test::TempDir;

namespace {

const auto kNow = parse_iso8601("2026-11-23T10:00:00Z");

long long epoch(const char* iso) { return parse_iso8601(iso).time_since_epoch().count(); }

// One job of account physics that ebb deferred from 10:00 to 14:00 two days ago: 4 cores
// for 2 hours. Its plan record expected 120 against 280 gCO2/kWh and 40 against 100 EUR/MWh.
std::string sacct_json() {
  const std::string record = "ebb1:a=" + std::to_string(epoch("2026-11-21T10:00:00Z")) +
                             ",p=" + std::to_string(epoch("2026-11-21T14:00:00Z")) +
                             ",l=" + std::to_string(epoch("2026-11-21T20:00:00Z")) +
                             ",o=carbon,cp=100,cur=EUR,kwh=0.144,ci=120/280,pr=40/100,m=0,v=0.1.0";
  return R"({"jobs":[{"job_id":41,"name":"sim","user":"ann","account":"physics",)"
         R"("partition":"batch","state":{"current":"COMPLETED"},)"
         R"("comment":{"administrator":")" +
         record + R"("},"time":{"submission":)" + std::to_string(epoch("2026-11-21T10:00:00Z")) +
         R"(,"start":)" + std::to_string(epoch("2026-11-21T14:00:00Z")) + R"(,"end":)" +
         std::to_string(epoch("2026-11-21T16:00:00Z")) +
         R"(},"tres":{"allocated":[{"type":"cpu","name":null,"count":4},)"
         R"({"type":"node","name":null,"count":1}]}}]})";
}

// The recorded actuals: 300 gCO2/kWh and 100 EUR/MWh from 10:00 to 12:00 (as submitted),
// 100 and 40 from 14:00 to 16:00 (as run).
std::string history() {
  return "# ebbd history\n"
         "2026-11-21T10:00:00Z,300,100\n2026-11-21T11:00:00Z,300,100\n"
         "2026-11-21T14:00:00Z,100,40\n2026-11-21T15:00:00Z,100,40\n";
}

std::string config(const TempDir& dir) {
  const std::string conf = "CacheDir=" + dir.file("cache") +
                           "\nRefreshInterval=0:02\nStaleAfter=6:00:00\n"
                           "AccountingRefresh=0:01\nSacctCommand=" +
                           dir.file("sacct") + "\nSacctmgrCommand=" + dir.file("none") +
                           "\nAccountBudget=physics kgCO2=0.02 Period=month\n"
                           "RegionName=GB CarbonSource=file CarbonFile=" +
                           dir.file("provider.csv") + "\n";
  ebb::test::write_text(dir.file("ebb.conf"), conf);
  return dir.file("ebb.conf");
}

double sample(const Daemon& d, const std::string& s) {
  return ebb::test::metric(d.get("/metrics").body, s);
}

}  // namespace

TEST_CASE("ebbd counts realised and planned savings by account, across a restart", "[savings]") {
  TempDir dir;
  ebb::test::write_text(dir.file("provider.csv"),
                        ebb::test::synthetic_forecast_csv(kNow - hours(2), 30min, 96));
  ::mkdir(dir.file("cache").c_str(), 0755);
  ebb::test::write_text(dir.file("cache/GB.history"), history());
  ebb::test::write_text(dir.file("answer.json"), sacct_json());
  // Only the ledger's --json read gets jobs; the runtime learner's parsable read none.
  ebb::test::write_text(dir.file("sacct"), "#!/bin/sh\ncase \"$*\" in *--json*) cat " +
                                               dir.file("answer.json") + ";; esac\n");
  ::chmod(dir.file("sacct").c_str(), 0700);

  // Independently: 4 cores x 12 W x PUE 1.5 for 2 hours.
  const double kwh = 4 * 12 * 1.5 * 2 / 1000.0;
  const double saved_kg = kwh * (300 - 100) / 1000.0;
  const double saved_money = kwh * (100 - 40) / 1000.0;
  const double planned_kg = 0.144 * (280 - 120) / 1000.0;
  const double planned_money = 0.144 * (100 - 40) / 1000.0;
  const double used_kg = kwh * 100 / 1000.0;
  {
    Daemon ebbd(config(dir), dir.path(), {"--now", ebb::format_utc(kNow)});
    REQUIRE(ebb::test::wait_until(
        [&] { return sample(ebbd, R"(ebbd_savings_jobs_total{account="physics"})") == 1; }));
    CHECK(sample(ebbd, R"(ebbd_saved_kgco2_total{account="physics"})") == Approx(saved_kg));
    CHECK(sample(ebbd, R"(ebbd_saved_money_total{account="physics",currency="EUR"})") ==
          Approx(saved_money));
    CHECK(sample(ebbd, R"(ebbd_planned_saved_kgco2_total{account="physics"})") ==
          Approx(planned_kg));
    CHECK(sample(ebbd, R"(ebbd_planned_saved_money_total{account="physics",currency="EUR"})") ==
          Approx(planned_money));
    CHECK(sample(ebbd, R"(ebbd_budget_used_percent{account="physics",quantity="carbon"})") ==
          Approx(100 * used_kg / 0.02));

    // The plugin's view: November's use of physics, and ann's account.
    const ebb::BudgetFile f =
        ebb::parse_budget_file(ebb::test::read_text(dir.file("cache/budgets")), "budgets");
    REQUIRE(f.use.count("physics"));
    CHECK(f.use.at("physics").kgco2 == Approx(used_kg));
    CHECK(f.use.at("physics").kwh == Approx(kwh));
    CHECK(f.use.at("physics").from == parse_iso8601("2026-11-01T00:00:00Z"));
    CHECK(f.default_accounts.at("ann") == "physics");
    struct stat st {};
    REQUIRE(::stat(dir.file("cache/budgets").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);
    // Later rounds see the same job again and do not count it twice.
    REQUIRE(ebb::test::wait_until(
        [&] { return sample(ebbd, R"(ebbd_savings_read_total{result="success"})") >= 3; }));
    CHECK(sample(ebbd, R"(ebbd_savings_jobs_total{account="physics"})") == 1);
    // Every series the Grafana dashboard plots is one ebbd exports.
    const std::string dashboard =
        ebb::test::read_text(std::string(EBB_TEST_DATA_DIR) + "/../../contrib/grafana-ebb.json");
    const std::string exported = ebbd.get("/metrics").body;
    const std::regex name("ebbd_[a-z0-9_]+");
    std::size_t plotted = 0;
    for (std::sregex_iterator it(dashboard.begin(), dashboard.end(), name), end; it != end; ++it) {
      INFO(it->str());
      CHECK(exported.find("# TYPE " + it->str() + " ") != std::string::npos);
      ++plotted;
    }
    CHECK(plotted >= 6);
    CHECK(ebbd.stop() == 0);
  }
  // A restart continues the counters from CacheDir/savings.state, and still counts once.
  Daemon again(config(dir), dir.path(), {"--now", ebb::format_utc(kNow + 10min)});
  REQUIRE(ebb::test::wait_until(
      [&] { return sample(again, R"(ebbd_savings_read_total{result="success"})") >= 2; }));
  CHECK(sample(again, R"(ebbd_savings_jobs_total{account="physics"})") == 1);
  CHECK(sample(again, R"(ebbd_saved_kgco2_total{account="physics"})") == Approx(saved_kg));
}

TEST_CASE("ebbd says when it cannot read the accounting for savings, and keeps serving",
          "[savings]") {
  TempDir dir;
  ebb::test::write_text(dir.file("provider.csv"),
                        ebb::test::synthetic_forecast_csv(kNow - hours(2), 30min, 96));
  ebb::test::write_text(dir.file("sacct"), "#!/bin/sh\necho 'slurmdbd: down' >&2\nexit 1\n");
  ::chmod(dir.file("sacct").c_str(), 0700);
  Daemon ebbd(config(dir), dir.path(), {"--now", ebb::format_utc(kNow)});
  REQUIRE(ebb::test::wait_until(
      [&] { return sample(ebbd, R"(ebbd_savings_read_total{result="failure"})") >= 1; }));
  CHECK(ebb::test::wait_until([&] {
    const std::string log = ebb::test::read_text(dir.file("ebbd.log"));
    return log.find("savings: sacct failed") != std::string::npos &&
           log.find("slurmdbd: down") != std::string::npos;
  }));
  // No use known: no budgets file, so the plugin stays silent (fail open).
  struct stat st {};
  CHECK(::stat(dir.file("cache/budgets").c_str(), &st) != 0);
}
