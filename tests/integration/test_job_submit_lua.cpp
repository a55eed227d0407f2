// SPDX-License-Identifier: GPL-2.0-or-later
// contrib/job_submit.lua applies the plan the plugin exported (ApplyInClient=no).
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace ebb;
using namespace ebb::test;

namespace {

Decision expected_for(const Cluster& c, TimePoint submitted) {
  PlanRequest req;
  req.now = submitted;
  req.deadline = submitted + hours(12);
  req.time_limit = hours(1);
  return expected_plan(c, req);
}

std::string epoch(TimePoint t) { return std::to_string(t.time_since_epoch().count()); }

}  // namespace

TEST_CASE("job_submit.lua applies the exported plan on the controller", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  std::vector<double> carbon(36, 300);
  for (int i = 8; i < 11; ++i) carbon[i] = 90;
  write_forecast(c, hourly(h - hours(2), carbon));
  c.write_ebb_conf(ebb_conf_text(c));

  SECTION("ApplyInClient=no: the plugin only exports, the script sets the begin time") {
    c.write_plugstack(true, "ApplyInClient=no");
    auto s = sbatch(c, {"--time=1:00:00", "--carbon-deadline=now+12hours", "--job-name=lua-applies",
                        "--wrap", "true"});
    INFO(s.result.err);
    REQUIRE(s.result.exit_code == 0);
    auto job = c.job(s.job_id);
    const Decision d = expected_for(c, from_slurm_local(job.at("SubmitTime")));
    REQUIRE(d.defer);
    CHECK(job.at("Reason") == "BeginTime");
    CHECK(from_slurm_local(job.at("EligibleTime")) == d.start);
    CHECK(c.slurmctld_log().find("job lua-applies: begin time set to " + epoch(d.start)) !=
          std::string::npos);
  }
  SECTION("ApplyInClient=yes: the client set it, the script leaves it") {
    auto s = sbatch(c, {"--time=1:00:00", "--carbon-deadline=now+12hours",
                        "--job-name=client-applies", "--wrap", "true"});
    INFO(s.result.err);
    REQUIRE(s.result.exit_code == 0);
    auto job = c.job(s.job_id);
    const Decision d = expected_for(c, from_slurm_local(job.at("SubmitTime")));
    REQUIRE(d.defer);
    CHECK(from_slurm_local(job.at("EligibleTime")) == d.start);
    CHECK(c.slurmctld_log().find("job client-applies: begin time set to") == std::string::npos);
  }
}
