// SPDX-License-Identifier: GPL-2.0-or-later
#include "ledger_csv.hpp"

#include <charconv>
#include <cmath>

#include "ebb/error.hpp"
#include "ebb/number_text.hpp"
#include "ebb/strings.hpp"

namespace ebb::replay {
namespace {

// Shortest text that reads back as the same double, so the column sums match the
// replay's totals to rounding of the sum alone; empty for NaN (no price).
std::string exact(double v) { return std::isnan(v) ? std::string() : format_exact(v); }

}  // namespace

std::string format_ledger_csv(const ReplayResult& r) {
  const PolicyResult* ebb = r.find(PolicyKind::ebb);
  const PolicyResult* base = r.find(PolicyKind::baseline);
  if (!ebb || !base)
    throw InputError("--ledger: needs the ebb and baseline policies (--policies baseline,ebb)");
  std::string out = std::string(kLedgerHeader) + "\n";
  const std::string currency = r.has_prices ? r.currency : "";
  for (std::size_t i = 0; i < r.jobs.size(); ++i) {
    const TraceJob& j = r.jobs[i];
    const TimePoint start = ebb->start[i];
    const double wait_h = std::chrono::duration<double>(start - base->start[i]).count() / 3600.0;
    out += csv_field(j.id.empty() ? std::to_string(i + 1) : j.id) + ',' + csv_field(j.user) + ',' +
           csv_field(j.account) + ',' + csv_field(j.partition) + ',' + format_utc(j.submit) + ',' +
           format_utc(ebb->planned[i]) + ',' + format_utc(start) + ',' +
           format_utc(start + j.runtime) + ',' + (ebb->planned[i] > j.submit ? "1" : "0") + ',' +
           exact(ebb->job_kwh[i]) + ',' + exact(ebb->grams[i] / 1000.0) + ',' +
           exact(base->grams[i] / 1000.0) + ',' + exact(ebb->job_cost[i]) + ',' +
           exact(base->job_cost[i]) + ',' + currency + ',' + exact(wait_h) + '\n';
  }
  return out;
}

}  // namespace ebb::replay
