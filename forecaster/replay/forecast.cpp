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
  throw InputError("unknown forecast '" + text +
                   "' (expected perfect, noisy, yesterday or weekly-median)");
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
  }
  return "?";
}

Forecaster::Forecaster(const Grid& actual, ForecastOptions options)
    : actual_(actual), options_(options) {
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
          // ebbd's extension rule (daemon/history.hpp): the median of the same hour of
          // the week over the last `weeks` weeks already seen; with fewer than two such
          // weeks, the median of the same hour of the day over the days already seen.
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
      }
      break;
    }
  }
  return SignalSeries(std::move(slots), "forecast");
}

}  // namespace ebb::replay
