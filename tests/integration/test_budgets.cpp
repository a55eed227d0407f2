// SPDX-License-Identifier: GPL-2.0-or-later
// Budgets per account against Slurm's real accounting: ebbd reads what
// account root's jobs used from slurmdbd and writes CacheDir/budgets; sbatch prints the
// budget line, and with OverBudget=require-deadline refuses, with the reason, a job that
// gives ebb no room to defer it. Its own accounted cluster (slurmdbd + MariaDB) and ctest
// entry, integration_budgets.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>

#include "daemon_harness.hpp"
#include "ebb/budget.hpp"
#include "ebb/forecast_file.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::test;
namespace fs = std::filesystem;

namespace {

Cluster& budget_cluster() {
  static std::unique_ptr<Cluster> shared;
  if (!shared) {
    Cluster::Settings s;
    s.with_accounting = true;
    shared = std::make_unique<Cluster>(s);
  }
  shared->cancel_all();
  shared->write_plugstack(true);
  return *shared;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("sbatch says how much of its budget an account used, from slurmdbd via ebbd",
          "[slurm][budgets]") {
  Cluster& c = budget_cluster();
  const fs::path dir = c.dir() / "budgets";
  fs::create_directories(dir);
  // A flat forecast from this hour: plans start at once, and ebbd records the hours as run.
  const std::string forecast = (dir / "forecast.csv").string();
  {
    std::ofstream out(forecast);
    out << to_forecast_csv(hourly(this_hour(), std::vector<double>(30, 400.0)));
  }
  const fs::path cache = dir / "cache";
  // 100 W a core, so one core for a few seconds uses well over the 0.00001 kWh budget.
  const std::string conf = "CacheDir=" + cache.string() +
                           "\nDaemonAuth=none\nWattsPerCore=100\nWattsPerGB=0\nPUE=1\n"
                           "AccountingRefresh=0:01\nAccountingDays=1\n"
                           "AccountBudget=root kWh=0.00001 Period=month\n"
                           "Region=site\nRegionName=site CarbonSource=file CarbonFile=" +
                           forecast + "\n";
  {
    std::ofstream out(dir / "ebbd.conf");
    out << conf;
  }
  EbbdProcess ebbd((dir / "ebbd.conf").string(), dir.string(), {{"SLURM_CONF", c.slurm_conf()}});
  INFO("ebbd's log:\n" << ebbd.log());
  // Plans need ebbd's first forecast (until then it answers 503 and the job goes in unplanned).
  REQUIRE(wait_for(
      [&] { return ebbd.get("/v1/forecast?region=site").find("\"slots\"") != std::string::npos; },
      std::chrono::seconds(30)));
  c.write_ebb_conf(conf + "DaemonUrl=" + ebbd.url() + "\nDaemonTimeout=10000\n");

  // A job ebb plans (not deferred: the forecast is flat) runs and finishes in root's default
  // account, root (no --account: the plugin learns it from ebbd's file).
  auto first = c.command({"sbatch", "--time=1", "--carbon-deadline=now+1hour", "--output=/dev/null",
                          "--chdir=/tmp", "--wrap", "sleep 3"},
                         std::chrono::seconds(30), {{"USER", "root"}});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  REQUIRE(first.err.find("ebb: not deferred: now is already the best start") != std::string::npos);
  const std::string id = submitted_job_id(first.out);
  REQUIRE(c.wait_until_finished(id, std::chrono::seconds(120)) == "COMPLETED");

  // ebbd's next rounds find it in slurmdbd: the account's use this month, root's account.
  const fs::path file = cache / kBudgetFileName;
  BudgetFile budgets;
  const bool seen = wait_for(
      [&] {
        if (!fs::exists(file)) return false;
        budgets = parse_budget_file(read_all(file), file.string());
        return budgets.use.count("root") && budgets.use.at("root").kwh > 0;
      },
      std::chrono::seconds(60));
  if (!seen) FAIL("no use for account root; ebbd's log:\n" << ebbd.log() << "\n" << read_all(file));
  CHECK(budgets.default_accounts.at("root") == "root");  // sacctmgr's default
  const double percent = 100 * budgets.use.at("root").kwh / 0.00001;
  REQUIRE(percent > 100);

  // Every job of the account is told, planned or not; over budget it is only a warning.
  auto plain =
      c.command({"sbatch", "--time=1", "--output=/dev/null", "--chdir=/tmp", "--wrap", "true"},
                std::chrono::seconds(30), {{"USER", "root"}});
  INFO(plain.err);
  REQUIRE(plain.exit_code == 0);
  const std::regex line("ebb: account root: ([0-9]+) % of its " +
                        budget_window(BudgetPeriod::month, now_utc()).name +
                        " energy budget used \\(over budget\\)");
  std::smatch m;
  const auto said = ebb_lines(plain.err);
  REQUIRE(said.size() == 1);
  REQUIRE(std::regex_match(said[0], m, line));
  // The same use as ebbd's file (more jobs may have finished since: never less).
  CHECK(std::stod(m[1]) >= std::floor(percent));

  // The admin's choice: over budget, a job must carry a deadline so ebb can defer it.
  c.write_ebb_conf(conf + "DaemonUrl=" + ebbd.url() +
                   "\nDaemonTimeout=10000\nOverBudget=require-deadline\n");
  auto refused =
      c.command({"sbatch", "--time=1", "--output=/dev/null", "--chdir=/tmp", "--wrap", "true"},
                std::chrono::seconds(30), {{"USER", "root"}});
  INFO(refused.err);
  CHECK(refused.exit_code != 0);
  CHECK(submitted_job_id(refused.out).empty());
  CHECK(refused.err.find("ebb: error: account root is over its budget") != std::string::npos);
  CHECK(refused.err.find("--carbon-deadline") != std::string::npos);
  auto with_deadline = c.command({"sbatch", "--time=1", "--carbon-deadline=now+1hour",
                                  "--output=/dev/null", "--chdir=/tmp", "--wrap", "true"},
                                 std::chrono::seconds(30), {{"USER", "root"}});
  INFO(with_deadline.err);
  CHECK(with_deadline.exit_code == 0);

  // Unknown use (no file from ebbd): nothing said, nothing required (fail open).
  ebbd.kill();
  fs::remove(file);
  auto unknown =
      c.command({"sbatch", "--time=1", "--output=/dev/null", "--chdir=/tmp", "--wrap", "true"},
                std::chrono::seconds(30), {{"USER", "root"}});
  INFO(unknown.err);
  CHECK(unknown.exit_code == 0);
  CHECK(unknown.err.find("budget") == std::string::npos);
  // A file that is not ebbd's (corrupt, or a year old): the same.
  for (const std::string& text :
       {std::string("garbage\n"),
        "ebb-budgets 1\nas_of " +
            std::to_string((now_utc() - hours(24 * 365)).time_since_epoch().count()) +
            "\nuser root root\n"}) {
    {
      std::ofstream out(file);
      out << text;
    }
    auto r =
        c.command({"sbatch", "--time=1", "--output=/dev/null", "--chdir=/tmp", "--wrap", "true"},
                  std::chrono::seconds(30), {{"USER", "root"}});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("budget") == std::string::npos);
  }
  c.cancel_all();
}
