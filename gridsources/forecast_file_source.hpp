// SPDX-License-Identifier: GPL-2.0-or-later
// ebb's own forecast file (include/ebb/forecast_file.hpp: CSV or JSON) as a source, read
// from CarbonFile= / PriceFile=, or fetched from CarbonUrl= / PriceUrl= (a site that
// publishes the file on an internal web server). In the carbon role the prices are
// dropped; in the price role every row needs a price and carbon is set to 0.
#pragma once

#include "source_base.hpp"

namespace ebb::gridsources {

class ForecastFileSource final : public ProviderSource {
 public:
  ForecastFileSource(const Settings& settings, const FetchOptions& options);
  bool gives_carbon() const override { return role_ == Quantity::carbon; }
  bool gives_price() const override { return role_ == Quantity::price; }
  SignalSeries parse(std::string_view body, TimePoint now) const override;

 protected:
  SignalSeries fetch_network(TimePoint now) override;

 private:
  Quantity role_;
};

}  // namespace ebb::gridsources
