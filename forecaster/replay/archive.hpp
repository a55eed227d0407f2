// SPDX-License-Identifier: GPL-2.0-or-later
// Forecasts as they were issued: an archive in the long format `issued_at,time,forecast`
// (one row per forecast value, e.g. the NESO GB national 48 h forecasts of 2023), so a
// replay can plan each job with the forecast it would really have had at its submit time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ebb/signal.hpp"

namespace ebb::replay {

class ForecastArchive {
 public:
  struct Snapshot {
    TimePoint issued;
    std::vector<Slot> slots;  // Origin::forecast, sorted; each value holds until the next
  };

  // Reads `issued_at,time,forecast` (header required, gzip allowed, rows in any order).
  // Errors name the file and the line.
  static ForecastArchive read(const std::string& path);
  explicit ForecastArchive(std::vector<Snapshot> snapshots, std::string source);

  // The latest snapshot issued strictly before `now` (a snapshot labelled with the
  // window in progress was fetched a moment after that window began), or nullptr.
  const Snapshot* latest_before(TimePoint now) const;
  const std::vector<Snapshot>& snapshots() const { return snapshots_; }
  const std::string& source() const { return source_; }

 private:
  std::vector<Snapshot> snapshots_;  // sorted by issue time
  std::string source_;
};

}  // namespace ebb::replay
