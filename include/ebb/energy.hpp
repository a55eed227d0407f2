// SPDX-License-Identifier: GPL-2.0-or-later
// Energy from a job's resource request: a linear power model per partition.
//
// power = (cores x W/core + GPUs x W/GPU + memory GB x W/GB + nodes x W/node) x PUE
// energy (kWh) = power x runtime / 1000.
// The defaults and their sources are listed in the README (config reference).
#pragma once

#include "ebb/job.hpp"

namespace ebb {

struct PowerModel {
  double watts_per_core = 12.0;     // Green Algorithms: mean TDP per core of common Xeons
  double watts_per_gpu = 250.0;     // NVIDIA A100 PCIe / V100 PCIe board power
  double watts_per_gb = 0.3725;     // Green Algorithms: memory power per GB
  double watts_per_node = 0.0;      // idle node overhead; 0 unless the site measures it
  double pue = 1.5;                 // Uptime Institute survey, typical data centre

  // Watts drawn at the wall while the job runs.
  double watts(const JobRequest& job) const;
  // kWh over `runtime`.
  double energy_kwh(const JobRequest& job, Duration runtime) const;
};

}  // namespace ebb
