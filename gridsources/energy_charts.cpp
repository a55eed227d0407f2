// SPDX-License-Identifier: GPL-2.0-or-later
#include "energy_charts.hpp"

#include <algorithm>

namespace ebb::gridsources {

EnergyChartsSource::EnergyChartsSource(const Settings& settings, const FetchOptions& options)
    // No published limit; the data changes at most every 15 minutes.
    : ProviderSource("energy-charts", settings, options, "https://api.energy-charts.info",
                     RateLimit{30, std::chrono::minutes(1)}),
      role_(settings.role() == "price" ? Quantity::price : Quantity::carbon) {
  product_ = settings.get_or("product", "co2eq");
  if (role_ == Quantity::carbon && product_ != "co2eq" && product_ != "signal") {
    settings.fail("Product=" + product_ + ": expected co2eq or signal");
  }
  country_ = settings.get_or("country", "de");
  std::transform(country_.begin(), country_.end(), country_.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  bidding_zone_ = settings.get_or("biddingzone", "DE-LU");
  if (role_ == Quantity::carbon && product_ == "signal") {
    fossil_intensity_ = settings.get_number("fossilintensity", "FossilIntensity", 0);
    if (fossil_intensity_ <= 0 || fossil_intensity_ > kMaxIntensity) {
      settings.fail(
          "FossilIntensity= (g/kWh of the non-renewable share, e.g. 700 for Germany) is needed "
          "with Product=signal");
    }
  }
}

SignalSeries EnergyChartsSource::fetch_network(TimePoint now) {
  const std::vector<std::string> accept{"Accept: application/json"};
  if (role_ == Quantity::price) {
    // Yesterday to the day after tomorrow: covers the published day-ahead auction.
    const std::string start = format_date(now - std::chrono::hours(24));
    const std::string end = format_date(now + std::chrono::hours(48));
    return parse(
        get("/price?bzn=" + url_encode(bidding_zone_) + "&start=" + start + "&end=" + end, accept)
            .body,
        now);
  }
  return parse(get("/" + product_ + "?country=" + url_encode(country_), accept).body, now);
}

SignalSeries EnergyChartsSource::parse(std::string_view body, TimePoint now) const {
  JsonReader json(name_);
  const auto doc = json.parse(body);
  if (auto detail = json.optional(doc, "detail")) {
    throw SourceError(
        name_,
        "error response: " + (detail->is_string() ? std::string(detail->get_string().value_unsafe())
                                                  : std::string("invalid request")));
  }
  const Where at_times{"", kNoIndex, "unix_seconds"};
  auto times = json.array(json.require(doc, at_times), at_times);

  // Which columns: price | co2eq (+ co2eq_forecast) | share (signal).
  std::string value_key;
  std::optional<std::vector<simdjson::dom::element>> values, forecasts;
  // Columns are copied into vectors: dom::array::at() walks from the start each time.
  using Column = std::vector<simdjson::dom::element>;
  auto column = [&](const char* key) -> std::optional<Column> {
    auto v = json.optional(doc, key);
    if (!v) return std::nullopt;
    auto a = json.array(*v, Where{"", kNoIndex, key});
    if (a.size() != times.size()) {
      json.fail(Where{"", kNoIndex, key}, std::to_string(a.size()) + " values for " +
                                              std::to_string(times.size()) + " unix_seconds");
    }
    return Column(a.begin(), a.end());
  };
  if (role_ == Quantity::price) {
    value_key = "price";
    values = column("price");
    if (!values) json.fail(Where{"", kNoIndex, "price"}, "missing");
    if (auto unit = json.optional(doc, "unit")) {
      std::string u(json.string(*unit, Where{"", kNoIndex, "unit"}));
      u.erase(std::remove(u.begin(), u.end(), ' '), u.end());
      if (u != "EUR/MWh")
        json.fail(Where{"", kNoIndex, "unit"}, "unit mismatch: '" + u + "', expected EUR / MWh");
    }
  } else if (JsonReader::find(doc, "share") && !JsonReader::find(doc, "co2eq")) {
    if (product_ != "signal") {
      json.fail(Where{"", kNoIndex, "co2eq"},
                "missing: this is a /signal response; set Product=signal");
    }
    value_key = "share";
    values = column("share");
  } else {
    value_key = "co2eq";
    values = column("co2eq");
    forecasts = column("co2eq_forecast");
    if (!values && !forecasts)
      json.fail(Where{"", kNoIndex, "co2eq"}, "missing (and no co2eq_forecast)");
  }

  // Slot length: the step between timestamps (15 min now, 1 h in older data).
  std::vector<TimePoint> starts;
  starts.reserve(times.size());
  std::size_t i = 0;
  for (auto t : times) {
    const double s = json.number(t, Where{"unix_seconds", i, ""});
    if (s < 0 || s > 1e11) json.fail(Where{"unix_seconds", i, ""}, "not a plausible unix time");
    starts.push_back(TimePoint{Duration{static_cast<long long>(s)}});
    ++i;
  }
  Duration step{0};
  for (std::size_t k = 1; k < starts.size(); ++k) {
    const Duration d = starts[k] - starts[k - 1];
    if (d > Duration{0} && (step == Duration{0} || d < step)) step = d;
  }
  if (step == Duration{0}) step = std::chrono::minutes(15);

  const Quantity quantity = role_ == Quantity::price ? Quantity::price : Quantity::carbon;
  SeriesBuilder builder(name_, quantity, FieldName{"unix_seconds", ""}, FieldName{value_key, ""});
  for (std::size_t k = 0; k < starts.size(); ++k) {
    std::optional<double> value;
    Origin origin = Origin::actual;
    if (values) {
      const auto v = (*values)[k];
      if (!v.is_null()) value = json.number(v, Where{value_key, k, ""});
    }
    if (!value && forecasts) {
      const auto f = (*forecasts)[k];
      if (!f.is_null()) {
        value = json.number(f, Where{"co2eq_forecast", k, ""});
        origin = Origin::forecast;
      }
    }
    if (!value) continue;  // not measured and not forecast: a gap
    if (value_key == "share") {
      if (*value < 0 || *value > 100) json.fail(Where{"share", k, ""}, "share outside 0-100 %");
      value = (100.0 - *value) / 100.0 * fossil_intensity_;
      origin = origin_by_time(starts[k] + step, now);
    } else if (quantity == Quantity::price) {
      origin = origin_by_time(starts[k] + step, now);
    }
    builder.add(k, starts[k], starts[k] + step, *value, origin);
  }
  SignalSeries series = builder.build();
  series.region = role_ == Quantity::price ? bidding_zone_ : country_;
  series.kind = SignalKind::average;
  if (quantity == Quantity::price) series.currency = "EUR";
  return series;
}

}  // namespace ebb::gridsources
