// SPDX-License-Identifier: GPL-2.0-or-later
// The cluster simulator (FCFS + EASY backfill) and the replay engine's guarantees.
#include <catch2/catch.hpp>

#include "engine.hpp"
#include "simulator.hpp"

using namespace ebb;
using namespace ebb::replay;

namespace {
const TimePoint T0 = parse_iso8601("2022-03-07T00:00Z");  // a Monday
SimJob job(int submit_h, double run_h, double limit_h, std::uint32_t cores) {
  SimJob j;
  j.submit = j.begin = T0 + hours(submit_h);
  j.runtime = Duration{static_cast<long long>(run_h * 3600)};
  j.limit = Duration{static_cast<long long>(limit_h * 3600)};
  j.cores = cores;
  return j;
}
}  // namespace

TEST_CASE("Unlimited cores: every job starts at its begin time", "[simulator]") {
  std::vector<SimJob> jobs{job(0, 1, 2, 1000), job(0, 1, 2, 1000)};
  jobs[1].begin += hours(5);
  SimOutcome out = simulate(jobs, SimOptions{0, 500});
  CHECK(out.start[0] == T0);
  CHECK(out.start[1] == T0 + hours(5));
}

TEST_CASE("FCFS: a job waits for the cores of the one before it", "[simulator]") {
  std::vector<SimJob> jobs{job(0, 10, 10, 2), job(1, 1, 1, 2)};
  SimOutcome out = simulate(jobs, SimOptions{2, 500});
  CHECK(out.start[1] == T0 + hours(10));
}

TEST_CASE("EASY backfill: short jobs fill the hole, long ones do not delay the head",
          "[simulator]") {
  // 4 cores. A holds 3 for 10 h. B (head) needs 4: reserved at 10 h.
  // C needs 1 core for 5 h: ends before the reservation, so it backfills now.
  // D needs 1 core for 20 h: would delay B, so it waits until B is done.
  std::vector<SimJob> jobs{job(0, 10, 10, 3), job(1, 1, 1, 4), job(2, 5, 5, 1), job(3, 20, 20, 1)};
  SimOutcome out = simulate(jobs, SimOptions{4, 500});
  CHECK(out.start[0] == T0);
  CHECK(out.start[2] == T0 + hours(2));
  CHECK(out.start[1] == T0 + hours(10));
  CHECK(out.start[3] == T0 + hours(11));
  // Jobs that end earlier than requested free their cores early.
  std::vector<SimJob> early{job(0, 2, 10, 4), job(1, 1, 1, 4)};
  CHECK(simulate(early, SimOptions{4, 500}).start[1] == T0 + hours(2));
}

TEST_CASE("Deadline rules", "[simulator]") {
  TraceJob j;
  j.submit = T0 + hours(10);  // Monday 10:00
  j.requested = j.runtime = hours(4);
  CHECK(parse_deadline_rule("slack:6h").deadline(j) == T0 + hours(20));
  CHECK(parse_deadline_rule("factor:3").deadline(j) == T0 + hours(22));
  // Finishes at 14:00 on a workday: no room.
  CHECK(parse_deadline_rule("next-workday").deadline(j) == T0 + hours(14));
  j.requested = j.runtime = hours(10);  // finishes 20:00: next day 09:00
  CHECK(parse_deadline_rule("next-workday").deadline(j) == T0 + hours(24 + 9));
  j.submit = T0 + hours(24 * 4 + 16);  // Friday 16:00, finishes 02:00 Saturday
  CHECK(parse_deadline_rule("next-workday").deadline(j) == T0 + hours(24 * 7 + 9));  // Monday
  CHECK(parse_deadline_rule("lwa-next-workday").deadline(j) ==
        T0 + hours(24 * 7 + 9));      // Sat -> +2 d
  j.submit = T0 + hours(24 * 4 + 8);  // Friday 08:00, finishes 18:00 Friday
  CHECK(parse_deadline_rule("next-workday").deadline(j) == T0 + hours(24 * 7 + 9));
  CHECK(parse_deadline_rule("lwa-next-workday").deadline(j) ==
        T0 + hours(24 * 5 + 9));  // LWA: Saturday
  j.requested = j.runtime = hours(1);
  CHECK(parse_deadline_rule("queues:2h:6h:24h").deadline(j) == j.submit + hours(7));
  CHECK_THROWS(parse_deadline_rule("sometime"));
}

