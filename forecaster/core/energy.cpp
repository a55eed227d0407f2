// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/energy.hpp"

namespace ebb {

double PowerModel::watts(const JobRequest& job) const {
  double w = job.cores() * watts_per_core + job.gpus * watts_per_gpu + job.memory_gb * watts_per_gb +
             job.nodes * watts_per_node;
  return w * pue;
}

double PowerModel::energy_kwh(const JobRequest& job, Duration runtime) const {
  return watts(job) * static_cast<double>(runtime.count()) / 3600.0 / 1000.0;
}

}  // namespace ebb
