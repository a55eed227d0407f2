// SPDX-License-Identifier: GPL-2.0-or-later
// UK Carbon Intensity API (NESO): national or regional (region id 1-17, or an outward
// postcode) half-hourly gCO2/kWh, 48 h ahead. No key. Windows with a measured "actual"
// (national only) are marked actual. Shapes parsed: national {"data":[{from,to,intensity}]},
// regional {"data":{...,"data":[...]}} or {"data":[{...,"data":[...]}]}, and the all-regions
// {"data":[{from,to,regions:[...]}]} (needs RegionId=).
#pragma once

#include "source_base.hpp"

namespace ebb::gridsources {

class UkCarbonIntensitySource final : public ProviderSource {
 public:
  UkCarbonIntensitySource(const Settings& settings, const FetchOptions& options);
  bool gives_carbon() const override { return true; }
  bool gives_price() const override { return false; }
  SignalSeries parse(std::string_view body, TimePoint now) const override;

 protected:
  SignalSeries fetch_network(TimePoint now) override;

 private:
  std::string location_path() const;  // "" | "/regionid/13" | "/postcode/RG41"
  int region_id_ = 0;                 // 0: national unless postcode_ is set
  std::string postcode_;
  int history_hours_ = 0;
};

}  // namespace ebb::gridsources
