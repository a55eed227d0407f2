// SPDX-License-Identifier: GPL-2.0-or-later
#include "refresher.hpp"

#include <algorithm>
#include <random>

#include "log.hpp"

namespace ebb::daemon {

void Refresher::start() {
  thread_ = std::thread([this] { run(); });
}

void Refresher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Refresher::run() {
  using Clock = std::chrono::steady_clock;
  std::mt19937 random(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.9, 1.1);
  const auto interval = std::chrono::duration<double>(settings_.refresh_interval);
  const auto rebuild_every = std::min<Clock::duration>(
      std::chrono::duration_cast<Clock::duration>(interval), std::chrono::minutes(1));
  int failures = 0;
  for (;;) {
    bool ok = false;
    try {
      ok = region_.refresh();
    } catch (const std::exception& e) {  // keep the thread alive; the next round may work
      log_error("region " + region_.name() + ": refresh failed: " + e.what());
    }
    failures = ok ? 0 : failures + 1;
    if (ok && on_fetch_) on_fetch_();
    std::chrono::duration<double> wait = interval;
    if (!ok) {
      wait = std::min(interval,
                      std::chrono::duration<double>(30.0 * (1 << std::min(failures - 1, 10))));
    }
    auto next_fetch =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(wait * jitter(random));
    for (;;) {
      auto next_rebuild = std::min(next_fetch, Clock::now() + rebuild_every);
      std::unique_lock lock(mutex_);
      if (wake_.wait_until(lock, next_rebuild, [this] { return stopping_; })) return;
      lock.unlock();
      if (Clock::now() >= next_fetch) break;
      try {
        region_.rebuild();
      } catch (const std::exception& e) {
        log_error("region " + region_.name() + ": " + e.what());
      }
    }
  }
}

}  // namespace ebb::daemon
