// SPDX-License-Identifier: GPL-2.0-or-later
// The entry point of libebb-spank-core.so: the table the C front (spank_ebb.c) calls
// through once it has loaded the planner. Both functions catch everything themselves,
// so no exception reaches the C front or Slurm.
#include "allocator.hpp"
#include "core_api.h"
#include "options.hpp"

extern "C" const struct ebb_spank_core* ebb_spank_core_v1(void) {
  static const ebb_spank_core core{ebb::plugin::take_option, ebb::plugin::allocator_init_post_opt};
  return &core;
}
