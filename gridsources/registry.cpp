// SPDX-License-Identifier: GPL-2.0-or-later
// make_carbon_source / make_price_source: from a RegionName= line's settings to an adapter.
#include <algorithm>
#include <cctype>
#include <functional>

#include "awattar.hpp"
#include "carbon_aware_sdk.hpp"
#include "ebb/gridsource.hpp"
#include "electricity_maps.hpp"
#include "energy_charts.hpp"
#include "entsoe.hpp"
#include "forecast_file_source.hpp"
#include "nordpool.hpp"
#include "octopus.hpp"
#include "source_base.hpp"
#include "tariff.hpp"
#include "uk_carbon_intensity.hpp"
#include "watttime.hpp"

namespace ebb {

SourceError::SourceError(std::string provider_name, const std::string& message, int status,
                         bool can_retry)
    : std::runtime_error(provider_name + ": " + message),
      provider(std::move(provider_name)),
      http_status(status),
      retryable(can_retry) {}

namespace {

using gridsources::Settings;
using Factory = std::function<std::unique_ptr<GridSource>(const Settings&, const FetchOptions&)>;

template <typename T>
Factory factory() {
  return [](const Settings& s, const FetchOptions& o) { return std::make_unique<T>(s, o); };
}

struct Entry {
  const char* name;
  Factory make;
};

const std::vector<Entry>& carbon_sources() {
  static const std::vector<Entry> table{
      {"uk-carbon-intensity", factory<gridsources::UkCarbonIntensitySource>()},
      {"electricity-maps", factory<gridsources::ElectricityMapsSource>()},
      {"watttime", factory<gridsources::WattTimeSource>()},
      {"energy-charts", factory<gridsources::EnergyChartsSource>()},
      {"carbon-aware-sdk", factory<gridsources::CarbonAwareSdkSource>()},
      {"file", factory<gridsources::ForecastFileSource>()},
  };
  return table;
}

const std::vector<Entry>& price_sources() {
  static const std::vector<Entry> table{
      {"entsoe", factory<gridsources::EntsoeSource>()},
      {"energy-charts", factory<gridsources::EnergyChartsSource>()},
      {"awattar", factory<gridsources::AwattarSource>()},
      {"octopus", factory<gridsources::OctopusSource>()},
      {"nordpool", factory<gridsources::NordPoolSource>()},
      {"electricity-maps", factory<gridsources::ElectricityMapsSource>()},
      {"tariff",
       [](const Settings& s, const FetchOptions&) -> std::unique_ptr<GridSource> {
         return std::make_unique<gridsources::TariffSource>(s.values());
       }},
      {"file", factory<gridsources::ForecastFileSource>()},
  };
  return table;
}

std::unique_ptr<GridSource> make(const std::map<std::string, std::string>& settings,
                                 const FetchOptions& options, const std::string& role,
                                 const std::vector<Entry>& table) {
  const std::string key = role + "source";
  auto it = settings.find(key);
  const std::string display = role == "carbon" ? "CarbonSource" : "PriceSource";
  if (it == settings.end() || it->second.empty()) {
    throw SourceError(role, "ebb.conf: " + display + "= is needed");
  }
  std::string wanted = it->second;
  std::transform(wanted.begin(), wanted.end(), wanted.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (wanted == "forecast-file" || wanted == "forecastfile") wanted = "file";
  std::string known;
  for (const Entry& e : table) {
    if (wanted == e.name) return e.make(Settings(settings, role, e.name), options);
    known += known.empty() ? "" : ", ";
    known += e.name;
  }
  throw SourceError(it->second, "ebb.conf: " + display + "=" + it->second + ": unknown " + role +
                                    " source; known: " + known);
}

}  // namespace

std::unique_ptr<GridSource> make_carbon_source(const std::map<std::string, std::string>& settings,
                                               const FetchOptions& options) {
  return make(settings, options, "carbon", carbon_sources());
}

std::unique_ptr<GridSource> make_price_source(const std::map<std::string, std::string>& settings,
                                              const FetchOptions& options) {
  return make(settings, options, "price", price_sources());
}

}  // namespace ebb
