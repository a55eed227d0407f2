#include "simulator.hpp"

#include <algorithm>
#include <numeric>
#include <queue>
#include <set>

namespace ebb::replay {

namespace {

using Clock = std::int64_t;  // seconds since epoch
Clock secs(TimePoint t) { return t.time_since_epoch().count(); }

struct Running {
  Clock expected_end;  // start + limit: what the scheduler believes
  std::uint32_t cores;
  std::size_t job;
  bool operator<(const Running& o) const {
    return expected_end != o.expected_end ? expected_end < o.expected_end : job < o.job;
  }
};

}  // namespace

SimOutcome simulate(const std::vector<SimJob>& jobs, const SimOptions& options) {
  SimOutcome out;
  out.start.resize(jobs.size());
  if (options.cores == 0) {
    for (std::size_t i = 0; i < jobs.size(); ++i) out.start[i] = jobs[i].begin;
    return out;
  }
  const std::uint32_t total = options.cores;
  std::vector<std::uint32_t> cores(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    cores[i] = std::min(std::max<std::uint32_t>(jobs[i].cores, 1), total);
    if (jobs[i].cores > total) ++out.cores_clamped;
  }
  // Eligibility order: begin time, then submit time, then input order.
  std::vector<std::size_t> order(jobs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (jobs[a].begin != jobs[b].begin) return jobs[a].begin < jobs[b].begin;
    return jobs[a].submit < jobs[b].submit;
  });

  // Completions: (actual end, job).
  std::priority_queue<std::pair<Clock, std::size_t>, std::vector<std::pair<Clock, std::size_t>>,
                      std::greater<>>
      ends;
  std::set<Running> running;
  std::vector<Clock> expected_end(jobs.size());
  std::vector<std::size_t> queue;  // eligible, waiting; in priority order
  std::size_t next = 0;
  std::uint32_t free = total;

  auto start_job = [&](std::size_t j, Clock now) {
    out.start[j] = TimePoint{std::chrono::seconds{now}};
    free -= cores[j];
    expected_end[j] = now + jobs[j].limit.count();
    running.insert({expected_end[j], cores[j], j});
    ends.push({now + jobs[j].runtime.count(), j});
  };

  auto schedule = [&](Clock now) {
    if (queue.empty() || free == 0) return;
    std::size_t head = 0;
    // Plain FCFS: start queue heads while they fit.
    while (head < queue.size() && cores[queue[head]] <= free) start_job(queue[head++], now);
    if (head > 0) queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(head));
    if (queue.empty() || free == 0) return;
    // EASY: the head's reservation (shadow time) from running jobs' expected ends.
    const std::uint32_t need = cores[queue.front()];
    std::uint32_t avail = free;
    Clock shadow = now;
    for (const Running& r : running) {
      avail += r.cores;
      shadow = std::max(r.expected_end, now);  // a job past its limit may end any moment
      if (avail >= need) break;
    }
    std::uint32_t extra = avail >= need ? avail - need : 0;
    std::size_t tested = 0;
    std::vector<std::size_t> kept;
    kept.reserve(queue.size());
    kept.push_back(queue.front());
    for (std::size_t q = 1; q < queue.size(); ++q) {
      std::size_t j = queue[q];
      if (free > 0 && tested < options.backfill_depth) {
        ++tested;
        if (cores[j] <= free) {
          bool ends_before = now + jobs[j].limit.count() <= shadow;
          if (ends_before || cores[j] <= extra) {
            if (!ends_before) extra -= cores[j];
            start_job(j, now);
            continue;
          }
        }
      }
      kept.push_back(j);
    }
    queue.swap(kept);
  };

  while (next < order.size() || !ends.empty()) {
    Clock t_begin = next < order.size() ? secs(jobs[order[next]].begin) : INT64_MAX;
    Clock t_end = !ends.empty() ? ends.top().first : INT64_MAX;
    Clock now = std::min(t_begin, t_end);
    while (!ends.empty() && ends.top().first == now) {
      std::size_t j = ends.top().second;
      ends.pop();
      free += cores[j];
      running.erase({expected_end[j], cores[j], j});
    }
    while (next < order.size() && secs(jobs[order[next]].begin) == now)
      queue.push_back(order[next++]);
    schedule(now);
  }
  return out;
}

}  // namespace ebb::replay
