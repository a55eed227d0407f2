// SPDX-License-Identifier: GPL-2.0-or-later
#include "job_request.hpp"

#include <cstdlib>
#include <string_view>
#include <vector>

#include "ebb/strings.hpp"

namespace ebb::plugin {

namespace {

std::optional<unsigned> whole_number(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value;
}

// A positive count from an option, or nothing when unset or a default marker.
std::optional<unsigned> count_option(const CommandOptions& opts, const char* name) {
  if (!opts.is_set(name)) return std::nullopt;
  auto value = opts.get(name);
  if (!value) return std::nullopt;
  auto n = leading_count(*value);
  if (!n || *n == 0) return std::nullopt;
  return n;
}

// Memory options are printed in MB, possibly with a unit suffix.
std::optional<double> megabytes(const CommandOptions& opts, const char* name) {
  if (!opts.is_set(name)) return std::nullopt;
  auto value = opts.get(name);
  if (!value || value->empty()) return std::nullopt;
  char* end = nullptr;
  double mb = std::strtod(value->c_str(), &end);
  if (end == value->c_str() || mb <= 0) return std::nullopt;
  switch (*end) {
    case 'K':
    case 'k':
      mb /= 1024;
      break;
    case 'G':
    case 'g':
      mb *= 1024;
      break;
    case 'T':
    case 't':
      mb *= 1024 * 1024;
      break;
    default:
      break;
  }
  return mb;
}

}  // namespace

std::optional<unsigned> leading_count(const std::string& text) {
  std::string_view t = text;
  std::size_t end = t.find_first_of("-,");
  return whole_number(t.substr(0, end));
}

unsigned gpus_in(const std::string& text) {
  // --gpus and friends: "2", "a100:2", "a100:2,v100:1"; a type alone means one.
  unsigned total = 0;
  for (std::string_view item : split(text, ',')) {
    if (item.empty()) continue;
    auto fields = split(item, ':');
    total += whole_number(fields.back()).value_or(1);
  }
  return total;
}

unsigned gres_gpus_in(const std::string& text) {
  // --gres: "gres:gpu:1", "gpu:a100:2", "gpu"; other generic resources are not GPUs.
  unsigned total = 0;
  for (std::string_view item : split(text, ',')) {
    if (item.starts_with("gres:")) item.remove_prefix(5);
    auto fields = split(item, ':');
    if (fields.front() != "gpu") continue;
    total += fields.size() > 1 ? whole_number(fields.back()).value_or(1) : 1;
  }
  return total;
}

std::optional<Duration> read_time_limit(const CommandOptions& opts) {
  if (!opts.is_set("time")) return std::nullopt;
  auto value = opts.get("time");
  if (!value) return std::nullopt;
  auto secs = parse_slurm_seconds(*value);
  if (!secs || *secs <= 0) return std::nullopt;
  return Duration{*secs};
}

JobRequest read_job_request(const CommandOptions& opts) {
  JobRequest job;
  job.nodes = count_option(opts, "nodes").value_or(1);
  auto tasks_per_node = count_option(opts, "ntasks-per-node");
  job.tasks =
      count_option(opts, "ntasks").value_or(tasks_per_node ? *tasks_per_node * job.nodes : 1);
  job.cpus_per_task = count_option(opts, "cpus-per-task").value_or(1);

  // GPUs: --gpus counts for the job; --gres and --gpus-per-node per node;
  // --gpus-per-task per task.
  unsigned gpus = 0;
  if (opts.is_set("gpus")) gpus = gpus_in(opts.get("gpus").value_or(""));
  if (gpus == 0 && opts.is_set("gpus-per-node")) {
    gpus = gpus_in(opts.get("gpus-per-node").value_or("")) * job.nodes;
  }
  if (gpus == 0 && opts.is_set("gpus-per-task")) {
    gpus = gpus_in(opts.get("gpus-per-task").value_or("")) * job.tasks;
  }
  if (gpus == 0 && opts.is_set("gres"))
    gpus = gres_gpus_in(opts.get("gres").value_or("")) * job.nodes;
  job.gpus = gpus;

  if (auto mb = megabytes(opts, "mem")) {
    job.memory_gb = *mb * job.nodes / 1024.0;
  } else if (auto per_cpu = megabytes(opts, "mem-per-cpu")) {
    job.memory_gb = *per_cpu * job.cores() / 1024.0;
  } else if (auto per_gpu = megabytes(opts, "mem-per-gpu")) {
    job.memory_gb = *per_gpu * job.gpus / 1024.0;
  }

  job.partition = opts.is_set("partition") ? opts.get("partition").value_or("") : "";
  // A list of partitions ("a,b"): plan with the first one's power model.
  if (auto comma = job.partition.find(','); comma != std::string::npos) {
    job.partition.resize(comma);
  }
  job.job_name = opts.get("job-name").value_or("");
  job.account = opts.is_set("account") ? opts.get("account").value_or("") : "";
  if (const char* user = std::getenv("USER")) job.user = user;
  return job;
}

}  // namespace ebb::plugin
