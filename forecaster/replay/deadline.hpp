// SPDX-License-Identifier: GPL-2.0-or-later
// Deadlines for replayed jobs: how long each job may wait, from a rule or the trace.
#pragma once

#include <string>

#include "ebb/time.hpp"
#include "trace.hpp"

namespace ebb::replay {

// How long each job may wait: its deadline (latest finish).
enum class DeadlineKind {
  slack,             // submit + requested time + slack
  factor,            // submit + factor x requested time
  fixed_delay,       // start at most `slack` after submit: submit + slack + requested
  next_workday,      // by 09:00 of the next workday when the natural finish is outside
                     // 09:00-17:00 Mon-Fri; otherwise the natural finish (no shifting)
  lwa_next_workday,  // Let's Wait Awhile's exact rule (a Friday-evening finish gets Saturday 09:00)
  trace,             // the trace's own deadline; jobs without one use `slack`
  two_queues,        // GAIA's queues: jobs shorter than `split` may start up to `slack`
                     // after submit, longer ones up to `long_slack`
};
struct DeadlineRule {
  DeadlineKind kind = DeadlineKind::slack;
  Duration slack{hours(24)};
  double factor = 2.0;
  Duration split{hours(2)};
  Duration long_slack{hours(24)};
  Duration utc_offset{0};  // local time for the workday rules
  TimePoint deadline(const TraceJob& job) const;
  std::string describe() const;
};
// "slack:24h", "factor:3", "fixed:12h", "next-workday", "lwa-next-workday", "trace" (with
// slack fallback "trace:24h"), "queues:2h:6h:24h" (GAIA: below 2 h wait up to 6 h, else 24 h).
// Durations: 90s, 30m, 6h, 2d or Slurm's forms.
DeadlineRule parse_deadline_rule(const std::string& text);
Duration parse_short_duration(const std::string& text);

}  // namespace ebb::replay
