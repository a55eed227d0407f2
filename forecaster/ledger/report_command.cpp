// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb report`: the savings ledger for finance teams (ledger.hpp, report.hpp).
//
// It reads Slurm's accounting with sacct, as whoever runs it: sacct applies Slurm's own
// PrivateData rules, so a user sees their own jobs and finance and admins, with their
// Slurm rights, see all (--allusers is asked for and Slurm decides). The grid's actuals
// come from ebbd's hourly history (CacheDir/<Region>.history) or --actuals.

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "budget_use.hpp"
#include "cluster_view.hpp"
#include "command_common.hpp"
#include "ebb/error.hpp"
#include "ebb/posix.hpp"
#include "history.hpp"
#include "ledger_inputs.hpp"
#include "report.hpp"
#include "report_html.hpp"
#include "sacct_command.hpp"

namespace ebb {
namespace {

// A bare date ("2026-11-01") is that day's midnight UTC: the report's months are UTC
// months. Anything else as other commands read times.
TimePoint period_bound(const std::string& text, TimePoint now, const std::string& what) {
  if (text.size() == 10 && text[4] == '-' && text[7] == '-')
    return commands::parse_user_time(text + "T00:00Z", now, what);
  return commands::parse_user_time(text, now, what);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int report_main(int argc, char** argv) {
  CLI::App app{
      "What ebb saved: each job's realised kgCO2e and money against the same job started "
      "when its user asked, from Slurm's accounting and ebbd's recorded grid data. With "
      "AccountBudget= lines in ebb.conf, the table and JSON add each budgeted account's use "
      "against its budget in every period the report covers.",
      "ebb report"};
  std::string from_text, to_text, by_text = "account", format = "table", output;
  std::string config_path = commands::kDefaultConfig, actuals_path, region, sacct = "sacct";
  std::string input;
  app.add_option("--from", from_text, "start of the period (e.g. 2026-11-01)")->required();
  app.add_option("--to", to_text, "end of the period, exclusive (e.g. 2026-12-01)")->required();
  app.add_option("--by", by_text, "account, user, partition, month or job")->capture_default_str();
  app.add_option("--format", format,
                 "table, csv, json or html (one self-contained page with plots; use -o)")
      ->capture_default_str();
  app.add_option("-o,--output", output, "write to this file instead of standard output");
  auto* config_opt = app.add_option("-c,--config", config_path, "ebb.conf")->capture_default_str();
  app.add_option("--actuals", actuals_path,
                 "ebbd's history file (default: CacheDir/<Region>.history from ebb.conf)");
  app.add_option("-r,--region", region, "the region whose history to read (default: Region=)");
  app.add_option("--sacct", sacct, "the sacct command")->capture_default_str();
  app.add_option("--sacct-json", input, "read this saved `sacct --json` answer instead");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    const auto t0 = std::chrono::steady_clock::now();
    const TimePoint now = now_utc();
    const TimePoint from = period_bound(from_text, now, "--from");
    const TimePoint to = period_bound(to_text, now, "--to");
    if (to <= from) throw InputError("--to must be after --from");
    const ledger::GroupBy by = ledger::parse_group_by(by_text);
    if (format != "table" && format != "csv" && format != "json" && format != "html")
      throw InputError("--format: '" + format + "' is not one of table, csv, json, html");
    const Config config = commands::load_config_for_command(config_path, config_opt->count() > 0);

    if (actuals_path.empty()) {
      const std::string r = region.empty() ? config.region : region;
      if (r.empty())
        throw InputError("no region: give --region or --actuals, or set Region= in " + config_path);
      actuals_path = commands::cache_dir_of(config) + "/" + r + ".history";
    }
    const daemon::History history =
        daemon::History::parse(ledger::read_whole(actuals_path, "--actuals"), actuals_path);

    // Runs reach past the period (and as-submitted runs before it): a margin of 62 days.
    const ledger::Actuals actuals =
        ledger::actuals_from(history, from - hours(24 * 62), to + hours(24 * 62));
    ledger::ReportBuilder builder(by, from, to, config.currency);
    std::size_t seen = 0, in_period = 0;
    std::vector<ledger::LedgerEntry> budgeted;
    auto take = [&](AccountedJob&& job) {
      ++seen;
      // A job belongs to the period it started in (or was submitted in, if it never
      // started), so that monthly reports add up to the year's.
      const TimePoint when = job.start.value_or(job.submit);
      if (when < from || when >= to) return;
      ++in_period;
      ledger::LedgerEntry entry = ledger::ledger_entry(std::move(job), config, actuals, now);
      // Budgets need their accounts' jobs by period; only those are kept.
      if (config.budgets.count(entry.job.account)) budgeted.push_back(entry);
      builder.add(std::move(entry));
    };
    // Progress once the report has taken a second, at most every second.
    double last_note = 1.0;
    auto progress = [&](std::size_t bytes) {
      if (seconds_since(t0) < last_note) return;
      last_note = seconds_since(t0) + 1.0;
      std::fprintf(stderr, "ebb report: %zu jobs read (%.0f MB) in %.1f s\n", seen,
                   static_cast<double>(bytes) / 1e6, seconds_since(t0));
    };
    if (input.empty()) {
      // sacct writes its answer into a nameless file in $TMPDIR (a million jobs' answer
      // is gigabytes), which is then read like --sacct-json's.
      const UniqueFd answer = ledger::unnamed_temporary_file();
      ledger::run_sacct_to_file(sacct, from, to, answer.get());
      if (seconds_since(t0) > 1.0)
        std::fprintf(stderr, "ebb report: sacct answered in %.1f s\n", seconds_since(t0));
      for_each_sacct_job_in_file("/proc/self/fd/" + std::to_string(answer.get()), take, progress,
                                 "sacct --json");
    } else {
      // Streamed from the file: a million jobs' answer is read in little memory.
      for_each_sacct_job_in_file(input, take, progress);
    }
    const ledger::Report report = std::move(builder).finish();
    std::string text = format == "csv"    ? ledger::format_csv(report)
                       : format == "json" ? ledger::format_json(report)
                       : format == "html" ? ledger::format_html(report, actuals)
                                          : ledger::format_table(report);
    // Use against the AccountBudget lines of ebb.conf (budget_use.hpp); CSV and HTML stay
    // the report alone.
    const auto budgets = ledger::budget_rows(budgeted, config, from, to);
    if (format == "table") text += ledger::format_budget_table(budgets, report.currency);
    if (format == "json" && !budgets.empty()) {
      nlohmann::json j = nlohmann::json::parse(text);
      j["budgets"] = nlohmann::json::parse(ledger::format_budget_json(budgets));
      text = j.dump(2) + "\n";
    }
    if (output.empty()) {
      std::fwrite(text.data(), 1, text.size(), stdout);
    } else {
      std::ofstream out(output, std::ios::trunc);
      out << text;
      if (!out) throw InputError("-o: cannot write " + output);
    }
    if (seconds_since(t0) > 1.0)
      std::fprintf(stderr, "ebb report: %zu jobs in %.1f s\n", in_period, seconds_since(t0));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ebb report: %s\n", e.what());
    return 1;
  }
}

}  // namespace ebb
