// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb plan`: the plugin's decision for a described job, without Slurm.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "command_common.hpp"
#include "ebb/daemon_client.hpp"
#include "ebb/decision_text.hpp"
#include "ebb/error.hpp"
#include "ebb/forecast_file.hpp"
#include "ebb/plan_query.hpp"
#include "protocol.hpp"
#include "subcommands.hpp"

namespace ebb {
int plan_main(int argc, char** argv) {
  CLI::App app{
      "Show the decision ebb would make for a job, without Slurm: asks ebbd (or reads "
      "a forecast file) and prints the line sbatch would print.",
      "ebb plan"};
  std::string time_text, deadline_text, begin_text, max_delay_text, runtime_text, objective_text;
  std::string mem_text, partition, file, region, url, now_text;
  std::string config_path = commands::kDefaultConfig;
  std::uint32_t nodes = 1, ntasks = 1, cpus_per_task = 1, gpus = 0, cores = 0;
  bool json = false;
  app.add_option("-t,--time", time_text,
                 "the job's time limit, as sbatch --time (e.g. 2:00:00); without it ebbd takes "
                 "the partition's DefaultTime (else MaxTime) from slurmctld");
  app.add_option("-d,--deadline", deadline_text,
                 "latest finish: 2026-11-28T06:00 (local), ...Z, or now+12hours");
  app.add_option("-b,--begin", begin_text, "earliest start, same forms as --deadline");
  app.add_option("--max-delay", max_delay_text, "latest start after the earliest, e.g. 12:00:00");
  app.add_option("--expected-runtime", runtime_text, "expected runtime if shorter than --time");
  app.add_option("-o,--objective", objective_text, "carbon, cost or balanced");
  app.add_option("-N,--nodes", nodes, "nodes")->capture_default_str();
  app.add_option("-n,--ntasks", ntasks, "tasks")->capture_default_str();
  app.add_option("--cpus-per-task", cpus_per_task, "CPUs per task")->capture_default_str();
  app.add_option("--cores", cores, "total cores (sets 1 task with this many CPUs)");
  app.add_option("--gpus", gpus, "GPUs over the whole job")->capture_default_str();
  app.add_option("--mem", mem_text, "memory over the whole job, e.g. 16G");
  app.add_option("-p,--partition", partition, "partition (selects the power model)");
  auto* file_opt = app.add_option("-f,--forecast", file, "plan against this forecast file");
  app.add_option("-r,--region", region, "ask ebbd for this region")->excludes(file_opt);
  auto* config_opt = app.add_option("-c,--config", config_path, "ebb.conf")->capture_default_str();
  app.add_option("--url", url, "ebbd's URL (default: DaemonURL= from ebb.conf)");
  app.add_option("--now", now_text, "plan as if it were this time");
  app.add_flag("--json", json, "print the decision as JSON");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    Config config = commands::load_config_for_command(config_path, config_opt->count() > 0);
    TimePoint now =
        now_text.empty() ? now_utc() : commands::parse_user_time(now_text, now_utc(), "--now");
    PlanQuery q;
    q.region = region;
    q.now = now;
    // Without --time only ebbd, which knows the partitions' DefaultTime, can plan.
    q.time_limit_given = !time_text.empty();
    if (!q.time_limit_given && !file.empty())
      throw InputError("--time is needed with --forecast (only ebbd knows DefaultTime)");
    if (q.time_limit_given) q.job.time_limit = parse_slurm_duration(time_text, "--time");
    if (q.time_limit_given && q.job.time_limit <= Duration{0})
      throw InputError("--time: must be longer than zero");
    if (!deadline_text.empty())
      q.deadline = commands::parse_user_time(deadline_text, now, "--deadline");
    if (!begin_text.empty())
      q.earliest_start = commands::parse_user_time(begin_text, now, "--begin");
    if (!max_delay_text.empty()) q.max_delay = parse_slurm_duration(max_delay_text, "--max-delay");
    if (!runtime_text.empty())
      q.expected_runtime = parse_slurm_duration(runtime_text, "--expected-runtime");
    if (!objective_text.empty()) q.objective = parse_objective(objective_text);
    q.job.nodes = nodes;
    q.job.tasks = cores ? 1 : ntasks;
    q.job.cpus_per_task = cores ? cores : cpus_per_task;
    q.job.gpus = gpus;
    if (!mem_text.empty()) q.job.memory_gb = commands::parse_memory_gb(mem_text, "--mem");
    q.job.partition = partition;
    if (!q.deadline && !q.max_delay) {
      auto d = config.partition(partition).default_max_delay;
      if (!d) throw InputError("say how long the job may wait: --deadline or --max-delay");
      q.max_delay = d;
    }

    std::optional<Decision> decision;
    std::string note;
    if (!file.empty()) {
      decision = plan_locally(config, q, read_forecast_file(file));
      note = "planned against " + file;
    } else {
      std::string daemon_url = commands::daemon_url_of(config, url);
      DaemonError failure;
      decision = ask_daemon_for_plan(daemon_url, q, commands::kCommandTimeout, &failure,
                                     daemon_trust(config));
      const std::string& error = failure.message;
      note = "planned by ebbd at " + daemon_url;
      if (!decision) {
        std::string name = region.empty() ? config.region : region;
        if (name.empty() && config.regions.size() == 1) name = config.regions.begin()->first;
        std::string path = cache_file_path(commands::cache_dir_of(config), name);
        if (name.empty() || !q.time_limit_given) throw InputError(error);
        try {
          decision = plan_locally(config, q, read_forecast_file(path));
        } catch (const InputError& e) {
          throw InputError(error + "; and its cache: " + e.what());
        }
        note = "planned against ebbd's cache file " + path + " (" + error + ")";
      }
    }
    if (json) {
      nlohmann::json j = wire::decision_to_json(*decision);
      j["note"] = note;
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << decision_line(*decision, now, DecisionMode::applied) << "\n";
      std::cout << "  " << note << "; latest start " << format_local_minute(decision->latest_start)
                << ", objective " << to_string(decision->objective) << "\n";
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ebb plan: %s\n", e.what());
    return 1;
  }
}

}  // namespace ebb
