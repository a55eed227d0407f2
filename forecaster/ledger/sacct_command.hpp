// SPDX-License-Identifier: GPL-2.0-or-later
// Running `sacct --json` for the commands that read Slurm's accounting as whoever runs
// them (`ebb report`, `ebb history`), and reading a saved answer instead.
#pragma once

#include <string>

#include "ebb/time.hpp"

namespace ebb::ledger {

// sacct's JSON for jobs active in [from, to), all users Slurm lets this user see. Throws
// InputError naming sacct and pointing at the README when it cannot run or fails.
std::string run_sacct(const std::string& command, TimePoint from, TimePoint to);
// The same answer written into the open file `fd` instead (sacct writes it; a million
// jobs' answer is gigabytes), for reading back with for_each_sacct_job_in_file.
void run_sacct_to_file(const std::string& command, TimePoint from, TimePoint to, int fd);

// A whole file; InputError naming `what` (the option) when it cannot be read.
std::string read_whole(const std::string& path, const std::string& what);

}  // namespace ebb::ledger
