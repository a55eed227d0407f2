// SPDX-License-Identifier: GPL-2.0-or-later
// Reproductions of published results, on the same data and with the same setups, so that
// ebb's numbers can stand beside the papers'. Each one states where it follows the
// original exactly and where it differs. Scheduling decisions go through ebb::plan()
// wherever the original's choice is an exact optimum that the planner computes too;
// the original's own quirks are reproduced in clearly named reference code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "grid.hpp"

namespace ebb::replay {

// --- Let's Wait Awhile (Wiesner et al., Middleware 2021), scenario I ----------------------
// A 30-minute job every day of 2020 at 01:00 (365 jobs, from 2020-01-01), free to start
// anywhere in [01:00 - w, 01:00 + w] on the 30-minute grid, perfect forecast. As in
// simulate.py, jobs whose window starts before the data are skipped, and the score is
// the sum of the chosen slots' carbon intensity / 365.
struct NightlyResult {
  std::vector<Duration> windows;
  std::vector<double> score;          // sum CI / 365
  std::vector<double> reduction_pct;  // against window 0
  std::vector<std::size_t> jobs;      // jobs run
};
// `grid`: the series from 2020-01-01 00:00 at 30-minute steps (LWA uses only :00 and :30).
NightlyResult lwa_nightly(const Grid& grid, const std::vector<Duration>& windows);

// --- Sukprasert et al., EuroSys 2024: temporal upper bound (deferral) ----------------------
// A job of J hours arrives at every hour of the data and may start at any hour in
// [t, t + slack] with perfect knowledge; the best contiguous window against starting at
// once. Windows are cut at the end of the data; only the first `n_starts` arrival hours
// count. Reduction = 1 - sum(best) / sum(baseline), in percent.
struct UpperBoundResult {
  double mean_baseline = 0;  // g/kWh over the counted arrivals
  double reduction_pct = 0;
  double abs_saving = 0;  // g/kWh
};
UpperBoundResult temporal_upper_bound(const Grid& hourly, Duration job, Duration slack,
                                      std::size_t n_starts);

// --- Let's Wait Awhile, scenario II: ad-hoc ML training -----------------------------------
// 3,387 jobs on the workdays of 2020, submitted uniformly at 09:00-16:30 in 30-minute
// steps, lasting 4 h to 89.5 h in 30-minute steps; deadline: LWA's "next_workday" rule;
// forecast: actual + N(0, sigma x mean); non-interruptible. Each job is planned with
// ebb::plan() (carbon objective, no threshold, the job's true length) on the noisy
// forecast and scored on the actual series. Baseline: start at submit.
struct MlJob {
  TimePoint submit;
  Duration length;
};
// Our own generator (std::mt19937_64), statistically equivalent to simulate.py's
// generate_batch_jobs (numpy.default_rng(0) cannot be replayed here bit for bit).
std::vector<MlJob> lwa_ml_jobs(std::uint64_t seed, std::size_t n = 3387);
struct MlResult {
  double reduction_pct = 0;  // mean over the noise seeds
  std::size_t jobs = 0;
};
// Averaged over `repetitions` noise draws (seeds 0..repetitions-1), as simulate.py does.
MlResult lwa_ml_training(const Grid& grid, const std::vector<MlJob>& jobs, double noise_fraction,
                         int repetitions = 10);

}  // namespace ebb::replay
