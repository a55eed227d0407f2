// SPDX-License-Identifier: GPL-2.0-or-later
// The forecast error tracker (ebb/forecast_error.hpp) against hand-computed cases, its
// walk-forward property, its file form; and error-aware plans (Policy::error_weight)
// against a brute-force minute-by-minute optimum of the same objective.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "ebb/error.hpp"
#include "ebb/forecast_error.hpp"
#include "ebb/planner.hpp"

using namespace ebb;
using std::chrono::minutes;

namespace {

const TimePoint kT0 = parse_iso8601("2026-03-02T00:00:00Z");

double actual_of(TimePoint h) { return 100 + 10 * static_cast<double>((h - kT0) / hours(1) % 7); }

// Hourly slots from `from` for `n` hours; the last `extension` of them Origin::extension.
SignalSeries hourly(TimePoint from, int n, int extension, double (*value)(TimePoint)) {
  std::vector<Slot> slots;
  for (int i = 0; i < n; ++i) {
    Slot s;
    s.start = from + hours(i);
    s.end = s.start + hours(1);
    s.carbon = value(s.start);
    if (i >= n - extension) s.origin = Origin::extension;
    slots.push_back(s);
  }
  return SignalSeries(std::move(slots), "test");
}

}  // namespace

TEST_CASE("the tracker scores each lead bucket, provider and extension apart", "[forecast-error]") {
  ForecastErrorTracker t;
  // Forecast = actual + 5 in 0-6 h, x 1.5 afterwards; the last 12 of 24 hours extension.
  auto fc = [](TimePoint h) { return h < kT0 + hours(6) ? actual_of(h) + 5 : actual_of(h) * 1.5; };
  REQUIRE(t.record(kT0, hourly(kT0, 24, 12, +fc), true));
  CHECK_FALSE(t.record(kT0 + minutes(30), hourly(kT0, 24, 0, +fc), true));  // within the hour
  // Walk-forward: scoring at `now` reads no hour that ended after now - kSettle.
  TimePoint now = kT0 + hours(13);
  auto actual = [&](TimePoint h) -> std::optional<double> {
    CHECK(h + hours(1) <= now - ForecastErrorTracker::kSettle);
    return actual_of(h);
  };
  t.score(now, actual);
  ErrorSummary s = t.summary();
  REQUIRE(s.provider.size() == 2);  // 0-6 h and 6-12 h settled; 12-18 h not yet
  CHECK(s.extension.empty());
  CHECK(s.provider[0].mae == Approx(5));
  CHECK(s.provider[0].hours == 6);
  CHECK(s.provider[0].spearman == Approx(1));
  double mae = 0, mape = 0;
  for (int h = 6; h < 12; ++h) {
    mae += 0.5 * actual_of(kT0 + hours(h)) / 6;
    mape += 50.0 / 6;
  }
  CHECK(s.provider[1].mae == Approx(mae));
  CHECK(s.provider[1].mape == Approx(mape));
  now = kT0 + hours(40);
  t.score(now, actual);
  s = t.summary();
  REQUIRE(s.extension.size() == 2);
  CHECK(s.extension[0].bucket == 2);
  CHECK(s.pending == 0);  // fully scored forecasts are dropped
  const std::vector<double> profile = t.mae_by_lead();
  REQUIRE(profile.size() == static_cast<std::size_t>(ForecastErrorTracker::kBuckets));
  CHECK(profile[0] == Approx(5));
  CHECK(std::isnan(profile[5]));

  // The file form keeps everything, and a bad line is named.
  const ForecastErrorTracker back = ForecastErrorTracker::parse(t.to_text(), "gb.error");
  CHECK(back.to_text() == t.to_text());
  CHECK_THROWS_WITH(ForecastErrorTracker::parse("counts,1,x\n", "gb.error"),
                    Catch::Contains("gb.error line 1") && Catch::Contains("rejected"));
}

