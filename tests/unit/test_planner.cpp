// SPDX-License-Identifier: GPL-2.0-or-later
// Planner properties on many random series, against a brute-force minute-by-minute
// optimum computed independently (direct overlap sums, no prefix sums, no kinks).
#include <catch2/catch.hpp>
#include <random>

#include "ebb/error.hpp"
#include "ebb/planner.hpp"

using namespace ebb;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

const TimePoint kBase = TimePoint{seconds{1'794'999'600}};  // 2026-11-18 16:00 UTC, a whole hour

struct RandomSeries {
  SignalSeries series;
};

// Random step-wise series: slot lengths from 5 min to 1 h (or odd seconds), optional
// gaps, integer intensities and prices so sums are exact in double.
SignalSeries random_series(std::mt19937_64& rng, TimePoint start, int n, bool gaps, bool odd) {
  std::uniform_int_distribution<int> len_pick(0, 4), gap_pick(0, 9), value(0, 600), price(-20, 300),
      odd_len(61, 5000);
  const int lengths[] = {5, 10, 15, 30, 60};
  std::vector<Slot> slots;
  TimePoint t = start;
  for (int i = 0; i < n; ++i) {
    if (gaps && gap_pick(rng) == 0) t += minutes(lengths[len_pick(rng)]);
    Slot s;
    s.start = t;
    s.end = t + (odd ? seconds(odd_len(rng)) : seconds(minutes(lengths[len_pick(rng)])));
    s.carbon = value(rng);
    s.price = price(rng);
    slots.push_back(s);
    t = s.end;
  }
  return SignalSeries(std::move(slots), "random");
}

// The brute force: every grid point, each window summed slot by slot.
struct Brute {
  TimePoint start;
  double cost;
};

Brute brute_force(const PlanRequest& req, const SignalSeries& fc, const Policy& pol,
                  const std::vector<Interval>& forbidden = {}) {
  TimePoint lo = std::max(req.now, req.earliest_start.value_or(req.now));
  Duration runtime = std::min(req.expected_runtime.value_or(req.time_limit), req.time_limit);
  TimePoint hi = lo;
  if (req.deadline) hi = *req.deadline - req.time_limit;
  if (req.max_delay) hi = req.deadline ? std::min(hi, lo + *req.max_delay) : lo + *req.max_delay;
  TimePoint last = std::chrono::floor<minutes>(hi) > lo ? std::chrono::floor<minutes>(hi) : lo;
  TimePoint range_end = last + runtime + seconds(1);
  bool prices = true;
  for (const Slot& s : fc.slots())
    if (s.end > lo && s.start < range_end && !s.has_price()) prices = false;
  Policy eff = pol;
  if (pol.objective == Objective::cost && !prices) eff.objective = Objective::carbon;
  double fill = -1e300;
  for (const Slot& s : fc.slots())
    if (s.end > lo && s.start < range_end) fill = std::max(fill, objective_rate(s, eff, prices));
  auto window = [&](TimePoint a) {
    TimePoint b = a + runtime;
    double total = 0, covered = 0;
    for (const Slot& s : fc.slots()) {
      TimePoint x = std::max(a, s.start), y = std::min(b, s.end);
      if (x < y) {
        double len = static_cast<double>((y - x).count());
        total += objective_rate(s, eff, prices) * len;
        covered += len;
      }
    }
    return total + fill * (static_cast<double>((b - a).count()) - covered);
  };
  auto allowed = [&](TimePoint s) {
    for (const Interval& f : forbidden)
      if (s >= f.from && s < f.to) return false;
    return true;
  };
  Brute best{lo, window(lo)};
  for (TimePoint s = std::chrono::floor<minutes>(lo) + minutes(1); s <= last; s += minutes(1)) {
    if (!allowed(s)) continue;
    double c = window(s);
    if (c < best.cost) best = {s, c};
  }
  return best;
}

}  // namespace

TEST_CASE("planner equals the brute-force minute optimum on random series", "[planner]") {
  std::mt19937_64 rng(20261127);
  int deferred = 0, checked = 0;
  for (int iter = 0; iter < 1500; ++iter) {
    bool gaps = iter % 3 == 0;
    bool odd = iter % 5 == 0;
    int n = 1 + static_cast<int>(rng() % 120);
    SignalSeries fc = random_series(rng, kBase, n, gaps, odd);
    PlanRequest req;
    req.now = kBase + seconds(static_cast<long>(rng() % 7200)) - seconds(1800);
    req.time_limit = minutes(1 + static_cast<long>(rng() % 600));
    if (rng() % 4 == 0) req.expected_runtime = req.time_limit / 2;
    req.deadline = req.now + req.time_limit + minutes(static_cast<long>(rng() % 3000));
    if (rng() % 5 == 0) req.max_delay = minutes(static_cast<long>(rng() % 1000));
    if (rng() % 7 == 0) req.earliest_start = req.now + minutes(static_cast<long>(rng() % 60));
    if (req.earliest_start && *req.earliest_start + req.time_limit > *req.deadline)
      req.deadline = *req.earliest_start + req.time_limit;
    req.power_watts = 1000;
    Policy pol;
    pol.objective = Objective::carbon;
    pol.min_saving_percent = 0;
    Decision d = plan(req, fc, pol);
    Brute b = brute_force(req, fc, pol);
    INFO("iteration " << iter << " slots " << n << " now " << format_utc(req.now));
    // Integer rates and whole seconds: both sums are exact, so equality is exact.
    REQUIRE(d.start == b.start);
    REQUIRE(d.defer == (b.start != std::max(req.now, req.earliest_start.value_or(req.now))));
    REQUIRE(d.start + req.time_limit <= *req.deadline);
    REQUIRE(d.start >= req.now);
    if (req.earliest_start) REQUIRE(d.start >= *req.earliest_start);
    if (req.max_delay)
      REQUIRE(d.start <= std::max(req.now, req.earliest_start.value_or(req.now)) + *req.max_delay);
    deferred += d.defer;
    ++checked;
  }
  // The random cases must exercise both outcomes, or the test proves little.
  CHECK(deferred > checked / 4);
  CHECK(deferred < checked);
}

TEST_CASE("with forbidden starts, the planner equals the brute force over the allowed ones",
          "[planner][capacity]") {
  std::mt19937_64 rng(20261202);
  int moved = 0;
  for (int iter = 0; iter < 1500; ++iter) {
    SignalSeries fc =
        random_series(rng, kBase, 1 + static_cast<int>(rng() % 100), iter % 3 == 0, iter % 5 == 0);
    PlanRequest req;
    req.now = kBase + seconds(static_cast<long>(rng() % 7200)) - seconds(1800);
    req.time_limit = minutes(1 + static_cast<long>(rng() % 400));
    if (rng() % 4 == 0) req.expected_runtime = req.time_limit / 3;
    req.deadline = req.now + req.time_limit + minutes(static_cast<long>(rng() % 3000));
    req.power_watts = 1000;
    Policy pol;
    pol.objective = Objective::carbon;
    pol.min_saving_percent = 0;
    // Sorted, disjoint forbidden stretches at odd seconds, some covering now.
    std::vector<Interval> forbidden;
    TimePoint t = req.now - seconds(static_cast<long>(rng() % 600));
    const int k = static_cast<int>(rng() % 8);
    for (int f = 0; f < k; ++f) {
      TimePoint a = t + seconds(static_cast<long>(rng() % 20000));
      TimePoint b = a + seconds(1 + static_cast<long>(rng() % 15000));
      forbidden.push_back({a, b});
      t = b + seconds(1 + static_cast<long>(rng() % 100));
    }
    Decision d = plan(req, fc, pol, forbidden);
    Decision alone = plan(req, fc, pol);
    Brute b = brute_force(req, fc, pol, forbidden);
    INFO("iteration " << iter << " now " << format_utc(req.now) << " forbidden " << k);
    REQUIRE(d.start == b.start);
    REQUIRE(d.start + req.time_limit <= *req.deadline);
    if (d.start != req.now)
      for (const Interval& f : forbidden) REQUIRE((d.start < f.from || d.start >= f.to));
    moved += d.start != alone.start;
  }
  CHECK(moved > 100);  // the forbidden stretches must matter in many cases
}

TEST_CASE("balanced and cost objectives match the brute force within rounding", "[planner]") {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 600; ++iter) {
    SignalSeries fc =
        random_series(rng, kBase, 1 + static_cast<int>(rng() % 80), iter % 2 == 0, false);
    PlanRequest req;
    req.now = kBase + seconds(static_cast<long>(rng() % 3600));
    req.time_limit = minutes(1 + static_cast<long>(rng() % 300));
    req.deadline = req.now + req.time_limit + minutes(static_cast<long>(rng() % 2000));
    req.power_watts = 350;
    Policy pol;
    pol.objective = iter % 3 == 0 ? Objective::cost : Objective::balanced;
    pol.carbon_price = static_cast<double>(rng() % 400);
    pol.min_saving_percent = 0;
    Decision d = plan(req, fc, pol);
    Brute b = brute_force(req, fc, pol);
    if (fc.end() <= req.now) {  // the forecast is all in the past
      REQUIRE_FALSE(d.defer);
      continue;
    }
    double scale = std::max(1.0, std::abs(b.cost));
    INFO("iteration " << iter);
    // The planner's choice costs the optimum (up to rounding of the two summations).
    REQUIRE(d.chosen.objective == Approx(b.cost).margin(1e-9 * scale));
    REQUIRE(d.start + req.time_limit <= *req.deadline);
  }
}

