// SPDX-License-Identifier: GPL-2.0-or-later
#include "ledger_inputs.hpp"

#include <chrono>
#include <optional>
#include <vector>

namespace ebb::ledger {

Actuals actuals_from(const daemon::History& history) {
  return [&history](TimePoint t) -> std::optional<GridHour> {
    const daemon::History::Hour* h = history.at(t);
    if (!h) return std::nullopt;
    return GridHour{h->carbon, h->price};
  };
}

Actuals actuals_from(const daemon::History& history, TimePoint from, TimePoint to) {
  const TimePoint first = std::chrono::floor<hours>(from);
  std::vector<std::optional<GridHour>> dense;
  for (TimePoint t = first; t < to && dense.size() < 24 * 3660; t += hours(1)) {
    const daemon::History::Hour* h = history.at(t);
    dense.push_back(h ? std::optional(GridHour{h->carbon, h->price}) : std::nullopt);
  }
  return [&history, first, dense = std::move(dense)](TimePoint t) {
    const auto i = std::chrono::floor<hours>(t - first).count();
    if (i >= 0 && static_cast<std::size_t>(i) < dense.size())
      return dense[static_cast<std::size_t>(i)];
    const daemon::History::Hour* h = history.at(t);
    if (!h) return std::optional<GridHour>();
    return std::optional(GridHour{h->carbon, h->price});
  };
}

}  // namespace ebb::ledger
