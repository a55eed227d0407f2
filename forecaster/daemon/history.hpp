// SPDX-License-Identifier: GPL-2.0-or-later
// A region's recent grid signal, one value per UTC hour, from which ebbd extends a
// forecast past the provider's horizon.
//
// Every good fetch is recorded (later fetches overwrite earlier values for the same
// hour, so past hours end up holding the provider's last word on them). An extension
// hour takes the median of the same hour of the week over the last `weeks` weeks; with
// fewer than two such weeks recorded, the median of the same hour of the day over the
// recorded days. Prices follow the same rule, separately, where they are known. That is
// ExtensionModel=weekly-median; the default, ExtensionModel=seasonal, is ebbd's own
// forecaster (ebb/seasonal_forecast.hpp), fed these hours before the extension's start.
//
// Kept in CacheDir/<region>.history as lines "2026-11-27T18:00:00Z,212,85.1", for
// HistoryDays (default kDefaultHistoryDays): the savings ledger (`ebb report`) reads the
// same file for the grid's actual intensity and price over a job's real run, and finance
// asks about the last year.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ebb/signal.hpp"

namespace ebb::daemon {

enum class ExtensionModel { seasonal, weekly_median };
// Long enough for a year's report plus a month of late questions.
inline constexpr int kDefaultHistoryDays = 400;

class History {
 public:
  // What was recorded for the UTC hour that contains `t`, if anything.
  struct Hour {
    double carbon = 0;        // gCO2e/kWh
    double price = kNoPrice;  // currency per MWh; NaN when unknown
  };
  const Hour* at(TimePoint t) const;

  // Records the hour-weighted mean of every UTC hour at least half covered by `series`.
  void record(const SignalSeries& series);
  // Forgets hours that start before `cutoff`.
  void prune(TimePoint cutoff);
  // Slots of Origin::extension covering [from, until) (the first one may start off the
  // hour), stopping early at the first hour the history cannot estimate.
  std::vector<Slot> extend(TimePoint from, TimePoint until, int weeks,
                           ExtensionModel model = ExtensionModel::seasonal) const;

  std::size_t hours() const { return hours_.size(); }
  std::string to_text() const;
  // Throws InputError naming `source` and the line.
  static History parse(std::string_view text, const std::string& source);

 private:
  std::map<std::int64_t, Hour> hours_;  // key: hours since the epoch
};

}  // namespace ebb::daemon
