// SPDX-License-Identifier: GPL-2.0-or-later
// Grid signal series: carbon intensity and electricity price over UTC time, step-wise.
//
// A series is a sorted list of slots [start, end), each with one carbon intensity
// (gCO2e/kWh) and optionally one price (currency per MWh). Slots may have any length
// (5 min to 1 h, mixed) and there may be gaps between them; the planner treats time
// with no slot as unknown (see planner.hpp).
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ebb/time.hpp"

namespace ebb {

// Where a value came from.
enum class Origin { forecast, actual, extension };
// Average intensity of the grid mix, or marginal (the plant that answers extra load).
enum class SignalKind { average, marginal };

inline constexpr double kNoPrice = std::numeric_limits<double>::quiet_NaN();

struct Slot {
  TimePoint start;
  TimePoint end;
  double carbon = 0;         // gCO2e/kWh
  double price = kNoPrice;   // currency per MWh; NaN when unknown
  Origin origin = Origin::forecast;

  bool has_price() const { return !std::isnan(price); }
  Duration length() const { return end - start; }
};

class SignalSeries {
 public:
  SignalSeries() = default;
  // Validates: each slot has start < end, slots sorted and not overlapping, carbon
  // finite and within [0, 5000], price finite or NaN. Throws InputError naming
  // `source` and the offending slot.
  explicit SignalSeries(std::vector<Slot> slots, std::string source = "forecast");

  const std::vector<Slot>& slots() const { return slots_; }
  bool empty() const { return slots_.empty(); }
  std::size_t size() const { return slots_.size(); }
  TimePoint begin() const { return slots_.front().start; }  // requires !empty()
  TimePoint end() const { return slots_.back().end; }       // requires !empty()
  // True when every slot has a price.
  bool has_prices() const;
  // The slot covering t, or nullptr.
  const Slot* at(TimePoint t) const;

  std::string source;               // a file path or provider name, for messages
  std::string region;               // e.g. "GB", "DE"; may be empty
  std::string currency;             // of the price column; empty: the site's Currency applies
  SignalKind kind = SignalKind::average;

 private:
  std::vector<Slot> slots_;
};

// Builds slots from points that each hold until the next one; the last point holds
// for `last_length` (or the previous step when zero). Used by the file formats and
// most providers.
std::vector<Slot> slots_from_points(const std::vector<TimePoint>& times,
                                    const std::vector<double>& carbon,
                                    const std::vector<double>& price,
                                    Duration last_length = Duration{0});

}  // namespace ebb
