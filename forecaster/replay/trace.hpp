// SPDX-License-Identifier: GPL-2.0-or-later
// Job traces: the jobs a replay runs, read from the Standard Workload Format (Parallel
// Workloads Archive), Slurm's `sacct --json` and `sacct -P` exports, or a simple CSV.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ebb/time.hpp"

namespace ebb::replay {

struct TraceJob {
  std::string id;
  TimePoint submit;
  Duration runtime{0};    // what it actually ran
  Duration requested{0};  // its time limit (Slurm's --time); never below runtime
  std::uint32_t cores = 1;
  double memory_gb = 0;  // requested memory over the whole job; 0 = unknown
  std::string user;
  std::string name;  // job name (SWF: the executable number); for runtime prediction
  std::string account;
  std::string partition;
  std::optional<TimePoint> deadline;        // when the trace carries one
  std::optional<TimePoint> recorded_start;  // when the trace says it really started
};

struct Trace {
  std::vector<TraceJob> jobs;  // sorted by submit time
  std::string source;
  bool relative_times = false;  // times count from an unknown origin (no dates in the file)
  // Jobs left out, by reason ("never started", "no cores", ...), for the report.
  std::map<std::string, std::size_t> skipped;
  std::size_t requested_raised = 0;  // jobs that ran longer than their request
};

enum class TraceFormat { automatic, swf, sacct_json, sacct_pipe, csv };
TraceFormat parse_trace_format(const std::string& text);  // auto, swf, sacct-json, sacct, csv

struct TraceReadOptions {
  TraceFormat format = TraceFormat::automatic;
  double csv_time_unit_seconds = 1.0;  // CSV arrival/length unit (GAIA's 100k traces: hours)
};

// Reads a trace (gzip or plain). Malformed lines are errors naming file, line and
// reason; jobs that cannot be replayed (never started, zero cores) are counted as skipped.
Trace read_trace(const std::string& path, const TraceReadOptions& options = {});

Trace parse_swf(std::string_view text, const std::string& source);
Trace parse_sacct_pipe(std::string_view text, const std::string& source);
Trace parse_sacct_json_trace(std::string_view text, const std::string& source);
Trace parse_simple_csv(std::string_view text, const std::string& source, double time_unit_seconds);

// The most cores the trace's jobs used at once by their recorded starts, ignoring the
// busiest 0.1% of the time (logs have impossible overlaps); 0 when the trace records
// no starts. A fair guess of the cluster's size.
std::uint32_t peak_recorded_cores(const Trace& trace);

// sacct's ReqMem: "4000M", "16G", "2Gn" (per node), "500Mc" (per CPU); in GB over the job.
// Empty optional for "0" or an empty field.
std::optional<double> parse_slurm_memory(std::string_view text, std::uint32_t cores,
                                         std::uint32_t nodes);

// Slurm's elapsed/limit forms: [D-]HH:MM:SS, MM:SS, MM, D-HH, D-HH:MM. Empty optional for
// UNLIMITED / Partition_Limit / INVALID.
std::optional<Duration> parse_slurm_elapsed(std::string_view text);

}  // namespace ebb::replay