TEST_CASE("Replay: ebb never plans past a deadline; with free cores none is missed",
          "[simulator]") {
  // A grid with a cheap night and an expensive day, one week.
  std::vector<Slot> slots;
  for (int h = 0; h < 24 * 14; ++h) {
    Slot s;
    s.start = T0 + hours(h);
    s.end = s.start + hours(1);
    int hod = h % 24;
    s.carbon = hod < 6 ? 100 : 300 + 10 * (hod % 5);
    slots.push_back(s);
  }
  Grid grid(slots, false, "synthetic");
  std::vector<TraceJob> jobs;
  for (int i = 0; i < 200; ++i) {
    TraceJob j;
    j.id = std::to_string(i);
    j.submit = T0 + minutes(37 * i);
    j.runtime = minutes(30 + (i * 13) % 200);
    j.requested = j.runtime + minutes(i % 3 * 30);
    j.cores = 1 + i % 4;
    jobs.push_back(j);
  }
  ReplayConfig cfg;
  cfg.deadline = parse_deadline_rule("slack:12h");
  cfg.ebb_policy.objective = Objective::carbon;
  ReplayResult r = run_replay(jobs, grid, cfg);
  const PolicyResult* base = r.find(PolicyKind::baseline);
  const PolicyResult* e = r.find(PolicyKind::ebb);
  const PolicyResult* o = r.find(PolicyKind::oracle);
  REQUIRE(base);
  REQUIRE(e);
  REQUIRE(o);
  CHECK(e->planned_misses == 0);
  CHECK(e->deadline_misses == 0);
  CHECK(o->deadline_misses == 0);
  CHECK(e->reduction_pct > 20);  // the night is a third of the day's intensity
  CHECK(o->reduction_pct >= e->reduction_pct - 1e-9);
  CHECK(e->energy_kwh == Approx(base->energy_kwh));
  CHECK(base->mean_added_wait_h == 0);
  CHECK(e->mean_added_wait_h > 0);
  // On a small cluster the same plans, made for each job alone, queue up; the replay
  // reports the pile-up.
  cfg.sim.cores = 16;  // about half busy on average
  cfg.capacity_aware = false;
  ReplayResult alone = run_replay(jobs, grid, cfg);
  const PolicyResult* a = alone.find(PolicyKind::ebb);
  CHECK(a->planned_misses == 0);
  CHECK(a->peak_planned_starts > 1);
  CHECK(a->mean_wait_h > e->mean_wait_h);
  // Planned for the cluster, the deferred jobs fit: never more deferred CPUs booked than
  // the partition has, fewer misses, still a saving.
  cfg.capacity_aware = true;
  cfg.capacity.headroom_percent = 0;
  ReplayResult q = run_replay(jobs, grid, cfg);
  const PolicyResult* c = q.find(PolicyKind::ebb);
  CHECK(c->planned_misses == 0);
  CHECK(c->deadline_misses <= a->deadline_misses);
  CHECK(c->reduction_pct > 5);
  CHECK(c->peak_planned_starts <= 16);
  CHECK(c->mean_added_wait_h < a->mean_added_wait_h);
  INFO("alone: " << a->reduction_pct << "% " << a->deadline_misses << " missed; capacity: "
                 << c->reduction_pct << "% " << c->deadline_misses << " missed");
  CHECK(c->deadline_misses <= q.find(PolicyKind::baseline)->deadline_misses + 0);
}

TEST_CASE("Forecasts know nothing of the future; noisy ones are seeded", "[simulator]") {
  // Three weeks at 100 g/kWh, then a fourth at 500: a forecast made before the jump
  // must not see it.
  std::vector<Slot> slots;
  for (int h = 0; h < 24 * 28; ++h) {
    Slot s;
    s.start = T0 + hours(h);
    s.end = s.start + hours(1);
    s.carbon = (h < 24 * 21 ? 100 : 500) + h % 24;
    s.price = 50 + h % 24;
    slots.push_back(s);
  }
  Grid grid(slots, true, "synthetic");
  const TimePoint now = T0 + hours(24 * 21 - 5);  // five hours before the jump
  for (ForecastKind kind : {ForecastKind::yesterday, ForecastKind::weekly_median}) {
    ForecastOptions o;
    o.kind = kind;
    Forecaster f(grid, o);
    SignalSeries v = f.view(now, now, now + hours(48));
    REQUIRE(v.size() >= 48);
    for (const Slot& s : v.slots()) {
      INFO(to_string(kind) << " at " << format_utc(s.start));
      CHECK(s.carbon < 200);  // the future's 500 never shows
      auto hod = (s.start - T0).count() / 3600 % 24;
      CHECK(s.carbon == Approx(100 + hod));  // the same hour on earlier days
      CHECK(s.price == Approx(50 + hod));
    }
  }
  ForecastOptions n;
  n.kind = ForecastKind::noisy;
  n.noise_fraction = 0.1;
  n.seed = 7;
  SignalSeries a = Forecaster(grid, n).view(now, now, now + hours(3));
  SignalSeries b = Forecaster(grid, n).view(now, now, now + hours(3));
  n.seed = 8;
  SignalSeries c = Forecaster(grid, n).view(now, now, now + hours(3));
  CHECK(a.slots()[0].carbon == b.slots()[0].carbon);
  CHECK(a.slots()[0].carbon != c.slots()[0].carbon);
  CHECK(a.slots()[0].carbon != grid.slots()[24 * 21 - 5].carbon);
}
