// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd's picture of the cluster for capacity-aware planning (include/ebb/capacity.hpp):
// the last good view of slurmctld (cluster_view.hpp) plus ebbd's own bookings, the
// deferred plans it has handed out that squeue does not show yet.
//
// A booking counts at once: a burst of submissions in one second plans each job against
// the ones before it, long before the next refresh. It goes when squeue shows a pending
// job that matches it (same user, partition, begin time and CPUs; each job settles one
// booking at most) or when it outlives its TTL (a plan that never became a job: explain
// mode, a refused sbatch).
//
// One mutex guards the view, the bookings and the partitions' loads, and a plan holds it
// from reading the load to booking its start, so that concurrent requests (cpp-httplib's
// worker threads) never pick the same room twice.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cluster_view.hpp"
#include "ebb/capacity.hpp"
#include "ebb/config.hpp"
#include "ebb/daemon_client.hpp"
#include "ebb/job.hpp"
#include "ebb/planner.hpp"
#include "metrics.hpp"
#include "settings.hpp"

namespace ebb::daemon {

struct Booking {
  std::string user;  // empty: unknown, matches any user
  std::string partition;
  TimePoint begin;
  double cpus = 1;
  Duration expected{3600};
  TimePoint made;  // when ebbd handed the plan out, for the TTL
};

// The bookkeeping alone, without locking (ClusterState locks).
class Bookings {
 public:
  explicit Bookings(Duration ttl) : ttl_(ttl) {}
  void add(Booking b) { items_.push_back(std::move(b)); }

  struct Outcome {
    std::size_t matched = 0;
    std::size_t expired = 0;
  };
  // Drops the bookings that pending jobs of `jobs` match, then those made more than the
  // TTL before `now`. A job that settled a booking once settles no other later.
  Outcome reconcile(const std::vector<ViewJob>& jobs, TimePoint now);
  // Drops only the expired ones (no view to match against).
  std::size_t expire(TimePoint now);

  const std::vector<Booking>& items() const { return items_; }
  std::size_t size() const { return items_.size(); }

 private:
  Duration ttl_;
  std::vector<Booking> items_;
  std::set<std::string> settled_;  // ids of jobs that matched a booking, while squeue shows them
};

// The partitions' committed loads at `now`, as ClusterState plans against them: the view's
// running and pending jobs and the bookings. The re-planner (replanner.hpp) builds the same.
// `job_load` is how one job of the view enters its partition's load.
QueuedJob job_load(const ViewJob& job, const PartitionInfo& partition, TimePoint now);
std::map<std::string, PartitionLoad> build_loads(const ClusterView& view,
                                                 const std::vector<Booking>& bookings,
                                                 const Config& config, TimePoint now);

class ClusterState {
 public:
  ClusterState(const Config& config, const DaemonSettings& settings, Metrics& metrics);
  ~ClusterState();
  ClusterState(const ClusterState&) = delete;
  ClusterState& operator=(const ClusterState&) = delete;

  // Refreshes every ClusterRefresh on a thread of its own (nothing when it is 0).
  void start();
  void stop();

  // One refresh: runs squeue and scontrol and installs what they say. Without an answer
  // (slurmctld down, a command missing or too slow) plans go on without cluster state;
  // with an answer ebbd cannot read, the previous view stays. Logs once per change.
  bool refresh();
  // Installs a view taken at `now` and reconciles the bookings with it.
  void install(ClusterView view, TimePoint now);

  // Fills in the job's partition (the default one when none is given) and, when it has
  // none (`time_limit_given` false), its time limit from the partition's DefaultTime, else
  // MaxTime; *limit_basis (when not null) then says so ("partition debug's DefaultTime
  // 20m"). False when the time limit stays unknown.
  bool resolve(JobRequest& job, bool time_limit_given, std::string* limit_basis = nullptr) const;

  // Plans `job` (already resolved) against its partition's load, and books the start
  // when the plan defers. Without a view, plans as ebb::plan does and says so in the
  // decision's reason.
  Decision plan(const PlanRequest& request, const JobRequest& job, const SignalSeries& forecast,
                const Policy& policy);

  // What `ebb queue` shows (GET /v1/queue): each partition (only `partition` when not
  // empty) with its projected load over reply.horizon from reply.now and every pending
  // job with a begin time ahead, all users' (the server hides others'). Fills
  // reply.partitions, cluster_state and view_taken_at; no partitions without a view.
  void queue(const std::string& partition, QueueReply& reply) const;

  struct Health {
    std::string state;  // off, pending, ok, unreachable, malformed
    std::string error;  // the last failure, if any
    std::optional<double> age_seconds;
    std::size_t jobs = 0;
    std::size_t partitions = 0;
    std::size_t bookings = 0;
  };
  Health health(TimePoint now) const;

  // The last good view and the bookings not in it yet, for re-planning; nullopt without a
  // view.
  struct Snapshot {
    ClusterView view;
    std::vector<Booking> bookings;
  };
  std::optional<Snapshot> snapshot() const;

  static constexpr const char* kWithoutState = "planned without cluster state";

 private:
  void set_state(const std::string& state, const std::string& error);
  void rebuild_loads(TimePoint now);  // holds mutex_
  void run();

  const Config& config_;
  const DaemonSettings& settings_;
  Metrics& metrics_;
  std::unique_ptr<simdjson::dom::parser> parser_;  // the refresh's, reused
  std::string parts_out_, jobs_out_;               // the commands' output, memory reused

  mutable std::mutex mutex_;
  std::optional<ClusterView> view_;
  std::map<std::string, PartitionLoad> loads_;
  Bookings bookings_;
  std::string state_ = "pending";
  std::string error_;

  std::mutex thread_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ebb::daemon
