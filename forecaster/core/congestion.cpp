// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/congestion.hpp"

#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ebb {

namespace {

using Graph = lemon::SmartDigraph;

std::int64_t secs(TimePoint t) { return t.time_since_epoch().count(); }

// Flow units are CPU-minutes: fine enough for hourly slots, and far from 64-bit limits
// (a 10,000-CPU partition over 72 h is 4.3e7 per hour).
long long cpu_minutes(double cpus, std::int64_t seconds) {
  return std::llround(cpus * static_cast<double>(seconds) / 60.0);
}

// Mean of a step function (as PartitionLoad::projected gives it) over [a, b).
double mean_over(const std::vector<std::pair<TimePoint, double>>& steps, std::int64_t a,
                 std::int64_t b) {
  if (b <= a) return 0;
  double sum = 0;
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const std::int64_t from = std::max(secs(steps[k].first), a);
    const std::int64_t to =
        std::min(k + 1 < steps.size() ? secs(steps[k + 1].first) : INT64_MAX, b);
    if (to > from) sum += steps[k].second * static_cast<double>(to - from);
  }
  return sum / static_cast<double>(b - a);
}

}  // namespace

CongestionPrices CongestionPrices::solve(TimePoint now, const SignalSeries& forecast,
                                         const std::vector<std::pair<TimePoint, double>>& busy,
                                         double cpus, const std::vector<FlexibleJob>& jobs,
                                         const Policy& policy, const CongestionSettings& settings) {
  CongestionPrices out;
  const bool prices_known = forecast.has_prices();
  const TimePoint horizon_end = now + settings.horizon;
  std::vector<double> rate;
  double max_rate = 0;
  for (const Slot& s : forecast.slots()) {
    const double r = objective_rate(s, policy, prices_known);
    max_rate = std::max(max_rate, r);
    if (s.end <= now || s.start >= horizon_end) continue;
    Slot h = s;
    h.start = std::max(s.start, now);
    h.end = std::min(s.end, horizon_end);
    out.hours_.push_back(h);
    rate.push_back(r);
  }
  out.prices_.assign(out.hours_.size(), 0.0);
  out.first_.resize(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) out.first_[i] = std::max(jobs[i].earliest, now);
  if (out.hours_.empty() || jobs.empty() || !(cpus > 0) || !(max_rate > 0)) return out;

  // Integer costs: the unplaced rate (three times the dearest) maps to 10^6.
  const double unplaced_rate = 3 * max_rate;
  const double scale = 1e6 / unplaced_rate;
  auto cost_of = [&](double r) { return std::llround(r * scale); };
  const auto& hrs = out.hours_;
  auto hour_of = [&](std::int64_t t) {  // the last hour starting at or before t
    auto it = std::upper_bound(hrs.begin(), hrs.end(), t,
                               [](std::int64_t v, const Slot& x) { return v < secs(x.start); });
    return it == hrs.begin() ? std::size_t{0} : static_cast<std::size_t>(it - hrs.begin() - 1);
  };

  Graph g;
  std::vector<Graph::Node> hour_node(hrs.size());
  for (auto& n : hour_node) n = g.addNode();
  const Graph::Node sink = g.addNode();
  std::vector<long long> upper, cost;
  std::vector<Graph::Arc> hour_arc(hrs.size());
  std::vector<long long> free_room(hrs.size());
  for (std::size_t k = 0; k < hrs.size(); ++k) {
    const std::int64_t a = secs(hrs[k].start), b = secs(hrs[k].end);
    const double free_cpus = std::max(0.0, cpus - mean_over(busy, a, b));
    hour_arc[k] = g.addArc(hour_node[k], sink);
    free_room[k] = cpu_minutes(free_cpus, b - a);
    upper.push_back(free_room[k]);
    cost.push_back(0);
  }
  struct JobArc {
    std::size_t job;
    std::size_t hour;
  };
  std::vector<std::pair<Graph::Arc, JobArc>> job_arcs;
  std::vector<std::pair<Graph::Node, long long>> supply;
  long long total = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const FlexibleJob& j = jobs[i];
    const std::int64_t a = secs(std::max(j.earliest, now));
    const std::int64_t last_start = std::max(secs(j.latest_start), a);
    const std::int64_t e = last_start + std::max<std::int64_t>(j.runtime.count(), 60);
    const long long work = cpu_minutes(j.cpus, std::max<std::int64_t>(j.runtime.count(), 60));
    if (work <= 0) continue;
    const Graph::Node node = g.addNode();
    supply.emplace_back(node, work);
    total += work;
    for (std::size_t k = hour_of(a); k < hrs.size() && secs(hrs[k].start) < e; ++k) {
      const std::int64_t from = std::max(secs(hrs[k].start), a), to = std::min(secs(hrs[k].end), e);
      if (to <= from) continue;
      const Graph::Arc arc = g.addArc(node, hour_node[k]);
      upper.push_back(cpu_minutes(j.cpus, to - from));
      cost.push_back(cost_of(rate[k]));
      job_arcs.push_back({arc, {i, k}});
    }
    // Work past the priced hours runs at the cheapest rate the forecast knows there, free
    // of congestion; work that fits nowhere stays unplaced at the capped rate.
    if (e > secs(horizon_end)) {
      double beyond = unplaced_rate;
      for (const Slot& s : forecast.slots())
        if (s.end > horizon_end && secs(s.start) < e)
          beyond = std::min(beyond, objective_rate(s, policy, prices_known));
      g.addArc(node, sink);
      upper.push_back(work);
      cost.push_back(cost_of(beyond));
    }
    g.addArc(node, sink);
    upper.push_back(work);
    cost.push_back(cost_of(unplaced_rate));
  }
  supply.emplace_back(sink, -total);
  out.arcs_ = upper.size();

  Graph::ArcMap<long long> upper_map(g), cost_map(g);
  for (Graph::ArcIt arc(g); arc != lemon::INVALID; ++arc) {
    const auto id = static_cast<std::size_t>(g.id(arc));
    upper_map[arc] = upper[id];
    cost_map[arc] = cost[id];
  }
  Graph::NodeMap<long long> supply_map(g, 0);
  for (const auto& [node, value] : supply) supply_map[node] = value;
  lemon::NetworkSimplex<Graph, long long, long long> simplex(g);
  simplex.upperMap(upper_map).costMap(cost_map).supplyMap(supply_map);
  // Always feasible (every job may stay unplaced); anything else leaves the prices at 0.
  if (simplex.run() != decltype(simplex)::OPTIMAL) return out;

  // Reduced cost of hour -> sink is 0 + pi(hour) - pi(sink); where it is negative the arc is
  // full and the price is what it would save to have one more unit there.
  const long long sink_potential = simplex.potential(sink);
  for (std::size_t k = 0; k < hrs.size(); ++k) {
    double p = static_cast<double>(sink_potential - simplex.potential(hour_node[k])) / scale;
    if (free_room[k] == 0) p = 0;  // no room at all: the capacity rule keeps deferred jobs out
    out.prices_[k] = std::max(0.0, p);
  }
  std::vector<char> seen(jobs.size(), 0);
  for (const auto& [arc, x] : job_arcs) {
    if (seen[x.job] || simplex.flow(arc) <= 0) continue;
    seen[x.job] = 1;  // arcs were added in hour order per job: the first with flow
    out.first_[x.job] = std::max(hrs[x.hour].start, out.first_[x.job]);
  }
  return out;
}

