// SPDX-License-Identifier: GPL-2.0-or-later
#include "grid.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "ebb/error.hpp"
#include "ebb/forecast_file.hpp"
#include "ebb/time.hpp"
#include "io.hpp"

namespace ebb::replay {

namespace {
std::int64_t secs(TimePoint t) { return t.time_since_epoch().count(); }
constexpr Duration kWeek = hours(24 * 7);
}  // namespace

Grid::Grid(std::vector<Slot> slots, bool has_prices, std::string source)
    : slots_(std::move(slots)), has_prices_(has_prices), source_(std::move(source)) {
  if (slots_.empty()) return;
  double last_carbon = slots_.front().carbon;
  double last_price = 0;
  for (const Slot& s : slots_)
    if (s.has_price()) {
      last_price = s.price;
      break;
    }
  bool in_price_gap = false;
  auto push = [&](std::int64_t start, double c, double p, bool cgap, bool pgap) {
    seg_start_.push_back(start);
    carbon_.push_back(c);
    price_.push_back(p);
    carbon_gap_.push_back(cgap ? 1.0 : 0.0);
    price_gap_.push_back(pgap ? 1.0 : 0.0);
  };
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const Slot& s = slots_[i];
    if (i > 0 && s.start < slots_[i - 1].end)
      throw InputError(source_ + ": slots overlap at " + format_utc(s.start));
    if (i > 0 && s.start > slots_[i - 1].end) {
      // A hole: a carbon gap (and a price gap when prices were given).
      push(secs(slots_[i - 1].end), last_carbon, last_price, true, has_prices_);
      ++gaps_.carbon_gaps;
      gaps_.carbon_gap_time += s.start - slots_[i - 1].end;
      if (has_prices_) {
        if (!in_price_gap) ++gaps_.price_gaps;
        gaps_.price_gap_time += s.start - slots_[i - 1].end;
        in_price_gap = true;
      }
    }
    bool pgap = has_prices_ && !s.has_price();
    if (s.has_price()) last_price = s.price;
    if (pgap) {
      if (!in_price_gap) ++gaps_.price_gaps;
      gaps_.price_gap_time += s.length();
    }
    in_price_gap = pgap;
    last_carbon = s.carbon;
    push(secs(s.start), s.carbon, last_price, false, pgap);
  }
  seg_start_.push_back(secs(slots_.back().end));
  const std::size_t n = carbon_.size();
  pc_.assign(n + 1, 0);
  pp_.assign(n + 1, 0);
  gc_.assign(n + 1, 0);
  gp_.assign(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    double len = static_cast<double>(seg_start_[i + 1] - seg_start_[i]);
    pc_[i + 1] = pc_[i] + carbon_[i] * len;
    pp_[i + 1] = pp_[i] + price_[i] * len;
    gc_[i + 1] = gc_[i] + carbon_gap_[i] * len;
    gp_[i + 1] = gp_[i] + price_gap_[i] * len;
  }
}

std::size_t Grid::segment_at(std::int64_t t) const {
  // Last segment whose start <= t, clamped to the valid range.
  auto it = std::upper_bound(seg_start_.begin(), seg_start_.end() - 1, t);
  if (it == seg_start_.begin()) return 0;
  return static_cast<std::size_t>(it - seg_start_.begin()) - 1;
}

double Grid::prefix_at(const std::vector<double>& prefix, const std::vector<double>& rate,
                       std::int64_t t, std::size_t i) const {
  return prefix[i] + rate[i] * static_cast<double>(t - seg_start_[i]);
}

