// SPDX-License-Identifier: GPL-2.0-or-later
// Octopus Energy (GB) unit rates, e.g. Agile: 30-minute prices in pence/kWh, newest first,
// paginated with "next". No key. Prices become GBP/MWh (x 10), including VAT unless Vat=no.
#pragma once

#include "source_base.hpp"

namespace ebb::gridsources {

class OctopusSource final : public ProviderSource {
 public:
  OctopusSource(const Settings& settings, const FetchOptions& options);
  bool gives_carbon() const override { return false; }
  bool gives_price() const override { return true; }
  // One page of standard-unit-rates.
  SignalSeries parse(std::string_view body, TimePoint now) const override;

 protected:
  SignalSeries fetch_network(TimePoint now) override;

 private:
  // The slots of one page and its "next" link (empty at the end). A page without rates is
  // "no data" (retryable), except with `empty_is_end`, for a later page: an empty series.
  SignalSeries parse_page(std::string_view body, TimePoint now, std::string* next,
                          bool empty_is_end = false) const;

  std::string product_;
  std::string tariff_;
  bool include_vat_ = true;
};

}  // namespace ebb::gridsources
