// SPDX-License-Identifier: GPL-2.0-or-later
// Small text charts for terminals, drawn with Unicode block characters.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ebb/signal.hpp"
#include "ebb/time.hpp"

namespace ebb::chart {

// A column chart `height` rows tall, one column per value, scaled from the smallest to
// the largest value (NaN values leave a blank column). Each line ends with '\n'; the
// first line carries the maximum and the last the minimum as a label.
std::string columns(const std::vector<double>& values, int height, const std::string& unit);
// The same on a fixed scale: `floor_value` is an empty cell, `high` a full column (values
// beyond are clipped); the first line is labelled `high`, the last `low_label`. Used where
// the scale means something, such as busy CPUs against a partition's size.
std::string columns(const std::vector<double>& values, int height, const std::string& unit,
                    double floor_value, double high, double low_label);

// Hour-wide means of a forecast's carbon intensity (or price) over [from, from + count
// hours), NaN where the forecast has nothing: one value per column of an hourly chart.
std::vector<double> hourly_means(const SignalSeries& s, TimePoint from, int count, bool price);

// Hour-wide peaks of a step function ((from, value) steps, each holding until the next,
// the last for ever), NaN before its first step.
std::vector<double> hourly_peaks(const std::vector<std::pair<TimePoint, double>>& steps,
                                 TimePoint from, int count);

// A horizontal bar `width` cells wide for `value` in [low, high], with eighth-cell
// resolution.
std::string bar(double value, double low, double high, int width);

}  // namespace ebb::chart
