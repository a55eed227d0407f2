// SPDX-License-Identifier: GPL-2.0-or-later
// The main path: sbatch with a carbon flag is held until the planner's window.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace ebb;
using namespace ebb::test;

namespace {

// 36 hourly slots from two hours ago; slots [7, 10) (from 5 h after the current hour
// for 3 h) are clearly the cleanest and cheapest.
SignalSeries cheap_window_forecast(TimePoint h) {
  std::vector<double> carbon(36, 300), price(36, 120);
  for (int i = 7; i < 10; ++i) {
    carbon[i] = 100;
    price[i] = 40;
  }
  return hourly(h - hours(2), carbon, price);
}

// Carbon falls every hour: the later a job starts, the cleaner.
SignalSeries falling_forecast(TimePoint h) {
  std::vector<double> carbon;
  for (int i = 0; i < 36; ++i) carbon.push_back(400.0 - 10.0 * i);
  return hourly(h - hours(2), carbon);
}

TimePoint submit_time(std::map<std::string, std::string>& job) {
  return from_slurm_local(job.at("SubmitTime"));
}

TimePoint eligible_time(std::map<std::string, std::string>& job) {
  return from_slurm_local(job.at("EligibleTime"));
}

}  // namespace

TEST_CASE("a deferred job begins at the planner's choice", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  write_forecast(c, cheap_window_forecast(h));
  c.write_ebb_conf(ebb_conf_text(c));

  auto s = sbatch(c, {"--time=1:00:00", "--carbon-deadline=now+12hours", "--wrap", "true"});
  INFO(s.result.err);
  REQUIRE(s.result.exit_code == 0);
  REQUIRE_FALSE(s.job_id.empty());
  auto job = c.job(s.job_id);

  PlanRequest req;
  req.now = submit_time(job);
  req.deadline = req.now + hours(12);
  req.time_limit = hours(1);
  const Decision d = expected_plan(c, req);
  REQUIRE(d.defer);
  CHECK(d.start == h + hours(5));  // the forecast's clean window, by design

  CHECK(job.at("Reason") == "BeginTime");
  CHECK(eligible_time(job) == d.start);
  // Exactly one line on stderr, nothing but sbatch's own line on stdout.
  REQUIRE(s.ebb_lines.size() == 1);
  CHECK(s.result.err == s.ebb_lines[0] + "\n");
  CHECK(s.ebb_lines[0].rfind(
            "ebb: deferred to " + format_local_minute(d.start) + " (100 vs 300 gCO2/kWh now, est. ",
            0) == 0);
  CHECK(s.ebb_lines[0].find(", saves ") != std::string::npos);
  CHECK(s.ebb_lines[0].find("CO2 (") != std::string::npos);  // the share saved, "(67 %)"
  CHECK(s.ebb_lines[0].find(" %) and ") != std::string::npos);
  CHECK(s.result.out == "Submitted batch job " + s.job_id + "\n");
}

TEST_CASE("a flat forecast does not defer", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  write_forecast(c, hourly(h - hours(2), std::vector<double>(36, 250)));
  c.write_ebb_conf(ebb_conf_text(c));

  auto s = sbatch(c, {"--time=1:00:00", "--carbon-deadline=now+12hours", "--wrap", "true"});
  INFO(s.result.err);
  REQUIRE(s.result.exit_code == 0);
  auto job = c.job(s.job_id);
  CHECK(job.at("Reason") != "BeginTime");
  CHECK(eligible_time(job) - submit_time(job) <= seconds(1));
  REQUIRE(s.ebb_lines.size() == 1);
  CHECK(s.ebb_lines[0].rfind("ebb: not deferred: ", 0) == 0);
  CHECK(c.wait_until_finished(s.job_id) == "COMPLETED");
}

