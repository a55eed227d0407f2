// SPDX-License-Identifier: GPL-2.0-or-later
#include "forecast.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "ebb/error.hpp"
#include "io.hpp"

namespace ebb::replay {

ForecastKind parse_forecast_kind(const std::string& text) {
  std::string t = lower(text);
  if (t == "perfect") return ForecastKind::perfect;
  if (t == "noisy") return ForecastKind::noisy;
  if (t == "yesterday") return ForecastKind::yesterday;
  if (t == "weekly-median" || t == "weekly_median") return ForecastKind::weekly_median;
  if (t == "ebbd") return ForecastKind::ebbd;
  if (t == "archive") throw InputError("--forecast archive needs a file: archive:FILE");
  throw InputError("unknown forecast '" + text +
                   "' (expected perfect, noisy, yesterday, weekly-median, ebbd or archive:FILE)");
}

ForecastOptions parse_forecast_option(const std::string& text) {
  ForecastOptions o;
  if (lower(text).rfind("archive:", 0) == 0) {
    o.kind = ForecastKind::archive;
    o.archive = std::make_shared<const ForecastArchive>(ForecastArchive::read(text.substr(8)));
    return o;
  }
  o.kind = parse_forecast_kind(text);
  return o;
}

std::string to_string(ForecastKind k) {
  switch (k) {
    case ForecastKind::perfect:
      return "perfect";
    case ForecastKind::noisy:
      return "noisy";
    case ForecastKind::yesterday:
      return "yesterday";
    case ForecastKind::weekly_median:
      return "weekly-median";
    case ForecastKind::archive:
      return "archive";
    case ForecastKind::ebbd:
      return "ebbd";
  }
  return "?";
}

Forecaster::Forecaster(const Grid& actual, ForecastOptions options)
    : actual_(actual), options_(options), seasonal_price_(SeasonalSettings{.nonnegative = false}) {
  if ((options_.kind == ForecastKind::ebbd || options_.kind == ForecastKind::archive) &&
      !actual_.empty()) {
    const std::int64_t lo = hour_index(actual_.begin()),
                       hi = hour_index(actual_.end() - seconds(1)) + 1;
    hourly_carbon_ = hourly_means(actual_.slots(), lo, hi, false);
    if (actual_.has_prices()) hourly_price_ = hourly_means(actual_.slots(), lo, hi, true);
  }
  const bool correct = options_.kind == ForecastKind::archive && options_.archive_correction &&
                       options_.archive && !actual_.empty();
  if (options_.kind == ForecastKind::ebbd || correct) {
    // Refitted every midnight on the hours before it, as a daily refit in ebbd would.
    for (std::int64_t day = hourly_carbon_.first_hour - hourly_carbon_.first_hour % 24;
         day < hourly_carbon_.end_hour(); day += 24) {
      daily_models_.push_back(seasonal_.fit(hourly_carbon_, day));
      if (options_.kind == ForecastKind::ebbd && actual_.has_prices())
        daily_price_models_.push_back(seasonal_price_.fit(hourly_price_, day));
    }
  }
  if (correct) {
    // ebbd's own forecast as ebbd would make it at each hour (the day's model, fed the
    // hours before): one of the correction's inputs.
    const std::int64_t first_day = hourly_carbon_.first_hour - hourly_carbon_.first_hour % 24;
    correction_ = std::make_shared<const ArchiveCorrection>(
        *options_.archive, actual_, [&](std::int64_t issue_hour, int leads) {
          const auto day = static_cast<std::size_t>(
              std::clamp<std::int64_t>((issue_hour - first_day) / 24, 0,
                                       static_cast<std::int64_t>(daily_models_.size()) - 1));
          return seasonal_.apply(daily_models_[day], hourly_carbon_, issue_hour, leads);
        });
  }
  if (options_.kind == ForecastKind::noisy) {
    noisy_ = actual_.slots();
    double sum = 0, weight = 0;
    for (const Slot& s : noisy_) {
      double len = static_cast<double>(s.length().count());
      sum += s.carbon * len;
      weight += len;
    }
    const double mean = weight > 0 ? sum / weight : 0;
    std::mt19937_64 rng(options_.seed);
    std::normal_distribution<double> noise(0.0, options_.noise_fraction * mean);
    // A forecast cannot go below zero; the planner's input checks reject it.
    for (Slot& s : noisy_) {
      s.carbon = std::clamp(s.carbon + noise(rng), 0.0, 5000.0);
      s.origin = Origin::forecast;
    }
  }
}

double Forecaster::past_value(TimePoint now, TimePoint x, Duration period, bool price) const {
  // The latest t = x - k * period that is already in the past at `now` (k >= 1).
  auto ahead = x - now;
  long long k = std::max<long long>(1, (ahead.count() + period.count() - 1) / period.count());
  TimePoint t = x - period * k;
  if (t < actual_.begin()) t = std::max(actual_.begin(), now - seconds(1));  // before the data
  return price ? actual_.price_at(t) : actual_.carbon_at(t);
}

void Forecaster::seasonal(const HourlySeries& carbon, const HourlySeries* price, TimePoint issue,
                          std::vector<Slot>& slots) const {
  if (slots.empty()) return;
  const std::int64_t h0 = hour_index(issue);
  const int leads =
      static_cast<int>(std::max<std::int64_t>(0, hour_index(slots.back().start) - h0)) + 1;
  std::vector<double> c, p;
  if (options_.kind == ForecastKind::ebbd) {
    // The model of the latest midnight at or before the issue hour.
    const auto day = static_cast<std::size_t>(std::clamp<std::int64_t>(
        (h0 - (hourly_carbon_.first_hour - hourly_carbon_.first_hour % 24)) / 24, 0,
        static_cast<std::int64_t>(daily_models_.size()) - 1));
    c = seasonal_.apply(daily_models_[day], carbon, h0, leads);
    if (price && day < daily_price_models_.size())
      p = seasonal_price_.apply(daily_price_models_[day], *price, h0, leads);
  } else {
    c = seasonal_.forecast(carbon, h0, leads);
    if (price) p = seasonal_price_.forecast(*price, h0, leads);
  }
  const double last_seen = actual_.carbon_at(issue - seconds(1));
  for (Slot& s : slots) {
    const auto i = static_cast<std::size_t>(std::max<std::int64_t>(0, hour_index(s.start) - h0));
    // Nothing known at all (the very start of the data): the latest value seen.
    s.carbon = std::isnan(c[i]) ? last_seen : std::min(c[i], 5000.0);
    if (s.has_price() && i < p.size() && !std::isnan(p[i])) s.price = p[i];
  }
}

void Forecaster::weekly_median(TimePoint now, Slot& s) const {
  // ebbd's extension rule (daemon/history.hpp): the median of the same hour of the week
  // over the last `weeks` weeks already seen; with fewer than two such weeks, the median
  // of the same hour of the day over the days already seen.
  const Duration week = hours(24 * 7);
  std::vector<double> c, p;
  for (int w = 1; w <= std::max(1, options_.weeks); ++w) {
    TimePoint x = s.start - week * w;
    if (x >= now || x < actual_.begin()) continue;  // not seen, or before the data
    c.push_back(actual_.carbon_at(x));
    p.push_back(actual_.price_at(x));
  }
  if (c.size() < 2) {
    c.clear();
    p.clear();
    for (int d = 1; d <= std::max(1, options_.weeks) * 7; ++d) {
      TimePoint x = s.start - hours(24) * d;
      if (x >= now || x < actual_.begin()) continue;
      c.push_back(actual_.carbon_at(x));
      p.push_back(actual_.price_at(x));
    }
  }
  if (c.empty()) {  // nothing that far back: the last value seen
    c.push_back(actual_.carbon_at(now - seconds(1)));
    p.push_back(actual_.price_at(now - seconds(1)));
  }
  auto median = [](std::vector<double>& v) {
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  };
  s.carbon = median(c);
  if (s.has_price()) s.price = median(p);
}

SignalSeries Forecaster::view(TimePoint now, TimePoint from, TimePoint to) const {
  std::vector<Slot> slots;
  switch (options_.kind) {
    case ForecastKind::perfect:
      slots = actual_.slots_between(from, to);
      break;
    case ForecastKind::noisy: {
      auto it = std::upper_bound(noisy_.begin(), noisy_.end(), from,
                                 [](TimePoint v, const Slot& s) { return v < s.end; });
      for (; it != noisy_.end() && it->start < to; ++it) slots.push_back(*it);
      break;
    }
    case ForecastKind::yesterday:
    case ForecastKind::weekly_median: {
      slots = actual_.slots_between(from, to);
      const bool daily = options_.kind == ForecastKind::yesterday;
      for (Slot& s : slots) {
        if (s.start < now) continue;  // already seen: the actual value
        s.origin = Origin::forecast;
        if (daily) {
          s.carbon = past_value(now, s.start, hours(24), false);
          if (s.has_price()) s.price = past_value(now, s.start, hours(24), true);
        } else {
          weekly_median(now, s);
        }
      }
      break;
    }
    case ForecastKind::ebbd: {
      slots = actual_.slots_between(from, to);
      std::vector<Slot> ahead;
      for (const Slot& s : slots)
        if (s.end > now) ahead.push_back(s);
      slots.erase(
          std::remove_if(slots.begin(), slots.end(), [&](const Slot& s) { return s.end > now; }),
          slots.end());
      // The slot in progress is forecast too: its value is not known until it ends.
      for (Slot& s : ahead) s.origin = Origin::forecast;
      seasonal(hourly_carbon_, actual_.has_prices() ? &hourly_price_ : nullptr, now, ahead);
      slots.insert(slots.end(), ahead.begin(), ahead.end());
      break;
    }
    case ForecastKind::archive: {
      // The snapshot's values where it has them; after its horizon (or without any
      // snapshot yet) the actual series' slots, valued as ebbd would extend them.
      TimePoint covered = from;
      const ForecastArchive::Snapshot* snap =
          options_.archive ? options_.archive->latest_before(now) : nullptr;
      if (snap) {
        for (Slot s : snap->slots) {
          if (s.end <= covered || s.start >= to) continue;
          s.start = std::max(s.start, covered);
          s.end = std::min(s.end, to);
          covered = s.end;
          slots.push_back(s);
        }
        if (correction_) {
          // Only what is still ahead; the extension below then follows the corrected values.
          std::vector<Slot> ahead;
          for (const Slot& s : slots)
            if (s.end > now) ahead.push_back(s);
          correction_->apply(now, *snap, ahead);
          std::copy(ahead.begin(), ahead.end(),
                    slots.end() - static_cast<std::ptrdiff_t>(ahead.size()));
        }
      }
      std::vector<Slot> rest;
      for (Slot s : actual_.slots_between(covered, to)) {
        s.start = std::max(s.start, covered);
        s.origin = Origin::extension;
        s.price = kNoPrice;  // the archive has no prices; the actual ones are not known yet
        rest.push_back(s);
      }
      if (!rest.empty()) {
        // As ebbd extends a provider's forecast: its history holds the hours seen before
        // `now` and the provider's forecast after; the forecaster issues from its end.
        const std::int64_t now_h = hour_index(now), end_h = hour_index(covered);
        HourlySeries carbon = hourly_carbon_;
        HourlySeries lead_in = hourly_means(slots, now_h, end_h, false);
        std::int64_t keep = std::clamp(now_h, carbon.first_hour, carbon.end_hour());
        carbon.values.resize(static_cast<std::size_t>(keep - carbon.first_hour));
        for (std::int64_t h = keep; h < end_h; ++h) carbon.values.push_back(lead_in.at(h));
        seasonal(carbon, nullptr, hour_start(end_h), rest);
        slots.insert(slots.end(), rest.begin(), rest.end());
      }
      break;
    }
  }
  return SignalSeries(std::move(slots), "forecast");
}

}  // namespace ebb::replay
