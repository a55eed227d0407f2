// SPDX-License-Identifier: GPL-2.0-or-later
#include "sites.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>

#include "ebb/error.hpp"
#include "ebb/placement.hpp"
#include "io.hpp"

namespace ebb::replay {

namespace {

double hours_of(Duration d) { return static_cast<double>(d.count()) / 3600.0; }

bool inside(const std::vector<Interval>& forbidden, TimePoint t) {
  for (const auto& f : forbidden)
    if (f.from <= t && t < f.to) return true;
  return false;
}

enum class Mode { baseline, temporal, move };

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Most cores in use at once: ends before starts at the same second.
std::uint32_t peak_cores(const std::vector<std::pair<std::int64_t, std::int64_t>>& events) {
  std::int64_t busy = 0, peak = 0;
  for (const auto& e : events) {
    busy += e.second;
    peak = std::max(peak, busy);
  }
  return static_cast<std::uint32_t>(peak);
}

}  // namespace

std::vector<SiteSpec> parse_sites(const std::string& text) {
  std::vector<SiteSpec> out;
  for (auto part : split(text, ',')) {
    const std::string entry(trim(part));
    const auto colon = entry.rfind(':');
    long long cores = 0;
    if (colon == std::string::npos || colon == 0 ||
        !parse_int(std::string_view(entry).substr(colon + 1), cores) || cores <= 0 ||
        cores > 100000000)
      throw InputError("--sites: '" + entry + "' is not ZONE:CORES (e.g. DE:240)");
    out.push_back({entry.substr(0, colon), static_cast<std::uint32_t>(cores)});
  }
  if (out.size() < 2) throw InputError("--sites: give at least two sites (ZONE:CORES,...)");
  return out;
}

HomeRule parse_home_rule(const std::string& text) {
  if (text == "round-robin") return HomeRule::round_robin;
  if (text == "partition") return HomeRule::partition;
  throw InputError("--home: round-robin or partition, not '" + text + "'");
}

std::vector<std::size_t> home_sites(const std::vector<TraceJob>& jobs, std::size_t sites,
                                    HomeRule rule) {
  std::vector<std::size_t> home(jobs.size());
  std::map<std::string, std::size_t> partitions;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (rule == HomeRule::round_robin) {
      home[i] = i % sites;
    } else {
      auto [it, added] = partitions.emplace(jobs[i].partition, partitions.size());
      home[i] = it->second % sites;
    }
  }
  return home;
}

