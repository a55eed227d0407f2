// SPDX-License-Identifier: GPL-2.0-or-later
// The actual grid series a replay is scored against: carbon intensity and price over
// time, with fast integrals (prefix sums) and explicit gaps.
//
// Gaps are never filled silently. Time the data does not cover (missing rows, empty or
// NaN cells, time before or after the data) is counted: the series reports how many gaps
// it has, and every integral reports how many of its seconds fell into a gap. Scoring
// needs some value there; it uses the last known value before the gap and says so.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ebb/signal.hpp"

namespace ebb::replay {

struct GapStats {
  std::size_t carbon_gaps = 0;  // stretches without carbon data inside the series
  Duration carbon_gap_time{0};
  std::size_t price_gaps = 0;  // stretches without a price (only if prices were given)
  Duration price_gap_time{0};
};

// Integral of the series over [a, b): carbon in (g/kWh) x hours, price in
// (currency/MWh) x hours; seconds that fell into gaps.
struct Integral {
  double carbon_hours = 0;
  double price_hours = 0;
  double carbon_gap_seconds = 0;
  double price_gap_seconds = 0;
};

class Grid {
 public:
  Grid() = default;
  // `slots` sorted, non-overlapping; holes between them are gaps. A slot's price may be
  // NaN (a price gap). `has_prices` says whether a price series was given at all.
  Grid(std::vector<Slot> slots, bool has_prices, std::string source);

  bool empty() const { return slots_.empty(); }
  TimePoint begin() const { return slots_.front().start; }
  TimePoint end() const { return slots_.back().end; }
  bool has_prices() const { return has_prices_; }
  const std::vector<Slot>& slots() const { return slots_; }
  const GapStats& gaps() const { return gaps_; }
  const std::string& source() const { return source_; }

  Integral integrate(TimePoint a, TimePoint b) const;
  // Mean carbon over [a, b) (gaps at the held value).
  double mean_carbon(TimePoint a, TimePoint b) const;
  // Carbon at t (held value in gaps).
  double carbon_at(TimePoint t) const;
  double price_at(TimePoint t) const;

  // The slots overlapping [a, b), unchanged (for the planner).
  std::vector<Slot> slots_between(TimePoint a, TimePoint b) const;

  // This series repeated in whole weeks (so weekday and time of day stay) until it
  // covers [from, to). The period is the largest whole number of weeks the data spans.
  // Copies only fill time before begin() and after end(): the data itself is kept.
  Grid tiled_to_cover(TimePoint from, TimePoint to) const;
  // For the replay's output: "" when [from, to) lies within the data, else how the grid
  // was repeated and how much of [from, to) fell outside the data
  // ("grid repeated by 52 weeks outside its data (...): 2.0 days after its end ...").
  std::string repeat_note(TimePoint from, TimePoint to) const;
  Duration tiling_period() const;

 private:
  // Contiguous segments from begin() to end(): known slots and gap fillers.
  std::size_t segment_at(std::int64_t t) const;
  double prefix_at(const std::vector<double>& prefix, const std::vector<double>& rate,
                   std::int64_t t, std::size_t i) const;

  std::vector<Slot> slots_;
  bool has_prices_ = false;
  std::string source_;
  GapStats gaps_;

  std::vector<std::int64_t> seg_start_;  // seconds since epoch; one extra entry: the end
  std::vector<double> carbon_, price_, carbon_gap_, price_gap_;  // per segment: value, 1 if gap
  std::vector<double> pc_, pp_, gc_, gp_;  // prefix integrals (value x seconds) at seg starts
};

// Reading grid data.
struct GridReadOptions {
  std::string column;                   // zone column, e.g. "DE"; empty = the only one
  std::optional<Duration> sample_step;  // keep only rows on this clock step (LWA: 30m)
  std::optional<TimePoint> from, to;    // keep rows in [from, to)
  bool allow_negative = false;          // prices may be negative; carbon may not
};

// A point series from a wide CSV: first column a time, one column per zone/region.
// Empty and NaN cells are missing values (gaps). Malformed lines are errors naming the
// file, the line and the reason.
struct PointSeries {
  std::vector<TimePoint> times;
  std::vector<double> values;  // NaN = missing
  std::string source;          // "file.csv column DE"
};
PointSeries read_wide_csv(const std::string& path, const GridReadOptions& options);
// Every value column at once (one pass over the file).
std::vector<PointSeries> read_wide_csv_all(const std::string& path);
// The column names of a wide CSV (after the time column).
std::vector<std::string> wide_csv_columns(const std::string& path);

// Turns points into slots: each point holds until the next one, but never longer than
// the step before it; a longer distance, or a missing value, leaves a gap.
std::vector<Slot> points_to_slots(const PointSeries& points);

// Sets each slot's price from the price series (the price slot covering the slot's
// start); slots with no price get NaN.
void attach_prices(std::vector<Slot>& slots, const PointSeries& prices);

// From ebb's forecast file format (CSV or JSON), via ebb::read_forecast_file.
Grid read_forecast_format(const std::string& path);

}  // namespace ebb::replay
