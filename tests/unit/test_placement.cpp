// SPDX-License-Identifier: GPL-2.0-or-later
// Choosing partition and start together: partitions in regions, the move
// penalty, and the plan over candidates. And the one plan request (ebb/plan_query.hpp):
// the planner's input derived from it, and the local plan that the plugin's fallbacks and
// `ebb plan` share.
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

// Hourly series from kBase: one value per hour.
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

PartitionCandidate candidate(const std::string& name, const std::vector<double>& carbon) {
  PartitionCandidate c;
  c.partition = name;
  c.request.now = kBase;
  c.request.deadline = kBase + hours(12);
  c.request.time_limit = hours(1);
  c.request.power_watts = 1000;
  c.forecast = hourly(carbon);
  return c;
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

Policy carbon_policy() {
  Policy p;
  p.objective = Objective::carbon;
  p.min_saving_percent = 5;
  return p;
}

}  // namespace

TEST_CASE("ebb.conf: Region= and MovePenalty= on a PartitionName line", "[placement]") {
  Config c = parse_config(
      "RegionName=de CarbonSource=file CarbonFile=/x\n"
      "RegionName=fr CarbonSource=file CarbonFile=/y\n"
      "Region=de\n"
      "PartitionName=cpu-fr Region=fr MovePenalty=30 WattsPerCore=8\n",
      "ebb.conf");
  CHECK(c.partition("cpu-fr").region == "fr");
  CHECK(c.partition("cpu-fr").move_penalty == minutes(30));
  CHECK(c.partition("other").region.empty());  // the site's Region= then
  CHECK(parse_config("PartitionName=a MoveGroup=eu\n", "e.conf").partition("a").move_group == "eu");
  CHECK_THROWS_WITH(parse_config("PartitionName=a MoveGroup=\n", "e.conf"),
                    Catch::Contains("e.conf line 1: MoveGroup needs a group name"));
  CHECK_THROWS_WITH(parse_config("RegionName=de CarbonSource=file CarbonFile=/x\n"
                                 "PartitionName=cpu-fr Region=fr\n",
                                 "ebb.conf"),
                    Catch::Contains("ebb.conf line 2: Region=fr names no RegionName= line"));
  CHECK_THROWS_WITH(parse_config("PartitionName=a MovePenalty=soon\n", "e.conf"),
                    Catch::Contains("e.conf line 1: MovePenalty"));
  CHECK_THROWS_WITH(parse_config("PartitionName=a MovePenalty=8-0\n", "e.conf"),
                    Catch::Contains("longer than a week"));
  // A plugin-only ebb.conf without RegionName= lines has nothing to check against.
  CHECK(parse_config("PartitionName=a Region=fr\n", "e.conf").partition("a").region == "fr");
}

TEST_CASE("ebb.conf: ClusterName= maps a Slurm cluster to a region", "[placement]") {
  Config c = parse_config(
      "RegionName=de CarbonSource=file CarbonFile=/x\n"
      "RegionName=fr CarbonSource=file CarbonFile=/y\n"
      "Region=de\n"
      "ClusterName=c2 Region=fr MovePenalty=30\n"
      "clustername=c3 region=de\n",
      "ebb.conf");
  REQUIRE(c.clusters.size() == 2);
  CHECK(c.cluster_region("c2") == "fr");
  CHECK(c.clusters.at("c2").move_penalty == minutes(30));
  CHECK(c.clusters.at("c2").where == "ebb.conf line 4");
  CHECK(c.cluster_region("c3") == "de");
  CHECK(c.clusters.at("c3").move_penalty == minutes(0));
  CHECK(c.cluster_region("c9") == "de");  // not listed: the site's Region=
  // A cluster's partitions keep their own settings: the two maps do not mix.
  CHECK(c.partitions.empty());

  auto fails = [](const std::string& text, const std::string& what) {
    CHECK_THROWS_WITH(parse_config(text, "e.conf"), Catch::Contains(what));
  };
  fails("ClusterName= Region=fr\n", "e.conf line 1: ClusterName needs a name");
  fails("ClusterName=c2\n", "e.conf line 1: ClusterName=c2 needs Region=");
  fails("ClusterName=c2 Region=\n", "e.conf line 1: Region needs a region name");
  fails("ClusterName=c2 Region=fr Region=de\n", "e.conf line 1: Region is given twice");
  fails("ClusterName=c2 Region=fr WattsPerCore=3\n",
        "e.conf line 1: WattsPerCore cannot be set on a ClusterName line");
  fails("ClusterName=c2 Region=fr MovePenalty=soon\n", "e.conf line 1: MovePenalty");
  fails("ClusterName=c2 Region=fr MovePenalty=8-0\n", "longer than a week");
  fails("ClusterName=c2 Region=fr\n\nClusterName=c2 Region=de\n",
        "e.conf line 3: cluster 'c2' is configured twice");
  fails("RegionName=de CarbonSource=file CarbonFile=/x\nClusterName=c2 Region=fr\n",
        "e.conf line 2: Region=fr names no RegionName= line");
  // A plugin-only ebb.conf without RegionName= lines has nothing to check against.
  CHECK(parse_config("ClusterName=c2 Region=fr\n", "e.conf").cluster_region("c2") == "fr");
}

