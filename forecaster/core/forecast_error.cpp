// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/forecast_error.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "ebb/error.hpp"
#include "ebb/input.hpp"
#include "ebb/seasonal_forecast.hpp"

namespace ebb {
namespace {

constexpr std::int64_t kDaySeconds = 86400;

std::int64_t day_of(TimePoint t) {
  const auto s = t.time_since_epoch().count();
  return (s >= 0 ? s : s - (kDaySeconds - 1)) / kDaySeconds;
}

std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<std::size_t> idx(v.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
    for (std::size_t k = i; k <= j; ++k) r[idx[k]] = static_cast<double>(i + j) / 2.0;
    i = j + 1;
  }
  return r;
}

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const auto p = line.find(sep);
    out.push_back(line.substr(0, p));
    if (p == std::string_view::npos) return out;
    line.remove_prefix(p + 1);
  }
}

template <typename T>
T number(std::string_view text, const std::string& where, const char* what) {
  T v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    throw InputError(where + ": " + what + ": not a number: " + in_quotes(text));
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(v)) throw InputError(where + ": " + what + ": not finite");
  } else {
    if (v < 0) throw InputError(where + ": " + what + ": negative");
  }
  return v;
}

std::string g(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  const auto ra = ranks(a), rb = ranks(b);
  const double n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < ra.size(); ++i) ma += ra[i] / n, mb += rb[i] / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < ra.size(); ++i) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) * (ra[i] - ma);
    sbb += (rb[i] - mb) * (rb[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : std::nan("");
}

const char* to_string(ForecastPart p) {
  return p == ForecastPart::provider ? "provider" : "extension";
}

bool ForecastErrorTracker::record(TimePoint issued_at, const SignalSeries& served,
                                  bool provider_fresh) {
  if (!forecasts_.empty() && issued_at < forecasts_.back().issued_at + kMinInterval) return false;
  const std::int64_t first = hour_index(issued_at - seconds(1)) + 1;  // the next whole hour
  const std::int64_t end = hour_index(issued_at) + 1 + kBuckets * 6;
  const HourlySeries means = hourly_means(served.slots(), first, end, false);
  Forecast f;
  f.issued_at = issued_at;
  f.first_hour = first;
  // Which hours the extension made: a slot of Origin::extension anywhere in the hour.
  std::vector<bool> extension(means.values.size(), false);
  for (const Slot& s : served.slots()) {
    if (s.origin != Origin::extension) continue;
    for (std::int64_t h = std::max(first, hour_index(s.start)); h < end && hour_start(h) < s.end;
         ++h)
      extension[static_cast<std::size_t>(h - first)] = true;
  }
  std::size_t i = 0;
  for (; i < means.values.size() && !extension[i]; ++i)
    f.values.push_back(provider_fresh ? means.values[i] : std::nan(""));
  f.provider_hours = i;
  for (; i < means.values.size(); ++i) f.values.push_back(means.values[i]);
  while (!f.values.empty() && std::isnan(f.values.back())) f.values.pop_back();
  if (f.provider_hours > f.values.size()) f.provider_hours = f.values.size();
  if (f.values.empty()) return false;
  forecasts_.push_back(std::move(f));
  ++recorded_;
  if (forecasts_.size() > kMaxForecasts) forecasts_.erase(forecasts_.begin());
  return true;
}

int ForecastErrorTracker::bucket_of(const Forecast& f, std::size_t i) const {
  const auto lead = hour_start(f.first_hour + static_cast<std::int64_t>(i)) - f.issued_at;
  return static_cast<int>(lead / kBucket);
}

void ForecastErrorTracker::score_bucket(
    const Forecast& f, int bucket, const std::function<std::optional<double>(TimePoint)>& actual) {
  std::vector<double> fc[2], ac[2];
  for (std::size_t i = 0; i < f.values.size(); ++i) {
    const int b = bucket_of(f, i);
    if (b < bucket) continue;
    if (b > bucket) break;
    if (std::isnan(f.values[i])) continue;
    const auto a = actual(hour_start(f.first_hour + static_cast<std::int64_t>(i)));
    if (!a || !std::isfinite(*a)) continue;
    const int part = i < f.provider_hours ? 0 : 1;
    fc[part].push_back(f.values[i]);
    ac[part].push_back(*a);
  }
  for (int part = 0; part < 2; ++part) {
    if (fc[part].empty()) continue;
    Acc& acc = acc_[{day_of(f.issued_at), part, bucket}];
    for (std::size_t k = 0; k < fc[part].size(); ++k) {
      const double err = std::abs(fc[part][k] - ac[part][k]);
      ++acc.hours;
      acc.abs_sum += err;
      if (ac[part][k] > 0) {
        ++acc.pct_hours;
        acc.pct_sum += 100.0 * err / ac[part][k];
      }
    }
    if (fc[part].size() >= 3) {
      const double rho = spearman(fc[part], ac[part]);
      if (!std::isnan(rho)) {
        ++acc.ranked;
        acc.rank_sum += rho;
      }
    }
  }
}

void ForecastErrorTracker::score(TimePoint now,
                                 const std::function<std::optional<double>(TimePoint)>& actual) {
  const TimePoint settled = now - kSettle;
  for (Forecast& f : forecasts_) {
    while (true) {
      // The bucket's last hour: the last index still in it.
      std::size_t last = f.values.size();
      for (std::size_t i = 0; i < f.values.size(); ++i) {
        const int b = bucket_of(f, i);
        if (b == f.scored_buckets) last = i;
        if (b > f.scored_buckets) break;
      }
      if (last == f.values.size()) {  // no hours in it: nothing more to score
        f.scored_buckets = kBuckets + 1;
        break;
      }
      if (hour_start(f.first_hour + static_cast<std::int64_t>(last) + 1) > settled) break;
      score_bucket(f, f.scored_buckets, actual);
      ++f.scored_buckets;
    }
  }
  std::erase_if(forecasts_, [](const Forecast& f) { return f.scored_buckets > kBuckets; });
  const std::int64_t oldest = day_of(now) - kWindowDays;
  std::erase_if(acc_, [&](const auto& kv) { return std::get<0>(kv.first) < oldest; });
}

ErrorSummary ForecastErrorTracker::summary() const {
  std::map<std::pair<int, int>, Acc> sum;  // (part, bucket)
  for (const auto& [key, a] : acc_) {
    Acc& s = sum[{std::get<1>(key), std::get<2>(key)}];
    s.hours += a.hours;
    s.abs_sum += a.abs_sum;
    s.pct_hours += a.pct_hours;
    s.pct_sum += a.pct_sum;
    s.ranked += a.ranked;
    s.rank_sum += a.rank_sum;
  }
  ErrorSummary out;
  for (const auto& [key, s] : sum) {
    if (s.hours == 0) continue;
    LeadError e;
    e.bucket = key.second;
    e.hours = s.hours;
    e.mae = s.abs_sum / static_cast<double>(s.hours);
    e.mape = s.pct_hours ? s.pct_sum / static_cast<double>(s.pct_hours) : std::nan("");
    e.forecasts = s.ranked;
    e.spearman = s.ranked ? s.rank_sum / static_cast<double>(s.ranked) : std::nan("");
    (key.first == 0 ? out.provider : out.extension).push_back(e);
  }
  out.recorded = recorded_;
  out.pending = static_cast<long long>(forecasts_.size());
  out.rejected = rejected_;
  return out;
}

std::vector<double> ForecastErrorTracker::mae_by_lead() const {
  std::vector<double> abs(kBuckets, 0), n(kBuckets, 0);
  bool any = false;
  for (const auto& [key, a] : acc_) {
    const auto b = static_cast<std::size_t>(std::get<2>(key));
    if (b >= abs.size()) continue;
    abs[b] += a.abs_sum;
    n[b] += static_cast<double>(a.hours);
    any = any || a.hours > 0;
  }
  if (!any) return {};
  std::vector<double> out(kBuckets);
  for (std::size_t b = 0; b < out.size(); ++b) out[b] = n[b] > 0 ? abs[b] / n[b] : std::nan("");
  return out;
}

std::string ForecastErrorTracker::to_text() const {
  std::string out =
      "# ebb forecast error v1: counts,recorded,rejected; forecast,issued,first hour,provider "
      "hours,scored buckets,values; acc,issue day,part,bucket,hours,abs sum,pct hours,pct "
      "sum,ranked,rank sum\n";
  out += "counts," + std::to_string(recorded_) + "," + std::to_string(rejected_) + "\n";
  for (const Forecast& f : forecasts_) {
    out += "forecast," + format_utc(f.issued_at) + "," + format_utc(hour_start(f.first_hour)) +
           "," + std::to_string(f.provider_hours) + "," + std::to_string(f.scored_buckets) + ",";
    for (std::size_t i = 0; i < f.values.size(); ++i) {
      if (i) out += ' ';
      if (!std::isnan(f.values[i]))
        out += g(f.values[i]);
      else
        out += '-';
    }
    out += '\n';
  }
  for (const auto& [key, a] : acc_) {
    out += "acc," + format_utc(TimePoint{seconds{std::get<0>(key) * kDaySeconds}}) + "," +
           to_string(static_cast<ForecastPart>(std::get<1>(key))) + "," +
           std::to_string(std::get<2>(key)) + "," + std::to_string(a.hours) + "," + g(a.abs_sum) +
           "," + std::to_string(a.pct_hours) + "," + g(a.pct_sum) + "," + std::to_string(a.ranked) +
           "," + g(a.rank_sum) + "\n";
  }
  return out;
}

ForecastErrorTracker ForecastErrorTracker::parse(std::string_view text, const std::string& source) {
  ForecastErrorTracker t;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const std::string where = source + " line " + std::to_string(line_no);
    const auto f = split(line, ',');
    if (f[0] == "counts" && f.size() == 3) {
      t.recorded_ = number<long long>(f[1], where, "recorded");
      t.rejected_ = number<long long>(f[2], where, "rejected");
    } else if (f[0] == "forecast" && f.size() == 6) {
      Forecast fc;
      fc.issued_at = parse_iso8601(f[1]);
      fc.first_hour = hour_index(parse_iso8601(f[2]));
      fc.provider_hours = number<std::size_t>(f[3], where, "provider hours");
      fc.scored_buckets = number<int>(f[4], where, "scored buckets");
      for (std::string_view v : split(f[5], ' '))
        fc.values.push_back(v == "-" ? std::nan("") : number<double>(v, where, "value"));
      if (fc.values.size() > static_cast<std::size_t>(kBuckets * 6 + 1) ||
          fc.provider_hours > fc.values.size())
        throw InputError(where + ": the forecast's hours do not fit its lead buckets");
      t.forecasts_.push_back(std::move(fc));
    } else if (f[0] == "acc" && f.size() == 10) {
      int part = f[2] == "provider" ? 0 : f[2] == "extension" ? 1 : -1;
      if (part < 0)
        throw InputError(where + ": part " + in_quotes(f[2]) + ": expected provider or extension");
      const int bucket = number<int>(f[3], where, "bucket");
      if (bucket >= kBuckets)
        throw InputError(where + ": bucket " + std::to_string(bucket) + " out of range");
      Acc& a = t.acc_[{day_of(parse_iso8601(f[1])), part, bucket}];
      a.hours = number<long long>(f[4], where, "hours");
      a.abs_sum = number<double>(f[5], where, "abs sum");
      a.pct_hours = number<long long>(f[6], where, "pct hours");
      a.pct_sum = number<double>(f[7], where, "pct sum");
      a.ranked = number<long long>(f[8], where, "ranked");
      a.rank_sum = number<double>(f[9], where, "rank sum");
    } else {
      throw InputError(where + ": expected a counts, forecast or acc line, not " + in_quotes(line));
    }
  }
  return t;
}

}  // namespace ebb
