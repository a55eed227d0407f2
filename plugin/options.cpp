// SPDX-License-Identifier: GPL-2.0-or-later
#include "options.hpp"

#include <cstdlib>
#include <ctime>
#include <exception>
#include <optional>
#include <string>

#include "core_api.h"
#include "ebb/config.hpp"
#include "ebb/error.hpp"
#include "ebb/input.hpp"
#include "ebb/plan_check.hpp"
#include "ebb/time.hpp"
#include "message.hpp"
#include "slurm_opt.hpp"

namespace ebb::plugin {

namespace {

// The longest --carbon-max-delay ebb accepts: no forecast reaches further, and a plan
// from ebbd further out is refused anyway (ebb/plan_check.hpp).
constexpr Duration kMaxDelayLimit = kMaxPlanHorizon;

// Inside a job the options arrive again through the inherited environment; they
// are remembered but never checked or acted on there (see allocator.cpp).
bool inside_job() { return std::getenv("SLURM_JOB_ID") != nullptr; }

// SPANK exports each used option to the job as
// SLURM_SPANK__SLURM_SPANK_OPTION_<plugin>_<option> ('-' becomes '_'), and a nested
// sbatch reads it back as if typed.
bool inherited_from_environment(const char* option, const char* arg) {
  std::string name = std::string("SLURM_SPANK__SLURM_SPANK_OPTION_ebb_") + option;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  const char* value = std::getenv(name.c_str());
  return value && (arg == nullptr || std::string(value) == arg);
}

// A conflict is refused as soon as the second flag is parsed.
int refuse_if_conflicting(const UserFlags& f) {
  if (f.off && f.any_planning_flag()) {
    print_line(error_line("--carbon-off cannot be combined with other --carbon-* flags"));
    return -1;
  }
  return 0;
}

int handle(int id, const char* arg) {
  if (id < EBB_OPT_DEADLINE || id > EBB_OPT_MOVE) return 0;
  UserFlags& f = user_flags();
  const std::string value = arg ? arg : "";
  const char* names[] = {
      "",           "carbon-deadline", "carbon-max-delay", "carbon-objective", "carbon-explain",
      "carbon-off", "carbon-move"};
  if (inside_job()) {
    if (!inherited_from_environment(names[id], arg)) f.typed_inside_job = true;
  }
  const bool check = !inside_job();
  switch (id) {
    case EBB_OPT_DEADLINE: {
      f.deadline_text = value;
      auto t = parse_slurm_time(value);
      if (!t) {
        if (!check) return 0;
        if (!slurm_parsers_available()) {
          print_line(warning_line("Slurm's time parser is not available"));
          return 0;
        }
        print_line(
            error_line("--carbon-deadline: not a time Slurm understands: " + in_quotes(value) +
                       " (use a --begin form, e.g. tomorrow09:00, now+8hours, "
                       "2026-11-28T09:00)"));
        return -1;
      }
      if (check && *t <= std::time(nullptr)) {
        print_line(error_line("--carbon-deadline " + printable_excerpt(value) +
                              " is in the past (" + local_minute(*t) + ")"));
        return -1;
      }
      f.deadline = *t;
      break;
    }
    case EBB_OPT_MAX_DELAY: {
      // Slurm's parser computes in an int and wraps around past 68 years (999999999 minutes
      // came back as a small or negative number); ebb's own parser does not overflow, so
      // it decides whether the value is too long.
      std::optional<long long> exact;
      try {
        exact = parse_slurm_duration(value, "--carbon-max-delay").count();
      } catch (const InputError&) {
        // a form only Slurm knows: Slurm's value stands, bounded below
      }
      auto too_long = [&] {
        print_line(error_line("--carbon-max-delay " + printable_excerpt(value) +
                              " is longer than " + format_duration(kMaxDelayLimit) +
                              ", the most ebb waits"));
        return -1;
      };
      if (check && exact && *exact > kMaxDelayLimit.count()) return too_long();
      auto secs = parse_slurm_seconds(value);
      if (!secs) {
        if (!check) return 0;
        if (!slurm_parsers_available()) {
          print_line(warning_line("Slurm's duration parser is not available"));
          return 0;
        }
        print_line(error_line("--carbon-max-delay: not a Slurm duration: " + in_quotes(value) +
                              " (use minutes, hours:minutes:seconds or days-hours, e.g. "
                              "12:00:00 or 1-0)"));
        return -1;
      }
      if (check && *secs > kMaxDelayLimit.count()) return too_long();
      f.max_delay_seconds = *secs;
      break;
    }
    case EBB_OPT_OBJECTIVE:
      try {
        f.objective = parse_objective(value);
      } catch (const std::exception&) {
        if (!check) return 0;
        print_line(error_line("--carbon-objective: unknown objective " + in_quotes(value) +
                              " (carbon, cost or balanced)"));
        return -1;
      }
      break;
    case EBB_OPT_EXPLAIN:
      f.explain = true;
      break;
    case EBB_OPT_OFF:
      f.off = true;
      break;
    case EBB_OPT_MOVE:
      f.move = true;
      break;
    default:
      return 0;
  }
  return check ? refuse_if_conflicting(f) : 0;
}

}  // namespace

UserFlags& user_flags() {
  static UserFlags flags;
  return flags;
}

int take_option(int id, const char* arg) noexcept {
  try {
    return handle(id, arg);
  } catch (...) {
    return 0;  // fail open: an internal error never refuses a job
  }
}

}  // namespace ebb::plugin
