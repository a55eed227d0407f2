// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb history`: what Slurm's accounting tells about the site's power, as ebbd learns it.
//
// It reads `sacct --json` (or a saved answer), takes each finished job whose steps
// measured energy (ConsumedEnergyRaw, an acct_gather_energy plugin), and fits each
// partition's W per core, W per GPU and W per node (ebb/power_fit.hpp), with the fit's
// error and that of the configured model on the same jobs, so that an admin can see what
// ebbd will plan with before it does. ebbd makes the same fit from its own reads.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "command_common.hpp"
#include "ebb/error.hpp"
#include "ebb/power_fit.hpp"
#include "ebb/sacct_json.hpp"
#include "sacct_command.hpp"

namespace ebb {
namespace {

struct Calibration {
  std::vector<PowerSample> samples;
  std::size_t finished = 0;                     // jobs that ran and ended
  std::map<std::string, std::size_t> measured;  // per partition
  std::vector<PowerFit> fits;
};

// Each job as it is read (a month's answer on a large site is gigabytes): only the
// measured ones are kept, and only their figures.
class Calibrator {
 public:
  void add(const AccountedJob& job) {
    if (ran_and_ended(job)) ++c_.finished;
    if (auto s = power_sample(job)) {
      ++c_.measured[s->partition];
      c_.samples.push_back(std::move(*s));
    }
  }
  Calibration finish(std::size_t min_jobs) && {
    c_.fits = fit_power(c_.samples, min_jobs);
    return std::move(c_);
  }

 private:
  Calibration c_;
};

// The configured model's error on the same jobs, at the node (without its PUE, as the
// meters measure): what calibrating changes.
double configured_error(const Config& config, const std::string& partition,
                        const std::vector<PowerSample>& samples) {
  const PowerModel& m = config.partition(partition).power;
  double err = 0, total = 0;
  for (const PowerSample& s : samples) {
    if (s.partition != partition) continue;
    const double w =
        s.cores * m.watts_per_core + s.gpus * m.watts_per_gpu + s.nodes * m.watts_per_node;
    err += std::fabs(w * s.seconds - s.joules);
    total += s.joules;
  }
  return total > 0 ? err / total : 0;
}

std::string text_report(const Calibration& c, const Config& config, std::size_t min_jobs) {
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "%zu finished jobs, %zu with measured energy (ConsumedEnergyRaw)\n\n", c.finished,
                c.samples.size());
  out += buf;
  if (!c.fits.empty()) {
    std::snprintf(buf, sizeof buf, "%-14s %6s %8s %8s %8s %8s %9s %8s %11s\n", "partition", "jobs",
                  "W/core", "W/GPU", "W/node", "mean W", "RMS err W", "energy", "configured");
    out += buf;
    for (const PowerFit& f : c.fits) {
      std::snprintf(buf, sizeof buf, "%-14s %6zu %8.1f %8.1f %8.1f %8.0f %9.1f %7.1f%% %10.1f%%\n",
                    f.partition.c_str(), f.jobs, f.watts_per_core, f.watts_per_gpu,
                    f.watts_per_node, f.mean_watts, f.rms_error_watts, 100 * f.energy_error,
                    100 * configured_error(config, f.partition, c.samples));
      out += buf;
    }
    out +=
        "\n'energy' is the fit's error on these jobs' measured kWh, 'configured' that of "
        "ebb.conf's model (at the node, without PUE).\nebbd plans with the fit (times PUE) "
        "for these partitions and says so: \"est. 0.5 kWh (power measured on N jobs)\".\n";
  }
  for (const auto& [partition, n] : c.measured) {
    if (n >= min_jobs) continue;
    std::snprintf(buf, sizeof buf, "%s: %zu measured jobs, %zu needed for a fit\n",
                  partition.c_str(), n, min_jobs);
    out += buf;
  }
  if (c.samples.empty())
    out +=
        "No job has measured energy: Slurm records it only with an acct_gather_energy plugin "
        "(AcctGatherEnergyType in slurm.conf). ebbd plans with ebb.conf's power model.\n";
  return out;
}

std::string json_report(const Calibration& c, const Config& config, std::size_t min_jobs) {
  nlohmann::json j;
  j["finished_jobs"] = c.finished;
  j["measured_jobs"] = c.samples.size();
  j["min_jobs"] = min_jobs;
  j["partitions"] = nlohmann::json::array();
  for (const PowerFit& f : c.fits)
    j["partitions"].push_back(
        {{"partition", f.partition},
         {"jobs", f.jobs},
         {"watts_per_core", f.watts_per_core},
         {"watts_per_gpu", f.watts_per_gpu},
         {"watts_per_node", f.watts_per_node},
         {"mean_watts", f.mean_watts},
         {"rms_error_watts", f.rms_error_watts},
         {"energy_error", f.energy_error},
         {"configured_energy_error", configured_error(config, f.partition, c.samples)}});
  j["too_few"] = nlohmann::json::array();
  for (const auto& [partition, n] : c.measured)
    if (n < min_jobs) j["too_few"].push_back({{"partition", partition}, {"jobs", n}});
  return j.dump(2) + "\n";
}

}  // namespace

int history_main(int argc, char** argv) {
  CLI::App app{
      "What Slurm's accounting tells ebb about the site's power: each partition's W per core, "
      "W per GPU and W per node, fitted by least squares to the energy Slurm measured "
      "(ConsumedEnergyRaw, with an acct_gather_energy plugin), with the fit's error and that "
      "of ebb.conf's model on the same jobs. ebbd makes the same fit from its own reads and "
      "plans with it (see README, \"Power from measured energy\").",
      "ebb history"};
  std::string config_path = commands::kDefaultConfig, sacct = "sacct", input;
  int days = 60;
  bool json = false;
  std::size_t min_jobs = kMinPowerJobs;
  auto* config_opt =
      app.add_option("-c,--config", config_path, "ebb.conf (its power model is compared)")
          ->capture_default_str();
  app.add_option("--days", days, "how far back to read (ebbd's AccountingDays)")
      ->capture_default_str()
      ->check(CLI::Range(1, 3660));
  app.add_option("--sacct", sacct, "the sacct command")->capture_default_str();
  app.add_option("--sacct-json", input, "read this saved `sacct --json` answer instead");
  app.add_option("--min-jobs", min_jobs, "measured jobs a partition needs for a fit")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  app.add_flag("--json", json, "print JSON instead of a table");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    const Config config = commands::load_config_for_command(config_path, config_opt->count() > 0);
    const TimePoint now = now_utc();
    Calibrator calibrator;
    auto take = [&](AccountedJob&& job) { calibrator.add(job); };
    if (input.empty())
      ledger::for_each_sacct_job_from_sacct(sacct, now - hours(24) * days, now, take);
    else
      for_each_sacct_job_in_file(input, take);
    const Calibration c = std::move(calibrator).finish(min_jobs);
    const std::string out =
        json ? json_report(c, config, min_jobs) : text_report(c, config, min_jobs);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ebb history: %s\n", e.what());
    return 1;
  }
}

}  // namespace ebb
