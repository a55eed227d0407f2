// SPDX-License-Identifier: GPL-2.0-or-later
// Output of a replay: a table for people, CSV and JSON for tools, an SVG chart.
#pragma once

#include <string>

#include "engine.hpp"

namespace ebb::replay {

struct ReportContext {
  std::string trace;  // what was replayed, for headers
  std::string grid;
  std::string setup;  // one line: cluster, deadline rule, forecast, ebb's policy
  // How the grid was repeated to score jobs outside its data (grid_repeat_note); empty
  // when every job ran within the data.
  std::string grid_repeat;
};

// Grid::repeat_note over the time the jobs ran, under any policy.
std::string grid_repeat_note(const ReplayResult& r, const Grid& grid);

std::string format_table(const ReplayResult& r, const ReportContext& c);
std::string format_csv(const ReplayResult& r, const ReportContext& c = {});
std::string format_json(const ReplayResult& r, const ReportContext& c);
// Two panels over the trace's time: cumulative kgCO2 per policy, and the daily mean wait.
std::string format_svg(const ReplayResult& r, const ReportContext& c);

}  // namespace ebb::replay
