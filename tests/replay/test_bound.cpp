// SPDX-License-Identifier: GPL-2.0-or-later
// The capacity bound (bound.hpp) on cases small enough to solve by hand, and its use as
// "of bound" in a replay.
#include <catch2/catch.hpp>
#include <stdexcept>

#include "bound.hpp"
#include "engine.hpp"
#include "report.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::replay;
using Catch::Matchers::Contains;

namespace {

const TimePoint T0 = parse_iso8601("2022-03-07T00:00Z");  // a Monday

// Two weeks, hourly, 500 g/kWh, except the first hours: 300, 100, 200, 50, 10.
Grid grid_of_five() {
  const double first[] = {300, 100, 200, 50, 10};
  std::vector<Slot> slots;
  for (int h = 0; h < 14 * 24; ++h) {
    Slot s;
    s.start = T0 + hours(h);
    s.end = s.start + hours(1);
    s.carbon = h < 5 ? first[h] : 500;
    slots.push_back(s);
  }
  return Grid(std::move(slots), false, "five hours");
}

// 1 kW per core, so grams = carbon x core-hours.
BoundJob job(double run_h, int deadline_h, int latest_h, std::uint32_t cores = 1) {
  BoundJob j;
  j.submit = T0;
  j.deadline = T0 + hours(deadline_h);
  j.latest_end = T0 + hours(latest_h);
  j.runtime = Duration{static_cast<long long>(run_h * 3600)};
  j.cores = cores;
  j.watts = 1000.0 * cores;
  return j;
}

}  // namespace

TEST_CASE("Capacity bound: two one-hour jobs on one core share three hours", "[bound]") {
  const Grid grid = grid_of_five();
  const std::vector<BoundJob> jobs{job(1, 3, 3), job(1, 3, 3)};
  // One core: one job in the 100 hour, the other in the 200 hour.
  const CapacityBound one = capacity_bound(jobs, grid, 1);
  CHECK(one.grams == Approx(300));
  CHECK(one.late_jobs == 0);
  CHECK(one.late_core_hours == 0);
  // Two cores do not bind: both in the 100 hour, as each job's own best start would be.
  CHECK(capacity_bound(jobs, grid, 2).grams == Approx(200));
}

TEST_CASE("Capacity bound: a job uses at most its cores in any hour", "[bound]") {
  const Grid grid = grid_of_five();
  // Two core-hours of one single-core job: not both in the 100 hour, even on ten cores.
  CHECK(capacity_bound({job(2, 3, 3)}, grid, 10).grams == Approx(300));
  // Split within hours: 1.5 h go to the 100 hour (1 h) and the 200 hour (0.5 h).
  CHECK(capacity_bound({job(1.5, 3, 3)}, grid, 10).grams == Approx(200));
  // Two cores for an hour on a two-core cluster: the 100 hour holds it all.
  CHECK(capacity_bound({job(1, 3, 3, 2)}, grid, 2).grams == Approx(200));
}

TEST_CASE("Capacity bound: work that cannot meet its deadline runs late, as little as possible",
          "[bound]") {
  const Grid grid = grid_of_five();
  // Four core-hours by hour 3 on one core: one core-hour must run late, and only the second
  // job may (until hour 5). The cheap late hours (50, 10) would save CO2 if more work went
  // there, but lateness comes first: exactly one core-hour, in hour 3 (one hour late).
  const std::vector<BoundJob> jobs{job(2, 3, 3), job(2, 3, 5)};
  const CapacityBound b = capacity_bound(jobs, grid, 1);
  CHECK(b.late_jobs == 1);
  CHECK(b.late_core_hours == Approx(1));
  CHECK(b.grams == Approx(300 + 100 + 200 + 50));
}

TEST_CASE("Capacity bound: no room at all is an error", "[bound]") {
  const Grid grid = grid_of_five();
  CHECK_THROWS_WITH(capacity_bound({job(2, 1, 1)}, grid, 1), Contains("cannot run"));
  // Two jobs that fit alone but not together, with no late room.
  CHECK_THROWS_WITH(capacity_bound({job(2, 3, 3), job(2, 3, 3)}, grid, 1),
                    Contains("cannot run every job"));
  CHECK_THROWS_AS(capacity_bound({job(1, 3, 3)}, grid, 0), std::runtime_error);
  // 1,000 jobs over 200,000 one-minute slots: 2 x 10^8 arcs, refused before anything is
  // built.
  std::vector<Slot> minutes_slots(200000);
  for (std::size_t m = 0; m < minutes_slots.size(); ++m) {
    minutes_slots[m].start = T0 + std::chrono::minutes(m);
    minutes_slots[m].end = minutes_slots[m].start + std::chrono::minutes(1);
    minutes_slots[m].carbon = 100;
  }
  const Grid fine(std::move(minutes_slots), false, "minutes");
  const std::vector<BoundJob> many(1000, job(1, 200000 / 60, 200000 / 60));
  CHECK_THROWS_WITH(capacity_bound(many, fine, 1000), Contains("--bound per-job"));
  CHECK_THROWS_WITH(parse_bound_kind("lp"), Contains("--bound"));
}

