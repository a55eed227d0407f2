// SPDX-License-Identifier: GPL-2.0-or-later
// Parse throughput per provider (gridsources/): MB/s and slots/s, the median of N runs,
// over the recorded fixtures and over synthetic bodies of 10,000 points in each provider's
// format (recorded bodies are small, so their figures are dominated by per-call costs).
// Usage: bench_parse [runs, default 15] [fixtures dir]. Prints a Markdown table.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "../fuzz/parsers.hpp"
#include "ebb/time.hpp"

#ifndef EBB_FIXTURES_DIR
#define EBB_FIXTURES_DIR "tests/data/fixtures"
#endif

namespace {

constexpr long long kStart = 1767225600;  // 2026-01-01T00:00:00Z

std::string iso(long long unix_seconds) {
  return ebb::format_utc(ebb::TimePoint{ebb::Duration{unix_seconds}});
}
std::string iso_minute(long long unix_seconds) {
  std::string s = iso(unix_seconds);  // 2026-01-01T00:00:00Z
  return s.substr(0, 16) + "Z";
}
double value(int i) { return 150 + (i * 37) % 200 + 0.25; }

using Generator = std::function<std::string(int n)>;

std::string uk(int n) {
  std::string s = R"({"data":{"regionid":13,"shortname":"London","data":[)";
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    s += R"({"from":")" + iso_minute(kStart + i * 1800LL) + R"(","to":")" +
         iso_minute(kStart + (i + 1) * 1800LL) + R"(","intensity":{"forecast":)" +
         std::to_string(static_cast<int>(value(i))) + R"(,"index":"moderate"}})";
  }
  return s + "]}}";
}
std::string em(int n) {
  std::string s = R"({"zone":"DE","forecast":[)";
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    s += R"({"carbonIntensity":)" + std::to_string(static_cast<int>(value(i))) +
         R"(,"datetime":")" + iso(kStart + i * 3600LL).substr(0, 19) + R"(.000Z"})";
  }
  return s + R"(],"updatedAt":"2026-01-01T00:00:00.000Z"})";
}
std::string watttime(int n) {
  std::string s = R"({"data":[)";
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    s += R"({"point_time":")" + iso(kStart + i * 300LL).substr(0, 19) + R"(+00:00","value":)" +
         std::to_string(value(i) * 2) + "}";
  }
  return s +
         R"(],"meta":{"data_point_period_seconds":300,"region":"CAISO_NORTH","signal_type":"co2_moer",)"
         R"("units":"lbs_co2_per_mwh","generated_at":"2026-01-01T00:00:00+00:00"}})";
}
std::string energy_charts(int n) {
  std::string t = R"({"unix_seconds":[)", c = R"(],"co2eq":[)", f = R"(],"co2eq_forecast":[)";
  for (int i = 0; i < n; ++i) {
    const char* sep = i ? "," : "";
    t += sep + std::to_string(kStart + i * 900LL);
    c += sep + (i < n / 2 ? std::to_string(value(i)) : std::string("null"));
    f += sep + (i < n / 2 ? std::string("null") : std::to_string(value(i)));
  }
  return t + c + f + R"(],"deprecated":false})";
}
std::string entsoe(int n) {
  std::string s =
      R"(<?xml version="1.0" encoding="utf-8"?><Publication_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:3">)"
      R"(<TimeSeries><currency_Unit.name>EUR</currency_Unit.name><price_Measure_Unit.name>MWH</price_Measure_Unit.name>)"
      R"(<curveType>A03</curveType><Period><timeInterval><start>)" +
      iso_minute(kStart) + "</start><end>" + iso_minute(kStart + n * 900LL) +
      "</end></timeInterval><resolution>PT15M</resolution>";
  for (int i = 0; i < n; ++i) {
    s += "<Point><position>" + std::to_string(i + 1) + "</position><price.amount>" +
         std::to_string(value(i) / 2) + "</price.amount></Point>";
  }
  return s + "</Period></TimeSeries></Publication_MarketDocument>";
}
std::string awattar(int n) {
  std::string s = R"({"object":"list","data":[)";
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    s += R"({"start_timestamp":)" + std::to_string((kStart + i * 3600LL) * 1000) +
         R"(,"end_timestamp":)" + std::to_string((kStart + (i + 1) * 3600LL) * 1000) +
         R"(,"marketprice":)" + std::to_string(value(i) / 2) + R"(,"unit":"Eur/MWh"})";
  }
  return s + R"(],"url":"/de/v1/marketdata"})";
}
std::string octopus(int n) {
  std::string s =
      R"({"count":)" + std::to_string(n) + R"(,"next":null,"previous":null,"results":[)";
  for (int i = n - 1; i >= 0; --i) {  // newest first, as Octopus sends them
    if (i != n - 1) s += ',';
    s += R"({"value_exc_vat":)" + std::to_string(value(i) / 10) + R"(,"value_inc_vat":)" +
         std::to_string(value(i) / 10 * 1.05) + R"(,"valid_from":")" + iso(kStart + i * 1800LL) +
         R"(","valid_to":")" + iso(kStart + (i + 1) * 1800LL) + R"(","payment_method":null})";
  }
  return s + "]}";
}
std::string nordpool(int n) {
  std::string s =
      R"({"deliveryDateCET":"2026-01-01","version":1,"deliveryAreas":["SE3"],"market":"DayAhead","multiAreaEntries":[)";
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    s += R"({"deliveryStart":")" + iso(kStart + i * 900LL) + R"(","deliveryEnd":")" +
         iso(kStart + (i + 1) * 900LL) + R"(","entryPerArea":{"SE3":)" +
         std::to_string(value(i) / 3) + "}}";
  }
  return s + R"(],"currency":"EUR","areaStates":[{"state":"Final","areas":["SE3"]}]})";
}
std::string casdk(int n) {
  std::string s =
      R"([{"requestedAt":"2026-01-01T00:00:00+00:00","generatedAt":"2026-01-01T00:00:00+00:00","location":"eastus",)"
      R"("windowSize":5,"optimalDataPoints":[],"forecastData":[)";
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    s += R"({"location":"eastus","timestamp":")" + iso(kStart + i * 300LL).substr(0, 19) +
         R"(+00:00","duration":5,"value":)" + std::to_string(value(i)) + "}";
  }
  return s + "]}]";
}

