// SPDX-License-Identifier: GPL-2.0-or-later
// Two test clusters on one machine: private ports and directories, no interference.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace ebb;
using namespace ebb::test;

TEST_CASE("two clusters run side by side", "[slurm]") {
  Cluster& first = cluster();
  const TimePoint h = this_hour();
  std::vector<double> carbon(36, 300);
  for (int i = 7; i < 10; ++i) carbon[i] = 100;
  const SignalSeries forecast = hourly(h - hours(2), carbon);
  write_forecast(first, forecast);
  first.write_ebb_conf(ebb_conf_text(first));
  {
    Cluster second;
    CHECK(second.dir() != first.dir());
    write_forecast(second, hourly(h - hours(2), std::vector<double>(36, 200)));
    second.write_ebb_conf(ebb_conf_text(second));

    auto a = sbatch(first, {"--time=1:00:00", "--carbon-deadline=now+12hours", "--wrap", "true"});
    auto b = sbatch(second, {"--time=1:00:00", "--carbon-deadline=now+12hours", "--wrap", "true"});
    REQUIRE(a.result.exit_code == 0);
    REQUIRE(b.result.exit_code == 0);
    // Each cluster planned with its own forecast.
    CHECK(first.job(a.job_id).at("Reason") == "BeginTime");
    CHECK(second.job(b.job_id).at("Reason") != "BeginTime");
    CHECK(second.job_ids().size() == 1);
  }
  // Stopping the second left the first alone.
  auto r = first.command({"sinfo", "-h", "-o", "%T"});
  CHECK(r.out == "idle\n");
}