TEST_CASE("a stale provider part is not recorded again; the extension is", "[forecast-error]") {
  ForecastErrorTracker t;
  REQUIRE(t.record(kT0,
                   hourly(
                       kT0, 10, 4, +[](TimePoint h) { return actual_of(h) + 20; }),
                   false));
  t.count_rejected();
  t.score(kT0 + hours(20), [](TimePoint h) -> std::optional<double> { return actual_of(h); });
  const ErrorSummary s = t.summary();
  CHECK(s.provider.empty());
  REQUIRE(s.extension.size() == 1);
  CHECK(s.extension[0].hours == 4);
  CHECK(s.extension[0].mae == Approx(20));
  CHECK(s.rejected == 1);
}

TEST_CASE("error-aware plans are exact for their objective and do not chase a far saving",
          "[forecast-error][planner]") {
  // 300 now, 250 at 30 h: worth 17 % on the forecast, but the forecast erred by 80 g/kWh
  // at 30 h and by 5 in the first 6 h.
  auto value = [](TimePoint h) {
    return h == kT0 + hours(30) ? 250.0 : h < kT0 + hours(6) ? 300.0 : 400.0;
  };
  const SignalSeries f = hourly(kT0, 48, 0, +value);
  PlanRequest r;
  r.now = kT0;
  r.deadline = kT0 + hours(48);
  r.time_limit = hours(1);
  r.power_watts = 1000;
  Policy p;
  p.objective = Objective::carbon;
  CHECK(plan(r, f, p).start == kT0 + hours(30));
  r.error_by_lead = {5, 10, 20, 40, 60, 80};
  p.error_weight = 1;
  const Decision d = plan(r, f, p);
  CHECK_FALSE(d.defer);
  CHECK(d.chosen.mean_carbon == 300);  // the reported figures stay the forecast's
  CHECK(d.reason ==
        "now is already the best start before the deadline, counting the forecast's "
        "measured error");

  // Random cases against a minute-by-minute brute force of forecast + weight x MAE(lead).
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int> v(50, 500), e(0, 120), len(10, 300);
  for (int round = 0; round < 40; ++round) {
    std::vector<Slot> slots;
    for (int i = 0; i < 60; ++i) {
      Slot s;
      s.start = kT0 + hours(i);
      s.end = s.start + hours(1);
      s.carbon = v(rng);
      slots.push_back(s);
    }
    const SignalSeries series(std::move(slots), "random");
    PlanRequest q;
    q.now = kT0 + minutes(17);
    q.deadline = q.now + hours(40);
    q.time_limit = minutes(len(rng));
    q.power_watts = 1000;
    q.error_by_lead = {static_cast<double>(e(rng)), std::nan(""), static_cast<double>(e(rng)),
                       static_cast<double>(e(rng)), static_cast<double>(e(rng))};
    Policy pol;
    pol.objective = Objective::carbon;
    pol.min_saving_percent = 0;
    pol.error_weight = 0.5 + round % 3;
    // The margin per bucket: unmeasured buckets take the last measured one.
    auto margin = [&](TimePoint t) {
      std::size_t b = std::min<std::size_t>(static_cast<std::size_t>((t - q.now) / hours(6)),
                                            q.error_by_lead.size() - 1);
      while (std::isnan(q.error_by_lead[b])) --b;
      return pol.error_weight * q.error_by_lead[b];
    };
    auto cost = [&](TimePoint s) {
      double c = 0;
      for (TimePoint t = s; t < s + q.time_limit; t += minutes(1))
        c += series.at(t)->carbon + margin(t);
      return c;
    };
    TimePoint best = q.now;
    double best_cost = cost(q.now);
    for (TimePoint s = q.now + minutes(1); s + q.time_limit <= *q.deadline; s += minutes(1)) {
      const double c = cost(s);
      if (c < best_cost - 1e-6) best_cost = c, best = s;
    }
    const Decision got = plan(q, series, pol);
    INFO("round " << round);
    CHECK(cost(got.start) == Approx(best_cost));
    CHECK(got.start == best);
  }
}
