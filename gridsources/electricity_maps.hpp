// SPDX-License-Identifier: GPL-2.0-or-later
// Electricity Maps API v3: carbon intensity (forecast, and the last 24 h as actuals) in
// gCO2eq/kWh, and day-ahead prices in the zone's currency per MWh. Auth: the "auth-token"
// header, read from KeyFile=. Parses the forecast, history, past-range and latest shapes
// of carbon-intensity and of price-day-ahead.
#pragma once

#include "source_base.hpp"

namespace ebb::gridsources {

class ElectricityMapsSource final : public ProviderSource {
 public:
  ElectricityMapsSource(const Settings& settings, const FetchOptions& options);
  bool gives_carbon() const override { return role_ == Quantity::carbon; }
  bool gives_price() const override { return role_ == Quantity::price; }
  SignalSeries parse(std::string_view body, TimePoint now) const override;

 protected:
  SignalSeries fetch_network(TimePoint now) override;

 private:
  std::vector<std::string> auth_headers() const;
  std::string zone_query() const;

  Quantity role_;
  std::string zone_;
  std::string lat_, lon_;
  std::string key_file_;
  std::string emission_factor_type_;
  int horizon_hours_ = 0;
  bool history_ = true;
  bool forecast_ = true;
};

}  // namespace ebb::gridsources
