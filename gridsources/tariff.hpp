// SPDX-License-Identifier: GPL-2.0-or-later
// A time-of-use tariff from ebb.conf, for sites on fixed tariffs: a price for peak hours,
// an optional shoulder price, and an off-peak price for all other time, by weekday, in the
// site's time zone (DST handled):
//     PriceSource=tariff Currency=GBP TariffUnit=kWh TariffTimeZone=Europe/London
//     TariffOffPeak=0.12 TariffPeak=0.30 TariffPeakHours="Mon-Fri 07:00-19:00"
//     TariffShoulder=0.20 TariffShoulderHours="Mon-Fri 06:00-07:00,19:00-22:00; Sat-Sun
//     08:00-20:00"
// Hours: groups separated by ';', each "<days> <from>-<to>[,<from>-<to>...]"; days are
// Mon..Sun, ranges (Mon-Fri), lists (Mon,Wed) or Daily; a range past midnight (22:00-06:00)
// runs into the next day. Peak wins over shoulder where they overlap. Prices are per MWh
// unless TariffUnit=kWh. PriceFile= may hold the same keys, one Key=Value per line.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ebb/gridsource.hpp"

namespace ebb::gridsources {

struct TariffLevel {
  double price_per_mwh = 0;
  // minute-of-week ranges [from, to) in local time, Monday 00:00 = 0; to may exceed a week
  std::vector<std::pair<int, int>> ranges;
};

struct TariffSchedule {
  std::string currency = "EUR";
  std::string time_zone = "UTC";
  double off_peak_per_mwh = 0;
  std::vector<TariffLevel> levels;  // higher priority first (peak, then shoulder)
  int days = 7;                     // how far ahead to write slots
};

// From lower-case keys; throws SourceError("tariff", ...) naming the key.
TariffSchedule parse_tariff_settings(const std::map<std::string, std::string>& settings);
// "Mon-Fri 07:00-19:00; Sat 09:00-12:00" -> minute-of-week ranges. Throws std::invalid_argument.
std::vector<std::pair<int, int>> parse_tariff_hours(std::string_view text);

// Slots from the local midnight before now - 1 day to `days` days after now, merged where
// the price does not change.
SignalSeries tariff_series(const TariffSchedule& schedule, TimePoint now);

class TariffSource final : public GridSource {
 public:
  explicit TariffSource(const std::map<std::string, std::string>& settings);
  std::string name() const override { return "tariff"; }
  bool gives_carbon() const override { return false; }
  bool gives_price() const override { return true; }
  SignalSeries fetch(TimePoint now) override;
  // `body`: Key=Value lines with the keys above ('#' comments).
  SignalSeries parse(std::string_view body, TimePoint now) const override;

 private:
  std::map<std::string, std::string> settings_;
  std::optional<std::string> file_;
};

}  // namespace ebb::gridsources