double CongestionPrices::price_at(TimePoint t) const {
  auto it = std::upper_bound(hours_.begin(), hours_.end(), t,
                             [](TimePoint v, const Slot& s) { return v < s.start; });
  if (it == hours_.begin()) return 0;
  --it;
  return t < it->end ? prices_[static_cast<std::size_t>(it - hours_.begin())] : 0;
}

SignalSeries priced_forecast(const SignalSeries& forecast, const CongestionPrices& prices,
                             const Policy& policy) {
  if (prices.empty()) return forecast;
  const bool prices_known = forecast.has_prices();
  Slot unit;
  unit.price = 0;
  const double base = objective_rate(unit, policy, prices_known);
  unit.carbon = 1;
  const double per_gram = objective_rate(unit, policy, prices_known) - base;
  unit.carbon = 0;
  unit.price = 1;
  const double per_price = objective_rate(unit, policy, prices_known) - base;
  constexpr double kMaxCarbon = 5000;  // SignalSeries's bound
  auto raise = [&](Slot s, double p) {
    if (p <= 0) return s;
    if (per_gram > 0) {
      s.carbon = std::min(kMaxCarbon, s.carbon + p / per_gram);
    } else if (per_price > 0 && s.has_price()) {
      s.price += p / per_price;
    }
    return s;
  };
  const auto& hrs = prices.hours();
  const auto& ps = prices.prices();
  std::vector<Slot> out;
  out.reserve(forecast.size() + hrs.size());
  for (const Slot& s : forecast.slots()) {
    TimePoint cursor = s.start;
    auto it = std::upper_bound(hrs.begin(), hrs.end(), s.start,
                               [](TimePoint v, const Slot& x) { return v < x.start; });
    if (it != hrs.begin()) --it;
    for (; it != hrs.end() && it->start < s.end; ++it) {
      const TimePoint a = std::max(it->start, cursor), b = std::min(it->end, s.end);
      if (b <= a) continue;
      if (cursor < a) {
        Slot gap = s;
        gap.start = cursor;
        gap.end = a;
        out.push_back(gap);
      }
      Slot piece = s;
      piece.start = a;
      piece.end = b;
      out.push_back(raise(piece, ps[static_cast<std::size_t>(it - hrs.begin())]));
      cursor = b;
    }
    if (cursor < s.end) {
      Slot rest = s;
      rest.start = cursor;
      out.push_back(rest);
    }
  }
  SignalSeries priced(std::move(out), forecast.source);
  priced.region = forecast.region;
  priced.currency = forecast.currency;
  priced.kind = forecast.kind;
  return priced;
}

}  // namespace ebb
