// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/replan.hpp"

#include <algorithm>
#include <cmath>

#include "ebb/error.hpp"

namespace ebb {

namespace {

bool inside(const std::vector<Interval>& intervals, TimePoint t) {
  for (const Interval& i : intervals)
    if (i.from <= t && t < i.to) return true;
  return false;
}

// The first moment from `from` on at which the projection of `load` leaves `cpus` CPUs free
// in the whole partition (no headroom): when a job eligible at `from` could start.
TimePoint first_room(const PartitionLoad& load, TimePoint now, TimePoint from, double cpus) {
  const double cap = load.rule().cpus;
  if (cap <= 0) return from;
  const double need = std::min(cpus, cap);
  const auto steps = load.projected(now);
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const TimePoint end = k + 1 < steps.size() ? steps[k + 1].first : TimePoint::max();
    if (end <= from) continue;
    if (steps[k].second + need <= cap + 1e-9) return std::max(from, steps[k].first);
  }
  return from;  // the projection always drains to what is asked: not reached
}

}  // namespace

std::optional<Replan> replan(const HeldJob& job, TimePoint now, const PartitionLoad& others,
                             const SignalSeries& forecast, const Policy& policy,
                             const ReplanRule& rule) {
  const PlanRecord& r = job.record;
  if (r.moves >= rule.max_moves) return std::nullopt;
  if (r.planned <= now) return std::nullopt;  // eligible already: Slurm has it
  if (r.latest_start < now) return std::nullopt;

  PlanRequest request;
  request.now = now;
  if (r.asked > now) request.earliest_start = r.asked;
  request.deadline = r.latest_start + job.time_limit;
  request.time_limit = job.time_limit;
  request.expected_runtime = job.expected_runtime;
  request.power_watts = job.power_watts;
  const Duration window = std::min(job.expected_runtime.value_or(job.time_limit), job.time_limit);
  const auto forbidden = others.forbidden_starts(now, r.latest_start, window, job.cpus, job.slip);

  Policy any_gain = policy;
  any_gain.min_saving_percent = 0;
  Decision best;
  try {
    best = plan(request, forecast, any_gain, forbidden);
  } catch (const InputError&) {
    return std::nullopt;  // no start left that meets the deadline: leave it to Slurm
  }
  const TimePoint candidate = best.defer ? best.start : best.baseline.start;
  if (candidate == r.planned) return std::nullopt;

  if (rule.move_when_full && inside(forbidden, r.planned)) {
    return Replan{candidate, "the partition is expected full at the planned start", best};
  }
  if (rule.move_when_slip_late && job.slip && r.planned + *job.slip > r.latest_start) {
    return Replan{candidate, "its predicted wait in the queue would pass its latest start", best};
  }
  if (rule.move_when_at_risk && first_room(others, now, r.planned, job.cpus) > r.latest_start) {
    return Replan{candidate, "the job would wait past its latest start", best};
  }
  // A move for gain goes only where a deferred start may go. The planner always allows the
  // baseline start (now), since a job may always start when its user asked; a held job
  // released for gain is a deferred start like any other, and releasing many at one refresh
  // would fill the minute and the partition that the capacity rule keeps.
  if (inside(forbidden, candidate)) return std::nullopt;
  // The objective at the planned start: a plan with only that start allowed.
  PlanRequest pinned = request;
  pinned.earliest_start = r.planned;
  pinned.deadline = r.planned + job.time_limit;
  Decision current;
  try {
    current = plan(pinned, forecast, any_gain);
  } catch (const InputError&) {
    return std::nullopt;
  }
  const double now_value = current.baseline.objective;
  const double new_value = best.defer ? best.chosen.objective : best.baseline.objective;
  const Duration shift = candidate > r.planned ? candidate - r.planned : r.planned - candidate;
  if (shift < rule.min_shift || !(now_value > 0)) return std::nullopt;
  if (100.0 * (now_value - new_value) / now_value < rule.min_gain_percent) return std::nullopt;
  return Replan{candidate, "a better window opened", best};
}

}  // namespace ebb
