// SPDX-License-Identifier: GPL-2.0-or-later
// Keeps one region fresh on its own thread: fetches every RefreshInterval (jittered by
// +-10% so that many sites, or many regions, do not hit a provider in step), backs off
// after failures (30 s, 60 s, ... up to the interval), and rebuilds the snapshot every
// minute in between so staleness and the extension follow the clock.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "region.hpp"
#include "settings.hpp"

namespace ebb::daemon {

class Refresher {
 public:
  Refresher(Region& region, const DaemonSettings& settings)
      : region_(region), settings_(settings) {}
  Refresher(const Refresher&) = delete;
  Refresher& operator=(const Refresher&) = delete;
  ~Refresher() { stop(); }

  // Called on the refresher's thread after each successful fetch (set before start()).
  void on_fetch(std::function<void()> f) { on_fetch_ = std::move(f); }
  void start();
  void stop();  // wakes the thread and joins it; a fetch in progress finishes first

 private:
  void run();

  Region& region_;
  const DaemonSettings& settings_;
  std::function<void()> on_fetch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ebb::daemon
