// SPDX-License-Identifier: GPL-2.0-or-later
// Slurm's accounting records from `sacct --json`: the one reader of that format, for the
// savings ledger (`ebb report`) and for replay traces (`ebb replay`).
//
// Both forms of Slurm's numbers are read: plain (22.05, the fixture in tests/data/sacct/)
// and {"set":..,"infinite":..,"number":..} (23.02 and later). Jobs are handed over one at a
// time: the text is cut into jobs with a small scanner and each job is parsed alone, so a
// million-job answer costs the memory of one job besides its text, and a mapped file's
// pages can be dropped once read (for_each_sacct_job_in_file).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ebb/job.hpp"
#include "ebb/power_fit.hpp"
#include "ebb/time.hpp"

namespace ebb {

struct AccountedJob {
  std::string id;  // "123", "123_4" (array task), "123+1" (hetjob component)
  std::string name, user, account, partition, state;
  std::string admin_comment;
  TimePoint submit;
  std::optional<TimePoint> start, end;  // absent when the job never started / still runs
  Duration elapsed{0};                  // what it ran (time.elapsed, else end - start)
  std::optional<Duration> limit;        // its time limit; absent when unlimited or unknown
  // What it was allocated (else requested): cores (0 when unknown), nodes, GPUs, memory
  // over the job; with partition, name, user, account for the power model.
  JobRequest resources;
  std::optional<double> consumed_joules;  // ConsumedEnergyRaw, where the site measures it
};

using SacctJobSink = std::function<void(AccountedJob&&)>;
// `done` is how many bytes of the text have been read, for progress and for dropping them.
using SacctProgress = std::function<void(std::size_t done)>;

// Throws InputError naming `source` (and the job's place) when the text is not sacct's JSON.
void for_each_sacct_job(std::string_view json, const std::string& source, const SacctJobSink& each,
                        const SacctProgress& progress = {});
// `source` names the text in errors (default: the path), e.g. "sacct --json" for a
// temporary file sacct wrote.
void for_each_sacct_job_in_file(const std::string& path, const SacctJobSink& each,
                                const SacctProgress& progress = {}, const std::string& source = {});
std::vector<AccountedJob> parse_sacct_json(std::string_view json, const std::string& source);

// Whether the job ran and has ended.
bool ran_and_ended(const AccountedJob& job);
// The job as the power calibration takes it (ebb/power_fit.hpp), when it ran, ended and
// measured energy.
std::optional<PowerSample> power_sample(const AccountedJob& job);
// The same for many; `finished` (optional) counts the jobs that ran and ended.
std::vector<PowerSample> power_samples(const std::vector<AccountedJob>& jobs,
                                       std::size_t* finished = nullptr);

}  // namespace ebb
