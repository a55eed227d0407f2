// SPDX-License-Identifier: GPL-2.0-or-later
#include "decision_source.hpp"

#include <simdjson.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <string_view>

#include "ebb/config.hpp"
#include "ebb/daemon_client.hpp"
#include "ebb/error.hpp"
#include "ebb/forecast_file.hpp"
#include "ebb/input.hpp"
#include "ebb/plan_check.hpp"
#include "ebb/plan_query.hpp"

namespace ebb::plugin {

namespace {

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
  if (static_cast<std::size_t>(st.st_size) > kMaxForecastFileBytes) {
    throw SourceFailed(label + " is larger than " + std::to_string(kMaxForecastFileBytes >> 20) +
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

// ebbd rewrites its cache whenever the content changes (the extension past the provider's
// horizon moves with the clock), so the cache's mtime can be fresh while its data is old.
// The sidecar "<region>.json" beside it records when each source was last fetched; the
// oldest fetch must be within MaxForecastAge, as for ebbd's own answers. No sidecar, or one
// that cannot be read, leaves the mtime check alone in charge.
void check_cache_fetch_age(const std::string& cache, const std::string& label, const Config& config,
                           TimePoint now) {
  std::optional<TimePoint> oldest;
  try {
    const std::string sidecar = cache.substr(0, cache.size() - 4) + ".json";
    const std::string text = read_bounded_file(sidecar, kMaxConfigBytes, "cache sidecar");
    simdjson::dom::parser parser;
    simdjson::dom::object sources;
    if (parser.parse(text)["sources"].get(sources)) return;
    for (auto [role, entry] : sources) {
      std::string_view fetched;
      if (entry["fetched_at"].get(fetched)) continue;  // null: never fetched
      const TimePoint t = parse_iso8601(fetched);
      if (!oldest || t < *oldest) oldest = t;
    }
  } catch (const InputError&) {
    return;
  }
  if (oldest && now - *oldest > config.max_forecast_age) {
    throw SourceFailed(label + " holds a forecast fetched " + format_duration(now - *oldest) +
                       " ago (MaxForecastAge " + format_duration(config.max_forecast_age) + ")");
  }
}

// "ebbd at URL did not answer within 300 ms" for a timeout, else the client's own reason.
std::string daemon_failure(const Config& config, const DaemonError& error) {
  if (error.kind == ErrorKind::timeout) {
    return "ebbd at " + config.daemon_url + " did not answer within " +
           std::to_string(config.daemon_timeout.count()) + " ms";
  }
  return error.message.empty() ? "ebbd at " + config.daemon_url + " gave no plan" : error.message;
}

// ebbd merely unreachable (hung, down, restarting): the cache is there for exactly this,
// so a plan from it needs no warning. Anything else (a wrong DaemonUrl, an error or
// malformed answer, a refused plan) is a fault the user and the admin should hear about.
bool unreachable(const DaemonError& error) {
  return error.kind == ErrorKind::timeout || error.kind == ErrorKind::unreachable;
}

// ebbd's plan, checked against the job's own constraints and MaxForecastAge, or nothing
// with `why` set and `fault` telling whether ebbd was at fault rather than unreachable.
std::optional<Decision> plan_from_daemon(const Config& config, const PlanQuery& query,
                                         std::string& why, bool& fault) {
  DaemonError error;
  PlanSource source;
  auto d = ask_daemon_for_plan(config.daemon_url, query, config.daemon_timeout, &error,
                               daemon_trust(config), &source);
  fault = true;
  if (!d) {
    why = daemon_failure(config, error);
    fault = !unreachable(error);
    return std::nullopt;
  }
  const std::string daemon = "ebbd at " + config.daemon_url;
  const TimePoint now = *query.now;
  if (source.stale) {
    why = daemon + ": its forecast is stale (older than its StaleAfter)";
    return std::nullopt;
  }
  if (source.fetched_at && now - *source.fetched_at > config.max_forecast_age) {
    why = daemon + ": its forecast was fetched " + format_duration(now - *source.fetched_at) +
          " ago (MaxForecastAge " + format_duration(config.max_forecast_age) + ")";
    return std::nullopt;
  }
  // The power does not matter to the checks.
  PlanRequest checked = planner_input(query, now, 0);
  if (!query.time_limit_given) {
    // The limit ebbd took from slurmctld; the plan is checked against it like any other.
    if (d->time_limit <= Duration{0}) {
      why = daemon + ": its plan does not say which time limit it used (an older ebbd?)";
      return std::nullopt;
    }
    checked.time_limit = d->time_limit;
  }
  try {
    validate_plan(*d, checked);
  } catch (const InputError& e) {
    why = daemon + ": refused its " + e.what();
    return std::nullopt;
  }
  return d;
}

// The plan against ebbd's forecast for the region, made here (Ask::forecast), or
// nothing with `why` set and `fault` telling whether ebbd was at fault.
std::optional<Decision> plan_on_daemon_forecast(const Config& config, const PlanQuery& query,
                                                std::string& why, bool& fault) {
  DaemonError error;
  auto reply = fetch_forecast_from_daemon(config.daemon_url, config.region, config.daemon_timeout,
                                          &error, daemon_trust(config));
  fault = true;
  if (!reply) {
    why = daemon_failure(config, error);
    fault = !unreachable(error);
    return std::nullopt;
  }
  const std::string daemon = "ebbd at " + config.daemon_url;
  const TimePoint now = *query.now;
  if (reply->stale) {
    why = daemon + ": its forecast for " + config.region + " is stale (older than its StaleAfter)";
    return std::nullopt;
  }
  if (reply->fetched_at && now - *reply->fetched_at > config.max_forecast_age) {
    why = daemon + ": its forecast for " + config.region + " was fetched " +
          format_duration(now - *reply->fetched_at) + " ago (MaxForecastAge " +
          format_duration(config.max_forecast_age) + ")";
    return std::nullopt;
  }
  const SignalSeries& series = reply->series;
  if (series.empty() || series.begin() > now || series.end() <= now) {
    fault = false;  // a region without data: not ebbd's fault
    why = daemon + ": no forecast for " + config.region + " that covers now";
    return std::nullopt;
  }
  try {
    return plan_locally(config, query, series);
  } catch (const InputError& e) {
    fault = false;
    why = daemon + ": its forecast for " + config.region + ": " + e.what();
    return std::nullopt;
  }
}

Decision decide(const Config& config, const PlanQuery& query, Ask ask, std::string* refused) {
  const TimePoint now = *query.now;
  std::string why;  // every source's failure, in order
  auto add_reason = [&](const std::string& reason) {
    why += (why.empty() ? "" : " and ") + reason;
  };
  // A fault of ebbd's, reported even when a fallback then plans.
  std::string fault;
  auto fallback = [&](Decision d, const std::string& used) {
    if (refused && !fault.empty()) *refused = fault + "; planned from " + used + " instead";
    return d;
  };

  if (!config.daemon_url.empty()) {
    std::string failure;
    bool at_fault = false;
    auto d = ask == Ask::forecast ? plan_on_daemon_forecast(config, query, failure, at_fault)
                                  : plan_from_daemon(config, query, failure, at_fault);
    if (d) return *d;
    add_reason(failure);
    if (at_fault) fault = failure;
    // The fallbacks know no DefaultTime: without --time there is nothing more to try.
    if (!query.time_limit_given) throw DecisionUnavailable(why + "; --time is needed without ebbd");
    const std::string cache = cache_file_for(config);
    if (cache.empty()) {
      add_reason("no Region= to find its cache");
    } else {
      try {
        const std::string label = "its cache " + cache;
        SignalSeries series = read_fresh(cache, label, config, now);
        check_cache_fetch_age(cache, label, config, now);
        return fallback(plan_locally(config, query, series), label);
      } catch (const SourceFailed& e) {
        add_reason(e.what());
      }
    }
  }
  if (!config.forecast_file.empty()) {
    const std::string& path = config.forecast_file;
    try {
      return fallback(
          plan_locally(config, query, read_fresh(path, "forecast " + path, config, now)),
          "forecast " + path);
    } catch (const SourceFailed& e) {
      add_reason(e.what());
    }
  } else if (config.daemon_url.empty()) {
    add_reason("no ForecastFile or DaemonUrl in ebb.conf");
  }
  throw DecisionUnavailable(why);
}

}  // namespace

Decision obtain_decision(const Config& config, const PlanQuery& query, Ask ask,
                         std::string* refused) {
  Decision d = decide(config, query, ask, refused);
  // Both may come from ebbd or a forecast file and end up in the decision line.
  d.currency = printable_excerpt(d.currency, 8);
  d.reason = printable_excerpt(d.reason, 160);
  return d;
}

}  // namespace ebb::plugin
