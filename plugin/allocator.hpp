// SPDX-License-Identifier: GPL-2.0-or-later
// sbatch, salloc and srun (allocator and local contexts): plan the job and set its
// begin time before the command turns its options into a job request.
#pragma once

#include "core_api.h"

namespace ebb::plugin {

// slurm_spank_init_post_opt in the submitting command. Returns 0 (fail open) except
// on bad input, which ends the command with an error and no job.
int allocator_init_post_opt(spank_t sp, int argc, char** argv) noexcept;

}  // namespace ebb::plugin
