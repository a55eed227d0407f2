// SPDX-License-Identifier: GPL-2.0-or-later
#include "replanner.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "ebb/error.hpp"
#include "log.hpp"

namespace ebb::daemon {
namespace {

// scontrol update prints a line or two; more is not an answer worth keeping.
constexpr std::size_t kMaxUpdateOutput = 64 * 1024;

// The forecast's mean carbon intensity over the job's window from `start`, for the log;
// NaN when the forecast cannot say.
double mean_carbon(TimePoint start, Duration limit, double watts, TimePoint now,
                   const SignalSeries& forecast) {
  PlanRequest pinned;
  pinned.now = now;
  pinned.earliest_start = start;
  pinned.deadline = start + limit;
  pinned.time_limit = limit;
  pinned.power_watts = watts;
  try {
    return plan(pinned, forecast, Policy{Objective::carbon, 0, 0}).baseline.mean_carbon;
  } catch (const InputError&) {
    return std::numeric_limits<double>::quiet_NaN();
  }
}

std::string whole(double v) {
  return std::isfinite(v) ? std::to_string(std::lround(v)) : std::string("?");
}

}  // namespace

ReplanDecisions decide_replans(const ClusterView& view, const std::vector<Booking>& bookings,
                               TimePoint now, const SignalSeries& forecast, const Config& config,
                               const ReplanRule& rule, const std::set<std::string>& resting) {
  ReplanDecisions out;
  std::map<std::string, PartitionLoad> loads = build_loads(view, bookings, config, now);
  for (const ViewJob& j : view.jobs) {
    if (j.state != QueuedJob::State::pending || resting.count(j.id)) continue;
    if (j.admin_comment.find(kPlanRecordTag) == std::string::npos) continue;
    auto skip = [&](const char* reason, std::string detail) {
      out.skipped.push_back({j.id, reason, std::move(detail)});
    };
    std::optional<PlanRecord> record;
    try {
      record = find_plan_record(j.admin_comment);
    } catch (const InputError& e) {
      skip("bad_record", std::string("AdminComment: ") + e.what());
      continue;
    }
    if (!record || !record->deferred() || record->planned <= now) continue;
    // One update moves every task of an array alike; their records may differ. Left to Slurm.
    if (j.id.find('_') != std::string::npos) {
      skip("array", "a job array's pending tasks are not moved");
      continue;
    }
    if (j.since != record->planned) {
      skip("changed_by_hand", "begin time " + format_local_minute(j.since) + " is not ebb's plan " +
                                  format_local_minute(record->planned) +
                                  ": changed by hand, left alone");
      continue;
    }
    if (record->moves >= rule.max_moves) {
      skip("max_moves", "moved " + std::to_string(record->moves) + " times already");
      continue;
    }
    const auto part = view.partitions.find(j.partition);
    const PartitionInfo info = part != view.partitions.end() ? part->second : PartitionInfo{};
    const std::optional<Duration> limit = j.time_limit ? j.time_limit : info.max_time;
    if (!limit) {
      skip("no_time_limit", "no time limit and no MaxTime: its window is unknown");
      continue;
    }

    HeldJob held;
    held.record = *record;
    held.time_limit = *limit;
    held.cpus = j.cpus;
    JobRequest request;  // the power model needs a shape; squeue gives the CPUs
    request.tasks = static_cast<std::uint32_t>(std::max(1.0, j.cpus));
    request.time_limit = *limit;
    request.partition = j.partition;
    held.power_watts = config.partition(j.partition).power.watts(request);
    Policy policy = config.policy;
    policy.objective = record->objective;
    policy.carbon_price = record->carbon_price;

    auto load = loads.find(j.partition);
    QueuedJob own = job_load(j, info, now);
    if (load != loads.end()) load->second.remove(own, now);
    const PartitionLoad unknown;  // a partition slurmctld does not list: no capacity known
    const PartitionLoad& others = load != loads.end() ? load->second : unknown;
    const std::optional<Replan> moved = replan(held, now, others, forecast, policy, rule);
    // replan() keeps to the latest start; the record's word is checked once more here,
    // because a job moved past it would miss the deadline its user asked for.
    if (!moved || moved->begin > record->latest_start) {
      if (load != loads.end()) load->second.add(own, now);
      continue;
    }
    own.since = moved->begin;
    own.deferred_by_ebb = moved->begin > now;
    if (load != loads.end()) load->second.add(own, now);

    PlanRecord next = *record;
    next.planned = moved->begin;
    next.moves = record->moves + 1;
    const Impact& at = moved->decision.defer ? moved->decision.chosen : moved->decision.baseline;
    next.carbon_planned = at.mean_carbon;
    next.price_planned = at.mean_price;
    ReplanMove move;
    try {
      move.admin_comment = with_plan_record(j.admin_comment, next);
    } catch (const InputError& e) {
      skip("bad_record", std::string("AdminComment: ") + e.what());
      continue;
    }
    move.job_id = j.id;
    move.from = record->planned;
    move.to = moved->begin;
    move.reason = moved->reason;
    move.carbon_from = mean_carbon(move.from, *limit, held.power_watts, now, forecast);
    move.carbon_to = mean_carbon(move.to, *limit, held.power_watts, now, forecast);
    out.moves.push_back(std::move(move));
  }
  return out;
}

Replanner::Replanner(const Config& config, const DaemonSettings& settings, ClusterState& cluster,
                     Metrics& metrics, ForecastFn forecast)
    : config_(config),
      settings_(settings),
      cluster_(cluster),
      metrics_(metrics),
      forecast_(std::move(forecast)) {
  rule_.max_moves = settings.replan_max_moves;
  rule_.min_gain_percent = settings.replan_min_gain_percent;
}

Replanner::~Replanner() { stop(); }

void Replanner::start() {
  if (!settings_.replan) {
    log_info(settings_.cluster_refresh <= Duration{0}
                 ? "re-planning off: it needs the cluster view (ClusterRefresh=0)"
                 : "re-planning off (Replan=no): held jobs keep their first plan");
    return;
  }
  thread_ = std::thread([this] {
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, settings_.replan_interval, [this] { return stopping_ || poked_; });
        if (stopping_) return;
        poked_ = false;
      }
      try {
        tick();
      } catch (const std::exception& e) {  // keep the thread; the next round may work
        log_error(std::string("replan: round failed: ") + e.what());
      }
    }
  });
}

