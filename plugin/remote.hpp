// SPDX-License-Identifier: GPL-2.0-or-later
// slurmd, slurmstepd, prolog and epilog (remote, slurmd and job script contexts):
// ebb has already done its work at submission, so nothing happens here.
#pragma once

#include "spank_api.hpp"

namespace ebb::plugin {

int remote_init_post_opt(spank_t sp, int argc, char** argv);
int remote_exit(spank_t sp, int argc, char** argv);

}  // namespace ebb::plugin
