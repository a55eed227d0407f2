// SPDX-License-Identifier: GPL-2.0-or-later
// The online queue-slip estimate (ebb/slip.hpp): walk-forward (a wait counts only from the
// moment its job started), per size class with a fallback to all classes, and the reserve
// it gives a job's window in the capacity rule.
#include <catch2/catch.hpp>

#include "ebb/capacity.hpp"
#include "ebb/slip.hpp"

using namespace ebb;

namespace {

const TimePoint T0 = TimePoint{std::chrono::seconds{1'794'999'600}};  // a whole hour

SlipSettings few(std::size_t min_samples) {
  SlipSettings s;
  s.quantile = 1.0;  // the longest wait: makes each test's expectation exact
  s.min_samples = min_samples;
  return s;
}

}  // namespace

TEST_CASE("a wait counts only from the moment its job started", "[slip]") {
  SlipEstimator e(few(1));
  // Released at T0, started 5 h later: finished at T0 + 5 h, not before.
  e.add({T0, T0 + hours(5), 1, hours(1)});
  CHECK_FALSE(e.estimate(T0 + hours(5) - seconds(1), 1, hours(1)).has_value());
  CHECK(e.finished() == 0);
  auto at_start = e.estimate(T0 + hours(5), 1, hours(1));
  REQUIRE(at_start.has_value());
  CHECK(*at_start == hours(5));
  CHECK(e.finished() == 1);
}

TEST_CASE("an observation added out of order still waits for its start", "[slip]") {
  SlipEstimator e(few(1));
  e.add({T0, T0 + minutes(10), 1, hours(1)});
  e.add({T0, T0 + hours(9), 1, hours(1)});  // still waiting at T0 + 1 h
  auto early = e.estimate(T0 + hours(1), 1, hours(1));
  REQUIRE(early.has_value());
  CHECK(*early == minutes(10));  // the 9 h wait is not known yet
  CHECK(*e.estimate(T0 + hours(9), 1, hours(1)) == hours(9));
}

TEST_CASE("each size class has its own slip, small classes fall back to all", "[slip]") {
  SlipEstimator e(few(2));
  // Two small short jobs waited 10 and 20 minutes; two wide long ones 6 and 8 hours.
  e.add({T0, T0 + minutes(10), 1, hours(1)});
  e.add({T0, T0 + minutes(20), 1, hours(1)});
  e.add({T0, T0 + hours(6), 128, hours(48)});
  e.add({T0, T0 + hours(8), 128, hours(48)});
  const TimePoint later = T0 + hours(10);
  CHECK(*e.estimate(later, 1, hours(1)) == minutes(20));
  CHECK(*e.estimate(later, 128, hours(48)) == hours(8));
  // A class never seen: the longest over all classes.
  CHECK(*e.estimate(later, 8, hours(3)) == hours(8));
}

TEST_CASE("only the most recent waits of a class count", "[slip]") {
  SlipSettings s = few(1);
  s.window = 2;
  SlipEstimator e(s);
  e.add({T0, T0 + hours(7), 1, hours(1)});
  e.add({T0 + hours(8), T0 + hours(8) + minutes(5), 1, hours(1)});
  e.add({T0 + hours(9), T0 + hours(9) + minutes(15), 1, hours(1)});
  CHECK(*e.estimate(T0 + hours(10), 1, hours(1)) == minutes(15));
}

TEST_CASE("the predicted slip is the reserve at the end of the window", "[slip][capacity]") {
  CapacityRule r;
  r.cpus = 8;
  r.headroom_percent = 0;
  r.slack_reserve_percent = 50;  // replaced by the slip
  PartitionLoad load(r);
  const TimePoint latest = T0 + hours(20);
  auto forbidden = load.forbidden_starts(T0, latest, hours(1), 1, hours(3));
  REQUIRE(forbidden.size() == 1);
  CHECK(forbidden[0].from == latest - hours(3));
  CHECK(forbidden[0].to == latest + seconds(1));
  // Without a slip, the rule's share of the window.
  auto share = load.forbidden_starts(T0, latest, hours(1), 1);
  REQUIRE(share.size() == 1);
  CHECK(share[0].from == T0 + hours(10));
}

TEST_CASE("by time of week, a release in a busy block gets that block's slip", "[slip]") {
  SlipSettings s = few(1);
  s.by_time_of_week = true;
  SlipEstimator e(s);
  // T0 is a Wednesday 11:00 UTC; T0 + 12 h is 23:00 the same day.
  const TimePoint day = T0, night = T0 + hours(12);
  REQUIRE(SlipEstimator::time_class(day) != SlipEstimator::time_class(night));
  e.add({day, day + hours(6), 1, hours(1)});
  e.add({night, night + minutes(5), 1, hours(1)});
  const TimePoint later = T0 + hours(20);
  CHECK(*e.estimate(later, 1, hours(1), day + hours(7 * 24)) == hours(6));
  CHECK(*e.estimate(later, 1, hours(1), night + hours(7 * 24)) == minutes(5));
  // Without a release time: the class over all blocks.
  CHECK(*e.estimate(later, 1, hours(1)) == hours(6));
}
