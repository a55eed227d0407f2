// SPDX-License-Identifier: GPL-2.0-or-later
#include "queue_view.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "ebb/decision_text.hpp"
#include "terminal_chart.hpp"

namespace ebb::queue_view {
namespace {

constexpr int kChartRows = 5;
constexpr std::size_t kListedJobs = 20;  // a terminal, not a report: the rest are counted

std::string optional_duration(const std::optional<Duration>& d, const char* otherwise) {
  return d ? format_duration(*d) : otherwise;
}

// CPUs are whole numbers but for a pending array's share: "8", "2.5".
std::string cpus_text(double cpus) {
  return cpus == std::floor(cpus) ? std::to_string(std::llround(cpus)) : amount(cpus);
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

void render_partition(const QueuePartition& p, const QueueReply& reply, TimePoint from, int hours,
                      std::string& out) {
  out += "\nPartition " + p.name + (p.is_default ? " (default)" : "") + ": " +
         (p.cpus > 0 ? cpus_text(p.cpus) + " CPUs" : std::string("size unknown")) +
         ", DefaultTime " + optional_duration(p.default_time, "not set") + ", MaxTime " +
         optional_duration(p.max_time, "UNLIMITED") + "\n";
  const std::vector<double> busy = chart::hourly_peaks(p.load, from, hours);
  double top = p.cpus;
  for (double v : busy)
    if (!std::isnan(v)) top = std::max(top, v);
  if (top > 0) {
    out += "Busy CPUs (committed load, the hour's peak):\n";
    out += chart::columns(busy, kChartRows, "CPUs", 0, top, 0);
  }
  if (reply.forecast) {
    const auto carbon = chart::hourly_means(reply.forecast->series, from, hours, false);
    out += "Carbon intensity, gCO2/kWh, same hours:\n";
    out += chart::columns(carbon, kChartRows, "g/kWh");
  }
  const std::size_t total = p.deferred.size() + p.others_deferred;
  out += "Held until a begin time ahead: " + plural(total, "job", "jobs");
  if (p.bookings)
    out += ", and " + plural(p.bookings, "plan", "plans") + " squeue does not show yet";
  out += "\n";
  std::size_t listed = 0;
  for (const QueueJob& j : p.deferred) {
    if (listed++ == kListedJobs) break;
    out += "  " + pad(j.id, 14) + " " + pad(j.user, 12) + " " + format_local_minute(j.begin) +
           "  " + cpus_text(j.cpus) + " CPUs\n";
  }
  if (p.deferred.size() > kListedJobs)
    out += "  ... and " + plural(p.deferred.size() - kListedJobs, "more", "more") + "\n";
  if (p.others_deferred) {
    out += "  other users: " + plural(p.others_deferred, "job", "jobs") + ", " +
           cpus_text(p.others_cpus) + " CPUs\n";
  }
}

}  // namespace

std::string render(const QueueReply& reply, int hours) {
  const TimePoint from = std::chrono::floor<std::chrono::hours>(reply.now);
  std::string out = "ebbd's view of the queue, one column per hour from " +
                    format_local_minute(from) + " (local time)\n";
  out += "Cluster view: " + reply.cluster_state;
  if (reply.view_taken_at) out += ", taken " + format_local_minute(*reply.view_taken_at);
  out += "\n";
  if (reply.forecast) {
    const ForecastReply& f = *reply.forecast;
    out += "Forecast: region " + f.series.region + (f.stale ? " (STALE)" : "") + "\n";
  } else {
    out += "Forecast: none (say --region, or ebbd has none yet)\n";
  }
  if (!reply.all_users)
    out += "Other users' jobs are counted, not listed (root and ebbd's user see them all).\n";
  if (reply.partitions.empty())
    out += "\nNo partitions: ebbd has no view of the cluster (ClusterRefresh, squeue).\n";
  for (const QueuePartition& p : reply.partitions) render_partition(p, reply, from, hours, out);
  return out;
}

}  // namespace ebb::queue_view
