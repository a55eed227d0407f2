// SPDX-License-Identifier: GPL-2.0-or-later
#include "server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>

#include "../client/daemon_auth.hpp"
#include "../client/protocol.hpp"
#include "ebb/error.hpp"
#include "ebb/strings.hpp"
#include "log.hpp"
#include "unix_socket.hpp"

namespace ebb::daemon {
namespace {

void answer_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(wire::encode_error(message), "application/json");
}

// An error answer with the status of the error's kind (wire::http_status).
void answer_error(httplib::Response& res, const Error& e) {
  answer_error(res, wire::http_status(e.kind()), e.what());
}

nlohmann::json optional_time(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(format_utc(*t)) : nlohmann::json(nullptr);
}

// Signs the final answer (after the error handler) for a client that sent a nonce.
// Without munged the answer goes out unsigned: clients that require a credential then
// fall back, and the log says why (once until signing works again).
void sign_answer(const httplib::Request& req, httplib::Response& res) {
  static std::atomic<bool> failing{false};
  const std::string nonce = req.get_header_value(auth::kNonceHeader);
  if (nonce.empty() || !auth::valid_nonce(nonce)) return;
  try {
    res.set_header(auth::kCredentialHeader,
                   auth::munge_sign(auth::answer_binding(nonce, req.method, req.target, req.body,
                                                         res.status, res.body)));
    failing = false;
  } catch (const std::exception& e) {
    if (!failing.exchange(true)) log_error(e.what());
  }
}

}  // namespace

Server::Server(const Config& config, std::vector<std::unique_ptr<Region>>& regions,
               const DaemonClock& clock, Metrics& metrics, int threads, ClusterState* cluster)
    : config_(config),
      regions_(regions),
      clock_(clock),
      metrics_(metrics),
      cluster_(cluster),
      http_(GuardedServer::Limits{.max_body = kMaxBody,
                                  .request_timeout = std::chrono::seconds(10),
                                  .max_connections = 512,
                                  .workers = static_cast<std::size_t>(threads),
                                  .keep_alive_max = 1000,
                                  .write_timeout = std::chrono::seconds(5)}) {
  // cpp-httplib's defaults hurt here: Nagle's algorithm delays each small answer on a
  // kept-alive connection by a delayed ACK (40 ms), and its listen backlog of 5 drops
  // connections when many sbatch calls arrive at once (the client then waits for a SYN
  // retransmission, a second). Remember the listening socket to raise its backlog.
  http_.set_tcp_nodelay(true);
  http_.set_socket_options([this](int fd) {
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    listen_fd_ = fd;
  });
  // Bodies, timeouts and keep-alive are bounded by GuardedServer before cpp-httplib sees a
  // request; its own payload limit stays as a second line.
  http_.set_payload_max_length(kMaxBody);
  http_.Get("/v1/health",
            [this](const httplib::Request&, httplib::Response& res) { handle_health(res); });
  http_.Get("/v1/forecast", [this](const httplib::Request& req, httplib::Response& res) {
    handle_forecast(req, res);
  });
  http_.Post("/v1/plan", [this](const httplib::Request& req, httplib::Response& res) {
    handle_plan(req, res);
  });
  http_.Get("/v1/queue", [this](const httplib::Request& req, httplib::Response& res) {
    handle_queue(req, res);
  });
  http_.Get("/metrics",
            [this](const httplib::Request&, httplib::Response& res) { handle_metrics(res); });
  http_.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // a handler's own error answer
    if (res.status == 404) {
      answer_error(res, 404,
                   "no such endpoint: " + req.method + " " + req.path +
                       " (try /v1/health, /v1/forecast, /v1/plan, /v1/queue, /metrics)");
    } else {
      answer_error(res, res.status, "request rejected");
    }
  });
  http_.set_post_routing_handler(sign_answer);
  http_.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = std::string("internal error: ") + e.what();
        } catch (...) {
        }
        log_error(what);
        answer_error(res, 500, what);
      });
}

int Server::bind(const std::string& host, int port) {
  int bound = port;
  if (port == 0) {
    bound = http_.bind_to_any_port(host);
    if (bound < 0) throw std::runtime_error("cannot listen on " + host + ": bind failed");
  } else if (!http_.bind_to_port(host, port)) {
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) +
                             " (in use, or not an address of this host?)");
  }
  if (listen_fd_ >= 0) ::listen(listen_fd_, kListenBacklog);  // a second listen() resizes it
  return bound;
}

void Server::bind_unix(const std::string& path) {
  http_.adopt_listening_socket(listen_on_unix_socket(path, kListenBacklog));
}

