// SPDX-License-Identifier: GPL-2.0-or-later
#include "octopus.hpp"

#include <algorithm>

namespace ebb::gridsources {
namespace {

constexpr int kMaxPages = 20;

}  // namespace

OctopusSource::OctopusSource(const Settings& settings, const FetchOptions& options)
    // No published limit; rates change once a day. 60 per hour is plenty.
    : ProviderSource("octopus", settings, options, "https://api.octopus.energy",
                     RateLimit{60, std::chrono::hours(1)}, std::chrono::minutes(30)) {
  include_vat_ = settings.get_bool("vat", "Vat", true);
  if (!file_) {
    product_ =
        settings.require("product", "Product", "an Octopus product code, e.g. AGILE-24-10-01");
    tariff_ = settings.get_or("tariff", "");
    if (tariff_.empty()) {
      // E-1R-<product>-<GSP region letter A..P>
      const std::string region =
          settings.require("region", "Region", "the GSP region letter A-P, or give Tariff=");
      if (region.size() != 1 || region[0] < 'A' || region[0] > 'P')
        settings.fail("Region=" + region + ": expected A to P");
      tariff_ = "E-1R-" + product_ + "-" + region;
    }
  }
}

SignalSeries OctopusSource::fetch_network(TimePoint now) {
  const TimePoint from = floor_to(now, std::chrono::minutes(30)) - std::chrono::hours(24);
  const TimePoint to = floor_to(now, std::chrono::minutes(30)) + std::chrono::hours(48);
  std::string path = "/v1/products/" + url_encode(product_) + "/electricity-tariffs/" +
                     url_encode(tariff_) +
                     "/standard-unit-rates/?period_from=" + format_seconds_z(from) +
                     "&period_to=" + format_seconds_z(to) + "&page_size=1500";
  std::vector<Slot> slots;
  SignalSeries first;
  for (int page = 0; page < kMaxPages && !path.empty(); ++page) {
    std::string next;
    SignalSeries part;
    part = parse_page(get(path, {"Accept: application/json"}).body, now, &next, page > 0);
    if (part.empty()) break;  // a later page without rates ends the list
    slots.insert(slots.end(), part.slots().begin(), part.slots().end());
    if (page == 0) first = part;
    // Follow "next" on our own host only: take its path and query.
    path.clear();
    if (!next.empty()) {
      const auto scheme = next.find("://");
      const auto slash = next.find('/', scheme == std::string::npos ? 0 : scheme + 3);
      if (slash != std::string::npos) path = next.substr(slash);
    }
  }
  std::sort(slots.begin(), slots.end(),
            [](const Slot& a, const Slot& b) { return a.start < b.start; });
  SignalSeries series;
  try {
    series = SignalSeries(std::move(slots), name_);
  } catch (const std::exception& e) {
    throw SourceError(name_, std::string("pages do not fit together: ") + e.what());
  }
  series.currency = "GBP";
  series.region = first.region;
  return series;
}

SignalSeries OctopusSource::parse(std::string_view body, TimePoint now) const {
  // A saved answer is read as the whole answer; a page that links to the next one holds
  // only part of it (newest first: the rates furthest ahead), so refuse it rather than
  // plan on a silent part.
  std::string next;
  SignalSeries series = parse_page(body, now, &next);
  if (!next.empty()) {
    JsonReader json(name_);
    const auto doc = json.parse(body);
    std::string count;
    if (auto c = json.optional(doc, "count"); c && c->is_number())
      count = " of " + number_text(json.number(*c, Where{"", kNoIndex, "count"}));
    throw SourceError(name_, "next: the answer holds only the first page (" +
                                 std::to_string(series.size()) + count +
                                 " rates); save one page with every rate (page_size=1500), or "
                                 "join the pages' results[] into one file");
  }
  return series;
}

SignalSeries OctopusSource::parse_page(std::string_view body, TimePoint now, std::string* next,
                                       bool empty_is_end) const {
  JsonReader json(name_);
  const auto doc = json.parse(body);
  if (auto detail = json.optional(doc, "detail")) {
    throw SourceError(
        name_,
        "error response: " + (detail->is_string() ? std::string(detail->get_string().value_unsafe())
                                                  : std::string("(no detail)")));
  }
  const Where at_results{"", kNoIndex, "results"};
  auto results = json.array(json.require(doc, at_results), at_results);
  const char* value_key = include_vat_ ? "value_inc_vat" : "value_exc_vat";
  SeriesBuilder builder(name_, Quantity::price, FieldName{"results", "valid_from"},
                        FieldName{"results", value_key});
  std::size_t i = 0;
  for (auto item : results) {
    const Where at_from{"results", i, "valid_from"}, at_value{"results", i, value_key};
    const TimePoint from = json.time(json.require(item, at_from), at_from);
    std::optional<TimePoint> to;
    if (auto v = json.optional(item, "valid_to"))
      to = json.time(*v, Where{"results", i, "valid_to"});
    const double pence_per_kwh = json.number(json.require(item, at_value), at_value);
    // p/kWh -> GBP/MWh: x 1000 kWh/MWh / 100 p/GBP = x 10.
    builder.add(i, from, to, pence_per_kwh * 10.0, origin_by_time(to ? *to : from, now));
    ++i;
  }
  if (i == 0 && empty_is_end) return {};
  builder.sort_by_start();  // Octopus lists newest first
  SignalSeries series = builder.build(std::chrono::minutes(30));
  series.currency = "GBP";
  series.region = "GB";
  if (next) {
    next->clear();
    if (auto n = json.optional(doc, "next"))
      *next = std::string(json.string(*n, Where{"", kNoIndex, "next"}));
  }
  return series;
}

}  // namespace ebb::gridsources
