// SPDX-License-Identifier: GPL-2.0-or-later
// Hetjobs, job arrays, salloc, and commands run inside a job.
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "support.hpp"

using namespace ebb;
using namespace ebb::test;

namespace {

SignalSeries cheap_window_forecast(TimePoint h) {
  std::vector<double> carbon(36, 300);
  for (int i = 7; i < 10; ++i) carbon[i] = 100;
  return hourly(h - hours(2), carbon);
}

Decision expected_for(const Cluster& c, TimePoint submitted) {
  PlanRequest req;
  req.now = submitted;
  req.deadline = submitted + hours(12);
  req.time_limit = hours(1);
  return expected_plan(c, req);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace

TEST_CASE("every hetjob component gets the same begin, planned once", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  write_forecast(c, cheap_window_forecast(h));
  c.write_ebb_conf(ebb_conf_text(c));
  const std::string script = (c.dir() / "het.sh").string();
  {
    std::ofstream out(script);
    out << "#!/bin/sh\n#SBATCH --time=1:00:00 --ntasks=1\n#SBATCH hetjob\n"
           "#SBATCH --time=1:00:00 --ntasks=1\ntrue\n";
  }
  auto s = sbatch(c, {"--carbon-deadline=now+12hours", script});
  INFO(s.result.err);
  REQUIRE(s.result.exit_code == 0);
  auto records = c.job_records(s.job_id);
  REQUIRE(records.size() == 2);
  const Decision d = expected_for(c, from_slurm_local(records[0].at("SubmitTime")));
  REQUIRE(d.defer);
  for (auto& r : records) {
    CHECK(r.at("Reason") == "BeginTime");
    CHECK(from_slurm_local(r.at("EligibleTime")) == d.start);
  }
  CHECK(s.ebb_lines.size() == 1);
}

TEST_CASE("a job array gets one plan for all its tasks", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  write_forecast(c, cheap_window_forecast(h));
  c.write_ebb_conf(ebb_conf_text(c));
  auto s = sbatch(
      c, {"--time=1:00:00", "--array=1-3", "--carbon-deadline=now+12hours", "--wrap", "true"});
  INFO(s.result.err);
  REQUIRE(s.result.exit_code == 0);
  auto records = c.job_records(s.job_id);
  REQUIRE_FALSE(records.empty());
  const Decision d = expected_for(c, from_slurm_local(records[0].at("SubmitTime")));
  REQUIRE(d.defer);
  for (auto& r : records) {
    CHECK(r.at("ArrayTaskId") == "1-3");
    CHECK(from_slurm_local(r.at("EligibleTime")) == d.start);
  }
  CHECK(s.ebb_lines.size() == 1);
}

TEST_CASE("salloc is deferred too, and says that it waits", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  write_forecast(c, cheap_window_forecast(h));
  c.write_ebb_conf(ebb_conf_text(c));
  // salloc waits for the window; the test stops it after a few seconds.
  auto r = c.command({"salloc", "--time=1:00:00", "--carbon-deadline=now+12hours", "true"},
                     std::chrono::seconds(4));
  INFO(r.err);
  CHECK(r.timed_out);
  auto lines = ebb_lines(r.err);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind("ebb: deferred to ", 0) == 0);
  CHECK(lines[0].ends_with("; salloc waits until then"));
  std::smatch m;
  static const std::regex pending(R"(Pending job allocation (\d+))");
  REQUIRE(std::regex_search(r.err, m, pending));
  auto job = c.job(m[1]);
  const Decision d = expected_for(c, from_slurm_local(job.at("SubmitTime")));
  REQUIRE(d.defer);
  CHECK(from_slurm_local(job.at("EligibleTime")) == d.start);
}

TEST_CASE("srun outside an allocation is deferred and says that it waits", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();
  write_forecast(c, cheap_window_forecast(h));
  c.write_ebb_conf(ebb_conf_text(c));
  auto r = c.command({"srun", "--time=1:00:00", "--carbon-deadline=now+12hours", "true"},
                     std::chrono::seconds(4));
  INFO(r.err);
  CHECK(r.timed_out);
  CHECK(r.out == "");
  auto lines = ebb_lines(r.err);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind("ebb: deferred to ", 0) == 0);
  CHECK(lines[0].ends_with("; srun waits until then"));
  std::smatch m;
  static const std::regex queued(R"(job (\d+) queued and waiting)");
  REQUIRE(std::regex_search(r.err, m, queued));
  auto job = c.job(m[1]);
  const Decision d = expected_for(c, from_slurm_local(job.at("SubmitTime")));
  REQUIRE(d.defer);
  CHECK(from_slurm_local(job.at("EligibleTime")) == d.start);
}

TEST_CASE("inside a job, sbatch and srun are left alone", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  write_forecast(c, cheap_window_forecast(h));
  c.write_ebb_conf(ebb_conf_text(c));
  const std::string output = (c.dir() / "inside.out").string();
  // The outer job carries a carbon flag (not deferred: nothing cleaner within 30
  // minutes); its environment therefore holds the flag for nested commands.
  const std::string script =
      "echo plain:; sbatch --time=1:00:00 --wrap true 2>&1; "
      "echo flagged:; sbatch --time=1:00:00 --carbon-deadline=now+12hours --wrap true 2>&1; "
      "echo step:; srun --time=1 --carbon-deadline=now+12hours true 2>&1; echo done";
  auto s =
      sbatch(c, {"--time=10", "--carbon-max-delay=30", "--output=" + output, "--wrap", script});
  INFO(s.result.err);
  REQUIRE(s.result.exit_code == 0);
  REQUIRE(s.ebb_lines.size() == 1);
  CHECK(s.ebb_lines[0].rfind("ebb: not deferred: ", 0) == 0);
  REQUIRE(c.wait_until_finished(s.job_id, std::chrono::seconds(60)) == "COMPLETED");

  const std::string text = read_text(output);
  INFO(text);
  const auto plain = text.find("plain:"), flagged = text.find("flagged:"),
             step = text.find("step:"), done = text.find("done");
  REQUIRE(plain != std::string::npos);
  REQUIRE(flagged != std::string::npos);
  REQUIRE(step != std::string::npos);
  REQUIRE(done != std::string::npos);
  // Inherited flags: silent. Explicit flags: one line saying why nothing happened.
  CHECK(ebb_lines(text.substr(plain, flagged - plain)).empty());
  auto flagged_lines = ebb_lines(text.substr(flagged, step - flagged));
  REQUIRE(flagged_lines.size() == 1);
  CHECK(flagged_lines[0].find("inside job " + s.job_id) != std::string::npos);
  auto step_lines = ebb_lines(text.substr(step, done - step));
  REQUIRE(step_lines.size() == 1);
  CHECK(step_lines[0].find("inside job " + s.job_id) != std::string::npos);

  // The nested jobs were not deferred.
  static const std::regex submitted(R"(Submitted batch job (\d+))");
  int nested = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), submitted), end; it != end; ++it) {
    ++nested;
    CHECK(c.job((*it)[1]).at("Reason") != "BeginTime");
  }
  CHECK(nested == 2);
}
