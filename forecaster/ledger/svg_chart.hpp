// SPDX-License-Identifier: GPL-2.0-or-later
// Inline SVG charts for the HTML report (report_html.cpp): drawn here, in C++, so that the
// page is one file that works offline (no script library, no CDN).
//
// Each chart carries its numbers as data- attributes (data-final, data-value) so that a
// test can check what is drawn against the CSV of the same report.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ebb::ledger::svg {

// Text for HTML element content and attribute values.
std::string escape(std::string_view text);

struct Point {
  double x = 0;  // seconds since the epoch
  double y = 0;  // NaN breaks the line (no data)
};
struct Line {
  std::string name, color;
  std::vector<Point> points;  // in x order; thinned to the chart's width when drawn
};
// Ticks along the foot of the chart, e.g. job starts: one per pixel column, with its count.
struct Ticks {
  std::string name, color;
  std::vector<double> at;  // x values, any order
};
struct TimeChart {
  std::string id, y_label;
  double x_from = 0, x_to = 0;
  std::vector<Line> lines;
  std::vector<Ticks> ticks;
};
std::string time_chart(const TimeChart& chart);

struct Bar {
  std::string label;
  double value = 0;
};
// Horizontal bars, negative ones to the left of zero.
std::string bar_chart(const std::string& id, const std::string& x_label,
                      const std::vector<Bar>& bars);

}  // namespace ebb::ledger::svg
