// SPDX-License-Identifier: GPL-2.0-or-later
// Runs a command with a given environment, captures stdout and stderr, and kills it
// when it outlives its timeout. Used to drive Slurm's commands and daemons.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace ebb::test {

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal or by the timeout
  bool timed_out = false;
  std::string out;
  std::string err;
  double cpu_ms = 0;  // user + system CPU time of the process (wait4)
};

// The environment a child gets: this process's environment, with every variable a
// Slurm job or command sets removed (SLURM_*, SBATCH_*, SALLOC_*, SRUN_*, SPANK_*),
// then `extra` added.
std::vector<std::string> child_environment(const std::map<std::string, std::string>& extra);

// Runs argv[0] (looked up in PATH) with `env`. Standard input is /dev/null.
RunResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
              std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Starts a long-running process (a daemon kept in the foreground) with stdout and
// stderr appended to log_path. The caller owns the process: stop it with stop_daemon.
pid_t spawn_daemon(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                   const std::string& log_path);
// SIGTERM, then SIGKILL after `grace`; reaps the child. False when it had to be killed.
bool stop_daemon(pid_t pid, std::chrono::milliseconds grace = std::chrono::seconds(10));
// True while a child started by spawn_daemon has not exited.
bool running(pid_t pid);

// Splits text into lines without their newlines; no empty last line.
std::vector<std::string> lines(const std::string& text);

}  // namespace ebb::test
