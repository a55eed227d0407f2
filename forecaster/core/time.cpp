// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/time.hpp"

#include <date/date.h>

#include <cstdio>
#include <ctime>

#include "ebb/error.hpp"
#include "ebb/input.hpp"

namespace ebb {

namespace {

std::tm local_tm(TimePoint t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  return tm;
}

// A strict reader for the one shape ebb accepts (RFC 3339 with a few liberties):
//   YYYY-MM-DD('T'|' ')hh:mm[:ss[.fraction]][Z | (+|-)hh[[:]mm]]
// Hand-written because it runs for every slot of every provider response (an
// istringstream-based parser was the bottleneck there), and because date::parse
// has undefined behaviour on some malformed zones. date supplies the calendar.
class IsoReader {
 public:
  explicit IsoReader(std::string_view text) : text_(text) {}

  TimePoint read() {
    const int year = digits(4);
    expect('-');
    const unsigned month = static_cast<unsigned>(digits(2));
    expect('-');
    const unsigned day = static_cast<unsigned>(digits(2));
    if (!more() || (peek() != 'T' && peek() != 't' && peek() != ' ')) fail();
    ++pos_;
    const int hour = digits(2);
    expect(':');
    const int minute = digits(2);
    int second = 0;
    if (more() && peek() == ':') {
      ++pos_;
      second = digits(2);
      if (more() && (peek() == '.' || peek() == ',')) {  // fractions are dropped
        ++pos_;
        const std::size_t start = pos_;
        while (more() && is_digit(peek())) ++pos_;
        if (pos_ == start) fail();
      }
    }
    int offset_minutes = 0;
    if (more()) {
      const char c = peek();
      if (c == 'Z' || c == 'z') {
        ++pos_;
      } else if (c == '+' || c == '-') {
        ++pos_;
        const int oh = digits(2);
        int om = 0;
        if (more() && peek() == ':') ++pos_;
        if (more()) om = digits(2);
        if (oh > 23 || om > 59) fail();
        offset_minutes = (c == '-' ? -1 : 1) * (oh * 60 + om);
      } else {
        fail();
      }
    }
    if (more()) fail();
    const date::year_month_day ymd{date::year{year}, date::month{month}, date::day{day}};
    if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) fail();
    return TimePoint{date::sys_days{ymd}} + hours(hour) + minutes(minute) + seconds(second) -
           minutes(offset_minutes);
  }

 private:
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }
  bool more() const { return pos_ < text_.size(); }
  char peek() const { return text_[pos_]; }
  [[noreturn]] void fail() const { throw InputError("not an ISO 8601 time: " + in_quotes(text_)); }
  void expect(char c) {
    if (!more() || peek() != c) fail();
    ++pos_;
  }
  int digits(int n) {
    int v = 0;
    for (int k = 0; k < n; ++k, ++pos_) {
      if (!more() || !is_digit(peek())) fail();
      v = v * 10 + (peek() - '0');
    }
    return v;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

TimePoint parse_iso8601(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  return IsoReader(text).read();
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
