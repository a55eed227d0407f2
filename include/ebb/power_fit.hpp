// SPDX-License-Identifier: GPL-2.0-or-later
// Each partition's power, fitted from the energy Slurm measured.
//
// The configured power model (ebb/energy.hpp) is a guess from data sheets. Where the site
// runs an acct_gather_energy plugin, Slurm records each job's energy (ConsumedEnergyRaw,
// summed over its steps, as `ebb report` reads it), and a job's mean power is then
//   joules / elapsed = cores x W/core + GPUs x W/GPU + nodes x W/node.
// The three figures are fitted per partition by least squares, each job weighted by its
// runtime (an hour of a job counts the same whatever the job), none negative (a negative
// watt is the fit explaining noise; the best fit over the terms that stay positive is
// taken instead). Memory's share is inside the fit (W/GB becomes 0); the configured PUE
// still applies, because the plugins measure at the node, not at the wall.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ebb/energy.hpp"

namespace ebb {

// One finished job with measured energy.
struct PowerSample {
  std::string partition;
  double cores = 0, gpus = 0, nodes = 0;
  double seconds = 0;  // elapsed
  double joules = 0;   // measured
};

struct PowerFit {
  std::string partition;
  std::size_t jobs = 0;  // measured jobs behind the fit
  double watts_per_core = 0, watts_per_gpu = 0, watts_per_node = 0;
  double mean_watts = 0;       // measured, runtime-weighted mean over the jobs
  double rms_error_watts = 0;  // runtime-weighted RMS of measured minus fitted mean power
  // sum |fitted kWh - measured kWh| / sum measured kWh, over the jobs: the energy error
  // a plan quoting the fit would have made on them (runtime known).
  double energy_error = 0;

  // `configured` with the fitted W per core, GPU and node, W per GB 0 and its PUE kept.
  PowerModel apply(PowerModel configured) const;
};

// "power measured on 41 jobs", for the plan's line.
std::string describe(const PowerFit& fit);

// A partition is fitted once it has this many measured jobs.
inline constexpr std::size_t kMinPowerJobs = 5;

// One fit per partition with at least `min_jobs` usable samples (positive seconds and
// joules), sorted by partition; a partition whose jobs fit no non-negative model (all
// zero sizes) is left out.
std::vector<PowerFit> fit_power(const std::vector<PowerSample>& samples,
                                std::size_t min_jobs = kMinPowerJobs);

}  // namespace ebb
