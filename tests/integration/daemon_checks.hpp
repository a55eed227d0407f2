// SPDX-License-Identifier: GPL-2.0-or-later
// Checks shared by the tests that run sbatch against ebbd (test_daemon_path.cpp,
// test_trust.cpp).
#pragma once

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>

#include "cluster.hpp"
#include "ebb/config.hpp"
#include "ebb/decision_text.hpp"
#include "ebb/planner.hpp"
#include "support.hpp"

namespace ebb::test {

// The planner's decision for the test job, submitted at its SubmitTime, against
// `forecast`, with the cluster's ebb.conf (the same policy and power model as ebbd's).
inline Decision expected_for(const Cluster& c, const std::map<std::string, std::string>& job,
                             const SignalSeries& forecast) {
  Config config = load_config(c.ebb_conf());
  PlanRequest req;
  req.now = from_slurm_local(job.at("SubmitTime"));
  req.deadline = req.now + hours(12);
  req.time_limit = hours(1);
  JobRequest one_task;
  one_task.time_limit = req.time_limit;
  req.power_watts = config.partition("").power.watts(one_task);
  return plan(req, forecast, config.policy);
}

// The job was deferred to exactly what the planner makes of `forecast`, with one line.
inline void check_deferred_as_planned(const Cluster& c, const Submission& s,
                                      const SignalSeries& forecast) {
  INFO(s.result.err);
  REQUIRE(s.result.exit_code == 0);
  REQUIRE_FALSE(s.job_id.empty());
  auto job = c.job(s.job_id);
  const Decision d = expected_for(c, job, forecast);
  REQUIRE(d.defer);
  CHECK(job.at("Reason") == "BeginTime");
  CHECK(from_slurm_local(job.at("EligibleTime")) == d.start);
  REQUIRE(s.ebb_lines.size() == 1);
  CHECK(s.result.err == s.ebb_lines[0] + "\n");
  // The chosen window lies on whole half hours, so its mean is exact; the baseline's
  // mean depends on the second of submission and is not compared.
  CHECK(s.ebb_lines[0].rfind("ebb: deferred to " + format_local_minute(d.start) + " (" +
                                 std::to_string(std::lround(d.chosen.mean_carbon)) + " vs ",
                             0) == 0);
  CHECK(s.ebb_lines[0].find(" gCO2/kWh now, est. ") != std::string::npos);
  CHECK(s.ebb_lines[0].find("Wh, saves ") != std::string::npos);
}

}  // namespace ebb::test
