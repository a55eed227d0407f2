// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb why JOBID`: tells a user why their pending job waits (job_explanation.hpp).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "cluster_view.hpp"
#include "ebb/error.hpp"
#include "job_explanation.hpp"
#include "subcommands.hpp"

namespace ebb {
namespace {

constexpr int kExitHeld = 0;
constexpr int kExitError = 1;
constexpr int kExitNotFound = 3;
constexpr int kExitNotHeld = 4;

constexpr const char* kExitCodes =
    "Exit status: 0 the job is held by ebb (waiting for the start ebb planned); 4 the job "
    "exists but ebb does not hold it (no ebb plan, not deferred, begin time changed by hand, "
    "hold over, or already started); 3 no such job in squeue; 1 squeue failed or its answer "
    "could not be read; other values: bad arguments.";

// squeue's answer on a large cluster is tens of MB; it must not hang a user's terminal.
constexpr std::chrono::milliseconds kSqueueLimit{30'000};
constexpr std::size_t kMaxSqueueOutput = std::size_t{1} << 30;

std::string run_squeue(const std::string& configured) {
  std::vector<std::string> argv = daemon::command_words(configured);
  argv.push_back("--json");
  std::string name;
  for (const std::string& a : argv) name += (name.empty() ? "" : " ") + a;
  std::string out;
  const daemon::CommandResult r = daemon::run_command(argv, kSqueueLimit, kMaxSqueueOutput, out);
  if (r.exit_code != 0) {
    const std::string err = r.err.substr(0, r.err.find('\n'));
    throw std::runtime_error(name +
                             (r.timed_out ? " did not finish in time"
                              : r.exit_code < 0
                                  ? " was killed"
                                  : " exited with status " + std::to_string(r.exit_code)) +
                             (err.empty() ? "" : ": " + err));
  }
  return out;
}

}  // namespace

int why_main(int argc, char** argv) {
  CLI::App app{
      "Explain why a pending job waits: the start ebb planned for it, its deadline, the "
      "expected saving and any re-planning by ebbd, read from the plan record in the job's "
      "AdminComment (squeue --json).",
      "ebb why"};
  app.footer(kExitCodes);
  std::string id, squeue = "squeue";
  bool json = false;
  app.add_option("JOBID", id, "the job's id")->required()->check([](const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos
               ? std::string()
               : std::string("a job id is a number");
  });
  app.add_option("--squeue", squeue, "the squeue command to run (--json is added)")
      ->capture_default_str();
  app.add_flag("--json", json, "print JSON for scripts");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    const std::string answer = run_squeue(squeue);
    const auto job = why::find_squeue_job(answer, id, squeue + " --json");
    const why::Explanation e = why::explain(job, id, now_utc());
    if (json)
      std::cout << why::to_json(e, job).dump(2) << "\n";
    else
      std::cout << e.text << "\n";
    if (e.status == why::Status::not_found) return kExitNotFound;
    return e.status == why::Status::held ? kExitHeld : kExitNotHeld;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ebb why: %s\n", e.what());
    return kExitError;
  }
}

}  // namespace ebb