TEST_CASE("the deadline holds: start + time limit <= --carbon-deadline", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  write_forecast(c, falling_forecast(h));
  c.write_ebb_conf(ebb_conf_text(c));
  const TimePoint deadline = h + hours(7);

  auto s = sbatch(
      c, {"--time=2:00:00", "--carbon-deadline=" + to_slurm_local(deadline), "--wrap", "true"});
  INFO(s.result.err);
  REQUIRE(s.result.exit_code == 0);
  auto job = c.job(s.job_id);
  PlanRequest req;
  req.now = submit_time(job);
  req.deadline = deadline;
  req.time_limit = hours(2);
  const Decision d = expected_plan(c, req);
  REQUIRE(d.defer);
  CHECK(eligible_time(job) == d.start);
  CHECK(eligible_time(job) + hours(2) <= deadline);
  CHECK(job.at("TimeLimit") == "02:00:00");
}

TEST_CASE("Slurm's own --deadline bounds the window", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  write_forecast(c, falling_forecast(h));
  c.write_ebb_conf(ebb_conf_text(c));
  const TimePoint deadline = h + hours(6);

  auto s = sbatch(c, {"--time=1:00:00", "--carbon-max-delay=1-0",
                      "--deadline=" + to_slurm_local(deadline), "--wrap", "true"});
  INFO(s.result.err);
  REQUIRE(s.result.exit_code == 0);
  auto job = c.job(s.job_id);
  PlanRequest req;
  req.now = submit_time(job);
  req.deadline = deadline;
  req.max_delay = hours(24);
  req.time_limit = hours(1);
  const Decision d = expected_plan(c, req);
  REQUIRE(d.defer);
  CHECK(eligible_time(job) == d.start);
  CHECK(eligible_time(job) + hours(1) <= deadline);
  CHECK(from_slurm_local(job.at("Deadline")) == deadline);  // left as the user asked
}

TEST_CASE("the user's --begin starts the window", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  // Cleanest right now, second cleanest 6 h after the current hour.
  std::vector<double> carbon(36, 300);
  for (int i = 0; i < 5; ++i) carbon[i] = 100;
  carbon[8] = 150;
  write_forecast(c, hourly(h - hours(2), carbon));
  c.write_ebb_conf(ebb_conf_text(c));
  const TimePoint begin = h + hours(3);

  auto s = sbatch(c, {"--time=1:00:00", "--begin=" + to_slurm_local(begin),
                      "--carbon-deadline=now+12hours", "--wrap", "true"});
  INFO(s.result.err);
  REQUIRE(s.result.exit_code == 0);
  auto job = c.job(s.job_id);
  PlanRequest req;
  req.now = submit_time(job);
  req.earliest_start = begin;
  req.deadline = req.now + hours(12);
  req.time_limit = hours(1);
  const Decision d = expected_plan(c, req);
  REQUIRE(d.defer);
  CHECK(d.start == h + hours(6));
  CHECK(eligible_time(job) == d.start);
  CHECK(eligible_time(job) >= begin);
}

TEST_CASE("the objective flag chooses what is minimised", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  // Cleanest at +5 h, cheapest at +9 h after the current hour.
  std::vector<double> carbon(36, 300), price(36, 150);
  carbon[7] = 80;
  price[11] = 20;
  write_forecast(c, hourly(h - hours(2), carbon, price));
  c.write_ebb_conf(ebb_conf_text(c));

  for (auto [name, objective, hour] :
       {std::tuple{"carbon", Objective::carbon, 5}, std::tuple{"cost", Objective::cost, 9}}) {
    SECTION(name) {
      auto s = sbatch(c, {"--time=1:00:00", "--carbon-deadline=now+12hours",
                          std::string("--carbon-objective=") + name, "--wrap", "true"});
      INFO(s.result.err);
      REQUIRE(s.result.exit_code == 0);
      auto job = c.job(s.job_id);
      PlanRequest req;
      req.now = submit_time(job);
      req.deadline = req.now + hours(12);
      req.time_limit = hours(1);
      const Decision d = expected_plan(c, req, objective);
      REQUIRE(d.defer);
      CHECK(d.start == h + hours(hour));
      CHECK(eligible_time(job) == d.start);
    }
  }
}

