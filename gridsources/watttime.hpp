// SPDX-License-Identifier: GPL-2.0-or-later
// WattTime API v3: marginal emissions (co2_moer) forecast, 5-minute points, and history.
// Login with HTTP Basic auth at /login gives a bearer token valid 30 minutes; ebb renews it
// before expiry and once more on a 401 or 403. Values in lbs CO2/MWh become g/kWh
// (x 0.45359237); co2_moer is marked marginal, co2_aoer average.
#pragma once

#include <mutex>

#include "source_base.hpp"

namespace ebb::gridsources {

class WattTimeSource final : public ProviderSource {
 public:
  WattTimeSource(const Settings& settings, const FetchOptions& options);
  bool gives_carbon() const override { return true; }
  bool gives_price() const override { return false; }
  SignalSeries parse(std::string_view body, TimePoint now) const override;

 protected:
  SignalSeries fetch_network(TimePoint now) override;

 private:
  std::string token(bool renew);
  // GET with the bearer token; on 401/403 logs in again and retries once.
  HttpResponse get_authorised(const std::string& path_and_query);

  std::string region_;
  std::string signal_type_;
  int horizon_hours_ = 24;
  int history_hours_ = 0;
  std::string username_, username_file_, password_file_;
  HttpClient login_http_;
  std::mutex token_mutex_;
  std::string token_;
  std::chrono::steady_clock::time_point token_expiry_{};
};

}  // namespace ebb::gridsources
