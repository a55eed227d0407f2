// SPDX-License-Identifier: GPL-2.0-or-later
#include "source_base.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ebb::gridsources {

Settings::Settings(std::map<std::string, std::string> values, std::string role,
                   std::string provider)
    : values_(std::move(values)), role_(std::move(role)), provider_(std::move(provider)) {}

std::optional<std::string> Settings::get(std::string_view key) const {
  auto it = values_.find(role_ + std::string(key));
  if (it == values_.end()) it = values_.find(std::string(key));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Settings::get_or(std::string_view key, std::string fallback) const {
  auto v = get(key);
  return v ? *v : std::move(fallback);
}

void Settings::fail(const std::string& message) const {
  throw SourceError(provider_, "ebb.conf: " + message);
}

std::string Settings::require(std::string_view key, std::string_view display,
                              std::string_view hint) const {
  auto v = get(key);
  if (!v || v->empty()) fail(std::string(display) + "= is needed (" + std::string(hint) + ")");
  return *v;
}

double Settings::get_number(std::string_view key, std::string_view display, double fallback) const {
  auto v = get(key);
  if (!v) return fallback;
  double out = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (v->empty() || ec != std::errc{} || end != v->data() + v->size()) {
    fail(std::string(display) + "=" + *v + ": not a number");
  }
  return out;
}

bool Settings::get_bool(std::string_view key, std::string_view display, bool fallback) const {
  auto v = get(key);
  if (!v) return fallback;
  if (*v == "yes" || *v == "true" || *v == "1" || *v == "on") return true;
  if (*v == "no" || *v == "false" || *v == "0" || *v == "off") return false;
  fail(std::string(display) + "=" + *v + ": expected yes or no");
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

void check_answer_zone(const std::string& provider, const std::string& field,
                       std::string_view answered, std::string_view expected,
                       const std::string& asked) {
  if (same_name(answered, expected)) return;
  throw SourceError(provider, field + ": answer is for " + std::string(answered.substr(0, 80)) +
                                  ", asked for " + asked);
}

std::string read_text_file(const std::string& provider, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SourceError(provider, path + ": cannot read: " + std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) throw SourceError(provider, path + ": read error");
  return out.str();
}

std::string read_secret_file(const std::string& provider, const std::string& path,
                             std::string_view what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw SourceError(provider, std::string(what) + " " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    throw SourceError(provider, std::string(what) + " " + path + ": not a regular file");
  }
  // Whoever owns the file can swap the key (and read what ebbd sends with it): only the
  // user reading it, or root, may own it.
  if (st.st_uid != ::geteuid() && st.st_uid != 0) {
    throw SourceError(provider, std::string(what) + " " + path + " is owned by uid " +
                                    std::to_string(st.st_uid) + ", not by uid " +
                                    std::to_string(::geteuid()) +
                                    " (this process) or root; refusing to use it. Run: chown " +
                                    std::to_string(::geteuid()) + " " + path);
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw SourceError(provider, std::string(what) + " " + path +
                                    " is readable by group or others (mode " + mode +
                                    "); refusing to use it. Run: chmod 600 " + path);
  }
  std::string secret = read_text_file(provider, path);
  while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back())))
    secret.pop_back();
  while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.front())))
    secret.erase(0, 1);
  if (secret.empty()) throw SourceError(provider, std::string(what) + " " + path + " is empty");
  if (secret.find('\n') != std::string::npos) {
    throw SourceError(provider, std::string(what) + " " + path + ": expected one line");
  }
  return secret;
}

namespace {

struct Civil {
  int year;
  unsigned month, day, hour, minute, second;
};

Civil civil(TimePoint t) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{days};
  const std::chrono::hh_mm_ss hms{t - days};
  return Civil{int(ymd.year()),
               unsigned(ymd.month()),
               unsigned(ymd.day()),
               static_cast<unsigned>(hms.hours().count()),
               static_cast<unsigned>(hms.minutes().count()),
               static_cast<unsigned>(hms.seconds().count())};
}

}  // namespace

std::string format_minute_z(TimePoint t) {
  const Civil c = civil(t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02uZ", c.year, c.month, c.day, c.hour,
                c.minute);
  return buf;
}

std::string format_seconds_z(TimePoint t) {
  const Civil c = civil(t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02uZ", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
}

std::string format_millis_z(TimePoint t) {
  const Civil c = civil(t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.000Z", c.year, c.month, c.day,
                c.hour, c.minute, c.second);
  return buf;
}

std::string format_date(TimePoint t) {
  const Civil c = civil(t);
  char buf[24];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", c.year, c.month, c.day);
  return buf;
}

TimePoint floor_to(TimePoint t, Duration step) {
  const auto s = t.time_since_epoch().count();
  const auto k = step.count();
  auto floored = s - ((s % k) + k) % k;
  return TimePoint{Duration{floored}};
}

ProviderSource::ProviderSource(std::string name, const Settings& settings,
                               const FetchOptions& options, std::string default_base_url,
                               RateLimit default_limit, Duration default_min_interval)
    : name_(std::move(name)),
      settings_(settings),
      file_(settings.get("file")),
      base_url_(settings.get_or("url", std::move(default_base_url))),
      http_(name_, options, nullptr) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  RateLimit limit = default_limit;
  if (auto text = settings.get("ratelimit")) {
    try {
      limit = parse_rate_limit(*text);
    } catch (const std::invalid_argument& e) {
      settings.fail(std::string("RateLimit=: ") + e.what());
    }
  }
  const double minutes = settings.get_number(
      "mininterval", "MinInterval", static_cast<double>(default_min_interval.count()) / 60);
  if (minutes < 0 || minutes > 24 * 60) settings.fail("MinInterval=: 0 to 1440 minutes");
  min_interval_ = Duration(static_cast<long long>(minutes * 60));
  // One bucket per provider and endpoint: two regions on the same account share it.
  http_ = HttpClient(name_, options, &shared_rate_limiter(name_ + " " + base_url_, limit));
}

SignalSeries ProviderSource::fetch(TimePoint now) {
  if (file_) return parse(read_text_file(name_, *file_), now);
  if (min_interval_ > Duration{0}) {
    std::lock_guard lock(last_mutex_);
    if (last_ && now >= last_->first && now - last_->first < min_interval_) return last_->second;
  }
  SignalSeries fresh = fetch_network(now);
  if (min_interval_ > Duration{0}) {
    std::lock_guard lock(last_mutex_);
    last_ = std::make_pair(now, fresh);
  }
  return fresh;
}

HttpResponse ProviderSource::get(const std::string& path_and_query,
                                 std::vector<std::string> headers) const {
  HttpRequest request;
  request.url = base_url_ + path_and_query;
  request.headers = std::move(headers);
  return http_.get(request);
}

}  // namespace ebb::gridsources
