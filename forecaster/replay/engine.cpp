// SPDX-License-Identifier: GPL-2.0-or-later
#include "engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <thread>
#include <unordered_map>

#include "ebb/error.hpp"
#include "error_profile.hpp"
#include "io.hpp"

namespace ebb::replay {

namespace {

constexpr Duration kWeek = hours(24 * 7);

double hours_of(Duration d) { return static_cast<double>(d.count()) / 3600.0; }

}  // namespace

std::string to_string(PolicyKind k) {
  switch (k) {
    case PolicyKind::baseline:
      return "baseline";
    case PolicyKind::best_window:
      return "best-window";
    case PolicyKind::ebb:
      return "ebb";
    case PolicyKind::oracle:
      return "oracle";
  }
  return "?";
}

PolicyKind parse_policy_kind(const std::string& text) {
  std::string t = lower(text);
  if (t == "baseline") return PolicyKind::baseline;
  if (t == "best-window" || t == "cats") return PolicyKind::best_window;
  if (t == "ebb") return PolicyKind::ebb;
  if (t == "oracle" || t == "upper-bound") return PolicyKind::oracle;
  throw InputError("unknown policy '" + text + "' (expected baseline, best-window, ebb, oracle)");
}

std::string to_string(CongestionMode m) {
  return m == CongestionMode::duals ? "duals" : m == CongestionMode::flow ? "flow" : "off";
}

CongestionMode parse_congestion_mode(const std::string& text) {
  const std::string t = lower(text);
  if (t == "off") return CongestionMode::off;
  if (t == "duals") return CongestionMode::duals;
  if (t == "flow") return CongestionMode::flow;
  throw InputError("--congestion: off, duals or flow, not '" + text + "'");
}

const PolicyResult* ReplayResult::find(PolicyKind k) const {
  for (const auto& p : policies)
    if (p.kind == k) return &p;
  return nullptr;
}

Duration map_onto_grid(Trace& trace, const Grid& grid, std::optional<TimePoint> start) {
  if (trace.jobs.empty() || grid.empty()) return Duration{0};
  const TimePoint first = trace.jobs.front().submit;
  TimePoint last = first;
  for (const auto& j : trace.jobs) last = std::max(last, j.submit);
  Duration shift{0};
  if (trace.relative_times) {
    shift = start.value_or(grid.begin()) - first;
  } else {
    const TimePoint anchor = start.value_or(grid.begin());
    if (!start && first >= grid.begin() && last < grid.end()) return Duration{0};
    // Whole weeks so that `first` lands in [anchor, anchor + 1 week).
    auto diff = (anchor - first).count();
    auto w = kWeek.count();
    auto k = diff >= 0 ? (diff + w - 1) / w : -((-diff) / w);
    shift = Duration{k * w};
  }
  for (auto& j : trace.jobs) {
    j.submit += shift;
    if (j.deadline) *j.deadline += shift;
    if (j.recorded_start) *j.recorded_start += shift;
  }
  return shift;
}

namespace {

template <typename PlanOne>
std::vector<TimePoint> plan_all(std::size_t n, unsigned threads, PlanOne plan_one) {
  std::vector<TimePoint> out(n);
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(n / 1000 + 1)));
  if (threads == 1) {
    for (std::size_t i = 0; i < n; ++i) out[i] = plan_one(i);
    return out;
  }
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(threads);
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      try {
        for (std::size_t i = t; i < n; i += threads) out[i] = plan_one(i);
      } catch (...) {
        errors[t] = std::current_exception();
      }
    });
  }
  for (auto& th : pool) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
  return out;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::size_t k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  k = std::clamp<std::size_t>(k, 1, v.size()) - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

