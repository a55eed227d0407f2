// SPDX-License-Identifier: GPL-2.0-or-later
// What every provider adapter shares: its settings, the file-instead-of-network switch, the
// base URL override, the HTTP client with the provider's rate limit, and key files.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "ebb/gridsource.hpp"
#include "http.hpp"
#include "json.hpp"
#include "normalise.hpp"

namespace ebb::gridsources {

// The lower-case keys of one RegionName= line, seen by one source. A source in the carbon
// role looks up "carbon<key>" before "<key>" (CarbonUrl= before Url=), one in the price role
// "price<key>", so one line can configure two providers that use the same key names.
class Settings {
 public:
  Settings(std::map<std::string, std::string> values, std::string role, std::string provider);

  std::optional<std::string> get(std::string_view key) const;
  std::string get_or(std::string_view key, std::string fallback) const;
  // Missing -> SourceError "<provider>: ebb.conf: <Key>= is needed (<hint>)".
  std::string require(std::string_view key, std::string_view display, std::string_view hint) const;
  double get_number(std::string_view key, std::string_view display, double fallback) const;
  bool get_bool(std::string_view key, std::string_view display, bool fallback) const;

  const std::string& role() const { return role_; }
  const std::map<std::string, std::string>& values() const { return values_; }
  const std::string& provider() const { return provider_; }
  [[noreturn]] void fail(const std::string& message) const;

 private:
  std::map<std::string, std::string> values_;
  std::string role_;
  std::string provider_;
};

// Reads a whole file; SourceError naming the path when it cannot.
std::string read_text_file(const std::string& provider, const std::string& path);

// Reads an API key or password from a file that only its owner may read: refuses a file
// whose mode grants any permission to group or others (mode & 077), that is owned by
// another user than this process's (root may own it) or that is not a regular file. Trailing
// whitespace and newlines are dropped; an empty secret is an error.
std::string read_secret_file(const std::string& provider, const std::string& path,
                             std::string_view what);

// Names compared without regard to case ("eastus" = "EastUS", "at" = "AT").
bool same_name(std::string_view a, std::string_view b);

// Refuses an answer for another zone, area or region than the one asked for, as a
// SourceError "<provider>: <field>: answer is for <answered>, asked for <asked>"
// (`asked` names the setting: "BiddingZone DE-LU (10Y1001A1001A82H)"). A wrong-zone file
// would otherwise plan jobs against another country's grid without a word.
void check_answer_zone(const std::string& provider, const std::string& field,
                       std::string_view answered, std::string_view expected,
                       const std::string& asked);

// "2024-01-12T06:00Z"
std::string format_minute_z(TimePoint t);
// "2024-01-12T06:00:00Z"
std::string format_seconds_z(TimePoint t);
// "2024-01-12T06:00:00.000Z"
std::string format_millis_z(TimePoint t);
// "2024-01-12"
std::string format_date(TimePoint t);
TimePoint floor_to(TimePoint t, Duration step);

class ProviderSource : public GridSource {
 public:
  // `default_min_interval`: a fetch sooner than this after the last good one returns that
  // answer again instead of asking (MinInterval=, minutes, overrides it). For providers that
  // publish once a day and ask for few requests (aWATTar: ~100 a day).
  ProviderSource(std::string name, const Settings& settings, const FetchOptions& options,
                 std::string default_base_url, RateLimit default_limit,
                 Duration default_min_interval = Duration{0});

  std::string name() const override { return name_; }
  // Reads the configured file when there is one, else asks the network.
  SignalSeries fetch(TimePoint now) final;

 protected:
  virtual SignalSeries fetch_network(TimePoint now) = 0;

  // GET base_url + path_and_query.
  HttpResponse get(const std::string& path_and_query, std::vector<std::string> headers = {}) const;

  std::string name_;
  Settings settings_;
  std::optional<std::string> file_;
  std::string base_url_;  // without a trailing slash
  HttpClient http_;

 private:
  Duration min_interval_{0};
  std::mutex last_mutex_;
  std::optional<std::pair<TimePoint, SignalSeries>> last_;  // when, what
};

}  // namespace ebb::gridsources
