// SPDX-License-Identifier: GPL-2.0-or-later
// What ebbd knows of slurmctld, and the user's view of it, on a real cluster: ebbd plans a job
// without a time limit with slurmctld's DefaultTime of the default partition (asked directly and
// through sbatch); a job deferred through sbatch (its plan record kept in AdminComment by
// contrib/job_submit.lua) is explained by `ebb why` and listed by `ebb queue --json` (root on
// ebbd's Unix socket sees job ids).
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "daemon_harness.hpp"
#include "ebb/daemon_client.hpp"
#include "ebb/forecast_file.hpp"
#include "process.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::test;
using namespace std::chrono_literals;

TEST_CASE(
    "a job without --time is planned with the partition's DefaultTime; ebb why and ebb queue "
    "explain a deferred job",
    "[slurm][daemon][views]") {
  namespace fs = std::filesystem;
  Cluster::Settings settings;
  settings.cpus = 4;
  settings.partition_options = "DefaultTime=20";
  Cluster c(settings);
  const fs::path dir = c.dir() / "views";
  fs::create_directories(dir);
  const TimePoint h0 = this_hour();
  std::vector<double> carbon(30, 400.0);
  carbon[3] = 100.0;  // one clean hour, three hours ahead
  const std::string forecast = (dir / "forecast.csv").string();
  write_file(forecast, to_forecast_csv(hourly(h0, carbon)));
  const std::string conf = "CacheDir=" + (dir / "cache").string() +
                           "\nRefreshInterval=0:02\nObjective=carbon\nMinSavingPercent=1\n"
                           "ClusterRefresh=0:01\nRegion=site\n"
                           "RegionName=site CarbonSource=file CarbonFile=" +
                           forecast + "\n";
  write_file((dir / "ebbd.conf").string(), conf);
  const std::string socket = (dir / "ebbd.sock").string();
  EbbdProcess ebbd((dir / "ebbd.conf").string(), dir.string(), {{"SLURM_CONF", c.slurm_conf()}},
                   "unix:" + socket);
  INFO("ebbd's log:\n" << ebbd.log());
  REQUIRE(wait_for(
      [&] {  // (EbbdProcess::get speaks TCP only)
        auto q = fetch_queue_from_daemon(ebbd.url(), "", "", 2s, nullptr);
        return q && q->cluster_state == "ok" && q->forecast && !q->partitions.empty();
      },
      30s));
  c.write_ebb_conf(conf + "DaemonUrl=" + ebbd.url() + "\nDaemonTimeout=10000\n");

  // 1. No time limit, no partition: debug's DefaultTime (20 minutes), and the plan says so.
  PlanQuery q;
  q.time_limit_given = false;
  q.max_delay = hours(12);
  ebb::DaemonError error;
  auto d = ask_daemon_for_plan(ebbd.url(), q, 10s, &error);
  INFO(error.message);
  REQUIRE(d);
  CHECK(d->runtime == minutes(20));
  CHECK(d->limit_basis == "partition debug's DefaultTime " + format_duration(minutes(20)));

  // The plugin asks ebbd for a job without --time; Slurm gives the job the same limit.
  auto untimed = sbatch(c, {"--carbon-deadline=now+12hours", "--wrap", "true"});
  INFO(untimed.result.err);
  REQUIRE(untimed.result.exit_code == 0);
  REQUIRE(untimed.ebb_lines.size() == 1);
  CHECK(untimed.ebb_lines[0].rfind("ebb: deferred to ", 0) == 0);
  CHECK(untimed.ebb_lines[0].find("(limit: partition debug's DefaultTime " +
                                  format_duration(minutes(20)) + ")") != std::string::npos);
  CHECK(c.job(untimed.job_id).at("TimeLimit") == "00:20:00");

  // 2. A deferred job: the plugin plans it, job_submit.lua keeps the record.
  auto s = sbatch(c, {"--time=1:00:00", "--carbon-deadline=now+12hours", "--job-name=why-me",
                      "--wrap", "true"});
  INFO(s.result.err);
  REQUIRE(s.result.exit_code == 0);
  auto job = c.job(s.job_id);
  REQUIRE(job.at("Reason") == "BeginTime");
  const TimePoint begin = from_slurm_local(job.at("EligibleTime"));
  CHECK(job.at("AdminComment").rfind("ebb1:", 0) == 0);

  const auto env = child_environment({{"SLURM_CONF", c.slurm_conf()}});
  auto why = run({EBB_PATH, "why", s.job_id}, env);
  INFO(why.out << why.err);
  CHECK(why.exit_code == 0);
  CHECK(why.out.rfind("Job " + s.job_id + " is held by ebb until " + format_local_minute(begin),
                      0) == 0);
  CHECK(why.out.find("ebbd has not re-planned it") != std::string::npos);
  auto why_json = run({EBB_PATH, "why", s.job_id, "--json"}, env);
  REQUIRE(why_json.exit_code == 0);
  const auto w = nlohmann::json::parse(why_json.out);
  CHECK(w["status"] == "held");
  CHECK(w["plan"]["planned"] == format_utc(begin));
  CHECK(w["plan"]["saved_grams"].get<double>() > 0);
  CHECK(run({EBB_PATH, "why", "999999"}, env).exit_code == 3);

  // 3. ebb queue --json lists it once ebbd's view has it.
  nlohmann::json queue;
  REQUIRE(wait_for(
      [&] {
        auto r = run({EBB_PATH, "queue", "--json", "--config", c.ebb_conf()}, env);
        if (r.exit_code != 0) return false;
        queue = nlohmann::json::parse(r.out);
        for (const auto& p : queue["partitions"])
          for (const auto& j : p["deferred"])
            if (j["id"] == s.job_id) return true;
        return false;
      },
      30s));
  INFO(queue.dump(2));
  CHECK(queue["all_users"] == true);
  const auto& debug = queue["partitions"][0];
  CHECK(debug["name"] == "debug");
  CHECK(debug["default"] == true);
  CHECK(debug["cpus"] == 4);
  CHECK(debug["default_time"] == 20 * 60);
  CHECK(queue["forecast"]["region"] == "site");
  auto human = run({EBB_PATH, "queue", "--config", c.ebb_conf()}, env);
  CHECK(human.exit_code == 0);
  CHECK(human.out.find("Partition debug (default): 4 CPUs") != std::string::npos);
}
