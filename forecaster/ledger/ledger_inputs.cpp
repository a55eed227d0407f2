// SPDX-License-Identifier: GPL-2.0-or-later
#include "ledger_inputs.hpp"

#include <chrono>

#include "cluster_view.hpp"
#include "ebb/error.hpp"

namespace ebb::ledger {
namespace {

constexpr std::size_t kMaxSacctBytes = std::size_t{8} << 30;

}  // namespace

// sacct's JSON for jobs active in [from, to), all users Slurm lets this user see.
std::string run_sacct_json(const std::string& command, TimePoint from, TimePoint to) {
  std::vector<std::string> argv = daemon::command_words(command);
  if (argv.empty()) throw InputError("--sacct: empty command");
  for (const char* a : {"--json", "--allusers"}) argv.emplace_back(a);
  // sacct reads -S/-E in local time.
  argv.insert(argv.end(), {"-S", format_local_slurm(from), "-E", format_local_slurm(to)});
  std::string out;
  daemon::CommandResult r;
  try {
    r = daemon::run_command(argv, std::chrono::minutes(30), kMaxSacctBytes, out);
  } catch (const std::exception& e) {
    throw InputError("cannot run sacct ('" + command + "'): " + e.what() +
                     "; is Slurm's accounting (slurmdbd) set up? See README, \"Enabling "
                     "accounting\"");
  }
  if (r.exit_code != 0) {
    std::string why = r.err.empty() ? "no message" : r.err;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    throw InputError(
        "sacct failed (" +
        (r.timed_out ? std::string("timed out") : "exit code " + std::to_string(r.exit_code)) +
        "): " + why);
  }
  return out;
}

Actuals actuals_from(const daemon::History& history) {
  return [&history](TimePoint t) -> std::optional<GridHour> {
    const daemon::History::Hour* h = history.at(t);
    if (!h) return std::nullopt;
    return GridHour{h->carbon, h->price};
  };
}

}  // namespace ebb::ledger
