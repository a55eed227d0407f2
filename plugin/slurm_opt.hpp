// SPDX-License-Identifier: GPL-2.0-or-later
// Access to the submitting command's own options (sbatch, salloc, srun).
//
// SPANK has no setter for job options. The commands export their global
// `slurm_opt_t opt` and libslurmfull exports slurm_option_get/set, the functions
// cli_filter plugins are told to use.
// Every symbol is looked up weakly at run time, so a Slurm without them makes
// CommandOptions::find() return nothing and the plugin fails open.
#pragma once

#include <ctime>
#include <optional>
#include <string>

namespace ebb::plugin {

class CommandOptions {
 public:
  // The command's options, or nothing outside sbatch/salloc/srun or when the
  // internal symbols are missing.
  static std::optional<CommandOptions> find();

  // The option's value as Slurm prints it, or nothing when unset or unknown.
  std::optional<std::string> get(const char* name) const;
  // True when the user (script, environment or command line) set the option.
  bool is_set(const char* name) const;
  // Sets an option as if typed on the command line; false when Slurm refused it.
  bool set(const char* name, const std::string& value) const;

 private:
  explicit CommandOptions(void* opt) : opt_(opt) {}
  void* opt_;
};

// Slurm's own parsers (src/common/parse_time.c), exported by libslurmfull but not
// declared in slurm.h. Nothing when the text does not parse.
std::optional<std::time_t> parse_slurm_time(const std::string& text);  // --begin forms
std::optional<long> parse_slurm_seconds(const std::string& text);      // duration forms
// True when Slurm's parsers are available in this process.
bool slurm_parsers_available();

}  // namespace ebb::plugin
