// Where the plugin gets its forecast. Today: the forecast file named in ebb.conf.
// Issue 3 extends obtain_forecast() to ask ebbd first (Config::daemon_url, with
// Config::daemon_timeout) and to fall back to the file.
#pragma once

#include <stdexcept>

#include "ebb/config.hpp"
#include "ebb/signal.hpp"
#include "ebb/time.hpp"

namespace ebb::plugin {

// No usable forecast: the job goes in unchanged. what() says why, for the warning line.
class ForecastUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A forecast that is fresh (file younger than MaxForecastAge) and covers `now`.
// Throws ForecastUnavailable otherwise.
SignalSeries obtain_forecast(const Config& config, TimePoint now);

}  // namespace ebb::plugin
