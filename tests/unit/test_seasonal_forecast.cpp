// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd's own forecaster (ebb/seasonal_forecast.hpp): walk-forward, and better than the
// daily profile where the week matters.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "ebb/ridge_fit.hpp"
#include "ebb/seasonal_forecast.hpp"

using namespace ebb;

namespace {

constexpr std::int64_t kStart = 465000;  // an hour since the epoch (a Thursday, 00 UTC)

// `days` days: a daily wave, lower at weekends, and noise.
HourlySeries synthetic(int days, unsigned seed = 1) {
  HourlySeries s;
  s.first_hour = kStart;
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, 5);
  for (int h = 0; h < days * 24; ++h) {
    const int weekday = static_cast<int>(((kStart + h) / 24 + 4) % 7);  // 0 = Monday
    double v = 300 + 100 * std::sin(2 * M_PI * (h % 24) / 24.0) - (weekday >= 5 ? 120 : 0);
    s.values.push_back(v + noise(rng));
  }
  return s;
}

}  // namespace

TEST_CASE("The seasonal forecaster never reads data at or after its issue time", "[seasonal]") {
  const HourlySeries full = synthetic(60);
  const SeasonalForecaster f;
  for (std::int64_t issue : {kStart + 40 * 24, kStart + 40 * 24 + 7, kStart + 50 * 24 + 13}) {
    HourlySeries truncated = full;
    truncated.values.resize(static_cast<std::size_t>(issue - kStart));
    HourlySeries poisoned = full;
    for (std::int64_t h = issue; h < poisoned.end_hour(); ++h)
      poisoned.values[static_cast<std::size_t>(h - kStart)] = 4000 + static_cast<double>(h % 7);
    const auto a = f.forecast(truncated, issue, 48);
    const auto b = f.forecast(poisoned, issue, 48);
    const auto c = f.forecast(full, issue, 48);
    REQUIRE(a.size() == 48);
    for (std::size_t i = 0; i < a.size(); ++i) {
      INFO("issue " << issue << " lead " << i);
      CHECK(std::isfinite(a[i]));
      CHECK(a[i] == b[i]);
      CHECK(a[i] == c[i]);
    }
    // The fitted weights too, lead by lead.
    const auto ma = f.fit(truncated, issue), mb = f.fit(poisoned, issue);
    REQUIRE(ma.weights.size() == 48);
    CHECK(ma.weights == mb.weights);
  }
}

TEST_CASE("The seasonal forecaster learns the week the daily profile misses", "[seasonal]") {
  const HourlySeries s = synthetic(63, 7);
  const SeasonalForecaster f;
  double err_model = 0, err_profile = 0;
  int n = 0;
  for (std::int64_t issue = kStart + 35 * 24; issue + 48 <= s.end_hour(); issue += 24) {
    const auto fc = f.forecast(s, issue, 48);
    const SeasonalForecaster::Model none;  // no fit: the 7-day profile alone
    const auto prof = f.apply(none, s, issue, 48);
    for (int l = 0; l < 48; ++l) {
      const double y = s.at(issue + l);
      err_model += std::abs(fc[static_cast<std::size_t>(l)] - y);
      err_profile += std::abs(prof[static_cast<std::size_t>(l)] - y);
      ++n;
    }
  }
  INFO("MAE model " << err_model / n << ", profile " << err_profile / n);
  CHECK(err_model / n < 10);
  CHECK(err_model < 0.5 * err_profile);
}

TEST_CASE("With little history the forecaster falls back, and says nothing without any",
          "[seasonal]") {
  HourlySeries s = synthetic(2);
  const SeasonalForecaster f;
  const std::int64_t issue = s.end_hour();
  CHECK(f.fit(s, issue).weights.empty());
  const auto fc = f.forecast(s, issue, 24);
  // Two days seen: the mean of the same hour on both.
  CHECK(fc[5] == Approx((s.at(issue + 5 - 24) + s.at(issue + 5 - 48)) / 2));
  HourlySeries empty;
  empty.first_hour = issue;
  CHECK(std::isnan(f.forecast(empty, issue, 3)[0]));
}

TEST_CASE("Ridge least squares: exact fits, the pull to the prior, unseen features", "[seasonal]") {
  RidgeFit fit(4);
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(0, 100);
  for (int i = 0; i < 200; ++i) {
    const double a = u(rng), b = u(rng);
    fit.add(std::vector<double>{1, a, b, 0}, 7 + 2 * a - 0.5 * b);  // feature 3 is never seen
  }
  const auto w = fit.solve(1e-9, std::vector<double>{0, 0, 0, 0});
  REQUIRE(w);
  CHECK((*w)[0] == Approx(7).margin(1e-3));
  CHECK((*w)[1] == Approx(2).margin(1e-6));
  CHECK((*w)[2] == Approx(-0.5).margin(1e-6));
  CHECK((*w)[3] == 0);
  // A ridge far larger than the data: the weights are the prior's.
  const auto p = fit.solve(1e9, std::vector<double>{0, 1, 1, 0});
  REQUIRE(p);
  CHECK((*p)[1] == Approx(1).margin(1e-3));
  CHECK((*p)[2] == Approx(1).margin(1e-3));
  CHECK_FALSE(RidgeFit(3).solve(0.1, std::vector<double>{0, 0, 0}));
}
