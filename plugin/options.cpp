// SPDX-License-Identifier: GPL-2.0-or-later
#include "options.hpp"

#include <cstdlib>
#include <ctime>
#include <exception>
#include <optional>
#include <string>

#include "ebb/config.hpp"
#include "ebb/error.hpp"
#include "ebb/input.hpp"
#include "ebb/plan_check.hpp"
#include "ebb/time.hpp"
#include "message.hpp"
#include "slurm_opt.hpp"

namespace ebb::plugin {

namespace {

enum OptionId : int { kDeadline = 1, kMaxDelay, kObjective, kExplain, kOff, kMove };

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
  if (id < kDeadline || id > kMove) return 0;
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
    case kDeadline: {
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
    case kMaxDelay: {
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
    case kObjective:
      try {
        f.objective = parse_objective(value);
      } catch (const std::exception&) {
        if (!check) return 0;
        print_line(error_line("--carbon-objective: unknown objective " + in_quotes(value) +
                              " (carbon, cost or balanced)"));
        return -1;
      }
      break;
    case kExplain:
      f.explain = true;
      break;
    case kOff:
      f.off = true;
      break;
    case kMove:
      f.move = true;
      break;
    default:
      return 0;
  }
  return check ? refuse_if_conflicting(f) : 0;
}

// SPANK's callback: (val, optarg, remote). Nothing is checked on the remote side.
int option_callback(int id, const char* arg, int remote) noexcept {
  if (remote) return 0;
  try {
    return handle(id, arg);
  } catch (...) {
    return 0;  // fail open: an internal error never refuses a job
  }
}

// spank_option's usage and arginfo are char*, not const char*.
char* text(const char* s) { return const_cast<char*>(s); }

}  // namespace

UserFlags& user_flags() {
  static UserFlags flags;
  return flags;
}

int register_options(spank_t sp) {
  struct spank_option options[] = {
      {text("carbon-deadline"), text("TIME"),
       text("ebb: latest finish; start when the grid is cleanest and cheapest before it "
            "(every --begin form)"),
       1, kDeadline, option_callback},
      {text("carbon-max-delay"), text("DURATION"),
       text("ebb: wait at most this long for a cleaner, cheaper window (Slurm duration)"), 1,
       kMaxDelay, option_callback},
      {text("carbon-objective"), text("carbon|cost|balanced"),
       text("ebb: minimise emissions, electricity cost, or both (site default otherwise)"), 1,
       kObjective, option_callback},
      {text("carbon-explain"), nullptr, text("ebb: print the plan, change nothing"), 0, kExplain,
       option_callback},
      {text("carbon-off"), nullptr, text("ebb: submit the job as it is, without planning"), 0, kOff,
       option_callback},
      {text("carbon-move"), nullptr,
       text("ebb: may also run in the partitions the site declares equivalent to yours "
            "(MoveGroup), in cleaner grid regions"),
       0, kMove, option_callback},
  };
  int rc = 0;
  for (auto& option : options) {
    if (spank_option_register(sp, &option) != ESPANK_SUCCESS) rc = -1;
  }
  return rc;
}

}  // namespace ebb::plugin
