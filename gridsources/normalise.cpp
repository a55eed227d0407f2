// SPDX-License-Identifier: GPL-2.0-or-later
#include "normalise.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "ebb/error.hpp"

namespace ebb::gridsources {
std::string number_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

SeriesBuilder::SeriesBuilder(std::string provider, Quantity quantity, FieldName time_field,
                             FieldName value_field)
    : provider_(std::move(provider)),
      quantity_(quantity),
      time_field_(std::move(time_field)),
      value_field_(std::move(value_field)) {}

void SeriesBuilder::fail(const Where& where, const std::string& what) const {
  throw SourceError(provider_, where.str() + ": " + what);
}

void SeriesBuilder::add(std::size_t index, TimePoint start, std::optional<TimePoint> end,
                        double value, Origin origin) {
  const Where where = value_field_.at(index);
  if (!std::isfinite(value)) fail(where, "not a finite number");
  if (quantity_ == Quantity::carbon) {
    if (value < 0) fail(where, "negative intensity " + number_text(value));
    if (value > kMaxIntensity) {
      fail(where, "absurd intensity " + number_text(value) + " g/kWh (limit " +
                      number_text(kMaxIntensity) + "; wrong unit?)");
    }
  } else if (std::fabs(value) > kMaxPrice) {
    fail(where, "absurd price " + number_text(value) + " per MWh (limit +-" +
                    number_text(kMaxPrice) + "; wrong unit?)");
  }
  if (end && *end <= start) fail(time_field_.at(index), "slot ends before it starts");
  points_.push_back(Point{start, end, value, origin, index});
}

void SeriesBuilder::sort_by_start() {
  std::stable_sort(points_.begin(), points_.end(),
                   [](const Point& a, const Point& b) { return a.start < b.start; });
}

SignalSeries SeriesBuilder::build(Duration last_length) const {
  if (points_.empty()) {
    throw SourceError(provider_, value_field_.array + ": no data (empty)", 0, true);
  }
  std::vector<Slot> slots;
  slots.reserve(points_.size());
  // Order first, so a duplicate is reported as such rather than as an overlap.
  for (std::size_t i = 1; i < points_.size(); ++i) {
    const Point& p = points_[i];
    const Point& prev = points_[i - 1];
    if (p.start == prev.start) {
      fail(time_field_.at(p.index),
           "duplicate timestamp (same as " + time_field_.at(prev.index).str() + ")");
    }
    if (p.start < prev.start) {
      fail(time_field_.at(p.index),
           "timestamps out of order (earlier than " + time_field_.at(prev.index).str() + ")");
    }
  }
  for (std::size_t i = 0; i < points_.size(); ++i) {
    const Point& p = points_[i];
    TimePoint end;
    if (p.end) {
      end = *p.end;
      if (i + 1 < points_.size() && end > points_[i + 1].start) {
        fail(time_field_.at(p.index), "slot overlaps the next one");
      }
    } else if (i + 1 < points_.size()) {
      end = points_[i + 1].start;
    } else if (last_length > Duration{0}) {
      end = p.start + last_length;
    } else if (i > 0) {
      end = p.start + (p.start - points_[i - 1].start);
    } else {
      fail(time_field_.at(p.index), "a single point without an end: cannot tell the slot length");
    }
    Slot slot;
    slot.start = p.start;
    slot.end = end;
    slot.origin = p.origin;
    if (quantity_ == Quantity::carbon) {
      slot.carbon = p.value;
    } else {
      slot.carbon = 0;  // price series carry no carbon signal; see gridsource.hpp
      slot.price = p.value;
    }
    slots.push_back(slot);
  }
  try {
    return SignalSeries(std::move(slots), provider_);
  } catch (const InputError& e) {
    throw SourceError(provider_, e.what());
  }
}

SignalSeries with_origins_by_time(SignalSeries series, TimePoint now) {
  std::vector<Slot> slots = series.slots();
  for (auto& s : slots) {
    if (s.origin != Origin::extension) s.origin = origin_by_time(s.end, now);
  }
  SignalSeries out(std::move(slots), series.source);
  out.region = series.region;
  out.currency = series.currency;
  out.kind = series.kind;
  return out;
}

SignalSeries join_history_and_forecast(const SignalSeries& history, const SignalSeries& forecast) {
  if (history.empty()) return forecast;
  if (forecast.empty()) return history;
  std::vector<Slot> slots;
  for (const Slot& s : history.slots()) {
    if (s.start >= forecast.begin()) break;
    Slot cut = s;
    cut.end = std::min(s.end, forecast.begin());
    slots.push_back(cut);
  }
  slots.insert(slots.end(), forecast.slots().begin(), forecast.slots().end());
  SignalSeries out(std::move(slots), forecast.source);
  out.region = forecast.region;
  out.currency = forecast.currency;
  out.kind = forecast.kind;
  return out;
}

}  // namespace ebb::gridsources
