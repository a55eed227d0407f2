// SPDX-License-Identifier: GPL-2.0-or-later
// Forecast quality where it matters to the planner: walk-forward on every zone
// of the 2022 hourly table, each forecaster fed only the past.
//   MAPE      day-ahead forecast issued at 00 UTC for the 24 h of that day
//   Spearman  rank correlation of that forecast with the day's actuals (the planner
//             only needs the ranking of hours)
//   saving    one 1 h job an hour for the year, 24 h slack, carbon objective, no
//             threshold, unlimited cores: CO2 cut planning on the forecast / cut with a
//             perfect forecast (ebb replay's engine)
// Medians over zones. Targets for ebbd's forecaster: MAPE <= 10 %, Spearman >= 0.8,
// saving >= 0.85.
// Usage: bench_forecast [--ebbd-only] [table.csv[.gz] [zone ...]]; default: the shipped 123-zone
// table.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ebb/forecast_error.hpp"
#include "engine.hpp"
#include "forecast.hpp"
#include "grid.hpp"

using namespace ebb;
using namespace ebb::replay;

namespace {

double median(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Score {
  double mape = 0, spearman = 0, saving = 0;
};

std::vector<ForecastKind> kKinds{ForecastKind::ebbd, ForecastKind::weekly_median,
                                 ForecastKind::yesterday};

struct ZoneResult {
  std::string row;            // the printed line
  std::vector<Score> scores;  // per forecaster; empty: skipped
};

ZoneResult run_zone(const PointSeries& z, const std::string& name) {
  ZoneResult out;
  const Grid grid(points_to_slots(z), false, z.source);
  if (grid.empty()) return out;
  // The trace: one 1 h job an hour from the grid's first midnight to a day before its end.
  std::vector<TraceJob> jobs;
  for (TimePoint t = grid.begin(); t + hours(48) <= grid.end(); t += hours(1)) {
    TraceJob j;
    j.id = std::to_string(jobs.size());
    j.submit = t;
    j.runtime = j.requested = hours(1);
    jobs.push_back(j);
  }
  ReplayConfig cfg;
  cfg.policies = {PolicyKind::baseline, PolicyKind::ebb};
  cfg.deadline = parse_deadline_rule("slack:24h");
  cfg.ebb_policy.objective = Objective::carbon;
  cfg.ebb_policy.min_saving_percent = 0;
  const double perfect = run_replay(jobs, grid, cfg).find(PolicyKind::ebb)->reduction_pct;
  char buf[128];
  std::snprintf(buf, sizeof buf, "%-28s %8.2f", name.c_str(), perfect);
  out.row = buf;
  for (ForecastKind kind : kKinds) {
    ForecastOptions fo;
    fo.kind = kind;
    const Forecaster f(grid, fo);
    std::vector<double> ape, rho;
    // Day-ahead quality from the 29th day (weeks of history for every forecaster).
    for (TimePoint day = grid.begin() + hours(24 * 28); day + hours(24) <= grid.end();
         day += hours(24)) {
      const SignalSeries view = f.view(day, day, day + hours(24));
      std::vector<double> fc, actual;
      for (const Slot& s : view.slots()) {
        const double a = grid.carbon_at(s.start);
        fc.push_back(s.carbon);
        actual.push_back(a);
        if (a > 0) ape.push_back(std::abs(s.carbon - a) / a);
      }
      rho.push_back(spearman(fc, actual));
    }
    cfg.forecast = fo;
    const double cut = run_replay(jobs, grid, cfg).find(PolicyKind::ebb)->reduction_pct;
    Score s;
    double sum = 0;
    for (double x : ape) sum += x;
    s.mape = ape.empty() ? std::nan("") : 100 * sum / static_cast<double>(ape.size());
    s.spearman = median(rho);
    s.saving = perfect > 0.5 ? cut / perfect : std::nan("");  // a flat grid has no cut
    out.scores.push_back(s);
    std::snprintf(buf, sizeof buf, " | %6.2f%% %6.3f %6.3f", s.mape, s.spearman, s.saving);
    out.row += buf;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  // --ebbd-only: ebbd's forecaster alone (a third of the time, to try a change).
  if (argc > 1 && std::string(argv[1]) == "--ebbd-only") {
    kKinds = {ForecastKind::ebbd};
    --argc, ++argv;
  }
  std::string path = argc > 1 ? argv[1]
                              : std::string(EBB_SOURCE_DIR) +
                                    "/tests/data/replay/em_ci_lca_2022_hourly_123zones.csv.gz";
  std::vector<std::string> only(argv + std::min(argc, 2), argv + argc);
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<PointSeries> zones = read_wide_csv_all(path);
  std::vector<std::string> names;
  std::vector<const PointSeries*> todo;
  for (const PointSeries& z : zones) {
    std::string name = z.source.substr(z.source.rfind(' ') + 1);
    if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) continue;
    names.push_back(std::move(name));
    todo.push_back(&z);
  }
  std::printf("%-28s %8s | %7s %6s %6s | %7s %6s %6s | %7s %6s %6s\n", "zone", "perfect%", "ebbd",
              "rho", "save", "wk-med", "rho", "save", "yday", "rho", "save");
  std::fflush(stdout);
  // Zones are independent: two at a time (the machine's two cores), rows as they finish.
  std::vector<ZoneResult> results(todo.size());
  std::atomic<std::size_t> next{0};
  std::mutex print;
  auto worker = [&] {
    for (std::size_t i; (i = next++) < todo.size();) {
      results[i] = run_zone(*todo[i], names[i]);
      if (results[i].scores.empty()) continue;
      std::lock_guard<std::mutex> lock(print);
      std::printf("%s\n", results[i].row.c_str());
      std::fflush(stdout);
    }
  };
  std::vector<std::thread> threads;
  const unsigned n = std::clamp(std::thread::hardware_concurrency(), 1u, 2u);
  for (unsigned t = 0; t < n; ++t) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  std::vector<std::vector<Score>> scores(kKinds.size());
  for (const ZoneResult& r : results)
    for (std::size_t k = 0; k < r.scores.size(); ++k) scores[k].push_back(r.scores[k]);
  std::printf("\nMedian over %zu zones (walk-forward, fed only the past):\n", scores[0].size());
  std::printf("%-16s %8s %14s %14s\n", "forecaster", "MAPE %", "daily Spearman", "saving ratio");
  for (std::size_t k = 0; k < kKinds.size(); ++k) {
    std::vector<double> m, r, s;
    for (const Score& x : scores[k])
      m.push_back(x.mape), r.push_back(x.spearman), s.push_back(x.saving);
    std::printf("%-16s %8.2f %14.3f %14.3f\n", to_string(kKinds[k]).c_str(), median(m), median(r),
                median(s));
  }
  std::printf("targets for ebbd: MAPE <= 10, Spearman >= 0.8, saving >= 0.85; %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return 0;
}
