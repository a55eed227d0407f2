#include "forecast_source.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

#include "ebb/error.hpp"
#include "ebb/forecast_file.hpp"

namespace ebb::plugin {

namespace {

// A week at 5-minute resolution is about 100 KB of CSV.
constexpr off_t kMaxForecastBytes = off_t{64} << 20;

SignalSeries from_file(const Config& config, TimePoint now) {
  const std::string& path = config.forecast_file;
  if (path.empty()) throw ForecastUnavailable("no ForecastFile in ebb.conf");

  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw ForecastUnavailable("forecast " + path + ": " + std::strerror(errno));
  }
  // Bounded time: never read a FIFO, a device or a file far larger than any forecast.
  if (!S_ISREG(st.st_mode)) throw ForecastUnavailable("forecast " + path + " is not a file");
  if (st.st_size > kMaxForecastBytes) {
    throw ForecastUnavailable("forecast " + path + " is larger than " +
                              std::to_string(kMaxForecastBytes >> 20) + " MiB");
  }
  const TimePoint modified{seconds{st.st_mtim.tv_sec}};
  if (now - modified > config.max_forecast_age) {
    throw ForecastUnavailable("forecast " + path + " is stale (written " +
                              format_duration(now - modified) + " ago, MaxForecastAge " +
                              format_duration(config.max_forecast_age) + ")");
  }

  SignalSeries series;
  try {
    series = read_forecast_file(path);
  } catch (const InputError& e) {
    throw ForecastUnavailable(e.what());  // names the file and line
  }
  if (series.empty()) throw ForecastUnavailable("forecast " + path + " has no rows");
  if (series.begin() > now || series.end() <= now) {
    throw ForecastUnavailable("forecast " + path + " does not cover now (it spans " +
                              format_utc(series.begin()) + " to " + format_utc(series.end()) + ")");
  }
  return series;
}

}  // namespace

SignalSeries obtain_forecast(const Config& config, TimePoint now) {
  // Seam for issue 3: ask ebbd at config.daemon_url here, then fall back to the file.
  return from_file(config, now);
}

}  // namespace ebb::plugin
