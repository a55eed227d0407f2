// SPDX-License-Identifier: GPL-2.0-or-later
// The cluster view behind capacity-aware planning: projected load, forbidden starts, and
// that jobs planned one after another with each other's bookings spread out.
#include <catch2/catch.hpp>

#include "ebb/capacity.hpp"
#include "ebb/planner.hpp"

using namespace ebb;

namespace {

const TimePoint T0 = TimePoint{std::chrono::seconds{1'794'999'600}};  // a whole hour

QueuedJob running(TimePoint since, Duration limit, double cpus) {
  QueuedJob q;
  q.state = QueuedJob::State::running;
  q.since = since;
  q.expected = limit;
  q.cpus = cpus;
  return q;
}

QueuedJob held(TimePoint begin, Duration limit, double cpus) {
  QueuedJob q;
  q.state = QueuedJob::State::pending;
  q.since = begin;
  q.expected = limit;
  q.cpus = cpus;
  q.deferred_by_ebb = true;
  return q;
}

CapacityRule rule(double cpus) {
  CapacityRule r;
  r.cpus = cpus;
  r.slack_reserve_percent = 0;
  r.headroom_percent = 0;
  return r;
}

double busy_at(const std::vector<std::pair<TimePoint, double>>& steps, TimePoint t) {
  double v = 0;
  for (const auto& [from, cpus] : steps)
    if (from <= t) v = cpus;
  return v;
}

}  // namespace

TEST_CASE("running jobs hold their CPUs until their expected end", "[capacity]") {
  PartitionLoad load(rule(8));
  load.add(running(T0 - hours(1), hours(3), 4), T0);
  auto p = load.projected(T0);
  CHECK(busy_at(p, T0) == 4);
  CHECK(busy_at(p, T0 + hours(2) - seconds(1)) == 4);
  CHECK(busy_at(p, T0 + hours(2)) == 0);
}

TEST_CASE("demand beyond the partition waits and runs when CPUs free up", "[capacity]") {
  PartitionLoad load(rule(8));
  load.add(running(T0, hours(1), 8), T0);
  QueuedJob waiting;  // eligible now, 4 CPUs for 1 h: runs after the first
  waiting.since = T0;
  waiting.expected = hours(1);
  waiting.cpus = 4;
  load.add(waiting, T0);
  auto p = load.projected(T0);
  // 12 CPUs wanted for an hour on 8: full for the first hour; the 4 CPU-hours left
  // run on 8 CPUs after that... as a fluid: full until they have drained.
  CHECK(busy_at(p, T0) == 8);
  CHECK(busy_at(p, T0 + minutes(59)) == 8);
  CHECK(busy_at(p, T0 + minutes(61)) == 8);
  CHECK(busy_at(p, T0 + minutes(90)) == 0);
}

TEST_CASE("a job may not be deferred into a window without room for it", "[capacity]") {
  PartitionLoad load(rule(8));
  load.add(running(T0, hours(2), 6), T0);
  // 4 CPUs for 1 h: every start whose window meets [T0, T0+2h) is forbidden.
  auto f = load.forbidden_starts(T0, T0 + hours(10), hours(1), 4);
  REQUIRE(f.size() == 1);
  CHECK(f[0].from <= T0);
  CHECK(f[0].to == T0 + hours(2));
  // 2 CPUs fit beside the running job: nothing forbidden.
  CHECK(load.forbidden_starts(T0, T0 + hours(10), hours(1), 2).empty());
  // A held job booked for 03:00-04:00 closes that hour to a 4-CPU job too.
  load.add(held(T0 + hours(3), hours(1), 6), T0);
  f = load.forbidden_starts(T0, T0 + hours(10), hours(1), 4);
  REQUIRE(f.size() == 2);
  CHECK(f[1].from == T0 + hours(2) + seconds(1));
  CHECK(f[1].to == T0 + hours(4));
}

TEST_CASE("headroom, starts per minute and the slack reserve", "[capacity]") {
  CapacityRule r = rule(10);
  r.headroom_percent = 50;
  PartitionLoad load(r);
  load.add(running(T0, hours(1), 2), T0);
  // 2 busy + 4 > 5 (half of 10): the first hour is closed to a 4-CPU job.
  auto f = load.forbidden_starts(T0, T0 + hours(5), minutes(30), 4);
  REQUIRE(!f.empty());
  CHECK(f[0].to == T0 + hours(1));

  r = rule(1000);
  r.max_starts_per_minute = 3;
  PartitionLoad many(r);
  for (int i = 0; i < 3; ++i) many.add(held(T0 + hours(2), hours(1), 1), T0);
  f = many.forbidden_starts(T0, T0 + hours(5), hours(1), 1);
  REQUIRE(f.size() == 1);
  CHECK(f[0].from == T0 + hours(2));
  CHECK(f[0].to == T0 + hours(2) + minutes(1));

  r = rule(1000);
  r.slack_reserve_percent = 50;
  PartitionLoad reserve(r);
  f = reserve.forbidden_starts(T0, T0 + hours(10), hours(1), 1);
  REQUIRE(f.size() == 1);
  CHECK(f[0].from == T0 + hours(5));
  CHECK(f[0].to == T0 + hours(10) + seconds(1));
}

TEST_CASE("an unknown capacity forbids nothing", "[capacity]") {
  PartitionLoad load{CapacityRule{}};
  load.add(running(T0, hours(2), 1e6), T0);
  CHECK(load.forbidden_starts(T0, T0 + hours(10), hours(1), 4).empty());
}

TEST_CASE("jobs planned one after another with each other's bookings spread out", "[capacity]") {
  // 48 h forecast, one clean hour at +10 h, otherwise cleaner the later it gets.
  std::vector<Slot> slots;
  for (int h = 0; h < 48; ++h) {
    Slot s;
    s.start = T0 + hours(h);
    s.end = s.start + hours(1);
    s.carbon = h == 10 ? 50 : 600 - 5 * h;
    slots.push_back(s);
  }
  const SignalSeries fc(slots, "test");
  Policy pol;
  pol.objective = Objective::carbon;
  CapacityRule r = rule(8);
  std::vector<QueuedJob> bookings;
  std::vector<TimePoint> starts;
  for (int i = 0; i < 40; ++i) {
    PlanRequest req;
    req.now = T0 + seconds(i);  // 40 submissions within one minute
    req.time_limit = hours(1);
    req.deadline = req.now + hours(30);
    req.power_watts = 10;
    PartitionLoad load(r);
    for (const auto& b : bookings) load.add(b, req.now);
    Decision d =
        plan(req, fc, pol,
             load.forbidden_starts(req.now, *req.deadline - req.time_limit, req.time_limit, 1));
    starts.push_back(d.start);
    QueuedJob q = held(d.start, req.time_limit, 1);
    q.deferred_by_ebb = d.defer;  // else it waits in the queue from now
    bookings.push_back(q);
  }
  // Never more than 8 deferred jobs committed at once (the others start when asked).
  for (TimePoint t = T0; t < T0 + hours(48); t += minutes(1)) {
    int n = 0;
    for (TimePoint s : starts)
      if (s > T0 + minutes(1) && s <= t && t < s + hours(1)) ++n;
    INFO("at +" << (t - T0).count() / 60 << " min");
    REQUIRE(n <= 8);
  }
  // The clean hour is used (its first minute by 8 jobs), and the rest went elsewhere.
  int clean = 0, deferred = 0;
  for (TimePoint s : starts) {
    clean += s == T0 + hours(10);
    deferred += s > T0 + minutes(1);
  }
  CHECK(clean == 8);
  CHECK(deferred == 40);

  // A flat forecast spreads nothing: nobody is deferred.
  for (auto& s : slots) s.carbon = 300;
  const SignalSeries flat(slots, "flat");
  PartitionLoad empty(r);
  PlanRequest req;
  req.now = T0;
  req.time_limit = hours(1);
  req.deadline = T0 + hours(30);
  req.power_watts = 10;
  CHECK_FALSE(plan(req, flat, pol, empty.forbidden_starts(T0, T0 + hours(29), hours(1), 1)).defer);
}
