// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb`: the command line tool. Each subcommand lives in its own file (or library)
// and takes the remaining arguments; this file only dispatches.
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.hpp"
#include "ebb/replay.hpp"
#include "subcommands.hpp"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* summary;
};

const Command kCommands[] = {
    {"forecast", ebb::forecast_main, "show a region's carbon and price forecast (from ebbd)"},
    {"plan", ebb::plan_main, "show what ebb would decide for a described job, without Slurm"},
    {"queue", ebb::queue_main,
     "show each partition's committed load and ebb's deferred jobs next to the forecast"},
    {"why", ebb::why_main, "explain why a pending job waits (its ebb plan, deadline, saving)"},
    {"report", ebb::report_main,
     "what ebb saved: realised kgCO2e and money per account, user, month"},
    {"history", ebb::history_main,
     "each partition's power fitted to the energy Slurm measured, and the fit's error"},
    {"replay", ebb::replay_main, "replay a job trace against grid data: what would ebb save?"},
    {"check-config", ebb::check_config_main,
     "check an ebb.conf as the plugin and ebbd read it, and say what each line does"},
    {"demo-forecast", ebb::demo_forecast_main,
     "map a recorded forecast file onto the present (whole weeks), for demos and tests"},
};

int usage(FILE* out) {
  std::fprintf(out,
               "usage: ebb <command> [options]\n\n"
               "Carbon- and price-aware job scheduling for Slurm.\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-14s %s\n", c.name, c.summary);
  std::fprintf(out, "\n'ebb <command> --help' explains each command.\n");
  return out == stdout ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage(stderr);
  const std::string cmd = argv[1];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") return usage(stdout);
  if (cmd == "--version" || cmd == "version") {
    std::printf("ebb %s\n", EBB_VERSION);
    return 0;
  }
  for (const Command& c : kCommands) {
    if (cmd == c.name) {
      // The subcommand sees "ebb <command>" as its program name.
      std::string prog = std::string("ebb ") + c.name;
      argv[1] = prog.data();
      return c.run(argc - 1, argv + 1);
    }
  }
  std::fprintf(stderr, "ebb: unknown command '%s'\n\n", cmd.c_str());
  return usage(stderr);
}
