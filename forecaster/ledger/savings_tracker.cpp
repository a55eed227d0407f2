// SPDX-License-Identifier: GPL-2.0-or-later
#include "savings_tracker.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "budget_use.hpp"
#include "cache.hpp"
#include "cluster_view.hpp"
#include "ebb/error.hpp"
#include "ebb/input.hpp"
#include "ebb/number_text.hpp"
#include "ebb/record_file.hpp"
#include "history.hpp"
#include "ledger_inputs.hpp"
#include "sacct_command.hpp"

namespace ebb::ledger {
namespace {

constexpr const char* kStateFile = "savings.state";

// Account names go into a space-separated file: Slurm's never hold spaces, but a
// corrupt record must not break the file.
std::string token(std::string s) {
  std::replace_if(
      s.begin(), s.end(), [](char c) { return c == ' ' || c == '\n'; }, '_');
  return s.empty() ? "-" : s;
}

// `sacctmgr -n -P show user format=User,DefaultAccount`: "alice|physics" lines.
std::map<std::string, std::string> default_accounts(const std::string& command) {
  std::map<std::string, std::string> out;
  std::vector<std::string> argv = daemon::command_words(command);
  if (argv.empty()) return out;
  for (const char* a : {"-n", "-P", "show", "user", "format=User,DefaultAccount"})
    argv.emplace_back(a);
  std::string text;
  try {
    const daemon::CommandResult r =
        daemon::run_command(argv, std::chrono::seconds(30), std::size_t{64} << 20, text);
    if (r.exit_code != 0) return out;
  } catch (const std::exception&) {
    return out;  // no sacctmgr here: the jobs' own accounts stand in
  }
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    const std::string_view line(text.data() + start, nl - start);
    const std::size_t bar = line.find('|');
    if (bar != std::string_view::npos && bar > 0 && bar + 1 < line.size())
      out[token(std::string(line.substr(0, bar)))] = token(std::string(line.substr(bar + 1)));
    start = nl + 1;
  }
  return out;
}

}  // namespace

std::string encode_savings_state(const SavingsState& s) {
  std::string out =
      "ebb-savings 1\nwatermark " + std::to_string(s.watermark.time_since_epoch().count()) + "\n";
  for (const auto& [account, a] : s.accounts)
    out += "account " + token(account) + " " + format_exact(a.kgco2_saved) + " " +
           format_exact(a.money_saved) + " " + format_exact(a.kgco2_planned) + " " +
           format_exact(a.money_planned) + " " + std::to_string(a.jobs) + "\n";
  return out;
}

SavingsState parse_savings_state(std::string_view text, const std::string& source) {
  SavingsState s;
  bool watermark = false;
  auto record = [&](const std::vector<std::string_view>& w, const std::string& where,
                    std::string_view line) {
    if (w[0] == "watermark" && w.size() == 2) {
      s.watermark = TimePoint{Duration{parse_integer(w[1], where)}};
      watermark = true;
    } else if (w[0] == "account" && w.size() == 7) {
      daemon::AccountSavings a;
      a.kgco2_saved = parse_number(w[2], where);
      a.money_saved = parse_number(w[3], where);
      a.kgco2_planned = parse_number(w[4], where);
      a.money_planned = parse_number(w[5], where);
      a.jobs = parse_integer(w[6], where);
      s.accounts[std::string(w[1])] = a;
    } else {
      throw InputError(where + ": unexpected line " + in_quotes(line));
    }
  };
  const bool header =
      for_each_record_line(text, source, "ebb-savings", "1", "an ebb savings state", record);
  if (!header || !watermark) throw InputError(source + ": incomplete savings state");
  return s;
}

SavingsTracker::SavingsTracker(Config config, TrackerSettings settings, TimePoint now)
    : config_(std::move(config)), settings_(std::move(settings)) {
  const std::string path = settings_.cache_dir + "/" + kStateFile;
  if (auto text = daemon::read_file_if_present(path)) {
    state_ = parse_savings_state(*text, path);
  } else {
    // First start: count from the start of this UTC month.
    state_.watermark = budget_window(BudgetPeriod::month, now).from;
  }
}

TimePoint SavingsTracker::read_from(TimePoint now) const {
  TimePoint from = state_.watermark;
  for (const auto& [account, b] : config_.budgets)
    from = std::min(from, budget_window(b.period, now).from);
  return from;
}

