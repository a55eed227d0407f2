// SPDX-License-Identifier: GPL-2.0-or-later
// A piece of ebbd's work repeated on a thread of its own every `every` until stopped (the
// first round at once); stop() wakes it from its wait and joins it. The work catches its
// own errors: a round that fails leaves the thread running for the next.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "ebb/time.hpp"

namespace ebb::daemon {

class PeriodicTask {
 public:
  PeriodicTask(Duration every, std::function<void()> work)
      : every_(every), work_(std::move(work)) {}
  ~PeriodicTask() { stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void start() {
    if (every_ <= Duration{0} || thread_.joinable()) return;
    thread_ = std::thread([this] {
      for (;;) {
        work_();
        std::unique_lock lock(mutex_);
        if (wake_.wait_for(lock, every_, [this] { return stopping_; })) return;
      }
    });
  }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  Duration every_;
  std::function<void()> work_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ebb::daemon
