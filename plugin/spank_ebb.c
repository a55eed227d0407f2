/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spank_ebb.so, the plugin SPANK loads into every sbatch, salloc, srun, slurmd and
   slurmstepd. It is a small C front so that a job without a carbon flag pays only for
   loading a few pages of C (no libstdc++, no simdjson): it registers the --carbon-*
   options and loads the C++ planner, libebb-spank-core.so from its own directory, only
   when a flag is used or the site's DefaultMaxDelay may plan the job. A core that cannot
   be loaded leaves the job as the user asked, with one warning (fail open). */
#define _GNU_SOURCE /* dladdr */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_api.h"

/* The macro ends in its own semicolon; ISO C forbids a second one here. */
SPANK_PLUGIN(ebb, 1)

/* The loaded core, or NULL. One command is one process and the core is never unloaded:
   its static state (the flags, the first hetjob component's plan) lives until exit. */
static const struct ebb_spank_core* core;
static bool core_failed; /* tried once, said why, never again */

/* Options held back while the core is not needed: --carbon-off, and inside a job the
   flags it inherited from its submission, which the core would only record. Handed to
   the core in order if it loads, so a conflict is refused as before. */
enum { kMaxHeld = 16 };
static struct {
  int id;
  char* arg;
} held[kMaxHeld];
static int held_count;
static bool held_off; /* --carbon-off among them: nothing to plan */

/* ebb.conf is read by the core; the front reads at most this much while looking for
   DefaultMaxDelay (the core's own limit, kMaxConfigBytes, ebb/config.hpp). */
enum { kMaxConfigBytes = 1 << 20 };

static void core_unavailable(const char* what, const char* detail) {
  core_failed = true;
  slurm_spank_log("ebb: warning: cannot load the planner (%s%s%s); job submitted unchanged", what,
                  detail ? ": " : "", detail ? detail : "");
}

static const struct ebb_spank_core* load_core(void) {
  if (core || core_failed) return core;
  /* The core sits beside this file: find this file's path from one of its own objects. */
  Dl_info self;
  if (!dladdr(&core, &self) || !self.dli_fname || !strrchr(self.dli_fname, '/')) {
    core_unavailable("cannot tell where spank_ebb.so is", NULL);
    return NULL;
  }
  const size_t dir_len = (size_t)(strrchr(self.dli_fname, '/') - self.dli_fname) + 1;
  char path[4096];
  if (dir_len + sizeof EBB_SPANK_CORE_FILE > sizeof path) {
    core_unavailable("path too long", self.dli_fname);
    return NULL;
  }
  memcpy(path, self.dli_fname, dir_len);
  memcpy(path + dir_len, EBB_SPANK_CORE_FILE, sizeof EBB_SPANK_CORE_FILE);

  /* RTLD_LAZY, as Slurm loads plugins: a missing library or symbol version still fails
     here, and the core's only strong Slurm symbols are SPANK's API, which this front
     needs too (the command's other symbols are weak). Eager binding cost sbatch about
     0.3 ms more CPU. RTLD_LOCAL: nothing of the core becomes visible to the command or
     to other plugins. */
  void* handle = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
  if (!handle) {
    core_unavailable("dlopen", dlerror());
    return NULL;
  }
  /* dlsym's void* becomes a function pointer by copy: ISO C forbids the cast. */
  const struct ebb_spank_core* (*entry)(void) = NULL;
  void* symbol = dlsym(handle, EBB_SPANK_CORE_ENTRY);
  if (symbol) memcpy(&entry, &symbol, sizeof entry);
  const struct ebb_spank_core* table = entry ? entry() : NULL;
  if (!table || !table->option || !table->init_post_opt) {
    core_unavailable(path, "no " EBB_SPANK_CORE_ENTRY " (a core from another build?)");
    dlclose(handle);
    return NULL;
  }
  core = table;
  return core;
}

/* Case-insensitive search for a lower-case needle in text[0, len). */
static bool contains_word(const char* text, size_t len, const char* needle) {
  const size_t n = strlen(needle);
  for (size_t i = 0; i + n <= len; ++i) {
    if (strncasecmp(text + i, needle, n) == 0) return true;
  }
  return false;
}

/* True when the file may set DefaultMaxDelay or an AccountBudget (the budget line and
   OverBudget= concern every job of the account, flag or not). Whole-line comments are skipped so that a
   commented example does not load the core on every sbatch; anything unusual (not a
   regular file, too big, unreadable) says true, and the core then reads the file
   properly and reports what is wrong with it. */
static bool config_may_set_default(const char* path, bool named) {
  const int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return named || errno != ENOENT; /* a missing default file means defaults */
  struct stat st;
  char* text = NULL;
  bool maybe = true;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= kMaxConfigBytes &&
      (text = malloc((size_t)st.st_size + 1)) != NULL) {
    size_t len = 0;
    ssize_t got = 0;
    while (len < (size_t)st.st_size &&
           ((got = read(fd, text + len, (size_t)st.st_size - len)) > 0 ||
            (got < 0 && errno == EINTR))) {
      if (got > 0) len += (size_t)got;
    }
    if (got >= 0) {
      maybe = false;
      for (size_t start = 0; start < len && !maybe;) {
        const char* nl = memchr(text + start, '\n', len - start);
        const size_t end = nl ? (size_t)(nl - text) : len;
        size_t first = start;
        while (first < end && (text[first] == ' ' || text[first] == '\t')) ++first;
        if (first < end && text[first] != '#')
          maybe = contains_word(text + first, end - first, "defaultmaxdelay") ||
                  contains_word(text + first, end - first, "accountbudget");
        start = end + 1;
      }
    }
  }
  free(text);
  close(fd);
  return maybe;
}