SitesResult run_sites(const std::vector<TraceJob>& jobs, const std::vector<Grid>& grids_in,
                      const SitesConfig& config) {
  const auto t_begin = std::chrono::steady_clock::now();
  const ReplayConfig& rc = config.replay;
  const std::size_t n = jobs.size(), ns = config.sites.size();
  if (grids_in.size() != ns) throw InputError("one grid per site is needed");
  SitesResult result;
  result.sites = config.sites;

  std::vector<TimePoint> deadline(n);
  TimePoint lo = n ? jobs.front().submit : grids_in.front().begin(), hi = lo;
  for (std::size_t i = 0; i < n; ++i) {
    TimePoint d = rc.deadline.deadline(jobs[i]);
    if (d < jobs[i].submit + jobs[i].requested) {
      ++result.infeasible_deadlines;
      d = jobs[i].submit + jobs[i].requested;
    }
    deadline[i] = d;
    lo = std::min(lo, jobs[i].submit);
    hi = std::max(hi, d + jobs[i].runtime + config.move_penalty);
  }
  // As run_replay: room for queueing past the deadlines.
  std::vector<Grid> grids;
  grids.reserve(ns);
  for (const Grid& g : grids_in) grids.push_back(g.tiled_to_cover(lo, hi + hours(24 * 30)));
  std::vector<std::unique_ptr<Forecaster>> forecasters;
  for (const Grid& g : grids) forecasters.push_back(std::make_unique<Forecaster>(g, rc.forecast));

  std::vector<double> watts(n);
  std::vector<Duration> believed(n);
  for (std::size_t i = 0; i < n; ++i) {
    JobRequest req;
    req.tasks = jobs[i].cores;
    req.memory_gb = jobs[i].memory_gb;
    req.time_limit = jobs[i].requested;
    watts[i] = rc.power.watts(req);
    believed[i] = rc.runtime == RuntimeMode::actual ? jobs[i].runtime : jobs[i].requested;
  }
  if (rc.runtime == RuntimeMode::predicted) believed = predict_online(jobs, rc.predictor).expected;
  auto expected = [&](std::size_t i) -> std::optional<Duration> {
    if (rc.runtime == RuntimeMode::limit) return std::nullopt;
    return believed[i];
  };
  const std::vector<std::size_t> home = home_sites(jobs, ns, config.home);

  // What each job runs as at each site: away from home, longer by the move penalty (a
  // cluster only ever sees the jobs submitted to it).
  const Duration penalty = config.move_penalty;
  auto run_at = [&](std::size_t i, std::size_t s) {
    return jobs[i].runtime + (s == home[i] ? Duration{0} : penalty);
  };
  std::vector<std::vector<SimJob>> sim(ns, std::vector<SimJob>(n));
  for (std::size_t s = 0; s < ns; ++s)
    for (std::size_t i = 0; i < n; ++i) {
      const Duration extra = s == home[i] ? Duration{0} : penalty;
      sim[s][i] = {jobs[i].submit,          jobs[i].submit,
                   jobs[i].runtime + extra, jobs[i].requested + extra,
                   believed[i] + extra,     jobs[i].cores};
    }
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return jobs[a].submit < jobs[b].submit; });

  auto run = [&](Mode mode) {
    SitesPolicy pr;
    pr.name = mode == Mode::baseline   ? "baseline"
              : mode == Mode::temporal ? "ebb, no move"
                                       : "ebb, move";
    pr.site.resize(n);
    std::vector<TimePoint> planned(n);
    std::vector<std::unique_ptr<Cluster>> clusters;
    std::vector<CapacityRule> rules(ns, rc.capacity);
    for (std::size_t s = 0; s < ns; ++s) {
      SimOptions o = rc.sim;
      o.cores = config.sites[s].cores;
      rules[s].cpus = o.cores;
      clusters.push_back(std::make_unique<Cluster>(sim[s], o));
    }
    struct Candidate {
      std::size_t site;
      TimePoint start;
      double objective;
    };
    // Job i planned at site s as ebbd plans a job for one partition: against that
    // site's cluster as it is now, with that site's forecast.
    auto plan_at = [&](std::size_t i, std::size_t s) -> std::optional<Candidate> {
      const TimePoint now = jobs[i].submit;
      Cluster& c = *clusters[s];
      c.advance_to(now);
      PartitionLoad load(rules[s]);
      c.view([&](std::size_t, const QueuedJob& q) { load.add(q, now); });
      PlanRequest req;
      req.now = now;
      req.deadline = deadline[i];
      req.time_limit = jobs[i].requested;
      req.expected_runtime = expected(i);
      req.power_watts = watts[i];
      if (s != home[i]) req = with_move_penalty(req, penalty);
      const Duration window =
          std::min(req.expected_runtime.value_or(req.time_limit), req.time_limit);
      const double cpus = std::min<double>(jobs[i].cores, config.sites[s].cores);
      const auto forbidden = load.forbidden_starts(now, deadline[i] - req.time_limit, window, cpus);
      Decision d;
      try {
        d = plan(req, forecasters[s]->view(now, now, deadline[i]), rc.ebb_policy, forbidden);
      } catch (const InputError&) {
        return std::nullopt;
      }
      const TimePoint start = d.defer ? d.start : now;
      if (s != home[i]) {
        // Moved, the job is a newcomer there: it may start at once only if the site has
        // room for it now, and only where the forecast knows the whole run.
        if (!d.defer && inside(forbidden, now)) return std::nullopt;
        if (d.chosen.covered < 1.0) return std::nullopt;
      }
      return Candidate{s, start, d.chosen.objective};
    };
    for (std::size_t i : order) {
      const TimePoint now = jobs[i].submit;
      Candidate pick{home[i], now, 0};
      const bool window = deadline[i] - jobs[i].requested > now;
      if (mode != Mode::baseline && window) {
        if (auto h = plan_at(i, home[i])) pick = *h;
        if (mode == Mode::move) {
          // Moving must gain the same threshold as deferring, against the best at home.
          const double bar = pick.objective * (1.0 - rc.ebb_policy.min_saving_percent / 100.0);
          for (std::size_t s = 0; s < ns; ++s) {
            if (s == home[i]) continue;
            auto c = plan_at(i, s);
            if (c && c->objective < bar && c->objective < pick.objective) pick = *c;
          }
        }
      }
      Cluster& c = *clusters[pick.site];
      c.advance_to(now);
      c.submit(i, pick.start);
      pr.site[i] = pick.site;
      planned[i] = pick.start;
    }
    std::vector<SimOutcome> outcomes;
    for (auto& c : clusters) outcomes.push_back(c->finish());
    pr.start.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      pr.start[i] = outcomes[pr.site[i]].start[i];
      if (planned[i] > jobs[i].submit) ++pr.deferred;
      if (pr.site[i] != home[i]) ++pr.moved;
    }
    return pr;
  };

  std::vector<Mode> modes{Mode::baseline, Mode::temporal};
  if (config.move) modes.push_back(Mode::move);
  for (Mode m : modes) result.policies.push_back(run(m));

  // Scoring on each site's actual series, and the capacity check: the cores in use at
  // each site over time, from the simulated starts and actual runtimes.
  const SitesPolicy& base = result.policies.front();
  double base_kg = 0;
  for (std::size_t p = 0; p < result.policies.size(); ++p) {
    SitesPolicy& pr = result.policies[p];
    pr.sites.assign(ns, {});
    std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> events(ns);
    double added = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t s = pr.site[i];
      SiteTally& t = pr.sites[s];
      const double kw = watts[i] / 1000.0;
      const TimePoint start = pr.start[i], end = start + run_at(i, s);
      ++t.jobs;
      if (s != home[i]) ++t.moved_in;
      t.kg_co2 += kw * grids[s].integrate(start, end).carbon_hours / 1000.0;
      t.energy_kwh += kw * hours_of(run_at(i, s));
      if (end > deadline[i]) ++t.deadline_misses;
      const auto cores =
          static_cast<std::int64_t>(std::min(std::max(jobs[i].cores, 1u), config.sites[s].cores));
      if (end > start) {
        events[s].emplace_back(start.time_since_epoch().count(), cores);
        events[s].emplace_back(end.time_since_epoch().count(), -cores);
      }
      added += hours_of(start - base.start[i]);
    }
    for (std::size_t s = 0; s < ns; ++s) {
      std::sort(events[s].begin(), events[s].end());
      SiteTally& t = pr.sites[s];
      t.peak_cores = peak_cores(events[s]);
      if (t.peak_cores > config.sites[s].cores) ++pr.over_capacity_sites;
      pr.total.jobs += t.jobs;
      pr.total.moved_in += t.moved_in;
      pr.total.kg_co2 += t.kg_co2;
      pr.total.energy_kwh += t.energy_kwh;
      pr.total.deadline_misses += t.deadline_misses;
      pr.total.peak_cores = std::max(pr.total.peak_cores, t.peak_cores);
    }
    pr.mean_added_wait_h = n ? added / static_cast<double>(n) : 0;
    if (p == 0) base_kg = pr.total.kg_co2;
    pr.reduction_pct = base_kg > 0 ? 100.0 * (base_kg - pr.total.kg_co2) / base_kg : 0;
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_begin).count();
  return result;
}

