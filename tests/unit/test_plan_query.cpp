// SPDX-License-Identifier: GPL-2.0-or-later
// One plan request (ebb/plan_query.hpp): the planner's input derived from it, the move
// penalty on it, and the local plan that the plugin's fallbacks and `ebb plan` share.
#include <catch2/catch.hpp>

#include "ebb/config.hpp"
#include "ebb/error.hpp"
#include "ebb/placement.hpp"
#include "ebb/plan_query.hpp"

using namespace ebb;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

const TimePoint kBase = TimePoint{seconds{1'794'999'600}};  // 2026-11-18 16:00 UTC

// Hourly carbon from kBase, with no prices and no currency, as a CSV forecast gives it.
SignalSeries hourly(const std::vector<double>& carbon) {
  std::vector<Slot> slots;
  for (std::size_t h = 0; h < carbon.size(); ++h) {
    Slot s;
    s.start = kBase + hours(static_cast<int>(h));
    s.end = s.start + hours(1);
    s.carbon = carbon[h];
    slots.push_back(s);
  }
  return SignalSeries(std::move(slots), "test");
}

PlanQuery a_query() {
  PlanQuery q;
  q.now = kBase;
  q.earliest_start = kBase + hours(1);
  q.deadline = kBase + hours(8);
  q.max_delay = hours(6);
  q.expected_runtime = minutes(90);
  q.job.time_limit = hours(2);
  q.job.tasks = 4;
  q.job.partition = "gpu";
  return q;
}

}  // namespace

TEST_CASE("the planner's input comes from the query, now from the caller when it has none",
          "[plan_query]") {
  const PlanQuery q = a_query();
  const PlanRequest r = planner_input(q, kBase + hours(3), 250);
  CHECK(r.now == kBase);  // the query's
  CHECK(r.earliest_start == q.earliest_start);
  CHECK(r.deadline == q.deadline);
  CHECK(r.max_delay == q.max_delay);
  CHECK(r.time_limit == hours(2));
  CHECK(r.expected_runtime == minutes(90));
  CHECK(r.power_watts == 250);
  CHECK(r.error_by_lead.empty());
  PlanQuery no_now = q;
  no_now.now.reset();
  CHECK(planner_input(no_now, kBase + hours(3), 250).now == kBase + hours(3));
}

TEST_CASE("the query's objective overrides the policy's, and only it", "[plan_query]") {
  Policy site;
  site.objective = Objective::cost;
  site.carbon_price = 42;
  PlanQuery q = a_query();
  CHECK(policy_for(q, site).objective == Objective::cost);
  q.objective = Objective::carbon;
  CHECK(policy_for(q, site).objective == Objective::carbon);
  CHECK(policy_for(q, site).carbon_price == 42);
}

TEST_CASE("a move penalty lengthens the query's time limit and expected runtime", "[plan_query]") {
  const PlanQuery moved = with_move_penalty(a_query(), minutes(10));
  CHECK(moved.job.time_limit == hours(2) + minutes(10));
  CHECK(moved.expected_runtime == minutes(100));
  // The same rule as for the planner's own request.
  const PlanRequest r = with_move_penalty(planner_input(a_query(), kBase, 1), minutes(10));
  CHECK(planner_input(moved, kBase, 1).time_limit == r.time_limit);
  CHECK(planner_input(moved, kBase, 1).expected_runtime == r.expected_runtime);
  CHECK(with_move_penalty(a_query(), Duration{0}).job.time_limit == hours(2));
}

TEST_CASE("a local plan uses the partition's power model, the site's policy and currency",
          "[plan_query]") {
  const Config config = parse_config(
      "WattsPerCore=10\nPUE=1\nCurrency=GBP\nObjective=cost\n"
      "PartitionName=gpu WattsPerCore=100\n",
      "e.conf");
  PlanQuery q = a_query();
  q.objective = Objective::carbon;  // the forecast has no prices: cost could not choose
  const SignalSeries forecast = hourly({300, 300, 300, 300, 50, 50, 300, 300, 300, 300});
  const Decision d = plan_locally(config, q, forecast);
  CHECK(d.currency == "GBP");  // the CSV forecast names none
  CHECK(d.objective == Objective::carbon);
  CHECK(d.defer);
  CHECK(d.start == kBase + hours(4));
  // 4 tasks x 100 W (the gpu partition's) over the 90 minutes expected.
  CHECK(d.energy_kwh == Approx(0.4 * 1.5));
  SignalSeries priced = forecast;
  priced.currency = "SEK";
  CHECK(plan_locally(config, q, priced).currency == "SEK");
  q.time_limit_given = false;  // only ebbd knows DefaultTime
  CHECK_THROWS_AS(plan_locally(config, q, forecast), InputError);
}
