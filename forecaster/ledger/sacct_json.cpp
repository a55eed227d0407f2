// SPDX-License-Identifier: GPL-2.0-or-later
#include "sacct_json.hpp"

#include <simdjson.h>

#include "ebb/error.hpp"

namespace ebb::ledger {
namespace {

using simdjson::dom::element;

// Slurm writes numbers as integers, and sometimes null or absent; 0 when not there.
std::int64_t int_at(element e, std::string_view key) {
  auto v = e[key];
  if (v.error()) return 0;
  std::int64_t i = 0;
  if (v.get_int64().get(i) == simdjson::SUCCESS) return i;
  std::uint64_t u = 0;
  if (v.get_uint64().get(u) == simdjson::SUCCESS) return static_cast<std::int64_t>(u);
  double d = 0;
  if (v.get_double().get(d) == simdjson::SUCCESS) return static_cast<std::int64_t>(d);
  return 0;
}

std::string string_at(element e, std::string_view key) {
  std::string_view s;
  if (e[key].get_string().get(s) != simdjson::SUCCESS) return "";
  return std::string(s);
}

bool has_number(element e, std::string_view key) {
  auto v = e[key];
  return !v.error() && (v.is_int64() || v.is_uint64());
}

// The count of one TRES (type, and name for gres) in a list of {type, name, count}.
std::optional<std::int64_t> tres_count(element list, std::string_view type,
                                       std::string_view name = {}) {
  simdjson::dom::array items;
  if (list.get_array().get(items) != simdjson::SUCCESS) return std::nullopt;
  for (element t : items) {
    if (string_at(t, "type") != type) continue;
    if (!name.empty() && string_at(t, "name") != name) continue;
    return int_at(t, "count");
  }
  return std::nullopt;
}

std::string job_id_of(element job) {
  std::string id = std::to_string(int_at(job, "job_id"));
  element array, het;
  if (job["array"].get(array) == simdjson::SUCCESS && has_number(array, "task_id") &&
      int_at(array, "job_id") != 0) {
    return std::to_string(int_at(array, "job_id")) + "_" + std::to_string(int_at(array, "task_id"));
  }
  if (job["het"].get(het) == simdjson::SUCCESS && has_number(het, "job_offset") &&
      int_at(het, "job_id") != 0) {
    return std::to_string(int_at(het, "job_id")) + "+" + std::to_string(int_at(het, "job_offset"));
  }
  return id;
}

// Energy the steps consumed (ConsumedEnergyRaw), in joules; nothing when no step reports
// any (no acct_gather_energy plugin).
std::optional<double> consumed_energy(element job) {
  simdjson::dom::array steps;
  if (job["steps"].get_array().get(steps) != simdjson::SUCCESS) return std::nullopt;
  double joules = 0;
  bool any = false;
  for (element step : steps) {
    element total;
    if (step.at_pointer("/tres/consumed/total").get(total) != simdjson::SUCCESS) continue;
    if (auto j = tres_count(total, "energy"); j && *j > 0) {
      joules += static_cast<double>(*j);
      any = true;
    }
  }
  if (!any) return std::nullopt;
  return joules;
}

}  // namespace

std::vector<AccountedJob> parse_sacct_json(std::string_view json, const std::string& source) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  element root;
  if (auto err = parser.parse(padded).get(root))
    throw InputError(source + ": not valid JSON: " + simdjson::error_message(err));
  simdjson::dom::array jobs;
  if (root["jobs"].get_array().get(jobs) != simdjson::SUCCESS)
    throw InputError(source + ": no \"jobs\" list: not sacct --json output");
  std::vector<AccountedJob> out;
  out.reserve(jobs.size());
  std::size_t index = 0;
  for (element j : jobs) {
    ++index;
    element time;
    if (j["time"].get(time) != simdjson::SUCCESS || !has_number(j, "job_id"))
      throw InputError(source + ": job " + std::to_string(index) + " has no job_id or time");
    AccountedJob a;
    a.id = job_id_of(j);
    a.name = string_at(j, "name");
    a.user = string_at(j, "user");
    a.account = string_at(j, "account");
    a.partition = string_at(j, "partition");
    element state;
    if (j["state"].get(state) == simdjson::SUCCESS) a.state = string_at(state, "current");
    element comment;
    if (j["comment"].get(comment) == simdjson::SUCCESS)
      a.admin_comment = string_at(comment, "administrator");
    a.submit = TimePoint{seconds{int_at(time, "submission")}};
    element alloc;
    const bool allocated = j.at_pointer("/tres/allocated").get(alloc) == simdjson::SUCCESS &&
                           tres_count(alloc, "cpu").value_or(0) > 0;
    // Slurm writes 0 for a start or end that has not happened, and for a job cancelled
    // while pending a start equal to the cancel time, with nothing allocated.
    if (std::int64_t s = int_at(time, "start"); s > 0 && allocated) a.start = TimePoint{seconds{s}};
    if (std::int64_t e = int_at(time, "end"); e > 0 && a.start) a.end = TimePoint{seconds{e}};
    if (allocated) {
      auto cpus = tres_count(alloc, "cpu");
      a.resources.tasks = 1;
      a.resources.cpus_per_task = static_cast<std::uint32_t>(cpus.value_or(1));
      a.resources.nodes = static_cast<std::uint32_t>(tres_count(alloc, "node").value_or(1));
      a.resources.gpus = static_cast<std::uint32_t>(tres_count(alloc, "gres", "gpu").value_or(0));
      a.resources.memory_gb = static_cast<double>(tres_count(alloc, "mem").value_or(0)) / 1024.0;
    }
    a.resources.partition = a.partition;
    a.resources.job_name = a.name;
    a.resources.user = a.user;
    a.resources.account = a.account;
    a.consumed_joules = consumed_energy(j);
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<PowerSample> power_samples(const std::vector<AccountedJob>& jobs,
                                       std::size_t* finished) {
  std::vector<PowerSample> out;
  std::size_t ended = 0;
  for (const auto& j : jobs) {
    if (!j.start || !j.end || *j.end <= *j.start) continue;
    ++ended;
    if (!j.consumed_joules || *j.consumed_joules <= 0) continue;
    PowerSample s;
    s.partition = j.partition;
    s.cores = j.resources.cores();
    s.gpus = j.resources.gpus;
    s.nodes = j.resources.nodes;
    s.seconds = static_cast<double>((*j.end - *j.start).count());
    s.joules = *j.consumed_joules;
    out.push_back(std::move(s));
  }
  if (finished) *finished = ended;
  return out;
}

}  // namespace ebb::ledger
