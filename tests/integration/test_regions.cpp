// SPDX-License-Identifier: GPL-2.0-or-later
// Partitions in grid regions, on a real cluster: two partitions on the node, mapped to two grid
// regions that a real ebbd serves from two forecast files. A job that lists both goes to the
// cleaner one (narrowed to it, deferred there); a job that lists one is never moved, unless it opts
// in with --carbon-move to the site's group of equivalent partitions; a region without data is
// skipped with a warning; with no data anywhere the job goes in unchanged.
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
    "-p de,fr lands in the cleaner region's partition, narrowed and deferred; -p de alone "
    "stays; a region without data is skipped",
    "[slurm][daemon][regions]") {
  namespace fs = std::filesystem;
  Cluster::Settings settings;
  settings.cpus = 4;
  settings.more_partitions = {{"fr", ""}, {"nodata", ""}, {"void2", ""}};
  Cluster c(settings);
  const fs::path dir = c.dir() / "regions";
  fs::create_directories(dir);

  // de is dirty all day; fr is as dirty now and clean from the third hour.
  const TimePoint h0 = this_hour();
  std::vector<double> de(30, 400.0), fr(30, 400.0);
  for (std::size_t h = 3; h < fr.size(); ++h) fr[h] = 50.0;
  const std::string de_csv = (dir / "de.csv").string(), fr_csv = (dir / "fr.csv").string();
  write_file(de_csv, to_forecast_csv(hourly(h0, de)));
  write_file(fr_csv, to_forecast_csv(hourly(h0, fr)));
  const std::string empty_csv = (dir / "empty.csv").string();
  write_file(empty_csv, "time,carbon\n");

  const std::string conf =
      "CacheDir=" + (dir / "cache").string() +
      "\nObjective=carbon\nMinSavingPercent=5\nRegion=de\n"
      "RegionName=de CarbonSource=file CarbonFile=" +
      de_csv + "\nRegionName=fr CarbonSource=file CarbonFile=" + fr_csv +
      "\nRegionName=void CarbonSource=file CarbonFile=" + empty_csv +
      "\nRegionName=void2 CarbonSource=file CarbonFile=" + empty_csv +
      "\nPartitionName=debug MoveGroup=eu\nPartitionName=fr Region=fr MoveGroup=eu\n"
      "PartitionName=nodata Region=void\n"
      "PartitionName=void2 Region=void2\n";
  write_file((dir / "ebbd.conf").string(), conf);
  EbbdProcess ebbd((dir / "ebbd.conf").string(), dir.string(), {{"SLURM_CONF", c.slurm_conf()}});
  INFO("ebbd's log:\n" << ebbd.log());
  for (const char* region : {"de", "fr"})
    REQUIRE(wait_for(
        [&] {
          ebb::DaemonError error;
          return fetch_forecast_from_daemon(ebbd.url(), region, 2s, &error).has_value();
        },
        30s));
  c.write_ebb_conf(conf + "DaemonUrl=" + ebbd.url() + "\nDaemonTimeout=10000\n");
  const std::vector<std::string> job{"--time=10", "--carbon-deadline=now+12hours", "--wrap",
                                     "true"};
  auto submit = [&](const std::string& partitions) {
    std::vector<std::string> args{"-p", partitions};
    args.insert(args.end(), job.begin(), job.end());
    return sbatch(c, args);
  };

  // 1. Both listed, home (de) first: moved to fr and deferred to its clean hours.
  Submission moved = submit("debug,fr");
  INFO(moved.result.err);
  REQUIRE(moved.result.exit_code == 0);
  REQUIRE_FALSE(moved.job_id.empty());
  CHECK(has_line(moved, "ebb: moved to fr and deferred to"));
  auto j = c.job(moved.job_id);
  CHECK(j.at("Partition") == "fr");
  CHECK(j.at("Reason") == "BeginTime");
  CHECK(from_slurm_local(j.at("EligibleTime")) >= h0 + hours(3));

  // 2. Only de listed: never moved (de is flat, so not deferred either).
  Submission home = submit("debug");
  INFO(home.result.err);
  REQUIRE_FALSE(home.job_id.empty());
  CHECK_FALSE(has_line(home, "moved to"));
  CHECK(c.job(home.job_id).at("Partition") == "debug");

  // 3. fr first: it is home, deferred there, and the list narrowed to it.
  Submission fr_home = submit("fr,debug");
  INFO(fr_home.result.err);
  REQUIRE_FALSE(fr_home.job_id.empty());
  CHECK_FALSE(has_line(fr_home, "moved to"));
  CHECK(has_line(fr_home, "ebb: deferred to"));
  CHECK(c.job(fr_home.job_id).at("Partition") == "fr");

  // 4. A partition whose region has no data: skipped with a warning, the others compete.
  Submission skip = submit("nodata,fr");
  INFO(skip.result.err);
  REQUIRE_FALSE(skip.job_id.empty());
  CHECK(has_line(skip, "ebb: warning: not considered: nodata (region void)"));
  CHECK(has_line(skip, "ebb: moved to fr and deferred to"));
  CHECK(c.job(skip.job_id).at("Partition") == "fr");

  // 6. -p debug with --carbon-move: the site declared fr equivalent (MoveGroup=eu) and the
  //    user opted in, so the job may go there.
  {
    std::vector<std::string> args{"-p", "debug", "--carbon-move"};
    args.insert(args.end(), job.begin(), job.end());
    Submission opted = sbatch(c, args);
    INFO(opted.result.err);
    REQUIRE_FALSE(opted.job_id.empty());
    CHECK(has_line(opted, "ebb: moved to fr and deferred to"));
    CHECK(c.job(opted.job_id).at("Partition") == "fr");
  }

  // 5. No listed partition has data: one warning, the job goes in unchanged (fail open).
  Submission none = submit("nodata,void2");
  INFO(none.result.err);
  REQUIRE_FALSE(none.job_id.empty());
  CHECK(has_line(none, "ebb: warning: no partition of 2 could be planned"));
  auto n = c.job(none.job_id);
  CHECK(n.at("Partition") == "nodata,void2");
  CHECK(n.at("Reason") != "BeginTime");
}
