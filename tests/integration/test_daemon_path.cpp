// SPDX-License-Identifier: GPL-2.0-or-later
// The whole daemon path: sbatch --carbon-deadline on a real cluster, the plugin asking a
// real ebbd, ebbd fetching from a provider server that replays the UK Carbon Intensity
// fixture (daemon_harness.hpp says how its times are moved onto the present). Then the
// failures: the provider gone, ebbd hung, ebbd killed, neither daemon nor cache. No
// submission may block much past the daemon timeout or be lost.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "daemon_checks.hpp"
#include "daemon_harness.hpp"
#include "ebb/daemon_client.hpp"
#include "ebb/forecast_file.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::test;
using namespace std::chrono_literals;

namespace {

// ebb.conf read by both ebbd and the plugin; the plugin's copy also names the daemon.
std::string daemon_conf(const std::string& cache_dir, const std::string& provider_url) {
  return "DaemonAuth=none\nCacheDir=" + cache_dir +
         "\n"
         "RefreshInterval=0:02\nFetchRetries=0\nFetchTimeout=0:05\n"
         "Objective=carbon\n"
         // The fixture's values differ by 5% at most, the default threshold.
         "MinSavingPercent=1\n"
         "Region=gb\n"
         "RegionName=gb CarbonSource=uk-carbon-intensity RateLimit=none CarbonUrl=" +
         provider_url + "\n";
}

struct Timed {
  Submission s;
  std::chrono::milliseconds took;
};

Timed timed_sbatch(const Cluster& c) {
  const auto t0 = std::chrono::steady_clock::now();
  Submission s = sbatch(c, {"--time=1:00:00", "--carbon-deadline=now+12hours", "--wrap", "true"});
  return {std::move(s), std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - t0)};
}

SignalSeries served_forecast(const EbbdProcess& ebbd) {
  ebb::DaemonError error;
  auto reply = fetch_forecast_from_daemon(ebbd.url(), "gb", 5s, &error, kNoAuth);
  INFO(error.message);
  REQUIRE(reply);
  return reply->series;
}

const std::string kFailures =
    R"(ebbd_fetch_total{region="gb",provider="uk-carbon-intensity",result="failure"})";
const std::string kPlans = "ebbd_plans_total";

}  // namespace