TEST_CASE("flat series never defers", "[planner]") {
  std::vector<Slot> slots;
  for (int i = 0; i < 96; ++i)
    slots.push_back({kBase + minutes(30 * i), kBase + minutes(30 * (i + 1)), 250, 80});
  SignalSeries fc(slots);
  PlanRequest req;
  req.now = kBase + seconds(17);
  req.time_limit = hours(2);
  req.deadline = req.now + hours(30);
  req.power_watts = 500;
  for (auto obj : {Objective::carbon, Objective::cost, Objective::balanced}) {
    Policy pol;
    pol.objective = obj;
    pol.min_saving_percent = 0;
    Decision d = plan(req, fc, pol);
    CHECK_FALSE(d.defer);
    CHECK(d.start == req.now);
    CHECK(d.baseline.mean_carbon == Approx(250));
  }
}

TEST_CASE("a window of zero width starts now", "[planner]") {
  std::vector<Slot> slots{{kBase, kBase + hours(1), 500}, {kBase + hours(1), kBase + hours(3), 10}};
  SignalSeries fc(slots);
  PlanRequest req;
  req.now = kBase;
  req.time_limit = hours(1);
  req.deadline = req.now + hours(1);
  Decision d = plan(req, fc, Policy{Objective::carbon, 0, 0});
  CHECK_FALSE(d.defer);
  CHECK(d.start == req.now);
  CHECK(d.reason.find("no room") != std::string::npos);
}

