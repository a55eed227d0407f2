// SPDX-License-Identifier: GPL-2.0-or-later
#include "command_common.hpp"

#include <sys/stat.h>

#include <charconv>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ebb/error.hpp"
#include "ebb/forecast_file.hpp"
#include "ebb/strings.hpp"

namespace ebb::commands {
namespace {

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// What ebbd's sidecar <region>.json (written next to <region>.csv) adds to the cache
// file: the currency, the signal kind, when each source was last fetched (the oldest
// counts, as ebbd's own answers), and where the provider's data ends (the extension
// follows). Returns a note for the user when the sidecar is missing or unreadable.
std::string apply_sidecar(const std::string& csv_path, const Config& config, ForecastReply& reply) {
  const std::string path = csv_path.substr(0, csv_path.size() - 4) + ".json";
  std::ifstream in(path);
  if (!in) return "no sidecar " + path + ": freshness unknown";
  std::ostringstream text;
  text << in.rdbuf();
  try {
    const auto j = nlohmann::json::parse(text.str());
    SignalSeries& s = reply.series;
    if (auto c = j.find("currency"); c != j.end() && c->is_string())
      s.currency = c->get<std::string>();
    if (auto k = j.find("kind"); k != j.end() && k->is_string())
      s.kind = k->get<std::string>() == "marginal" ? SignalKind::marginal : SignalKind::average;
    if (auto sources = j.find("sources"); sources != j.end() && sources->is_object()) {
      bool every_source_fetched = !sources->empty();
      for (const auto& [role, entry] : sources->items()) {
        auto at = entry.find("fetched_at");
        if (at == entry.end() || !at->is_string()) {
          every_source_fetched = false;
          continue;
        }
        const TimePoint t = parse_iso8601(at->get<std::string>());
        if (!reply.fetched_at || t < *reply.fetched_at) reply.fetched_at = t;
      }
      if (!every_source_fetched) reply.fetched_at.reset();
    }
    if (auto end = j.find("provider_end"); end != j.end() && end->is_string()) {
      const TimePoint provider_end = parse_iso8601(end->get<std::string>());
      std::vector<Slot> slots = s.slots();
      for (Slot& slot : slots)
        if (slot.start >= provider_end) slot.origin = Origin::extension;
      SignalSeries marked(std::move(slots), s.source);
      marked.region = s.region;
      marked.currency = s.currency;
      marked.kind = s.kind;
      s = std::move(marked);
    }
    Duration stale_after = hours(6);  // ebbd's default StaleAfter
    if (auto it = config.daemon.find("staleafter"); it != config.daemon.end())
      stale_after = parse_slurm_duration(it->second, "StaleAfter");
    reply.stale = !reply.fetched_at || now_utc() - *reply.fetched_at > stale_after;
  } catch (const std::exception& e) {
    reply.fetched_at.reset();
    reply.stale = true;
    return "sidecar " + path + " unreadable (" + e.what() + "): freshness unknown";
  }
  return "";
}

}  // namespace

Config load_config_for_command(const std::string& path, bool explicitly_given) {
  if (!explicitly_given && !file_exists(path)) return Config{};
  return load_config(path);
}

std::string daemon_url_of(const Config& config, const std::string& override_url) {
  if (!override_url.empty()) return override_url;
  if (!config.daemon_url.empty()) return config.daemon_url;
  if (auto it = config.daemon.find("listen"); it != config.daemon.end()) {
    std::string listen = it->second;
    if (listen.rfind("unix:", 0) == 0) return listen;
    if (listen.rfind("0.0.0.0:", 0) == 0) listen = "127.0.0.1:" + listen.substr(8);
    if (!listen.empty() && listen.front() == ':') listen = "127.0.0.1" + listen;
    return "http://" + listen;
  }
  return kDefaultDaemonUrl;
}

std::string cache_dir_of(const Config& config) {
  auto it = config.daemon.find("cachedir");
  return it == config.daemon.end() ? kDefaultCacheDir : it->second;
}

ForecastReply forecast_for_region(const Config& config, const std::string& url,
                                  const std::string& region, std::string* note) {
  DaemonError failure;
  if (auto reply = fetch_forecast_from_daemon(url, region, kCommandTimeout, &failure,
                                              daemon_trust(config))) {
    *note = "from ebbd at " + url;
    return *reply;
  }
  const std::string& error = failure.message;
  std::string name = region.empty() ? config.region : region;
  if (name.empty() && config.regions.size() == 1) name = config.regions.begin()->first;
  if (name.empty()) throw InputError(error + "; and no region given to read ebbd's cache for");
  std::string path = cache_file_path(cache_dir_of(config), name);
  if (!file_exists(path)) throw InputError(error + "; and no cache file " + path);
  ForecastReply reply;
  reply.series = read_forecast_file(path);
  reply.series.region = lower(name);
  reply.generated_at = now_utc();
  reply.stale = true;  // unless the sidecar says when it was fetched
  const std::string sidecar = apply_sidecar(path, config, reply);
  *note = "from ebbd's cache file " + path + " (" + error + ")" +
          (sidecar.empty() ? "" : "; " + sidecar);
  return reply;
}

TimePoint parse_user_time(const std::string& text, TimePoint now, const std::string& what) {
  std::string t = lower(text);
  if (t.rfind("now+", 0) == 0) {
    std::string rest = t.substr(4);
    long long n = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
    std::string unit(end, static_cast<const char*>(rest.data() + rest.size()));
    if (ec == std::errc() && n >= 0) {
      if (unit == "minutes" || unit == "minute" || unit == "min") return now + minutes(n);
      if (unit == "hours" || unit == "hour" || unit == "h") return now + hours(n);
      if (unit == "days" || unit == "day" || unit == "d") return now + hours(24 * n);
      if (unit == "seconds" || unit == "s") return now + seconds(n);
    }
    return now + parse_slurm_duration(rest, what);
  }
  if (t == "now") return now;
  auto tpos = t.find_first_of("t ");
  bool has_zone = !t.empty() &&
                  (t.back() == 'z' ||
                   (tpos != std::string::npos && t.find_first_of("+-", tpos) != std::string::npos));
  if (has_zone) {
    try {
      return parse_iso8601(text);
    } catch (const InputError& e) {
      throw InputError(what + ": " + e.what());
    }
  }
  // No zone: the user's local time, as Slurm reads --begin.
  std::tm tm{};
  int parsed = std::sscanf(text.c_str(), "%d-%d-%d%*[T ]%d:%d:%d", &tm.tm_year, &tm.tm_mon,
                           &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
  if (parsed < 5) {
    throw InputError(what +
                     ": expected a time such as 2026-11-28T06:00, "
                     "2026-11-28T06:00Z or now+12hours, got '" +
                     text + "'");
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1;
  std::time_t epoch = std::mktime(&tm);
  if (epoch == -1) throw InputError(what + ": not a valid local time: '" + text + "'");
  return TimePoint{seconds{epoch}};
}

double parse_memory_gb(const std::string& text, const std::string& what) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  std::string unit = lower(std::string(end, static_cast<const char*>(text.data() + text.size())));
  if (ec != std::errc() || v < 0) throw InputError(what + ": not a size: '" + text + "'");
  if (unit.empty() || unit == "m" || unit == "mb") return v / 1024;
  if (unit == "g" || unit == "gb") return v;
  if (unit == "t" || unit == "tb") return v * 1024;
  if (unit == "k" || unit == "kb") return v / 1024 / 1024;
  throw InputError(what + ": unknown unit in '" + text + "' (use K, M, G or T)");
}

}  // namespace ebb::commands
