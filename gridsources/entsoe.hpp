// SPDX-License-Identifier: GPL-2.0-or-later
// ENTSO-E Transparency Platform: day-ahead prices (document A44, XML, parsed with pugixml).
// Token from KeyFile= (sent as the securityToken query parameter). Resolutions PT15M,
// PT30M and PT60M; curve type A03 leaves out positions whose price repeats, so the last
// price is carried forward; an Acknowledgement_MarketDocument (even with HTTP 200) means
// no data. Where a document holds the same hours twice (two resolutions or
// classification sequences), the lower sequence position, then the finer resolution wins.
#pragma once

#include "source_base.hpp"

namespace ebb::gridsources {

// "DE-LU" -> "10Y1001A1001A82H"; an EIC code (16 characters) passes through; empty if unknown.
std::string entsoe_area_code(const std::string& name);

class EntsoeSource final : public ProviderSource {
 public:
  EntsoeSource(const Settings& settings, const FetchOptions& options);
  bool gives_carbon() const override { return false; }
  bool gives_price() const override { return true; }
  SignalSeries parse(std::string_view body, TimePoint now) const override;

 protected:
  SignalSeries fetch_network(TimePoint now) override;

 private:
  std::string area_;   // EIC code; empty for a file read without BiddingZone=
  std::string asked_;  // "BiddingZone DE-LU (10Y1001A1001A82H)", for messages
  std::string key_file_;
};

}  // namespace ebb::gridsources
