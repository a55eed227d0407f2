// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd's log: one line per event on stderr, "2026-11-27T13:40:00Z ebbd: <level>: <text>".
// Under systemd, journald collects stderr; the timestamp keeps plain files readable too.
#pragma once

#include <string_view>

namespace ebb::daemon {

enum class LogLevel { info, warning, error };
void log(LogLevel level, std::string_view text);
inline void log_info(std::string_view text) { log(LogLevel::info, text); }
inline void log_warning(std::string_view text) { log(LogLevel::warning, text); }
inline void log_error(std::string_view text) { log(LogLevel::error, text); }

}  // namespace ebb::daemon
