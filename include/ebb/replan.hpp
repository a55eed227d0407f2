// SPDX-License-Identifier: GPL-2.0-or-later
// Re-planning a job ebb has already deferred: when a forecast refresh or the queue changes
// its best window materially, move its begin time, never past its latest start.
//
// A plan made at submit time knows the forecast and the queue of that moment. Both change
// while the job is held: the forecast is refreshed, other jobs finish early or arrive, and
// the window ebb chose may now be expected full (the job would start late and could miss
// its deadline) or a cleaner one may have opened. ebbd calls this for each held job after a
// refresh, with the partition's load less the job's own booking; the replay calls the same
// function at the same moments, so that it predicts what ebbd will do.
//
// Rules (ReplanRule): a job is moved at most `max_moves` times; it is moved when its
// planned start is now forbidden (the partition is expected full then, or it is inside
// the slack reserve), or when the new start is better by at least `min_gain_percent` of
// its objective and at least `min_shift` away, to a start a deferred job may take (not a
// forbidden one, now included). The new start obeys everything the first plan did: not
// before the start the user asked for, not after the latest start.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ebb/capacity.hpp"
#include "ebb/plan_record.hpp"
#include "ebb/planner.hpp"
#include "ebb/signal.hpp"

namespace ebb {

struct HeldJob {
  PlanRecord record;  // asked, planned (its begin time now), latest start, objective, moves
  Duration time_limit{3600};
  std::optional<Duration> expected_runtime;
  double cpus = 1;
  double power_watts = 0;
  // The queue wait predicted for it once released (ebb/slip.hpp): the reserve at the end
  // of its window instead of the rule's slack reserve share.
  std::optional<Duration> slip;
};

struct ReplanRule {
  std::uint32_t max_moves = 3;
  double min_gain_percent = 5;
  Duration min_shift = minutes(15);
  // Move a job whose planned start is now forbidden (expected full, or inside the slack
  // reserve) whatever the gain. Off: such a job moves only for a better window, as any
  // other, and otherwise waits for the room it was planned into.
  bool move_when_full = true;
  // Move a job that, by the projection of the others' load, could not start by its latest
  // start if it became eligible at its planned start (its deadline is at risk), whatever
  // the gain. Looser than move_when_full, which also keeps the headroom free.
  bool move_when_at_risk = false;
  // Move a job (with HeldJob::slip) whose planned start plus its predicted slip is past its
  // latest start, whatever the gain: released there it would likely start too late.
  bool move_when_slip_late = false;
};

struct Replan {
  TimePoint begin;     // the new begin time (now: release the job)
  std::string reason;  // one short sentence, for ebbd's log and `ebb why`
  Decision decision;   // the plan behind it
};

// nullopt: leave the job where it is. `others` is the partition's load without this job.
std::optional<Replan> replan(const HeldJob& job, TimePoint now, const PartitionLoad& others,
                             const SignalSeries& forecast, const Policy& policy,
                             const ReplanRule& rule);

}  // namespace ebb
