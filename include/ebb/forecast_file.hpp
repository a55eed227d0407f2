// SPDX-License-Identifier: GPL-2.0-or-later
// The forecast file: how sites without a provider (or air-gapped) feed ebb.
//
// CSV, with a header row:
//     time,carbon_intensity,price
//     2026-11-27T18:00:00Z,212,85.10
//     2026-11-27T18:30:00+01:00,198,
// time is ISO 8601 with Z or an offset; each row holds until the next one (the last
// row for the previous row's step); price (currency per MWh) is optional per row or
// as a column. Comment lines start with '#'.
//
// JSON: {"region":"GB","currency":"GBP","kind":"average",
//        "data":[{"time":"...","carbon_intensity":212,"price":85.1}, ...]}
//
// Errors name the file, the line (CSV) or the entry (JSON), and the reason.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ebb/signal.hpp"

namespace ebb {

SignalSeries parse_forecast_csv(std::string_view text, const std::string& source);
SignalSeries parse_forecast_json(std::string_view text, const std::string& source);
// Chooses CSV or JSON by the first non-blank character ('{' is JSON).
SignalSeries parse_forecast(std::string_view text, const std::string& source);
// A week at 5-minute resolution is about 100 KB of CSV; a bigger file is not a forecast.
inline constexpr std::size_t kMaxForecastFileBytes = std::size_t{64} << 20;

// Reads (a regular file, at most kMaxForecastFileBytes) and parses a file; throws
// InputError naming the path when it cannot be read.
SignalSeries read_forecast_file(const std::string& path);

// Writes a series in the CSV form above (used by the demo and by ebbd's cache).
std::string to_forecast_csv(const SignalSeries& series);

}  // namespace ebb
