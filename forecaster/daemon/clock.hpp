// SPDX-License-Identifier: GPL-2.0-or-later
// The daemon's clock. Normally the system's UTC clock; tests start ebbd with
// --now TIME (or EBB_NOW=TIME) to make it believe the clock read TIME at start-up. The
// pretend clock then runs at the real rate, so refresh schedules behave as usual while
// forecasts, staleness and extensions are judged against days the test chose.
#pragma once

#include <optional>

#include "ebb/time.hpp"

namespace ebb::daemon {

class DaemonClock {
 public:
  explicit DaemonClock(std::optional<TimePoint> pretend_start = std::nullopt)
      : offset_(pretend_start ? *pretend_start - now_utc() : Duration{0}) {}
  TimePoint now() const { return now_utc() + offset_; }
  bool pretending() const { return offset_ != Duration{0}; }

 private:
  Duration offset_;
};

}  // namespace ebb::daemon
