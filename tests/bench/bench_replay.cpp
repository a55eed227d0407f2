// SPDX-License-Identifier: GPL-2.0-or-later
// Benchmark: replay the whole HPC2N trace (202,876 jobs over 3.5 years, 240 cores) with
// every policy (baseline, best-window, ebb, oracle) against a year of hourly German grid
// data with day-ahead prices, through the same function `ebb replay` runs. Prints the
// wall time, the peak memory and the result table. Not a timed test: the figures go in
// the README.
//
// Usage: bench_replay [trace grid zone cores [prices price-column]]
// Without arguments it uses the shared data folder ($EBB_SHARED_DATA, else ../shared/data
// beside the source tree, else /work/shared/data); if none exists it says so and exits 0.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "ebb/replay.hpp"

int main(int argc, char** argv) {
  std::string shared = "/work/shared/data";
  if (const char* env = std::getenv("EBB_SHARED_DATA"))
    shared = env;
  else if (std::filesystem::exists(EBB_SOURCE_DIR "/../shared/data"))
    shared = EBB_SOURCE_DIR "/../shared/data";
  std::vector<std::string> args{"ebb replay"};
  if (argc >= 5) {
    args.insert(args.end(),
                {"--trace", argv[1], "--grid", argv[2], "--zone", argv[3], "--cores", argv[4]});
    if (argc >= 7) args.insert(args.end(), {"--prices", argv[5], "--price-column", argv[6]});
  } else {
    const std::string trace = shared + "/traces/pwa_HPC2N-2002-2.1-cln.swf.gz";
    if (!std::filesystem::exists(trace)) {
      std::printf("bench_replay: %s is absent; nothing to measure.\n", trace.c_str());
      return 0;
    }
    args.insert(
        args.end(),
        {"--trace", trace, "--grid", shared + "/grid/em_ci_lca_2022_hourly_123zones.csv", "--zone",
         "DE", "--prices", shared + "/grid/dayahead_prices_hourly_utc_2020_2024.csv",
         "--price-column", "DE-LU_EUR_per_MWh", "--cores", "240", "--deadline", "slack:24h"});
  }
  std::vector<char*> av;
  for (auto& a : args) av.push_back(a.data());
  std::printf("bench_replay:");
  for (std::size_t i = 1; i < args.size(); ++i) std::printf(" %s", args[i].c_str());
  std::printf("\n");
  std::fflush(stdout);
  auto t0 = std::chrono::steady_clock::now();
  int rc = ebb::replay_main(static_cast<int>(av.size()), av.data());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  std::printf(
      "bench_replay: %.2f s wall for reading, planning (4 policies), queueing and scoring; "
      "peak memory %.0f MB\n",
      secs, static_cast<double>(ru.ru_maxrss) / 1024.0);
  return rc;
}
