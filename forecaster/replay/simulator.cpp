// SPDX-License-Identifier: GPL-2.0-or-later
#include "simulator.hpp"

#include <algorithm>
#include <numeric>

namespace ebb::replay {

namespace {

std::int64_t secs(TimePoint t) { return t.time_since_epoch().count(); }

}  // namespace

Cluster::Cluster(const std::vector<SimJob>& jobs, const SimOptions& options)
    : jobs_(jobs), options_(options) {
  out_.start.resize(jobs.size());
  cores_.resize(jobs.size());
  expected_end_.resize(jobs.size());
  begin_.resize(jobs.size());
  const std::uint32_t total = options.cores;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    cores_[i] = total ? std::min(std::max<std::uint32_t>(jobs[i].cores, 1), total)
                      : std::max<std::uint32_t>(jobs[i].cores, 1);
    if (total && jobs[i].cores > total) ++out_.cores_clamped;
  }
  free_ = total;
}

void Cluster::start_job(std::size_t j) {
  out_.start[j] = TimePoint{std::chrono::seconds{now_}};
  if (options_.cores) free_ -= cores_[j];
  expected_end_[j] = now_ + jobs_[j].limit.count();
  running_.insert({expected_end_[j], cores_[j], j});
  ends_.push({now_ + jobs_[j].runtime.count(), j});
  started_.push_back(j);
}

std::vector<Cluster::Started> Cluster::take_started() {
  std::vector<Started> out;
  out.reserve(started_.size());
  for (std::size_t j : started_)
    out.push_back({j, TimePoint{std::chrono::seconds{begin_[j]}}, out_.start[j]});
  started_.clear();
  return out;
}

void Cluster::schedule() {
  if (queue_.empty()) return;
  if (options_.cores == 0) {  // unlimited: everything eligible starts
    for (std::size_t j : queue_) start_job(j);
    queue_.clear();
    return;
  }
  if (free_ == 0) return;
  std::size_t head = 0;
  // Plain FCFS: start queue heads while they fit.
  while (head < queue_.size() && cores_[queue_[head]] <= free_) start_job(queue_[head++]);
  if (head > 0) queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(head));
  if (queue_.empty() || free_ == 0) return;
  // EASY: the head's reservation (shadow time) from running jobs' expected ends.
  const std::uint32_t need = cores_[queue_.front()];
  std::uint32_t avail = free_;
  Clock shadow = now_;
  for (const Running& r : running_) {
    avail += r.cores;
    shadow = std::max(r.expected_end, now_);  // a job past its limit may end any moment
    if (avail >= need) break;
  }
  std::uint32_t extra = avail >= need ? avail - need : 0;
  std::size_t tested = 0;
  std::vector<std::size_t> kept;
  kept.reserve(queue_.size());
  kept.push_back(queue_.front());
  for (std::size_t q = 1; q < queue_.size(); ++q) {
    std::size_t j = queue_[q];
    if (free_ > 0 && tested < options_.backfill_depth) {
      ++tested;
      if (cores_[j] <= free_) {
        bool ends_before = now_ + jobs_[j].limit.count() <= shadow;
        if (ends_before || cores_[j] <= extra) {
          if (!ends_before) extra -= cores_[j];
          start_job(j);
          continue;
        }
      }
    }
    kept.push_back(j);
  }
  queue_.swap(kept);
}

void Cluster::complete_at(Clock t) {
  while (!ends_.empty() && ends_.top().first == t) {
    std::size_t j = ends_.top().second;
    ends_.pop();
    if (options_.cores) free_ += cores_[j];
    run_sum_ += cores_[j] * static_cast<double>(jobs_[j].runtime.count());
    limit_sum_ +=
        cores_[j] * static_cast<double>(std::max(jobs_[j].limit, jobs_[j].runtime).count());
    running_.erase({expected_end_[j], cores_[j], j});
  }
}

void Cluster::enqueue(std::size_t j) {
  if (!options_.age_from_submit) {
    queue_.push_back(j);
    return;
  }
  // Ahead of every job submitted later (ties: input order).
  auto later = [&](std::size_t a, std::size_t b) {
    return jobs_[a].submit != jobs_[b].submit ? jobs_[a].submit < jobs_[b].submit : a < b;
  };
  queue_.insert(std::upper_bound(queue_.begin(), queue_.end(), j, later), j);
}