void Replanner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Replanner::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  wake_.notify_all();
}

void Replanner::tick() {
  // Without a view there is nothing to move; the cluster view logs why it has none.
  std::optional<ClusterState::Snapshot> cluster = cluster_.snapshot();
  if (!cluster) return;
  std::optional<SignalSeries> forecast = forecast_();
  const std::string problem =
      forecast ? "" : "no current forecast (none yet, stale, or no Region= among several)";
  {
    std::lock_guard lock(round_mutex_);
    if (problem != last_round_problem_) {
      if (!problem.empty()) log_warning("replan: " + problem + "; held jobs stay where they are");
      last_round_problem_ = problem;
    }
  }
  if (problem.empty()) round(*cluster, *forecast, now_utc());  // Slurm's clock, as the view
}

void Replanner::forget_gone(const ClusterView& view) {
  std::set<std::string> present;
  for (const ViewJob& j : view.jobs) present.insert(j.id);
  std::erase_if(refused_, [&](const auto& e) { return !present.count(e.first); });
  std::erase_if(moved_at_, [&](const auto& e) { return !present.count(e.first); });
  std::erase_if(reported_, [&](const auto& e) { return !present.count(e.first); });
}

void Replanner::round(const ClusterState::Snapshot& cluster, const SignalSeries& forecast,
                      TimePoint now) {
  std::lock_guard lock(round_mutex_);
  forget_gone(cluster.view);
  std::set<std::string> resting;
  for (const auto& [id, at] : moved_at_) {
    // A view read before the move still shows the old begin time and record.
    if (cluster.view.taken_at <= at) resting.insert(id);
  }
  for (const auto& [id, r] : refused_) {
    if (r.count >= std::max<std::uint32_t>(rule_.max_moves, 1) ||
        now - r.last < settings_.replan_interval)
      resting.insert(id);
  }
  const ReplanDecisions d =
      decide_replans(cluster.view, cluster.bookings, now, forecast, config_, rule_, resting);
  for (const ReplanSkip& s : d.skipped) {
    if (!reported_.insert({s.job_id, s.reason}).second) continue;
    metrics_.count_replan_skipped(s.reason);
    log_info("replan: job " + s.job_id + " left alone: " + s.detail);
  }
  for (const ReplanMove& m : d.moves) {
    if (update(m)) {
      moved_at_[m.job_id] = now;
      refused_.erase(m.job_id);
      metrics_.count_replan_move();
      log_info("replan: job " + m.job_id + " moved " + format_local_minute(m.from) + " -> " +
               format_local_minute(m.to) + ": " + m.reason + " (forecast " + whole(m.carbon_from) +
               " -> " + whole(m.carbon_to) + " gCO2/kWh)");
      continue;
    }
    Refusals& r = refused_[m.job_id];
    ++r.count;
    r.last = now;
    metrics_.count_replan_failure();
    if (r.count >= std::max<std::uint32_t>(rule_.max_moves, 1)) {
      log_warning("replan: job " + m.job_id + ": giving up after " + std::to_string(r.count) +
                  " refused updates; it keeps its begin time");
      if (reported_.insert({m.job_id, "refused"}).second) metrics_.count_replan_skipped("refused");
    }
  }
}

bool Replanner::update(const ReplanMove& move) {
  std::vector<std::string> argv = command_words(settings_.scontrol_command);
  argv.push_back("update");
  argv.push_back("JobId=" + move.job_id);
  argv.push_back("StartTime=" + format_local_slurm(move.to));  // scontrol reads local time
  argv.push_back("AdminComment=" + move.admin_comment);
  std::string what;
  for (std::size_t i = 0; i + 1 < argv.size(); ++i) what += (i ? " " : "") + argv[i];
  std::string out;
  CommandResult r;
  try {
    r = run_command(
        argv,
        std::chrono::duration_cast<std::chrono::milliseconds>(settings_.cluster_command_timeout),
        kMaxUpdateOutput, out);
  } catch (const std::exception& e) {
    r.err = e.what();
  }
  if (r.exit_code == 0) return true;
  const std::string why = r.timed_out
                              ? "did not finish within " +
                                    std::to_string(settings_.cluster_command_timeout.count()) + " s"
                          : r.exit_code < 0 && r.err.empty() ? "was killed"
                          : r.exit_code < 0                  ? "could not run"
                                            : "exited with status " + std::to_string(r.exit_code);
  std::string err = r.err.substr(0, r.err.find('\n'));
  // Logged once per job: a refusal that repeats says nothing new.
  if (!refused_.count(move.job_id))
    log_warning("replan: job " + move.job_id + " not moved to " + format_local_minute(move.to) +
                ": " + what + " " + why + (err.empty() ? "" : ": " + err) +
                "; tried again after ReplanInterval");
  return false;
}

}  // namespace ebb::daemon
