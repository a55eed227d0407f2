// SPDX-License-Identifier: GPL-2.0-or-later
// Every provider parser, by name, configured to parse saved bodies (no network, no keys).
// Shared by the libFuzzer targets (one per parser) and the corpus-replay test.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ebb/gridsource.hpp"

namespace ebbfuzz {

struct ParserSpec {
  const char* name;  // the fuzz target is fuzz_<name>
  const char* role;  // "carbon" or "price"
  std::map<std::string, std::string> settings;
};

inline const std::vector<ParserSpec>& parser_specs() {
  static const std::vector<ParserSpec> specs{
      // National answers; a RegionId= refuses them (they name no region), so the
      // all-regions and regional answers get their own parser.
      {"uk_carbon_intensity", "carbon", {{"carbonsource", "uk-carbon-intensity"}}},
      {"uk_carbon_intensity_region13",
       "carbon",
       {{"carbonsource", "uk-carbon-intensity"}, {"regionid", "13"}}},
      {"electricity_maps", "carbon", {{"carbonsource", "electricity-maps"}}},
      {"electricity_maps_price", "price", {{"pricesource", "electricity-maps"}}},
      {"watttime", "carbon", {{"carbonsource", "watttime"}}},
      {"energy_charts", "carbon", {{"carbonsource", "energy-charts"}}},
      {"energy_charts_signal",
       "carbon",
       {{"carbonsource", "energy-charts"}, {"product", "signal"}, {"fossilintensity", "700"}}},
      {"energy_charts_price", "price", {{"pricesource", "energy-charts"}}},
      {"entsoe", "price", {{"pricesource", "entsoe"}}},
      {"awattar", "price", {{"pricesource", "awattar"}}},
      {"octopus", "price", {{"pricesource", "octopus"}}},
      {"nordpool", "price", {{"pricesource", "nordpool"}}},
      {"carbon_aware_sdk", "carbon", {{"carbonsource", "carbon-aware-sdk"}}},
      {"tariff", "price", {{"pricesource", "tariff"}}},
      {"forecast_file", "carbon", {{"carbonsource", "file"}}},
  };
  return specs;
}

inline std::unique_ptr<ebb::GridSource> make_parser(const ParserSpec& spec) {
  auto settings = spec.settings;
  // A file path makes the adapters skip the keys and regions only the network needs.
  settings[std::string(spec.role) + "file"] = "/nonexistent/saved-response";
  ebb::FetchOptions options;
  return std::string(spec.role) == "carbon" ? ebb::make_carbon_source(settings, options)
                                            : ebb::make_price_source(settings, options);
}

inline std::unique_ptr<ebb::GridSource> make_parser(const std::string& name) {
  for (const auto& spec : parser_specs()) {
    if (name == spec.name) return make_parser(spec);
  }
  return nullptr;
}

}  // namespace ebbfuzz
