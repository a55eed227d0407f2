// SPDX-License-Identifier: GPL-2.0-or-later
// What a job asks Slurm for, as far as ebb cares.
#pragma once

#include <cstdint>
#include <string>

#include "ebb/time.hpp"

namespace ebb {

struct JobRequest {
  std::uint32_t nodes = 1;
  std::uint32_t tasks = 1;
  std::uint32_t cpus_per_task = 1;
  std::uint32_t gpus = 0;           // in total over the job
  double memory_gb = 0;             // in total over the job; 0 = unknown
  Duration time_limit{3600};        // Slurm's --time
  std::string partition;
  std::string job_name;
  std::string user;
  std::string account;

  std::uint32_t cores() const { return tasks * cpus_per_task; }
};

}  // namespace ebb
