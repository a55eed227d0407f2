// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/placement.hpp"

#include <cmath>

#include "ebb/error.hpp"

namespace ebb {

namespace {

void add_penalty(Duration& time_limit, std::optional<Duration>& expected_runtime,
                 Duration penalty) {
  if (penalty <= Duration{0}) return;
  time_limit += penalty;
  if (expected_runtime) *expected_runtime += penalty;
}

}  // namespace

PlanRequest with_move_penalty(PlanRequest request, Duration penalty) {
  add_penalty(request.time_limit, request.expected_runtime, penalty);
  return request;
}

PlanQuery with_move_penalty(PlanQuery query, Duration penalty) {
  add_penalty(query.job.time_limit, query.expected_runtime, penalty);
  return query;
}

Decision with_move_energy(Decision d, double kwh) {
  if (kwh <= 0 || d.energy_kwh <= 0) return d;
  const double factor = 1.0 + kwh / d.energy_kwh;
  for (Impact* im : {&d.chosen, &d.baseline}) {
    im->grams_co2 *= factor;
    im->objective *= factor;
    if (!std::isnan(im->cost)) im->cost *= factor;
  }
  d.energy_kwh += kwh;
  return d;
}

std::optional<std::size_t> best_placement(const std::vector<std::optional<Decision>>& decisions,
                                          double min_saving_percent) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    if (!decisions[i]) continue;
    if (!best) {
      best = i;
      continue;
    }
    const double here = decisions[i]->chosen.objective;
    const double incumbent = decisions[*best]->chosen.objective;
    // Leaving home must gain the threshold over home's own best plan.
    const double bar = *best == 0 && decisions[0]
                           ? incumbent - std::abs(incumbent) * min_saving_percent / 100.0
                           : incumbent;
    if (here < bar) best = i;
  }
  return best;
}

std::optional<Placement> plan_over_partitions(const std::vector<PartitionCandidate>& candidates,
                                              const Policy& policy) {
  Placement out;
  std::vector<std::optional<Decision>> decisions(candidates.size());
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const PartitionCandidate& c = candidates[i];
    if (c.forecast.empty()) {
      out.skipped.push_back(c.partition + ": no forecast for its region");
      continue;
    }
    try {
      const PlanRequest r = i == 0 ? c.request : with_move_penalty(c.request, c.move_penalty);
      Decision d = plan(r, c.forecast, policy, c.forbidden);
      if (d.chosen.covered < 1.0) {
        out.skipped.push_back(c.partition + ": its forecast does not cover the run");
        continue;
      }
      decisions[i] = i == 0 ? std::move(d) : with_move_energy(std::move(d), c.move_energy_kwh);
    } catch (const InputError& e) {
      out.skipped.push_back(c.partition + ": " + e.what());
    }
  }
  auto best = best_placement(decisions, policy.min_saving_percent);
  if (!best) return std::nullopt;
  out.index = *best;
  out.decision = std::move(*decisions[*best]);
  return out;
}

}  // namespace ebb
