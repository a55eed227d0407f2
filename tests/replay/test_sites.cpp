// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb replay --sites`: jobs with a home site, deferred at home or moved to a cleaner site,
// each site's cores respected.
#include <catch2/catch.hpp>
#include <cstdio>

#include "ebb/error.hpp"
#include "engine.hpp"
#include "sites.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::replay;

namespace {
const TimePoint T0 = parse_iso8601("2022-03-07T00:00Z");  // a Monday

Grid flat(double carbon) {
  std::vector<Slot> slots;
  for (int h = 0; h < 24 * 21; ++h) {
    Slot s;
    s.start = T0 + hours(h);
    s.end = s.start + hours(1);
    s.carbon = carbon;
    slots.push_back(s);
  }
  return Grid(slots, false, "flat " + std::to_string(carbon));
}

std::vector<TraceJob> jobs(int count, int cores) {
  std::vector<TraceJob> out;
  for (int i = 0; i < count; ++i) {
    TraceJob j;
    j.id = std::to_string(i);
    j.submit = T0 + minutes(10 * i);
    j.runtime = hours(2);
    j.requested = hours(3);
    j.cores = static_cast<std::uint32_t>(cores);
    out.push_back(j);
  }
  return out;
}

SitesConfig config(std::vector<SiteSpec> sites) {
  SitesConfig c;
  c.sites = std::move(sites);
  c.replay.deadline = parse_deadline_rule("slack:12h");
  c.replay.ebb_policy.objective = Objective::carbon;
  c.replay.sim.age_from_submit = true;
  return c;
}

void check_capacity(const SitesResult& r) {
  for (const auto& p : r.policies) {
    INFO(p.name);
    CHECK(p.over_capacity_sites == 0);
    for (std::size_t s = 0; s < r.sites.size(); ++s)
      CHECK(p.sites[s].peak_cores <= r.sites[s].cores);
  }
}
}  // namespace

TEST_CASE("--sites parses ZONE:CORES and names a bad entry", "[sites]") {
  auto s = parse_sites("DE:240, FR:120,SE-SE3:8");
  REQUIRE(s.size() == 3);
  CHECK(s[2].zone == "SE-SE3");
  CHECK(s[2].cores == 8);
  CHECK_THROWS_WITH(parse_sites("DE:240,FR"), Catch::Contains("'FR'"));
  CHECK_THROWS_WITH(parse_sites("DE:240,FR:0"), Catch::Contains("'FR:0'"));
  CHECK_THROWS_WITH(parse_sites("DE:240"), Catch::Contains("at least two"));
  CHECK_THROWS_WITH(parse_home_rule("random"), Catch::Contains("random"));
}

TEST_CASE("Home sites: round robin, or by partition", "[sites]") {
  auto js = jobs(5, 1);
  auto rr = home_sites(js, 2, HomeRule::round_robin);
  CHECK(rr == std::vector<std::size_t>{0, 1, 0, 1, 0});
  const char* parts[] = {"b", "a", "b", "c", "a"};
  for (int i = 0; i < 5; ++i) js[static_cast<std::size_t>(i)].partition = parts[i];
  CHECK(home_sites(js, 2, HomeRule::partition) == std::vector<std::size_t>{0, 1, 0, 0, 1});
}

TEST_CASE("A dirty home's jobs move to the clean site while it has room", "[sites]") {
  // 60 jobs of 4 cores, 2 h each, one every 10 minutes: about 48 cores busy in total.
  const auto js = jobs(60, 4);
  {
    // The clean site has room for everything: every job homed on the dirty one moves.
    SitesConfig c = config({{"dirty", 64}, {"clean", 64}});
    SitesResult r = run_sites(js, {flat(500), flat(50)}, c);
    REQUIRE(r.policies.size() == 3);
    const auto& base = r.policies[0];
    const auto& stay = r.policies[1];
    const auto& move = r.policies[2];
    CHECK(base.moved == 0);
    CHECK(stay.moved == 0);
    CHECK(stay.reduction_pct == Approx(0).margin(1e-9));  // flat series: nothing to wait for
    CHECK(move.moved == 30);
    CHECK(move.sites[1].jobs == 60);
    CHECK(move.sites[1].moved_in == 30);
    CHECK(move.total.deadline_misses == 0);
    // Half the work from 500 to 50 g/kWh: (500 + 50) / 2 -> 50.
    CHECK(move.reduction_pct == Approx(100.0 * (1 - 50.0 / 275.0)).epsilon(1e-6));
    CHECK(move.total.energy_kwh == Approx(base.total.energy_kwh));
    check_capacity(r);
  }
  {
    // Every job at home on the dirty site (one partition); a clean site of 8 cores (less
    // 20 % headroom: one 4-core job at a time) takes only what fits; the rest stays at
    // home, and nothing runs over.
    SitesConfig c = config({{"dirty", 64}, {"clean", 8}});
    c.home = HomeRule::partition;
    SitesResult r = run_sites(js, {flat(500), flat(50)}, c);
    const auto& move = r.policies[2];
    CHECK(r.policies[0].sites[1].jobs == 0);
    CHECK(move.moved > 0);
    CHECK(move.moved < 60);
    CHECK(move.sites[1].jobs == move.moved);
    CHECK(move.sites[1].peak_cores <= 8);
    CHECK(move.total.deadline_misses <= r.policies[0].total.deadline_misses);
    check_capacity(r);
  }
  {
    // --no-move: the moving policy is left out.
    SitesConfig c = config({{"dirty", 64}, {"clean", 64}});
    c.move = false;
    SitesResult r = run_sites(js, {flat(500), flat(50)}, c);
    CHECK(r.policies.size() == 2);
  }
}

