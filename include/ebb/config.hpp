// SPDX-License-Identifier: GPL-2.0-or-later
// ebb.conf: the site's settings, in Slurm's Key=Value style.
//
//     # /etc/slurm/ebb.conf
//     ForecastFile=/var/lib/ebb/forecast.csv
//     Objective=balanced
//     CarbonPrice=100
//     PartitionName=gpu WattsPerGPU=300 DefaultMaxDelay=12:00:00
//
// Keys are case-insensitive. A line starting with PartitionName= sets that
// partition's power model and defaults; other keys on such a line apply only to it.
// Every key is described in the README's config reference.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ebb/budget.hpp"
#include "ebb/energy.hpp"
#include "ebb/planner.hpp"

namespace ebb {

struct PartitionSettings {
  PowerModel power;
  std::optional<Duration> default_max_delay;  // plan jobs without flags, up to this delay
  // ebbd's capacity rule for the partition (capacity.hpp): CapacityHeadroom,
  // MaxStartsPerMinute, SlackReserve, RuntimeShare; its size comes from slurmctld.
  CapacityRule capacity;
  // The grid region the partition's nodes draw from (a RegionName= of ebbd); empty: the
  // site's Region=. A job that lists several partitions is planned in each one's region.
  std::string region;
  // Extra runtime a job pays when ebb moves it here from the first partition it listed
  // (staging its data): counted in the plan, so that small gains do not move it.
  Duration move_penalty{0};
  // Extra energy (kWh) a job costs when ebb moves it here (copying its data): counted in
  // the plan (ebb::with_move_energy), like the move penalty.
  double move_energy_kwh = 0;
  // Partitions with the same MoveGroup= are equivalent: a job submitted with --carbon-move
  // to one of them may be moved to any other (the site's declaration, the user's opt-in).
  std::string move_group;
};

// A Slurm cluster the site reaches through one slurmdbd (`sbatch -M c1,c2`), and the grid
// region it draws from. A line such as
//     ClusterName=c2 Region=fr MovePenalty=30
// lets the plugin plan a job submitted to several clusters in each one's region and narrow
// -M to the best. Clusters without a line are in the site's Region=.
struct ClusterSettings {
  std::string region;          // a RegionName= of ebbd
  Duration move_penalty{0};    // extra runtime a job pays when moved here from its first cluster
  double move_energy_kwh = 0;  // extra energy it costs (MoveEnergy=)
  std::string where;           // "ebb.conf line 9", for messages
};

// One region that ebbd serves: which provider gives its carbon signal and which
// its price. A line such as
//     RegionName=gb CarbonSource=uk-carbon-intensity RegionId=13 PriceSource=octopus
// keeps every key after RegionName (lower-cased) in `settings` for ebbd to interpret.
struct RegionSettings {
  std::string name;
  std::map<std::string, std::string> settings;  // lower-case key -> value
  std::string where;                            // "ebb.conf line 7", for messages
};

// How the plugin and the `ebb` tool make sure that the answer comes from the real ebbd
// (README, "Security"). automatic: a unix: DaemonUrl must be served by DaemonUser or
// root (SO_PEERCRED), an http:// one must carry a MUNGE credential from DaemonUser or
// root; munge: a MUNGE credential on every transport; none: no check (tests only).
enum class DaemonAuth { automatic, munge, none };

struct Config {
  Policy policy;
  std::string currency = "EUR";
  PartitionSettings defaults;  // for partitions not listed
  std::map<std::string, PartitionSettings> partitions;
  std::map<std::string, ClusterSettings> clusters;  // ClusterName= lines

  std::string forecast_file;             // CSV or JSON, see forecast_file.hpp
  Duration max_forecast_age{hours(24)};  // older forecast files are stale
  std::string daemon_url;                // ebbd: unix:/run/ebb/ebbd.sock, http://h:p
  std::string region;                    // which of ebbd's regions to ask for
  std::chrono::milliseconds daemon_timeout{300};
  std::string daemon_user = "slurm";  // ebbd's user; root is always trusted
  DaemonAuth daemon_auth = DaemonAuth::automatic;
  bool apply_in_client = true;                    // false: export only, job_submit.lua applies
  bool enabled = true;                            // Enabled=no turns the plugin off
  std::map<std::string, RegionSettings> regions;  // RegionName= lines, for ebbd
  std::map<std::string, std::string> daemon;      // other ebbd keys (lower-case), e.g. cachedir

  // AccountBudget= lines (ebb/budget.hpp), by account; the sbatch line from
  // BudgetWarnPercent of a budget; OverBudget= decides what happens past 100 %.
  std::map<std::string, AccountBudget> budgets;
  double budget_warn_percent = 80;
  OverBudget over_budget = OverBudget::warn;

  const PartitionSettings& partition(const std::string& name) const;
  // The region a cluster draws from: its ClusterName= line's, else the site's Region=.
  const std::string& cluster_region(const std::string& name) const;
};

// ebb.conf is a few hundred bytes; these bounds keep a runaway file from costing sbatch
// time or memory (load_config refuses a longer file, parse_config a longer line).
inline constexpr std::size_t kMaxConfigBytes = std::size_t{1} << 20;
inline constexpr std::size_t kMaxConfigLineChars = 4096;

// Parses ebb.conf text. Unknown keys, bad values and duplicate keys are errors naming
// `source` and the line. `base` supplies values not set in the text.
Config parse_config(std::string_view text, const std::string& source, Config base = {});
Config load_config(const std::string& path, Config base = {});
// Applies one "Key=Value" setting, as given on the plugstack.conf line.
void apply_setting(Config& config, std::string_view key, std::string_view value,
                   const std::string& where);

// Slurm's duration forms: "minutes", "minutes:seconds", "hours:minutes:seconds",
// "days-hours", "days-hours:minutes", "days-hours:minutes:seconds".
// Throws InputError naming `what`.
Duration parse_slurm_duration(std::string_view text, std::string_view what);

// yes/true/1/on or no/false/0/off in any case; throws InputError "<where>: <key>: ...".
bool parse_yes_no(std::string_view value, const std::string& where, std::string_view key);

}  // namespace ebb
