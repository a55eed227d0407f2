// SPDX-License-Identifier: GPL-2.0-or-later
// What the job asks for, read from the command's options.
#pragma once

#include <optional>
#include <string>

#include "ebb/job.hpp"
#include "slurm_opt.hpp"

namespace ebb::plugin {

// The request as far as the energy model needs it. time_limit is left at its
// default; read it with read_time_limit().
JobRequest read_job_request(const CommandOptions& opts);

// --time, or nothing when unset or unlimited.
std::optional<Duration> read_time_limit(const CommandOptions& opts);

// Counting helpers, exposed for tests. Slurm prints counts as "2", node ranges as
// "2-4" (the minimum is used), --gpus as "2" or "a100:2", --gres as "gres:gpu:a100:2".
std::optional<unsigned> leading_count(const std::string& text);
unsigned gpus_in(const std::string& text);
unsigned gres_gpus_in(const std::string& text);

}  // namespace ebb::plugin
