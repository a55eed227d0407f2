// SPDX-License-Identifier: GPL-2.0-or-later
// Turns a provider's points into a validated SignalSeries in ebb's units, with errors that
// name the provider and the field. Every adapter feeds its values through a SeriesBuilder.
//
// Checked here: values finite; intensities within [0, kMaxIntensity]; prices within
// +-kMaxPrice; start times strictly increasing (no duplicates, no disorder); each slot's
// end after its start and not past the next slot's start.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ebb/gridsource.hpp"
#include "json.hpp"

namespace ebb::gridsources {

// No grid averages over ~1,100 g/kWh (lignite); marginal lignite plants reach ~1,300.
// Anything above this is a unit or data error.
inline constexpr double kMaxIntensity = 2500.0;
// Day-ahead caps are +4,000/-500 EUR/MWh (SDAC harmonised limits); Nord Pool in NOK/SEK
// and Electricity Maps in local currencies are ~10x larger. Beyond this is an error.
inline constexpr double kMaxPrice = 100000.0;

// 1 lb/MWh = 453.59237 g / 1000 kWh.
inline constexpr double kGramsPerKwhPerLbPerMwh = 0.45359237;

// A number as people write it: "-5", "0.6", "9000".
std::string number_text(double value);

enum class Quantity { carbon, price };

// A field pattern for messages: {"data", "value"} names point i as "data[i].value".
struct FieldName {
  std::string array;
  std::string key;
  Where at(std::size_t i) const { return Where{array, i, key}; }
};

class SeriesBuilder {
 public:
  SeriesBuilder(std::string provider, Quantity quantity, FieldName time_field,
                FieldName value_field);

  // Adds point `index` (as named in the response). `end` absent: the point holds until the
  // next point (the last one for `last_length` in build()). Value errors throw at once.
  void add(std::size_t index, TimePoint start, std::optional<TimePoint> end, double value,
           Origin origin);
  // For providers that document another order (Octopus: newest first). Without this, any
  // disorder is an error.
  void sort_by_start();
  std::size_t size() const { return points_.size(); }

  // Builds the series. `last_length`: how long the last point holds when it has no end
  // (zero: the step between the last two points). Empty input is a retryable SourceError
  // ("no data"). Sets source = provider.
  SignalSeries build(Duration last_length = Duration{0}) const;

  [[noreturn]] void fail(const Where& where, const std::string& what) const;

 private:
  struct Point {
    TimePoint start;
    std::optional<TimePoint> end;
    double value;
    Origin origin;
    std::size_t index;
  };
  std::string provider_;
  Quantity quantity_;
  FieldName time_field_;
  FieldName value_field_;
  std::vector<Point> points_;
};

// Origin of a value the provider does not label: actual once its slot has ended.
inline Origin origin_by_time(TimePoint slot_end, TimePoint now) {
  return slot_end <= now ? Origin::actual : Origin::forecast;
}

// Marks slots as actual when they ended before now (for providers that do not say).
SignalSeries with_origins_by_time(SignalSeries series, TimePoint now);

// Joins a history series (actuals) and a forecast: history up to where the forecast
// starts, then the forecast. Either may be empty.
SignalSeries join_history_and_forecast(const SignalSeries& history, const SignalSeries& forecast);

}  // namespace ebb::gridsources
