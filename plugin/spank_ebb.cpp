// SPDX-License-Identifier: GPL-2.0-or-later
// SPANK entry points of spank_ebb.so. Each one dispatches on the Slurm context to the
// file that handles it (allocator.cpp: sbatch/salloc/srun; remote.cpp: slurmd and
// slurmstepd) and catches everything: no exception crosses into Slurm, and every
// failure leaves the job as the user asked (DESIGN decision 2).
#include "allocator.hpp"
#include "options.hpp"
#include "remote.hpp"
#include "spank_api.hpp"

extern "C" {

// In C++ a namespace-scope const has internal linkage, so SPANK_PLUGIN's definitions
// would not be exported without these declarations first.
extern const char plugin_name[];
extern const char plugin_type[];
extern const unsigned int plugin_version;
extern const unsigned int spank_plugin_version;
SPANK_PLUGIN(ebb, 1);

namespace {

bool submitting(spank_context_t context) {
  return context == S_CTX_ALLOCATOR || context == S_CTX_LOCAL;
}

}  // namespace

int slurm_spank_init(spank_t sp, int, char**) {
  try {
    // Options in allocator context must be registered here (the static table is
    // ignored there); registering everywhere keeps remote option forwarding happy.
    ebb::plugin::register_options(sp);
  } catch (...) {
  }
  return 0;
}

int slurm_spank_init_post_opt(spank_t sp, int argc, char** argv) {
  try {
    if (submitting(spank_context())) return ebb::plugin::allocator_init_post_opt(sp, argc, argv);
    return ebb::plugin::remote_init_post_opt(sp, argc, argv);
  } catch (...) {
    return 0;
  }
}

int slurm_spank_exit(spank_t sp, int argc, char** argv) {
  try {
    if (submitting(spank_context())) return 0;
    return ebb::plugin::remote_exit(sp, argc, argv);
  } catch (...) {
    return 0;
  }
}

}  // extern "C"
