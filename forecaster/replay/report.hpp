// Output of a replay: a table for people, CSV and JSON for tools, an SVG chart.
#pragma once

#include <string>

#include "engine.hpp"

namespace ebb::replay {

struct ReportContext {
  std::string trace;  // what was replayed, for headers
  std::string grid;
  std::string setup;  // one line: cluster, deadline rule, forecast, ebb's policy
};

std::string format_table(const ReplayResult& r, const ReportContext& c);
std::string format_csv(const ReplayResult& r);
std::string format_json(const ReplayResult& r, const ReportContext& c);
// Two panels over the trace's time: cumulative kgCO2 per policy, and the daily mean wait.
std::string format_svg(const ReplayResult& r, const ReportContext& c);

}  // namespace ebb::replay
