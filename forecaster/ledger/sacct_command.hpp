// SPDX-License-Identifier: GPL-2.0-or-later
// Running `sacct --json` for what reads Slurm's accounting as whoever runs it (`ebb
// report`, `ebb history`, ebbd's savings tracker), and reading a saved answer instead.
// A million jobs' answer is gigabytes: sacct writes it into a nameless temporary file,
// which is then read one job at a time (for_each_sacct_job_in_file), never held whole.
#pragma once

#include <string>

#include "ebb/posix.hpp"
#include "ebb/sacct_json.hpp"
#include "ebb/time.hpp"

namespace ebb::ledger {

// sacct's JSON for jobs active in [from, to), all users Slurm lets this user see, written
// into the open file `fd`. Throws InputError naming sacct and pointing at the README when
// it cannot run or fails.
void run_sacct_to_file(const std::string& command, TimePoint from, TimePoint to, int fd);
// An open file in $TMPDIR (else /tmp) that no other process can find and that is gone
// when closed; InputError naming the folder when it cannot be made.
UniqueFd unnamed_temporary_file();
// Both, then each job of the answer to `each` (errors name "sacct --json").
void for_each_sacct_job_from_sacct(const std::string& command, TimePoint from, TimePoint to,
                                   const SacctJobSink& each, const SacctProgress& progress = {});

// A whole file; InputError naming `what` (the option) when it cannot be read.
std::string read_whole(const std::string& path, const std::string& what);

}  // namespace ebb::ledger