void Cluster::release_at(Clock t) {
  while (!held_.empty() && held_.begin()->begin == t) {
    enqueue(held_.begin()->job);
    held_.erase(held_.begin());
  }
}

Cluster::Clock Cluster::next_event() const {
  Clock t = INT64_MAX;
  if (!held_.empty()) t = held_.begin()->begin;
  if (!ends_.empty()) t = std::min(t, ends_.top().first);
  return t;
}

void Cluster::advance_to(TimePoint target) {
  const Clock until = secs(target);
  if (now_ != INT64_MIN && until > now_) schedule();  // what was submitted at now_
  for (Clock t = next_event(); t < until; t = next_event()) {
    now_ = t;
    complete_at(t);
    release_at(t);
    schedule();
  }
  now_ = std::max(now_, until);
  complete_at(now_);
  release_at(now_);
}

void Cluster::submit(std::size_t j, TimePoint begin) {
  begin_[j] = std::max(secs(begin), now_);
  if (begin_[j] == now_) {
    enqueue(j);
  } else {
    held_.insert({begin_[j], secs(jobs_[j].submit), j});
  }
}

SimOutcome Cluster::finish() {
  schedule();
  for (Clock t = next_event(); t != INT64_MAX; t = next_event()) {
    now_ = t;
    complete_at(t);
    release_at(t);
    schedule();
  }
  return std::move(out_);
}

void Cluster::rebegin(std::size_t j, TimePoint t) {
  auto it = held_.find(held_entry(j));
  if (it == held_.end()) return;  // released or started meanwhile: Slurm has it
  held_.erase(it);
  submit(j, t);
}

void Cluster::queued(const std::function<void(std::size_t, TimePoint)>& visit) const {
  for (std::size_t j : queue_) visit(j, TimePoint{std::chrono::seconds{begin_[j]}});
}

std::vector<std::size_t> Cluster::held() const {
  std::vector<std::size_t> out;
  out.reserve(held_.size());
  for (const Held& h : held_) out.push_back(h.job);
  return out;
}

QueuedJob Cluster::held_job(std::size_t j) const {
  QueuedJob q;
  q.state = QueuedJob::State::pending;
  q.since = TimePoint{std::chrono::seconds{begin_[j]}};
  q.expected = expected_of(j);
  q.cpus = cores_[j];
  q.deferred_by_ebb = true;
  return q;
}

double Cluster::runtime_share() const { return limit_sum_ > 0 ? run_sum_ / limit_sum_ : 1.0; }

Duration Cluster::expected_of(std::size_t j) const {
  return jobs_[j].expected.count() > 0 ? std::min(jobs_[j].expected, jobs_[j].limit)
                                       : jobs_[j].limit;
}

void Cluster::view(const std::function<void(std::size_t, const QueuedJob&)>& visit) const {
  QueuedJob q;
  for (const Running& r : running_) {
    q.state = QueuedJob::State::running;
    q.since = out_.start[r.job];
    q.expected = expected_of(r.job);
    q.cpus = r.cores;
    q.deferred_by_ebb = false;
    visit(r.job, q);
  }
  for (std::size_t j : queue_) {
    q.state = QueuedJob::State::pending;
    q.since = now();
    q.expected = expected_of(j);
    q.cpus = cores_[j];
    q.deferred_by_ebb = false;
    visit(j, q);
  }
  for (const Held& h : held_) visit(h.job, held_job(h.job));
}

SimOutcome simulate(const std::vector<SimJob>& jobs, const SimOptions& options) {
  // Submissions in submit order (input order among equals); each with its begin time.
  std::vector<std::size_t> order(jobs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return jobs[a].submit < jobs[b].submit; });
  Cluster cluster(jobs, options);
  for (std::size_t j : order) {
    cluster.advance_to(jobs[j].submit);
    cluster.submit(j, std::max(jobs[j].begin, jobs[j].submit));
  }
  return cluster.finish();
}

}  // namespace ebb::replay
