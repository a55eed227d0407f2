// SPDX-License-Identifier: GPL-2.0-or-later
// What asking ebbd adds to sbatch's wall time (targets: the daemon path costs about
// what the forecast-file path costs; a hung daemon costs sbatch no more than DaemonTimeout,
// default 300 ms). One private test cluster, a real ebbd fed by a replay of the UK Carbon
// Intensity fixture (tests/integration/daemon_harness.hpp). The modes are interleaved in a
// rotating order so drift in the machine's load hits them alike; for the hung mode ebbd is
// stopped (SIGSTOP) just before that sbatch and continued just after. Jobs are submitted
// held. Prints a table for the README.
//
// Usage: bench_sbatch_daemon [runs per mode, default 50]. Needs root, like the integration
// tests.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cluster.hpp"
#include "daemon_harness.hpp"
#include "ebb/daemon_client.hpp"
#include "ebb/forecast_file.hpp"
#include "ebb/time.hpp"

namespace {

using namespace ebb;
using Clock = std::chrono::steady_clock;

struct Mode {
  const char* name;
  bool plugin;
  std::string ebb_conf;
  bool hang_ebbd;
  std::vector<double> ms;
};

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 50;
  constexpr int kTimeoutMs = 300;
  try {
    test::Cluster cluster;
    namespace fs = std::filesystem;
    const fs::path dir = cluster.dir() / "bench-daemon";
    fs::create_directories(dir);
    const std::string cache_dir = (dir / "cache").string();

    test::UkCarbonReplay provider(test::this_half_hour());
    // The fixture's values differ by 5% at most, the default threshold.
    const std::string policy = "MinSavingPercent=1\n";
    const std::string daemon_conf = policy + "CacheDir=" + cache_dir +
                                    "\nRefreshInterval=1:00\nRegion=gb\n"
                                    "RegionName=gb CarbonSource=uk-carbon-intensity "
                                    "RateLimit=none CarbonUrl=" +
                                    provider.url() + "\n";
    write_file((dir / "ebbd.conf").string(), daemon_conf);
    test::EbbdProcess ebbd((dir / "ebbd.conf").string(), dir.string());
    const std::string cache = cache_file_path(cache_dir, "gb");
    if (!test::wait_for([&] {
          ebb::DaemonError error;
          return fetch_forecast_from_daemon(ebbd.url(), "gb", std::chrono::seconds(2), &error,
                                            test::kNoAuth) &&
                 fs::exists(cache);
        })) {
      throw std::runtime_error("ebbd has no forecast; its log:\n" + ebbd.log());
    }
    // A second ebbd on a Unix socket (its own folder for the log and the port file).
    fs::create_directories(dir / "unix" / "run");
    test::EbbdProcess ebbd_unix((dir / "ebbd.conf").string(), (dir / "unix").string(), {},
                                "unix:" + (dir / "unix" / "run" / "ebbd.sock").string());
    // The forecast-file mode plans against a copy of ebbd's cache: the same forecast.
    const std::string file = (dir / "forecast.csv").string();
    fs::copy_file(cache, file, fs::copy_options::overwrite_existing);

    const std::string with_daemon = daemon_conf + "DaemonAuth=none\nDaemonUrl=" + ebbd.url() +
                                    "\nDaemonTimeout=" + std::to_string(kTimeoutMs) + "\n";
    // The default checks: MUNGE over TCP, SO_PEERCRED on the Unix socket.
    const std::string with_munge = daemon_conf + "DaemonUrl=" + ebbd.url() +
                                   "\nDaemonTimeout=" + std::to_string(kTimeoutMs) + "\n";
    const std::string with_socket = daemon_conf + "DaemonUrl=" + ebbd_unix.url() +
                                    "\nDaemonTimeout=" + std::to_string(kTimeoutMs) + "\n";
    const std::string dead_daemon =
        policy + "CacheDir=" + cache_dir +
        "\nRegion=gb\nDaemonUrl=http://127.0.0.1:" + std::to_string(test::closed_port()) + "\n";
    std::vector<Mode> modes = {
        {"without ebb", false, policy + "ForecastFile=" + file + "\n", false, {}},
        {"ebb, ForecastFile", true, policy + "ForecastFile=" + file + "\n", false, {}},
        {"ebb, ebbd up (TCP, DaemonAuth=none)", true, with_daemon, false, {}},
        {"ebb, ebbd up (TCP, MUNGE)", true, with_munge, false, {}},
        {"ebb, ebbd up (Unix socket, SO_PEERCRED)", true, with_socket, false, {}},
        {"ebb, ebbd dead (refused) -> cache", true, dead_daemon, false, {}},
        {"ebb, ebbd hung (SIGSTOP) -> cache", true, with_daemon, true, {}},
    };
    const std::vector<std::string> argv_sbatch{
        "sbatch", "--hold", "--time=1:00:00", "--carbon-deadline=now+12hours", "--wrap", "true"};

    const std::vector<std::string> argv_plain{"sbatch", "--hold", "--time=1:00:00", "--wrap",
                                              "true"};
    auto run_once = [&](Mode& m) {
      cluster.write_plugstack(m.plugin);
      cluster.write_ebb_conf(m.ebb_conf);
      if (m.hang_ebbd) ebbd.pause();
      const auto t0 = Clock::now();
      auto r = cluster.command(m.plugin ? argv_sbatch : argv_plain);
      const auto t1 = Clock::now();
      if (m.hang_ebbd) ebbd.resume();
      if (r.exit_code != 0 || test::submitted_job_id(r.out).empty()) {
        throw std::runtime_error(std::string("sbatch failed (") + m.name + "): " + r.err);
      }
      if (m.plugin && r.err.find("ebb: deferred to ") != 0) {
        throw std::runtime_error(std::string("sbatch did not defer (") + m.name + "): " + r.err);
      }
      return std::chrono::duration<double, std::milli>(t1 - t0).count();
    };
    for (auto& m : modes) run_once(m);  // warm-up: caches, munge, first RPCs
    for (int i = 0; i < runs; ++i) {
      for (std::size_t k = 0; k < modes.size(); ++k) {
        Mode& m = modes[(k + static_cast<std::size_t>(i)) % modes.size()];
        m.ms.push_back(run_once(m));
      }
      if ((i + 1) % 50 == 0) cluster.cancel_all();  // keep the queue short
    }

    const double base = quantile(modes[0].ms, 0.5);
    std::printf(
        "sbatch --carbon-deadline on one test cluster, %d interleaved runs per mode, "
        "DaemonTimeout=%d ms\n\n",
        runs, kTimeoutMs);
    std::printf(
        "| mode | wall median | p90 | max | added to the median | ratio |\n"
        "|---|---|---|---|---|---|\n");
    for (const Mode& m : modes) {
      const double med = quantile(m.ms, 0.5);
      std::printf("| %s | %.1f ms | %.1f ms | %.1f ms | %+.1f ms | x%.2f |\n", m.name, med,
                  quantile(m.ms, 0.9), quantile(m.ms, 1.0), med - base, med / base);
    }
    const Mode& hung = modes.back();
    std::printf(
        "\nworst sbatch with ebbd hung: %.1f ms = %.1f ms over sbatch without ebb's median "
        "(DaemonTimeout %d ms)\n",
        quantile(hung.ms, 1.0), quantile(hung.ms, 1.0) - base, kTimeoutMs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sbatch_daemon: %s\n", e.what());
    return 1;
  }
  return 0;
}
