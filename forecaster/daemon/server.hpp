// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd's HTTP interface (cpp-httplib behind http_guard.hpp's reader: a fixed pool of worker
// threads gets only complete, bounded requests):
//   GET  /v1/health               {"status":"ok"|"degraded","regions":{...},"cluster":{...}}
//   GET  /v1/forecast?region=R    the region's served forecast (protocol.hpp)
//   POST /v1/plan                 a job (PlanQuery JSON, ebb/plan_query.hpp) -> the Decision
//   GET  /v1/queue?region=R&partition=P  per partition: committed load over the next 48 h,
//                                 jobs held until a begin time ahead, and R's forecast;
//                                 other users' jobs only counted, except for root and
//                                 ebbd's user on the Unix socket (http_guard.hpp's peer_uid)
//   GET  /metrics                 Prometheus text (metrics.hpp)
// Errors answer {"error": "..."} with the status of their kind (wire::http_status): 400
// (bad request), 404 (unknown region, partition or path) or 503 (no forecast for the
// region yet).
// A request carrying X-Ebb-Nonce gets its answer signed with MUNGE in X-Ebb-Munge
// (forecaster/client/daemon_auth.hpp).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "clock.hpp"
#include "cluster_state.hpp"
#include "ebb/config.hpp"
#include "http_guard.hpp"
#include "metrics.hpp"
#include "region.hpp"
#include "runtime_learner.hpp"

namespace ebb::daemon {

class Server {
 public:
  Server(const Config& config, std::vector<std::unique_ptr<Region>>& regions,
         const DaemonClock& clock, Metrics& metrics, int threads, ClusterState* cluster = nullptr);
  // Binds; returns the bound port (useful with port 0). Throws std::runtime_error.
  int bind(const std::string& host, int port);
  // Listens on a Unix socket instead (unix_socket.hpp). Throws std::runtime_error.
  void bind_unix(const std::string& path);
  // Serves until stop(); returns false when serving failed.
  bool serve();
  void stop();

 private:
  // The region `name` names, else Region=, else the only one; nullptr when none is named
  // and several are configured. Throws NotFoundError for a region not configured.
  const Region* find_region(const std::string& name) const;
  // find_region's, or InputError naming the configured regions to choose from.
  const Region& named_region(const std::string& name) const;
  // The region's forecast, or Error(unavailable) while it has none yet.
  std::shared_ptr<const RegionSnapshot> forecast_of(const Region& region) const;
  void handle_health(httplib::Response& res) const;
  void handle_forecast(const httplib::Request& req, httplib::Response& res) const;
  void handle_plan(const httplib::Request& req, httplib::Response& res) const;
  void handle_queue(const httplib::Request& req, httplib::Response& res) const;
  void handle_metrics(httplib::Response& res) const;

  const Config& config_;
  std::vector<std::unique_ptr<Region>>& regions_;
  const DaemonClock& clock_;
  Metrics& metrics_;
  ClusterState* cluster_;                    // null: plans see no cluster state
  const RuntimeLearner* learner_ = nullptr;  // null: plans use the time limit

 public:
  // Plans from now on size jobs by the runtimes `learner` predicts from accounting.
  void set_runtime_learner(const RuntimeLearner* learner) { learner_ = learner; }
  GuardedServer http_;
  int listen_fd_ = -1;
  static constexpr int kListenBacklog = 1024;
  static constexpr std::size_t kMaxBody = 64 * 1024;  // a plan request is a few hundred bytes
};

}  // namespace ebb::daemon
