/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The seam between spank_ebb.so, the small C front that SPANK loads into every sbatch,
   salloc, srun, slurmd and slurmstepd, and libebb-spank-core.so, the C++ planner it
   loads with dlopen only when a job is to be planned. Shared by both sides, so the
   option numbers and file names are written once. */
#ifndef EBB_PLUGIN_CORE_API_H
#define EBB_PLUGIN_CORE_API_H

#ifdef __cplusplus
extern "C" {
#endif

/* <slurm/spank.h> has no extern "C" guard of its own (Slurm 22.05 to 26.05). */
#include <slurm/spank.h>

/* Where ebb.conf is read from unless the plugstack.conf line says config=FILE. */
#define EBB_DEFAULT_CONFIG_PATH "/etc/slurm/ebb.conf"

/* The core sits in the front's own directory under this name; the front finds it from
   its own path (dladdr), never through the library search path. */
#define EBB_SPANK_CORE_FILE "libebb-spank-core.so"

/* The one symbol the core exports. The version is in the name: a front and a core from
   different builds refuse each other (the front fails open) instead of crashing. */
#define EBB_SPANK_CORE_ENTRY "ebb_spank_core_v1"

/* The val of each --carbon-* option in SPANK's option table. */
enum ebb_option_id {
  EBB_OPT_DEADLINE = 1,
  EBB_OPT_MAX_DELAY,
  EBB_OPT_OBJECTIVE,
  EBB_OPT_EXPLAIN,
  EBB_OPT_OFF,
  EBB_OPT_MOVE
};

struct ebb_spank_core {
  /* A --carbon-* value parsed by the submitting command (never called remotely).
     0, or -1 to refuse the command for bad input (after printing why). */
  int (*option)(int id, const char* arg);
  /* slurm_spank_init_post_opt in the submitting command (allocator or local context). */
  int (*init_post_opt)(spank_t sp, int argc, char** argv);
};

/* Never throws; the table lives as long as the process. */
const struct ebb_spank_core* ebb_spank_core_v1(void);

#ifdef __cplusplus
}
#endif

#endif
