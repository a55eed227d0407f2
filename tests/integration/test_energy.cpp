// SPDX-License-Identifier: GPL-2.0-or-later
// The plugin reads the job's request from sbatch's options and prices it with the
// partition's power model; the plan it exports (EBB_PLAN) carries the energy.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "ebb/energy.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::test;

namespace {

std::string kwh_text(double kwh) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", kwh);
  return buf;
}

std::string exported_plan(const Cluster& c, std::vector<std::string> args,
                          const std::string& name) {
  const std::string output = (c.dir() / (name + ".out")).string();
  args.insert(args.end(), {"--output=" + output, "--wrap", "echo \"$SLURM_SPANK_EBB_PLAN\""});
  auto s = sbatch(c, args);
  INFO(s.result.err);
  REQUIRE(s.result.exit_code == 0);
  REQUIRE(c.wait_until_finished(s.job_id, std::chrono::seconds(60)) == "COMPLETED");
  std::ifstream in(output);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace

TEST_CASE("the energy estimate follows the request and the partition's power model", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  write_forecast(c, hourly(h - hours(2), std::vector<double>(36, 250)));

  JobRequest job;
  job.tasks = 2;
  job.cpus_per_task = 1;
  job.memory_gb = 1000.0 / 1024.0;
  job.time_limit = hours(1);

  SECTION("site defaults") {
    c.write_ebb_conf(ebb_conf_text(c));
    const std::string plan = exported_plan(
        c, {"--time=1:00:00", "--ntasks=2", "--mem=1000", "--carbon-max-delay=2:00:00"},
        "defaults");
    INFO(plan);
    const double kwh = PowerModel{}.energy_kwh(job, hours(1));
    CHECK(plan.find("kwh=" + kwh_text(kwh)) != std::string::npos);
    CHECK(plan.rfind("now start=", 0) == 0);
  }
  SECTION("a partition's own model") {
    c.write_ebb_conf(ebb_conf_text(c, "PartitionName=debug WattsPerCore=50 PUE=1.2"));
    const std::string plan = exported_plan(c,
                                           {"--time=1:00:00", "--ntasks=2", "--mem=1000",
                                            "--partition=debug", "--carbon-max-delay=2:00:00"},
                                           "partition");
    INFO(plan);
    PowerModel model;
    model.watts_per_core = 50;
    model.pue = 1.2;
    CHECK(plan.find("kwh=" + kwh_text(model.energy_kwh(job, hours(1)))) != std::string::npos);
  }
}
