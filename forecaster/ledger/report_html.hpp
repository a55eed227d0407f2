// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb report --format html`: the report as one self-contained page for people who are not
// Slurm experts: what the numbers mean, plots (cumulative saving over the period, saving by
// account, the grid's intensity with the job starts on it) and the report's table. No
// script library, no fonts or images fetched: it works offline and can be mailed.
#pragma once

#include <string>
#include <vector>

#include "ledger.hpp"
#include "report.hpp"

namespace ebb::ledger {

// `actuals` draws the intensity plot.
std::string format_html(const Report& r, const Actuals& actuals);

}  // namespace ebb::ledger