/* Whether the core has anything to do for a job given no carbon flag: only the site's
   DefaultMaxDelay (in ebb.conf, or a Key=Value argument on the plugstack.conf line) or
   its AccountBudget lines (ebb.conf) do. Errs
   toward true: a wrong true costs one load, a wrong false would skip a plan. */
static bool site_default_may_apply(int argc, char** argv) {
  if (getenv("SLURM_JOB_ID")) return false; /* inside a job the core plans nothing unasked */
  const char* path = EBB_DEFAULT_CONFIG_PATH;
  bool named = false;
  for (int i = 0; i < argc; ++i) {
    const char* arg = argv[i];
    if (!arg || !*arg) continue;
    if (!strchr(arg, '=') || contains_word(arg, strlen(arg), "defaultmaxdelay")) return true;
    if (strncasecmp(arg, "config=", 7) == 0) {
      path = arg + 7;
      named = true;
    }
  }
  return config_may_set_default(path, named);
}

static int option_callback(int id, const char* arg, int remote);

/* In C an option table's strings are char*, and string literals are char arrays. */
static struct spank_option options[] = {
    {"carbon-deadline", "TIME",
     "ebb: latest finish; start when the grid is cleanest and cheapest before it "
     "(every --begin form)",
     1, EBB_OPT_DEADLINE, option_callback},
    {"carbon-max-delay", "DURATION",
     "ebb: wait at most this long for a cleaner, cheaper window (Slurm duration)", 1,
     EBB_OPT_MAX_DELAY, option_callback},
    {"carbon-objective", "carbon|cost|balanced",
     "ebb: minimise emissions, electricity cost, or both (site default otherwise)", 1,
     EBB_OPT_OBJECTIVE, option_callback},
    {"carbon-explain", NULL, "ebb: print the plan, change nothing", 0, EBB_OPT_EXPLAIN,
     option_callback},
    {"carbon-off", NULL, "ebb: submit the job as it is, without planning", 0, EBB_OPT_OFF,
     option_callback},
    {"carbon-move", NULL,
     "ebb: may also run in the partitions the site declares equivalent to yours "
     "(MoveGroup), in cleaner grid regions",
     0, EBB_OPT_MOVE, option_callback},
};

/* Inside a job SPANK exports each used option as
   SLURM_SPANK__SLURM_SPANK_OPTION_ebb_<option> ('-' becomes '_'), and a nested sbatch or
   an srun step reads it back as if typed (the core tells the two apart the same way). */
static bool inherited(int id, const char* arg) {
  if (!getenv("SLURM_JOB_ID") || id < EBB_OPT_DEADLINE || id > EBB_OPT_MOVE) return false;
  char name[96] = "SLURM_SPANK__SLURM_SPANK_OPTION_ebb_";
  size_t len = strlen(name);
  for (const char* c = options[id - 1].name; *c && len + 1 < sizeof name; ++c) {
    name[len++] = *c == '-' ? '_' : *c;
  }
  name[len] = '\0';
  const char* value = getenv(name);
  return value && (!arg || strcmp(value, arg) == 0);
}

/* Loads the core and gives it the held options, then this one. */
static int hand_over(int id, const char* arg) {
  if (!load_core()) return 0;
  int rc = 0;
  for (int i = 0; i < held_count; ++i) {
    if (rc == 0) rc = core->option(held[i].id, held[i].arg);
    free(held[i].arg);
  }
  held_count = 0;
  return rc != 0 ? rc : core->option(id, arg);
}

/* SPANK's option callback. Values are checked (and refused) by the core as soon as they
   are parsed; a remote side checks nothing. */
static int option_callback(int id, const char* arg, int remote) {
  if (remote) return 0;
  if (!core && !core_failed && held_count < kMaxHeld && (id == EBB_OPT_OFF || inherited(id, arg))) {
    char* copy = arg ? strdup(arg) : NULL;
    if (!arg || copy) {
      held[held_count].id = id;
      held[held_count].arg = copy;
      ++held_count;
      if (id == EBB_OPT_OFF) held_off = true;
      return 0;
    }
  }
  return hand_over(id, arg);
}

int slurm_spank_init(spank_t sp, int argc, char** argv) {
  (void)argc;
  (void)argv;
  /* Options in allocator context must be registered here (the static spank_options table
     is ignored there); registering everywhere lets SPANK forward them to the job. */
  for (size_t i = 0; i < sizeof options / sizeof options[0]; ++i) {
    spank_option_register(sp, &options[i]);
  }
  return 0;
}

int slurm_spank_init_post_opt(spank_t sp, int argc, char** argv) {
  /* slurmd, slurmstepd, prolog and epilog: ebb did its work at submission. */
  const spank_context_t context = spank_context();
  if (context != S_CTX_ALLOCATOR && context != S_CTX_LOCAL) return 0;
  /* sbatch calls this once per hetjob component; the first one decides for all (the core
     keeps the first component's plan for the others). */
  static int plans = -1;
  if (plans < 0) {
    plans = core || (!held_off && !core_failed && site_default_may_apply(argc, argv));
  }
  if (!plans || !load_core()) return 0;
  return core->init_post_opt(sp, argc, argv);
}

/* Nothing was allocated in any context. */
int slurm_spank_exit(spank_t sp, int argc, char** argv) {
  (void)sp;
  (void)argc;
  (void)argv;
  return 0;
}
