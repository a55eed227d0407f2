// SPDX-License-Identifier: GPL-2.0-or-later
// One region ebbd serves: its carbon source and optional price source, their last good
// data, the history for the extension, the disk cache, and the snapshot that HTTP
// handlers read.
//
// Threads: refresh() and rebuild() run on the region's refresher thread only; snapshot()
// may be called from any thread and returns an immutable value, so plans never wait
// for a fetch.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cache.hpp"
#include "clock.hpp"
#include "ebb/config.hpp"
#include "ebb/forecast_error.hpp"
#include "ebb/gridsource.hpp"
#include "history.hpp"
#include "metrics.hpp"
#include "settings.hpp"

namespace ebb::daemon {

struct RegionSnapshot {
  std::string region;
  SignalSeries series;                    // provider slots ending after `built_at`, then extension
  std::optional<TimePoint> fetched_at;    // the oldest of the sources' last good fetches
  std::optional<TimePoint> provider_end;  // where the provider's own data ends
  TimePoint built_at;
  bool stale = true;                // no data, or fetched_at older than StaleAfter
  ErrorSummary error;               // the measured error of what ebbd served before
  std::vector<double> mae_by_lead;  // per 6 h lead bucket, for error-aware plans
  bool has_data() const { return !series.empty(); }
};

class Region {
 public:
  // Throws SourceError or InputError when the region's settings are unusable.
  Region(const RegionSettings& settings, const DaemonSettings& daemon, const DaemonClock& clock,
         Metrics& metrics);

  const std::string& name() const { return name_; }
  // Loads the disk cache and history, if any, and builds the first snapshot.
  void load_cache();
  // Fetches every source once; keeps the last good data of a source that fails. Returns
  // true when every source succeeded. Rebuilds the snapshot and rewrites the cache.
  bool refresh();
  // Rebuilds the snapshot against the clock (staleness and extension move with time) and
  // rewrites the cache file when what it would serve changed.
  void rebuild() { rebuild(std::nullopt); }
  std::shared_ptr<const RegionSnapshot> snapshot() const;

 private:
  SignalSeries merged() const;
  // With `provider_fresh` (after a refresh), also records what it serves in the error
  // tracker: the provider's part only when the carbon source answered this time.
  void rebuild(std::optional<bool> provider_fresh);
  void track_error(TimePoint now, const SignalSeries& served, std::optional<bool> provider_fresh);
  void save(const RegionSnapshot& snapshot);

  std::string name_;
  const DaemonSettings& daemon_;
  const DaemonClock& clock_;
  Metrics& metrics_;
  std::unique_ptr<GridSource> carbon_source_;
  std::unique_ptr<GridSource> price_source_;  // may be null
  std::optional<SignalSeries> carbon_;        // last good data
  std::optional<SignalSeries> price_;
  std::map<std::string, TimePoint> fetched_at_;
  History history_;
  ForecastErrorTracker error_;  // refresher thread only; CacheDir/<region>.error
  std::string last_written_error_;
  std::string last_written_csv_;

  mutable std::mutex snapshot_mutex_;
  std::shared_ptr<const RegionSnapshot> snapshot_;
};

}  // namespace ebb::daemon