TEST_CASE("the deadline is hard and the expected runtime shapes the window", "[planner]") {
  // Clean hours 10-12; a 4 h limit with a 1 h expected runtime may start at 10:00
  // only if 10:00 + 4 h fits the deadline.
  std::vector<Slot> slots{{kBase, kBase + hours(10), 400},
                          {kBase + hours(10), kBase + hours(12), 50},
                          {kBase + hours(12), kBase + hours(24), 400}};
  SignalSeries fc(slots);
  PlanRequest req;
  req.now = kBase;
  req.time_limit = hours(4);
  req.expected_runtime = hours(1);
  req.power_watts = 1000;
  req.deadline = kBase + hours(14);
  Decision d = plan(req, fc, Policy{Objective::carbon, 0, 0});
  CHECK(d.defer);
  CHECK(d.start == kBase + hours(10));
  CHECK(d.energy_kwh == Approx(1.0));
  CHECK(d.chosen.mean_carbon == Approx(50));
  CHECK(d.baseline.mean_carbon == Approx(400));
  CHECK(d.saved_grams() == Approx(350));
  // Latest start 09:30: half of the expected hour reaches the clean slot.
  req.deadline = kBase + hours(13) + minutes(30);
  d = plan(req, fc, Policy{Objective::carbon, 0, 0});
  CHECK(d.start == kBase + hours(9) + minutes(30));
  CHECK(d.start + req.time_limit <= *req.deadline);
  CHECK(d.chosen.mean_carbon == Approx(225));
}

