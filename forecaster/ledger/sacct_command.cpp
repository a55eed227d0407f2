// SPDX-License-Identifier: GPL-2.0-or-later
#include "sacct_command.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cluster_view.hpp"
#include "ebb/error.hpp"

namespace ebb::ledger {

std::string read_whole(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(what + ": cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

namespace {

std::vector<std::string> sacct_argv(const std::string& command, TimePoint from, TimePoint to) {
  std::vector<std::string> argv = daemon::command_words(command);
  if (argv.empty()) throw InputError("--sacct: empty command");
  for (const char* a : {"--json", "--allusers"}) argv.emplace_back(a);
  // sacct reads -S/-E in local time.
  argv.insert(argv.end(), {"-S", format_local_slurm(from), "-E", format_local_slurm(to)});
  return argv;
}

template <class Run>
void run_checked(const std::string& command, Run&& run) {
  daemon::CommandResult r;
  try {
    r = run();
  } catch (const std::exception& e) {
    throw InputError("cannot run sacct ('" + command + "'): " + e.what() +
                     "; is Slurm's accounting (slurmdbd) set up? See README, \"Enabling "
                     "accounting\"");
  }
  if (r.exit_code != 0) {
    std::string why = r.err.empty() ? "no message" : r.err;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    throw InputError(
        "sacct failed (" +
        (r.timed_out ? std::string("timed out") : "exit code " + std::to_string(r.exit_code)) +
        "): " + why);
  }
}

}  // namespace

void run_sacct_to_file(const std::string& command, TimePoint from, TimePoint to, int fd) {
  const auto argv = sacct_argv(command, from, to);
  run_checked(command,
              [&] { return daemon::run_command_to_file(argv, std::chrono::minutes(30), fd); });
}

UniqueFd unnamed_temporary_file() {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir && *dir ? dir : "/tmp") + "/ebb-sacct-XXXXXX";
  UniqueFd fd(::mkstemp(path.data()));
  if (fd.get() < 0)
    throw InputError("cannot create a temporary file in " + path.substr(0, path.rfind('/')) +
                     " for sacct's answer: " + std::strerror(errno) + " (set TMPDIR)");
  ::unlink(path.c_str());
  return fd;
}

void for_each_sacct_job_from_sacct(const std::string& command, TimePoint from, TimePoint to,
                                   const SacctJobSink& each, const SacctProgress& progress) {
  const UniqueFd answer = unnamed_temporary_file();
  run_sacct_to_file(command, from, to, answer.get());
  for_each_sacct_job_in_file("/proc/self/fd/" + std::to_string(answer.get()), each, progress,
                             "sacct --json");
}

}  // namespace ebb::ledger
