// SPDX-License-Identifier: GPL-2.0-or-later
// Planner speed: time per plan for a 72 h forecast at 15 min and a 7-day forecast at
// 5 min (the README's figures). Not a test: it prints medians over repeated batches.
//   bench_planner [batches]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "ebb/planner.hpp"

using namespace ebb;
using Clock = std::chrono::steady_clock;

namespace {

SignalSeries make_series(TimePoint start, Duration horizon, Duration step, std::mt19937_64& rng) {
  std::normal_distribution<double> noise(0, 25);
  std::vector<Slot> slots;
  for (TimePoint t = start; t < start + horizon; t += step) {
    double hour = static_cast<double>((t.time_since_epoch().count() / 3600) % 24);
    double carbon = std::max(10.0, 250 + 90 * std::sin(hour / 24 * 6.2832) + noise(rng));
    slots.push_back({t, t + step, carbon, 60 + carbon / 5});
  }
  return SignalSeries(std::move(slots), "bench");
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void run(const char* name, Duration horizon, Duration step, int batches) {
  std::mt19937_64 rng(42);
  const TimePoint now = TimePoint{std::chrono::seconds{1'795'000'000}};
  SignalSeries fc = make_series(now, horizon, step, rng);
  PlanRequest req;
  req.now = now + seconds(17);
  req.time_limit = hours(4);
  req.deadline = now + horizon;
  req.power_watts = 800;
  Policy pol{Objective::balanced, 100, 5};
  const int per_batch = 2000;
  std::vector<double> us;
  volatile long long sink = 0;
  for (int b = 0; b < batches; ++b) {
    auto t0 = Clock::now();
    for (int i = 0; i < per_batch; ++i) {
      req.now = now + seconds(17 + i % 600);
      sink = sink + plan(req, fc, pol).start.time_since_epoch().count();
    }
    auto t1 = Clock::now();
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / per_batch);
  }
  std::printf("| %-26s | %6zu | %8.2f us | %8.2f us |\n", name, fc.size(), median(us),
              *std::min_element(us.begin(), us.end()));
}

}  // namespace

int main(int argc, char** argv) {
  int batches = argc > 1 ? std::atoi(argv[1]) : 31;
  std::printf("| forecast                   |  slots | median/plan | best/plan |\n");
  std::printf("|----------------------------|--------|-------------|-----------|\n");
  run("72 h at 15 min", hours(72), minutes(15), batches);
  run("7 days at 5 min", hours(24 * 7), minutes(5), batches);
  run("7 days at 1 h", hours(24 * 7), hours(1), batches);
  return 0;
}