TEST_CASE(
    "sbatch defers by ebbd's plan from a replayed UK provider, and from ebbd's cache when "
    "the provider dies, ebbd hangs or ebbd dies",
    "[slurm][daemon]") {
  Cluster& c = cluster();
  namespace fs = std::filesystem;
  const fs::path dir = c.dir() / "daemon-path";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string cache_dir = (dir / "cache").string();

  // The V's peak (309 gCO2/kWh) is the current half hour, its trough 3.5 hours later.
  UkCarbonReplay provider(this_half_hour());
  const std::string conf = daemon_conf(cache_dir, provider.url());
  write_file((dir / "ebbd.conf").string(), conf);
  EbbdProcess ebbd((dir / "ebbd.conf").string(), dir.string());
  c.write_ebb_conf(conf + "DaemonUrl=" + ebbd.url() + "\nDaemonTimeout=300\n");
  const std::string cache = cache_file_path(cache_dir, "gb");
  REQUIRE(wait_for([&] {
    ebb::DaemonError error;
    return fetch_forecast_from_daemon(ebbd.url(), "gb", 2s, &error, kNoAuth) && fs::exists(cache);
  }));
  INFO("ebbd's log:\n" << ebbd.log());

  // 1. Everything up: ebbd plans, from what the provider served.
  {
    const SignalSeries served = served_forecast(ebbd);
    REQUIRE(served.size() >= 8);
    for (const Slot& slot : served.slots()) {
      if (slot.origin == Origin::extension) continue;
      CHECK(slot.carbon == provider.value_at(slot.start));
    }
    const double plans_before = ebbd.metric(kPlans);
    auto t = timed_sbatch(c);
    check_deferred_as_planned(c, t.s, served);
    CHECK(ebbd.metric(kPlans) == plans_before + 1);  // the plan came from ebbd
  }

  // 2. The provider dies: ebbd counts failed fetches and keeps serving what it had.
  {
    provider.stop();
    const double failures = ebbd.metric(kFailures);
    REQUIRE(wait_for([&] { return ebbd.metric(kFailures) > std::max(failures, 0.0); }));
    const SignalSeries served = served_forecast(ebbd);
    const double plans_before = ebbd.metric(kPlans);
    auto t = timed_sbatch(c);
    check_deferred_as_planned(c, t.s, served);
    CHECK(ebbd.metric(kPlans) == plans_before + 1);
  }

  // 3. ebbd hangs (SIGSTOP): the connection is accepted by the kernel, nobody answers.
  //    sbatch gives up after DaemonTimeout and plans from ebbd's cache file.
  {
    ebbd.pause();
    auto t = timed_sbatch(c);
    INFO("sbatch took " << t.took.count() << " ms");
    CHECK(t.took < 5s);  // 300 ms for ebbd plus sbatch itself; generous for a busy machine
    check_deferred_as_planned(c, t.s, read_forecast_file(cache));

    // Hung and without a cache: the job goes in unchanged, with one warning saying so.
    const std::string missing = (dir / "no-cache").string();
    c.write_ebb_conf(daemon_conf(missing, provider.url()) + "DaemonUrl=" + ebbd.url() +
                     "\nDaemonTimeout=300\n");
    auto u = timed_sbatch(c);
    ebbd.resume();
    c.write_ebb_conf(conf + "DaemonUrl=" + ebbd.url() + "\nDaemonTimeout=300\n");
    INFO(u.s.result.err);
    CHECK(u.took < 5s);
    REQUIRE(u.s.result.exit_code == 0);
    REQUIRE_FALSE(u.s.job_id.empty());
    REQUIRE(u.s.ebb_lines.size() == 1);
    CHECK(u.s.ebb_lines[0] == "ebb: warning: ebbd at " + ebbd.url() +
                                  " did not answer within 300 ms and its cache " +
                                  cache_file_path(missing, "gb") +
                                  ": No such file or directory; job submitted unchanged");
    CHECK(c.job(u.s.job_id).at("Reason") != "BeginTime");
  }

  // 4. ebbd dies: connections are refused at once, and the cache file still plans.
  {
    ebbd.kill();
    auto t = timed_sbatch(c);
    INFO("sbatch took " << t.took.count() << " ms");
    CHECK(t.took < 5s);
    check_deferred_as_planned(c, t.s, read_forecast_file(cache));
  }
}

TEST_CASE("with neither ebbd nor its cache, sbatch warns once and submits unchanged",
          "[slurm][daemon]") {
  Cluster& c = cluster();
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port());
  const std::string cache_dir = (c.dir() / "no-such-cache").string();
  c.write_ebb_conf("DaemonUrl=" + url + "\nCacheDir=" + cache_dir + "\nRegion=gb\n");

  const auto t0 = std::chrono::steady_clock::now();
  auto s = sbatch(c, {"--time=1:00:00", "--carbon-deadline=now+12hours", "--wrap", "true"});
  const auto took = std::chrono::steady_clock::now() - t0;
  INFO(s.result.err);
  CHECK(took < 5s);
  REQUIRE(s.result.exit_code == 0);
  REQUIRE_FALSE(s.job_id.empty());
  CHECK(s.result.out == "Submitted batch job " + s.job_id + "\n");
  REQUIRE(s.ebb_lines.size() == 1);
  CHECK(s.result.err == s.ebb_lines[0] + "\n");
  CHECK(s.ebb_lines[0].rfind("ebb: warning: ebbd at " + url, 0) == 0);
  CHECK(s.ebb_lines[0].find(" and its cache " + cache_file_path(cache_dir, "gb") + ": ") !=
        std::string::npos);
  CHECK(s.ebb_lines[0].ends_with("; job submitted unchanged"));
  auto job = c.job(s.job_id);
  CHECK(job.at("Reason") != "BeginTime");
  CHECK(from_slurm_local(job.at("EligibleTime")) - from_slurm_local(job.at("SubmitTime")) <=
        seconds(1));
}
