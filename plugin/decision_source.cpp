#include "decision_source.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

#include "ebb/daemon_client.hpp"
#include "ebb/error.hpp"
#include "ebb/forecast_file.hpp"

namespace ebb::plugin {

namespace {

// A week at 5-minute resolution is about 100 KB of CSV.
constexpr off_t kMaxForecastBytes = off_t{64} << 20;

// The source could not be used; what() is one clause of the warning line.
class SourceFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A fresh forecast from `path`, or SourceFailed. `label` names the file in messages:
// "forecast /var/lib/ebb/forecast.csv" or "ebbd's cache /var/cache/ebb/gb.csv".
SignalSeries read_fresh(const std::string& path, const std::string& label, const Config& config,
                        TimePoint now) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw SourceFailed(label + ": " + std::strerror(errno));
  // Bounded time: never read a FIFO, a device or a file far larger than any forecast.
  if (!S_ISREG(st.st_mode)) throw SourceFailed(label + " is not a file");
  if (st.st_size > kMaxForecastBytes) {
    throw SourceFailed(label + " is larger than " + std::to_string(kMaxForecastBytes >> 20) +
                       " MiB");
  }
  const TimePoint modified{seconds{st.st_mtim.tv_sec}};
  if (now - modified > config.max_forecast_age) {
    throw SourceFailed(label + " is stale (written " + format_duration(now - modified) +
                       " ago, MaxForecastAge " + format_duration(config.max_forecast_age) + ")");
  }
  SignalSeries series;
  try {
    series = read_forecast_file(path);
  } catch (const InputError& e) {
    throw SourceFailed(e.what());  // names the file and line
  }
  if (series.empty()) throw SourceFailed(label + " has no rows");
  if (series.begin() > now || series.end() <= now) {
    throw SourceFailed(label + " does not cover now (it spans " + format_utc(series.begin()) +
                       " to " + format_utc(series.end()) + ")");
  }
  return series;
}

Decision plan_locally(const JobToPlan& job, const SignalSeries& forecast) {
  return plan(job.request, forecast, job.policy);
}

PlanQuery query_for(const Config& config, const JobToPlan& job) {
  PlanQuery q;
  q.region = config.region;  // empty: ebbd's default region
  q.now = job.request.now;   // ebbd plans against the same instant as the fallbacks would
  q.earliest_start = job.request.earliest_start;
  q.deadline = job.request.deadline;
  q.max_delay = job.request.max_delay;
  q.expected_runtime = job.request.expected_runtime;
  q.objective = job.objective;
  q.job = job.job;
  q.job.time_limit = job.request.time_limit;
  return q;
}

// "ebbd at URL did not answer within 300 ms" for a timeout, else the client's own reason.
std::string daemon_failure(const Config& config, const std::string& error) {
  if (error.find("timed out") != std::string::npos) {
    return "ebbd at " + config.daemon_url + " did not answer within " +
           std::to_string(config.daemon_timeout.count()) + " ms";
  }
  return error.empty() ? "ebbd at " + config.daemon_url + " gave no plan" : error;
}

Decision decide(const Config& config, const JobToPlan& job) {
  const TimePoint now = job.request.now;
  std::string why;  // every source's failure, in order
  auto add_reason = [&](const std::string& reason) {
    why += (why.empty() ? "" : " and ") + reason;
  };

  if (!config.daemon_url.empty()) {
    std::string error;
    if (auto d = ask_daemon_for_plan(config.daemon_url, query_for(config, job),
                                     config.daemon_timeout, &error, daemon_trust(config))) {
      return *d;
    }
    add_reason(daemon_failure(config, error));
    const std::string cache = cache_file_for(config);
    if (cache.empty()) {
      add_reason("no Region= to find its cache");
    } else {
      try {
        return plan_locally(job, read_fresh(cache, "its cache " + cache, config, now));
      } catch (const SourceFailed& e) {
        add_reason(e.what());
      }
    }
  }
  if (!config.forecast_file.empty()) {
    const std::string& path = config.forecast_file;
    try {
      return plan_locally(job, read_fresh(path, "forecast " + path, config, now));
    } catch (const SourceFailed& e) {
      add_reason(e.what());
    }
  } else if (config.daemon_url.empty()) {
    add_reason("no ForecastFile or DaemonUrl in ebb.conf");
  }
  throw DecisionUnavailable(why);
}

}  // namespace

Decision obtain_decision(const Config& config, const JobToPlan& job) {
  Decision d = decide(config, job);
  if (d.currency.empty()) d.currency = config.currency;
  return d;
}

}  // namespace ebb::plugin
