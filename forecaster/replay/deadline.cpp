// SPDX-License-Identifier: GPL-2.0-or-later
#include "deadline.hpp"

#include <algorithm>
#include <cmath>

#include "ebb/error.hpp"
#include "io.hpp"

namespace ebb::replay {

namespace {

constexpr Duration kDay = hours(24);

// Monday = 0.
int weekday(TimePoint local) {
  auto days = std::chrono::floor<std::chrono::days>(local).time_since_epoch().count();
  return static_cast<int>(((days % 7) + 7 + 3) % 7);  // 1970-01-01 was a Thursday
}
TimePoint day_start(TimePoint local) { return std::chrono::floor<std::chrono::days>(local); }

}  // namespace

Duration parse_short_duration(const std::string& text) {
  std::string_view t = trim(text);
  if (t.empty()) throw InputError("empty duration");
  char unit = t.back();
  double v;
  if (std::string_view("smhdw").find(unit) != std::string_view::npos &&
      parse_double(t.substr(0, t.size() - 1), v) && v >= 0) {
    double mult = unit == 's'   ? 1
                  : unit == 'm' ? 60
                  : unit == 'h' ? 3600
                  : unit == 'd' ? 86400
                                : 604800;
    return Duration{std::llround(v * mult)};
  }
  try {
    if (auto d = parse_slurm_elapsed(t)) return *d;
  } catch (const InputError&) {
  }
  throw InputError("bad duration '" + text + "' (examples: 90s, 30m, 6h, 2d, 1-12:00:00)");
}

TimePoint DeadlineRule::deadline(const TraceJob& job) const {
  const TimePoint natural = job.submit + job.requested;
  switch (kind) {
    case DeadlineKind::slack:
      return natural + slack;
    case DeadlineKind::factor:
      return job.submit + Duration{std::llround(static_cast<double>(job.requested.count()) *
                                                std::max(factor, 1.0))};
    case DeadlineKind::fixed_delay:
      return natural + slack;
    case DeadlineKind::trace:
      return job.deadline.value_or(natural + slack);
    case DeadlineKind::two_queues:
      return natural + (job.requested < split ? slack : long_slack);
    case DeadlineKind::next_workday:
    case DeadlineKind::lwa_next_workday: {
      const TimePoint local = natural + utc_offset;
      const int wd = weekday(local);
      const Duration tod = local - day_start(local);
      const TimePoint nine = day_start(local) + hours(9);
      TimePoint d = local;
      if (kind == DeadlineKind::lwa_next_workday) {
        // Let's Wait Awhile, strategy.py: hour with :30 as .5, then
        // Sat -> +2 d 09:00; Sun or after 17:00 -> +1 d 09:00; before 9 -> 09:00.
        const double h =
            static_cast<double>(tod.count() / 3600) + ((tod.count() % 3600) / 60 == 30 ? 0.5 : 0.0);
        if (wd == 5)
          d = nine + 2 * kDay;
        else if (wd == 6 || h > 17)
          d = nine + kDay;
        else if (h < 9)
          d = nine;
      } else {
        const bool workday = wd <= 4;
        if (workday && tod >= hours(9) && tod <= hours(17)) {
          d = local;  // finishes during work hours: no room
        } else {
          // The next 09:00 on a workday at or after the natural finish.
          TimePoint c = tod <= hours(9) ? nine : nine + kDay;
          while (weekday(c) > 4) c += kDay;
          d = c;
        }
      }
      return std::max(d - utc_offset, natural);
    }
  }
  return natural + slack;
}

std::string DeadlineRule::describe() const {
  switch (kind) {
    case DeadlineKind::slack:
      return "submit + time limit + " + format_duration(slack);
    case DeadlineKind::factor:
      return "submit + " + std::to_string(factor).substr(0, 4) + " x time limit";
    case DeadlineKind::fixed_delay:
      return "start within " + format_duration(slack) + " of submit";
    case DeadlineKind::next_workday:
      return "next workday 09:00";
    case DeadlineKind::lwa_next_workday:
      return "next workday 09:00 (Let's Wait Awhile's rule)";
    case DeadlineKind::two_queues:
      return "start within " + format_duration(slack) + " (jobs under " + format_duration(split) +
             ") or " + format_duration(long_slack) + " (longer jobs)";
    case DeadlineKind::trace:
      return "the trace's deadlines (else submit + time limit + " + format_duration(slack) + ")";
  }
  return "?";
}

DeadlineRule parse_deadline_rule(const std::string& text) {
  DeadlineRule r;
  std::string t = lower(text);
  std::string head = t, arg;
  if (auto c = t.find(':'); c != std::string::npos) {
    head = t.substr(0, c);
    arg = t.substr(c + 1);
  }
  if (head == "slack") {
    r.kind = DeadlineKind::slack;
    if (!arg.empty()) r.slack = parse_short_duration(arg);
  } else if (head == "fixed") {
    r.kind = DeadlineKind::fixed_delay;
    if (!arg.empty()) r.slack = parse_short_duration(arg);
  } else if (head == "factor") {
    r.kind = DeadlineKind::factor;
    if (arg.empty() || !parse_double(arg, r.factor) || r.factor < 1)
      throw InputError("--deadline factor:K needs K >= 1, got '" + arg + "'");
  } else if (head == "next-workday") {
    r.kind = DeadlineKind::next_workday;
  } else if (head == "lwa-next-workday") {
    r.kind = DeadlineKind::lwa_next_workday;
  } else if (head == "queues") {
    r.kind = DeadlineKind::two_queues;
    auto parts = split(arg, ':');
    if (parts.size() != 3)
      throw InputError("--deadline queues:SPLIT:SHORT:LONG, e.g. queues:2h:6h:24h");
    r.split = parse_short_duration(std::string(parts[0]));
    r.slack = parse_short_duration(std::string(parts[1]));
    r.long_slack = parse_short_duration(std::string(parts[2]));
  } else if (head == "trace") {
    r.kind = DeadlineKind::trace;
    if (!arg.empty()) r.slack = parse_short_duration(arg);
  } else {
    throw InputError("unknown deadline rule '" + text +
                     "' (expected slack:24h, factor:3, fixed:12h, next-workday, "
                     "lwa-next-workday, queues:2h:6h:24h or trace)");
  }
  return r;
}

}  // namespace ebb::replay
