// SPDX-License-Identifier: GPL-2.0-or-later
#include "cache.hpp"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "ebb/daemon_client.hpp"
#include "ebb/error.hpp"
#include "ebb/forecast_file.hpp"
#include "ebb/posix.hpp"
#include "log.hpp"

namespace ebb::daemon {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

namespace {}  // namespace

void write_file_atomically(const std::string& path, std::string_view content, unsigned mode) {
  auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  UniqueFd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.get() < 0) fail("cannot open folder", dir);
  // A fresh, unguessable name created exclusively (O_EXCL also refuses a symlink there, even
  // a dangling one): a name built from ebbd's public pid let anyone who could write to the
  // folder plant a symlink and have ebbd overwrite its target.
  std::string temp_name, temp;
  int raw = -1;
  for (int attempt = 0; attempt < 100 && raw < 0; ++attempt) {
    temp_name = "." + name + ".tmp." + random_hex(8);
    temp = dir + "/" + temp_name;
    raw = ::openat(d.get(), temp_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                   static_cast<mode_t>(mode & 0600));
    if (raw < 0 && errno != EEXIST) fail("cannot create", temp);
  }
  if (raw < 0) fail("cannot create", temp);
  auto give_up = [&](const char* what) {
    int saved = errno;
    ::unlinkat(d.get(), temp_name.c_str(), 0);
    errno = saved;
    fail(what, temp);
  };
  {
    UniqueFd fd(raw);
    if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0)
      give_up("cannot chmod");  // whatever the umask
    const char* p = content.data();
    std::size_t left = content.size();
    while (left > 0) {
      ssize_t n = ::write(fd.get(), p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) give_up("cannot write");
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) give_up("cannot fsync");
    if (::close(fd.release()) != 0) give_up("cannot close");
  }
  // rename() replaces whatever is at `path`, a symlink included, without following it.
  if (::renameat(d.get(), temp_name.c_str(), d.get(), name.c_str()) != 0) {
    int saved = errno;
    ::unlinkat(d.get(), temp_name.c_str(), 0);
    errno = saved;
    fail("cannot rename onto", path);
  }
  ::fsync(d.get());  // make the rename itself durable
}

namespace {

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Throws naming `what` (CacheDir ...) and `path` when someone other than this process's
// user or root could change what is at `path`.
void check_not_writable_by_others(const std::string& what, const std::string& path,
                                  const struct stat& st, bool is_cache_dir) {
  const uid_t me = ::geteuid();
  if (st.st_uid != me && st.st_uid != 0) {
    throw std::runtime_error(what + ": " + path + " is owned by uid " + std::to_string(st.st_uid) +
                             ", not by ebbd's user (uid " + std::to_string(me) +
                             ") or root; refusing to start. Run: chown " + std::to_string(me) +
                             " " + path);
  }
  if (S_ISLNK(st.st_mode)) return;  // its folder is checked too; its target is checked below
  // A sticky world-writable parent such as /tmp is safe: others cannot rename or delete what
  // is ours in it. The cache folder itself must not let others create files at all (they
  // could plant the cache files that the plugin reads).
  const bool sticky = (st.st_mode & S_ISVTX) != 0 && !is_cache_dir;
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && !sticky) {
    throw std::runtime_error(what + ": " + path + " is writable by group or others (mode " +
                             mode_text(st.st_mode) +
                             "); refusing to start. ebbd's cache and every folder above it "
                             "must be writable only by ebbd's user or root. Run: chmod go-w " +
                             path);
  }
}

// Calls `each` with every prefix of the absolute path `path`: "/", "/a", "/a/b".
template <class F>
void for_each_prefix(const std::string& path, F each) {
  each(std::string("/"));
  for (std::size_t i = 1; i <= path.size(); ++i) {
    if ((i == path.size() || path[i] == '/') && path[i - 1] != '/') each(path.substr(0, i));
  }
}

}  // namespace

