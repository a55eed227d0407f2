// SPDX-License-Identifier: GPL-2.0-or-later
// Capacity-aware planning on a real cluster: ebbd reads slurmctld (squeue --json, scontrol show
// partition), books the plans it hands out and spreads a burst of deferrable jobs over the room the
// partition has; squeue printing garbage keeps the previous view; slurmctld stopped, ebbd
// plans on without cluster state and says so.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "daemon_harness.hpp"
#include "ebb/daemon_client.hpp"
#include "ebb/forecast_file.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::test;
using namespace std::chrono_literals;

namespace {

// GET /v1/health's "cluster" object, as the raw JSON text.
std::string cluster_health(const EbbdProcess& ebbd) {
  const std::string body = ebbd.get("/v1/health");
  auto at = body.find("\"cluster\":");
  return at == std::string::npos ? "" : body.substr(at);
}

bool cluster_state_is(const EbbdProcess& ebbd, const std::string& state) {
  return cluster_health(ebbd).find("\"state\":\"" + state + "\"") != std::string::npos;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE(
    "a burst of 40 deferrable jobs spreads over the partition's CPUs; garbage from squeue "
    "keeps the view; without slurmctld ebbd plans alone and says so",
    "[slurm][daemon][cluster]") {
  namespace fs = std::filesystem;
  Cluster::Settings settings;
  settings.cpus = 8;
  settings.partition_options = "DefaultTime=10";
  Cluster c(settings);
  const fs::path dir = c.dir() / "capacity";
  fs::create_directories(dir);

  // One clean hour, three hours ahead, between dirty ones.
  const TimePoint h0 = this_hour();
  std::vector<double> carbon(30, 400.0);
  carbon[3] = 100.0;
  const std::string forecast = (dir / "forecast.csv").string();
  write_file(forecast, to_forecast_csv(hourly(h0, carbon)));

  // squeue through a wrapper that prints garbage while a flag file exists.
  const std::string flag = (dir / "garbage").string();
  const std::string wrapper = (dir / "squeue-wrapper").string();
  write_file(wrapper, "#!/bin/sh\nif [ -e " + flag +
                          " ]; then echo 'squeue: garbage {'; exit 0; fi\nexec squeue \"$@\"\n");
  fs::permissions(wrapper, fs::perms::owner_all);

  const std::string conf = "CacheDir=" + (dir / "cache").string() +
                           "\nRefreshInterval=0:02\nObjective=carbon\nMinSavingPercent=1\n"
                           "ClusterRefresh=0:01\nCapacityHeadroom=10\nSqueueCommand=" +
                           wrapper +
                           "\nRegion=site\n"
                           "RegionName=site CarbonSource=file CarbonFile=" +
                           forecast + "\n";
  write_file((dir / "ebbd.conf").string(), conf);
  EbbdProcess ebbd((dir / "ebbd.conf").string(), dir.string(), {{"SLURM_CONF", c.slurm_conf()}});
  INFO("ebbd's log:\n" << ebbd.log());
  REQUIRE(wait_for([&] { return cluster_state_is(ebbd, "ok"); }, 30s));
  REQUIRE(wait_for(
      [&] {
        ebb::DaemonError error;
        return fetch_forecast_from_daemon(ebbd.url(), "site", 2s, &error).has_value();
      },
      30s));
  c.write_ebb_conf(conf + "DaemonUrl=" + ebbd.url() + "\nDaemonTimeout=10000\n");

  // 1. 40 one-CPU ten-minute jobs at once. Planned alone, all would start at the clean
  //    hour's first minute; the partition has 8 CPUs, 10% of them kept free.
  constexpr int kJobs = 40;
  std::vector<Submission> subs(kJobs);
  {
    std::vector<std::thread> threads;
    for (int i = 0; i < kJobs; ++i) {
      threads.emplace_back([&, i] {
        subs[static_cast<std::size_t>(i)] =
            sbatch(c, {"--time=10", "--carbon-deadline=now+12hours", "--wrap", "true"});
      });
    }
    for (auto& t : threads) t.join();
  }
  std::vector<TimePoint> begins;
  for (const Submission& s : subs) {
    INFO(s.result.err);
    REQUIRE(s.result.exit_code == 0);
    REQUIRE_FALSE(s.job_id.empty());
    auto job = c.job(s.job_id);
    CHECK(job.at("Reason") == "BeginTime");
    begins.push_back(from_slurm_local(job.at("EligibleTime")));
  }
  const TimePoint clean = h0 + hours(3);
  for (const TimePoint b : begins) {
    int overlapping = 0;
    for (const TimePoint o : begins) overlapping += o <= b && b < o + minutes(10);
    INFO("begin " << format_utc(b));
    CHECK(overlapping <= 8);  // never more CPUs committed than the partition has
    CHECK(b >= clean);
    CHECK(b + minutes(10) <= clean + hours(1));  // the clean hour still holds them all
  }
  CHECK(ebbd.metric(R"(ebbd_bookings_total{outcome="made"})") == kJobs);
  // squeue shows the jobs: the bookings are settled by them, not left to expire.
  CHECK(wait_for([&] { return ebbd.metric(R"(ebbd_bookings_total{outcome="matched"})") == kJobs; },
                 20s));
  CHECK(ebbd.metric("ebbd_bookings") == 0);

  PlanQuery q;
  q.region = "site";
  q.deadline = now_utc() + hours(12);
  q.job.time_limit = minutes(10);
  auto ask = [&] {
    ebb::DaemonError error;
    auto d = ask_daemon_for_plan(ebbd.url(), q, 5s, &error);
    INFO(error.message);
    REQUIRE(d);
    return *d;
  };
  // The queued jobs fill the clean hour's first 40 minutes (7 per ten minutes) and 5 CPUs
  // of the next ten: one more goes after the full ones, not to the hour's start.
  {
    Decision d = ask();
    CHECK(d.reason.find("without cluster state") == std::string::npos);
    CHECK(d.start >= clean + minutes(40));
  }
  // A job without a time limit is planned with the default partition's DefaultTime.
  {
    PlanQuery untimed = q;
    untimed.time_limit_given = false;
    ebb::DaemonError error;
    auto d = ask_daemon_for_plan(ebbd.url(), untimed, 5s, &error);
    INFO(error.message);
    REQUIRE(d);
    CHECK(d->latest_start == *q.deadline - minutes(10));
  }

  // 2. squeue prints garbage: one clear log line, the previous view stays in use.
  {
    write_file(flag, "");
    REQUIRE(wait_for([&] { return cluster_state_is(ebbd, "malformed"); }, 20s));
    const std::string log = ebbd.log();
    CHECK(log.find("ebbd: error: cluster view: " + wrapper + " --json: not valid JSON: ") !=
          std::string::npos);
    CHECK(count(log, "keeping the previous view") == 1);
    CHECK(cluster_health(ebbd).find("\"partitions\":1") != std::string::npos);
    Decision d = ask();
    INFO("planned " << format_utc(d.start) << " (" << d.reason << "), clean hour "
                    << format_utc(clean) << ", " << cluster_health(ebbd));
    CHECK(d.reason.find("without cluster state") == std::string::npos);
    // The clean hour holds 42 such jobs and 42 are queued or booked by now: planned
    // alone this one would start at the hour's beginning.
    CHECK(d.start != clean);
    fs::remove(flag);
    REQUIRE(wait_for([&] { return cluster_state_is(ebbd, "ok"); }, 20s));
  }

  // 3. slurmctld stops: plans go on, alone, and say so; the log says it once.
  {
    c.stop_controller();
    REQUIRE(wait_for([&] { return cluster_state_is(ebbd, "unreachable"); }, 60s));
    std::this_thread::sleep_for(3s);  // a few more failed refreshes
    CHECK(count(ebbd.log(), "; planning without cluster state") == 1);
    CHECK(cluster_health(ebbd).find("\"age_seconds\":null") != std::string::npos);
    Decision d = ask();
    CHECK(d.reason.ends_with("; planned without cluster state"));
    CHECK(d.defer);
    CHECK(d.start == clean);  // where every job went when planned alone
    CHECK(ebbd.metric(R"(ebbd_cluster_refresh_total{result="failure"})") >= 2);
  }
}
