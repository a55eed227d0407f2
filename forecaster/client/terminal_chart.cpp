// SPDX-License-Identifier: GPL-2.0-or-later
#include "terminal_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ebb::chart {
namespace {

// U+2581..U+2588: one to eight eighths of a cell, bottom up.
const char* const kUp[9] = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
// U+258F..U+2588: one to eight eighths of a cell, left to right.
const char* const kRight[9] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"};

std::string label(double v, const std::string& unit) {
  char buf[48];
  std::snprintf(buf, sizeof buf, " %.0f %s", v, unit.c_str());
  return buf;
}

}  // namespace

std::string columns(const std::vector<double>& values, int height, const std::string& unit) {
  double low = INFINITY, high = -INFINITY;
  for (double v : values) {
    if (std::isnan(v)) continue;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  if (values.empty() || low > high || height < 1) return "";
  // Keep a visible stub for the minimum: scale from a bit below it.
  return columns(values, height, unit, low - (high - low) * 0.1, high, low);
}

std::string columns(const std::vector<double>& values, int height, const std::string& unit,
                    double floor_value, double high, double low_label) {
  if (values.empty() || height < 1 || !(high >= floor_value)) return "";
  double span = high - floor_value;
  std::string out;
  for (int row = height - 1; row >= 0; --row) {
    for (double v : values) {
      if (std::isnan(v)) {
        out += " ";
        continue;
      }
      double eighths = span > 0 ? (v - floor_value) / span * height * 8 : height * 8;
      int in_row = static_cast<int>(std::lround(eighths)) - row * 8;
      out += kUp[std::clamp(in_row, 0, 8)];
    }
    if (row == height - 1) out += label(high, unit);
    if (row == 0) out += label(low_label, unit);
    out += "\n";
  }
  return out;
}

std::vector<double> hourly_means(const SignalSeries& s, TimePoint from, int count, bool price) {
  std::vector<double> out;
  for (int h = 0; h < count; ++h) {
    TimePoint a = from + hours(h), b = a + hours(1);
    double weight = 0, sum = 0;
    for (const Slot& slot : s.slots()) {
      if (slot.end <= a || slot.start >= b) continue;
      double v = price ? slot.price : slot.carbon;
      if (std::isnan(v)) continue;
      double w = static_cast<double>((std::min(slot.end, b) - std::max(slot.start, a)).count());
      weight += w;
      sum += w * v;
    }
    out.push_back(weight > 0 ? sum / weight : kNoPrice);
  }
  return out;
}

std::vector<double> hourly_peaks(const std::vector<std::pair<TimePoint, double>>& steps,
                                 TimePoint from, int count) {
  std::vector<double> out;
  for (int h = 0; h < count; ++h) {
    const TimePoint a = from + hours(h), b = a + hours(1);
    double peak = NAN;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const bool ends_before = i + 1 < steps.size() && steps[i + 1].first <= a;
      if (ends_before || steps[i].first >= b) continue;
      peak = std::isnan(peak) ? steps[i].second : std::max(peak, steps[i].second);
    }
    out.push_back(peak);
  }
  return out;
}

std::string bar(double value, double low, double high, int width) {
  if (std::isnan(value) || width < 1) return "";
  double share = high > low ? (value - low) / (high - low) : 1.0;
  int eighths = static_cast<int>(std::lround(std::clamp(share, 0.0, 1.0) * width * 8));
  std::string out;
  for (int i = 0; i < eighths / 8; ++i) out += kRight[8];
  out += kRight[eighths % 8];
  return out;
}

}  // namespace ebb::chart
