// SPDX-License-Identifier: GPL-2.0-or-later
// Congestion prices: the capacity duals of the held jobs' min-cost flow, and the forecast
// the planner sees with them.
#include <catch2/catch.hpp>

#include "ebb/congestion.hpp"
#include "ebb/planner.hpp"

using namespace ebb;

namespace {

const TimePoint T0 = TimePoint{std::chrono::seconds{1'794'999'600}};  // a whole hour

// Hourly carbon from T0, no prices.
SignalSeries hourly(const std::vector<double>& carbon) {
  std::vector<Slot> slots;
  for (std::size_t h = 0; h < carbon.size(); ++h) {
    Slot s;
    s.start = T0 + hours(static_cast<int>(h));
    s.end = s.start + hours(1);
    s.carbon = carbon[h];
    slots.push_back(s);
  }
  return SignalSeries(std::move(slots), "test");
}

Policy carbon_policy() {
  Policy p;
  p.objective = Objective::carbon;
  p.min_saving_percent = 0;
  return p;
}

// n one-CPU, one-hour jobs that may start anywhere in the first `hours_window` hours.
std::vector<FlexibleJob> jobs(int n, int hours_window) {
  std::vector<FlexibleJob> out;
  for (int i = 0; i < n; ++i) out.push_back({T0, T0 + hours(hours_window - 1), hours(1), 1.0});
  return out;
}

const std::vector<std::pair<TimePoint, double>> kIdle{{T0, 0.0}};

}  // namespace

TEST_CASE("a flat forecast prices nothing and spreads nothing", "[congestion]") {
  const auto flat = hourly(std::vector<double>(12, 300));
  // Twenty jobs on four CPUs: the hours fill, but none is worth more than another.
  const auto prices = CongestionPrices::solve(T0, flat, kIdle, 4, jobs(20, 8), carbon_policy());
  REQUIRE(prices.hours().size() == 12);
  for (double p : prices.prices()) CHECK(p == Approx(0).margin(1e-9));
  const auto priced = priced_forecast(flat, prices, carbon_policy());
  REQUIRE(priced.size() == flat.size());
  for (std::size_t k = 0; k < priced.size(); ++k)
    CHECK(priced.slots()[k].carbon == flat.slots()[k].carbon);
  PlanRequest r;
  r.now = T0;
  r.deadline = T0 + hours(8);
  r.time_limit = hours(1);
  r.power_watts = 100;
  CHECK_FALSE(plan(r, priced, carbon_policy()).defer);
}

TEST_CASE("a full clean hour gets a price, one with room to spare does not", "[congestion]") {
  // Hour 2 is clean (100), hour 5 next best (200), the rest 300.
  const auto f = hourly({300, 300, 100, 300, 300, 200, 300, 300});
  SECTION("room to spare") {
    const auto prices = CongestionPrices::solve(T0, f, kIdle, 4, jobs(3, 8), carbon_policy());
    for (double p : prices.prices()) CHECK(p == Approx(0).margin(1e-6));
    for (TimePoint s : prices.first_hours()) CHECK(s == T0 + hours(2));
  }
  SECTION("full") {
    // Six jobs on four CPUs: four fit in the clean hour, two go to hour 5. One more CPU-hour
    // in hour 2 would save 200 - 100 of carbon: the price.
    const auto prices = CongestionPrices::solve(T0, f, kIdle, 4, jobs(6, 8), carbon_policy());
    CHECK(prices.price_at(T0 + hours(2)) == Approx(100).epsilon(1e-3));
    CHECK(prices.price_at(T0 + hours(5)) == Approx(0).margin(1e-6));
    CHECK(prices.price_at(T0 + hours(1)) == Approx(0).margin(1e-6));
    int in_clean = 0, in_next = 0;
    for (TimePoint s : prices.first_hours()) {
      in_clean += s == T0 + hours(2);
      in_next += s == T0 + hours(5);
    }
    CHECK(in_clean == 4);
    CHECK(in_next == 2);
    // Priced, the clean hour is worth no more than the next best to the next job.
    const auto priced = priced_forecast(f, prices, carbon_policy());
    CHECK(priced.at(T0 + hours(2))->carbon == Approx(200).epsilon(1e-3));
    CHECK(priced.at(T0 + hours(5))->carbon == 200);
  }
  SECTION("the committed load takes the room") {
    // Three of the four CPUs busy all day: one job fits in the clean hour.
    const std::vector<std::pair<TimePoint, double>> busy{{T0, 3.0}};
    const auto prices = CongestionPrices::solve(T0, f, busy, 4, jobs(2, 8), carbon_policy());
    CHECK(prices.price_at(T0 + hours(2)) == Approx(100).epsilon(1e-3));
  }
}

TEST_CASE("priced slots are split where a price changes inside them", "[congestion]") {
  // One two-hour slot over a clean hour that is full and a free one.
  std::vector<Slot> slots(1);
  slots[0].start = T0;
  slots[0].end = T0 + hours(2);
  slots[0].carbon = 100;
  Slot later;
  later.start = T0 + hours(2);
  later.end = T0 + hours(3);
  later.carbon = 150;
  slots.push_back(later);
  const SignalSeries coarse(slots, "coarse");
  // Prices solved on hourly slots: the first hour of the coarse slot is made full.
  const auto fine = hourly({100, 120, 150});
  const std::vector<std::pair<TimePoint, double>> busy{{T0, 0.0}, {T0 + hours(1), 1.0}};
  const auto prices = CongestionPrices::solve(T0, fine, busy, 1, jobs(2, 3), carbon_policy());
  REQUIRE(prices.price_at(T0) > 0);
  const auto priced = priced_forecast(coarse, prices, carbon_policy());
  REQUIRE(priced.size() >= 3);
  CHECK(priced.at(T0)->carbon > 100);
  CHECK(priced.at(T0 + hours(1))->carbon == 100);
  CHECK(priced.at(T0)->end == T0 + hours(1));
}