Integral Grid::integrate(TimePoint a, TimePoint b) const {
  Integral r;
  if (slots_.empty() || b <= a) return r;
  std::int64_t lo = secs(a), hi = secs(b);
  const std::int64_t first = seg_start_.front(), last = seg_start_.back();
  // Time outside the data: a gap, scored at the nearest edge's value.
  auto outside = [&](std::int64_t from, std::int64_t to, std::size_t seg) {
    double len = static_cast<double>(to - from);
    r.carbon_hours += carbon_[seg] * len;
    r.price_hours += price_[seg] * len;
    r.carbon_gap_seconds += len;
    if (has_prices_) r.price_gap_seconds += len;
  };
  if (lo < first) {
    outside(lo, std::min(hi, first), 0);
    lo = std::min(hi, first);
  }
  if (hi > last) {
    std::int64_t from = std::max(lo, last);
    outside(from, hi, carbon_.size() - 1);
    hi = from;
  }
  if (hi > lo) {
    std::size_t i = segment_at(lo), j = segment_at(hi);
    if (hi == last) j = carbon_.size() - 1;
    auto span = [&](const std::vector<double>& prefix, const std::vector<double>& rate) {
      return prefix_at(prefix, rate, hi, j) - prefix_at(prefix, rate, lo, i);
    };
    r.carbon_hours += span(pc_, carbon_);
    r.price_hours += span(pp_, price_);
    r.carbon_gap_seconds += span(gc_, carbon_gap_);
    r.price_gap_seconds += span(gp_, price_gap_);
  }
  r.carbon_hours /= 3600.0;
  r.price_hours /= 3600.0;
  return r;
}

double Grid::mean_carbon(TimePoint a, TimePoint b) const {
  if (b <= a) return carbon_at(a);
  return integrate(a, b).carbon_hours * 3600.0 / static_cast<double>((b - a).count());
}

double Grid::carbon_at(TimePoint t) const {
  if (slots_.empty()) return 0;
  return carbon_[segment_at(secs(t))];
}

double Grid::price_at(TimePoint t) const {
  if (slots_.empty()) return 0;
  return price_[segment_at(secs(t))];
}

std::vector<Slot> Grid::slots_between(TimePoint a, TimePoint b) const {
  auto it = std::upper_bound(slots_.begin(), slots_.end(), a,
                             [](TimePoint v, const Slot& s) { return v < s.end; });
  std::vector<Slot> out;
  for (; it != slots_.end() && it->start < b; ++it) out.push_back(*it);
  return out;
}

Duration Grid::tiling_period() const {
  if (slots_.empty()) return Duration{0};
  auto weeks = (end() - begin()) / kWeek;
  return kWeek * std::max<long long>(weeks, 1);
}

Grid Grid::tiled_to_cover(TimePoint from, TimePoint to) const {
  if (slots_.empty() || (from >= begin() && to <= end())) return *this;
  const Duration period = tiling_period();
  // Copy k (k != 0) is the data shifted by k periods; it only fills time outside the
  // data: copy k >= 1 covers [end + (k-1) period, end + k period), copy k <= -1 covers
  // [begin + k period, begin + (k+1) period). The real data is never overwritten: a
  // year-long grid repeated by 52 weeks keeps its own 31 December.
  auto floor_div = [](std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
  };
  const std::int64_t p = period.count();
  const std::int64_t before = from < begin() ? floor_div(secs(from) - secs(begin()), p) : 0;
  const std::int64_t after = to > end() ? floor_div(secs(to) - secs(end()) - 1, p) + 1 : 0;
  std::vector<Slot> out;
  out.reserve(slots_.size() * static_cast<std::size_t>(after - before + 1));
  auto copy = [&](std::int64_t k, TimePoint lo, TimePoint hi) {
    const Duration shift{k * p};
    for (Slot s : slots_) {
      s.start += shift;
      s.end += shift;
      if (s.end <= lo || s.start >= hi) continue;
      s.start = std::max(s.start, lo);
      s.end = std::min(s.end, hi);
      out.push_back(s);
    }
  };
  for (std::int64_t k = before; k < 0; ++k)
    copy(k, begin() + Duration{k * p}, begin() + Duration{(k + 1) * p});
  out.insert(out.end(), slots_.begin(), slots_.end());
  for (std::int64_t k = 1; k <= after; ++k)
    copy(k, end() + Duration{(k - 1) * p}, end() + Duration{k * p});
  return Grid(std::move(out), has_prices_,
              source_ + " (repeated by " + format_duration(period) + " outside its data)");
}

