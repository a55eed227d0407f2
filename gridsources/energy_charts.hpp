// SPDX-License-Identifier: GPL-2.0-or-later
// Energy-Charts (Fraunhofer ISE), no key, column arrays keyed by unix_seconds:
//   carbon, Product=co2eq (default): /co2eq, g CO2-eq/kWh, the measured co2eq[i] where
//     there is one (actual), else co2eq_forecast[i] (forecast);
//   carbon, Product=signal: /signal, the renewable share[i] in %, turned into a proxy
//     intensity (100 - share) / 100 x FossilIntensity= (g/kWh, required; see README);
//   price: /price?bzn=..., EUR/MWh.
#pragma once

#include "source_base.hpp"

namespace ebb::gridsources {

class EnergyChartsSource final : public ProviderSource {
 public:
  EnergyChartsSource(const Settings& settings, const FetchOptions& options);
  bool gives_carbon() const override { return role_ == Quantity::carbon; }
  bool gives_price() const override { return role_ == Quantity::price; }
  SignalSeries parse(std::string_view body, TimePoint now) const override;

 protected:
  SignalSeries fetch_network(TimePoint now) override;

 private:
  Quantity role_;
  std::string product_;  // co2eq | signal (carbon role)
  std::string country_;
  std::string bidding_zone_;
  double fossil_intensity_ = 0;
};

}  // namespace ebb::gridsources
