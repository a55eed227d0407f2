// SPDX-License-Identifier: GPL-2.0-or-later
// UTC time points and the few conversions ebb needs at its edges.
// Inside ebb every instant is a std::chrono::sys_seconds in UTC;
// local time appears only in what users type and what they are shown.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace ebb {

using TimePoint = std::chrono::sys_seconds;
using Duration = std::chrono::seconds;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// Parses ISO 8601 date-times: "2026-11-28T03:00Z", "2026-11-28T03:00:00+01:00",
// "2026-11-28 03:00:00", fractional seconds ignored. A value without a zone is UTC.
// Throws ebb::InputError naming the text on failure.
TimePoint parse_iso8601(std::string_view text);

// "2026-11-28T03:00:00Z"
std::string format_utc(TimePoint t);
// "2026-11-28 03:00" in the process's local time zone (TZ), for messages to people.
std::string format_local_minute(TimePoint t);
// "2026-11-28T03:00:00" in local time, the form sbatch --begin parses.
std::string format_local_slurm(TimePoint t);
// "2h30m", "45m", "3d4h": a compact duration for messages.
std::string format_duration(Duration d);

// Now, truncated to whole seconds.
TimePoint now_utc();

}  // namespace ebb
