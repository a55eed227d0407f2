// SPDX-License-Identifier: GPL-2.0-or-later
// Choosing partition and start together: a job the user allowed into several
// partitions (`-p a,b`), each in its own grid region with its own power model, is planned
// in each one exactly (ebb::plan), and goes where the best of those plans is. The first
// partition the user listed is home: another one must beat home's plan by the policy's
// threshold, and pays its move penalty (extra runtime for staging) in its plan.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ebb/plan_query.hpp"
#include "ebb/planner.hpp"

namespace ebb {

// A request made for a partition that is not home: the penalty is extra runtime, so the
// plan needs room for it before the deadline and pays its energy.
PlanRequest with_move_penalty(PlanRequest request, Duration penalty);
// The same for a query, before it goes to ebbd (which knows nothing of move penalties).
PlanQuery with_move_penalty(PlanQuery query, Duration penalty);

// A plan made for a destination that costs `kwh` more energy to move to (copying data,
// MoveEnergy=): that energy counted in the plan, as drawn in the hours the job runs, so
// its emissions, cost and objective grow by kwh over the run's energy (the objective is
// linear in energy). The baseline there pays it too.
Decision with_move_energy(Decision decision, double kwh);

// Of the candidates' decisions (in the user's order; nullopt: that candidate could not be
// planned, e.g. its region has no data), the index of the best: the least objective at
// the chosen start; a candidate other than the first must beat the first by
// `min_saving_percent`. nullopt when no candidate has a decision.
std::optional<std::size_t> best_placement(const std::vector<std::optional<Decision>>& decisions,
                                          double min_saving_percent);

struct PartitionCandidate {
  std::string partition;
  PlanRequest request;              // with this partition's power model
  SignalSeries forecast;            // of this partition's region
  std::vector<Interval> forbidden;  // PartitionLoad::forbidden_starts of this partition
  Duration move_penalty{0};         // ignored for the first candidate (home)
  double move_energy_kwh = 0;       // likewise
};

struct Placement {
  std::size_t index = 0;  // into the candidates
  Decision decision;
  std::vector<std::string> skipped;  // "fr: <why>", candidates that could not be planned
};

// Plans every candidate and picks the best (best_placement). nullopt when none could be
// planned (the caller fails open: the job goes in unchanged).
std::optional<Placement> plan_over_partitions(const std::vector<PartitionCandidate>& candidates,
                                              const Policy& policy);

}  // namespace ebb
