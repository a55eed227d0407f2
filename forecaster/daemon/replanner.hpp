// SPDX-License-Identifier: GPL-2.0-or-later
// Re-planning held jobs on the cluster: after each forecast refresh and every
// ReplanInterval, ebbd looks at the pending jobs ebb deferred and moves the begin time of
// those whose best window changed materially, with `scontrol update JobId=N StartTime=...
// AdminComment=...` run as ebbd's user (SlurmUser or an operator).
//
// What a job's plan was comes from the record contrib/job_submit.lua keeps in its
// AdminComment (plan_record.hpp), not from ebbd's memory: it survives ebbd's restarts, and
// users cannot change it. Each move rewrites the record (p= the new start, m= one more) in
// the same update, so that:
//   - a job whose begin time differs from the record's p= was moved by a user or an admin,
//     and is left alone for good;
//   - a job is moved at most ReplanMaxMoves times over its life, whatever ebbd restarts;
//   - the ledger and `ebb why` read the plan that is in force.
// The decision is ebb::replan (replan.hpp), the same function the replay calls, against the
// partition's load less the job's own share; never past the record's latest start.
//
// A refused update (permissions, a job that started meanwhile, scontrol too slow) is logged
// once per job and counted; the job rests until the next ReplanInterval, and after
// ReplanMaxMoves refusals it is left alone. Skipped jobs are logged and counted once per job
// and reason.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cluster_state.hpp"
#include "ebb/config.hpp"
#include "ebb/replan.hpp"
#include "metrics.hpp"
#include "settings.hpp"

namespace ebb::daemon {

struct ReplanMove {
  std::string job_id;
  TimePoint from, to;
  std::string reason;                     // replan()'s sentence
  std::string admin_comment;              // the job's AdminComment with the updated record
  double carbon_from = 0, carbon_to = 0;  // forecast mean gCO2/kWh over the job's window
};

struct ReplanSkip {
  std::string job_id;
  std::string reason;  // the metric's label: changed_by_hand, max_moves, bad_record, ...
  std::string detail;  // for the log
};

struct ReplanDecisions {
  std::vector<ReplanMove> moves;
  std::vector<ReplanSkip> skipped;
};

// Decides, without running anything, for every pending job of `view` whose AdminComment
// holds a record of a deferral whose planned start is still ahead of `now` (jobs in
// `resting` excepted). Moves are decided in the view's order, each against the loads the
// earlier ones left, so two jobs are not moved into the same room.
ReplanDecisions decide_replans(const ClusterView& view, const std::vector<Booking>& bookings,
                               TimePoint now, const SignalSeries& forecast, const Config& config,
                               const ReplanRule& rule, const std::set<std::string>& resting = {});

class Replanner {
 public:
  // The forecast held jobs are planned with, when there is a usable one (nullopt: none, or
  // stale; the round is skipped).
  using ForecastFn = std::function<std::optional<SignalSeries>()>;

  Replanner(const Config& config, const DaemonSettings& settings, ClusterState& cluster,
            Metrics& metrics, ForecastFn forecast);
  ~Replanner();
  Replanner(const Replanner&) = delete;
  Replanner& operator=(const Replanner&) = delete;

  // A thread that runs a round every ReplanInterval and soon after each poke().
  void start();
  void stop();
  void poke();  // a forecast refresh happened

  // One round against a cluster snapshot: decides, runs the updates, logs and counts.
  void round(const ClusterState::Snapshot& cluster, const SignalSeries& forecast, TimePoint now);

 private:
  void tick();
  bool update(const ReplanMove& move);  // runs scontrol; false when it failed (logged)
  void forget_gone(const ClusterView& view);

  const Config& config_;
  const DaemonSettings& settings_;
  ClusterState& cluster_;
  Metrics& metrics_;
  ForecastFn forecast_;
  ReplanRule rule_;

  // Round state, touched by one round at a time (round_mutex_).
  std::mutex round_mutex_;
  struct Refusals {
    std::uint32_t count = 0;
    TimePoint last;
  };
  std::map<std::string, Refusals> refused_;
  std::map<std::string, TimePoint> moved_at_;  // until a view taken later shows the move
  std::set<std::pair<std::string, std::string>> reported_;  // (job, reason) logged
  std::string last_round_problem_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool poked_ = false;
  std::thread thread_;
};

}  // namespace ebb::daemon
