// SPDX-License-Identifier: GPL-2.0-or-later
// spank_ebb.so is a small C front: sbatch loads the C++ planner (libebb-spank-core.so)
// only when a carbon flag is used or DefaultMaxDelay may apply, and fails open when the
// planner cannot be loaded. What sbatch loads is read from the dynamic loader itself
// (LD_DEBUG=files), on the shared test cluster.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "support.hpp"

using namespace ebb;
using namespace ebb::test;

namespace {

// Every file the dynamic loader reports opening ("file=NAME [0];  needed by ...").
std::set<std::string> loaded_files(const std::string& ld_debug_output) {
  std::set<std::string> files;
  std::istringstream in(ld_debug_output);
  for (std::string line; std::getline(in, line);) {
    const auto at = line.find("file=");
    if (at == std::string::npos) continue;
    const auto end = line.find_first_of(" \t", at);
    files.insert(line.substr(at + 5, end == std::string::npos ? end : end - at - 5));
  }
  return files;
}

bool loads(const std::set<std::string>& files, const std::string& name) {
  for (const auto& f : files) {
    if (f.find(name) != std::string::npos) return true;
  }
  return false;
}

std::set<std::string> files_sbatch_loads(const Cluster& c, const std::vector<std::string>& args,
                                         std::map<std::string, std::string> env = {}) {
  std::vector<std::string> argv{"sbatch", "--hold"};
  argv.insert(argv.end(), args.begin(), args.end());
  env["LD_DEBUG"] = "files";
  auto r = c.command(argv, std::chrono::seconds(30), env);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return loaded_files(r.err);
}

// The plugstack.conf line as the harness writes it, put back whatever a test did.
struct DefaultPlugstack {
  const Cluster& c;
  ~DefaultPlugstack() { c.write_plugstack(true); }
};

SignalSeries cheap_window_forecast(TimePoint h) {
  std::vector<double> carbon(36, 300);
  for (int i = 7; i < 10; ++i) carbon[i] = 100;
  return hourly(h - hours(2), carbon);
}

}  // namespace

TEST_CASE("without a carbon flag sbatch loads only the C front", "[slurm][plugin]") {
  Cluster& c = cluster();
  DefaultPlugstack restore{c};
  write_forecast(c, cheap_window_forecast(this_hour()));
  // A commented-out site default must not load the planner either.
  c.write_ebb_conf(ebb_conf_text(c, "# DefaultMaxDelay=12:00:00"));
  const std::vector<std::string> job{"--time=1:00:00", "--wrap", "true"};

  c.write_plugstack(false);
  const auto without = files_sbatch_loads(c, job);
  c.write_plugstack(true);
  const auto with = files_sbatch_loads(c, job);
  std::set<std::string> added;
  for (const auto& f : with) {
    if (!without.contains(f)) added.insert(f);
  }
  REQUIRE(added.size() == 1);
  CHECK(std::filesystem::path(*added.begin()).filename() == "spank_ebb.so");

  SECTION("a carbon flag loads the planner") {
    const auto flagged = files_sbatch_loads(
        c, {"--carbon-explain", "--carbon-max-delay=6:00:00", "--time=1:00:00", "--wrap", "true"});
    CHECK(loads(flagged, "libebb-spank-core.so"));
  }
  SECTION("--carbon-off alone does not") {
    CHECK_FALSE(loads(files_sbatch_loads(c, {"--carbon-off", "--time=1:00:00", "--wrap", "true"}),
                      "libebb-spank-core.so"));
  }
  SECTION("inside a job, the flags it inherited do not load it") {
    // A nested sbatch (or an srun step) reads the job's options back from the environment.
    const std::map<std::string, std::string> inherited{
        {"SLURM_SPANK__SLURM_SPANK_OPTION_ebb_carbon_max_delay", "6:00:00"}};
    CHECK(loads(files_sbatch_loads(c, job, inherited), "libebb-spank-core.so"));  // as typed
    auto in_job = inherited;
    in_job["SLURM_JOB_ID"] = "1";
    CHECK_FALSE(loads(files_sbatch_loads(c, job, in_job), "libebb-spank-core.so"));
  }
  SECTION("DefaultMaxDelay on the plugstack.conf line loads it") {
    c.write_plugstack(true, "DefaultMaxDelay=12:00:00");
    CHECK(loads(files_sbatch_loads(c, job), "libebb-spank-core.so"));
  }
}

TEST_CASE("--carbon-off after a planning flag is still refused", "[slurm][plugin]") {
  Cluster& c = cluster();
  write_forecast(c, cheap_window_forecast(this_hour()));
  c.write_ebb_conf(ebb_conf_text(c));
  // --carbon-off first: the front holds it until the planner loads for the second flag.
  auto s =
      sbatch(c, {"--carbon-off", "--carbon-max-delay=6:00:00", "--time=1:00:00", "--wrap", "true"});
  INFO(s.result.err);
  CHECK(s.result.exit_code != 0);
  CHECK(s.job_id.empty());
  REQUIRE_FALSE(s.ebb_lines.empty());
  CHECK(s.ebb_lines[0] ==
        "ebb: error: --carbon-off cannot be combined with other --carbon-* flags");
}

TEST_CASE("a planner that cannot be loaded fails open", "[slurm][plugin]") {
  Cluster& c = cluster();
  DefaultPlugstack restore{c};
  write_forecast(c, cheap_window_forecast(this_hour()));
  c.write_ebb_conf(ebb_conf_text(c));
  // The front alone, without libebb-spank-core.so beside it.
  const auto lonely = c.dir() / "front-only";
  std::filesystem::create_directories(lonely);
  std::filesystem::copy_file(EBB_SPANK_PLUGIN, lonely / "spank_ebb.so",
                             std::filesystem::copy_options::overwrite_existing);
  {
    std::ofstream out(c.dir() / "plugstack.conf", std::ios::trunc);
    out << "optional " << (lonely / "spank_ebb.so").string() << " config=" << c.ebb_conf() << "\n";
  }
  auto s = sbatch(c, {"--time=1:00:00", "--carbon-deadline=now+12hours", "--wrap", "true"});
  INFO(s.result.err);
  REQUIRE(s.result.exit_code == 0);
  REQUIRE_FALSE(s.job_id.empty());
  REQUIRE(s.ebb_lines.size() == 1);
  CHECK(s.result.err == s.ebb_lines[0] + "\n");
  CHECK(s.ebb_lines[0].rfind("ebb: warning: cannot load the planner (dlopen: ", 0) == 0);
  CHECK(s.ebb_lines[0].find("libebb-spank-core.so") != std::string::npos);
  CHECK(s.ebb_lines[0].ends_with("; job submitted unchanged"));
  CHECK(c.job(s.job_id).at("Reason") != "BeginTime");

  // Without a flag nothing is loaded, so nothing is said.
  auto quiet = sbatch(c, {"--time=1:00:00", "--wrap", "true"});
  REQUIRE(quiet.result.exit_code == 0);
  CHECK(quiet.result.err == "");
}
