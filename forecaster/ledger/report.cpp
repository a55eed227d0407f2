// SPDX-License-Identifier: GPL-2.0-or-later
#include "report.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "ebb/error.hpp"
#include "ebb/number_text.hpp"
#include "ebb/strings.hpp"

namespace ebb::ledger {
namespace {

std::string month_of(TimePoint t) {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  const unsigned m = static_cast<unsigned>(ymd.month());
  return std::to_string(static_cast<int>(ymd.year())) + (m < 10 ? "-0" : "-") + std::to_string(m);
}

std::string key_of(const LedgerEntry& e, GroupBy by) {
  switch (by) {
    case GroupBy::account:
      return e.job.account;
    case GroupBy::user:
      return e.job.user;
    case GroupBy::partition:
      return e.job.partition;
    case GroupBy::month:
      return month_of(e.job.start.value_or(e.job.submit));
    case GroupBy::job:
      return e.job.id;
  }
  return "";
}

nlohmann::json totals_json(const Totals& t) {
  nlohmann::json j;
  for (const Column& c : columns()) j[c.name] = nlohmann::json::parse(c.value(t));
  // Unrounded values too, so that programs can check sums exactly.
  j["exact"] = {{"kwh", t.kwh},
                {"kgco2", t.kgco2},
                {"kgco2_as_submitted", t.kgco2_as_submitted},
                {"cost", t.cost},
                {"cost_as_submitted", t.cost_as_submitted}};
  return j;
}

}  // namespace

std::span<const Column> columns() {
  // The list, in order; units for people in `label`.
  static const Column kColumns[] = {
      {"jobs", "Jobs", [](const Totals& t) { return std::to_string(t.jobs); }},
      {"deferred", "Deferred", [](const Totals& t) { return std::to_string(t.deferred); }},
      {"kwh", "Energy (kWh)", [](const Totals& t) { return format_fixed(t.kwh, 3); }},
      {"kgco2", "kgCO2e realised", [](const Totals& t) { return format_fixed(t.kgco2, 3); }},
      {"kgco2_as_submitted", "kgCO2e as submitted",
       [](const Totals& t) { return format_fixed(t.kgco2_as_submitted, 3); }},
      {"kgco2_saved", "kgCO2e saved",
       [](const Totals& t) { return format_fixed(t.kgco2_saved(), 3); }},
      {"planned_kgco2_saved", "kgCO2e saved as planned",
       [](const Totals& t) { return format_fixed(t.planned_kgco2_saved, 3); }},
      {"cost", "Cost realised", [](const Totals& t) { return format_fixed(t.cost, 2); }},
      {"cost_as_submitted", "Cost as submitted",
       [](const Totals& t) { return format_fixed(t.cost_as_submitted, 2); }},
      {"cost_saved", "Cost saved", [](const Totals& t) { return format_fixed(t.cost_saved(), 2); }},
      {"mean_added_wait_h", "Mean added wait (h)",
       [](const Totals& t) { return format_fixed(t.mean_added_wait_seconds() / 3600.0, 2); }},
      {"energy_estimated", "Energy estimated (jobs)",
       [](const Totals& t) { return std::to_string(t.energy_estimated); }},
      {"no_grid_data", "No grid data (jobs)",
       [](const Totals& t) { return std::to_string(t.no_grid_data); }},
      {"never_started", "Never started (jobs)",
       [](const Totals& t) { return std::to_string(t.never_started); }},
  };
  return kColumns;
}

GroupBy parse_group_by(const std::string& text) {
  for (GroupBy by :
       {GroupBy::account, GroupBy::user, GroupBy::partition, GroupBy::month, GroupBy::job}) {
    if (text == to_string(by)) return by;
  }
  throw InputError("--by: '" + text + "' is not one of account, user, partition, month, job");
}

const char* to_string(GroupBy by) {
  switch (by) {
    case GroupBy::account:
      return "account";
    case GroupBy::user:
      return "user";
    case GroupBy::partition:
      return "partition";
    case GroupBy::month:
      return "month";
    case GroupBy::job:
      return "job";
  }
  return "?";
}

void Totals::add(const LedgerEntry& e) {
  if (e.status != JobStatus::counted && e.status != JobStatus::never_started) return;
  ++jobs;
  if (e.deferred()) ++deferred;
  if (e.status == JobStatus::never_started) {
    ++never_started;
    return;
  }
  ++ran;
  added_wait_seconds += static_cast<double>(e.added_wait.count());
  kwh += e.kwh;
  if (e.energy_estimated) ++energy_estimated;
  if (e.carbon_known()) {
    kgco2 += e.realised.kgco2;
    kgco2_as_submitted += e.as_submitted.kgco2;
    planned_kgco2_saved += e.planned_kgco2_saved;
  } else {
    ++no_grid_data;
  }
  if (e.price_known()) {
    cost += e.realised.cost;
    cost_as_submitted += e.as_submitted.cost;
  } else {
    ++no_price_data;
  }
}

void Totals::add(const Totals& t) {
  jobs += t.jobs;
  deferred += t.deferred;
  never_started += t.never_started;
  energy_estimated += t.energy_estimated;
  no_grid_data += t.no_grid_data;
  no_price_data += t.no_price_data;
  kwh += t.kwh;
  kgco2 += t.kgco2;
  kgco2_as_submitted += t.kgco2_as_submitted;
  planned_kgco2_saved += t.planned_kgco2_saved;
  cost += t.cost;
  cost_as_submitted += t.cost_as_submitted;
  added_wait_seconds += t.added_wait_seconds;
  ran += t.ran;
}

ReportBuilder::ReportBuilder(GroupBy by, TimePoint from, TimePoint to, std::string currency) {
  r_.from = from;
  r_.to = to;
  r_.by = by;
  r_.currency = std::move(currency);
}

void ReportBuilder::add(LedgerEntry&& e) {
  if (e.status == JobStatus::not_planned) {
    ++r_.not_planned;
    return;
  }
  if (e.status == JobStatus::bad_record) {
    ++r_.bad_records;
    r_.bad_record_jobs.push_back(e.job.id + ": " + e.problem);
    return;
  }
  if (!plan_currency_ && e.plan && !e.plan->currency.empty()) {
    r_.currency = e.plan->currency;
    plan_currency_ = true;
  }
  Sums& sums = groups_[key_of(e, r_.by)];
  sums.totals.add(e);
  accounts_[e.job.account].add(e);
  if (e.status == JobStatus::counted && e.job.start)
    r_.points.push_back({*e.job.start, e.as_submitted.kgco2 - e.realised.kgco2,
                         e.as_submitted.cost - e.realised.cost, e.deferred(), e.carbon_known(),
                         e.price_known()});
  if (r_.by == GroupBy::job) {
    // A deque: the entries stay where they are as it grows, and so do the pointers.
    r_.job_entries.push_back(std::move(e));
    sums.entry = &r_.job_entries.back();
  }
}

Report ReportBuilder::finish() && {
  // Sorted by key (the maps' order); the total is the sum of the rows as shown, so that
  // they add up by construction.
  for (auto& [key, sums] : groups_) {
    r_.groups.push_back({key, sums.totals, sums.entry});
    r_.total.add(sums.totals);
  }
  for (auto& [key, totals] : accounts_) r_.by_account.push_back({key, totals, nullptr});
  std::stable_sort(r_.points.begin(), r_.points.end(),
                   [](const JobPoint& a, const JobPoint& b) { return a.start < b.start; });
  // Moving a deque keeps its elements in place: the groups' pointers stay good.
  return std::move(r_);
}

Report build_report(const std::vector<LedgerEntry>& entries, GroupBy by, TimePoint from,
                    TimePoint to, const std::string& currency) {
  ReportBuilder b(by, from, to, currency);
  for (const LedgerEntry& e : entries) b.add(LedgerEntry(e));
  return std::move(b).finish();
}

std::string format_csv(const Report& r) {
  std::string out = to_string(r.by);
  for (const Column& c : columns()) out += std::string(",") + c.name;
  if (r.by == GroupBy::job) out += ",user,account,partition,asked,start,end,status";
  out += "\n";
  auto row = [&](const std::string& key, const Totals& t, const LedgerEntry* e) {
    out += csv_field(key);
    for (const Column& c : columns()) out += "," + c.value(t);
    if (r.by == GroupBy::job) {
      if (e) {
        out += "," + csv_field(e->job.user) + "," + csv_field(e->job.account) + "," +
               csv_field(e->job.partition) + "," + (e->plan ? format_utc(e->plan->asked) : "") +
               "," + (e->job.start ? format_utc(*e->job.start) : "") + "," +
               (e->job.end ? format_utc(*e->job.end) : "") + "," + to_string(e->status);
      } else {
        out += ",,,,,,,";
      }
    }
    out += "\n";
  };
  for (const auto& g : r.groups) row(g.key, g.totals, g.entry);
  row("total", r.total, nullptr);
  return out;
}

std::string format_json(const Report& r) {
  nlohmann::json j;
  j["from"] = format_utc(r.from);
  j["to"] = format_utc(r.to);
  j["by"] = to_string(r.by);
  j["currency"] = r.currency;
  j["groups"] = nlohmann::json::array();
  for (const auto& g : r.groups) {
    nlohmann::json row = totals_json(g.totals);
    row["key"] = g.key;
    if (const LedgerEntry* e = g.entry) {
      row["user"] = e->job.user;
      row["account"] = e->job.account;
      row["partition"] = e->job.partition;
      row["status"] = to_string(e->status);
      if (e->plan) {
        row["asked"] = format_utc(e->plan->asked);
        row["planned"] = format_utc(e->plan->planned);
      }
      if (e->job.start) row["start"] = format_utc(*e->job.start);
      if (e->job.end) row["end"] = format_utc(*e->job.end);
      row["carbon_complete"] = e->carbon_known();
      row["price_complete"] = e->price_known();
      // The job's own numbers, also when its grid data is incomplete (then partial).
      row["job"] = {{"kwh", e->kwh},
                    {"kgco2", e->realised.kgco2},
                    {"kgco2_as_submitted", e->as_submitted.kgco2},
                    {"cost", e->realised.cost},
                    {"cost_as_submitted", e->as_submitted.cost},
                    {"energy_estimated", e->energy_estimated}};
    }
    j["groups"].push_back(std::move(row));
  }
  j["total"] = totals_json(r.total);
  j["not_planned"] = r.not_planned;
  j["bad_records"] = r.bad_records;
  j["bad_record_jobs"] = r.bad_record_jobs;
  return j.dump(2) + "\n";
}

std::string format_table(const Report& r) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head{to_string(r.by)};
  for (const Column& c : columns()) head.emplace_back(c.name);
  rows.push_back(head);
  auto add = [&](const std::string& key, const Totals& t) {
    std::vector<std::string> row{key};
    for (const Column& c : columns()) row.push_back(c.value(t));
    rows.push_back(std::move(row));
  };
  for (const auto& g : r.groups) add(g.key, g.totals);
  add("total", r.total);
  std::vector<std::size_t> width(head.size(), 0);
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out = "ebb savings ledger, " + format_utc(r.from) + " to " + format_utc(r.to) +
                    " (kgCO2e location-based; money in " +
                    (r.currency.empty() ? std::string("the plans' currency") : r.currency) + ")\n";
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      const std::string pad(width[i] - row[i].size(), ' ');
      out += i == 0 ? row[i] + pad : "  " + pad + row[i];
    }
    out += "\n";
  }
  out += "saved = as submitted - realised; jobs with no_grid_data are not in the kgCO2 columns.\n";
  if (r.not_planned) out += std::to_string(r.not_planned) + " jobs not planned by ebb\n";
  if (r.bad_records) {
    out += std::to_string(r.bad_records) + " jobs skipped: unreadable ebb record\n";
    for (const auto& b : r.bad_record_jobs) out += "  " + b + "\n";
  }
  return out;
}

}  // namespace ebb::ledger
