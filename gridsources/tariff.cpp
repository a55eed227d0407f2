// SPDX-License-Identifier: GPL-2.0-or-later
#include "tariff.hpp"

#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include "ebb/strings.hpp"
#include "source_base.hpp"

namespace ebb::gridsources {
namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr int kMinutesPerWeek = 7 * kMinutesPerDay;

int weekday_index(std::string_view name) {
  static const char* names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  std::string lower;
  for (char c : name.substr(0, 3))
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 0; i < 7; ++i) {
    if (lower == names[i]) return i;
  }
  throw std::invalid_argument("unknown weekday '" + std::string(name) + "' (Mon..Sun)");
}

int minute_of_day(std::string_view hhmm) {
  const auto colon = hhmm.find(':');
  int h = -1, m = -1;
  if (colon != std::string_view::npos) {
    auto [p1, e1] = std::from_chars(hhmm.data(), hhmm.data() + colon, h);
    auto [p2, e2] = std::from_chars(hhmm.data() + colon + 1, hhmm.data() + hhmm.size(), m);
    if (e1 != std::errc{} || e2 != std::errc{} || p1 != hhmm.data() + colon ||
        p2 != hhmm.data() + hhmm.size())
      h = -1;
  }
  if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0)) {
    throw std::invalid_argument("bad time '" + std::string(hhmm) + "' (HH:MM)");
  }
  return h * 60 + m;
}

}  // namespace

std::vector<std::pair<int, int>> parse_tariff_hours(std::string_view text) {
  std::vector<std::pair<int, int>> ranges;
  for (std::string_view group : split_trimmed(text, ';')) {
    if (group.empty()) continue;
    const auto space = group.find_first_of(" \t");
    if (space == std::string_view::npos)
      throw std::invalid_argument("'" + std::string(group) + "': expected '<days> <from>-<to>'");
    const std::string_view days_text = trim(group.substr(0, space));
    std::array<bool, 7> days{};
    for (std::string_view d : split_trimmed(days_text, ',')) {
      std::string lower;
      for (char c : d) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "daily" || lower == "all") {
        days.fill(true);
      } else if (const auto dash = d.find('-'); dash != std::string_view::npos) {
        const int from = weekday_index(d.substr(0, dash)), to = weekday_index(d.substr(dash + 1));
        for (int i = from;; i = (i + 1) % 7) {
          days[i] = true;
          if (i == to) break;
        }
      } else {
        days[weekday_index(d)] = true;
      }
    }
    for (std::string_view r : split_trimmed(trim(group.substr(space)), ',')) {
      const auto dash = r.find('-');
      if (dash == std::string_view::npos)
        throw std::invalid_argument("'" + std::string(r) + "': expected HH:MM-HH:MM");
      const int from = minute_of_day(trim(r.substr(0, dash)));
      int to = minute_of_day(trim(r.substr(dash + 1)));
      if (to == from) throw std::invalid_argument("'" + std::string(r) + "': empty range");
      if (to < from) to += kMinutesPerDay;  // past midnight: into the next day
      for (int d = 0; d < 7; ++d) {
        if (days[d]) ranges.emplace_back(d * kMinutesPerDay + from, d * kMinutesPerDay + to);
      }
    }
  }
  if (ranges.empty()) throw std::invalid_argument("no hours given");
  return ranges;
}

TariffSchedule parse_tariff_settings(const std::map<std::string, std::string>& settings) {
  const Settings s(settings, "price", "tariff");
  TariffSchedule t;
  t.currency = s.get_or("currency", "EUR");
  t.time_zone = s.get_or("tarifftimezone", "UTC");
  try {
    (void)date::locate_zone(t.time_zone);
  } catch (const std::exception&) {
    s.fail("TariffTimeZone=" + t.time_zone + ": unknown time zone (e.g. Europe/London)");
  }
  const std::string unit = s.get_or("tariffunit", "MWh");
  double scale = 1;
  if (unit == "kWh" || unit == "kwh") {
    scale = 1000;
  } else if (unit != "MWh" && unit != "mwh") {
    s.fail("TariffUnit=" + unit + ": expected MWh or kWh");
  }
  auto price = [&](const char* key, const char* display) {
    const double v = s.get_number(key, display, NAN);
    if (std::isnan(v)) return v;
    if (std::fabs(v * scale) > kMaxPrice)
      s.fail(std::string(display) + "=: absurd price (check TariffUnit=)");
    return v * scale;
  };
  t.off_peak_per_mwh = price("tariffoffpeak", "TariffOffPeak");
  if (std::isnan(t.off_peak_per_mwh))
    s.fail("TariffOffPeak= is needed (the price outside the listed hours)");
  for (auto [key, hours_key, display] :
       {std::tuple{"tariffpeak", "tariffpeakhours", "TariffPeak"},
        std::tuple{"tariffshoulder", "tariffshoulderhours", "TariffShoulder"}}) {
    const double p = price(key, display);
    const auto hours = s.get(hours_key);
    if (std::isnan(p) && !hours) continue;
    if (std::isnan(p)) s.fail(std::string(display) + "= is needed with " + display + "Hours=");
    if (!hours) s.fail(std::string(display) + "Hours= is needed with " + display + "=");
    TariffLevel level;
    level.price_per_mwh = p;
    try {
      level.ranges = parse_tariff_hours(*hours);
    } catch (const std::invalid_argument& e) {
      s.fail(std::string(display) + "Hours=" + *hours + ": " + e.what());
    }
    t.levels.push_back(std::move(level));
  }
  t.days = static_cast<int>(s.get_number("tariffdays", "TariffDays", 7));
  if (t.days < 1 || t.days > 60) s.fail("TariffDays=: 1 to 60");
  return t;
}

