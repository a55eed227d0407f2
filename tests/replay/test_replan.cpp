// SPDX-License-Identifier: GPL-2.0-or-later
// Re-planning in the replay: ebb's held jobs are re-planned every --replan-every with
// ebb::replan(), the function ebbd calls, against the simulated cluster of that moment.
#include <catch2/catch.hpp>

#include "ebb/replan.hpp"
#include "engine.hpp"

using namespace ebb;
using namespace ebb::replay;

namespace {

const TimePoint T0 = parse_iso8601("2022-03-07T00:00Z");  // a Monday

// Hourly carbon from T0: `at(h)` for hour h, for `days` days.
template <typename F>
Grid hourly(int days, F at) {
  std::vector<Slot> slots;
  for (int h = 0; h < 24 * days; ++h) {
    Slot s;
    s.start = T0 + hours(h);
    s.end = s.start + hours(1);
    s.carbon = at(h);
    slots.push_back(s);
  }
  return Grid(std::move(slots), false, "synthetic");
}

TraceJob trace_job(Duration submit, Duration run, Duration limit, std::uint32_t cores,
                   std::optional<Duration> slack) {
  static int id = 0;
  TraceJob j;
  j.id = std::to_string(++id);
  j.submit = T0 + submit;
  j.runtime = run;
  j.requested = limit;
  j.cores = cores;
  if (slack) j.deadline = j.submit + limit + *slack;
  return j;
}

ReplayConfig cluster_of(std::uint32_t cores) {
  ReplayConfig cfg;
  cfg.sim.cores = cores;
  cfg.sim.age_from_submit = true;
  cfg.deadline = parse_deadline_rule("trace");
  cfg.ebb_policy.objective = Objective::carbon;
  cfg.policies = {PolicyKind::ebb};
  cfg.capacity.headroom_percent = 0;
  cfg.capacity.slack_reserve_percent = 0;
  cfg.threads = 1;
  return cfg;
}

}  // namespace

TEST_CASE("A held job moves when a cleaner window opens", "[replan]") {
  // 500 g now, 100 from 02:00 to 05:00, 200 from 08:00 to 10:00, else 300.
  const Grid grid = hourly(3, [](int h) {
    return h < 2 ? 500.0 : h < 5 ? 100.0 : (h >= 8 && h < 10) ? 200.0 : 300.0;
  });
  // A fills both cores and cannot wait; its limit says 6 h, it runs 1 h. B, submitted a
  // minute later, finds 02:00 full (by A's limit) and is deferred to 08:00; at 01:00 A
  // has ended, and the re-plan moves B into the clean window.
  std::vector<TraceJob> jobs{trace_job(Duration{0}, hours(1), hours(6), 2, Duration{0}),
                             trace_job(minutes(1), hours(1), hours(1), 2, hours(20))};
  ReplayConfig cfg = cluster_of(2);
  cfg.replan_every = Duration{0};
  const ReplayResult fixed = run_replay(jobs, grid, cfg);
  const PolicyResult* f = fixed.find(PolicyKind::ebb);
  REQUIRE(f);
  CHECK(f->start[0] == T0);
  CHECK(f->start[1] == T0 + hours(8));
  CHECK(f->moves == 0);

  cfg.replan_every = hours(1);
  const ReplayResult moved = run_replay(jobs, grid, cfg);
  const PolicyResult* m = moved.find(PolicyKind::ebb);
  REQUIRE(m);
  CHECK(m->moves == 1);
  CHECK(m->job_moves[1] == 1);
  CHECK(m->planned[1] == T0 + hours(2));
  CHECK(m->start[1] == T0 + hours(2));
  CHECK(m->kg_co2 < f->kg_co2);
  CHECK(m->deadline_misses == 0);
}

TEST_CASE("Re-planned jobs never start past their latest start; max moves hold", "[replan]") {
  // Clean nights, and a forecast (yesterday's values) that changes every day, on a
  // cluster kept busy: plenty of reasons to move.
  const Grid grid = hourly(10, [](int h) {
    const int hod = h % 24, day = h / 24;
    return hod < 6 ? 100.0 + 40 * (day % 3) : 300.0 + 15 * ((hod + day) % 7);
  });
  std::vector<TraceJob> jobs;
  for (int i = 0; i < 300; ++i)
    jobs.push_back(trace_job(minutes(23 * i), minutes(20 + (i * 17) % 180),
                             minutes(60 + (i * 29) % 300), 1 + i % 4, hours(6 + i % 19)));
  ReplayConfig cfg = cluster_of(16);
  cfg.forecast.kind = ForecastKind::yesterday;
  cfg.capacity.slack_reserve_percent = 25;
  for (std::uint32_t max_moves : {0u, 1u, 3u}) {
    cfg.replan_rule.max_moves = max_moves;
    const ReplayResult r = run_replay(jobs, grid, cfg);
    const PolicyResult* e = r.find(PolicyKind::ebb);
    REQUIRE(e);
    INFO("max moves " << max_moves << ": " << e->moves << " moves");
    std::uint32_t most = 0;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      most = std::max(most, e->job_moves[i]);
      CHECK(e->planned[i] >= jobs[i].submit);
      CHECK(e->planned[i] <= r.deadlines[i] - jobs[i].requested);
    }
    CHECK(most <= max_moves);
    CHECK(e->planned_misses == 0);
    if (max_moves == 0) CHECK(e->moves == 0);
    if (max_moves > 0) CHECK(e->moves > 0);
  }
}

