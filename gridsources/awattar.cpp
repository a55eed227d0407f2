// SPDX-License-Identifier: GPL-2.0-or-later
#include "awattar.hpp"

#include <algorithm>

namespace ebb::gridsources {
namespace {

std::string default_url(const Settings& settings) {
  const std::string country = settings.get_or("country", "de");
  return country == "at" || country == "AT" ? "https://api.awattar.at" : "https://api.awattar.de";
}

TimePoint from_millis(double ms) { return TimePoint{Duration{static_cast<long long>(ms / 1000)}}; }

}  // namespace

AwattarSource::AwattarSource(const Settings& settings, const FetchOptions& options)
    // Fair use: about 100 requests per day per IP.
    : ProviderSource("awattar", settings, options, default_url(settings),
                     RateLimit{100, std::chrono::hours(24)}, std::chrono::minutes(60)) {
  country_ = settings.get_or("country", "de");
  std::transform(country_.begin(), country_.end(), country_.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (country_ != "de" && country_ != "at")
    settings.fail("Country=" + country_ + ": expected de or at");
}

SignalSeries AwattarSource::fetch_network(TimePoint now) {
  const TimePoint start = floor_to(now, std::chrono::hours(1)) - std::chrono::hours(24);
  const TimePoint end = floor_to(now, std::chrono::hours(1)) + std::chrono::hours(48);
  auto ms = [](TimePoint t) { return std::to_string(t.time_since_epoch().count() * 1000); };
  return parse(
      get("/v1/marketdata?start=" + ms(start) + "&end=" + ms(end), {"Accept: application/json"})
          .body,
      now);
}

SignalSeries AwattarSource::parse(std::string_view body, TimePoint now) const {
  JsonReader json(name_);
  const auto doc = json.parse(body);
  const Where at_data{"", kNoIndex, "data"};
  auto data = json.array(json.require(doc, at_data), at_data);
  SeriesBuilder builder(name_, Quantity::price, FieldName{"data", "start_timestamp"},
                        FieldName{"data", "marketprice"});
  std::size_t i = 0;
  for (auto item : data) {
    const Where at_start{"data", i, "start_timestamp"}, at_end{"data", i, "end_timestamp"};
    const Where at_price{"data", i, "marketprice"}, at_unit{"data", i, "unit"};
    const double start_ms = json.number(json.require(item, at_start), at_start);
    const double end_ms = json.number(json.require(item, at_end), at_end);
    if (start_ms < 0 || start_ms > 1e14)
      json.fail(at_start, "not a plausible time in milliseconds");
    if (end_ms < 0 || end_ms > 1e14) json.fail(at_end, "not a plausible time in milliseconds");
    if (auto unit = json.optional(item, "unit")) {
      std::string u(json.string(*unit, at_unit));
      std::transform(u.begin(), u.end(), u.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (u != "eur/mwh") json.fail(at_unit, "unit mismatch: '" + u + "', expected Eur/MWh");
    }
    const TimePoint start = from_millis(start_ms), end = from_millis(end_ms);
    builder.add(i, start, end, json.number(json.require(item, at_price), at_price),
                origin_by_time(end, now));
    ++i;
  }
  // The entries name no country (both APIs say "Eur/MWh"); the answer's "url" does:
  // "/de/v1/marketdata" or "/at/v1/marketdata".
  if (auto url = json.optional(doc, "url"); url && url->is_string()) {
    const std::string_view path = url->get_string().value_unsafe();
    const std::string_view first = path.substr(0, path.find('/', 1));
    if (first.size() == 3 && first[0] == '/')
      check_answer_zone(name_, "url (" + std::string(path.substr(0, 60)) + ")", first.substr(1),
                        country_, "Country " + country_);
  }
  SignalSeries series = builder.build();
  series.currency = "EUR";
  series.region = country_ == "at" ? "AT" : "DE-LU";
  return series;
}

}  // namespace ebb::gridsources
