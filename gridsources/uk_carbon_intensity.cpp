// SPDX-License-Identifier: GPL-2.0-or-later
#include "uk_carbon_intensity.hpp"

#include <algorithm>
#include <cctype>

namespace ebb::gridsources {

UkCarbonIntensitySource::UkCarbonIntensitySource(const Settings& settings,
                                                 const FetchOptions& options)
    // The API publishes no number; its terms ask not to make "a large number of calls".
    // Data changes every 30 minutes, so 30 requests per minute is far more than enough.
    : ProviderSource("uk-carbon-intensity", settings, options, "https://api.carbonintensity.org.uk",
                     RateLimit{30, std::chrono::minutes(1)}) {
  if (auto id = settings.get("regionid")) {
    const double v = settings.get_number("regionid", "RegionId", 0);
    if (v < 1 || v > 18 || v != static_cast<int>(v))
      settings.fail("RegionId=" + *id + ": expected 1 to 17");
    region_id_ = static_cast<int>(v);
  }
  if (auto pc = settings.get("postcode")) {
    for (char c : *pc) postcode_ += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    // Outward code only ("RG41", "SW1", "TF8"): the API rejects full postcodes.
    const bool ok = postcode_.size() >= 2 && postcode_.size() <= 4 &&
                    std::isalpha(static_cast<unsigned char>(postcode_[0])) &&
                    std::all_of(postcode_.begin(), postcode_.end(),
                                [](unsigned char c) { return std::isalnum(c); });
    if (!ok)
      settings.fail("Postcode=" + *pc + ": expected the outward part of a postcode, e.g. RG41");
  }
  if (region_id_ && !postcode_.empty()) settings.fail("set RegionId= or Postcode=, not both");
  history_hours_ = static_cast<int>(settings.get_number("historyhours", "HistoryHours", 0));
  if (history_hours_ < 0 || history_hours_ > 14 * 24) settings.fail("HistoryHours=: 0 to 336");
}

std::string UkCarbonIntensitySource::location_path() const {
  if (region_id_) return "/regionid/" + std::to_string(region_id_);
  if (!postcode_.empty()) return "/postcode/" + postcode_;
  return "";
}

SignalSeries UkCarbonIntensitySource::fetch_network(TimePoint now) {
  const TimePoint from = floor_to(now, std::chrono::minutes(30));
  const bool regional = region_id_ || !postcode_.empty();
  const std::string prefix = regional ? "/regional/intensity/" : "/intensity/";
  const std::vector<std::string> accept{"Accept: application/json"};
  SignalSeries forecast =
      parse(get(prefix + format_minute_z(from) + "/fw48h" + location_path(), accept).body, now);
  if (history_hours_ == 0) return forecast;
  const TimePoint start = from - std::chrono::hours(history_hours_);
  SignalSeries history = parse(
      get(prefix + format_minute_z(start) + "/" + format_minute_z(from) + location_path(), accept)
          .body,
      now);
  return join_history_and_forecast(history, forecast);
}

SignalSeries UkCarbonIntensitySource::parse(std::string_view body, TimePoint /*now*/) const {
  JsonReader json(name_);
  const auto doc = json.parse(body);
  if (auto error = json.optional(doc, "error")) {
    std::string message = "error response";
    if (auto m = JsonReader::find(*error, "message"); m && m->is_string()) {
      message += ": " + std::string(m->get_string().value_unsafe());
    }
    throw SourceError(name_, message);
  }
  auto data = json.require(doc, Where{"", kNoIndex, "data"});

  // Find the list of half-hour windows and how its elements are named.
  simdjson::dom::array windows;
  std::string array_name = "data";
  std::string region = "GB";
  bool all_regions = false;
  if (data.is_object()) {  // regional by id: {"data":{"regionid":..,"data":[...]}}
    windows = json.array(json.require(data, Where{"data", kNoIndex, "data"}),
                         Where{"data", kNoIndex, "data"});
    if (auto s = JsonReader::find(data, "shortname"); s && s->is_string())
      region = std::string(s->get_string().value_unsafe());
    array_name = "data.data";
  } else {
    auto outer = json.array(data, Where{"", kNoIndex, "data"});
    if (outer.size() == 0) throw SourceError(name_, "data: no data (empty)", 0, true);
    auto first = outer.at(0).value_unsafe();
    if (JsonReader::find(first, "regions")) {
      all_regions = true;
      windows = outer;
      if (!region_id_) {
        throw SourceError(
            name_, "data[0].regions: an all-regions response needs RegionId= to pick a region");
      }
      region = "GB region " + std::to_string(region_id_);
    } else if (auto inner = JsonReader::find(first, "data")) {  // regional by postcode
      windows = json.array(*inner, Where{"data", 0, "data"});
      if (auto s = JsonReader::find(first, "shortname"); s && s->is_string())
        region = std::string(s->get_string().value_unsafe());
      array_name = "data[0].data";
    } else {
      windows = outer;
    }
  }

  // The regional answers name their region (regionid, and postcode when asked by one);
  // the national answer names none: refuse each for another place than asked.
  const std::string asked_region = "RegionId " + std::to_string(region_id_);
  auto check_region = [&](simdjson::dom::element region_object, const std::string& where) {
    if (auto id = JsonReader::find(region_object, "regionid"); id && region_id_) {
      const double v = json.number(*id, Where{where, kNoIndex, "regionid"});
      check_answer_zone(name_, where + ".regionid", number_text(v), std::to_string(region_id_),
                        asked_region);
    }
    if (auto pc = JsonReader::find(region_object, "postcode"); pc && !postcode_.empty()) {
      check_answer_zone(name_, where + ".postcode",
                        json.string(*pc, Where{where, kNoIndex, "postcode"}), postcode_,
                        "Postcode " + postcode_);
    }
  };
  if (array_name == "data.data") {
    check_region(data, "data");
  } else if (array_name == "data[0].data") {
    check_region(data.at(0).value_unsafe(), "data[0]");
  } else if (!all_regions && (region_id_ || !postcode_.empty())) {
    throw SourceError(name_, "data: answer is for GB (the national series), asked for " +
                                 (region_id_ ? asked_region : "Postcode " + postcode_));
  }

  SeriesBuilder builder(name_, Quantity::carbon, FieldName{array_name, "from"},
                        FieldName{array_name, "intensity"});
  std::size_t i = 0;
  for (auto window : windows) {
    const Where at{array_name, i, ""};
    const TimePoint from =
        json.time(json.require(window, Where{array_name, i, "from"}), Where{array_name, i, "from"});
    const TimePoint to =
        json.time(json.require(window, Where{array_name, i, "to"}), Where{array_name, i, "to"});
    simdjson::dom::element intensity;
    std::string key = "intensity";
    if (all_regions) {
      auto regions = json.array(json.require(window, Where{array_name, i, "regions"}),
                                Where{array_name, i, "regions"});
      bool found = false;
      for (auto r : regions) {
        auto id = JsonReader::find(r, "regionid");
        if (id && id->is_number() && json.number(*id, at) == region_id_) {
          auto value = JsonReader::find(r, "intensity");
          if (!value) json.fail(Where{array_name, i, "regions[].intensity"}, "missing");
          intensity = *value;
          found = true;
          break;
        }
      }
      if (!found)
        json.fail(Where{array_name, i, "regions"}, "no region " + std::to_string(region_id_));
    } else {
      intensity = json.require(window, Where{array_name, i, "intensity"});
    }
    // A measured value wins over the forecast (national responses only have one).
    if (auto actual = json.optional(intensity, "actual")) {
      builder.add(i, from, to, json.number(*actual, Where{array_name, i, "intensity.actual"}),
                  Origin::actual);
    } else {
      auto forecast = json.optional(intensity, "forecast");
      if (!forecast) json.fail(Where{array_name, i, "intensity.forecast"}, "missing or null");
      builder.add(i, from, to, json.number(*forecast, Where{array_name, i, "intensity.forecast"}),
                  Origin::forecast);
    }
    ++i;
  }
  SignalSeries series = builder.build();
  series.region = region;
  series.kind = SignalKind::average;
  return series;
}

}  // namespace ebb::gridsources
