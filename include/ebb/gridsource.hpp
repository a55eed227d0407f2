// SPDX-License-Identifier: GPL-2.0-or-later
// Grid data providers: where ebbd gets carbon intensity and electricity prices.
//
// A GridSource fetches one provider's forecast over HTTP (libcurl), or reads a saved
// response from a file, and returns a validated SignalSeries in ebb's units:
//   - time in UTC, slots [start, end) sorted and not overlapping;
//   - carbon intensity in gCO2e/kWh (WattTime's lbs/MWh are converted, x 0.45359237);
//   - prices in currency per MWh, with series.currency set (Octopus pence/kWh x 10 -> GBP/MWh);
//   - series.source = the provider's name, series.kind = average or marginal;
//   - slot.origin = actual (the provider's measured or settled value) or forecast.
// A carbon source fills slot.carbon and leaves slot.price NaN. A price source fills
// slot.price and sets slot.carbon = 0 (a placeholder: price series carry no carbon
// signal); ebbd combines one of each with merge_carbon_and_price().
//
// Errors are SourceError, naming the provider and, for bad data, the field:
//   "watttime: data[3].value: negative intensity -5".
// gridsources/README.md lists every provider and every settings key.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "ebb/signal.hpp"
#include "ebb/time.hpp"

namespace ebb {

// A provider could not be reached, refused us, or sent data ebb cannot use.
struct SourceError : std::runtime_error {
  // what() is "<provider>: <message>".
  SourceError(std::string provider_name, const std::string& message, int status = 0,
              bool can_retry = false);

  std::string provider;
  int http_status = 0;  // 0 when no HTTP response was involved
  bool retryable =
      false;  // true: the same request may work later (timeouts, 429, 5xx, no data yet)
};

struct FetchOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{15000};  // per attempt, transfer included
  int max_retries = 3;                             // further attempts after the first
  std::string user_agent;  // empty: "ebb/<version> (+carbon-aware Slurm scheduling)"
  std::string ca_file;     // empty: the system's CA bundle. Proxies come from the environment
                        // (https_proxy / HTTPS_PROXY, no_proxy / NO_PROXY), as libcurl reads them.
  // Backoff between retries: a random wait in [0, min(max_backoff, backoff_base x 2^attempt)]
  // ("full jitter"). A Retry-After header on 429 or 503 replaces it, up to max_retry_after;
  // a longer Retry-After fails the fetch at once (retryable) instead of blocking ebbd.
  std::chrono::milliseconds backoff_base{500};
  std::chrono::milliseconds max_backoff{30000};
  std::chrono::milliseconds max_retry_after{60000};
};

class GridSource {
 public:
  virtual ~GridSource() = default;
  // "uk-carbon-intensity", "electricity-maps", "watttime", "energy-charts", "entsoe",
  // "awattar", "octopus", "nordpool", "carbon-aware-sdk", "file", "tariff".
  virtual std::string name() const = 0;
  virtual bool gives_carbon() const = 0;
  virtual bool gives_price() const = 0;
  // Fetches from the network (or reads the configured file). Throws SourceError.
  virtual SignalSeries fetch(TimePoint now) = 0;
  // Parses one saved response body. `now` decides which slots are actual (ended before
  // now) for providers that do not say. Throws SourceError naming the field.
  virtual SignalSeries parse(std::string_view body, TimePoint now) const = 0;
};

// `settings`: the lower-case keys of an ebb.conf RegionName= line, for example
//   {"carbonsource": "uk-carbon-intensity", "regionid": "13"}.
// make_carbon_source reads CarbonSource= and the keys that source needs; make_price_source
// reads PriceSource=. CarbonFile= / PriceFile= read a saved response instead of the network.
// Throws SourceError for an unknown source or a missing or bad key.
std::unique_ptr<GridSource> make_carbon_source(const std::map<std::string, std::string>& settings,
                                               const FetchOptions& options);
std::unique_ptr<GridSource> make_price_source(const std::map<std::string, std::string>& settings,
                                              const FetchOptions& options);

// One series with both signals: every carbon slot, split where a price slot starts or
// ends inside it, each piece carrying the price that covers it (NaN where no price slot
// does). Time without a carbon slot stays uncovered. Each piece's origin is the less
// certain of the two (extension over forecast over actual). The result takes its region
// and kind from `carbon` and its currency from `price`; source is "<carbon>+<price>".
SignalSeries merge_carbon_and_price(const SignalSeries& carbon, const SignalSeries& price);

}  // namespace ebb
