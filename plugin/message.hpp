// SPDX-License-Identifier: GPL-2.0-or-later
// The one line ebb prints on stderr, and how it prints it.
//
//   ebb: deferred to 2026-11-28 03:00 (142 vs 289 gCO2/kWh now, est. 3.1 kWh, saves 0.46 kgCO2
//        and 0.21 EUR)
//   ebb: not deferred: <reason>
//   ebb: would defer to ... (explain only, nothing changed)
//   ebb: warning: <what>; job submitted unchanged
//   ebb: error: <what>
#pragma once

#include <cstddef>
#include <ctime>
#include <string>

#include "ebb/planner.hpp"

namespace ebb::plugin {

// The decision line itself is ebb::decision_line (ebb/decision_text.hpp), shared with
// `ebb plan`.
std::string not_deferred_line(const std::string& reason);
std::string warning_line(const std::string& what);
// A source failed but a fallback planned: "ebb: warning: <what>" (the decision line follows).
std::string fallback_warning_line(const std::string& what);
std::string error_line(const std::string& what);
// Short machine-readable summary for EBB_PLAN in the job's spank environment.
std::string plan_summary(const Decision& d);

// "2026-11-28 03:00" in local time.
std::string local_minute(std::time_t t);

// Writes one line to stderr through Slurm's SPANK log, which needs no log level
// (also shown with --quiet) and never goes to stdout. The line may quote files and
// ebbd's answers, so it passes through ebb::printable_excerpt (ebb/input.hpp) first:
// no control character or escape sequence reaches the terminal, and no line is longer
// than kMaxLineChars.
inline constexpr std::size_t kMaxLineChars = 1000;
void print_line(const std::string& line);

}  // namespace ebb::plugin
