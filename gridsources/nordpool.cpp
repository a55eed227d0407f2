// SPDX-License-Identifier: GPL-2.0-or-later
#include "nordpool.hpp"

#include <algorithm>

namespace ebb::gridsources {

NordPoolSource::NordPoolSource(const Settings& settings, const FetchOptions& options)
    // No terms for automated use: poll gently. Prices change once a day.
    : ProviderSource("nordpool", settings, options, "https://dataportal-api.nordpoolgroup.com",
                     RateLimit{30, std::chrono::hours(1)}, std::chrono::minutes(60)) {
  area_ = settings.get_or("area", "");
  currency_ = settings.get_or("currency", "EUR");
  market_ = settings.get_or("market", "DayAhead");
  if (!file_ && area_.empty())
    settings.fail("Area= is needed (a delivery area, e.g. NO1, SE3, FI, NL)");
}

SignalSeries NordPoolSource::fetch_network(TimePoint now) {
  // Delivery dates are CET days; two hours ahead of UTC covers both CET and CEST.
  const TimePoint cet = now + std::chrono::hours(2);
  std::vector<Slot> slots;
  SignalSeries first;
  int days = 0;
  for (const TimePoint day : {cet - std::chrono::hours(24), cet, cet + std::chrono::hours(24)}) {
    const HttpResponse response =
        get("/api/DayAheadPrices?date=" + format_date(day) + "&market=" + url_encode(market_) +
                "&deliveryArea=" + url_encode(area_) + "&currency=" + url_encode(currency_),
            {"Accept: application/json", "Origin: https://data.nordpoolgroup.com",
             "Referer: https://data.nordpoolgroup.com/"});
    if (response.status == 204 || response.body.empty()) continue;  // not published (yet)
    SignalSeries part = parse(response.body, now);
    if (days++ == 0) first = part;
    for (const Slot& s : part.slots()) {
      if (slots.empty() || s.start >= slots.back().end) slots.push_back(s);
    }
  }
  if (slots.empty())
    throw SourceError(name_, "no prices published for " + area_ + " (HTTP 204)", 204, true);
  SignalSeries series(std::move(slots), name_);
  series.currency = first.currency;
  series.region = area_;
  return series;
}

SignalSeries NordPoolSource::parse(std::string_view body, TimePoint now) const {
  JsonReader json(name_);
  const auto doc = json.parse(body);
  std::string area = area_;
  if (area.empty()) {
    // A saved file without Area=: fine when it holds exactly one area.
    if (auto areas = json.optional(doc, "deliveryAreas")) {
      auto list = json.array(*areas, Where{"", kNoIndex, "deliveryAreas"});
      if (list.size() == 1)
        area = std::string(json.string(list.at(0).value_unsafe(), Where{"deliveryAreas", 0, ""}));
    }
    if (area.empty())
      throw SourceError(name_, "ebb.conf: Area= is needed to pick one delivery area");
  }
  std::string currency = currency_;
  if (auto c = json.optional(doc, "currency"))
    currency = std::string(json.string(*c, Where{"", kNoIndex, "currency"}));
  bool preliminary = false;
  if (auto states = json.optional(doc, "areaStates"); states && states->is_array()) {
    const simdjson::dom::array list = states->get_array().value_unsafe();
    for (auto st : list) {
      auto state = JsonReader::find(st, "state");
      if (state && state->is_string() && state->get_string().value_unsafe() == "Preliminary")
        preliminary = true;
    }
  }
  const Where at_entries{"", kNoIndex, "multiAreaEntries"};
  auto entries = json.array(json.require(doc, at_entries), at_entries);
  const std::string value_key = "entryPerArea." + area;
  SeriesBuilder builder(name_, Quantity::price, FieldName{"multiAreaEntries", "deliveryStart"},
                        FieldName{"multiAreaEntries", value_key});
  std::size_t i = 0;
  for (auto entry : entries) {
    const Where at_start{"multiAreaEntries", i, "deliveryStart"},
        at_end{"multiAreaEntries", i, "deliveryEnd"};
    const TimePoint start = json.time(json.require(entry, at_start), at_start);
    const TimePoint end = json.time(json.require(entry, at_end), at_end);
    auto value = json.optional(entry, value_key);
    if (!value) {
      if (!JsonReader::find(entry, value_key))
        json.fail(Where{"multiAreaEntries", i, value_key}, "missing: no such area");
      ++i;
      continue;  // null: no price for this entry
    }
    Origin origin = origin_by_time(end, now);
    if (preliminary && origin == Origin::actual) origin = Origin::forecast;
    builder.add(i, start, end, json.number(*value, Where{"multiAreaEntries", i, value_key}),
                origin);
    ++i;
  }
  SignalSeries series = builder.build();
  series.currency = currency;
  series.region = area;
  return series;
}

}  // namespace ebb::gridsources
