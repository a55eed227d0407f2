// SPDX-License-Identifier: GPL-2.0-or-later
// The user's carbon flags: registration with SPANK and the values captured while
// the command parses its options.
#pragma once

#include <ctime>
#include <optional>
#include <string>

#include "ebb/planner.hpp"

namespace ebb::plugin {

struct UserFlags {
  std::optional<std::time_t> deadline;    // --carbon-deadline, epoch seconds
  std::string deadline_text;              // as typed, for messages
  std::optional<long> max_delay_seconds;  // --carbon-max-delay
  std::optional<Objective> objective;     // --carbon-objective
  bool explain = false;                   // --carbon-explain
  bool off = false;                       // --carbon-off
  bool move = false;                      // --carbon-move
  // Inside a job: true when at least one flag was typed on this command rather than
  // inherited from the job's environment (SLURM_SPANK__SLURM_SPANK_OPTION_ebb_*).
  bool typed_inside_job = false;

  bool any() const { return deadline || max_delay_seconds || objective || explain || off || move; }
  bool any_planning_flag() const {
    return deadline || max_delay_seconds || objective || explain || move;
  }
};

// The flags seen so far in this process (one command = one process).
UserFlags& user_flags();

// A --carbon-* value (id: enum ebb_option_id, core_api.h) as the submitting command
// parses it; the C front registers the options and forwards each value here. Returns
// -1 to refuse the command (bad input, after printing why), else 0; never throws.
int take_option(int id, const char* arg) noexcept;

}  // namespace ebb::plugin
