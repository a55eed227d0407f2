// SPDX-License-Identifier: GPL-2.0-or-later
// Green Software Foundation Carbon Aware SDK: its WebAPI (self-hosted; CarbonUrl= is
// required) and its JSON data file. Shapes parsed, all in g/kWh:
//   /emissions/forecasts/current: [{location, forecastData:[{timestamp, duration (min), value}]}]
//     -> forecast;
//   /emissions/bylocation(s): [{location, time, rating, duration ("00:05:00")}] -> actual;
//   /emissions/average-carbon-intensity/batch: [{location, startTime, endTime, carbonIntensity}]
//     -> actual;
//   the JSON data-source file: {"Emissions":[{Location, Time, Rating, Duration}]} (or a bare
//     array), PascalCase keys, a UTF-8 BOM, ratings as strings, any order -> actual.
// Location= picks one location where a response holds several.
#pragma once

#include "source_base.hpp"

namespace ebb::gridsources {

// .NET TimeSpan text "[d.]hh:mm[:ss[.fffffff]]" to seconds; -1 if unreadable.
long long parse_timespan_seconds(std::string_view text);

class CarbonAwareSdkSource final : public ProviderSource {
 public:
  CarbonAwareSdkSource(const Settings& settings, const FetchOptions& options);
  bool gives_carbon() const override { return true; }
  bool gives_price() const override { return false; }
  SignalSeries parse(std::string_view body, TimePoint now) const override;

 protected:
  SignalSeries fetch_network(TimePoint now) override;

 private:
  std::string location_;
};

}  // namespace ebb::gridsources
