// SPDX-License-Identifier: GPL-2.0-or-later
// What ebbd knows of the Slurm cluster it plans for: the partitions (size, default
// partition, DefaultTime, MaxTime) and the jobs that hold or will hold their CPUs.
//
// Read every ClusterRefresh from slurmctld with Slurm's own commands, as ebbd's user:
//   squeue --json                         jobs (state, start, eligible time, time limit, CPUs,
//                                         AdminComment)
//   scontrol show partition --oneliner    partitions (TotalCPUs, Default, DefaultTime, MaxTime)
// Slurm 22.05's `sinfo --json` lists nodes only, not partitions, so the partition facts
// come from scontrol. Each command runs with a bounded time (killed past it) and inherits
// ebbd's environment, SLURM_CONF included.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ebb/capacity.hpp"
#include "ebb/time.hpp"

namespace simdjson::dom {
class parser;
}

namespace ebb::daemon {

// A job as squeue shows it.
struct ViewJob {
  std::string id;  // "123", or "123_[1-5]" for a pending array's remaining tasks
  std::string user;
  std::string partition;  // the first of a list
  QueuedJob::State state = QueuedJob::State::pending;
  TimePoint since;                     // running: start; pending: eligible (begin) time or 0
  std::optional<Duration> time_limit;  // empty: none (UNLIMITED)
  double cpus = 1;                     // over all of a pending array's tasks
  std::string admin_comment;           // where contrib/job_submit.lua keeps ebb's plan record
};

struct PartitionInfo {
  double cpus = 0;                       // TotalCPUs
  std::optional<Duration> default_time;  // DefaultTime, if set
  std::optional<Duration> max_time;      // MaxTime, empty when UNLIMITED
};

struct ClusterView {
  TimePoint taken_at;
  std::map<std::string, PartitionInfo> partitions;
  std::string default_partition;  // empty when none is marked Default=YES
  std::vector<ViewJob> jobs;      // running and pending, held jobs left out
};

// Parses `squeue --json`; `command` names it in messages. Throws InputError naming the
// command, the job and the field. `parser` is reused across refreshes (its buffers grow
// to the largest answer once). When `json` has simdjson's padding spare in its capacity
// (run_command leaves it), it is parsed in place, without a copy.
std::vector<ViewJob> parse_squeue_json(const std::string& json, const std::string& command,
                                       simdjson::dom::parser& parser);
// Parses `scontrol show partition --oneliner`; sets partitions and default_partition.
// Throws InputError naming the command, the line and the field.
void parse_scontrol_partitions(std::string_view text, const std::string& command,
                               ClusterView& view);

// The output of a command run with a time limit.
struct CommandResult {
  int exit_code = -1;  // -1: killed (by the limit) or ended by a signal
  bool timed_out = false;
  bool too_large = false;  // killed: its output passed max_bytes
  std::string err;
  double cpu_seconds = 0;  // user + system of the child
};
// Runs argv (argv[0] looked up in PATH) with ebbd's environment and /dev/null as input;
// kills it (SIGKILL) past `limit` or when its output passes `max_bytes`. Its standard
// output replaces `out`, whose memory is reused: squeue's answer on a large cluster is
// tens of MB, and fresh pages cost more CPU than parsing them. Throws
// std::runtime_error when it cannot be started.
CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds limit,
                          std::size_t max_bytes, std::string& out);
// The same with the command's standard output written straight into `out_fd` (an open
// file), for answers too large to hold in memory; its standard error (up to 1 MiB) is
// still kept in `err`.
CommandResult run_command_to_file(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds limit, int out_fd);

// Splits a configured command ("squeue" or "/opt/slurm/bin/squeue --local") into words.
std::vector<std::string> command_words(const std::string& text);

}  // namespace ebb::daemon