std::string format_sites(const SitesResult& r, const std::string& setup) {
  std::ostringstream o;
  o << setup << "\n\n";
  o << "| policy | kgCO2 | CO2 -% | added wait mean | missed | deferred | moved | over capacity |\n"
    << "|---|---|---|---|---|---|---|---|\n";
  for (const auto& p : r.policies)
    o << "| " << p.name << " | " << fixed(p.total.kg_co2, 0) << " | " << fixed(p.reduction_pct, 2)
      << " | " << fixed(p.mean_added_wait_h, 1) << " h | " << p.total.deadline_misses << " | "
      << p.deferred << " | " << p.moved << " | "
      << (p.over_capacity_sites ? std::to_string(p.over_capacity_sites) + " sites" : "none")
      << " |\n";
  o << "\nPer site (jobs run there, of them moved in; kgCO2; missed; peak cores in use of the "
       "site's cores):\n\n| policy |";
  for (const auto& s : r.sites) o << " " << s.zone << " (" << s.cores << " cores) |";
  o << "\n|---|";
  for (std::size_t s = 0; s < r.sites.size(); ++s) o << "---|";
  o << "\n";
  for (const auto& p : r.policies) {
    o << "| " << p.name << " |";
    for (std::size_t s = 0; s < r.sites.size(); ++s) {
      const SiteTally& t = p.sites[s];
      o << " " << t.jobs << " jobs (" << t.moved_in << " in); " << fixed(t.kg_co2, 0) << " kg; "
        << t.deadline_misses << " missed; peak " << t.peak_cores << " |";
    }
    o << "\n";
  }
  if (r.infeasible_deadlines)
    o << "\n"
      << r.infeasible_deadlines << " jobs had a deadline before submit + limit: run at submit\n";
  return o.str();
}

}  // namespace ebb::replay