TEST_CASE("ebb.conf: MoveEnergy= on a PartitionName or ClusterName line", "[placement]") {
  Config c = parse_config(
      "PartitionName=a MoveEnergy=0.2kWh\nPartitionName=b MoveEnergy=3\n"
      "ClusterName=c2 Region=fr MoveEnergy=1.5KWH\n",
      "e.conf");
  CHECK(c.partition("a").move_energy_kwh == Approx(0.2));
  CHECK(c.partition("b").move_energy_kwh == Approx(3));
  CHECK(c.partition("z").move_energy_kwh == 0);
  CHECK(c.clusters.at("c2").move_energy_kwh == Approx(1.5));
  CHECK_THROWS_WITH(parse_config("PartitionName=a MoveEnergy=lots\n", "e.conf"),
                    Catch::Contains("e.conf line 1: MoveEnergy: not a number"));
  CHECK_THROWS_WITH(parse_config("ClusterName=c Region=x MoveEnergy=-1kWh\n", "e.conf"),
                    Catch::Contains("e.conf line 1: MoveEnergy"));
  CHECK_THROWS_WITH(parse_config("MoveEnergy=1\n", "e.conf"),
                    Catch::Contains("e.conf line 1: unknown key"));
}

TEST_CASE("a move's energy overhead is counted in its plan", "[placement]") {
  // 1 kW for 1 h: 1 kWh. fr is half as dirty as home all day.
  std::vector<double> home(24, 100.0), fr(24, 50.0);
  Decision d = plan(candidate("fr", fr).request, hourly(fr), carbon_policy());
  REQUIRE(d.energy_kwh == Approx(1.0));
  const Decision more = with_move_energy(d, 0.5);
  CHECK(more.energy_kwh == Approx(1.5));
  CHECK(more.chosen.grams_co2 == Approx(d.chosen.grams_co2 * 1.5));
  CHECK(more.chosen.objective == Approx(d.chosen.objective * 1.5));
  CHECK(more.baseline.grams_co2 == Approx(d.baseline.grams_co2 * 1.5));
  CHECK(with_move_energy(d, 0).chosen.objective == d.chosen.objective);

  auto placed = plan_over_partitions({candidate("a", home), candidate("fr", fr)}, carbon_policy());
  REQUIRE(placed);
  CHECK(placed->index == 1);
  // Moving costs 1 kWh more: 2 kWh at 50 g/kWh is no better than 1 kWh at 100: stays home.
  auto c = candidate("fr", fr);
  c.move_energy_kwh = 1.0;
  placed = plan_over_partitions({candidate("a", home), c}, carbon_policy());
  REQUIRE(placed);
  CHECK(placed->index == 0);
  // 0.5 kWh more: 75 g against 100, still worth it.
  c.move_energy_kwh = 0.5;
  placed = plan_over_partitions({candidate("a", home), c}, carbon_policy());
  REQUIRE(placed);
  CHECK(placed->index == 1);
  CHECK(placed->decision.energy_kwh == Approx(1.5));
}

TEST_CASE("the job goes to the partition with the best exact plan", "[placement]") {
  // Home is dirty all day; fr is clean from hour 3.
  std::vector<double> dirty(24, 400.0), fr(24, 300.0);
  for (int h = 3; h < 24; ++h) fr[static_cast<std::size_t>(h)] = 50.0;
  auto placed =
      plan_over_partitions({candidate("de", dirty), candidate("fr", fr)}, carbon_policy());
  REQUIRE(placed);
  CHECK(placed->index == 1);
  CHECK(placed->decision.defer);
  CHECK(placed->decision.start == kBase + hours(3));
  // The same candidates the other way round: fr is home and stays.
  placed = plan_over_partitions({candidate("fr", fr), candidate("de", dirty)}, carbon_policy());
  REQUIRE(placed);
  CHECK(placed->index == 0);
}

TEST_CASE("a move must gain the threshold, and pays its penalty", "[placement]") {
  std::vector<double> home(24, 100.0), near(24, 97.0), far(24, 50.0);
  auto placed = plan_over_partitions({candidate("a", home), candidate("b", near)}, carbon_policy());
  REQUIRE(placed);
  CHECK(placed->index == 0);  // 3 % is below the 5 % threshold
  placed = plan_over_partitions({candidate("a", home), candidate("c", far)}, carbon_policy());
  REQUIRE(placed);
  CHECK(placed->index == 1);
  // Staging doubles the run's energy there (1 h more on a 1 h job): 2 x 50 = 100 g/kWh-h,
  // no better than home.
  auto c = candidate("c", far);
  c.move_penalty = hours(1);
  placed = plan_over_partitions({candidate("a", home), c}, carbon_policy());
  REQUIRE(placed);
  CHECK(placed->index == 0);
  // A penalty that cannot fit before the deadline rules the candidate out.
  c.move_penalty = hours(12);
  placed = plan_over_partitions({candidate("a", home), c}, carbon_policy());
  REQUIRE(placed);
  CHECK(placed->index == 0);
  CHECK(placed->skipped.size() == 1);
}

TEST_CASE("candidates without data are skipped; with none, nothing is chosen", "[placement]") {
  std::vector<double> clean(24, 50.0);
  auto empty = candidate("a", {});
  auto placed = plan_over_partitions({empty, candidate("b", clean)}, carbon_policy());
  REQUIRE(placed);
  CHECK(placed->index == 1);
  REQUIRE(placed->skipped.size() == 1);
  CHECK(placed->skipped[0] == "a: no forecast for its region");
  CHECK_FALSE(plan_over_partitions({empty, candidate("b", {})}, carbon_policy()));
  CHECK_FALSE(best_placement({std::nullopt, std::nullopt}, 5));
}

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
