// SPDX-License-Identifier: GPL-2.0-or-later
// What `ebb forecast` and `ebb plan` share: finding ebb.conf, the daemon and its cache.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "ebb/config.hpp"
#include "ebb/daemon_client.hpp"
#include "ebb/signal.hpp"

namespace ebb::commands {

inline constexpr const char* kDefaultConfig = "/etc/slurm/ebb.conf";
inline constexpr const char* kDefaultDaemonUrl = "http://127.0.0.1:8451";
// People wait longer than sbatch does.
inline constexpr std::chrono::milliseconds kCommandTimeout{5000};

// Loads the config; a missing default config is no error (an empty config then), a
// missing explicitly named one is.
Config load_config_for_command(const std::string& path, bool explicitly_given);

std::string daemon_url_of(const Config& config, const std::string& override_url);
std::string cache_dir_of(const Config& config);

// A region's forecast: from the daemon, else from its cache file. `note` says which,
// for the user. Throws InputError when neither works.
ForecastReply forecast_for_region(const Config& config, const std::string& url,
                                  const std::string& region, std::string* note);

// Absolute times as people type them: ISO 8601 with a zone ("2026-11-28T06:00Z"), ISO
// 8601 without one (local time), "now+12hours", "now+90minutes", "now+2days" or
// "now+<Slurm duration>". Throws InputError naming `what`.
TimePoint parse_user_time(const std::string& text, TimePoint now, const std::string& what);

// "16G", "512M", "2T", "8" (MB, as Slurm) -> GB. Throws InputError naming `what`.
double parse_memory_gb(const std::string& text, const std::string& what);

}  // namespace ebb::commands
