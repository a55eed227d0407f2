// SPDX-License-Identifier: GPL-2.0-or-later
#include "ledger.hpp"

#include <algorithm>
#include <cmath>

#include "ebb/error.hpp"

namespace ebb::ledger {

GridCost grid_cost(const Actuals& actuals, TimePoint from, TimePoint to, double kwh) {
  GridCost c;
  if (to <= from) return c;
  const double total = static_cast<double>((to - from).count());
  TimePoint t = from;
  while (t < to) {
    const TimePoint hour_end = std::chrono::floor<hours>(t) + hours(1);
    const TimePoint piece_end = std::min(hour_end, to);
    const double share = kwh * static_cast<double>((piece_end - t).count()) / total;
    if (auto g = actuals(t)) {
      c.kgco2 += share * g->carbon / 1000.0;  // kWh x g/kWh -> kg
      if (std::isnan(g->price))
        c.price_complete = false;
      else
        c.cost += share * g->price / 1000.0;  // kWh x per-MWh price
    } else {
      c.carbon_complete = false;
      c.price_complete = false;
    }
    t = piece_end;
  }
  return c;
}

const char* to_string(JobStatus s) {
  switch (s) {
    case JobStatus::counted:
      return "counted";
    case JobStatus::never_started:
      return "never started";
    case JobStatus::not_planned:
      return "not planned by ebb";
    case JobStatus::bad_record:
      return "unreadable ebb record";
  }
  return "?";
}

LedgerEntry ledger_entry(AccountedJob job, const Config& config, const Actuals& actuals,
                         TimePoint now) {
  LedgerEntry e;
  e.job = std::move(job);
  try {
    e.plan = find_plan_record(e.job.admin_comment);
  } catch (const InputError& err) {
    e.status = JobStatus::bad_record;
    e.problem = err.what();
    return e;
  }
  if (!e.plan) return e;  // not_planned
  if (!e.job.start) {
    e.status = JobStatus::never_started;
    return e;
  }
  e.status = JobStatus::counted;
  const TimePoint start = *e.job.start;
  const TimePoint end = std::max(start, e.job.end.value_or(now));
  const Duration elapsed = end - start;
  if (e.job.consumed_joules && *e.job.consumed_joules > 0) {
    e.kwh = *e.job.consumed_joules / 3.6e6;
  } else {
    e.kwh = config.partition(e.job.partition).power.energy_kwh(e.job.resources, elapsed);
    e.energy_estimated = true;
  }
  e.realised = grid_cost(actuals, start, end, e.kwh);
  e.as_submitted = grid_cost(actuals, e.plan->asked, e.plan->asked + elapsed, e.kwh);
  e.planned_kgco2_saved = e.plan->kwh * (e.plan->carbon_asked - e.plan->carbon_planned) / 1000.0;
  e.added_wait = std::max(Duration{0}, start - e.plan->asked);
  return e;
}

}  // namespace ebb::ledger
