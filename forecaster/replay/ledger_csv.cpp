// SPDX-License-Identifier: GPL-2.0-or-later
#include "ledger_csv.hpp"

#include <charconv>
#include <cmath>

#include "ebb/error.hpp"

namespace ebb::replay {
namespace {

// Shortest text that reads back as the same double, so the column sums match the
// replay's totals to rounding of the sum alone; empty for NaN (no price).
std::string exact(double v) {
  if (std::isnan(v)) return "";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

// RFC 4180 quoting for the free-text columns (user, account, partition, job id).
// ledger/report.cpp quotes its CSV the same way.
std::string field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

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
    out += field(j.id.empty() ? std::to_string(i + 1) : j.id) + ',' + field(j.user) + ',' +
           field(j.account) + ',' + field(j.partition) + ',' + format_utc(j.submit) + ',' +
           format_utc(ebb->planned[i]) + ',' + format_utc(start) + ',' +
           format_utc(start + j.runtime) + ',' + (ebb->planned[i] > j.submit ? "1" : "0") + ',' +
           exact(ebb->job_kwh[i]) + ',' + exact(ebb->grams[i] / 1000.0) + ',' +
           exact(base->grams[i] / 1000.0) + ',' + exact(ebb->job_cost[i]) + ',' +
           exact(base->job_cost[i]) + ',' + currency + ',' + exact(wait_h) + '\n';
  }
  return out;
}

}  // namespace ebb::replay
