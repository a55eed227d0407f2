// Small text charts for terminals, drawn with Unicode block characters.
#pragma once

#include <string>
#include <vector>

namespace ebb::chart {

// A column chart `height` rows tall, one column per value, scaled from the smallest to
// the largest value (NaN values leave a blank column). Each line ends with '\n'; the
// first line carries the maximum and the last the minimum as a label.
std::string columns(const std::vector<double>& values, int height, const std::string& unit);

// A horizontal bar `width` cells wide for `value` in [low, high], with eighth-cell
// resolution.
std::string bar(double value, double low, double high, int width);

}  // namespace ebb::chart