bool Server::serve() {
  bool served = http_.listen_after_bind();
  http_.stop_guard();
  return served;
}

void Server::stop() { http_.stop(); }

const Region* Server::find_region(const std::string& name) const {
  std::string wanted = lower(name.empty() ? config_.region : name);
  if (wanted.empty()) {
    if (regions_.size() == 1) return regions_.front().get();
    return nullptr;
  }
  for (const auto& r : regions_) {
    if (r->name() == wanted) return r.get();
  }
  throw NotFoundError("unknown region '" + name + "'");
}

const Region& Server::named_region(const std::string& name) const {
  if (const Region* region = find_region(name)) return *region;
  std::string error = "say which region: region=... (configured: ";
  for (std::size_t i = 0; i < regions_.size(); ++i) {
    error += (i ? ", " : "") + regions_[i]->name();
  }
  throw InputError(error + ")");
}

std::shared_ptr<const RegionSnapshot> Server::forecast_of(const Region& region) const {
  auto snap = region.snapshot();
  if (!snap || !snap->has_data())
    throw Error(ErrorKind::unavailable, "region '" + region.name() + "' has no forecast yet");
  return snap;
}

void Server::handle_health(httplib::Response& res) const {
  nlohmann::json regions = nlohmann::json::object();
  bool all_good = true;
  for (const auto& r : regions_) {
    auto snap = r->snapshot();
    bool has_data = snap && snap->has_data();
    bool stale = !snap || snap->stale;
    all_good = all_good && has_data && !stale;
    regions[r->name()] = {{"has_data", has_data},
                          {"stale", stale},
                          {"fetched_at", snap ? optional_time(snap->fetched_at) : nullptr}};
  }
  nlohmann::json j = {{"status", all_good ? "ok" : "degraded"},
                      {"now", format_utc(clock_.now())},
                      {"regions", regions}};
  // The cluster view does not make ebbd degraded: plans go on without it.
  ClusterState::Health c;
  c.state = "off";
  if (cluster_) c = cluster_->health(now_utc());
  j["cluster"] = {{"state", c.state},
                  {"age_seconds", c.age_seconds ? nlohmann::json(*c.age_seconds) : nullptr},
                  {"jobs", c.jobs},
                  {"partitions", c.partitions},
                  {"bookings", c.bookings}};
  if (!c.error.empty()) j["cluster"]["error"] = c.error;
  res.set_content(j.dump(), "application/json");
}

void Server::handle_forecast(const httplib::Request& req, httplib::Response& res) const try {
  const auto snap = forecast_of(named_region(req.get_param_value("region")));
  nlohmann::json j = {{"region", snap->region},
                      {"currency", snap->series.currency},
                      {"kind", wire::to_string(snap->series.kind)},
                      {"fetched_at", optional_time(snap->fetched_at)},
                      {"provider_end", optional_time(snap->provider_end)},
                      {"stale", snap->stale},
                      {"generated_at", format_utc(snap->built_at)},
                      {"error", wire::error_to_json(snap->error)},
                      {"slots", wire::series_to_json(snap->series)}};
  res.set_content(j.dump(), "application/json");
} catch (const Error& e) {
  answer_error(res, e);
}

