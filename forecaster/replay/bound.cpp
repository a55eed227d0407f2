// SPDX-License-Identifier: GPL-2.0-or-later
#include "bound.hpp"

#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "ebb/error.hpp"
#include "io.hpp"

namespace ebb::replay {

std::string to_string(BoundKind k) { return k == BoundKind::capacity ? "capacity" : "per-job"; }

BoundKind parse_bound_kind(const std::string& text) {
  const std::string t = lower(text);
  if (t == "per-job") return BoundKind::per_job;
  if (t == "capacity") return BoundKind::capacity;
  throw InputError("--bound: per-job or capacity, not '" + text + "'");
}

namespace {

using Clock = std::int64_t;
Clock secs(TimePoint t) { return t.time_since_epoch().count(); }

struct Segment {
  Clock start, end;
  double carbon;
};

// Stretches of constant carbon covering [lo, hi), as the replay scores them: the grid's
// slots, and in its gaps the last value before the gap (Grid::carbon_at).
std::vector<Segment> segments(const Grid& grid, Clock lo, Clock hi) {
  std::vector<Segment> out;
  Clock cursor = lo;
  const TimePoint a{std::chrono::seconds{lo}}, b{std::chrono::seconds{hi}};
  for (const Slot& s : grid.slots_between(a, b)) {
    const Clock start = std::max(secs(s.start), lo), end = std::min(secs(s.end), hi);
    if (end <= start) continue;
    if (cursor < start)
      out.push_back({cursor, start, grid.carbon_at(TimePoint{std::chrono::seconds{cursor}})});
    out.push_back({start, end, s.carbon});
    cursor = end;
  }
  if (cursor < hi)
    out.push_back({cursor, hi, grid.carbon_at(TimePoint{std::chrono::seconds{cursor}})});
  return out;
}

}  // namespace

CapacityBound capacity_bound(const std::vector<BoundJob>& jobs, const Grid& grid,
                             std::uint32_t cluster_cores) {
  using SteadyClock = std::chrono::steady_clock;
  const auto t0 = SteadyClock::now();
  CapacityBound out;
  if (cluster_cores == 0) throw InputError("capacity bound: needs a cluster size (--cores)");
  Clock lo = std::numeric_limits<Clock>::max(), hi = std::numeric_limits<Clock>::min();
  for (const auto& j : jobs) {
    if (j.runtime.count() <= 0) continue;
    lo = std::min(lo, secs(j.submit));
    hi = std::max(hi, std::max(secs(j.deadline), secs(j.latest_end)));
  }
  if (lo >= hi) return out;
  const std::vector<Segment> seg = segments(grid, lo, hi);
  out.slots = seg.size();

  // Integer costs for the network simplex: carbon x power per core, scaled so the dearest
  // core-second costs 10^6 units (rounding moves the optimum by at most ~1e-6 relative).
  // The reported grams are recomputed from the flows with the exact values.
  double max_carbon = 0, max_wpc = 0;
  for (const auto& s : seg) max_carbon = std::max(max_carbon, s.carbon);
  for (const auto& j : jobs) {
    if (j.runtime.count() <= 0) continue;
    if (j.cores == 0 || j.cores > cluster_cores)
      throw InputError("capacity bound: a job asks for " + std::to_string(j.cores) +
                       " cores on a cluster of " + std::to_string(cluster_cores));
    max_wpc = std::max(max_wpc, j.watts / j.cores);
  }
  const double scale = max_carbon * max_wpc > 0 ? 1e6 / (max_carbon * max_wpc) : 1;
  const long long max_cost = std::llround(max_carbon * max_wpc * scale);

  // Nodes: slots, the sink, then one per job with work.
  lemon::SmartDigraph g;
  // One arc per job and slot of its window (two where the deadline splits a slot), one per
  // slot to the sink. About 100 bytes each while solving: refuse what cannot fit.
  auto slot_of = [&](Clock t) {
    auto it = std::upper_bound(seg.begin(), seg.end(), t,
                               [](Clock v, const Segment& x) { return v < x.start; });
    return it == seg.begin() ? std::size_t{0} : static_cast<std::size_t>(it - seg.begin() - 1);
  };
  std::size_t job_nodes = 0, arc_estimate = seg.size();
  for (const auto& j : jobs) {
    if (j.runtime.count() <= 0) continue;
    ++job_nodes;
    const Clock e = std::max(secs(j.deadline), secs(j.latest_end));
    arc_estimate += slot_of(e - 1) - slot_of(secs(j.submit)) + 2;
  }
  constexpr std::size_t kMaxArcs = 100'000'000;
  if (arc_estimate > kMaxArcs)
    throw InputError("capacity bound: the flow network would have " + std::to_string(arc_estimate) +
                     " arcs (jobs x slots of their windows), over " + std::to_string(kMaxArcs) +
                     " (~10 GB); use --bound per-job or fewer jobs (--limit-jobs)");
  g.reserveNode(static_cast<int>(seg.size() + 1 + job_nodes));
  g.reserveArc(static_cast<int>(arc_estimate));
  std::vector<lemon::SmartDigraph::Node> slot_node(seg.size());
  for (auto& n : slot_node) n = g.addNode();
  const auto sink = g.addNode();

  // Per arc, for the cost map and the readout: job (index), slot, hours late (0: on time).
  struct ArcInfo {
    std::uint32_t job;
    std::uint32_t slot;
    std::uint32_t late_hours;
  };
  std::vector<ArcInfo> info;
  info.reserve(arc_estimate);
  std::vector<long long> cap;
  cap.reserve(arc_estimate);
  std::vector<std::pair<lemon::SmartDigraph::Node, long long>> supply;
  supply.reserve(job_nodes + 1);
  std::uint32_t max_late_hours = 0;

  for (std::size_t s = 0; s < seg.size(); ++s) {
    g.addArc(slot_node[s], sink);
    info.push_back({0, static_cast<std::uint32_t>(s), 0});
    cap.push_back(static_cast<long long>(cluster_cores) * (seg[s].end - seg[s].start));
  }
  long long total = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const BoundJob& j = jobs[i];
    if (j.runtime.count() <= 0) continue;
    const auto node = g.addNode();
    const long long work = static_cast<long long>(j.cores) * j.runtime.count();
    supply.push_back({node, work});
    total += work;
    const Clock a = secs(j.submit), d = secs(j.deadline);
    const Clock e = std::max(d, secs(j.latest_end));
    std::size_t s = slot_of(a);
    long long room = 0;
    for (; s < seg.size() && seg[s].start < e; ++s) {
      // The part of the slot before the deadline is on time; after it, late.
      const Clock from = std::max(seg[s].start, a), to = std::min(seg[s].end, e);
      const Clock split = std::clamp(d, from, to);
      if (split > from) {
        g.addArc(node, slot_node[s]);
        info.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(s), 0});
        cap.push_back(static_cast<long long>(j.cores) * (split - from));
        room += cap.back();
      }
      if (to > split) {
        const auto late_h = static_cast<std::uint32_t>(1 + (split - d) / 3600);
        g.addArc(node, slot_node[s]);
        info.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(s), late_h});
        cap.push_back(static_cast<long long>(j.cores) * (to - split));
        room += cap.back();
        max_late_hours = std::max(max_late_hours, late_h);
      }
    }
    if (room < work)
      throw std::runtime_error("capacity bound: job " + std::to_string(i + 1) + " cannot run its " +
                               std::to_string(j.runtime.count()) +
                               " s between its submit and its latest end");
  }
  supply.push_back({sink, -total});
  out.arcs = info.size();

  // Late work costs `late_cost` per core-second and hour late: 1000 times the dearest
  // carbon, so that the least late work comes first. The simplex's node potentials are sums
  // of arc costs along paths and its artificial arcs cost 2^62: the dearest arc times the
  // number of nodes must stay below 2^60, so the penalty shrinks if it must (it still has to
  // exceed the dearest carbon).
  const long double room_for_costs = std::ldexp(1.0L, 60) / (g.maxNodeId() + 2);
  long double penalty = 1000.0L * static_cast<long double>(std::max<long long>(max_cost, 1));
  if (max_late_hours > 0) penalty = std::min(penalty, (room_for_costs - max_cost) / max_late_hours);
  if (max_late_hours > 0 && penalty <= static_cast<long double>(max_cost))
    throw std::runtime_error("capacity bound: work could run too late for 64-bit costs");
  const long long late_cost = static_cast<long long>(penalty);

  lemon::SmartDigraph::ArcMap<long long> upper(g), cost(g);
  lemon::SmartDigraph::NodeMap<long long> sup(g, 0);
  for (lemon::SmartDigraph::ArcIt arc(g); arc != lemon::INVALID; ++arc) {
    const auto k = static_cast<std::size_t>(g.id(arc));
    upper[arc] = cap[k];
    if (g.target(arc) == sink) {
      cost[arc] = 0;
    } else {
      const ArcInfo& x = info[k];
      const double wpc = jobs[x.job].watts / jobs[x.job].cores;
      cost[arc] = std::llround(seg[x.slot].carbon * wpc * scale) +
                  static_cast<long long>(x.late_hours) * late_cost;
    }
  }
  std::vector<long long>().swap(cap);
  for (const auto& [node, value] : supply) sup[node] = value;

  lemon::NetworkSimplex<lemon::SmartDigraph, long long, long long> solver(g);
  solver.upperMap(upper).costMap(cost).supplyMap(sup);
  const auto status = solver.run();
  if (status != decltype(solver)::OPTIMAL)
    throw std::runtime_error(
        "capacity bound: the cores cannot run every job even past its deadline (flow " +
        std::string(status == decltype(solver)::INFEASIBLE ? "infeasible" : "unbounded") + ")");

  std::vector<char> late(jobs.size(), 0);
  long double grams = 0, late_core_seconds = 0;
  for (lemon::SmartDigraph::ArcIt arc(g); arc != lemon::INVALID; ++arc) {
    if (g.target(arc) == sink) continue;
    const long long f = solver.flow(arc);
    if (f == 0) continue;
    const ArcInfo& x = info[static_cast<std::size_t>(g.id(arc))];
    const double wpc = jobs[x.job].watts / jobs[x.job].cores;
    // carbon g/kWh x W x s = g x 3.6e6
    grams += static_cast<long double>(f) * seg[x.slot].carbon * wpc / 3.6e6L;
    if (x.late_hours) {
      late[x.job] = 1;
      late_core_seconds += f;
    }
  }
  out.grams = static_cast<double>(grams);
  out.late_jobs = static_cast<std::size_t>(std::count(late.begin(), late.end(), 1));
  out.late_core_hours = static_cast<double>(late_core_seconds / 3600);
  out.seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  return out;
}

}  // namespace ebb::replay
