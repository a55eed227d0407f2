// SPDX-License-Identifier: GPL-2.0-or-later
// Nord Pool data portal (unauthenticated, undocumented; what data.nordpoolgroup.com uses):
// day-ahead prices per delivery area in currency/MWh, 60- or 15-minute entries. Before the
// next day is published it answers 204 No Content, which is "no data yet", not an error.
#pragma once

#include "source_base.hpp"

namespace ebb::gridsources {

class NordPoolSource final : public ProviderSource {
 public:
  NordPoolSource(const Settings& settings, const FetchOptions& options);
  bool gives_carbon() const override { return false; }
  bool gives_price() const override { return true; }
  SignalSeries parse(std::string_view body, TimePoint now) const override;

 protected:
  SignalSeries fetch_network(TimePoint now) override;

 private:
  std::string area_;
  std::string currency_;
  std::string market_;
};

}  // namespace ebb::gridsources