TEST_CASE("A flat forecast moves nothing; a cleaner hour does", "[replan]") {
  const TimePoint now = T0 + hours(1);
  HeldJob job;
  job.record.asked = T0;
  job.record.planned = T0 + hours(8);
  job.record.latest_start = T0 + hours(20);
  job.record.deadline = T0 + hours(21);
  job.record.objective = Objective::carbon;
  job.time_limit = hours(1);
  job.cpus = 2;
  job.power_watts = 100;
  auto series = [&](double clean) {
    std::vector<Slot> slots;
    for (int h = 0; h < 24; ++h) {
      Slot s;
      s.start = T0 + hours(h);
      s.end = s.start + hours(1);
      s.carbon = h == 3 ? clean : 300;
      slots.push_back(s);
    }
    return SignalSeries(std::move(slots), "forecast");
  };
  Policy policy;
  policy.objective = Objective::carbon;
  CapacityRule rule;
  rule.cpus = 4;
  rule.headroom_percent = 0;
  rule.slack_reserve_percent = 0;
  const PartitionLoad empty(rule);
  CHECK_FALSE(replan(job, now, empty, series(300), policy, ReplanRule{}));
  const auto moved = replan(job, now, empty, series(100), policy, ReplanRule{});
  REQUIRE(moved);
  CHECK(moved->begin == T0 + hours(3));
}

TEST_CASE("A job planned into a full partition moves by the rule that says so", "[replan]") {
  const TimePoint now = T0 + hours(1);
  HeldJob job;
  job.record.asked = T0;
  job.record.planned = T0 + hours(8);
  job.record.latest_start = T0 + hours(10);
  job.record.deadline = T0 + hours(11);
  job.record.objective = Objective::carbon;
  job.time_limit = hours(1);
  job.cpus = 2;
  job.power_watts = 100;
  std::vector<Slot> slots;
  for (int h = 0; h < 24; ++h) {
    Slot s;
    s.start = T0 + hours(h);
    s.end = s.start + hours(1);
    s.carbon = 300;
    slots.push_back(s);
  }
  const SignalSeries flat(slots, "forecast");
  Policy policy;
  policy.objective = Objective::carbon;
  CapacityRule rule;
  rule.cpus = 4;
  rule.headroom_percent = 0;
  rule.slack_reserve_percent = 0;
  // Another job holds the whole partition until `until`, by its time limit.
  auto busy_until = [&](int until_h) {
    PartitionLoad load(rule);
    QueuedJob q;
    q.state = QueuedJob::State::running;
    q.since = T0;
    q.expected = hours(until_h);
    q.cpus = 4;
    load.add(q, now);
    return load;
  };
  ReplanRule full, keep, risk;
  keep.move_when_full = false;
  risk.move_when_full = false;
  risk.move_when_at_risk = true;
  // Full at 08:00 and until 20:00, past the latest start: every rule moves it, to now.
  const auto late = busy_until(20);
  REQUIRE(replan(job, now, late, flat, policy, full));
  CHECK(replan(job, now, late, flat, policy, full)->begin == now);
  CHECK_FALSE(replan(job, now, late, flat, policy, keep));
  REQUIRE(replan(job, now, late, flat, policy, risk));
  CHECK(replan(job, now, late, flat, policy, risk)->begin == now);
  // Full at 08:00 but free at 09:00, before the latest start: only move_when_full moves it.
  const auto soon = busy_until(9);
  CHECK(replan(job, now, soon, flat, policy, full));
  CHECK_FALSE(replan(job, now, soon, flat, policy, keep));
  CHECK_FALSE(replan(job, now, soon, flat, policy, risk));
}

TEST_CASE("A move for gain never goes to a start the capacity rule forbids", "[replan]") {
  // Now (01:00) is the cleanest hour, but another job holds the partition until 02:00:
  // releasing the held job now for the gain would only queue it.
  const TimePoint now = T0 + hours(1);
  HeldJob job;
  job.record.asked = T0;
  job.record.planned = T0 + hours(8);
  job.record.latest_start = T0 + hours(20);
  job.record.deadline = T0 + hours(21);
  job.record.objective = Objective::carbon;
  job.time_limit = hours(1);
  job.cpus = 2;
  job.power_watts = 100;
  std::vector<Slot> slots;
  for (int h = 0; h < 24; ++h) {
    Slot s;
    s.start = T0 + hours(h);
    s.end = s.start + hours(1);
    s.carbon = h == 1 ? 100 : 300;
    slots.push_back(s);
  }
  const SignalSeries forecast(slots, "forecast");
  Policy policy;
  policy.objective = Objective::carbon;
  CapacityRule rule;
  rule.cpus = 4;
  rule.headroom_percent = 0;
  rule.slack_reserve_percent = 0;
  const PartitionLoad empty(rule);
  const auto free_now = replan(job, now, empty, forecast, policy, ReplanRule{});
  REQUIRE(free_now);
  CHECK(free_now->begin == now);
  PartitionLoad busy(rule);
  QueuedJob q;
  q.state = QueuedJob::State::running;
  q.since = T0;
  q.expected = hours(2);
  q.cpus = 4;
  busy.add(q, now);
  CHECK_FALSE(replan(job, now, busy, forecast, policy, ReplanRule{}));
}
