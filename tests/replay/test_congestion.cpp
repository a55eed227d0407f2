// SPDX-License-Identifier: GPL-2.0-or-later
// Congestion prices in the replay (--congestion duals): held jobs are planned on the
// forecast plus the prices of the last re-plan; where nothing is crowded, nothing changes.
#include <catch2/catch.hpp>

#include "engine.hpp"

using namespace ebb;
using namespace ebb::replay;

namespace {

const TimePoint T0 = parse_iso8601("2022-03-07T00:00Z");  // a Monday

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

// n one-core jobs of one hour, a minute apart, each with 20 h of slack.
std::vector<TraceJob> one_core_jobs(int n) {
  std::vector<TraceJob> out;
  for (int i = 0; i < n; ++i) {
    TraceJob j;
    j.id = std::to_string(i + 1);
    j.submit = T0 + minutes(i);
    j.runtime = hours(1);
    j.requested = hours(1);
    j.cores = 1;
    j.deadline = j.submit + hours(21);
    out.push_back(j);
  }
  return out;
}

ReplayConfig config(CongestionMode mode) {
  ReplayConfig cfg;
  cfg.sim.cores = 4;
  cfg.sim.age_from_submit = true;
  cfg.deadline = parse_deadline_rule("trace");
  cfg.ebb_policy.objective = Objective::carbon;
  cfg.policies = {PolicyKind::ebb};
  cfg.capacity.headroom_percent = 0;
  cfg.capacity.slack_reserve_percent = 0;
  cfg.congestion = mode;
  cfg.threads = 1;
  return cfg;
}

std::vector<TimePoint> starts(const std::vector<TraceJob>& jobs, const Grid& grid,
                              CongestionMode mode) {
  const ReplayResult r = run_replay(jobs, grid, config(mode));
  const PolicyResult* ebb = r.find(PolicyKind::ebb);
  REQUIRE(ebb);
  return ebb->start;
}

}  // namespace

TEST_CASE("a flat forecast: congestion prices defer nothing", "[congestion]") {
  const Grid flat = hourly(3, [](int) { return 300.0; });
  const auto jobs = one_core_jobs(12);
  const auto priced = starts(jobs, flat, CongestionMode::duals);
  CHECK(priced == starts(jobs, flat, CongestionMode::off));
  for (std::size_t i = 0; i < jobs.size(); ++i) CHECK(priced[i] < jobs[i].submit + hours(3));
}

TEST_CASE("a clean hour with room to spare: prices change no plan", "[congestion]") {
  // 03:00 is clean; three jobs on four cores all fit into it.
  const Grid grid = hourly(3, [](int h) { return h == 3 ? 100.0 : 300.0; });
  const auto jobs = one_core_jobs(3);
  const auto priced = starts(jobs, grid, CongestionMode::duals);
  CHECK(priced == starts(jobs, grid, CongestionMode::off));
  for (TimePoint s : priced) CHECK(s == T0 + hours(3));
}