BudgetFile SavingsTracker::count(const std::function<void(const SacctJobSink&)>& read_jobs,
                                 const Actuals& actuals, TimePoint now) {
  // Savings: jobs that finished in [watermark, now - kSettle), each once. Only this task
  // moves the watermark, so it can be read once and the sums added when the read is whole.
  TimePoint watermark;
  {
    std::lock_guard lock(mutex_);
    watermark = state_.watermark;
  }
  const TimePoint until = std::max(watermark, now - kSettle);
  std::map<std::string, daemon::AccountSavings> added;
  // Budgets need their accounts' jobs by period; only those are kept. Users' accounts by
  // their latest job, for the plugin when a job gives no --account.
  std::vector<LedgerEntry> budgeted;
  std::map<std::string, std::pair<TimePoint, std::string>> latest;
  read_jobs([&](AccountedJob&& job) {
    LedgerEntry e = ledger_entry(std::move(job), config_, actuals, now);
    if (e.status == JobStatus::counted && e.job.end && *e.job.end >= watermark &&
        *e.job.end < until) {
      daemon::AccountSavings& a = added[token(e.job.account)];
      ++a.jobs;
      if (e.carbon_known()) {
        a.kgco2_saved += e.as_submitted.kgco2 - e.realised.kgco2;
        a.kgco2_planned += e.planned_kgco2_saved;
      }
      if (e.price_known()) a.money_saved += e.as_submitted.cost - e.realised.cost;
      if (e.plan && !std::isnan(e.plan->price_asked) && !std::isnan(e.plan->price_planned))
        a.money_planned += e.plan->kwh * (e.plan->price_asked - e.plan->price_planned) / 1000.0;
    }
    if (!e.job.user.empty() && !e.job.account.empty()) {
      auto [it, fresh] = latest.emplace(e.job.user, std::pair{e.job.submit, e.job.account});
      if (!fresh && e.job.submit >= it->second.first) it->second = {e.job.submit, e.job.account};
    }
    if (config_.budgets.count(e.job.account)) budgeted.push_back(std::move(e));
  });

  std::lock_guard lock(mutex_);
  for (const auto& [account, a] : added) {
    daemon::AccountSavings& total = state_.accounts[account];
    total.jobs += a.jobs;
    total.kgco2_saved += a.kgco2_saved;
    total.kgco2_planned += a.kgco2_planned;
    total.money_saved += a.money_saved;
    total.money_planned += a.money_planned;
  }
  state_.watermark = until;

  // Budgets: each budgeted account's use in its current period.
  BudgetFile file;
  file.as_of = now;
  gauges_.clear();
  for (const auto& [account, b] : config_.budgets) {
    const BudgetWindow w = budget_window(b.period, now);
    const BudgetUse use = budget_use(account_totals(budgeted, account, w.from, w.to), w.from, w.to);
    file.use[token(account)] = use;
    const BudgetStanding s = budget_standing(b, use);
    gauges_[account] = {s.percent, s.quantity};
  }
  for (const auto& [user, when_account] : latest)
    file.default_accounts[token(user)] = token(when_account.second);
  return file;
}

void SavingsTracker::refresh(TimePoint now) {
  TimePoint from;
  {
    std::lock_guard lock(mutex_);
    from = read_from(now);
  }
  const std::string history_path = settings_.cache_dir + "/" + settings_.region + ".history";
  daemon::History history;
  if (auto text = daemon::read_file_if_present(history_path))
    history = daemon::History::parse(*text, history_path);
  BudgetFile file = count(
      [&](const SacctJobSink& each) {
        for_each_sacct_job_from_sacct(settings_.sacct_command, from, now, each);
      },
      actuals_from(history), now);
  if (!config_.budgets.empty()) {
    for (auto& [user, account] : default_accounts(settings_.sacctmgr_command))
      file.default_accounts[user] = account;
  }
  std::string state;
  {
    std::lock_guard lock(mutex_);
    state = encode_savings_state(state_);
  }
  daemon::write_file_atomically(settings_.cache_dir + "/" + kStateFile, state, 0644);
  if (!config_.budgets.empty())
    daemon::write_file_atomically(settings_.cache_dir + "/" + kBudgetFileName,
                                  encode_budget_file(file), 0644);
}

std::map<std::string, daemon::AccountSavings> SavingsTracker::savings() const {
  std::lock_guard lock(mutex_);
  return state_.accounts;
}

std::map<std::string, daemon::BudgetGauge> SavingsTracker::budget_gauges() const {
  std::lock_guard lock(mutex_);
  return gauges_;
}

}  // namespace ebb::ledger
