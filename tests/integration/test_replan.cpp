// SPDX-License-Identifier: GPL-2.0-or-later
// Re-planning on a real cluster: ebbd moves the begin time of a job ebb deferred when
// the forecast under it changes (scontrol update, the record in AdminComment rewritten),
// never past the job's deadline; leaves alone a job whose begin time was changed by hand;
// picks up where it left off after a restart (the record lives in Slurm, not in ebbd); and
// logs and counts a refused update once, without retrying it at every refresh.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "daemon_harness.hpp"
#include "ebb/daemon_client.hpp"
#include "ebb/forecast_file.hpp"
#include "ebb/plan_record.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

bool cluster_ok(const EbbdProcess& ebbd) {
  return ebbd.get("/v1/health").find(R"("state":"ok")") != std::string::npos;
}

}  // namespace

TEST_CASE(
    "ebbd re-plans a held job when the forecast changes, never past its deadline nor a job "
    "changed by hand, across a restart; a refused update is logged and counted once",
    "[slurm][daemon][replan]") {
  Cluster::Settings settings;
  settings.cpus = 8;
  settings.partition_options = "DefaultTime=10";
  Cluster c(settings);
  const fs::path dir = c.dir() / "replan";
  fs::create_directories(dir / "first");
  fs::create_directories(dir / "second");

  // 400 gCO2/kWh for 30 hours, one clean hour `hour` hours after this one.
  const TimePoint h0 = this_hour();
  const std::string forecast = (dir / "forecast.csv").string();
  auto clean_at = [&](int hour) {
    std::vector<double> carbon(30, 400.0);
    carbon[static_cast<std::size_t>(hour)] = 100.0;
    write_file(forecast, to_forecast_csv(hourly(h0, carbon)));
  };
  clean_at(3);

  // ebbd's scontrol refuses updates while a flag file exists (the test's own scontrol
  // calls do not go through it).
  const std::string refuse = (dir / "refuse").string();
  const std::string wrapper = (dir / "scontrol-wrapper").string();
  write_file(wrapper, "#!/bin/sh\nif [ \"$1\" = update ] && [ -e " + refuse +
                          " ]; then echo 'slurm_update error: Access/permission denied' >&2; "
                          "exit 1; fi\nexec scontrol \"$@\"\n");
  fs::permissions(wrapper, fs::perms::owner_all);

  const std::string conf =
      "CacheDir=" + (dir / "cache").string() +
      "\nRefreshInterval=0:02\nObjective=carbon\nMinSavingPercent=1\n"
      "ClusterRefresh=0:01\nCapacityHeadroom=0\nScontrolCommand=" +
      wrapper + "\nRegion=site\nRegionName=site CarbonSource=file CarbonFile=" + forecast + "\n";
  const std::string conf_path = (dir / "ebbd.conf").string();
  write_file(conf_path, conf);
  const std::map<std::string, std::string> env{{"SLURM_CONF", c.slurm_conf()}};
  auto ebbd = std::make_unique<EbbdProcess>(conf_path, (dir / "first").string(), env);
  INFO("ebbd's log:\n" << ebbd->log());
  REQUIRE(wait_for([&] { return cluster_ok(*ebbd); }, 30s));
  REQUIRE(wait_for(
      [&] {
        ebb::DaemonError error;
        return fetch_forecast_from_daemon(ebbd->url(), "site", 2s, &error).has_value();
      },
      30s));
  c.write_ebb_conf(conf + "DaemonUrl=" + ebbd->url() + "\nDaemonTimeout=10000\n");

  auto begin_of = [&](const std::string& id) {
    return from_slurm_local(c.job(id).at("EligibleTime"));
  };
  auto record_of = [&](const std::string& id) {
    auto job = c.job(id);
    INFO("job " << id << ": AdminComment=" << job["AdminComment"]);
    auto r = find_plan_record(job["AdminComment"]);
    REQUIRE(r);
    return *r;
  };
  // Where the job begins is where its record says, within the clean hour, and it still
  // finishes (ten minutes) before its deadline.
  auto check_placed = [&](const std::string& id, int hour, std::uint32_t moves) {
    const auto job = c.job(id);
    const TimePoint begin = from_slurm_local(job.at("EligibleTime"));
    INFO("job " << id << " begins " << format_utc(begin) << ", StartTime " << job.at("StartTime"));
    CHECK(job.at("JobState") == "PENDING");
    // Right after an update slurmctld shows Reason=None until its scheduler looks again.
    if (moves == 0) CHECK(job.at("Reason") == "BeginTime");
    CHECK(from_slurm_local(job.at("StartTime")) == begin);
    CHECK(begin >= h0 + hours(hour));
    CHECK(begin < h0 + hours(hour + 1));
    const PlanRecord r = record_of(id);
    CHECK(r.planned == begin);
    CHECK(r.moves == moves);
    CHECK(begin <= r.latest_start);
    REQUIRE(r.deadline);
    CHECK(begin + minutes(10) <= *r.deadline);
  };

  const std::vector<std::string> args = {"--time=10", "--carbon-deadline=now+24hours", "--wrap",
                                         "true"};
  const Submission a = sbatch(c, args);
  const Submission b = sbatch(c, args);
  for (const Submission* s : {&a, &b}) {
    INFO(s->result.err);
    REQUIRE(s->result.exit_code == 0);
    REQUIRE_FALSE(s->job_id.empty());
    check_placed(s->job_id, 3, 0);
  }
  // b's begin time is changed by hand, to an hour later.
  const TimePoint by_hand = h0 + hours(4);
  {
    RunResult r = c.command(
        {"scontrol", "update", "JobId=" + b.job_id, "StartTime=" + to_slurm_local(by_hand)});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(begin_of(b.job_id) == by_hand);
  }

  // 1. The clean hour moves two hours later: a follows it, b stays where the admin put it.
  clean_at(5);
  REQUIRE(wait_for([&] { return begin_of(a.job_id) >= h0 + hours(5); }, 30s));
  check_placed(a.job_id, 5, 1);
  CHECK(wait_for(
      [&] { return ebbd->metric(R"(ebbd_replan_skipped_total{reason="changed_by_hand"})") == 1; },
      10s));
  CHECK(begin_of(b.job_id) == by_hand);
  CHECK(record_of(b.job_id).moves == 0);
  CHECK(ebbd->metric("ebbd_replan_moves_total") == 1);
  CHECK(ebbd->metric("ebbd_replan_failures_total") == 0);
  CHECK(count(ebbd->log(), "replan: job " + a.job_id + " moved ") == 1);
  CHECK(ebbd->log().find("a better window opened (forecast 400 -> 100 gCO2/kWh)") !=
        std::string::npos);

  // 2. ebbd restarts; the forecast changes again. The record in Slurm carries the move
  //    count, and b is still recognised as changed by hand.
  ebbd->kill();
  ebbd = std::make_unique<EbbdProcess>(conf_path, (dir / "second").string(), env);
  REQUIRE(wait_for([&] { return cluster_ok(*ebbd); }, 30s));
  clean_at(7);
  REQUIRE(wait_for([&] { return begin_of(a.job_id) >= h0 + hours(7); }, 30s));
  check_placed(a.job_id, 7, 2);
  CHECK(wait_for(
      [&] { return ebbd->metric(R"(ebbd_replan_skipped_total{reason="changed_by_hand"})") == 1; },
      10s));
  CHECK(begin_of(b.job_id) == by_hand);
  CHECK(ebbd->metric("ebbd_replan_moves_total") == 1);

  // 3. scontrol refuses: one log line, one failure, no retry at each forecast refresh.
  write_file(refuse, "");
  clean_at(9);
  REQUIRE(wait_for([&] { return ebbd->metric("ebbd_replan_failures_total") == 1; }, 30s));
  std::this_thread::sleep_for(7s);  // three more forecast refreshes, three more rounds
  CHECK(ebbd->metric("ebbd_replan_failures_total") == 1);
  const std::string log = ebbd->log();
  CHECK(count(log, "replan: job " + a.job_id + " not moved to ") == 1);
  CHECK(log.find("Access/permission denied; tried again after ReplanInterval") !=
        std::string::npos);
  check_placed(a.job_id, 7, 2);
}