ReplayResult run_replay(const std::vector<TraceJob>& jobs_in, const Grid& grid_in,
                        const ReplayConfig& config) {
  using SteadyClock = std::chrono::steady_clock;
  ReplayResult result;
  result.jobs = jobs_in;
  auto& jobs = result.jobs;
  const std::size_t n = jobs.size();
  result.deadlines.resize(n);
  TimePoint lo = n ? jobs.front().submit : grid_in.begin(), hi = lo;
  for (std::size_t i = 0; i < n; ++i) {
    TimePoint d = config.deadline.deadline(jobs[i]);
    if (d < jobs[i].submit + jobs[i].requested) {
      ++result.infeasible_deadlines;
      d = jobs[i].submit + jobs[i].requested;
    }
    result.deadlines[i] = d;
    lo = std::min(lo, jobs[i].submit);
    hi = std::max(hi, d + jobs[i].runtime);
  }
  // Queueing can push jobs past their deadlines; leave room for that in the grid.
  const Grid grid = grid_in.tiled_to_cover(lo, hi + hours(24 * 30));
  result.grid_gaps = grid_in.gaps();
  result.has_prices = grid.has_prices();
  const Forecaster forecaster(grid, config.forecast);
  // Error-aware plans: the error each job's planner knows, measured walk-forward.
  std::optional<ErrorProfiles> error_profiles;
  if (config.ebb_policy.error_weight > 0 && n > 0) error_profiles.emplace(forecaster, grid, lo, hi);

  std::vector<double> watts(n);
  for (std::size_t i = 0; i < n; ++i) {
    JobRequest req;
    req.tasks = jobs[i].cores;
    req.memory_gb = jobs[i].memory_gb;
    req.time_limit = jobs[i].requested;
    watts[i] = config.power.watts(req);
  }

  Policy carbon_only;
  carbon_only.objective = Objective::carbon;
  carbon_only.min_saving_percent = 0;
  Policy oracle_policy = config.ebb_policy;
  oracle_policy.min_saving_percent = 0;
  oracle_policy.error_weight = 0;  // it sees the actual
  if (oracle_policy.objective == Objective::balanced) oracle_policy.objective = Objective::carbon;

  auto request_for = [&](std::size_t i, std::optional<Duration> expected) {
    PlanRequest r;
    r.now = jobs[i].submit;
    r.deadline = result.deadlines[i];
    r.time_limit = jobs[i].requested;
    r.expected_runtime = expected;
    r.power_watts = watts[i];
    if (error_profiles) r.error_by_lead = error_profiles->at(jobs[i].submit);
    return r;
  };
  auto safe_plan = [&](std::size_t i, const PlanRequest& r, const SignalSeries& s, const Policy& p,
                       const std::vector<Interval>& forbidden) -> TimePoint {
    if (result.deadlines[i] - jobs[i].requested <= jobs[i].submit) return jobs[i].submit;
    try {
      Decision d = plan(r, s, p, forbidden);
      return d.defer ? d.start : jobs[i].submit;
    } catch (const InputError&) {
      return jobs[i].submit;
    }
  };

  // What ebb believes each job will run: its limit, an online prediction, or the truth.
  std::vector<Duration> believed(n);
  for (std::size_t i = 0; i < n; ++i) believed[i] = jobs[i].requested;
  if (config.runtime == RuntimeMode::actual) {
    for (std::size_t i = 0; i < n; ++i) believed[i] = jobs[i].runtime;
  } else if (config.runtime == RuntimeMode::predicted) {
    OnlinePredictions p = predict_online(jobs, config.predictor);
    believed = std::move(p.expected);
    result.runtime_accuracy = p.accuracy;
  }
  auto ebb_expected = [&](std::size_t i) -> std::optional<Duration> {
    if (config.runtime == RuntimeMode::limit) return std::nullopt;
    return believed[i];
  };
  const bool capacity_aware = config.capacity_aware && config.sim.cores > 0;
  CapacityRule rule = config.capacity;
  rule.cpus = static_cast<double>(config.sim.cores);

  // The baseline is always run: every other policy is measured against it.
  std::vector<PolicyKind> kinds{PolicyKind::baseline};
  for (PolicyKind k : config.policies)
    if (k != PolicyKind::baseline) kinds.push_back(k);

  for (PolicyKind kind : kinds) {
    auto t0 = SteadyClock::now();
    PolicyResult pr;
    pr.kind = kind;
    pr.name = to_string(kind);
    switch (kind) {
      case PolicyKind::baseline:
        pr.planned.resize(n);
        for (std::size_t i = 0; i < n; ++i) pr.planned[i] = jobs[i].submit;
        break;
      case PolicyKind::best_window:
        pr.planned = plan_all(n, config.threads, [&](std::size_t i) {
          auto view = forecaster.view(jobs[i].submit, jobs[i].submit, result.deadlines[i]);
          return safe_plan(i, request_for(i, std::nullopt), view, carbon_only, {});
        });
        break;
      case PolicyKind::ebb:
        if (capacity_aware) break;  // planned while the cluster runs, below
        pr.planned = plan_all(n, config.threads, [&](std::size_t i) {
          auto view = forecaster.view(jobs[i].submit, jobs[i].submit, result.deadlines[i]);
          return safe_plan(i, request_for(i, ebb_expected(i)), view, config.ebb_policy, {});
        });
        break;
      case PolicyKind::oracle:
        pr.planned = plan_all(n, config.threads, [&](std::size_t i) {
          SignalSeries actual(grid.slots_between(jobs[i].submit, result.deadlines[i]), "actual");
          return safe_plan(i, request_for(i, jobs[i].runtime), actual, oracle_policy, {});
        });
        break;
    }
    auto t1 = SteadyClock::now();
    std::vector<SimJob> sim(n);
    for (std::size_t i = 0; i < n; ++i)
      sim[i] = {jobs[i].submit,  pr.planned.empty() ? jobs[i].submit : pr.planned[i],
                jobs[i].runtime, jobs[i].requested,
                believed[i],     jobs[i].cores};
    SimOutcome outcome;
    if (kind == PolicyKind::ebb && capacity_aware) {
      // Each job is planned at its submit time against the cluster as it is then: what
      // runs, what waits, what ebb has already deferred. Jobs arrive in submit order.
      pr.planned.resize(n);
      std::vector<std::size_t> order(n);
      for (std::size_t i = 0; i < n; ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return jobs[a].submit < jobs[b].submit;
      });
      Cluster cluster(sim, config.sim);
      auto rule_now = [&] {
        CapacityRule r = rule;
        if (config.learn_runtime_share) r.runtime_share = cluster.runtime_share();
        return r;
      };
      // Queue slip, learned as the cluster runs: each deferred job's wait from its begin
      // time to its start, recorded as it starts (walk-forward by construction).
      SlipEstimator slips(config.slip);
      auto observe_starts = [&] {
        for (const auto& s : cluster.take_started())
          if (s.begin > jobs[s.job].submit)
            slips.add({s.begin, s.start, std::min<double>(jobs[s.job].cores, config.sim.cores),
                       jobs[s.job].requested});
      };
      auto slip_of = [&](std::size_t j, TimePoint now) -> std::optional<Duration> {
        if (!config.slip_auto) return std::nullopt;
        observe_starts();
        const double cpus = std::min<double>(jobs[j].cores, config.sim.cores);
        // The reserve binds just before the latest start: the slip of a job released then.
        auto slip = slips.estimate(now, cpus, jobs[j].requested,
                                   result.deadlines[j] - jobs[j].requested - hours(1));
        if (!slip || !config.slip_waiting) return slip;
        const auto cls = SlipEstimator::size_class(cpus, jobs[j].requested);
        cluster.queued([&](std::size_t q, TimePoint begin) {
          if (begin > jobs[q].submit && begin < now &&
              SlipEstimator::size_class(std::min<double>(jobs[q].cores, config.sim.cores),
                                        jobs[q].requested) == cls)
            slip = std::max(*slip, now - begin);
        });
        return slip;
      };
      auto load_now = [&](TimePoint now) {
        PartitionLoad load(rule_now());
        cluster.view([&](std::size_t, const QueuedJob& q) { load.add(q, now); });
        return load;
      };
      // Re-planning at t: each held job against the cluster less its own booking and the
      // forecast issued at t; a move updates the load for the next job. With the queue in
      // submit order, a job waiting now that was submitted after a held job is behind it in
      // line and cannot delay it, so held jobs are re-planned in submit order against the
      // running jobs, ebb's other bookings (they count toward the starts per minute, and a
      // job moved into their room would delay them) and the waiting jobs submitted before.
      std::vector<std::uint32_t> moves(n, 0);
      const bool ahead_only = config.sim.age_from_submit && config.replan_ahead_only;
      // Congestion prices of the last re-plan, and the forecast ebb plans on with them.
      CongestionPrices prices;
      const bool priced = config.congestion != CongestionMode::off;
      const bool follow_flow = config.congestion == CongestionMode::flow;
      std::vector<std::size_t> flexible_jobs;  // the held jobs of the last solve, in its order
      auto ebb_view = [&](TimePoint now, TimePoint to) {
        auto view = forecaster.view(now, now, to);
        return priced ? priced_forecast(view, prices, config.ebb_policy) : view;
      };
      // The held jobs as the flow's flexible work, against the load of everything else.
      auto reprice = [&](TimePoint t) {
        const CapacityRule r = rule_now();
        PartitionLoad committed(r);
        std::vector<FlexibleJob> flexible;
        flexible_jobs.clear();
        TimePoint until = t + config.congestion_settings.horizon;
        const double share = std::clamp(r.runtime_share, 0.0, 1.0);
        cluster.view([&](std::size_t j, const QueuedJob& q) {
          if (!q.deferred_by_ebb) {
            committed.add(q, t);
            return;
          }
          FlexibleJob f;
          f.earliest = t;  // held since its submit, which is past
          f.latest_start = result.deadlines[j] - jobs[j].requested;
          f.runtime = Duration{std::llround(static_cast<double>(q.expected.count()) * share)};
          f.cpus = q.cpus;
          until = std::max(until, f.latest_start + f.runtime);
          flexible.push_back(f);
          flexible_jobs.push_back(j);
        });
        prices =
            CongestionPrices::solve(t, forecaster.view(t, t, until), committed.projected(t), r.cpus,
                                    flexible, config.ebb_policy, config.congestion_settings);
      };
      auto replan_at = [&](TimePoint t) {
        cluster.advance_to(t);
        if (priced) reprice(t);
        if (!cluster.holds()) return;
        if (follow_flow) {
          // Each held job begins in the first hour the flow gives it work.
          for (std::size_t k = 0; k < flexible_jobs.size(); ++k) {
            const std::size_t j = flexible_jobs[k];
            const TimePoint begin = prices.first_hours()[k];
            if (begin == cluster.held_job(j).since) continue;
            cluster.rebegin(j, begin);
            pr.planned[j] = std::max(begin, t);
            ++moves[j];
            ++pr.moves;
          }
          return;
        }
        PartitionLoad load(rule_now());
        std::vector<std::pair<std::size_t, QueuedJob>> waiting;
        cluster.view([&](std::size_t j, const QueuedJob& q) {
          if (!ahead_only || q.state == QueuedJob::State::running || q.deferred_by_ebb)
            load.add(q, t);
          if (q.state != QueuedJob::State::running) waiting.emplace_back(j, q);
        });
        if (ahead_only)
          std::stable_sort(waiting.begin(), waiting.end(), [&](const auto& x, const auto& y) {
            return jobs[x.first].submit != jobs[y.first].submit
                       ? jobs[x.first].submit < jobs[y.first].submit
                       : x.first < y.first;
          });
        for (auto& [j, booking] : waiting) {
          if (!booking.deferred_by_ebb) {
            if (ahead_only) load.add(booking, t);
            continue;
          }
          load.remove(booking, t);
          HeldJob h;
          h.record.asked = jobs[j].submit;
          h.record.planned = booking.since;
          h.record.deadline = result.deadlines[j];
          h.record.latest_start = result.deadlines[j] - jobs[j].requested;
          h.record.objective = config.ebb_policy.objective;
          h.record.moves = moves[j];
          h.time_limit = jobs[j].requested;
          h.expected_runtime = ebb_expected(j);
          h.cpus = booking.cpus;
          h.power_watts = watts[j];
          h.slip = slip_of(j, t);
          const auto view = ebb_view(t, result.deadlines[j]);
          if (auto m = replan(h, t, load, view, config.ebb_policy, config.replan_rule)) {
            cluster.rebegin(j, m->begin);
            booking = cluster.held_job(j);
            // Released now, it still counts as a deferred start in this minute, so that one
            // refresh releases no more jobs than the starts per minute allow.
            pr.planned[j] = std::max(m->begin, t);
            ++moves[j];
            ++pr.moves;
          }
          load.add(booking, t);
        }
      };
      const bool replanning = config.replan_every > Duration{0} && n > 0;
      TimePoint tick = n ? std::chrono::floor<hours>(jobs[order.front()].submit) : TimePoint{};
      if (replanning) tick += config.replan_every;
      for (std::size_t i : order) {
        for (; replanning && tick <= jobs[i].submit; tick += config.replan_every) replan_at(tick);
        cluster.advance_to(jobs[i].submit);
        if (priced && config.congestion_each_submit) reprice(jobs[i].submit);
        const PlanRequest req = request_for(i, ebb_expected(i));
        PartitionLoad load = load_now(jobs[i].submit);
        const Duration window =
            std::min(req.expected_runtime.value_or(req.time_limit), req.time_limit);
        const auto forbidden = load.forbidden_starts(
            jobs[i].submit, result.deadlines[i] - jobs[i].requested, window,
            std::min<double>(jobs[i].cores, config.sim.cores), slip_of(i, jobs[i].submit));
        const auto view = ebb_view(jobs[i].submit, result.deadlines[i]);
        pr.planned[i] = safe_plan(i, req, view, config.ebb_policy, forbidden);
        cluster.submit(i, pr.planned[i]);
      }
      for (; replanning && cluster.holds(); tick += config.replan_every) replan_at(tick);
      outcome = cluster.finish();
      pr.job_moves = std::move(moves);
    } else {
      outcome = simulate(sim, config.sim);
    }
    result.cores_clamped = outcome.cores_clamped;
    pr.start = std::move(outcome.start);
    auto t2 = SteadyClock::now();
    result.seconds_planning += std::chrono::duration<double>(t1 - t0).count();
    result.seconds_simulating += std::chrono::duration<double>(t2 - t1).count();
    result.policies.push_back(std::move(pr));
  }

  // Scoring, always on the actual series.
  const PolicyResult& base = result.policies.front();
  double base_kg = 0, base_cost = 0, base_planned_kg = 0;
  for (std::size_t p = 0; p < result.policies.size(); ++p) {
    PolicyResult& pr = result.policies[p];
    pr.grams.resize(n);
    pr.job_kwh.resize(n);
    pr.job_cost.resize(n);
    std::vector<double> added(n);
    std::unordered_map<std::int64_t, std::size_t> per_minute, per_hour;
    double wait_sum = 0, gap_s = 0, cost = 0, grams = 0, kwh = 0, planned_grams = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double kw = watts[i] / 1000.0;
      const TimePoint s = pr.start[i];
      Integral in = grid.integrate(s, s + jobs[i].runtime);
      pr.grams[i] = kw * in.carbon_hours;
      planned_grams +=
          pr.planned[i] == s
              ? pr.grams[i]
              : kw * grid.integrate(pr.planned[i], pr.planned[i] + jobs[i].runtime).carbon_hours;
      grams += pr.grams[i];
      pr.job_cost[i] = result.has_prices ? kw * in.price_hours / 1000.0 : kNoPrice;
      pr.job_kwh[i] = kw * hours_of(jobs[i].runtime);
      cost += kw * in.price_hours / 1000.0;
      kwh += pr.job_kwh[i];
      gap_s += in.carbon_gap_seconds;
      wait_sum += hours_of(s - jobs[i].submit);
      added[i] = hours_of(s - base.start[i]);
      if (s + jobs[i].runtime > result.deadlines[i]) ++pr.deadline_misses;
      if (pr.planned[i] + jobs[i].requested > result.deadlines[i]) ++pr.planned_misses;
      const auto hour = std::chrono::floor<hours>(s).time_since_epoch().count();
      pr.peak_hour_starts = std::max(pr.peak_hour_starts, ++per_hour[hour]);
      if (pr.planned[i] > jobs[i].submit) {
        ++pr.deferred;
        auto m = std::chrono::floor<minutes>(pr.planned[i]).time_since_epoch().count();
        pr.peak_planned_starts = std::max(pr.peak_planned_starts, ++per_minute[m]);
      }
    }
    pr.energy_kwh = kwh;
    pr.kg_co2 = grams / 1000.0;
    pr.cost = result.has_prices ? cost : kNoPrice;
    pr.gap_job_hours = gap_s / 3600.0;
    pr.mean_wait_h = n ? wait_sum / static_cast<double>(n) : 0;
    double added_sum = 0;
    for (double a : added) added_sum += a;
    pr.mean_added_wait_h = n ? added_sum / static_cast<double>(n) : 0;
    pr.p95_added_wait_h = percentile(added, 0.95);
    if (p == 0) {
      base_planned_kg = planned_grams / 1000.0;
      base_kg = pr.kg_co2;
      base_cost = pr.cost;
    }
    pr.reduction_pct = base_kg > 0 ? 100.0 * (base_kg - pr.kg_co2) / base_kg : 0;
    pr.planned_reduction_pct =
        base_planned_kg > 0 ? 100.0 * (base_planned_kg - planned_grams / 1000.0) / base_planned_kg
                            : 0;
    pr.cost_reduction_pct = result.has_prices && base_cost != 0
                                ? 100.0 * (base_cost - pr.cost) / std::abs(base_cost)
                                : kNoPrice;
  }
  result.bound.kind = config.bound;
  if (config.bound == BoundKind::capacity) {
    if (config.sim.cores == 0) throw InputError("the capacity bound needs --cores");
    // Late work may go up to the baseline's own end, so the baseline is always a solution.
    std::vector<BoundJob> bound_jobs(n);
    for (std::size_t i = 0; i < n; ++i)
      bound_jobs[i] = {jobs[i].submit,
                       result.deadlines[i],
                       base.start[i] + jobs[i].runtime,
                       jobs[i].runtime,
                       std::min(jobs[i].cores, config.sim.cores),
                       watts[i]};
    const CapacityBound cb = capacity_bound(bound_jobs, grid, config.sim.cores);
    result.bound.reduction_pct =
        base_kg > 0 ? 100.0 * (base_kg - cb.grams / 1000.0) / base_kg : kNoPrice;
    result.bound.late_jobs = cb.late_jobs;
    result.bound.late_core_hours = cb.late_core_hours;
    result.bound.seconds = cb.seconds;
  } else {
    const PolicyResult* oracle = result.find(PolicyKind::oracle);
    result.bound.reduction_pct = oracle ? oracle->planned_reduction_pct : kNoPrice;
  }
  for (auto& pr : result.policies)
    pr.share_of_upper_bound =
        result.bound.reduction_pct > 0 ? pr.reduction_pct / result.bound.reduction_pct : kNoPrice;
  return result;
}

}  // namespace ebb::replay
