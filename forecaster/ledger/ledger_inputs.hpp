// SPDX-License-Identifier: GPL-2.0-or-later
// Where the ledger's inputs come from: Slurm's accounting (sacct --json, sacct_json.hpp)
// and ebbd's recorded grid actuals (CacheDir/<Region>.history). Shared by `ebb report`
// and ebbd's savings tracker (savings_tracker.hpp).
#pragma once

#include <string>

#include "ebb/time.hpp"
#include "history.hpp"
#include "ledger.hpp"

namespace ebb::ledger {

// `<command> --json --allusers -S from -E to`: every job active in [from, to) that Slurm
// lets the caller see. Throws InputError with a message naming sacct when it cannot run,
// fails or times out.
std::string run_sacct_json(const std::string& command, TimePoint from, TimePoint to);

// The recorded hours of `history` as the ledger reads them; `history` must outlive it.
Actuals actuals_from(const daemon::History& history);

}  // namespace ebb::ledger
