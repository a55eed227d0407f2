// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb why JOBID`: why a pending job waits, from what Slurm shows of it (squeue --json)
// and the plan record that contrib/job_submit.lua keeps in its AdminComment
// (include/ebb/plan_record.hpp). Kept apart from the command so that tests can feed it
// recorded squeue answers.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ebb/plan_record.hpp"
#include "ebb/time.hpp"

namespace ebb::why {

// The fields of one job of `squeue --json` that the explanation needs.
struct SqueueJob {
  std::string id;
  std::string user;
  std::string name;
  std::string partition;
  std::string state;   // PENDING, RUNNING, ...
  std::string reason;  // state_reason: BeginTime, Resources, ...
  std::string admin_comment;
  std::optional<TimePoint> eligible;  // pending: the begin time Slurm holds it until
  std::optional<TimePoint> submitted;
};

// The job `id` in a `squeue --json` answer (Slurm 22.05 ignores -j with --json, so the
// filtering is ours). nullopt when it is not there. Throws InputError naming `command`,
// the job and the field when the answer cannot be read.
std::optional<SqueueJob> find_squeue_job(const std::string& json, const std::string& id,
                                         const std::string& command);

enum class Status {
  held,             // pending until the start ebb planned
  released,         // ebb's hold is over; the job waits for Slurm (resources, priority)
  changed_by_hand,  // the begin time is no longer ebb's
  not_deferred,     // ebb planned it to start at once
  not_held,         // no ebb plan in its AdminComment
  started,          // not pending any more
  not_found,
};
const char* to_string(Status s);

struct Explanation {
  Status status = Status::not_found;
  std::string text;  // one short paragraph, times in local time
  std::optional<PlanRecord> record;
};

// Explains `job` (nullopt: not found, `id` names it) at `now`. Throws InputError when its
// AdminComment holds a malformed ebb record.
Explanation explain(const std::optional<SqueueJob>& job, const std::string& id, TimePoint now);

// The explanation for --json: status, text, the job's fields and the decoded record
// (times ISO 8601 UTC, savings in grams and the currency).
nlohmann::json to_json(const Explanation& e, const std::optional<SqueueJob>& job);

}  // namespace ebb::why