struct Case {
  std::string provider;  // parser spec name
  std::string input;     // "fixture name" or "synthetic"
  std::string body;
};

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 15;
  const std::string dir = argc > 2 ? argv[2] : EBB_FIXTURES_DIR;
  const int points = runs == 1 ? 500 : 10000;  // the smoke run stays quick
  std::vector<Case> cases{
      {"uk_carbon_intensity", "uk_carbonintensity_national_fw48h.json", ""},
      {"electricity_maps", "electricitymaps_v3_carbon-intensity_forecast.json", ""},
      {"watttime", "watttime_v3_forecast_official_openapi_example.json", ""},
      {"energy_charts_signal", "energycharts_signal_de.json", ""},
      {"entsoe", "entsoe_A44_dayahead_prices_CH_PT60M.xml", ""},
      {"awattar", "awattar_v1_marketdata_de.json", ""},
      {"octopus", "octopus_agile_standard-unit-rates_E-1R-AGILE-FLEX-22-11-25-C.json", ""},
      {"nordpool", "nordpool_dataportal_DayAheadPrices_NL_homeassistant.json", ""},
      {"carbon_aware_sdk", "casdk_webapi_forecasts_current_doc_example.json", ""},
  };
  for (auto& c : cases) c.body = read(dir + "/" + c.input);
  const std::vector<std::pair<std::string, Generator>> synthetic{
      {"uk_carbon_intensity", uk}, {"electricity_maps", em},
      {"watttime", watttime},      {"energy_charts", energy_charts},
      {"entsoe", entsoe},          {"awattar", awattar},
      {"octopus", octopus},        {"nordpool", nordpool},
      {"carbon_aware_sdk", casdk}};
  for (const auto& [name, make] : synthetic)
    cases.push_back({name, "synthetic " + std::to_string(points) + " points", make(points)});

  std::printf(
      "| provider | input | bytes | slots | MB/s | slots/s (millions) "
      "|\n|---|---|---:|---:|---:|---:|\n");
  const ebb::TimePoint now{ebb::Duration{kStart + 3600}};
  int failures = 0;
  for (const auto& c : cases) {
    const std::unique_ptr<ebb::GridSource> parser = ebbfuzz::make_parser(c.provider);
    if (c.body.empty() || !parser) {
      std::printf("| %s | %s | missing | | | |\n", c.provider.c_str(), c.input.c_str());
      ++failures;
      continue;
    }
    std::size_t slots = 0;
    try {
      slots = parser->parse(c.body, now).size();
    } catch (const std::exception& e) {
      std::printf("| %s | %s | error: %s | | | |\n", c.provider.c_str(), c.input.c_str(), e.what());
      ++failures;
      continue;
    }
    // Enough repetitions per run for ~20 ms of work (at least one).
    const auto t0 = std::chrono::steady_clock::now();
    (void)parser->parse(c.body, now);
    const double once =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const int reps = std::max(1, static_cast<int>(0.02 / std::max(once, 1e-7)));
    std::vector<double> per_parse;
    for (int r = 0; r < runs; ++r) {
      const auto start = std::chrono::steady_clock::now();
      for (int k = 0; k < reps; ++k) slots = parser->parse(c.body, now).size();
      per_parse.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / reps);
    }
    std::sort(per_parse.begin(), per_parse.end());
    const double median = per_parse[per_parse.size() / 2];
    std::printf("| %s | %s | %zu | %zu | %.1f | %.2f |\n", c.provider.c_str(), c.input.c_str(),
                c.body.size(), slots, static_cast<double>(c.body.size()) / median / 1e6,
                static_cast<double>(slots) / median / 1e6);
  }
  return failures == 0 ? 0 : 1;
}
