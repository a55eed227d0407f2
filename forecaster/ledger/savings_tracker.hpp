// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd's running view of the ledger: every AccountingRefresh it
// reads Slurm's accounting (sacct --json, as `ebb report` does) and its own recorded grid
// actuals, and
//   - counts, once, each job ebb planned that finished since the last round: realised and
//     planned kgCO2e and money saved, by account. These are Prometheus counters; they are
//     kept in CacheDir/savings.state (mode 0644: totals by account, no job names), so a
//     restart continues them. A job is counted when its end is older than kSettle (slurmdbd
//     may record an end a little late); the first round counts from the start of the
//     current UTC month.
//   - sums each budgeted account's use in its current period (budget_use.hpp) and writes
//     CacheDir/budgets (ebb/budget.hpp) for the plugin's sbatch line, with each user's
//     default account (sacctmgr, else the account of their latest job).
// Actuals come from the history of Region= (else the only region): one region per site.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ebb/budget.hpp"
#include "ebb/config.hpp"
#include "ebb/sacct_json.hpp"
#include "ledger.hpp"
#include "metrics.hpp"

namespace ebb::ledger {

inline constexpr Duration kSettle = minutes(2);

struct SavingsState {
  TimePoint watermark;  // jobs that ended before this have been counted
  std::map<std::string, daemon::AccountSavings> accounts;
};
std::string encode_savings_state(const SavingsState& s);
// Throws InputError naming `source` and the line.
SavingsState parse_savings_state(std::string_view text, const std::string& source);

struct TrackerSettings {
  std::string sacct_command = "sacct";
  std::string sacctmgr_command = "sacctmgr";
  std::string cache_dir;
  std::string region;  // whose CacheDir/<region>.history gives the actuals
};

class SavingsTracker {
 public:
  // Reads CacheDir/savings.state when there is one (else counts from the start of the
  // month of `now`); throws InputError when it is corrupt.
  SavingsTracker(Config config, TrackerSettings settings, TimePoint now);

  // One round, as described above. Throws (with a message naming sacct or the file) when
  // the accounting cannot be read (nothing is counted then) or a file cannot be written
  // (the counts stand in memory; the file on disk keeps the last consistent state).
  void refresh(TimePoint now);
  // What refresh() does once it has the actuals: `read_jobs` hands each job of the
  // accounting to its sink, one at a time (a month's answer on a large site is
  // gigabytes, so it is never held whole); nothing is counted when it throws. Returns the
  // budgets file it would write.
  BudgetFile count(const std::function<void(const SacctJobSink&)>& read_jobs,
                   const Actuals& actuals, TimePoint now);

  std::map<std::string, daemon::AccountSavings> savings() const;
  std::map<std::string, daemon::BudgetGauge> budget_gauges() const;
  const std::string& currency() const { return config_.currency; }

 private:
  TimePoint read_from(TimePoint now) const;

  Config config_;
  TrackerSettings settings_;
  mutable std::mutex mutex_;
  SavingsState state_;
  std::map<std::string, daemon::BudgetGauge> gauges_;
};

}  // namespace ebb::ledger