TEST_CASE("a deadline before the earliest start plus the time limit is refused", "[planner]") {
  SignalSeries fc({{kBase, kBase + hours(5), 100}});
  PlanRequest req;
  req.now = kBase;
  req.time_limit = hours(2);
  req.deadline = kBase + hours(1);
  CHECK_THROWS_AS(plan(req, fc, Policy{}), InputError);
  req.deadline = kBase + hours(3);
  req.earliest_start = kBase + hours(2);  // the user's --begin
  CHECK_THROWS_WITH(plan(req, fc, Policy{}), Catch::Contains("earlier than the earliest start"));
}

TEST_CASE("time the forecast does not cover counts at the highest value", "[planner]") {
  // The forecast ends after 2 h: a cheap last slot must not tempt the planner into
  // a window that runs past the data.
  SignalSeries fc({{kBase, kBase + hours(1), 300}, {kBase + hours(1), kBase + hours(2), 100}});
  PlanRequest req;
  req.now = kBase;
  req.time_limit = hours(2);
  req.deadline = kBase + hours(10);
  req.power_watts = 1000;
  Decision d = plan(req, fc, Policy{Objective::carbon, 0, 0});
  CHECK_FALSE(d.defer);
  CHECK(d.chosen.covered == Approx(1.0));
  // With no forecast at all over the window: no deferral, and the reason says why.
  SignalSeries old({{kBase - hours(5), kBase - hours(4), 100}});
  d = plan(req, old, Policy{});
  CHECK_FALSE(d.defer);
  CHECK(d.reason.find("does not cover") != std::string::npos);
}

TEST_CASE("the threshold keeps small savings from deferring", "[planner]") {
  SignalSeries fc({{kBase, kBase + hours(1), 100}, {kBase + hours(1), kBase + hours(2), 97}});
  PlanRequest req;
  req.now = kBase;
  req.time_limit = hours(1);
  req.deadline = kBase + hours(2);
  req.power_watts = 100;
  Policy pol{Objective::carbon, 100, 5.0};
  Decision d = plan(req, fc, pol);
  CHECK_FALSE(d.defer);
  CHECK(d.reason.find("3.0%") != std::string::npos);
  pol.min_saving_percent = 2.0;
  CHECK(plan(req, fc, pol).defer);
}

TEST_CASE("cost objective without prices falls back to carbon", "[planner]") {
  SignalSeries fc({{kBase, kBase + hours(1), 300}, {kBase + hours(1), kBase + hours(2), 100}});
  PlanRequest req;
  req.now = kBase;
  req.time_limit = hours(1);
  req.deadline = kBase + hours(2);
  req.power_watts = 1000;
  Decision d = plan(req, fc, Policy{Objective::cost, 100, 0});
  CHECK(d.defer);
  CHECK(std::isnan(d.chosen.cost));
  CHECK(d.start == kBase + hours(1));
}

TEST_CASE("price and carbon are both reported in money and grams", "[planner]") {
  SignalSeries fc(
      {{kBase, kBase + hours(1), 300, 200}, {kBase + hours(1), kBase + hours(2), 100, 50}});
  PlanRequest req;
  req.now = kBase;
  req.time_limit = hours(1);
  req.deadline = kBase + hours(2);
  req.power_watts = 2000;  // 2 kWh over the hour
  Decision d = plan(req, fc, Policy{Objective::balanced, 100, 0});
  REQUIRE(d.defer);
  CHECK(d.energy_kwh == Approx(2.0));
  CHECK(d.baseline.grams_co2 == Approx(600));
  CHECK(d.chosen.grams_co2 == Approx(200));
  CHECK(d.baseline.cost == Approx(0.4));
  CHECK(d.chosen.cost == Approx(0.1));
  CHECK(d.saved_cost() == Approx(0.3));
}

TEST_CASE("objective names parse and unknown ones are refused", "[planner]") {
  CHECK(parse_objective("cost") == Objective::cost);
  CHECK(std::string(to_string(Objective::balanced)) == "balanced");
  CHECK_THROWS_WITH(parse_objective("green"), Catch::Contains("unknown objective 'green'"));
}
