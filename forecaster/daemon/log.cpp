// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.hpp"

#include <cstdio>
#include <mutex>
#include <string>

#include "ebb/time.hpp"

namespace ebb::daemon {

void log(LogLevel level, std::string_view text) {
  static std::mutex mutex;
  const char* name = level == LogLevel::info      ? "info"
                     : level == LogLevel::warning ? "warning"
                                                  : "error";
  std::string line = format_utc(now_utc()) + " ebbd: " + name + ": " + std::string(text) + "\n";
  std::lock_guard lock(mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace ebb::daemon
