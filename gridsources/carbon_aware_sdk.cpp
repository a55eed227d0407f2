// SPDX-License-Identifier: GPL-2.0-or-later
#include "carbon_aware_sdk.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace ebb::gridsources {
namespace {

// camelCase from the WebAPI, PascalCase in the data files: try both.
std::optional<simdjson::dom::element> field(simdjson::dom::element object, std::string_view camel) {
  if (auto v = JsonReader::find(object, camel)) return v;
  std::string pascal(camel);
  pascal[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(pascal[0])));
  return JsonReader::find(object, pascal);
}

}  // namespace

long long parse_timespan_seconds(std::string_view text) {
  auto number = [](std::string_view piece, long long max) -> long long {
    long long v = 0;
    auto [p, e] = std::from_chars(piece.data(), piece.data() + piece.size(), v);
    if (piece.empty() || e != std::errc{} || p != piece.data() + piece.size() || v < 0 || v > max)
      return -1;
    return v;
  };
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return -1;
  long long days = 0;
  if (const auto dot = text.find('.'); dot < colon) {  // "1.02:00:00"
    days = number(text.substr(0, dot), 10000);
    if (days < 0) return -1;
    text.remove_prefix(dot + 1);
  }
  std::string_view pieces[3];
  int n = 0;
  for (;;) {
    const auto c = text.find(':');
    if (n == 3) return -1;
    pieces[n++] = text.substr(0, c);
    if (c == std::string_view::npos) break;
    text.remove_prefix(c + 1);
  }
  if (n < 2) return -1;
  const long long h = number(pieces[0], 23), m = number(pieces[1], 59);
  const long long s = n == 3 ? number(pieces[2].substr(0, pieces[2].find('.')), 59) : 0;
  if (h < 0 || m < 0 || s < 0) return -1;
  return days * 86400 + h * 3600 + m * 60 + s;
}

CarbonAwareSdkSource::CarbonAwareSdkSource(const Settings& settings, const FetchOptions& options)
    // Self-hosted: no provider limit, but no reason to call it more than a few times a minute.
    : ProviderSource("carbon-aware-sdk", settings, options, "",
                     RateLimit{60, std::chrono::minutes(1)}) {
  location_ = settings.get_or("location", "");
  if (!file_) {
    if (base_url_.empty())
      settings.fail("CarbonUrl= is needed (where the Carbon Aware SDK WebAPI runs)");
    if (location_.empty())
      settings.fail("Location= is needed (e.g. eastus, or a location the SDK knows)");
  }
}

SignalSeries CarbonAwareSdkSource::fetch_network(TimePoint now) {
  return parse(get("/emissions/forecasts/current?location=" + url_encode(location_),
                   {"Accept: application/json"})
                   .body,
               now);
}

