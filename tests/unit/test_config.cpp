// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>

#include "ebb/config.hpp"
#include "ebb/error.hpp"

using namespace ebb;

TEST_CASE("ebb.conf in Slurm's Key=Value style", "[config]") {
  Config c = parse_config(
      "# site settings\n"
      "ForecastFile=/var/lib/ebb/forecast.csv\n"
      "objective=cost  CarbonPrice=80.5\n"
      "MinSavingPercent=3\n"
      "WattsPerCore=10 PUE=1.3\n"
      "PartitionName=gpu WattsPerGPU=400 DefaultMaxDelay=12:00:00\n"
      "RegionName=gb CarbonSource=uk-carbon-intensity RegionId=13 TariffPeakHours=\"Mon-Fri 16:00-19:00\"\n"
      "ApplyInClient=no\n"
      "CacheDir=/var/cache/ebb\n",
      "ebb.conf");
  CHECK(c.forecast_file == "/var/lib/ebb/forecast.csv");
  CHECK(c.policy.objective == Objective::cost);
  CHECK(c.policy.carbon_price == Approx(80.5));
  CHECK(c.policy.min_saving_percent == Approx(3));
  CHECK(c.defaults.power.watts_per_core == Approx(10));
  CHECK_FALSE(c.apply_in_client);
  const PartitionSettings& gpu = c.partition("gpu");
  CHECK(gpu.power.watts_per_gpu == Approx(400));
  CHECK(gpu.power.pue == Approx(1.3));  // inherits the site-wide value above it
  CHECK(gpu.default_max_delay == hours(12));
  CHECK_FALSE(c.partition("cpu").default_max_delay);
  REQUIRE(c.regions.count("gb"));
  CHECK(c.regions.at("gb").settings.at("regionid") == "13");
  CHECK(c.regions.at("gb").settings.at("tariffpeakhours") == "Mon-Fri 16:00-19:00");
  CHECK(c.daemon.at("cachedir") == "/var/cache/ebb");
}

TEST_CASE("config errors name the file, the line and the key", "[config]") {
  CHECK_THROWS_WITH(parse_config("\nCarbonPrice=abc\n", "e.conf"),
                    Catch::Contains("e.conf line 2: CarbonPrice: not a number: 'abc'"));
  CHECK_THROWS_WITH(parse_config("Colour=green\n", "e.conf"), Catch::Contains("unknown key 'Colour'"));
  CHECK_THROWS_WITH(parse_config("Objective=green\n", "e.conf"), Catch::Contains("unknown objective"));
  CHECK_THROWS_WITH(parse_config("PUE=0.5\n", "e.conf"), Catch::Contains("outside"));
  CHECK_THROWS_WITH(parse_config("\n\nDefaultMaxDelay=400-00:00:00\n", "e.conf"),
                    Catch::Contains("e.conf line 3") && Catch::Contains("longer than a year"));
  CHECK_THROWS_WITH(parse_config("CarbonPrice=1\nCarbonPrice=2\n", "e.conf"),
                    Catch::Contains("line 2: CarbonPrice is set twice"));
  CHECK_THROWS_WITH(parse_config("PartitionName=a Objective=cost\n", "e.conf"),
                    Catch::Contains("cannot be set per partition"));
  CHECK_THROWS_WITH(parse_config("ForecastFile\n", "e.conf"), Catch::Contains("expected Key=Value"));
  CHECK_THROWS_WITH(parse_config("ApplyInClient=maybe\n", "e.conf"), Catch::Contains("yes or no"));
  CHECK_THROWS_WITH(load_config("/nonexistent/ebb.conf"), Catch::Contains("cannot read"));
}

TEST_CASE("Slurm duration forms", "[config]") {
  CHECK(parse_slurm_duration("90", "t") == minutes(90));
  CHECK(parse_slurm_duration("90:30", "t") == minutes(90) + seconds(30));
  CHECK(parse_slurm_duration("2:00:00", "t") == hours(2));
  CHECK(parse_slurm_duration("1-12", "t") == hours(36));
  CHECK(parse_slurm_duration("1-0:30", "t") == hours(24) + minutes(30));
  CHECK(parse_slurm_duration("1-0:0:5", "t") == hours(24) + seconds(5));
  for (const char* bad : {"", "abc", "1:2:3:4", "-5", "1-2-3", "5h"})
    CHECK_THROWS_WITH(parse_slurm_duration(bad, "MaxDelay"), Catch::Contains("MaxDelay: not a duration"));
}