TEST_CASE("carbon-off and carbon-explain change nothing", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  write_forecast(c, cheap_window_forecast(h));
  c.write_ebb_conf(ebb_conf_text(c));

  SECTION("--carbon-off: silent, not deferred") {
    auto s = sbatch(c, {"--time=1:00:00", "--carbon-off", "--wrap", "true"});
    REQUIRE(s.result.exit_code == 0);
    CHECK(s.result.err == "");
    auto job = c.job(s.job_id);
    CHECK(job.at("Reason") != "BeginTime");
    CHECK(eligible_time(job) - submit_time(job) <= seconds(1));
  }
  SECTION("--carbon-explain: prints the plan, not deferred") {
    auto s = sbatch(c, {"--time=1:00:00", "--carbon-deadline=now+12hours", "--carbon-explain",
                        "--wrap", "true"});
    INFO(s.result.err);
    REQUIRE(s.result.exit_code == 0);
    auto job = c.job(s.job_id);
    PlanRequest req;
    req.now = submit_time(job);
    req.deadline = req.now + hours(12);
    req.time_limit = hours(1);
    const Decision d = expected_plan(c, req);
    REQUIRE(d.defer);
    REQUIRE(s.ebb_lines.size() == 1);
    CHECK(s.ebb_lines[0].rfind("ebb: would defer to " + format_local_minute(d.start), 0) == 0);
    CHECK(s.ebb_lines[0].ends_with("(explain only, nothing changed)"));
    CHECK(job.at("Reason") != "BeginTime");
    CHECK(eligible_time(job) - submit_time(job) <= seconds(1));
    CHECK(s.result.out == "Submitted batch job " + s.job_id + "\n");
  }
}

TEST_CASE("without carbon flags or a default delay ebb does nothing and says nothing", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  write_forecast(c, cheap_window_forecast(h));
  c.write_ebb_conf(ebb_conf_text(c));
  auto s = sbatch(c, {"--time=1:00:00", "--wrap", "true"});
  REQUIRE(s.result.exit_code == 0);
  CHECK(s.result.err == "");
  CHECK(s.result.out == "Submitted batch job " + s.job_id + "\n");
  CHECK(c.job(s.job_id).at("Reason") != "BeginTime");
}

TEST_CASE("DefaultMaxDelay in ebb.conf plans jobs without flags", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  write_forecast(c, cheap_window_forecast(h));
  SECTION("per partition") {
    c.write_ebb_conf(ebb_conf_text(c, "PartitionName=debug DefaultMaxDelay=12:00:00"));
    auto s = sbatch(c, {"--time=1:00:00", "--partition=debug", "--wrap", "true"});
    INFO(s.result.err);
    REQUIRE(s.result.exit_code == 0);
    auto job = c.job(s.job_id);
    PlanRequest req;
    req.now = submit_time(job);
    req.max_delay = hours(12);
    req.time_limit = hours(1);
    const Decision d = expected_plan(c, req);
    REQUIRE(d.defer);
    CHECK(eligible_time(job) == d.start);
    REQUIRE(s.ebb_lines.size() == 1);
    CHECK(s.ebb_lines[0].rfind("ebb: deferred to ", 0) == 0);
  }
  SECTION("site-wide, and --time is needed") {
    c.write_ebb_conf(ebb_conf_text(c, "DefaultMaxDelay=12:00:00"));
    auto s = sbatch(c, {"--wrap", "true"});
    INFO(s.result.err);
    REQUIRE(s.result.exit_code == 0);
    REQUIRE(s.ebb_lines.size() == 1);
    CHECK(s.ebb_lines[0] == "ebb: not deferred: --time is needed to plan against a deadline");
    CHECK(c.job(s.job_id).at("Reason") != "BeginTime");
  }
}

TEST_CASE("a maximum delay bounds the wait", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();
  write_forecast(c, falling_forecast(h));
  c.write_ebb_conf(ebb_conf_text(c));

  auto s = sbatch(c, {"--time=1:00:00", "--carbon-max-delay=3:00:00", "--wrap", "true"});
  INFO(s.result.err);
  REQUIRE(s.result.exit_code == 0);
  auto job = c.job(s.job_id);
  PlanRequest req;
  req.now = submit_time(job);
  req.max_delay = hours(3);
  req.time_limit = hours(1);
  const Decision d = expected_plan(c, req);
  REQUIRE(d.defer);
  CHECK(eligible_time(job) == d.start);
  CHECK(eligible_time(job) <= submit_time(job) + hours(3));
}