SignalSeries CarbonAwareSdkSource::parse(std::string_view body, TimePoint now) const {
  JsonReader json(name_);
  const auto doc = json.parse(body);  // strips the BOM the SDK's files start with
  if (doc.is_object() && (JsonReader::find(doc, "title") || JsonReader::find(doc, "status")) &&
      !field(doc, "emissions")) {
    // RFC 7807 problem details.
    std::string message = "error response";
    for (const char* key : {"title", "detail"}) {
      if (auto v = JsonReader::find(doc, key); v && v->is_string())
        message += ": " + std::string(v->get_string().value_unsafe());
    }
    throw SourceError(name_, message);
  }

  simdjson::dom::array items;
  std::string array_name;
  if (doc.is_array()) {
    items = doc.get_array().value_unsafe();
  } else if (auto e = field(doc, "emissions")) {
    array_name = "Emissions";
    items = json.array(*e, Where{"", kNoIndex, "Emissions"});
  } else {
    json.fail(Where{}, "expected an array or {\"Emissions\":[...]}");
  }
  if (items.size() == 0)
    throw SourceError(name_, (array_name.empty() ? "(array)" : array_name) + ": no data (empty)", 0,
                      true);

  // Forecast DTOs: choose the one for our location, else the only one.
  auto first = items.at(0).value_unsafe();
  if (field(first, "forecastData")) {
    std::optional<simdjson::dom::element> chosen;
    std::size_t chosen_index = 0, i = 0;
    for (auto dto : items) {
      auto loc = field(dto, "location");
      if (location_.empty() ||
          (loc && loc->is_string() && same_name(loc->get_string().value_unsafe(), location_))) {
        if (chosen && location_.empty())
          json.fail(Where{"", i, "location"}, "several forecasts; set Location=");
        if (!chosen) {
          chosen = dto;
          chosen_index = i;
        }
      }
      ++i;
    }
    // The forecast's own location echoes the one asked (its forecastData entries may
    // name the backend's grid region instead): no match is another location's forecast.
    if (!chosen)
      json.fail(Where{"", kNoIndex, "location"}, "no forecast for location '" + location_ + "'");
    const std::string name = "[" + std::to_string(chosen_index) + "].forecastData";
    auto data = json.array(*field(*chosen, "forecastData"), Where{name, kNoIndex, ""});
    SeriesBuilder builder(name_, Quantity::carbon, FieldName{name, "timestamp"},
                          FieldName{name, "value"});
    std::size_t k = 0;
    for (auto point : data) {
      const Where at_time{name, k, "timestamp"}, at_value{name, k, "value"},
          at_duration{name, k, "duration"};
      const TimePoint t = json.time(json.require(point, at_time), at_time);
      std::optional<TimePoint> end;
      if (auto d = json.optional(point, "duration")) {
        const double minutes = json.number(*d, at_duration);
        if (minutes <= 0 || minutes > 1440)
          json.fail(at_duration, "implausible duration in minutes");
        end = t + Duration(static_cast<long long>(minutes * 60));
      }
      builder.add(k, t, end, json.number(json.require(point, at_value), at_value),
                  Origin::forecast);
      ++k;
    }
    SignalSeries series = builder.build();
    if (auto loc = field(*chosen, "location"); loc && loc->is_string())
      series.region = std::string(loc->get_string().value_unsafe());
    return series;
  }

  // Emissions records (WebAPI camelCase or data-file PascalCase) or average intensities.
  const bool averages = field(first, "carbonIntensity").has_value();
  auto location_of = [](simdjson::dom::element item) {
    auto loc = field(item, "location");
    return loc && loc->is_string() ? std::string(loc->get_string().value_unsafe()) : "";
  };
  std::set<std::string> locations;
  for (auto item : items) locations.insert(location_of(item));
  // An SDK backed by WattTime or Electricity Maps names the grid region of every entry
  // (PJM_ROANOKE), not the location asked (eastus). When every entry names one region,
  // that is the answer for the location asked; entries of several locations need the
  // one asked among them.
  const bool one_region = locations.size() == 1 && !locations.begin()->empty();
  SeriesBuilder builder(name_, Quantity::carbon,
                        FieldName{array_name, averages ? "startTime" : "Time"},
                        FieldName{array_name, averages ? "carbonIntensity" : "Rating"});
  std::size_t i = 0;
  for (auto item : items) {
    if (!location_.empty() && !one_region && !same_name(location_of(item), location_)) {
      ++i;
      continue;
    }
    if (averages) {
      const Where at_start{array_name, i, "startTime"}, at_end{array_name, i, "endTime"},
          at_v{array_name, i, "carbonIntensity"};
      const TimePoint start = json.time(json.require(item, at_start), at_start);
      const TimePoint end = json.time(json.require(item, at_end), at_end);
      builder.add(i, start, end, json.number(json.require(item, at_v), at_v),
                  origin_by_time(end, now));
    } else {
      const Where at_time{array_name, i, "Time"}, at_rating{array_name, i, "Rating"},
          at_duration{array_name, i, "Duration"};
      auto time = field(item, "time");
      auto rating = field(item, "rating");
      if (!time) json.fail(at_time, "missing");
      if (!rating) json.fail(at_rating, "missing");
      const TimePoint t = json.time(*time, at_time);
      std::optional<TimePoint> end;
      if (auto d = field(item, "duration"); d && !d->is_null()) {
        const long long seconds = parse_timespan_seconds(json.string(*d, at_duration));
        if (seconds <= 0) json.fail(at_duration, "not a TimeSpan like 01:00:00");
        end = t + Duration(seconds);
      }
      builder.add(i, t, end, json.number(*rating, at_rating), origin_by_time(end ? *end : t, now));
    }
    ++i;
  }
  auto location_list = [&] {
    std::string list;
    for (const auto& l : locations) {
      if (list.size() > 200) {
        list += ", ...";
        break;
      }
      list += (list.empty() ? "" : ", ") + l;
    }
    return list;
  };
  if (location_.empty() && locations.size() > 1) {
    throw SourceError(name_, "ebb.conf: Location= is needed: the data holds " +
                                 std::to_string(locations.size()) + " locations (" +
                                 location_list() + ")");
  }
  if (builder.size() == 0 && !location_.empty()) {
    throw SourceError(
        name_,
        "no data for location '" + location_ + "' (the answer holds " + location_list() + ")", 0,
        true);
  }
  builder.sort_by_start();  // data files come in any order
  SignalSeries series = builder.build();
  series.region = location_.empty() ? *locations.begin() : location_;
  return series;
}

}  // namespace ebb::gridsources