SignalSeries tariff_series(const TariffSchedule& schedule, TimePoint now) {
  const date::time_zone* zone = date::locate_zone(schedule.time_zone);
  using date::local_days;
  const auto local_now = zone->to_local(now);
  local_days day = std::chrono::floor<std::chrono::days>(local_now) - std::chrono::days(1);
  const local_days last = day + std::chrono::days(schedule.days + 2);

  // Price at a local minute of the week (peak over shoulder over off-peak).
  auto price_at = [&](int minute_of_week) {
    for (const TariffLevel& level : schedule.levels) {
      for (auto [from, to] : level.ranges) {
        if ((minute_of_week >= from && minute_of_week < to) ||
            (minute_of_week + kMinutesPerWeek >= from && minute_of_week + kMinutesPerWeek < to)) {
          return level.price_per_mwh;
        }
      }
    }
    return schedule.off_peak_per_mwh;
  };
  auto to_utc = [&](date::local_seconds t) {
    return TimePoint{zone->to_sys(t, date::choose::earliest).time_since_epoch()};
  };

  std::vector<Slot> slots;
  for (; day < last; day += std::chrono::days(1)) {
    const int weekday = static_cast<int>(date::weekday(day).iso_encoding()) - 1;  // Mon = 0
    // Boundaries within this local day: midnight, every range edge, next midnight.
    std::vector<int> cuts{0, kMinutesPerDay};
    for (const TariffLevel& level : schedule.levels) {
      for (auto [from, to] : level.ranges) {
        for (int edge : {from, to}) {
          const int in_day =
              ((edge % kMinutesPerWeek) - weekday * kMinutesPerDay + kMinutesPerWeek) %
              kMinutesPerWeek;
          if (in_day > 0 && in_day < kMinutesPerDay) cuts.push_back(in_day);
        }
      }
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      const TimePoint start = to_utc(date::local_seconds(day) + std::chrono::minutes(cuts[i]));
      const TimePoint end = to_utc(date::local_seconds(day) + std::chrono::minutes(cuts[i + 1]));
      if (end <= start) continue;  // inside a DST gap
      const double p = price_at(weekday * kMinutesPerDay + cuts[i]);
      if (!slots.empty() && slots.back().end == start && slots.back().price == p) {
        slots.back().end = end;
        continue;
      }
      if (!slots.empty() && start < slots.back().end) continue;  // DST overlap: keep the first
      Slot s;
      s.start = start;
      s.end = end;
      s.carbon = 0;
      s.price = p;
      slots.push_back(s);
    }
  }
  for (Slot& s : slots) s.origin = origin_by_time(s.end, now);
  SignalSeries series(std::move(slots), "tariff");
  series.currency = schedule.currency;
  return series;
}

TariffSource::TariffSource(const std::map<std::string, std::string>& settings)
    : settings_(settings) {
  const Settings s(settings, "price", "tariff");
  file_ = s.get("file");
  if (!file_) (void)parse_tariff_settings(settings_);  // report bad keys at start-up
}

SignalSeries TariffSource::fetch(TimePoint now) {
  if (file_) return parse(read_text_file("tariff", *file_), now);
  return tariff_series(parse_tariff_settings(settings_), now);
}

SignalSeries TariffSource::parse(std::string_view body, TimePoint now) const {
  std::map<std::string, std::string> keys;
  std::size_t line_number = 0;
  for (std::string_view line : split_trimmed(body, '\n')) {
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      throw SourceError("tariff", "line " + std::to_string(line_number) + ": expected Key=Value");
    }
    std::string key;
    for (char c : trim(line.substr(0, eq)))
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    keys[key] = std::string(value);
  }
  return tariff_series(parse_tariff_settings(keys), now);
}

}  // namespace ebb::gridsources
