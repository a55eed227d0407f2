// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/signal.hpp"

#include <algorithm>

#include "ebb/error.hpp"

namespace ebb {

namespace {
// The highest grid intensities on record are around 1,000-1,200 g/kWh (coal-heavy
// grids); 5,000 leaves room for marginal signals while catching unit mix-ups such as
// lbs/MWh read as g/kWh times ten, or kg read as g.
constexpr double kMaxCarbon = 5000.0;

std::string describe(const std::string& source, std::size_t i, const Slot& s) {
  return source + ": slot " + std::to_string(i) + " (" + format_utc(s.start) + ")";
}
}  // namespace

SignalSeries::SignalSeries(std::vector<Slot> slots, std::string source_name)
    : source(std::move(source_name)), slots_(std::move(slots)) {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const Slot& s = slots_[i];
    if (!(s.start < s.end))
      throw InputError(describe(source, i, s) + ": slot ends before it starts");
    if (!std::isfinite(s.carbon) || s.carbon < 0 || s.carbon > kMaxCarbon)
      throw InputError(describe(source, i, s) + ": carbon intensity " + std::to_string(s.carbon) +
                       " is outside 0-5000 gCO2/kWh");
    if (std::isinf(s.price))
      throw InputError(describe(source, i, s) + ": price is infinite");
    if (i > 0 && s.start < slots_[i - 1].end) {
      throw InputError(describe(source, i, s) +
                       (s.start <= slots_[i - 1].start ? ": times are not in increasing order"
                                                       : ": overlaps the previous slot"));
    }
  }
}

bool SignalSeries::has_prices() const {
  return !slots_.empty() &&
         std::all_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.has_price(); });
}

const Slot* SignalSeries::at(TimePoint t) const {
  auto it = std::upper_bound(slots_.begin(), slots_.end(), t,
                             [](TimePoint v, const Slot& s) { return v < s.start; });
  if (it == slots_.begin()) return nullptr;
  --it;
  return t < it->end ? &*it : nullptr;
}

std::vector<Slot> slots_from_points(const std::vector<TimePoint>& times,
                                    const std::vector<double>& carbon,
                                    const std::vector<double>& price, Duration last_length) {
  std::vector<Slot> slots;
  slots.reserve(times.size());
  for (std::size_t i = 0; i < times.size(); ++i) {
    Slot s;
    s.start = times[i];
    if (i + 1 < times.size()) {
      s.end = times[i + 1];
    } else if (last_length > Duration{0}) {
      s.end = s.start + last_length;
    } else if (i > 0) {
      s.end = s.start + (times[i] - times[i - 1]);
    } else {
      s.end = s.start + hours(1);
    }
    s.carbon = i < carbon.size() ? carbon[i] : 0.0;
    s.price = i < price.size() ? price[i] : kNoPrice;
    slots.push_back(s);
  }
  return slots;
}

}  // namespace ebb
