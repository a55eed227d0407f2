// SPDX-License-Identifier: GPL-2.0-or-later
#include "history.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "ebb/error.hpp"
#include "ebb/seasonal_forecast.hpp"

namespace ebb::daemon {
namespace {

constexpr std::int64_t kHourSeconds = 3600;
constexpr std::int64_t kHoursPerWeek = 24 * 7;

std::int64_t hour_of(TimePoint t) {
  auto s = t.time_since_epoch().count();
  return (s >= 0 ? s : s - (kHourSeconds - 1)) / kHourSeconds;
}

TimePoint hour_start(std::int64_t hour) { return TimePoint{seconds{hour * kHourSeconds}}; }

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double parse_number(std::string_view text, const std::string& where) {
  if (text.empty()) return kNoPrice;
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
    throw InputError(where + ": not a number: '" + std::string(text) + "'");
  }
  return v;
}

}  // namespace

void History::record(const SignalSeries& series) {
  if (series.empty()) return;
  for (std::int64_t h = hour_of(series.begin()); hour_start(h) < series.end(); ++h) {
    TimePoint from = hour_start(h), to = hour_start(h + 1);
    double covered = 0, carbon = 0, priced = 0, price = 0;
    for (const Slot& s : series.slots()) {
      if (s.end <= from) continue;
      if (s.start >= to) break;
      double w = static_cast<double>((std::min(s.end, to) - std::max(s.start, from)).count());
      covered += w;
      carbon += w * s.carbon;
      if (s.has_price()) {
        priced += w;
        price += w * s.price;
      }
    }
    if (covered < kHourSeconds / 2.0) continue;
    Hour entry;
    entry.carbon = carbon / covered;
    if (priced >= covered / 2) entry.price = price / priced;
    hours_[h] = entry;
  }
}

const History::Hour* History::at(TimePoint t) const {
  auto it = hours_.find(hour_of(t));
  return it == hours_.end() ? nullptr : &it->second;
}

void History::prune(TimePoint cutoff) {
  hours_.erase(hours_.begin(), hours_.lower_bound(hour_of(cutoff)));
}

std::vector<Slot> History::extend(TimePoint from, TimePoint until, int weeks,
                                  ExtensionModel model) const {
  std::vector<Slot> out;
  if (model == ExtensionModel::seasonal) {
    // The recorded hours before the extension's first hour (past actuals and the
    // provider's forecast up to its horizon), one forecast issued from there.
    const std::int64_t issue = hour_of(from);
    if (hours_.empty() || hours_.begin()->first >= issue || until <= from) return out;
    const std::int64_t first = hours_.begin()->first;
    HourlySeries carbon, price;
    carbon.first_hour = price.first_hour = first;
    carbon.values.assign(static_cast<std::size_t>(issue - first), std::nan(""));
    price.values = carbon.values;
    bool priced = false;
    for (auto it = hours_.begin(); it != hours_.end() && it->first < issue; ++it) {
      carbon.values[static_cast<std::size_t>(it->first - first)] = it->second.carbon;
      price.values[static_cast<std::size_t>(it->first - first)] = it->second.price;
      priced = priced || !std::isnan(it->second.price);
    }
    const int leads = static_cast<int>(hour_of(until - seconds(1)) - issue + 1);
    const std::vector<double> c = SeasonalForecaster().forecast(carbon, issue, leads);
    std::vector<double> p;
    if (priced)
      p = SeasonalForecaster(SeasonalSettings{.nonnegative = false}).forecast(price, issue, leads);
    for (int l = 0; l < leads && !std::isnan(c[static_cast<std::size_t>(l)]); ++l) {
      Slot s;
      s.start = std::max(from, hour_start(issue + l));
      s.end = hour_start(issue + l + 1);
      s.carbon = std::min(c[static_cast<std::size_t>(l)], 5000.0);
      s.price = priced ? p[static_cast<std::size_t>(l)] : kNoPrice;
      s.origin = Origin::extension;
      out.push_back(s);
    }
    return out;
  }
  for (std::int64_t h = hour_of(from); hour_start(h) < until; ++h) {
    std::vector<double> carbon, price;
    for (int k = 1; k <= weeks; ++k) {
      auto it = hours_.find(h - k * kHoursPerWeek);
      if (it == hours_.end()) continue;
      carbon.push_back(it->second.carbon);
      if (!std::isnan(it->second.price)) price.push_back(it->second.price);
    }
    if (carbon.size() < 2) {  // too little history for the weekly pattern: use the daily one
      carbon.clear();
      price.clear();
      for (std::int64_t d = 1; d <= weeks * 7; ++d) {
        auto it = hours_.find(h - d * 24);
        if (it == hours_.end()) continue;
        carbon.push_back(it->second.carbon);
        if (!std::isnan(it->second.price)) price.push_back(it->second.price);
      }
    }
    if (carbon.empty()) break;
    Slot s;
    s.start = std::max(from, hour_start(h));
    s.end = hour_start(h + 1);
    s.carbon = median(carbon);
    s.price = price.empty() ? kNoPrice : median(price);
    s.origin = Origin::extension;
    out.push_back(s);
  }
  return out;
}

std::string History::to_text() const {
  std::string out = "# ebbd history: UTC hour, mean carbon intensity (g/kWh), mean price\n";
  char buf[64];
  for (const auto& [h, entry] : hours_) {
    out += format_utc(hour_start(h));
    if (std::isnan(entry.price))
      std::snprintf(buf, sizeof buf, ",%.17g,\n", entry.carbon);
    else
      std::snprintf(buf, sizeof buf, ",%.17g,%.17g\n", entry.carbon, entry.price);
    out += buf;
  }
  return out;
}

History History::parse(std::string_view text, const std::string& source) {
  History h;
  std::size_t line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    std::string where = source + " line " + std::to_string(line_no);
    auto c1 = line.find(',');
    auto c2 = c1 == std::string_view::npos ? c1 : line.find(',', c1 + 1);
    if (c2 == std::string_view::npos) throw InputError(where + ": expected time,carbon,price");
    Hour entry;
    TimePoint t = parse_iso8601(line.substr(0, c1));
    entry.carbon = parse_number(line.substr(c1 + 1, c2 - c1 - 1), where);
    if (std::isnan(entry.carbon) || entry.carbon < 0)
      throw InputError(where + ": bad carbon value");
    entry.price = parse_number(line.substr(c2 + 1), where);
    h.hours_[hour_of(t)] = entry;
  }
  return h;
}

}  // namespace ebb::daemon
