#include "experiments.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "ebb/error.hpp"
#include "ebb/planner.hpp"
#include "engine.hpp"
#include "forecast.hpp"

namespace ebb::replay {

namespace {

Policy carbon_no_threshold() {
  Policy p;
  p.objective = Objective::carbon;
  p.min_saving_percent = 0;
  return p;
}

TimePoint best_start(TimePoint earliest, TimePoint deadline, Duration length,
                     const SignalSeries& forecast) {
  PlanRequest r;
  r.now = earliest;
  r.deadline = deadline;
  r.time_limit = length;
  r.power_watts = 1;
  Decision d = plan(r, forecast, carbon_no_threshold());
  return d.defer ? d.start : earliest;
}

}  // namespace

NightlyResult lwa_nightly(const Grid& grid, const std::vector<Duration>& windows) {
  NightlyResult out;
  const TimePoint year = parse_iso8601("2020-01-01T00:00:00Z");
  const Duration job = minutes(30);
  for (Duration w : windows) {
    double sum = 0;
    std::size_t n = 0;
    for (int day = 0; day < 365; ++day) {
      const TimePoint arrival = year + hours(24 * day) + hours(1);
      const TimePoint earliest = arrival - w;
      if (earliest < grid.begin()) continue;  // simulate.py: time_until_arrival < 0
      const TimePoint latest = arrival + w;
      // Only the slots of this window: plan() is linear in the slots it is given.
      SignalSeries window(grid.slots_between(earliest, latest + job), grid.source());
      TimePoint s = best_start(earliest, latest + job, job, window);
      sum += grid.mean_carbon(s, s + job);
      ++n;
    }
    out.windows.push_back(w);
    out.score.push_back(sum / 365.0);
    out.jobs.push_back(n);
  }
  for (double s : out.score)
    out.reduction_pct.push_back(
        out.score.empty() || out.score[0] == 0 ? 0 : 100.0 * (1 - s / out.score[0]));
  return out;
}

}  // namespace ebb::replay

namespace ebb::replay {

UpperBoundResult temporal_upper_bound(const Grid& hourly, Duration job, Duration slack,
                                      std::size_t n_starts) {
  UpperBoundResult out;
  const TimePoint data_end = hourly.end();
  double sum_base = 0, sum_best = 0;
  std::size_t n = 0;
  const std::vector<Slot>& slots = hourly.slots();
  for (std::size_t k = 0; k < n_starts && k < slots.size(); ++k) {
    const TimePoint t = slots[k].start;
    if (t + job > data_end) break;
    const TimePoint deadline = std::min(t + slack + job, data_end);
    SignalSeries window(hourly.slots_between(t, deadline), hourly.source());
    const TimePoint s = best_start(t, deadline, job, window);
    sum_base += hourly.mean_carbon(t, t + job);
    sum_best += hourly.mean_carbon(s, s + job);
    ++n;
  }
  if (n == 0) return out;
  out.mean_baseline = sum_base / static_cast<double>(n);
  out.abs_saving = (sum_base - sum_best) / static_cast<double>(n);
  out.reduction_pct = sum_base > 0 ? 100.0 * (1 - sum_best / sum_base) : 0;
  return out;
}

}  // namespace ebb::replay
