// SPDX-License-Identifier: GPL-2.0-or-later
#include "forecast_file_source.hpp"

#include "ebb/error.hpp"
#include "ebb/forecast_file.hpp"

namespace ebb::gridsources {

ForecastFileSource::ForecastFileSource(const Settings& settings, const FetchOptions& options)
    : ProviderSource("file", settings, options, "", RateLimit{60, std::chrono::minutes(1)}),
      role_(settings.role() == "price" ? Quantity::price : Quantity::carbon) {
  if (!file_ && base_url_.empty()) {
    settings.fail(std::string(role_ == Quantity::carbon ? "CarbonFile=" : "PriceFile=") +
                  " (or a URL) is needed for the forecast-file source");
  }
}

SignalSeries ForecastFileSource::fetch_network(TimePoint now) { return parse(get("").body, now); }

SignalSeries ForecastFileSource::parse(std::string_view body, TimePoint /*now*/) const {
  const std::string where = file_ ? *file_ : base_url_;
  SignalSeries parsed;
  try {
    parsed = parse_forecast(body, where);
  } catch (const InputError& e) {
    throw SourceError(name_, e.what());
  }
  if (parsed.empty()) throw SourceError(name_, where + ": no data (empty)", 0, true);
  std::vector<Slot> slots = parsed.slots();
  for (std::size_t i = 0; i < slots.size(); ++i) {
    if (role_ == Quantity::carbon) {
      slots[i].price = kNoPrice;
    } else {
      if (!slots[i].has_price()) {
        throw SourceError(name_, where + ": row " + std::to_string(i + 1) + " (" +
                                     format_seconds_z(slots[i].start) + "): price: missing");
      }
      slots[i].carbon = 0;
    }
  }
  SignalSeries out(std::move(slots), where);
  out.region = parsed.region;
  out.currency = parsed.currency;
  out.kind = parsed.kind;
  return out;
}

}  // namespace ebb::gridsources
