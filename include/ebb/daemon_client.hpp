// SPDX-License-Identifier: GPL-2.0-or-later
// Asking ebbd (the forecaster daemon) for a plan or a forecast, with a hard time limit.
//
// The plugin calls ask_daemon_for_plan() inside sbatch, so a slow or hung daemon must cost
// no more than `timeout` in total: connect, send and receive all share one deadline,
// enforced with poll() on a non-blocking socket. ebbd is reached on a Unix socket
// (unix:/run/ebb/ebbd.sock) or over plain HTTP (http://host:port); either way the answer
// is used only when it provably comes from ebbd's user (DaemonTrust, README "Security").
// When the daemon cannot answer, or not provably, the plugin falls back to the daemon's
// cache file (cache_file_path()), a valid ebb forecast file that any user can read, and
// then fails open.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ebb/config.hpp"
#include "ebb/error.hpp"
#include "ebb/forecast_error.hpp"
#include "ebb/job.hpp"
#include "ebb/plan_query.hpp"
#include "ebb/planner.hpp"
#include "ebb/signal.hpp"
#include "ebb/time.hpp"

namespace ebb {

// A region's forecast as the daemon serves it: provider slots, then extension slots
// (Origin::extension) past the provider's horizon.
struct ForecastReply {
  SignalSeries series;                  // region, currency, kind and origins filled in
  bool stale = false;                   // the newest fetch is older than StaleAfter
  std::optional<TimePoint> fetched_at;  // of the oldest source's last good fetch
  TimePoint generated_at;               // the daemon's "now" when it answered
  std::optional<ErrorSummary> error;    // the measured error of ebbd's past forecasts
};

// ebbd's view of the cluster for `ebb queue` (GET /v1/queue): per partition, the CPUs
// that running, waiting and held jobs commit over the next hours, and the jobs held until
// a begin time ahead, next to the forecast.
struct QueueJob {
  std::string id;  // Slurm's job id ("123", "123_[1-5]")
  std::string user;
  TimePoint begin;  // the begin time it is held until
  double cpus = 1;
};
struct QueuePartition {
  std::string name;
  bool is_default = false;
  double cpus = 0;  // TotalCPUs; 0 when unknown
  std::optional<Duration> default_time, max_time;
  // Projected busy CPUs: (from, cpus) steps, each holding until the next; the first at
  // the reply's `now`, the last until its horizon (PartitionLoad::projected).
  std::vector<std::pair<TimePoint, double>> load;
  // Pending jobs with a begin time ahead (held by ebb, or by a user's own --begin),
  // soonest first. Only the caller's own unless the caller is root or ebbd's user;
  // the others are counted.
  std::vector<QueueJob> deferred;
  std::size_t others_deferred = 0;
  double others_cpus = 0;
  std::size_t bookings = 0;  // plans ebbd handed out that squeue does not show yet
};
struct QueueReply {
  TimePoint now;
  Duration horizon{48 * 3600};
  std::string cluster_state;  // as /v1/health's: off, pending, ok, unreachable, malformed
  std::optional<TimePoint> view_taken_at;
  bool all_users = false;  // the caller sees every user's jobs
  std::vector<QueuePartition> partitions;
  std::optional<ForecastReply> forecast;  // the region's, over the horizon
};

// Who may answer for ebbd (DaemonUser=, DaemonAuth= of ebb.conf). With `automatic`, a
// unix: URL must be served by `user` or root (SO_PEERCRED, checked before the request is
// sent) and an http:// URL must sign its answer with MUNGE as `user` or root
// (daemon_auth.hpp); `munge` asks for the credential on Unix sockets too; `none` checks
// nothing, for tests only.
struct DaemonTrust {
  std::string user = "slurm";
  DaemonAuth auth = DaemonAuth::automatic;
};
DaemonTrust daemon_trust(const Config& config);

// What ebbd says about the forecast behind a plan: its /v1/plan answer's "stale" (the
// newest fetch is older than ebbd's StaleAfter) and "fetched_at" (the oldest source's last
// good fetch). The plugin refuses a stale plan as it refuses a stale forecast file.
struct PlanSource {
  bool stale = false;
  std::optional<TimePoint> fetched_at;
};

// Why ebbd gave no answer. The kind is timeout (slow past the time limit), unreachable
// (nothing listens at the URL), input, not_found or unavailable (ebbd answered HTTP 400,
// 404 or 503: wire::http_status), or failed (anything else: a wrong URL, not provably
// ebbd, a malformed answer, another HTTP error). The message says it in one clause for
// a warning line ("ebbd at unix:/run/ebb/ebbd.sock: timed out while connecting").
struct DaemonError {
  ErrorKind kind = ErrorKind::failed;
  std::string message;
};

// POST <url>/v1/plan. Returns nothing, and says why in *error (when not null), when the
// daemon is unreachable, slow past `timeout`, not provably ebbd (`trust`), or answers
// with an error. *source (when not null) receives what the answer says about its forecast.
std::optional<Decision> ask_daemon_for_plan(const std::string& url, const PlanQuery& query,
                                            std::chrono::milliseconds timeout, DaemonError* error,
                                            const DaemonTrust& trust = {},
                                            PlanSource* source = nullptr);

// GET <url>/v1/forecast?region=R, under the same total time limit and checks.
std::optional<ForecastReply> fetch_forecast_from_daemon(const std::string& url,
                                                        const std::string& region,
                                                        std::chrono::milliseconds timeout,
                                                        DaemonError* error,
                                                        const DaemonTrust& trust = {});

// GET <url>/v1/queue?region=R&partition=P (either may be empty), likewise.
std::optional<QueueReply> fetch_queue_from_daemon(const std::string& url, const std::string& region,
                                                  const std::string& partition,
                                                  std::chrono::milliseconds timeout,
                                                  DaemonError* error,
                                                  const DaemonTrust& trust = {});

// Where ebbd keeps a region's forecast: "<cache_dir>/<region lower-case>.csv", in the
// forecast-file CSV form, replaced atomically, readable by everyone. A JSON sidecar
// "<region>.json" beside it records when each source was last fetched.
inline constexpr const char* kDefaultCacheDir = "/var/cache/ebb";
std::string cache_file_path(const std::string& cache_dir, const std::string& region);
// The cache file for the plugin's fallback: Region= (or the only RegionName= line) in
// CacheDir= (default kDefaultCacheDir). Empty when no region is configured.
std::string cache_file_for(const Config& config);

}  // namespace ebb