void Server::handle_plan(const httplib::Request& req, httplib::Response& res) const {
  const auto started = std::chrono::steady_clock::now();
  try {
    PlanQuery q = wire::decode_plan_query(req.body);
    const auto snap = forecast_of(named_region(q.region));
    // The power model stays the one the plugin's own fallback uses: PartitionName=<-p>,
    // else site-wide, also when the job lands in the default partition.
    PowerModel power = config_.partition(q.job.partition).power;
    // The default partition, and its DefaultTime (else MaxTime) for a job without a limit.
    std::string limit_basis;
    if (!(cluster_ ? cluster_->resolve(q.job, q.time_limit_given, &limit_basis)
                   : q.time_limit_given)) {
      throw InputError(
          "field 'time_limit' is required (seconds or Slurm form): no DefaultTime or MaxTime "
          "known for partition '" +
          q.job.partition + "'");
    }
    const JobRequest& job = q.job;
    // Sized by what similar jobs ran, when accounting knows any; the deadline still holds
    // for the whole time limit.
    std::string runtime_basis;
    if (!q.expected_runtime && learner_) {
      JobTraits traits;
      traits.user = job.user;
      traits.name = job.job_name;
      traits.account = job.account;
      traits.partition = job.partition;
      traits.cpus = job.cores();
      traits.limit = job.time_limit;
      const RuntimePrediction p = learner_->predict(traits);
      if (p.basis != RuntimePrediction::Basis::limit && p.expected < job.time_limit) {
        q.expected_runtime = p.expected;
        runtime_basis = describe(p);
      }
    }
    // Where Slurm measured the energy of the partition's jobs, their fit replaces its watts.
    std::string power_basis;
    if (learner_) {
      if (auto fit = learner_->power_fit(job.partition)) {
        power = fit->apply(power);
        power_basis = describe(*fit);
      }
    }
    PlanRequest request = planner_input(q, clock_.now(), power.watts(job));
    // ErrorWeight=: the error this region's forecasts showed at each lead time. The
    // buckets count from the snapshot's time, which is within a refresh of `now`.
    request.error_by_lead = snap->mae_by_lead;
    const Policy policy = policy_for(q, config_.policy);
    Decision d;
    if (cluster_) {
      d = cluster_->plan(request, job, snap->series, policy);
    } else {
      d = plan(request, snap->series, policy);
      d.reason += std::string("; ") + ClusterState::kWithoutState;
    }
    if (request.expected_runtime && !runtime_basis.empty()) d.runtime_basis = runtime_basis;
    d.limit_basis = limit_basis;
    d.power_basis = power_basis;
    nlohmann::json j = wire::decision_to_json(d);
    j["region"] = snap->region;
    j["stale"] = snap->stale;
    j["fetched_at"] = optional_time(snap->fetched_at);
    res.set_content(j.dump(), "application/json");
    metrics_.count_plan(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  } catch (const Error& e) {
    metrics_.count_plan_error();
    answer_error(res, e);
  }
}

void Server::handle_queue(const httplib::Request& req, httplib::Response& res) const {
  QueueReply reply;
  reply.now = clock_.now();
  const Region* region = nullptr;  // several regions and none named: no forecast
  try {
    region = find_region(req.get_param_value("region"));
  } catch (const NotFoundError& e) {
    return answer_error(res, e);
  }
  if (region) {
    if (auto snap = region->snapshot(); snap && snap->has_data()) {
      ForecastReply f;
      const TimePoint from = std::chrono::floor<hours>(reply.now);
      std::vector<Slot> slots;
      for (const Slot& slot : snap->series.slots()) {
        if (slot.end > from && slot.start < reply.now + reply.horizon) slots.push_back(slot);
      }
      f.series = SignalSeries(std::move(slots), snap->series.source);
      f.series.region = snap->region;
      f.series.currency = snap->series.currency;
      f.series.kind = snap->series.kind;
      f.stale = snap->stale;
      f.fetched_at = snap->fetched_at;
      f.generated_at = snap->built_at;
      reply.forecast = std::move(f);
    }
  }
  const std::string partition = req.get_param_value("partition");
  if (cluster_) {
    cluster_->queue(partition, reply);
  } else {
    reply.cluster_state = "off";
  }
  if (!partition.empty() && reply.view_taken_at && reply.partitions.empty())
    return answer_error(res, NotFoundError("unknown partition '" + partition + "'"));
  // Who is asking: only the kernel's word on a Unix socket counts. Root and ebbd's own
  // user (normally SlurmUser) see every job; others see their own, and counts of the rest.
  const std::optional<uid_t> caller = peer_uid(req);
  reply.all_users = caller && (*caller == 0 || *caller == ::getuid());
  if (!reply.all_users) {
    const std::optional<std::string> name = caller ? auth::user_name_of(*caller) : std::nullopt;
    for (QueuePartition& p : reply.partitions) {
      std::vector<QueueJob> own;
      for (QueueJob& j : p.deferred) {
        if (name && j.user == *name) {
          own.push_back(std::move(j));
        } else {
          ++p.others_deferred;
          p.others_cpus += j.cpus;
        }
      }
      p.deferred = std::move(own);
    }
  }
  res.set_content(wire::queue_to_json(reply).dump(), "application/json");
}

void Server::handle_metrics(httplib::Response& res) const {
  std::vector<Metrics::RegionAge> ages;
  const TimePoint now = clock_.now();
  for (const auto& r : regions_) {
    auto snap = r->snapshot();
    Metrics::RegionAge a;
    a.region = r->name();
    a.stale = !snap || snap->stale;
    if (snap) a.error = snap->error;
    if (snap && snap->fetched_at)
      a.age_seconds = static_cast<double>((now - *snap->fetched_at).count());
    ages.push_back(a);
  }
  std::optional<double> cluster_age;
  if (cluster_) cluster_age = cluster_->health(now_utc()).age_seconds;
  res.set_content(metrics_.render(ages, cluster_age), "text/plain; version=0.0.4");
}

}  // namespace ebb::daemon
