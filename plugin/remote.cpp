// SPDX-License-Identifier: GPL-2.0-or-later
#include "remote.hpp"

namespace ebb::plugin {

// The options still reach the job's steps (SPANK forwards them), so they are
// registered in every context, but the job's begin time is Slurm's business now.
int remote_init_post_opt(spank_t, int, char**) { return 0; }

// Nothing was allocated in these contexts.
int remote_exit(spank_t, int, char**) { return 0; }

}  // namespace ebb::plugin
