#include "cache.hpp"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "ebb/daemon_client.hpp"
#include "ebb/error.hpp"
#include "ebb/forecast_file.hpp"

namespace ebb::daemon {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace

void write_file_atomically(const std::string& path, std::string_view content) {
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  {
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) fail("cannot create", temp);
    ::fchmod(fd.get(), 0644);  // readable by the plugin whatever the umask
    const char* p = content.data();
    std::size_t left = content.size();
    while (left > 0) {
      ssize_t n = ::write(fd.get(), p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        ::unlink(temp.c_str());
        fail("cannot write", temp);
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) {
      ::unlink(temp.c_str());
      fail("cannot fsync", temp);
    }
    if (::close(fd.release()) != 0) fail("cannot close", temp);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    fail("cannot rename onto", path);
  }
  // Make the rename itself durable.
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.get() >= 0) ::fsync(d.get());
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
