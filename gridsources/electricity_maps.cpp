// SPDX-License-Identifier: GPL-2.0-or-later
#include "electricity_maps.hpp"

#include <algorithm>

namespace ebb::gridsources {
namespace {

// The smallest positive step between consecutive times, or `fallback`.
Duration smallest_step(const std::vector<TimePoint>& times, Duration fallback) {
  Duration best{0};
  for (std::size_t i = 1; i < times.size(); ++i) {
    const Duration d = times[i] - times[i - 1];
    if (d > Duration{0} && (best == Duration{0} || d < best)) best = d;
  }
  return best == Duration{0} ? fallback : best;
}

}  // namespace

ElectricityMapsSource::ElectricityMapsSource(const Settings& settings, const FetchOptions& options)
    // Electricity Maps publishes no per-token number; a 429 comes back when throttled.
    // Forecasts update hourly, so 60 requests per minute is generous.
    : ProviderSource("electricity-maps", settings, options, "https://api.electricitymap.org/v3",
                     RateLimit{60, std::chrono::minutes(1)}),
      role_(settings.role() == "price" ? Quantity::price : Quantity::carbon) {
  zone_ = settings.get_or("zone", "");
  lat_ = settings.get_or("latitude", "");
  lon_ = settings.get_or("longitude", "");
  emission_factor_type_ = settings.get_or("emissionfactortype", "");
  if (!emission_factor_type_.empty() && emission_factor_type_ != "lifecycle" &&
      emission_factor_type_ != "direct") {
    settings.fail("EmissionFactorType=" + emission_factor_type_ + ": expected lifecycle or direct");
  }
  horizon_hours_ = static_cast<int>(settings.get_number("horizonhours", "HorizonHours", 0));
  history_ = settings.get_bool("history", "History", true);
  // The free tier has no forecast: Forecast=no fetches the last 24 h only, and ebbd
  // extends it from its own history.
  forecast_ = settings.get_bool("forecast", "Forecast", true);
  if (!history_ && !forecast_) settings.fail("Forecast=no needs History=yes");
  if (!file_) {
    if (zone_.empty() && (lat_.empty() || lon_.empty())) {
      settings.fail("Zone= (e.g. DE) or Latitude= and Longitude= is needed");
    }
    key_file_ = settings.require("keyfile", "KeyFile", "a file holding the auth-token, mode 600");
  }
}

std::vector<std::string> ElectricityMapsSource::auth_headers() const {
  // Read per fetch, so a rotated key is picked up without restarting ebbd.
  return {"auth-token: " + read_secret_file(name_, key_file_, "KeyFile"),
          "Accept: application/json"};
}

std::string ElectricityMapsSource::zone_query() const {
  if (!zone_.empty()) return "zone=" + url_encode(zone_);
  return "lat=" + url_encode(lat_) + "&lon=" + url_encode(lon_);
}

SignalSeries ElectricityMapsSource::fetch_network(TimePoint now) {
  const auto headers = auth_headers();
  if (role_ == Quantity::price) {
    const TimePoint start = floor_to(now, std::chrono::hours(1)) - std::chrono::hours(24);
    const TimePoint end = floor_to(now, std::chrono::hours(1)) + std::chrono::hours(48);
    return parse(get("/price-day-ahead/forecast?" + zone_query() +
                         "&start=" + format_millis_z(start) + "&end=" + format_millis_z(end),
                     headers)
                     .body,
                 now);
  }
  std::string options;
  if (!emission_factor_type_.empty()) options += "&emissionFactorType=" + emission_factor_type_;
  std::string forecast_query = "/carbon-intensity/forecast?" + zone_query() + options;
  if (horizon_hours_ > 0) forecast_query += "&horizonHours=" + std::to_string(horizon_hours_);
  SignalSeries forecast;
  if (forecast_) forecast = parse(get(forecast_query, headers).body, now);
  if (!history_) return forecast;
  SignalSeries history =
      parse(get("/carbon-intensity/history?" + zone_query() + options, headers).body, now);
  return join_history_and_forecast(history, forecast);
}

SignalSeries ElectricityMapsSource::parse(std::string_view body, TimePoint now) const {
  JsonReader json(name_);
  const auto doc = json.parse(body);
  if (auto error = json.optional(doc, "error")) {
    throw SourceError(
        name_,
        "error response: " + (error->is_string() ? std::string(error->get_string().value_unsafe())
                                                 : std::string("(no message)")));
  }
  if (auto status = json.optional(doc, "status");
      status && status->is_string() && status->get_string().value_unsafe() == "error") {
    auto m = json.optional(doc, "message");
    throw SourceError(name_, "error response: " + (m && m->is_string()
                                                       ? std::string(m->get_string().value_unsafe())
                                                       : std::string("(no message)")));
  }

  // The list of points and what they are: forecast[] (forecast), history[] and data[]
  // (actual), or one latest object.
  std::string array_name;
  Origin origin = Origin::actual;
  std::optional<simdjson::dom::array> items;
  for (const char* key : {"forecast", "history", "data"}) {
    if (auto v = json.optional(doc, key)) {
      array_name = key;
      items = json.array(*v, Where{"", kNoIndex, key});
      origin = array_name == "forecast" ? Origin::forecast : Origin::actual;
      break;
    }
  }
  const std::string value_key = role_ == Quantity::carbon ? "carbonIntensity" : "value";
  const bool single = !items;
  if (single && !JsonReader::find(doc, value_key)) {
    json.fail(Where{"", kNoIndex, value_key},
              "missing (expected forecast[], history[], data[] or a latest object)");
  }

  // Collect (time, value) first: slot lengths come from the step between points, since
  // points whose value is null are gaps, not long slots.
  struct Point {
    std::size_t index;
    TimePoint time;
    std::optional<double> value;
  };
  std::vector<Point> points;
  std::vector<TimePoint> times;
  std::string currency;
  auto read_point = [&](simdjson::dom::element item, std::size_t i) {
    const Where at_time{array_name, single ? kNoIndex : i, "datetime"};
    const Where at_value{array_name, single ? kNoIndex : i, value_key};
    const TimePoint t = json.time(json.require(item, at_time), at_time);
    std::optional<double> value;
    if (auto v = json.optional(item, value_key)) value = json.number(*v, at_value);
    if (role_ == Quantity::price && value) {
      const Where at_unit{array_name, single ? kNoIndex : i, "unit"};
      const std::string_view unit = json.string(json.require(item, at_unit), at_unit);
      const auto slash = unit.find('/');
      if (slash == std::string_view::npos || unit.substr(slash + 1) != "MWh" || slash == 0) {
        json.fail(at_unit, "unit mismatch: '" + std::string(unit) + "', expected <currency>/MWh");
      }
      const std::string c(unit.substr(0, slash));
      if (!currency.empty() && c != currency) {
        json.fail(at_unit, "currency changes from " + currency + " to " + c);
      }
      currency = c;
    }
    // history[] and data[] items name their zone too.
    if (!zone_.empty()) {
      auto z = JsonReader::find(item, "zone");
      if (z && z->is_string() && !same_name(z->get_string().value_unsafe(), zone_)) {
        check_answer_zone(name_, Where{array_name, single ? kNoIndex : i, "zone"}.str(),
                          z->get_string().value_unsafe(), zone_, "Zone " + zone_);
      }
    }
    points.push_back(Point{i, t, value});
    times.push_back(t);
  };
  if (single) {
    read_point(doc, 0);
  } else {
    std::size_t i = 0;
    for (auto item : *items) read_point(item, i++);
  }

  const Duration step = smallest_step(times, std::chrono::hours(1));
  SeriesBuilder builder(name_, role_, FieldName{array_name, "datetime"},
                        FieldName{array_name, value_key});
  for (const Point& p : points) {
    if (!p.value) continue;  // not published for that hour: a gap
    const Origin o = role_ == Quantity::price ? origin_by_time(p.time + step, now) : origin;
    builder.add(p.index, p.time, p.time + step, *p.value, o);
  }
  SignalSeries series = builder.build();
  if (auto zone = json.optional(doc, "zone"); zone && zone->is_string()) {
    series.region = std::string(zone->get_string().value_unsafe());
    // Latitude=/Longitude= leave nothing to compare: the zone is whatever covers the point.
    if (!zone_.empty()) check_answer_zone(name_, "zone", series.region, zone_, "Zone " + zone_);
  }
  series.kind = SignalKind::average;
  if (role_ == Quantity::price) series.currency = currency;
  return series;
}

}  // namespace ebb::gridsources
