// SPDX-License-Identifier: GPL-2.0-or-later
// Slurm's accounting records as `ebb report` needs them, from `sacct --json` (the format
// of Slurm 22.05's data_parser; a small real answer is in tests/data/sacct/).
//
// --json, not the parsable form ebbd's runtime learner reads: the report needs the
// AdminComment, which may hold any text (spaces, '|', newlines), and JSON quotes it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ebb/job.hpp"
#include "ebb/power_fit.hpp"
#include "ebb/time.hpp"

namespace ebb::ledger {

struct AccountedJob {
  std::string id;  // "123", "123_4" (array task), "123+1" (hetjob component)
  std::string name, user, account, partition, state;
  std::string admin_comment;
  TimePoint submit;
  std::optional<TimePoint> start, end;    // absent when the job never started / still runs
  JobRequest resources;                   // what it was allocated (for the power model)
  std::optional<double> consumed_joules;  // ConsumedEnergyRaw, where the site measures it
};

// Throws InputError naming `source` when the text is not sacct's JSON.
std::vector<AccountedJob> parse_sacct_json(std::string_view json, const std::string& source);

// The jobs that ran, ended and measured energy, as the power calibration takes them
// (ebb/power_fit.hpp); `finished` (optional) counts the jobs that ran and ended.
std::vector<PowerSample> power_samples(const std::vector<AccountedJob>& jobs,
                                       std::size_t* finished = nullptr);

}  // namespace ebb::ledger
