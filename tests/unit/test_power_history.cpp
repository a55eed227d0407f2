// SPDX-License-Identifier: GPL-2.0-or-later
// The power calibration from `sacct --json` (tests/data/sacct/energy.json: the test
// cluster's real records re-sized, with energy synthesized from known watts and +-4 %
// noise, see make_energy_json.py there), and `ebb history` printing it.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ebb/sacct_json.hpp"

#if !defined(EBB_ENERGY_FIXTURE) || !defined(EBB_CLI_PATH)
#error "EBB_ENERGY_FIXTURE and EBB_CLI_PATH must be defined"
#endif

using namespace ebb;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string run(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  CHECK(::pclose(p) == 0);
  return out;
}

}  // namespace

TEST_CASE("the watts behind sacct's measured energy are recovered within the meters' noise",
          "[power]") {
  const auto jobs = parse_sacct_json(slurp(EBB_ENERGY_FIXTURE), "energy.json");
  std::size_t finished = 0;
  const auto samples = power_samples(jobs, &finished);
  CHECK(finished == 15);
  CHECK(samples.size() == 13);  // two jobs have no reading
  const auto fits = fit_power(samples);
  REQUIRE(fits.size() == 2);
  const PowerFit& debug = fits[0];
  CHECK(debug.partition == "debug");
  CHECK(debug.jobs == 7);
  CHECK(debug.watts_per_core == Approx(15).epsilon(0.06));
  CHECK(debug.watts_per_node == Approx(60).epsilon(0.25));
  CHECK(debug.watts_per_gpu == 0);
  const PowerFit& gpu = fits[1];
  CHECK(gpu.partition == "gpu");
  CHECK(gpu.watts_per_gpu == Approx(280).epsilon(0.1));
  // The noise is +-4 %: so, about, is the fit's error on the jobs' energy.
  CHECK(debug.energy_error > 0.005);
  CHECK(debug.energy_error < 0.05);
  CHECK(gpu.energy_error < 0.05);
}

TEST_CASE("ebb history prints the fit, as a table and as JSON", "[power]") {
  const std::string cmd = std::string(EBB_CLI_PATH) + " history -c /nonexistent/ebb.conf";
  // An explicitly named missing config is an error, named.
  FILE* p = ::popen((cmd + " --sacct-json " EBB_ENERGY_FIXTURE " 2>&1").c_str(), "r");
  REQUIRE(p);
  char buf[512] = {};
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, p);
  CHECK(::pclose(p) != 0);
  CHECK_THAT(std::string(buf, n), Catch::Contains("ebb history") && Catch::Contains("ebb.conf"));

  const std::string base = std::string(EBB_CLI_PATH) + " history --sacct-json " EBB_ENERGY_FIXTURE;
  const std::string table = run(base);
  CHECK_THAT(table, Catch::Contains("15 finished jobs, 13 with measured energy"));
  CHECK_THAT(table, Catch::Contains("debug") && Catch::Contains("W/core"));
  const auto j = nlohmann::json::parse(run(base + " --json"));
  CHECK(j["measured_jobs"] == 13);
  REQUIRE(j["partitions"].size() == 2);
  CHECK(j["partitions"][1]["partition"] == "gpu");
  CHECK(j["partitions"][1]["watts_per_gpu"].get<double>() == Approx(280).epsilon(0.1));
  // ebb.conf's default 12 W a core (and 250 W a GPU, no node power) is further off.
  CHECK(j["partitions"][0]["configured_energy_error"].get<double>() >
        j["partitions"][0]["energy_error"].get<double>());
  // --min-jobs above what a partition has: listed as too few, not fitted.
  const auto few = nlohmann::json::parse(run(base + " --json --min-jobs 7"));
  CHECK(few["partitions"].size() == 1);
  CHECK(few["too_few"][0]["partition"] == "gpu");
  CHECK(few["too_few"][0]["jobs"] == 6);
}
