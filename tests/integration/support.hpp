// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers shared by the integration tests: one cluster per test process, forecasts
// mapped onto the present, and the planner's own answer to compare with Slurm's.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cluster.hpp"
#include "ebb/config.hpp"
#include "ebb/planner.hpp"
#include "ebb/signal.hpp"
#include "ebb/time.hpp"

namespace ebb::test {

// The cluster every test case in this process shares (started on first use; tests
// rewrite ebb.conf and plugstack.conf as they need). Cancels the previous test's jobs.
Cluster& cluster();

// The start of the current UTC hour.
TimePoint this_hour();
// Hourly slots from `first`, one per value; prices optional (same length).
SignalSeries hourly(TimePoint first, const std::vector<double>& carbon,
                    const std::vector<double>& price = {});
// Writes the series as the cluster's forecast file (ebb::to_forecast_csv).
void write_forecast(const Cluster& c, const SignalSeries& series);
// ebb.conf pointing at the cluster's forecast file, plus `extra` lines.
std::string ebb_conf_text(const Cluster& c, const std::string& extra = "");

// A time as Slurm prints it ("2026-11-27T18:00:00", local time) and back.
TimePoint from_slurm_local(const std::string& text);
std::string to_slurm_local(TimePoint t);

// What the planner decides for a one-task job with this cluster's ebb.conf and forecast.
// `objective` overrides ebb.conf's, as --carbon-objective does.
Decision expected_plan(const Cluster& c, PlanRequest request,
                       std::optional<Objective> objective = std::nullopt);

struct Submission {
  RunResult result;
  std::string job_id;                  // empty when no job was created
  std::vector<std::string> ebb_lines;  // stderr lines starting with "ebb:"
};
Submission sbatch(const Cluster& c, const std::vector<std::string>& args);

// Lines of `text` starting with "ebb:".
std::vector<std::string> ebb_lines(const std::string& text);

// Whether one of the submission's "ebb:" lines contains `what`.
bool has_line(const Submission& s, const std::string& what);

// Writes `text` to `path` whole: into a new file, then renamed over it, so that a daemon
// reading it never sees half of it.
void write_file(const std::string& path, const std::string& text);

}  // namespace ebb::test