std::string Grid::repeat_note(TimePoint from, TimePoint to) const {
  if (slots_.empty() || to <= from) return "";
  const Duration before = from < begin() ? std::min(begin(), to) - from : Duration{0};
  const Duration after = to > end() ? to - std::max(end(), from) : Duration{0};
  if (before == Duration{0} && after == Duration{0}) return "";
  const long long weeks = tiling_period() / kWeek;
  auto days = [](Duration d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(d.count()) / 86400.0);
    return std::string(buf);
  };
  std::string note = "grid repeated by " + std::to_string(weeks) +
                     (weeks == 1 ? " week" : " weeks") + " outside its data (" +
                     format_utc(begin()) + " to " + format_utc(end()) + "): ";
  if (after > Duration{0}) note += days(after) + " days after its end";
  if (before > Duration{0} && after > Duration{0}) note += " and ";
  if (before > Duration{0}) note += days(before) + " days before its start";
  note += " scored on the copies";
  return note;
}

// ---------------------------------------------------------------------------------------

namespace {

bool is_nan_text(std::string_view s) {
  std::string l = lower(trim(s));
  return l.empty() || l == "nan" || l == "na" || l == "null" || l == "-";
}

// One data row of a wide CSV: checks its width and reads its time, which must come
// after the previous row's (updated here).
TimePoint row_time(const LineReader& lines, const std::vector<std::string_view>& fields,
                   std::size_t width, std::optional<TimePoint>& previous) {
  if (fields.size() != width)
    throw lines.error("expected " + std::to_string(width) + " fields, found " +
                      std::to_string(fields.size()));
  TimePoint t;
  try {
    t = parse_iso8601(trim(fields[0]));
  } catch (const InputError& e) {
    throw lines.error(std::string("bad time: ") + e.what());
  }
  if (previous && t <= *previous)
    throw lines.error("time " + format_utc(t) + " is not after the previous row's " +
                      format_utc(*previous));
  previous = t;
  return t;
}

}  // namespace

std::vector<std::string> wide_csv_columns(const std::string& path) {
  std::string text = read_text_file(path);
  LineReader lines(text, path);
  std::string_view line;
  while (lines.next(line)) {
    if (trim(line).empty() || trim(line).front() == '#') continue;
    auto fields = split(line, ',');
    std::vector<std::string> out;
    for (std::size_t i = 1; i < fields.size(); ++i) out.emplace_back(trim(fields[i]));
    return out;
  }
  throw InputError(path + ": no header line");
}

PointSeries read_wide_csv(const std::string& path, const GridReadOptions& options) {
  std::string text = read_text_file(path);
  LineReader lines(text, path);
  std::string_view line;
  std::size_t column = 0, width = 0;
  std::vector<std::string> names;
  while (lines.next(line)) {
    if (trim(line).empty() || trim(line).front() == '#') continue;
    auto fields = split(line, ',');
    width = fields.size();
    if (width < 2)
      throw lines.error("the header needs a time column and at least one value column");
    for (std::size_t i = 1; i < width; ++i) names.emplace_back(trim(fields[i]));
    break;
  }
  if (names.empty()) throw InputError(path + ": no header line");
  if (options.column.empty()) {
    if (names.size() != 1)
      throw InputError(path + ": has " + std::to_string(names.size()) +
                       " value columns; choose one (--zone)");
    column = 1;
  } else {
    std::string want = lower(options.column);
    for (std::size_t i = 0; i < names.size(); ++i)
      if (lower(names[i]) == want) column = i + 1;
    if (column == 0) {
      std::string list;
      for (std::size_t i = 0; i < names.size() && i < 40; ++i) list += (i ? " " : "") + names[i];
      if (names.size() > 40) list += " ...";
      throw InputError(path + ": no column '" + options.column + "' (columns: " + list + ")");
    }
  }
  PointSeries out;
  out.source = path + " column " + names[column - 1];
  std::optional<TimePoint> previous;
  while (lines.next(line)) {
    if (trim(line).empty() || trim(line).front() == '#') continue;
    auto fields = split(line, ',');
    const TimePoint t = row_time(lines, fields, width, previous);
    if (options.from && t < *options.from) continue;
    if (options.to && t >= *options.to) continue;
    if (options.sample_step && (t.time_since_epoch() % *options.sample_step) != Duration{0})
      continue;
    std::string_view cell = fields[column];
    double v = std::numeric_limits<double>::quiet_NaN();
    if (!is_nan_text(cell)) {
      if (!parse_double(cell, v) || !std::isfinite(v))
        throw lines.error("column " + names[column - 1] + ": not a number: '" +
                          std::string(trim(cell)) + "'");
      if (v < 0 && !options.allow_negative)
        throw lines.error("column " + names[column - 1] + ": negative carbon intensity " +
                          std::string(trim(cell)));
    }
    out.times.push_back(t);
    out.values.push_back(v);
  }
  if (out.times.empty())
    throw InputError(path + ": no data rows" + (options.from ? " in the chosen range" : ""));
  return out;
}

