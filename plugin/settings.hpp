// SPDX-License-Identifier: GPL-2.0-or-later
// The site's settings for this plugin: ebb.conf, overridden by the arguments on the
// plugstack.conf line:
//     optional /usr/lib/x86_64-linux-gnu/slurm-wlm/spank_ebb.so config=/etc/slurm/ebb.conf
//         [Key=Value ...]
#pragma once

#include <string>

#include "core_api.h"
#include "ebb/config.hpp"

namespace ebb::plugin {

inline constexpr const char* kDefaultConfigPath = EBB_DEFAULT_CONFIG_PATH;

// Throws (ebb::InputError and others) when the file named by config= cannot be read or
// parsed, or an argument is not a valid setting. A missing file at the default path
// is not an error: the defaults and the arguments apply.
Config load_settings(int argc, char** argv);

}  // namespace ebb::plugin