void prepare_cache_dir(const std::string& configured) {
  std::string dir = configured;
  if (dir.empty()) throw std::runtime_error("CacheDir is empty");
  if (dir.front() != '/') {
    char cwd[4096];
    if (!::getcwd(cwd, sizeof cwd)) fail("cannot resolve CacheDir", dir);
    dir = std::string(cwd) + "/" + dir;
  }
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const std::string what = "CacheDir " + configured;
  // Create what is missing, mode 0755 whatever the umask: with umask 077 the folder came out
  // 0700 and users' sbatch could not read the fallback cache.
  for_each_prefix(dir, [&](const std::string& prefix) {
    if (::mkdir(prefix.c_str(), 0755) == 0) {
      if (::chmod(prefix.c_str(), 0755) != 0) fail("cannot chmod", prefix);
    } else if (errno != EEXIST) {
      fail("cannot create cache folder", prefix);
    }
  });
  // Every folder on the way, as written and as resolved (a symlink's folder decides who can
  // replace the symlink; its target's folders who can change what it points to).
  for_each_prefix(dir, [&](const std::string& prefix) {
    struct stat st {};
    if (::lstat(prefix.c_str(), &st) != 0) fail("cannot stat", prefix);
    check_not_writable_by_others(what, prefix, st, prefix == dir);
  });
  char* resolved = ::realpath(dir.c_str(), nullptr);
  if (!resolved) fail("cannot resolve CacheDir", dir);
  const std::string real(resolved);
  std::free(resolved);
  struct stat st {};
  for_each_prefix(real, [&](const std::string& prefix) {
    if (::stat(prefix.c_str(), &st) != 0) fail("cannot stat", prefix);
    check_not_writable_by_others(what, prefix, st, prefix == real);
  });
  if (!S_ISDIR(st.st_mode)) throw std::runtime_error(what + ": not a folder");
  if ((st.st_mode & (S_IROTH | S_IXOTH)) != (S_IROTH | S_IXOTH)) {
    log_warning(what + " is mode " + mode_text(st.st_mode) +
                ": users' sbatch cannot read the fallback cache when ebbd is down. Run: chmod "
                "755 " +
                real);
  }
}

std::optional<std::string> read_file_if_present(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::nullopt;
    throw InputError("cannot read " + path + ": " + std::strerror(errno));
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string sidecar_json(const std::string& region, const CacheState& state, TimePoint written_at) {
  nlohmann::json sources = nlohmann::json::object();
  for (const auto& [role, name] : state.source_names) {
    nlohmann::json entry = {{"name", name}, {"fetched_at", nullptr}};
    if (auto it = state.fetched_at.find(role); it != state.fetched_at.end()) {
      entry["fetched_at"] = format_utc(it->second);
    }
    sources[role] = entry;
  }
  nlohmann::json j = {
      {"region", region},
      {"currency", state.provider.currency},
      {"kind", state.provider.kind == SignalKind::marginal ? "marginal" : "average"},
      {"provider_end", state.provider.empty() ? nlohmann::json(nullptr)
                                              : nlohmann::json(format_utc(state.provider.end()))},
      {"sources", sources},
      {"written_at", format_utc(written_at)}};
  return j.dump(2) + "\n";
}

std::optional<CacheState> load_cache(const std::string& cache_dir, const std::string& region) {
  std::string csv_path = cache_file_path(cache_dir, region);
  std::string json_path = csv_path.substr(0, csv_path.size() - 4) + ".json";
  auto csv = read_file_if_present(csv_path);
  auto json = read_file_if_present(json_path);
  if (!csv || !json) return std::nullopt;

  CacheState state;
  SignalSeries all = parse_forecast_csv(*csv, csv_path);
  std::optional<TimePoint> provider_end;

  simdjson::dom::parser parser;
  auto doc = parser.parse(*json);
  if (doc.error()) throw InputError(json_path + ": not valid JSON");
  simdjson::dom::element root = doc.value();
  std::string_view text;
  if (!root["currency"].get(text)) all.currency = std::string(text);
  if (!root["kind"].get(text)) {
    all.kind = text == "marginal" ? SignalKind::marginal : SignalKind::average;
  }
  if (!root["provider_end"].get(text)) provider_end = parse_iso8601(text);
  simdjson::dom::object sources;
  if (!root["sources"].get(sources)) {
    for (auto [role, entry] : sources) {
      std::string r(role);
      if (!entry["name"].get(text)) state.source_names[r] = std::string(text);
      if (!entry["fetched_at"].get(text)) state.fetched_at[r] = parse_iso8601(text);
    }
  }

  std::vector<Slot> slots;
  for (const Slot& s : all.slots()) {
    if (provider_end && s.start >= *provider_end) break;
    slots.push_back(s);
  }
  state.provider = SignalSeries(std::move(slots), csv_path);
  state.provider.region = region;
  state.provider.currency = all.currency;
  state.provider.kind = all.kind;
  return state;
}

}  // namespace ebb::daemon