TEST_CASE("A replay's 'of bound' divides by the capacity bound", "[bound]") {
  const Grid grid = grid_of_five();
  std::vector<TraceJob> jobs(2);
  for (auto& j : jobs) {
    j.submit = T0;
    j.runtime = j.requested = hours(1);
  }
  jobs[0].id = "a";
  jobs[1].id = "b";
  ReplayConfig cfg;
  cfg.policies = {PolicyKind::baseline, PolicyKind::oracle};
  cfg.deadline = parse_deadline_rule("slack:2h");  // windows [0, 3 h)
  cfg.sim.cores = 1;
  cfg.bound = BoundKind::capacity;
  const ReplayResult r = run_replay(jobs, grid, cfg);
  // Baseline on one core: hours 0 and 1 (300 + 100). Bound: hours 1 and 2 (100 + 200).
  CHECK(r.bound.kind == BoundKind::capacity);
  CHECK(r.bound.reduction_pct == Approx(25));
  const PolicyResult* oracle = r.find(PolicyKind::oracle);
  REQUIRE(oracle);
  // Both oracle jobs pick the 100 hour, queue on the one core (100 + 200): the bound's 25 %.
  CHECK(oracle->reduction_pct == Approx(25));
  CHECK(oracle->share_of_upper_bound == Approx(1));
  ReportContext ctx;
  CHECK_THAT(format_table(r, ctx), Contains("capacity bound, 25.00 %"));
  CHECK_THAT(format_csv(r, ctx), Contains(",capacity,25.0000"));
  CHECK_THAT(format_json(r, ctx), Contains("\"kind\": \"capacity\""));

  // The per-job bound is the oracle's planned cut, against the baseline as planned (both
  // at hour 0, no queue: 600): both in the 100 hour (200), two thirds off.
  cfg.bound = BoundKind::per_job;
  const ReplayResult p = run_replay(jobs, grid, cfg);
  CHECK(p.bound.reduction_pct == Approx(200.0 / 3));
  CHECK(p.find(PolicyKind::oracle)->share_of_upper_bound == Approx(0.375));
  CHECK_THAT(format_table(p, ctx), Contains("per-job bound"));

  cfg.bound = BoundKind::capacity;
  cfg.sim.cores = 0;
  CHECK_THROWS_WITH(run_replay(jobs, grid, cfg), Contains("--cores"));
}

TEST_CASE("No schedule that meets every deadline beats the capacity bound", "[bound]") {
  // 1,000 real jobs (Alibaba PAI) on 20 cores against DE 2022: every policy that met all
  // its deadlines is a schedule the relaxation covers, so it cannot cut more than the bound.
  Trace trace = read_trace(test::data_path("gaia_pai_1k.csv"));
  Grid grid = test::load_grid("em_ci_lca_2022_hourly_123zones.csv.gz", "DE");
  map_onto_grid(trace, grid, std::nullopt);  // from the grid's start, as `ebb replay` does
  ReplayConfig cfg;
  cfg.sim.cores = 20;
  cfg.sim.age_from_submit = true;  // `ebb replay`'s default queue order
  cfg.deadline = parse_deadline_rule("slack:24h");
  cfg.bound = BoundKind::capacity;
  const ReplayResult r = run_replay(trace.jobs, grid, cfg);
  REQUIRE(r.bound.late_jobs == 0);
  std::size_t on_time = 0;
  for (const auto& p : r.policies) {
    if (p.deadline_misses > 0) continue;
    ++on_time;
    CHECK(p.reduction_pct <= r.bound.reduction_pct + 1e-6);
  }
  // ebb cuts something here, so the check compares real cuts, not zeros.
  const PolicyResult* ebb = r.find(PolicyKind::ebb);
  REQUIRE(ebb);
  CHECK(ebb->deadline_misses == 0);
  CHECK(ebb->reduction_pct > 0.5);
  CHECK(on_time >= 2);
}
