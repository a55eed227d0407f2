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
//
// In the same window it reads the energy Slurm measured (power_history.hpp) and fits each
// partition's power (ebb/power_fit.hpp) from the last kPowerJobsKept measured jobs of the
// partition; plans then use the fit instead of the configured W per core, GPU and node.
// These jobs are kept in memory only: the first energy read after a restart reaches back
// AccountingDays again. The runtime reads do not: the time of the last read and the jobs
// seen in its overlap are kept beside the model (<model>.read), so that a restart does not
// teach the model the same jobs twice.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ebb/power_fit.hpp"
#include "ebb/runtime_predictor.hpp"
#include "ebb/sacct_json.hpp"
#include "ebb/time.hpp"

namespace ebb::daemon {

struct LearnerSettings {
  std::string sacct_command = "sacct";
  Duration refresh = minutes(5);  // AccountingRefresh; 0: ebbd does not learn
  int first_days = 60;            // AccountingDays: how far back the first read goes
  std::chrono::milliseconds timeout{60000};
  std::string model_path;  // empty: not kept on disk
};

// One line of the sacct answer above, as the accounting record `ebb report` reads from
// sacct's JSON (id, user, name, account, first partition, cores, limit, elapsed, start and
// end). Throws InputError naming `where` and the field when the line is malformed;
// nullopt for a job that teaches nothing (no time limit, never ran).
std::optional<AccountedJob> parse_sacct_line(std::string_view line, const std::string& where);
// What the predictor groups a finished job by.
JobTraits traits_of(const AccountedJob& job);

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

  // Learns measured energy from sacct's parsable text (what refresh() does with the
  // answer to its energy query); returns the measured jobs new to it.
  std::size_t learn_energy_text(std::string_view text, const std::string& source);
  // The partition's calibrated power, when it has kMinPowerJobs measured jobs.
  std::optional<PowerFit> power_fit(const std::string& partition) const;
  std::vector<PowerFit> power_fits() const;
  // Why the last energy read failed (empty when it did not): a site without energy
  // accounting still learns runtimes, so this is reported, not thrown.
  std::string power_error() const;

  static constexpr std::size_t kPowerJobsKept = 5000;

 private:
  LearnerSettings settings_;
  mutable std::mutex mutex_;
  RuntimePredictor predictor_;
  std::optional<TimePoint> last_read_;         // runtimes: survives restarts (<model>.read)
  std::optional<TimePoint> last_energy_read_;  // energy: in memory only, like its samples
  // Jobs already learned that a later, overlapping read shows again (a job that ended
  // in the second before a refresh): ids with their end, forgotten after a day.
  std::set<std::pair<std::int64_t, std::string>> seen_;
  // Measured jobs per partition, newest last, and the fits made from them.
  std::map<std::string, std::deque<PowerSample>> measured_;
  std::set<std::pair<std::int64_t, std::string>> measured_seen_;
  std::vector<PowerFit> fits_;
  std::string power_error_;

  void load_read_state();
  std::string read_state_text() const;  // under mutex_
};

}  // namespace ebb::daemon
