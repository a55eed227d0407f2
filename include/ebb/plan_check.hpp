// SPDX-License-Identifier: GPL-2.0-or-later
// Checking a plan that ebb did not compute itself (an answer from ebbd) against the job's
// own constraints before anything acts on it. ebbd is trusted to choose a good window, never
// to choose a window the job does not allow: a wrong, buggy or hostile answer must not be
// able to push a job past its deadline, before its --begin, or years into the future.
#pragma once

#include <chrono>

#include "ebb/planner.hpp"
#include "ebb/time.hpp"

namespace ebb {

// How far a plan's start may lie before `now` (the two clocks may differ a little).
inline constexpr Duration kPlanClockTolerance{60};
// No forecast covers a year; a plan further out than this is nonsense.
inline constexpr Duration kMaxPlanHorizon{366 * 24 * 3600};

// Throws InputError naming the first field of `plan` that `request` does not allow:
//   start before now (less kPlanClockTolerance) or before --begin, start + time limit after
//   the deadline, start after earliest + max delay or after now + kMaxPlanHorizon,
//   latest_start before start or past what the deadline and max delay allow, energy or
//   any impact figure not finite or negative, intensities outside [0, 5000] gCO2e/kWh
//   (what SignalSeries accepts), coverage outside [0, 1].
void validate_plan(const Decision& plan, const PlanRequest& request);

}  // namespace ebb
