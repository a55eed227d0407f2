// SPDX-License-Identifier: GPL-2.0-or-later
// Congestion prices: what one more CPU-hour in each coming hour is worth to the jobs ebb
// holds, read off a small min-cost flow over the next hours.
//
// Planned one by one, every deferrable job picks the same clean hour, and a capacity check
// can only say "full" or "not full": the first jobs planned take the clean hour, whether or
// not they gain much from it, and the rest are turned away. Congestion prices share the
// clean hours among the held jobs as a whole. At each re-plan, ebb solves
//   job --(cap: its CPUs x the part of the hour inside its window, cost: the hour's
//   objective rate)--> hour --(cap: the CPUs the committed load leaves free)--> sink,
// with each held job's supply its CPUs x expected runtime: the cheapest way to place all held
// work in the free room (each job only inside [earliest start, latest start + runtime)).
// The capacity constraint's dual value (the node potentials of LEMON's network simplex) is
// the hour's congestion price: zero where there is room to spare, and in a full clean hour
// exactly how much dearer the next-best place for the marginal CPU-hour is. Each job is then
// planned by the usual exact, linear-time planner on the forecast plus the price
// (priced_forecast), which stays exact for that objective. A flat forecast gives no reason to
// move, so every price is zero and nothing is spread.
//
// Work that does not fit in its window at all may stay unplaced at a high cost (three times
// the dearest rate), which caps the prices: an hour without any free CPU gets that cap.
#pragma once

#include <cstdint>
#include <vector>

#include "ebb/planner.hpp"
#include "ebb/signal.hpp"
#include "ebb/time.hpp"

namespace ebb {

// A job whose start ebb may still choose.
struct FlexibleJob {
  TimePoint earliest;      // it may start from here (now, or later if its user asked)
  TimePoint latest_start;  // and must start by here
  Duration runtime{3600};  // what it is expected to run
  double cpus = 1;
};

struct CongestionSettings {
  Duration horizon = hours(72);  // hours priced from now; work beyond runs at its own rate
};

class CongestionPrices {
 public:
  CongestionPrices() = default;

  // Solves the flow at `now`. `forecast` gives the objective rate of each slot (its slots
  // are the flow's hours); `busy` is the committed load as a step function of busy CPUs
  // (PartitionLoad::projected without the flexible jobs), `cpus` the partition's size.
  static CongestionPrices solve(TimePoint now, const SignalSeries& forecast,
                                const std::vector<std::pair<TimePoint, double>>& busy, double cpus,
                                const std::vector<FlexibleJob>& jobs, const Policy& policy,
                                const CongestionSettings& settings = {});

  // The price at t in objective units per kWh (the unit of objective_rate); 0 outside the
  // priced hours.
  double price_at(TimePoint t) const;
  const std::vector<Slot>& hours() const { return hours_; }
  const std::vector<double>& prices() const { return prices_; }
  bool empty() const { return hours_.empty(); }
  // Of each job in solve()'s order: the start of the first hour the flow put its work in
  // (its earliest start if the flow placed none of it before the horizon).
  const std::vector<TimePoint>& first_hours() const { return first_; }
  std::size_t arcs() const { return arcs_; }

 private:
  std::vector<Slot> hours_;     // the priced slots, from now on
  std::vector<double> prices_;  // per hour
  std::vector<TimePoint> first_;
  std::size_t arcs_ = 0;
};

// The forecast with each slot's objective raised by the congestion price: for the carbon and
// balanced objectives the price goes into the carbon intensity (divided by the weight of a
// gram), for the cost objective into the electricity price. Slots are split where a price
// changes inside them. Carbon stays within SignalSeries's bound of 5,000 g/kWh.
SignalSeries priced_forecast(const SignalSeries& forecast, const CongestionPrices& prices,
                             const Policy& policy);

}  // namespace ebb
