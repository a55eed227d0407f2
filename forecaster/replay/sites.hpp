// SPDX-License-Identifier: GPL-2.0-or-later
// The replay over several sites in different grid regions (`ebb replay --sites`): each
// job has a home site where the baseline runs it at submit; ebb may defer it at home or
// move it to another site (and defer it there), each site a cluster of its own cores
// queued like Slurm's backfill (Cluster) and planned for with its own view
// (PartitionLoad), as ebbd plans each partition. The sites share one trace, one deadline
// rule and one forecast rule; each has its own grid column.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine.hpp"

namespace ebb::replay {

struct SiteSpec {
  std::string zone;  // the grid column
  std::uint32_t cores = 0;
};

// "DE:240,FR:240,SE-SE3:240"; throws InputError naming the bad entry.
std::vector<SiteSpec> parse_sites(const std::string& text);

// Where each job lives: round robin over the trace's jobs (job i at site i mod N), or by
// the trace's partition field (the k-th distinct partition, in order of first
// appearance, at site k mod N).
enum class HomeRule { round_robin, partition };
HomeRule parse_home_rule(const std::string& text);
std::vector<std::size_t> home_sites(const std::vector<TraceJob>& jobs, std::size_t sites,
                                    HomeRule rule);

struct SitesConfig {
  // Deadline rule, forecast, ebb's policy, power model, capacity rule (its cpus are each
  // site's cores), queue order and runtime mode; sim.cores, the bound, re-planning and
  // the policy list are not used.
  ReplayConfig replay;
  std::vector<SiteSpec> sites;
  HomeRule home = HomeRule::round_robin;
  bool move = true;  // false (--no-move): the moving policy is left out
  // Extra runtime a moved job pays at its destination (staging its data), as ebb.conf's
  // MovePenalty: planned for, run and scored (time, energy, deadline).
  Duration move_penalty{0};
};

struct SiteTally {
  std::size_t jobs = 0;      // jobs that ran here
  std::size_t moved_in = 0;  // of them, jobs from another home site
  double kg_co2 = 0;
  double energy_kwh = 0;
  std::size_t deadline_misses = 0;
  std::uint32_t peak_cores = 0;  // most cores in use at any one time
};

struct SitesPolicy {
  std::string name;  // "baseline", "ebb, no move", "ebb, move"
  std::vector<SiteTally> sites;
  SiteTally total;           // peak_cores: the most of any site
  double reduction_pct = 0;  // kgCO2 against the baseline
  double mean_added_wait_h = 0;
  std::size_t deferred = 0;             // jobs planned to start after their submit
  std::size_t moved = 0;                // jobs run away from their home site
  std::size_t over_capacity_sites = 0;  // sites whose peak exceeds their cores (must be 0)
  std::vector<std::size_t> site;        // per job (trace order): where it ran
  std::vector<TimePoint> start;
};

struct SitesResult {
  std::vector<SiteSpec> sites;
  std::vector<SitesPolicy> policies;  // baseline, ebb no move, then ebb move (with move)
  std::size_t infeasible_deadlines = 0;
  double seconds = 0;
};

// `grids`: one per site, in the order of config.sites, on the same time axis as the jobs.
SitesResult run_sites(const std::vector<TraceJob>& jobs, const std::vector<Grid>& grids,
                      const SitesConfig& config);

// The per-site and overall tables, as Markdown.
std::string format_sites(const SitesResult& result, const std::string& setup);

}  // namespace ebb::replay
