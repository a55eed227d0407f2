// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd learns how long jobs run from Slurm's accounting, so that a plan is sized for the
// runtime a job is likely to have rather than for its (generous) time limit.
//
// Every AccountingRefresh ebbd asks slurmdbd, as its own user, for the jobs that ended
// since the last time (the first time: the last AccountingDays days):
//   sacct -X -P -n --allusers --state=CD,F,TO,OOM,NF -S now-<seconds> -E now
//         --format=JobIDRaw,User,JobName,Account,Partition,AllocCPUS,TimelimitRaw,ElapsedRaw,End
// with SLURM_TIME_FORMAT=%s, so that End is in epoch seconds whatever the time zone.
// sacct's parsable form, not --json: for a million jobs it is about a hundred times
// smaller, and ebbd needs nine fields. Each job teaches the predictor
// (ebb/runtime_predictor.hpp); the model is kept in CacheDir/runtime.model, mode 0600
// (it names users and jobs), and read back at start.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "ebb/runtime_predictor.hpp"
#include "ebb/time.hpp"

namespace ebb::daemon {

struct LearnerSettings {
  std::string sacct_command = "sacct";
  Duration refresh = minutes(5);  // AccountingRefresh; 0: ebbd does not learn
  int first_days = 60;            // AccountingDays: how far back the first read goes
  std::chrono::milliseconds timeout{60000};
  std::string model_path;  // empty: not kept on disk
};

// One line of the sacct answer above, as learned. Throws InputError naming `where` and the
// field when the line is malformed; nullopt for a job that teaches nothing (no time
// limit, never ran).
struct AccountedJob {
  std::string id;
  JobTraits traits;
  Duration runtime{0};
  TimePoint end;
};
std::optional<AccountedJob> parse_sacct_line(std::string_view line, const std::string& where);

class RuntimeLearner {
 public:
  explicit RuntimeLearner(LearnerSettings settings);

  // Reads what ended since the last refresh and learns it; saves the model when it
  // changed. Returns the jobs learned. Throws std::runtime_error (sacct missing, failing
  // or too slow) or InputError (an answer it cannot read) with a message naming sacct.
  std::size_t refresh(TimePoint now);
  // Learns from sacct's parsable text (what refresh() does with sacct's answer).
  std::size_t learn_text(std::string_view text, const std::string& source);

  RuntimePrediction predict(const JobTraits& job) const;
  std::size_t groups() const;

 private:
  LearnerSettings settings_;
  mutable std::mutex mutex_;
  RuntimePredictor predictor_;
  std::optional<TimePoint> last_read_;
  // Jobs already learned that a later, overlapping read shows again (a job that ended
  // in the second before a refresh): ids with their end, forgotten after a day.
  std::set<std::pair<std::int64_t, std::string>> seen_;
};

}  // namespace ebb::daemon
