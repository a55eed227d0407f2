// SPDX-License-Identifier: GPL-2.0-or-later
// Moving jobs between clusters, on real clusters: two slurmctlds (c1, c2) registered with one
// slurmdbd + MariaDB, mapped to two grid regions (ClusterName= in ebb.conf) that a real ebbd serves
// from two forecast files. `sbatch -M c1,c2` from c1 goes to the cleaner cluster, -M
// narrowed to it and deferred there; `-M c1` alone is never moved; a cluster whose region
// has no data is skipped with a warning; a move's energy overhead (MoveEnergy=) can keep a
// job home; with no data anywhere the job goes in unchanged.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "daemon_harness.hpp"
#include "ebb/daemon_client.hpp"
#include "ebb/forecast_file.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::test;
using namespace std::chrono_literals;

TEST_CASE(
    "-M c1,c2 lands on the cleaner region's cluster, narrowed and deferred; -M c1 alone "
    "stays; a cluster without data is skipped; none with data: unchanged",
    "[slurm][daemon][clusters]") {
  namespace fs = std::filesystem;
  Cluster::Settings s1;
  s1.cluster_name = "c1";
  s1.with_accounting = true;
  Cluster c1(s1);
  Cluster::Settings s2;
  s2.cluster_name = "c2";
  s2.accounting_of = &c1;
  Cluster c2(s2);
  const fs::path dir = c1.dir() / "clusters";
  fs::create_directories(dir);

  // de (c1) is dirty all day; fr (c2) is as dirty now and clean from the third hour.
  const TimePoint h0 = this_hour();
  std::vector<double> de(30, 400.0), fr(30, 400.0);
  for (std::size_t h = 3; h < fr.size(); ++h) fr[h] = 50.0;
  const std::string de_csv = (dir / "de.csv").string(), fr_csv = (dir / "fr.csv").string();
  write_file(de_csv, to_forecast_csv(hourly(h0, de)));
  write_file(fr_csv, to_forecast_csv(hourly(h0, fr)));
  const std::string empty_csv = (dir / "empty.csv").string();
  write_file(empty_csv, "time,carbon\n");

  const std::string regions = "CacheDir=" + (dir / "cache").string() +
                              "\nObjective=carbon\nMinSavingPercent=5\nRegion=de\n"
                              "RegionName=de CarbonSource=file CarbonFile=" +
                              de_csv + "\nRegionName=fr CarbonSource=file CarbonFile=" + fr_csv +
                              "\nRegionName=void CarbonSource=file CarbonFile=" + empty_csv + "\n";
  const std::string conf =
      regions + "ClusterName=c1 Region=de\nClusterName=c2 Region=fr\nClusterName=c3 Region=void\n";
  write_file((dir / "ebbd.conf").string(), conf);
  EbbdProcess ebbd((dir / "ebbd.conf").string(), dir.string(), {{"SLURM_CONF", c1.slurm_conf()}});
  INFO("ebbd's log:\n" << ebbd.log());
  for (const char* region : {"de", "fr"})
    REQUIRE(wait_for(
        [&] {
          ebb::DaemonError error;
          return fetch_forecast_from_daemon(ebbd.url(), region, 2s, &error).has_value();
        },
        30s));
  const std::string daemon = "DaemonUrl=" + ebbd.url() + "\nDaemonTimeout=10000\n";
  c1.write_ebb_conf(conf + daemon);
  auto submit = [&](const std::string& clusters) {
    return sbatch(c1,
                  {"-M", clusters, "--time=10", "--carbon-deadline=now+12hours", "--wrap", "true"});
  };

  // 1. Both listed, home (c1, de) first: moved to c2 and deferred to fr's clean hours.
  Submission moved = submit("c1,c2");
  INFO(moved.result.out << moved.result.err);
  REQUIRE(moved.result.exit_code == 0);
  REQUIRE_FALSE(moved.job_id.empty());
  CHECK(moved.result.out.find("on cluster c2") != std::string::npos);
  CHECK(has_line(moved, "ebb: moved to cluster c2 and deferred to"));
  auto j = c2.job(moved.job_id);
  CHECK(j.at("Reason") == "BeginTime");
  CHECK(from_slurm_local(j.at("EligibleTime")) >= h0 + hours(3));
  // As a user sees it from c1.
  auto q = c1.command({"squeue", "-M", "c2", "-h", "-o", "%i %r"});
  CHECK(q.out.find(moved.job_id + " BeginTime") != std::string::npos);

  // 2. Only c1 listed: never moved (de is flat, so not deferred either).
  Submission home = submit("c1");
  INFO(home.result.out << home.result.err);
  REQUIRE_FALSE(home.job_id.empty());
  CHECK_FALSE(has_line(home, "moved to"));
  CHECK(home.result.out.find("on cluster c1") != std::string::npos);
  CHECK(c1.job(home.job_id).at("JobId") == home.job_id);

  // 3. A listed cluster whose region has no data (c3, not even a real cluster: narrowed
  //    away): skipped with a warning, the others compete.
  Submission skip = submit("c3,c2");
  INFO(skip.result.out << skip.result.err);
  REQUIRE_FALSE(skip.job_id.empty());
  CHECK(has_line(skip, "ebb: warning: not considered: c3 (region void)"));
  CHECK(has_line(skip, "ebb: moved to cluster c2 and deferred to"));
  CHECK(skip.result.out.find("on cluster c2") != std::string::npos);
  CHECK(c2.job(skip.job_id).at("Reason") == "BeginTime");

  // 4. Moving to c2 costs 1 kWh more (MoveEnergy=), far more than this small job uses:
  //    c2's clean hours no longer beat home, so the job is not moved.
  c1.write_ebb_conf(
      regions + "ClusterName=c1 Region=de\nClusterName=c2 Region=fr MoveEnergy=1kWh\n" + daemon);
  Submission heavy = submit("c1,c2");
  INFO(heavy.result.out << heavy.result.err);
  REQUIRE_FALSE(heavy.job_id.empty());
  CHECK_FALSE(has_line(heavy, "moved to"));
  CHECK(has_line(heavy, "ebb: not deferred"));

  // 5. No listed cluster has data: one warning, the job goes in unchanged (fail open):
  //    Slurm picks the cluster, and nothing holds the job.
  c1.write_ebb_conf(regions + "RegionName=void2 CarbonSource=file CarbonFile=" + empty_csv +
                    "\nClusterName=c1 Region=void\nClusterName=c2 Region=void2\n" + daemon);
  Submission none = submit("c1,c2");
  INFO(none.result.out << none.result.err);
  REQUIRE_FALSE(none.job_id.empty());
  CHECK(has_line(none, "ebb: warning: no cluster of 2 could be planned"));
  const Cluster& landed = none.result.out.find("on cluster c2") != std::string::npos ? c2 : c1;
  CHECK(landed.job(none.job_id).at("Reason") != "BeginTime");
}
