// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb replay`: what would ebb have saved on a real job trace against real grid data?
//
//     ebb replay --trace jobs.sacct --grid grid.csv --zone DE --cores 512
//
// Replays the trace on a cluster queued like Slurm's backfill, plans each job with
// ebb's planner (and reference policies: no shifting, per-job best window, the
// perfect-information optimum), and scores every policy against the actual series.
// `ebb replay --help` lists the options; the README's "What would ebb save on my
// cluster?" walks through one run.
#pragma once

namespace ebb {

// The whole subcommand: parses argv (argv[0] is the program or subcommand name), runs,
// prints. Returns the process exit code: 0 ok, 1 bad input, 2 bad usage.
int replay_main(int argc, char** argv);

}  // namespace ebb
