// SPDX-License-Identifier: GPL-2.0-or-later
// validate_plan (ebb/plan_check.hpp): a plan from elsewhere against the job's constraints.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "ebb/error.hpp"
#include "ebb/plan_check.hpp"

using namespace ebb;

namespace {

const TimePoint kNow = parse_iso8601("2026-11-27T18:00:00Z");

PlanRequest request() {
  PlanRequest r;
  r.now = kNow;
  r.time_limit = hours(1);
  r.deadline = kNow + hours(12);
  return r;
}

// A plan the planner could have made for request(): defer by 3 hours.
Decision good_plan() {
  Decision d;
  d.defer = true;
  d.start = kNow + hours(3);
  d.latest_start = kNow + hours(11);
  d.energy_kwh = 0.018;
  d.chosen.start = d.start;
  d.chosen.mean_carbon = 150;
  d.chosen.grams_co2 = 2.7;
  d.baseline.start = kNow;
  d.baseline.mean_carbon = 300;
  d.baseline.grams_co2 = 5.4;
  return d;
}

std::string problem(const Decision& d, const PlanRequest& r = request()) {
  try {
    validate_plan(d, r);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("a plan within the job's constraints passes", "[plan_check]") {
  CHECK(problem(good_plan()) == "");
  Decision now = good_plan();
  now.defer = false;
  now.start = kNow - seconds(30);  // within the clock tolerance
  CHECK(problem(now) == "");
  Decision at_deadline = good_plan();
  at_deadline.start = kNow + hours(11);  // ends exactly at the deadline
  CHECK(problem(at_deadline) == "");
  Decision negative_price = good_plan();
  negative_price.chosen.mean_price = -20;  // surplus hours have negative prices
  negative_price.chosen.cost = -0.01;
  CHECK(problem(negative_price) == "");
}

TEST_CASE("plans outside the job's constraints are refused, naming the field", "[plan_check]") {
  Decision d = good_plan();
  d.start = parse_iso8601("2099-01-01T00:00:00Z");
  CHECK_THAT(problem(d), Catch::StartsWith("plan: start 2099-01-01T00:00:00Z is more than 366d"));

  d = good_plan();
  d.start = kNow + hours(11) + minutes(1);
  CHECK_THAT(problem(d), Catch::Contains("ends after the deadline 2026-11-28T06:00:00Z"));

  d = good_plan();
  d.start = kNow - minutes(5);
  CHECK_THAT(problem(d), Catch::Contains("is before now"));

  PlanRequest begin = request();
  begin.earliest_start = kNow + hours(2);
  d = good_plan();
  d.start = kNow + hours(1);
  CHECK_THAT(problem(d, begin), Catch::Contains("is before --begin"));

  PlanRequest delay = request();
  delay.deadline.reset();
  delay.max_delay = hours(2);
  d = good_plan();
  d.latest_start = kNow + hours(2);
  CHECK_THAT(problem(d, delay), Catch::Contains("more than the maximum delay 2h"));

  d = good_plan();
  d.latest_start = kNow + hours(12);
  CHECK_THAT(problem(d), Catch::Contains("latest_start 2026-11-28T06:00:00Z ends after"));

  d = good_plan();
  d.start = TimePoint{seconds{std::numeric_limits<std::int64_t>::max() / 2}};
  CHECK_THAT(problem(d), Catch::Contains("start epoch "));
}

TEST_CASE("plans with impossible numbers are refused", "[plan_check]") {
  auto with = [](auto change) {
    Decision d = good_plan();
    change(d);
    return problem(d);
  };
  CHECK(with([](Decision& d) { d.energy_kwh = kNaN; }) ==
        "plan: energy_kwh is not a finite number");
  CHECK(with([](Decision& d) { d.energy_kwh = -1; }) == "plan: energy_kwh is negative");
  CHECK(with([](Decision& d) { d.chosen.grams_co2 = kInf; }) ==
        "plan: chosen.grams_co2 is not a finite number");
  CHECK(with([](Decision& d) { d.chosen.mean_carbon = 6000; }) ==
        "plan: chosen.mean_carbon is outside 0-5000 gCO2e/kWh");
  CHECK(with([](Decision& d) { d.baseline.mean_carbon = -1; }) ==
        "plan: baseline.mean_carbon is outside 0-5000 gCO2e/kWh");
  CHECK(with([](Decision& d) { d.baseline.cost = kInf; }) ==
        "plan: baseline.cost is not a finite number");
  CHECK(with([](Decision& d) { d.chosen.covered = 1.5; }) == "plan: chosen.covered is outside 0-1");
  CHECK(with([](Decision& d) { d.chosen.objective = kNaN; }) ==
        "plan: chosen.objective is not a finite number");
}