std::vector<PointSeries> read_wide_csv_all(const std::string& path) {
  std::string text = read_text_file(path);
  LineReader lines(text, path);
  std::string_view line;
  std::vector<PointSeries> out;
  std::size_t width = 0;
  while (lines.next(line)) {
    if (trim(line).empty() || trim(line).front() == '#') continue;
    auto fields = split(line, ',');
    width = fields.size();
    for (std::size_t i = 1; i < width; ++i) {
      out.emplace_back();
      out.back().source = path + " column " + std::string(trim(fields[i]));
    }
    break;
  }
  if (out.empty()) throw InputError(path + ": no header with value columns");
  std::optional<TimePoint> previous;
  while (lines.next(line)) {
    if (trim(line).empty() || trim(line).front() == '#') continue;
    auto fields = split(line, ',');
    const TimePoint t = row_time(lines, fields, width, previous);
    for (std::size_t i = 1; i < width; ++i) {
      double v = std::numeric_limits<double>::quiet_NaN();
      if (!is_nan_text(fields[i]) && (!parse_double(fields[i], v) || !std::isfinite(v)))
        throw lines.error("field " + std::to_string(i + 1) + ": not a number: '" +
                          std::string(trim(fields[i])) + "'");
      out[i - 1].times.push_back(t);
      out[i - 1].values.push_back(v);
    }
  }
  return out;
}

std::vector<Slot> points_to_slots(const PointSeries& p) {
  std::vector<Slot> slots;
  slots.reserve(p.times.size());
  const std::size_t n = p.times.size();
  Duration step{0};
  for (std::size_t i = 0; i < n; ++i) {
    if (i + 1 < n) {
      Duration to_next = p.times[i + 1] - p.times[i];
      Duration after = i + 2 < n ? p.times[i + 2] - p.times[i + 1] : Duration{0};
      // A longer distance than the step so far is a gap, unless the data goes on at the
      // longer step (a series that changes resolution).
      if (step == Duration{0} || to_next <= step || to_next == after) step = to_next;
    }
    if (step <= Duration{0}) step = hours(1);
    Duration len = i + 1 < n ? std::min(p.times[i + 1] - p.times[i], step) : step;
    if (std::isnan(p.values[i])) continue;
    Slot s;
    s.start = p.times[i];
    s.end = s.start + len;
    s.carbon = p.values[i];
    s.origin = Origin::actual;
    slots.push_back(s);
  }
  return slots;
}

void attach_prices(std::vector<Slot>& slots, const PointSeries& prices) {
  std::vector<Slot> price_slots = points_to_slots(prices);
  for (Slot& s : slots) {
    auto it = std::upper_bound(price_slots.begin(), price_slots.end(), s.start,
                               [](TimePoint v, const Slot& x) { return v < x.start; });
    s.price = kNoPrice;
    if (it == price_slots.begin()) continue;
    --it;
    if (s.start < it->end) s.price = it->carbon;  // points_to_slots keeps the value in .carbon
  }
}

Grid read_forecast_format(const std::string& path) {
  SignalSeries series = read_forecast_file(path);
  std::vector<Slot> slots = series.slots();
  bool any_price =
      std::any_of(slots.begin(), slots.end(), [](const Slot& s) { return s.has_price(); });
  for (Slot& s : slots) s.origin = Origin::actual;
  return Grid(std::move(slots), any_price, path);
}

}  // namespace ebb::replay
