// SPDX-License-Identifier: GPL-2.0-or-later
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

double hours_of_d(Duration d) { return static_cast<double>(d.count()) / 3600.0; }

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
  // Each plan gets only its window's slots: plan() is linear in the slots it is given.
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

namespace ebb::replay {

std::vector<MlJob> lwa_ml_jobs(std::uint64_t seed, std::size_t n) {
  // simulate.py generate_batch_jobs: a multinomial count of jobs per workday of 2020 (each
  // job on a uniformly chosen workday), start minutes uniform over range(540, 1020, 30),
  // durations uniform over range(240, 5400, 30) minutes.
  std::mt19937_64 rng(seed);
  const TimePoint year = parse_iso8601("2020-01-01T00:00:00Z");
  std::vector<TimePoint> workdays;
  for (int d = 0; d < 366; ++d) {
    TimePoint day = year + hours(24 * d);
    auto days = std::chrono::floor<std::chrono::days>(day).time_since_epoch().count();
    int wd = static_cast<int>(((days % 7) + 7 + 3) % 7);  // Monday = 0
    if (wd <= 4) workdays.push_back(day);
  }
  std::uniform_int_distribution<std::size_t> pick_day(0, workdays.size() - 1);
  std::uniform_int_distribution<int> pick_start(0, 15);    // 09:00 .. 16:30
  std::uniform_int_distribution<int> pick_length(0, 171);  // 4 h .. 89.5 h
  std::vector<MlJob> jobs(n);
  for (auto& j : jobs) {
    j.submit = workdays[pick_day(rng)] + minutes(540 + 30 * pick_start(rng));
  }
  for (auto& j : jobs) j.length = minutes(240 + 30 * pick_length(rng));
  std::sort(jobs.begin(), jobs.end(),
            [](const MlJob& a, const MlJob& b) { return a.submit < b.submit; });
  return jobs;
}

MlResult lwa_ml_training(const Grid& grid, const std::vector<MlJob>& jobs, double noise_fraction,
                         int repetitions) {
  MlResult out;
  out.jobs = jobs.size();
  DeadlineRule rule;
  rule.kind = DeadlineKind::lwa_next_workday;
  double base = 0;
  for (const MlJob& j : jobs)
    base += grid.mean_carbon(j.submit, j.submit + j.length) * hours_of_d(j.length);
  double sum_reduction = 0;
  for (int rep = 0; rep < repetitions; ++rep) {
    ForecastOptions fo;
    fo.kind = noise_fraction > 0 ? ForecastKind::noisy : ForecastKind::perfect;
    fo.noise_fraction = noise_fraction;
    fo.seed = static_cast<std::uint64_t>(rep);
    Forecaster forecaster(grid, fo);
    double shifted = 0;
    for (const MlJob& j : jobs) {
      TraceJob t;
      t.submit = j.submit;
      t.runtime = t.requested = j.length;
      const TimePoint deadline = rule.deadline(t);
      TimePoint s =
          best_start(j.submit, deadline, j.length, forecaster.view(j.submit, j.submit, deadline));
      shifted += grid.mean_carbon(s, s + j.length) * hours_of_d(j.length);
    }
    sum_reduction += 100.0 * (1 - shifted / base);
  }
  out.reduction_pct = sum_reduction / repetitions;
  return out;
}

}  // namespace ebb::replay
