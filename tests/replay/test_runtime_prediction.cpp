// SPDX-License-Identifier: GPL-2.0-or-later
// Runtime prediction in the replay: learned online, never from a job that had not ended
// by the submission, and still right after the trace is moved onto the grid.
#include <catch2/catch.hpp>

#include "engine.hpp"
#include "runtime.hpp"

using namespace ebb;
using namespace ebb::replay;

namespace {

const TimePoint T0 = parse_iso8601("2002-07-29T00:00Z");

TraceJob job(int submit_h, int start_h, double run_h, double limit_h) {
  TraceJob j;
  j.id = std::to_string(submit_h);
  j.submit = T0 + hours(submit_h);
  j.recorded_start = T0 + hours(start_h);
  j.runtime = Duration{static_cast<long long>(run_h * 3600)};
  j.requested = Duration{static_cast<long long>(limit_h * 3600)};
  j.user = "7";
  j.name = "3";
  j.partition = "1";
  return j;
}

}  // namespace

TEST_CASE("online prediction learns only from jobs that ended before each submission",
          "[runtime]") {
  // Job 0 runs 1 h of a 4 h limit (ends at 1 h). Job 1 is submitted at 0:30, before that:
  // it gets the limit. Job 2 at 2 h sees job 0; job 3 at 2 h too, but job 1 (still running
  // until 3 h) is not seen.
  std::vector<TraceJob> jobs{job(0, 0, 1, 4), job(0, 0, 3, 4), job(2, 2, 2, 4), job(2, 2, 1, 4)};
  jobs[1].submit = T0 + minutes(30);
  jobs[1].recorded_start = jobs[1].submit;
  const OnlinePredictions p = predict_online(jobs);
  CHECK(p.expected[0] == hours(4));
  CHECK(p.expected[1] == hours(4));
  CHECK(p.expected[2] == hours(1));
  CHECK(p.expected[3] == hours(1));
  // Accuracy: min/max per job; the limits' is runtime / limit.
  CHECK(p.accuracy.user_accuracy == Approx((0.25 + 0.75 + 0.5 + 0.25) / 4));
  CHECK(p.accuracy.accuracy == Approx((0.25 + 0.75 + 0.5 + 1.0) / 4));
  CHECK(p.accuracy.underestimated == Approx(0.25));  // job 2: 1 h predicted, ran 2 h
}

TEST_CASE("moving a trace onto the grid moves its recorded starts too", "[runtime]") {
  // A 2002 log replayed on 2022's grid: were the recorded starts left in 2002, every job
  // would look finished before the first submission and the predictor would see the future.
  Trace trace;
  trace.jobs = {job(0, 1, 1, 4), job(5, 6, 1, 4)};
  std::vector<Slot> slots;
  const TimePoint g0 = parse_iso8601("2022-01-03T00:00Z");
  for (int h = 0; h < 24 * 14; ++h) slots.push_back({g0 + hours(h), g0 + hours(h + 1), 100});
  Grid grid(std::move(slots), false, "test grid");
  const Duration shift = map_onto_grid(trace, grid, std::nullopt);
  REQUIRE(shift != Duration{0});
  CHECK(*trace.jobs[0].recorded_start - trace.jobs[0].submit == hours(1));
  CHECK(*trace.jobs[1].recorded_start == T0 + hours(6) + shift);
}
