// SPDX-License-Identifier: GPL-2.0-or-later
// What spank_ebb.so adds to sbatch's wall time (target: under 2 ms on the
// median). One private test cluster; the three modes are interleaved, in a rotating
// order, so drift in the machine's load hits them alike. Jobs are submitted held, so
// nothing runs meanwhile. Prints a table for the README.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "cluster.hpp"
#include "ebb/forecast_file.hpp"
#include "ebb/signal.hpp"
#include "ebb/time.hpp"

namespace {

using namespace ebb;
using Clock = std::chrono::steady_clock;

struct Mode {
  const char* name;
  bool plugin;
  std::vector<std::string> args;
  std::vector<double> ms;      // wall time
  std::vector<double> cpu_ms;  // sbatch's own user + system CPU time
};

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

// 72 hours at 15 minutes from an hour ago, with a daily cycle: a realistic file.
SignalSeries forecast() {
  std::vector<Slot> slots;
  const TimePoint first = std::chrono::floor<std::chrono::hours>(now_utc()) - hours(1);
  for (int i = 0; i < 72 * 4; ++i) {
    Slot s;
    s.start = first + minutes(15 * i);
    s.end = s.start + minutes(15);
    const double hour_of_day = static_cast<double>((i / 4) % 24);
    s.carbon = 250 + 120 * ((hour_of_day > 8 && hour_of_day < 20) ? 1.0 : -0.5);
    s.price = 60 + 0.3 * s.carbon;
    slots.push_back(s);
  }
  return SignalSeries(std::move(slots), "bench forecast");
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200;
  try {
    test::Cluster cluster;
    {
      std::ofstream out(cluster.forecast_file());
      out << to_forecast_csv(forecast());
    }
    cluster.write_ebb_conf("ForecastFile=" + cluster.forecast_file() + "\n");

    const std::vector<std::string> base{"sbatch", "--hold", "--time=2:00:00", "--wrap", "true"};
    std::vector<Mode> modes = {
        {"without ebb", false, base, {}, {}},
        {"with ebb, no carbon flag", true, base, {}, {}},
        {"with ebb, --carbon-deadline", true, base, {}, {}},
    };
    modes[2].args.insert(modes[2].args.begin() + 1, "--carbon-deadline=now+24hours");

    // Warm-up: caches, munge, the controller's first RPCs.
    for (auto& m : modes) {
      cluster.write_plugstack(m.plugin);
      cluster.command(m.args);
    }
    for (int i = 0; i < runs; ++i) {
      for (std::size_t k = 0; k < modes.size(); ++k) {
        Mode& m = modes[(k + static_cast<std::size_t>(i)) % modes.size()];
        cluster.write_plugstack(m.plugin);
        const auto t0 = Clock::now();
        auto r = cluster.command(m.args);
        const auto t1 = Clock::now();
        if (r.exit_code != 0 || test::submitted_job_id(r.out).empty()) {
          std::fprintf(stderr, "sbatch failed (%s): %s\n", m.name, r.err.c_str());
          return 1;
        }
        m.ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        m.cpu_ms.push_back(r.cpu_ms);
      }
      if ((i + 1) % 100 == 0) cluster.cancel_all();  // keep the queue short
    }

    // Wall time is what users feel; CPU time is what the plugin itself costs and is
    // less disturbed by other load on a shared machine.
    const double base_median = quantile(modes[0].ms, 0.5);
    const double base_cpu = quantile(modes[0].cpu_ms, 0.5);
    std::printf("sbatch on one test cluster, %d interleaved runs per mode\n\n", runs);
    std::printf(
        "| mode | wall median | wall p10 | wall p90 | added to the wall median | CPU median | "
        "added CPU |\n|---|---|---|---|---|---|---|\n");
    for (const Mode& m : modes) {
      const double med = quantile(m.ms, 0.5);
      const double cpu = quantile(m.cpu_ms, 0.5);
      std::printf("| %s | %.1f ms | %.1f ms | %.1f ms | %+.1f ms (x%.2f) | %.1f ms | %+.1f ms |\n",
                  m.name, med, quantile(m.ms, 0.1), quantile(m.ms, 0.9), med - base_median,
                  med / base_median, cpu, cpu - base_cpu);
    }
    const double with = quantile(modes[2].ms, 0.5);
    std::printf(
        "\nsbatch median %.1f ms without, %.1f ms with ebb planning (%+.1f ms, x%.2f), N=%d\n",
        base_median, with, with - base_median, with / base_median, runs);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sbatch: %s\n", e.what());
    return 1;
  }
  return 0;
}
