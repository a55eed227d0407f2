// SPDX-License-Identifier: GPL-2.0-or-later
// How well ebb's runtime predictor (ebb/runtime_predictor.hpp) would have done on real logs,
// learning online (each job sees only jobs that had ended before its submission), against
// the users' own time limits; and how fast it learns and answers.
//
// Usage: bench_runtime_prediction [trace ...]; without arguments it reads the Parallel
// Workloads Archive logs in the shared data folder ($EBB_SHARED_DATA, ../shared/data,
// /work/shared/data) and exits 0 if there are none.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "runtime.hpp"
#include "trace.hpp"

using namespace ebb;
using namespace ebb::replay;

namespace {

std::vector<std::string> default_traces() {
  std::vector<std::string> dirs;
  if (const char* d = std::getenv("EBB_SHARED_DATA")) dirs.emplace_back(d);
  dirs.emplace_back("../shared/data");
  dirs.emplace_back("/work/shared/data");
  for (const auto& d : dirs) {
    std::filesystem::path t = std::filesystem::path(d) / "traces";
    if (!std::filesystem::is_directory(t)) continue;
    std::vector<std::string> out;
    for (const char* name : {"pwa_HPC2N-2002-2.1-cln.swf.gz", "pwa_KTH-SP2-1996-2.1-cln.swf.gz",
                             "pwa_SDSC-BLUE-2000-4.2-cln.swf.gz"})
      if (std::filesystem::exists(t / name)) out.push_back((t / name).string());
    return out;
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> traces(argv + 1, argv + argc);
  if (traces.empty()) traces = default_traces();
  if (traces.empty()) {
    std::puts("no traces given and no shared data folder: nothing to measure");
    return 0;
  }
  // Tsafrir's mean of the last two first (the baseline anything new must beat), then ebb's
  // default (the larger of the last two), then the trade-off curve: more history, upper
  // quantiles and margins buy fewer underestimates with accuracy.
  const std::vector<PredictorSettings> variants{
      {2, 1.0, 1, 0.0}, {2, 1.0, 1, 1.0},  {3, 1.0, 3, 1.0},  {4, 1.0, 4, 1.0}, {6, 1.0, 6, 1.0},
      {8, 1.0, 8, 1.0}, {8, 1.0, 4, 0.75}, {8, 1.0, 4, 0.9},  {4, 1.1, 4, 1.0}, {8, 1.1, 8, 1.0},
      {3, 1.2, 2, 1.0}, {8, 1.2, 4, 0.9},  {8, 1.3, 4, 1.0},  {8, 1.5, 4, 1.0}, {2, 1.5, 1, 0.0},
      {2, 2.0, 1, 0.0}, {6, 1.1, 6, 1.0},  {8, 1.05, 8, 1.0}, {8, 1.2, 8, 1.0}};
  for (const auto& path : traces) {
    const Trace trace = read_trace(path);
    std::printf("%s: %zu jobs\n", path.c_str(), trace.jobs.size());
    std::printf("  %-26s %9s %9s %8s %9s %9s %9s\n", "predictor", "accuracy", "users'", "under",
                "MAE h", "users' h", "history");
    for (const auto& s : variants) {
      const auto t0 = std::chrono::steady_clock::now();
      const OnlinePredictions p = predict_online(trace.jobs, s);
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const RuntimeAccuracy& a = p.accuracy;
      char name[64];
      if (s.quantile <= 0)
        std::snprintf(name, sizeof name, "mean last %zu x%.1f (>=%zu)", s.recent, s.margin,
                      s.min_history);
      else if (s.quantile >= 1)
        std::snprintf(name, sizeof name, "max last %zu x%.2f (>=%zu)", s.recent, s.margin,
                      s.min_history);
      else
        std::snprintf(name, sizeof name, "q%.2f last %zu x%.1f (>=%zu)", s.quantile, s.recent,
                      s.margin, s.min_history);
      std::printf("  %-26s %9.3f %9.3f %7.1f%% %9.2f %9.2f %8.1f%%  (%.2f s)\n", name, a.accuracy,
                  a.user_accuracy, 100 * a.underestimated, a.mean_abs_error_h,
                  a.user_mean_abs_error_h, 100 * a.from_history, secs);
    }
  }
  return 0;
}
