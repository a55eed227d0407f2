// SPDX-License-Identifier: GPL-2.0-or-later
// Planner speed: time per plan for a 72 h forecast at 15 min and a 7-day forecast at
// 5 min (the README's figures), and choosing among 4 candidate partitions in 4 regions
// (ebb::plan_over_partitions) against planning one. Not a test: it prints medians over
// repeated batches.
//   bench_planner [batches]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "ebb/placement.hpp"
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

// One partition (plan) against four candidates in four regions (plan_over_partitions),
// 72 h at 15 min each, a 15-minute move penalty: the target is at most 4x. The
// ratio is the median of each batch's own ratio, robust to a machine whose load changes.
// (The planner's cost depends on how the runtime meets the slots: a penalty off the
// forecast's step, say 10 min on a 15-min grid, makes those plans dearer by itself.)
void run_partitions(int batches) {
  std::mt19937_64 rng(7);
  const TimePoint now = TimePoint{std::chrono::seconds{1'795'000'000}};
  std::vector<PartitionCandidate> candidates(4);
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    candidates[k].partition = "p" + std::to_string(k);
    candidates[k].forecast = make_series(now, hours(72), minutes(15), rng);
    candidates[k].request.now = now + seconds(17);
    candidates[k].request.time_limit = hours(4);
    candidates[k].request.deadline = now + hours(72);
    candidates[k].request.power_watts = 800;
    candidates[k].move_penalty = minutes(15);
  }
  Policy pol{Objective::balanced, 100, 5};
  const int per_batch = 2000;
  std::vector<double> one, four, ratio;
  volatile long long sink = 0;
  for (int b = 0; b < batches; ++b) {
    auto t0 = Clock::now();
    for (int i = 0; i < per_batch; ++i) {
      candidates[0].request.now = now + seconds(17 + i % 600);
      sink =
          sink +
          plan(candidates[0].request, candidates[0].forecast, pol).start.time_since_epoch().count();
    }
    auto t1 = Clock::now();
    for (int i = 0; i < per_batch; ++i) {
      for (auto& c : candidates) c.request.now = now + seconds(17 + i % 600);
      sink = sink + static_cast<long long>(plan_over_partitions(candidates, pol)->index);
    }
    auto t2 = Clock::now();
    one.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / per_batch);
    four.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count() / per_batch);
    ratio.push_back(four.back() / one.back());  // per batch: both under the same load
  }
  std::printf("\n| partitions (72 h at 15 min each) | median/plan | ratio |\n");
  std::printf("|----------------------------------|-------------|-------|\n");
  std::printf("| 1 (plan)                         | %8.2f us |  1.00 |\n", median(one));
  std::printf("| 4 (plan_over_partitions)         | %8.2f us | %5.2f |\n", median(four),
              median(ratio));
}

}  // namespace

int main(int argc, char** argv) {
  int batches = argc > 1 ? std::atoi(argv[1]) : 31;
  std::printf("| forecast                   |  slots | median/plan | best/plan |\n");
  std::printf("|----------------------------|--------|-------------|-----------|\n");
  run("72 h at 15 min", hours(72), minutes(15), batches);
  run("7 days at 5 min", hours(24 * 7), minutes(5), batches);
  run("7 days at 1 h", hours(24 * 7), hours(1), batches);
  run_partitions(batches);
  return 0;
}
