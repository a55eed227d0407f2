// SPDX-License-Identifier: GPL-2.0-or-later
// Trust: the plugin applies a plan only when it provably comes from ebbd. A stranger
// (tests/daemon/hostile_ebbd.cpp, running as nobody) listening on DaemonUrl answers every
// plan request with "defer by 10 hours" - within the job's 12-hour deadline, so only the
// authentication can tell it from ebbd. Through a Unix socket (SO_PEERCRED) and through TCP
// (MUNGE), sbatch must not apply it; the real ebbd, on both transports, still defers.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "daemon_checks.hpp"
#include "daemon_harness.hpp"
#include "ebb/daemon_client.hpp"
#include "process.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr uid_t kNobody = 65534;

// hostile_ebbd as nobody, in a folder of its own that nobody owns.
class Stranger {
 public:
  // `listen`: "unix" (a socket in its folder) or "tcp"; `sign`: none or self.
  Stranger(const std::string& listen, const std::string& sign) {
    std::string pattern = (fs::temp_directory_path() / "ebb-stranger-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    folder_ = pattern;
    ::chmod(folder_.c_str(), 0755);
    if (::chown(folder_.c_str(), kNobody, kNobody) != 0) throw std::runtime_error("chown");
    const std::string ready = folder_ + "/ready";
    const std::string where =
        listen == "unix" ? "unix:" + folder_ + "/ebbd.sock" : std::string("127.0.0.1:0");
    pid_ = spawn_daemon(
        {HOSTILE_EBBD_PATH, where, "nobody", ready, folder_ + "/requests", "600", sign},
        child_environment({}), folder_ + "/log");
    if (!wait_for([&] { return fs::exists(ready); }, 10s)) {
      throw std::runtime_error("hostile_ebbd did not start");
    }
    std::ifstream in(ready);
    std::string port;
    in >> port;
    url_ = listen == "unix" ? where : "http://127.0.0.1:" + port;
  }
  ~Stranger() {
    stop_daemon(pid_, 1s);
    std::error_code ignored;
    fs::remove_all(folder_, ignored);
  }
  Stranger(const Stranger&) = delete;
  Stranger& operator=(const Stranger&) = delete;
  const std::string& url() const { return url_; }
  bool received_a_request() const { return fs::exists(folder_ + "/requests"); }

 private:
  std::string folder_;
  std::string url_;
  pid_t pid_ = -1;
};

Submission submit(const Cluster& c) {
  return sbatch(c, {"--time=1:00:00", "--carbon-deadline=now+12hours", "--wrap", "true"});
}

// The stranger's plan was applied: the job waits about 10 hours.
bool deferred_by_stranger(const Cluster& c, const Submission& s) {
  if (s.job_id.empty()) return false;
  auto job = c.job(s.job_id);
  return job.at("Reason") == "BeginTime" &&
         from_slurm_local(job.at("EligibleTime")) - from_slurm_local(job.at("SubmitTime")) >
             hours(9);
}

}  // namespace

TEST_CASE("a stranger on DaemonUrl cannot defer a job, through a Unix socket or TCP",
          "[slurm][daemon][trust]") {
  Cluster& c = cluster();
  // No cache to fall back on: the job goes in unchanged, with one warning.
  const std::string base =
      "CacheDir=" + (c.dir() / "no-cache").string() + "\nRegion=gb\nDaemonTimeout=1000\n";
  struct Case {
    std::string listen, sign, reason;
  };
  for (const Case& k : {Case{"unix", "none",
                             "the socket is served by uid 65534 (nobody), not by DaemonUser "
                             "slurm or root"},
                        Case{"tcp", "none", "the answer carries no MUNGE credential"},
                        Case{"tcp", "self", "its MUNGE credential is from uid 65534 (nobody)"}}) {
    DYNAMIC_SECTION(k.listen << " " << k.sign) {
      Stranger stranger(k.listen, k.sign);
      c.write_ebb_conf(base + "DaemonUrl=" + stranger.url() + "\n");
      Submission s = submit(c);
      INFO(s.result.err);
      REQUIRE(s.result.exit_code == 0);
      REQUIRE_FALSE(s.job_id.empty());
      CHECK_FALSE(deferred_by_stranger(c, s));
      CHECK(c.job(s.job_id).at("Reason") != "BeginTime");
      REQUIRE(s.ebb_lines.size() == 1);
      CHECK(s.ebb_lines[0].rfind("ebb: warning: ebbd at " + stranger.url() + ": " + k.reason, 0) ==
            0);
      CHECK(s.ebb_lines[0].find("job submitted unchanged") != std::string::npos);
      // On the Unix socket the job's details never reach the stranger.
      if (k.listen == "unix") CHECK_FALSE(stranger.received_a_request());

      // What the checks prevent: without them (DaemonAuth=none) its plan is applied.
      c.write_ebb_conf(base + "DaemonAuth=none\nDaemonUrl=" + stranger.url() + "\n");
      CHECK(deferred_by_stranger(c, submit(c)));
    }
  }
}

TEST_CASE("the real ebbd defers jobs over its Unix socket and over TCP with MUNGE",
          "[slurm][daemon][trust]") {
  Cluster& c = cluster();
  const fs::path dir = c.dir() / "trust";
  fs::remove_all(dir);
  fs::create_directories(dir / "run");
  ::chmod((dir / "run").c_str(), 0755);
  UkCarbonReplay provider(this_half_hour());
  const std::string conf = "CacheDir=" + (dir / "cache").string() +
                           "\nRefreshInterval=0:02\nFetchRetries=0\nObjective=carbon\n"
                           "MinSavingPercent=1\nRegion=gb\n"
                           "RegionName=gb CarbonSource=uk-carbon-intensity RateLimit=none "
                           "CarbonUrl=" +
                           provider.url() + "\n";
  std::ofstream((dir / "ebbd.conf").string()) << conf;

  for (const std::string& listen :
       {"unix:" + (dir / "run" / "ebbd.sock").string(), std::string("127.0.0.1:0")}) {
    DYNAMIC_SECTION(listen) {
      EbbdProcess ebbd((dir / "ebbd.conf").string(), dir.string(), {}, listen);
      INFO("ebbd's log:\n" << ebbd.log());
      // The default checks: SO_PEERCRED on the socket, MUNGE over TCP (ebbd runs as root).
      c.write_ebb_conf(conf + "DaemonUrl=" + ebbd.url() + "\nDaemonTimeout=1000\n");
      std::optional<ForecastReply> served;
      REQUIRE(wait_for([&] {
        ebb::DaemonError error;
        served = fetch_forecast_from_daemon(ebbd.url(), "gb", 2s, &error);
        return served.has_value();
      }));
      const double plans_before = ebbd.metric("ebbd_plans_total");
      Submission s = submit(c);
      check_deferred_as_planned(c, s, served->series);
      CHECK(ebbd.metric("ebbd_plans_total") == plans_before + 1);  // ebbd planned it
    }
  }
}
