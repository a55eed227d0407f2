#include "ebb/time.hpp"

#include <date/date.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <sstream>

#include "ebb/error.hpp"

namespace ebb {

namespace {

// Tries one date::parse format on the whole text.
bool try_parse(std::string_view text, const char* format, TimePoint& out) {
  std::istringstream in{std::string(text)};
  date::sys_time<std::chrono::milliseconds> t;
  std::chrono::minutes offset{0};
  in >> date::parse(format, t, offset);
  if (in.fail()) return false;
  in.peek();
  if (!in.eof()) return false;  // trailing text
  (void)offset;  // date::parse already applied the offset: t is UTC
  out = std::chrono::floor<seconds>(t);
  return true;
}

std::tm local_tm(TimePoint t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  return tm;
}

}  // namespace

TimePoint parse_iso8601(std::string_view text) {
  // Providers write "Z", "+00:00", "+0100", milliseconds, or no seconds; date::parse
  // reads %z with and without a colon (the E modifier) and %S with fractions.
  static constexpr std::array formats = {
      "%FT%T%Ez", "%FT%TZ", "%FT%H:%M%Ez", "%FT%H:%MZ", "%FT%T%z", "%FT%H:%M%z",
      "%F %T%Ez", "%F %TZ", "%F %H:%M%Ez", "%F %H:%MZ", "%FT%T",   "%FT%H:%M",
      "%F %T",    "%F %H:%M",
  };
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  // date::parse negates an unset offset (UB) when a zone sign has no digits after it,
  // as in "2026-11-27T10:00-" (found by the daemon's mangled-input test under UBSan).
  for (std::size_t i = 11; i < text.size(); ++i) {
    if ((text[i] == '+' || text[i] == '-') &&
        (i + 1 == text.size() || text[i + 1] < '0' || text[i + 1] > '9')) {
      throw InputError("not an ISO 8601 time: '" + std::string(text) + "'");
    }
  }
  TimePoint t;
  for (const char* f : formats) {
    if (try_parse(text, f, t)) return t;
  }
  throw InputError("not an ISO 8601 time: '" + std::string(text) + "'");
}

std::string format_utc(TimePoint t) { return date::format("%FT%TZ", t); }

std::string format_local_minute(TimePoint t) {
  std::tm tm = local_tm(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string format_local_slurm(TimePoint t) {
  std::tm tm = local_tm(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

std::string format_duration(Duration d) {
  std::string out;
  if (d < Duration{0}) {
    out = "-";
    d = -d;
  }
  auto total_min = std::chrono::duration_cast<minutes>(d).count();
  long long days = total_min / (24 * 60);
  long long hrs = (total_min / 60) % 24;
  long long mins = total_min % 60;
  const std::size_t sign = out.size();
  if (days) out += std::to_string(days) + "d";
  if (hrs) out += std::to_string(hrs) + "h";
  if (mins || out.size() == sign) out += std::to_string(mins) + "m";
  return out;
}

TimePoint now_utc() {
  return std::chrono::floor<seconds>(std::chrono::system_clock::now());
}

}  // namespace ebb
