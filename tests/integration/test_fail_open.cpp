// SPDX-License-Identifier: GPL-2.0-or-later
// Fail open: whatever goes wrong inside ebb, the job goes in exactly as asked, with
// one warning line.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "support.hpp"

using namespace ebb;
using namespace ebb::test;

namespace {

SignalSeries cheap_window_forecast(TimePoint h) {
  std::vector<double> carbon(36, 300);
  for (int i = 7; i < 10; ++i) carbon[i] = 100;
  return hourly(h - hours(2), carbon);
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

// Submits a job that would be deferred if ebb could plan, and checks it was not.
void check_submitted_unchanged(const Cluster& c, const std::string& expected_warning_part) {
  auto s = sbatch(c, {"--time=1:00:00", "--carbon-deadline=now+12hours", "--wrap", "true"});
  INFO(s.result.err);
  REQUIRE(s.result.exit_code == 0);
  REQUIRE_FALSE(s.job_id.empty());
  CHECK(s.result.out == "Submitted batch job " + s.job_id + "\n");
  REQUIRE(s.ebb_lines.size() == 1);
  CHECK(s.result.err == s.ebb_lines[0] + "\n");
  CHECK(s.ebb_lines[0].rfind("ebb: warning: ", 0) == 0);
  CHECK(s.ebb_lines[0].ends_with("; job submitted unchanged"));
  CHECK(s.ebb_lines[0].find(expected_warning_part) != std::string::npos);
  auto job = c.job(s.job_id);
  CHECK(job.at("Reason") != "BeginTime");
  CHECK(from_slurm_local(job.at("EligibleTime")) - from_slurm_local(job.at("SubmitTime")) <=
        seconds(1));
}

}  // namespace

TEST_CASE("a missing forecast fails open", "[slurm]") {
  Cluster& c = cluster();
  c.write_ebb_conf("ForecastFile=" + (c.dir() / "no-such-forecast.csv").string() + "\n");
  check_submitted_unchanged(c, "no-such-forecast.csv");
}

TEST_CASE("a corrupt forecast fails open", "[slurm]") {
  Cluster& c = cluster();
  c.write_ebb_conf(ebb_conf_text(c));
  write_text(c.forecast_file(), "time,carbon_intensity,price\nyesterday-ish,lots,\n");
  check_submitted_unchanged(c, c.forecast_file());
}

TEST_CASE("a stale forecast fails open", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  c.write_ebb_conf(ebb_conf_text(c, "MaxForecastAge=1:00:00"));
  write_forecast(c, cheap_window_forecast(h));
  namespace fs = std::filesystem;
  fs::last_write_time(c.forecast_file(), fs::file_time_type::clock::now() - std::chrono::hours(3));
  check_submitted_unchanged(c, "stale");
}

TEST_CASE("a forecast that is not a regular file fails open without blocking", "[slurm]") {
  Cluster& c = cluster();
  c.write_ebb_conf("ForecastFile=/dev/zero\n");
  check_submitted_unchanged(c, "not a file");
}

TEST_CASE("a forecast that does not cover now fails open", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  c.write_ebb_conf(ebb_conf_text(c));
  write_forecast(c, hourly(h + hours(3), std::vector<double>(10, 100)));
  check_submitted_unchanged(c, "does not cover now");
}

TEST_CASE("an invalid ebb.conf fails open", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  write_forecast(c, cheap_window_forecast(h));
  SECTION("unknown key") {
    c.write_ebb_conf(ebb_conf_text(c, "NoSuchKey=1"));
    check_submitted_unchanged(c, "NoSuchKey");
  }
  SECTION("unreadable file") {
    c.write_plugstack(true);
    std::filesystem::remove(c.ebb_conf());
    check_submitted_unchanged(c, c.ebb_conf());
  }
  SECTION("bad plugstack.conf argument") {
    c.write_ebb_conf(ebb_conf_text(c));
    c.write_plugstack(true, "CarbonPrice=lots");
    check_submitted_unchanged(c, "CarbonPrice");
  }
  SECTION("without carbon flags a broken config stays silent") {
    c.write_ebb_conf(ebb_conf_text(c, "NoSuchKey=1"));
    auto s = sbatch(c, {"--time=1:00:00", "--wrap", "true"});
    REQUIRE(s.result.exit_code == 0);
    CHECK(s.result.err == "");
  }
}

TEST_CASE("Enabled=no turns ebb off", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  write_forecast(c, cheap_window_forecast(h));
  c.write_ebb_conf(ebb_conf_text(c, "Enabled=no"));
  auto s = sbatch(c, {"--time=1:00:00", "--carbon-deadline=now+12hours", "--wrap", "true"});
  REQUIRE(s.result.exit_code == 0);
  REQUIRE(s.ebb_lines.size() == 1);
  CHECK(s.ebb_lines[0].rfind("ebb: not deferred: ", 0) == 0);
  CHECK(c.job(s.job_id).at("Reason") != "BeginTime");
}
