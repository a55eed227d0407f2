// SPDX-License-Identifier: GPL-2.0-or-later
// The bound a replay's "of bound" column divides by: how much CO2 a schedule could cut at
// best, knowing the actual grid series and the actual runtimes.
//
// per-job: each job alone at its own best start (the oracle policy's planned cut), as if the
// cluster had no size. Cheap, but on a busy cluster no schedule comes near it.
//
// capacity: a relaxation that respects the cluster's cores. Each job's core-seconds may be
// split freely over the grid's slots inside its window [submit, deadline] (no contiguity, no
// fixed core count over time), but in any slot a job uses at most its cores for the slot's
// length, and all jobs together at most the cluster's cores. Every real schedule that runs
// each job on its cores within its window is such a split, so the least CO2 of the
// relaxation is at most the CO2 of any such schedule. It is a min-cost flow (LEMON's
// network simplex), exact for the relaxation:
//   job --(cap: cores x overlap, cost: carbon x power per core)--> slot --(cap: cluster cores
//   x slot length)--> sink, supply of a job = its cores x runtime, in core-seconds.
// Where the cores cannot finish all work by the deadlines even so, work may run after a
// job's deadline up to `latest_end` (the replay passes the baseline's end, so the baseline's
// own schedule is always a solution); late work is penalised per core-second and hour late,
// far above any carbon cost, so the least late work is placed first and CO2 is minimised
// given that.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ebb/time.hpp"
#include "grid.hpp"

namespace ebb::replay {

enum class BoundKind { per_job, capacity };
std::string to_string(BoundKind k);  // "per-job", "capacity"
BoundKind parse_bound_kind(const std::string& text);

struct BoundJob {
  TimePoint submit;
  TimePoint deadline;    // latest finish without penalty
  TimePoint latest_end;  // work may run late up to here (penalised); <= deadline: never late
  Duration runtime{0};
  std::uint32_t cores = 1;  // at most the cluster's cores
  double watts = 0;         // the job's power while it runs
};

struct CapacityBound {
  double grams = 0;            // least CO2 of the relaxation
  std::size_t late_jobs = 0;   // jobs with some work placed after their deadline
  double late_core_hours = 0;  // that work
  std::size_t arcs = 0;        // size of the flow network
  std::size_t slots = 0;
  double seconds = 0;  // time to build and solve
};

// Throws std::runtime_error when even `latest_end` leaves some job no room.
CapacityBound capacity_bound(const std::vector<BoundJob>& jobs, const Grid& grid,
                             std::uint32_t cluster_cores);

// What a replay reports about the bound it used.
struct BoundSummary {
  BoundKind kind = BoundKind::per_job;
  double reduction_pct = 0;  // CO2 cut of the bound against the baseline; NaN if none
  std::size_t late_jobs = 0;
  double late_core_hours = 0;
  double seconds = 0;
};

}  // namespace ebb::replay
