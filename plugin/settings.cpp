// SPDX-License-Identifier: GPL-2.0-or-later
#include "settings.hpp"

#include <unistd.h>

#include <string_view>
#include <utility>
#include <vector>

#include "ebb/error.hpp"
#include "ebb/strings.hpp"

namespace ebb::plugin {

Config load_settings(int argc, char** argv) {
  std::string path;
  bool explicit_path = false;
  std::vector<std::pair<std::string, std::string>> overrides;
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i] ? argv[i] : "";
    if (arg.empty()) continue;
    auto eq = arg.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      throw InputError("plugstack.conf: argument '" + std::string(arg) + "' is not Key=Value");
    }
    std::string key(arg.substr(0, eq));
    std::string value(arg.substr(eq + 1));
    if (iequals(key, "config")) {
      path = value;
      explicit_path = true;
    } else {
      overrides.emplace_back(std::move(key), std::move(value));
    }
  }
  if (!explicit_path) path = kDefaultConfigPath;

  Config config;
  if (explicit_path || ::access(path.c_str(), F_OK) == 0) {
    // Bounded: a regular file of at most kMaxConfigBytes, never a FIFO or a device.
    config = load_config(path);
  }
  for (const auto& [key, value] : overrides) {
    apply_setting(config, key, value, "plugstack.conf argument " + key);
  }
  return config;
}

}  // namespace ebb::plugin
