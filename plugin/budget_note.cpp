// SPDX-License-Identifier: GPL-2.0-or-later
#include "budget_note.hpp"

#include <exception>

#include "ebb/budget.hpp"
#include "ebb/daemon_client.hpp"
#include "ebb/input.hpp"
#include "core_api.h"

namespace ebb::plugin {
namespace {

// ebbd writes a few lines per account and user; a larger file is not its.
constexpr std::size_t kMaxBudgetFileBytes = std::size_t{4} << 20;

std::string budget_file_path(const Config& config) {
  auto it = config.daemon.find("cachedir");
  std::string dir = it == config.daemon.end() ? kDefaultCacheDir : it->second;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + "/" + kBudgetFileName;
}

}  // namespace

std::optional<BudgetNote> budget_note(const Config& config, const JobRequest& job, TimePoint now) {
  if (config.budgets.empty()) return std::nullopt;
  try {
    const std::string path = budget_file_path(config);
    const BudgetFile file =
        parse_budget_file(read_bounded_file(path, kMaxBudgetFileBytes, "budgets file"), path);
    std::string account = job.account;
    if (account.empty()) {
      auto it = file.default_accounts.find(job.user);
      if (it == file.default_accounts.end()) return std::nullopt;
      account = it->second;
    }
    auto budget = config.budgets.find(account);
    if (budget == config.budgets.end()) return std::nullopt;
    if (now - file.as_of > kMaxBudgetAge || file.as_of - now > hours(1)) {
      slurm_verbose("ebb: %s is from %s: budget use unknown", path.c_str(),
                    format_utc(file.as_of).c_str());
      return std::nullopt;
    }
    const BudgetWindow window = budget_window(budget->second.period, now);
    auto use = file.use.find(account);
    if (use == file.use.end() || use->second.from != window.from) {
      slurm_verbose("ebb: %s has no use for account %s this %s", path.c_str(),
                    printable_excerpt(account).c_str(), to_string(budget->second.period));
      return std::nullopt;
    }
    const BudgetStanding standing = budget_standing(budget->second, use->second);
    BudgetNote note;
    note.account = account;
    note.over = standing.percent >= 100;
    if (standing.percent >= config.budget_warn_percent)
      note.line = budget_line(account, standing, window.name);
    return note;
  } catch (const std::exception& e) {
    slurm_verbose("ebb: budget use unknown: %s", printable_excerpt(e.what()).c_str());
    return std::nullopt;
  }
}

}  // namespace ebb::plugin