TEST_CASE("A move must gain the threshold", "[sites]") {
  SitesConfig c = config({{"a", 64}, {"b", 64}});
  c.replay.ebb_policy.min_saving_percent = 5;
  SitesResult r = run_sites(jobs(20, 1), {flat(100), flat(97)}, c);  // 3 % cleaner
  CHECK(r.policies[2].moved == 0);
  r = run_sites(jobs(20, 1), {flat(100), flat(90)}, c);  // 10 % cleaner
  CHECK(r.policies[2].moved == 10);
}

TEST_CASE("GAIA PAI 1k over DE, FR and SE-SE3: moving cuts more than waiting", "[sites]") {
  Trace trace = read_trace(test::data_path("gaia_pai_1k.csv"));
  REQUIRE(trace.jobs.size() == 1000);
  std::vector<Grid> grids;
  for (const char* zone : {"DE", "FR", "SE-SE3"})
    grids.push_back(test::load_grid("em_ci_lca_2022_hourly_123zones.csv.gz", zone));
  map_onto_grid(trace, grids.front(), parse_iso8601("2022-03-07T00:00:00Z"));
  SitesConfig c = config({{"DE", 64}, {"FR", 64}, {"SE-SE3", 64}});
  c.replay.deadline = parse_deadline_rule("slack:24h");
  SitesResult r = run_sites(trace.jobs, grids, c);
  std::printf("%s", format_sites(r, "GAIA PAI 1k, DE/FR/SE-SE3 64 cores each").c_str());
  const auto& base = r.policies[0];
  const auto& stay = r.policies[1];
  const auto& move = r.policies[2];
  CHECK(stay.reduction_pct > 0);
  CHECK(move.reduction_pct > 2 * stay.reduction_pct);
  CHECK(move.total.deadline_misses <= base.total.deadline_misses);
  CHECK(move.sites[0].jobs < base.sites[0].jobs);  // DE is the dirtiest: it loses jobs
  check_capacity(r);
}

TEST_CASE("A move penalty is planned for, run and scored", "[sites]") {
  // 2 h jobs; 2 h of staging doubles a moved job's run.
  SitesConfig c = config({{"dirty", 64}, {"clean", 64}});
  c.move_penalty = hours(2);
  const auto js = jobs(20, 1);
  // 500 against 2 x 300 at the clean site: not worth it.
  SitesResult r = run_sites(js, {flat(500), flat(300)}, c);
  CHECK(r.policies[2].moved == 0);
  // 500 against 2 x 50: worth it, and the moved jobs' energy and time are doubled.
  r = run_sites(js, {flat(500), flat(50)}, c);
  const auto& base = r.policies[0];
  const auto& move = r.policies[2];
  CHECK(move.moved == 10);
  CHECK(move.total.energy_kwh == Approx(base.total.energy_kwh * 1.5));
  // The clean site ran its 10 own jobs (2 h) and the 10 moved ones (4 h): 3 times its
  // baseline energy, all at 50 g/kWh.
  CHECK(move.sites[1].energy_kwh == Approx(3 * base.sites[1].energy_kwh));
  CHECK(move.sites[1].kg_co2 == Approx(move.sites[1].energy_kwh * 50 / 1000));
  CHECK(move.total.deadline_misses == 0);
  check_capacity(r);
}
