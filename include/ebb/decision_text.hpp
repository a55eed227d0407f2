// SPDX-License-Identifier: GPL-2.0-or-later
// The wording of a decision, shared by the plugin (the line sbatch prints) and `ebb plan`
// (which shows what sbatch would print), so that the two can never drift apart.
//
//   ebb: deferred to 2026-11-28 03:00 (142 vs 289 gCO2/kWh now, est. 3.1 kWh, saves 0.46 kgCO2
//        (51 %) and 0.21 EUR)
//   ebb: not deferred: now is already the best start before the deadline (250 gCO2/kWh now, ...)
//   ebb: would defer to ... (explain only, nothing changed)
#pragma once

#include <string>

#include "ebb/planner.hpp"
#include "ebb/time.hpp"

namespace ebb {

// How the plan is used, which decides the wording: applied to a job, or only shown.
enum class DecisionMode { applied, explain };

// The one line for a decision. `now` is the submission time: the baseline is called "now"
// when it starts then, else "at <local time>". Times are in local time.
std::string decision_line(const Decision& d, TimePoint now, DecisionMode mode);

// What waiting gains: "saves 0.46 kgCO2 (51 %) and 0.21 EUR", the share being of the
// emissions at the baseline start. When the objective traded one for the other it says what
// it costs ("saves 0.46 kgCO2 (51 %), costs 0.02 EUR more") rather than printing a negative
// saving. Money is left out when the forecast has no prices.
std::string savings_text(const Decision& d);

// 2 significant digits at least, no more than needed: 289, 3.1, 0.46, 0.012.
std::string amount(double x);

// Amounts in the unit their size calls for, so a small job does not "save 0.000 kgCO2":
// 0.39 gCO2, 460 gCO2, 1.2 kgCO2, 3.4 tCO2; 450 Wh, 3.1 kWh, 12 MWh.
std::string co2_text(double grams);
std::string energy_text(double kwh);

}  // namespace ebb
