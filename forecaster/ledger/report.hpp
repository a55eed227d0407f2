// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb report`: ledger entries summed by account, user, partition, month or job, written
// as a table for people, CSV for spreadsheets or JSON for programs.
//
// A saving is counted only for jobs whose whole run, and whole as-submitted run, has
// recorded grid data; the others are counted in no_grid_data (their kWh still count),
// never as zero. Money likewise with prices. Group rows add up to the total row.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "ledger.hpp"

namespace ebb::ledger {

enum class GroupBy { account, user, partition, month, job };
GroupBy parse_group_by(const std::string& text);  // throws InputError
const char* to_string(GroupBy by);

struct Totals {
  std::size_t jobs = 0;  // planned by ebb (never-started ones included)
  std::size_t deferred = 0;
  std::size_t never_started = 0;
  std::size_t energy_estimated = 0;  // kWh from the power model, not measured
  std::size_t no_grid_data = 0;      // carbon not counted: an hour without actuals
  std::size_t no_price_data = 0;     // money not counted: an hour without a price
  double kwh = 0;
  double kgco2 = 0, kgco2_as_submitted = 0, planned_kgco2_saved = 0;
  double cost = 0, cost_as_submitted = 0;
  double added_wait_seconds = 0;  // summed over jobs that ran
  std::size_t ran = 0;

  void add(const LedgerEntry& e);
  void add(const Totals& t);
  double kgco2_saved() const { return kgco2_as_submitted - kgco2; }
  double cost_saved() const { return cost_as_submitted - cost; }
  double mean_added_wait_seconds() const {
    return ran ? added_wait_seconds / static_cast<double>(ran) : 0;
  }
};

// What the HTML report's plots need of each job that ran: 32 bytes, so that a million
// jobs cost 32 MB where their ledger entries would cost most of a gigabyte.
struct JobPoint {
  TimePoint start;
  double kgco2_saved = 0, cost_saved = 0;
  bool deferred = false, carbon_known = false, price_known = false;
};

struct Report {
  TimePoint from, to;
  GroupBy by = GroupBy::account;
  std::string currency;
  struct Group {
    std::string key;
    Totals totals;
    const LedgerEntry* entry = nullptr;  // the job, when grouped by job
  };
  std::vector<Group> groups;  // sorted by key
  Totals total;
  std::size_t not_planned = 0;               // jobs in the period without an ebb record
  std::size_t bad_records = 0;               // jobs whose ebb record could not be read: skipped
  std::vector<std::string> bad_record_jobs;  // "123: plan record: bad value for key 'p'"
  std::vector<Group> by_account;             // the same jobs by account (for the plots)
  std::vector<JobPoint> points;              // every job that ran, in start order
  std::deque<LedgerEntry> job_entries;       // kept only when grouping by job
};

// Sums ledger entries one at a time, keeping each only when grouping by job, so that a
// report over a million jobs needs little memory. The currency is the plans' (the first
// that names one), else `currency`.
class ReportBuilder {
 public:
  ReportBuilder(GroupBy by, TimePoint from, TimePoint to, std::string currency);
  void add(LedgerEntry&& e);
  Report finish() &&;

 private:
  struct Sums {
    Totals totals;
    const LedgerEntry* entry = nullptr;
  };
  Report r_;
  std::map<std::string, Sums> groups_;
  std::map<std::string, Totals> accounts_;
  bool plan_currency_ = false;
};

// All of `entries` through a ReportBuilder.
Report build_report(const std::vector<LedgerEntry>& entries, GroupBy by, TimePoint from,
                    TimePoint to, const std::string& currency);

// One column of every format: its CSV/JSON name, a title for people, its value.
struct Column {
  const char* name;
  const char* label;
  std::string (*value)(const Totals&);
};
std::span<const Column> columns();

std::string format_table(const Report& r);
std::string format_csv(const Report& r);
std::string format_json(const Report& r);

}  // namespace ebb::ledger
