// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb demo-forecast`: moves a recorded series onto the present by whole weeks, so
// each value keeps its weekday and time of day. The demo and the tests use it to
// plan against real grid data as if it were today's forecast.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "ebb/error.hpp"
#include "ebb/forecast_file.hpp"

namespace ebb {

SignalSeries shift_to_present(const SignalSeries& in, TimePoint now) {
  const Duration week = hours(24 * 7);
  // The whole number of weeks that puts `now` within the first week of the data,
  // leaving the rest of it as the days ahead.
  auto weeks = std::chrono::floor<std::chrono::duration<long long, std::ratio<604800>>>(
      now - in.begin());
  Duration shift = std::chrono::duration_cast<Duration>(weeks);
  if (in.end() + shift - now < week && in.end() - in.begin() > week) shift -= week;
  std::vector<Slot> slots = in.slots();
  for (Slot& s : slots) {
    s.start += shift;
    s.end += shift;
  }
  SignalSeries out(std::move(slots), in.source);
  out.region = in.region;
  out.currency = in.currency;
  out.kind = in.kind;
  return out;
}

int demo_forecast_main(int argc, char** argv) {
  CLI::App app{
      "Map a recorded forecast file (CSV or JSON, see README) onto the present by whole weeks,\n"
      "keeping each value's weekday and time of day, and write it as a forecast CSV."};
  std::string input, output = "-", now_text;
  app.add_option("input", input, "recorded series (forecast file format)")->required();
  app.add_option("-o,--output", output, "where to write the CSV ('-' for stdout)");
  app.add_option("--now", now_text, "pretend it is this time (ISO 8601); default: the clock");
  CLI11_PARSE(app, argc, argv);
  try {
    SignalSeries in = read_forecast_file(input);
    TimePoint now = now_text.empty() ? now_utc() : parse_iso8601(now_text);
    std::string csv = to_forecast_csv(shift_to_present(in, now));
    if (output == "-") {
      std::cout << csv;
    } else {
      std::ofstream out(output);
      out << csv;
      if (!out) throw InputError(output + ": cannot write");
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ebb demo-forecast: %s\n", e.what());
    return 1;
  }
}

}  // namespace ebb
