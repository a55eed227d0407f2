// SPDX-License-Identifier: GPL-2.0-or-later
// Where the ledger's inputs come from: Slurm's accounting (sacct --json: sacct_command.hpp)
// and ebbd's recorded grid actuals (CacheDir/<Region>.history). Shared by `ebb report`
// and ebbd's savings tracker (savings_tracker.hpp).
#pragma once

#include <string>

#include "ebb/time.hpp"
#include "history.hpp"
#include "ledger.hpp"

namespace ebb::ledger {

// The recorded hours of `history` as the ledger reads them; `history` must outlive it.
Actuals actuals_from(const daemon::History& history);
// The same with the hours from `from` to `to` copied into an array, so that each hour of
// each job costs an index rather than a search (a million jobs touch tens of millions of
// hours); hours outside it are looked up.
Actuals actuals_from(const daemon::History& history, TimePoint from, TimePoint to);

}  // namespace ebb::ledger
