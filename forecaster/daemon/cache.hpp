// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd's disk cache, one set of files per region in CacheDir:
//   <region>.csv      the served forecast (provider slots, then extension slots), in the
//                     forecast-file CSV form, so the plugin can read it when ebbd is down;
//   <region>.json     the sidecar: when each source was last fetched, where the provider's
//                     own data ends (extension beyond), currency and kind;
//   <region>.history  hourly history for the extension (history.hpp).
// Every file is replaced atomically (temporary file, fsync, rename, fsync of the folder),
// so readers see the old or the new version, never a torn one. Files are mode 0644, the
// folder 0755, and only ebbd's user or root may write to it or any folder above it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ebb/signal.hpp"

namespace ebb::daemon {

// Every file ebbd writes goes through here: a temporary file with a random name next to
// `path`, created with O_EXCL|O_NOFOLLOW (never through a planted symlink), `mode` (0644:
// the plugin reads the cache; 0600 for what only ebbd may read) whatever the umask, fsync,
// rename onto `path`, fsync of the folder.
// Throws std::runtime_error naming the path and the failing call.
void write_file_atomically(const std::string& path, std::string_view content, unsigned mode = 0644);
// Creates CacheDir (and missing parents) mode 0755 whatever the umask, then refuses
// (std::runtime_error naming the folder and the fix) when it or any folder above it, as
// written or with symlinks resolved, is owned by another user than ebbd's or root, or is
// writable by group or others (sticky parents such as /tmp excepted). Warns when others
// cannot read it (the plugin's fallback).
void prepare_cache_dir(const std::string& cache_dir);
// Empty when the file does not exist; throws when it exists but cannot be read.
std::optional<std::string> read_file_if_present(const std::string& path);

struct CacheState {
  SignalSeries provider;                            // the provider's slots only
  std::map<std::string, TimePoint> fetched_at;      // "carbon", "price" -> last good fetch
  std::map<std::string, std::string> source_names;  // "carbon" -> "uk-carbon-intensity"
};

std::string sidecar_json(const std::string& region, const CacheState& state, TimePoint written_at);

// Reads <region>.csv and <region>.json; drops slots past the recorded provider end (the
// extension is recomputed). Empty when there is no cache; throws InputError when the
// files are unreadable or inconsistent.
std::optional<CacheState> load_cache(const std::string& cache_dir, const std::string& region);

}  // namespace ebb::daemon
