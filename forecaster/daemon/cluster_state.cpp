// SPDX-License-Identifier: GPL-2.0-or-later
#include "cluster_state.hpp"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <tuple>

#include "ebb/error.hpp"
#include "log.hpp"

namespace ebb::daemon {
namespace {

// A job without a time limit in a partition without MaxTime holds its CPUs past any
// horizon ebb plans over.
constexpr Duration kNoLimitHold = hours(24 * 30);

// squeue's answer for 20,000 jobs is about 70 MB; far more means something else.
constexpr std::size_t kMaxCommandOutput = std::size_t{1} << 30;

std::int64_t secs(TimePoint t) { return t.time_since_epoch().count(); }

}  // namespace

Bookings::Outcome Bookings::reconcile(const std::vector<ViewJob>& jobs, TimePoint now) {
  Outcome out;
  // Pending jobs not yet used, by (partition, begin, CPUs).
  std::map<std::tuple<std::string_view, std::int64_t, double>, std::vector<const ViewJob*>> open;
  std::set<std::string> present;
  for (const ViewJob& j : jobs) {
    if (j.state != QueuedJob::State::pending) continue;
    present.insert(j.id);
    if (!settled_.count(j.id)) open[{j.partition, secs(j.since), j.cpus}].push_back(&j);
  }
  // Jobs squeue no longer shows cannot settle anything again.
  std::erase_if(settled_, [&](const std::string& id) { return !present.count(id); });
  std::erase_if(items_, [&](const Booking& b) {
    auto it = open.find({b.partition, secs(b.begin), b.cpus});
    if (it == open.end()) return false;
    auto& candidates = it->second;
    auto match = std::find_if(candidates.begin(), candidates.end(), [&](const ViewJob* j) {
      return j && (b.user.empty() || j->user == b.user);
    });
    if (match == candidates.end()) return false;
    settled_.insert((*match)->id);
    *match = nullptr;
    ++out.matched;
    return true;
  });
  out.expired = expire(now);
  return out;
}

std::size_t Bookings::expire(TimePoint now) {
  return std::erase_if(items_, [&](const Booking& b) { return now - b.made > ttl_; });
}

ClusterState::ClusterState(const Config& config, const DaemonSettings& settings, Metrics& metrics)
    : config_(config),
      settings_(settings),
      metrics_(metrics),
      parser_(std::make_unique<simdjson::dom::parser>()),
      bookings_(settings.cluster_refresh * 2 + seconds(30)) {
  if (settings_.cluster_refresh <= Duration{0}) state_ = "off";
}

ClusterState::~ClusterState() { stop(); }

void ClusterState::start() {
  if (settings_.cluster_refresh <= Duration{0}) {
    log_info("cluster view off (ClusterRefresh=0): plans do not see the cluster's load");
    return;
  }
  thread_ = std::thread([this] { run(); });
}

void ClusterState::stop() {
  {
    std::lock_guard lock(thread_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ClusterState::run() {
  for (;;) {
    try {
      refresh();
    } catch (const std::exception& e) {  // keep the thread alive; the next round may work
      set_state("unreachable", std::string("cluster refresh failed: ") + e.what());
    }
    std::unique_lock lock(thread_mutex_);
    if (wake_.wait_for(lock, settings_.cluster_refresh, [this] { return stopping_; })) return;
  }
}

void ClusterState::set_state(const std::string& state, const std::string& error) {
  std::string old_state, old_error;
  {
    std::lock_guard lock(mutex_);
    old_state = state_;
    old_error = error_;
    state_ = state;
    error_ = error;
  }
  if (state == old_state && (state == "ok" || error == old_error)) return;
  if (state == "ok") {
    log_info("cluster view: reading slurmctld again; plans see the cluster's load");
  } else if (state == "unreachable") {
    log_warning("cluster view: " + error + "; planning without cluster state");
  } else {
    log_error("cluster view: " + error + "; keeping the previous view");
  }
}

bool ClusterState::refresh() {
  const TimePoint now = now_utc();  // Slurm's clock, not a test's pretend one
  const auto limit =
      std::chrono::duration_cast<std::chrono::milliseconds>(settings_.cluster_command_timeout);
  // Runs one command; nothing (and the state says why) when it gave no answer.
  auto ask = [&](const std::string& configured, std::vector<std::string> args, std::string& name,
                 std::string& out) {
    std::vector<std::string> argv = command_words(configured);
    argv.insert(argv.end(), args.begin(), args.end());
    name.clear();
    for (const std::string& a : argv) name += (name.empty() ? "" : " ") + a;
    CommandResult r;
    try {
      r = run_command(argv, limit, kMaxCommandOutput, out);
    } catch (const std::exception& e) {
      set_state("unreachable", e.what());
      return false;
    }
    if (r.exit_code == 0) return true;
    std::string why = r.timed_out
                          ? "did not finish within " +
                                std::to_string(settings_.cluster_command_timeout.count()) + " s"
                      : r.too_large     ? "printed more than 1 GiB"
                      : r.exit_code < 0 ? "was killed"
                                        : "exited with status " + std::to_string(r.exit_code);
    std::string err = r.err.substr(0, r.err.find('\n'));
    set_state("unreachable", name + " " + why + (err.empty() ? "" : ": " + err));
    return false;
  };

  std::string parts_name, jobs_name;
  const bool answered = ask(settings_.scontrol_command, {"show", "partition", "--oneliner"},
                            parts_name, parts_out_) &&
                        ask(settings_.squeue_command, {"--json"}, jobs_name, jobs_out_);
  if (!answered) {
    metrics_.count_cluster_refresh(false);
    std::lock_guard lock(mutex_);
    view_.reset();
    loads_.clear();
    metrics_.count_bookings_settled(0, bookings_.expire(now));
    metrics_.set_bookings(bookings_.size());
    return false;
  }
  ClusterView view;
  view.taken_at = now;
  try {
    parse_scontrol_partitions(parts_out_, parts_name, view);
    view.jobs = parse_squeue_json(jobs_out_, jobs_name, *parser_);
  } catch (const InputError& e) {
    metrics_.count_cluster_refresh(false);
    set_state("malformed", e.what());
    // The previous view stays; bookings that never became jobs still expire.
    std::lock_guard lock(mutex_);
    const std::size_t expired = bookings_.expire(now);
    if (expired > 0) {
      metrics_.count_bookings_settled(0, expired);
      rebuild_loads(now);
    }
    metrics_.set_bookings(bookings_.size());
    return false;
  }
  install(std::move(view), now);
  metrics_.count_cluster_refresh(true);
  set_state("ok", "");
  return true;
}

void ClusterState::install(ClusterView view, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto outcome = bookings_.reconcile(view.jobs, now);
  metrics_.count_bookings_settled(outcome.matched, outcome.expired);
  view_ = std::move(view);
  rebuild_loads(now);
  metrics_.set_bookings(bookings_.size());
}

QueuedJob job_load(const ViewJob& j, const PartitionInfo& p, TimePoint now) {
  QueuedJob q;
  q.state = j.state;
  q.since = j.since;
  q.expected = j.time_limit ? *j.time_limit : p.max_time ? *p.max_time : kNoLimitHold;
  q.cpus = j.cpus;
  // A begin time still ahead: held by ebb (or by a user's --begin, which counts the same).
  q.deferred_by_ebb = j.state == QueuedJob::State::pending && j.since > now;
  return q;
}

std::map<std::string, PartitionLoad> build_loads(const ClusterView& view,
                                                 const std::vector<Booking>& bookings,
                                                 const Config& config, TimePoint now) {
  std::map<std::string, PartitionLoad> loads;
  for (const auto& [name, info] : view.partitions) {
    CapacityRule rule = config.partition(name).capacity;
    rule.cpus = info.cpus;
    loads.emplace(name, PartitionLoad(rule));
  }
  for (const ViewJob& j : view.jobs) {
    auto it = loads.find(j.partition);
    if (it == loads.end()) continue;
    it->second.add(job_load(j, view.partitions.at(j.partition), now), now);
  }
  for (const Booking& b : bookings) {
    auto it = loads.find(b.partition);
    if (it == loads.end()) continue;
    it->second.add({QueuedJob::State::pending, b.begin, b.expected, b.cpus, true}, now);
  }
  return loads;
}

void ClusterState::rebuild_loads(TimePoint now) {
  loads_.clear();
  if (view_) loads_ = build_loads(*view_, bookings_.items(), config_, now);
}

std::optional<ClusterState::Snapshot> ClusterState::snapshot() const {
  std::lock_guard lock(mutex_);
  if (!view_) return std::nullopt;
  return Snapshot{*view_, bookings_.items()};
}

bool ClusterState::resolve(JobRequest& job, bool time_limit_given, std::string* limit_basis) const {
  std::lock_guard lock(mutex_);
  if (!view_) return time_limit_given;
  if (job.partition.empty()) job.partition = view_->default_partition;
  if (time_limit_given) return true;
  auto it = view_->partitions.find(job.partition);
  if (it == view_->partitions.end()) return false;
  const char* source = "DefaultTime";
  if (it->second.default_time) {
    job.time_limit = *it->second.default_time;
  } else if (it->second.max_time) {
    job.time_limit = *it->second.max_time;
    source = "MaxTime";
  } else {
    return false;
  }
  if (limit_basis) {
    *limit_basis =
        "partition " + job.partition + "'s " + source + " " + format_duration(job.time_limit);
  }
  return true;
}

Decision ClusterState::plan(const PlanRequest& request, const JobRequest& job,
                            const SignalSeries& forecast, const Policy& policy) {
  std::unique_lock lock(mutex_);
  auto it = view_ ? loads_.find(job.partition) : loads_.end();
  if (it == loads_.end()) {
    const bool known = !view_;
    lock.unlock();
    Decision d = ebb::plan(request, forecast, policy);
    d.reason += std::string("; ") + kWithoutState +
                (known ? "" : " (partition '" + job.partition + "' is not in slurmctld's list)");
    return d;
  }
  PartitionLoad& load = it->second;
  const Duration window =
      std::min(request.expected_runtime.value_or(request.time_limit), request.time_limit);
  const double cpus = static_cast<double>(std::max(job.cores(), job.nodes));
  // Starts the request can reach at all: up to its deadline or maximum delay.
  const TimePoint lo = std::max(request.now, request.earliest_start.value_or(request.now));
  TimePoint until = lo + hours(24 * 8);
  if (request.deadline) until = std::min(until, *request.deadline - request.time_limit);
  if (request.max_delay) until = std::min(until, lo + *request.max_delay);
  until = std::max(until, lo);
  const auto forbidden = load.forbidden_starts(request.now, until, window, cpus);
  Decision d = ebb::plan(request, forecast, policy, forbidden);
  if (d.defer) {
    bookings_.add({job.user, job.partition, d.start, cpus, window, now_utc()});
    load.add({QueuedJob::State::pending, d.start, window, cpus, true}, request.now);
    metrics_.count_booking();
    metrics_.set_bookings(bookings_.size());
  }
  return d;
}

void ClusterState::queue(const std::string& partition, QueueReply& reply) const {
  std::lock_guard lock(mutex_);
  reply.cluster_state = state_;
  if (!view_) return;
  reply.view_taken_at = view_->taken_at;
  const TimePoint end = reply.now + reply.horizon;
  for (const auto& [name, info] : view_->partitions) {
    if (!partition.empty() && name != partition) continue;
    QueuePartition p;
    p.name = name;
    p.is_default = name == view_->default_partition;
    p.cpus = info.cpus;
    p.default_time = info.default_time;
    p.max_time = info.max_time;
    if (auto load = loads_.find(name); load != loads_.end()) {
      for (const auto& step : load->second.projected(reply.now)) {
        if (step.first >= end) break;
        p.load.push_back(step);
      }
    }
    for (const ViewJob& j : view_->jobs) {
      if (j.partition != name || j.state != QueuedJob::State::pending || j.since <= reply.now)
        continue;
      p.deferred.push_back({j.id, j.user, j.since, j.cpus});
    }
    std::sort(p.deferred.begin(), p.deferred.end(),
              [](const QueueJob& a, const QueueJob& b) { return a.begin < b.begin; });
    for (const Booking& b : bookings_.items()) p.bookings += b.partition == name;
    reply.partitions.push_back(std::move(p));
  }
}

ClusterState::Health ClusterState::health(TimePoint now) const {
  std::lock_guard lock(mutex_);
  Health h;
  h.state = state_;
  h.error = error_;
  h.bookings = bookings_.size();
  if (view_) {
    h.age_seconds = static_cast<double>((now - view_->taken_at).count());
    h.jobs = view_->jobs.size();
    h.partitions = view_->partitions.size();
  }
  return h;
}

}  // namespace ebb::daemon
