// A cluster of N cores scheduled like Slurm's backfill: jobs become eligible at their
// begin time (the time ebb or another policy chose; submit time without shifting), are
// queued in order of eligibility (Slurm's age priority), the queue's head starts as soon
// as enough cores are free, and later jobs may start earlier (EASY backfilling) when,
// judged by their requested time limits, they do not delay the head's reservation.
// Jobs run for their actual runtime.
#pragma once

#include <cstdint>
#include <vector>

#include "ebb/time.hpp"

namespace ebb::replay {

struct SimJob {
  TimePoint submit;
  TimePoint begin;      // eligible from here (>= submit)
  Duration runtime{0};  // actual
  Duration limit{0};    // requested; what backfilling plans with
  std::uint32_t cores = 1;
};

struct SimOptions {
  std::uint32_t cores = 0;           // 0: unlimited (every job starts at its begin time)
  std::size_t backfill_depth = 500;  // jobs tested per backfill pass (Slurm's bf_max_job_test)
};

struct SimOutcome {
  std::vector<TimePoint> start;   // per job, same order as the input
  std::size_t cores_clamped = 0;  // jobs asking for more cores than the cluster has
};

SimOutcome simulate(const std::vector<SimJob>& jobs, const SimOptions& options);

}  // namespace ebb::replay
