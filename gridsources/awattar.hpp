// SPDX-License-Identifier: GPL-2.0-or-later
// aWATTar market data (EPEX day-ahead, EUR/MWh; Germany or Austria), no key.
// {"object":"list","data":[{"start_timestamp":ms,"end_timestamp":ms,"marketprice":..,"unit":"Eur/MWh"}]}
#pragma once

#include "source_base.hpp"

namespace ebb::gridsources {

class AwattarSource final : public ProviderSource {
 public:
  AwattarSource(const Settings& settings, const FetchOptions& options);
  bool gives_carbon() const override { return false; }
  bool gives_price() const override { return true; }
  SignalSeries parse(std::string_view body, TimePoint now) const override;

 protected:
  SignalSeries fetch_network(TimePoint now) override;

 private:
  std::string country_;
};

}  // namespace ebb::gridsources
