// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd under abuse, as a real process on loopback: its cache is never written
// through a planted symlink and keeps its modes under umask 077, a cache folder that others
// can write is refused, request bodies are bounded however they are framed, slow clients
// cannot starve /v1/health, and ambiguous framing is refused.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "ebb/forecast_file.hpp"
#include "http_guard.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using ebb::daemon::examine_request;
using ebb::daemon::Framing;
using ebb::test::Daemon;
using ebb::test::TempDir;

namespace {

const auto kT0 = ebb::parse_iso8601("2026-11-23T10:00:00Z");

// One region fed from a forecast file, refreshed every 2 seconds, cache in `cache_dir`.
std::string write_config(const TempDir& dir, const std::string& cache_dir) {
  ebb::test::write_text(dir.file("provider.csv"),
                        ebb::test::synthetic_forecast_csv(kT0 - ebb::hours(2), 30min, 96));
  ebb::test::write_text(dir.file("ebb.conf"),
                        "CacheDir=" + cache_dir + "\nRefreshInterval=0:02\nRegionName=GB " +
                            "CarbonSource=file CarbonFile=" + dir.file("provider.csv") +
                            " PriceSource=file PriceFile=" + dir.file("provider.csv") + "\n");
  return dir.file("ebb.conf");
}

std::vector<std::string> daemon_args() { return {"--now", ebb::format_utc(kT0)}; }

void wait_for_forecast(const Daemon& d) {
  REQUIRE(ebb::test::wait_until([&] { return d.get("/v1/forecast?region=gb").status == 200; }));
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

ino_t inode_of(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

// kB from /proc/PID/status, e.g. "VmRSS" or "VmHWM" (the peak).
long proc_status_kb(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  }
  return -1;
}

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Reads until the peer closes or `limit` passes.
std::string read_until_closed(int fd, std::chrono::milliseconds limit) {
  std::string out;
  auto end = std::chrono::steady_clock::now() + limit;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    end - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// Sends raw request bytes; returns the status of the answer (0 if none) and its text.
std::pair<int, std::string> raw_exchange(int port, const std::string& request) {
  int fd = connect_to(port);
  send_all(fd, request);
  std::string answer = read_until_closed(fd, 5s);
  ::close(fd);
  int status = 0;
  if (answer.rfind("HTTP/1.1 ", 0) == 0) status = std::stoi(answer.substr(9, 3));
  return {status, answer};
}

}  // namespace

TEST_CASE("ebbd never writes its cache through a planted symlink", "[daemon][security]") {
  TempDir dir;
  std::filesystem::create_directory(dir.file("cache"));
  ::chmod(dir.file("cache").c_str(), 0755);
  std::filesystem::create_directory(dir.file("victim"));
  Daemon ebbd(write_config(dir, dir.file("cache")), dir.path(), daemon_args());
  wait_for_forecast(ebbd);

  // Every temporary name the old writer used (<file>.tmp.<pid>, the pid is public), and a
  // symlink at a final name, each pointing at a file ebbd can write.
  const std::string pid = std::to_string(ebbd.pid());
  std::vector<std::pair<std::string, std::string>> planted;
  int n = 0;
  for (const char* file : {"gb.csv", "gb.json", "gb.history"}) {
    planted.emplace_back(dir.file("cache/") + file + ".tmp." + pid,
                         dir.file("victim/" + std::to_string(n++)));
  }
  planted.emplace_back(dir.file("cache/gb.json"), dir.file("victim/final"));
  for (const auto& [link, target] : planted) {
    ebb::test::write_text(target, "precious\n");
    ::chmod(target.c_str(), 0600);
    std::filesystem::remove(link);
    std::filesystem::create_symlink(target, link);
  }

  // Two rewrites of every file: a changed forecast each time (RefreshInterval is 2 s; the
  // forecast is only written when it changed).
  for (int round = 0; round < 2; ++round) {
    std::map<std::string, ino_t> before;
    for (const char* file : {"gb.csv", "gb.json", "gb.history"})
      before[file] = inode_of(dir.file("cache/") + file);
    ebb::test::write_text(dir.file("provider.csv"), ebb::test::synthetic_forecast_csv(
                                                        kT0 - ebb::hours(2), 30min, 100 + round));
    REQUIRE(ebb::test::wait_until([&] {
      for (const auto& [file, inode] : before) {
        if (inode_of(dir.file("cache/") + file) == inode) return false;
      }
      return true;
    }));
  }
  for (const auto& [link, target] : planted) {
    INFO(link << " -> " << target);
    CHECK(ebb::test::read_text(target) == "precious\n");
    CHECK(mode_of(target) == 0600);
  }
  // The final names are the cache's own regular files again, readable by everyone.
  for (const char* file : {"gb.csv", "gb.json", "gb.history"}) {
    INFO(file);
    CHECK(std::filesystem::is_regular_file(
        std::filesystem::symlink_status(dir.file("cache/") + file)));
    CHECK(mode_of(dir.file("cache/") + file) == 0644);
  }
  CHECK(ebb::read_forecast_file(dir.file("cache/gb.csv")).begin() >= kT0);
  // No temporary file is left behind (once ebbd has stopped: it rewrites every 2 s); the
  // planted links are left alone.
  CHECK(ebbd.stop() == 0);
  for (const auto& entry : std::filesystem::directory_iterator(dir.file("cache"))) {
    std::string name = entry.path().filename().string();
    bool planted_link = name.find(".tmp." + pid) != std::string::npos;
    if (!planted_link) CHECK(name.find(".tmp.") == std::string::npos);
  }
}

TEST_CASE("under umask 077 ebbd still makes its cache folder 0755 and its files 0644",
          "[daemon][security]") {
  TempDir dir;
  const std::string conf = write_config(dir, dir.file("var/cache/ebb"));
  mode_t old = ::umask(077);
  auto run = [&] { return std::make_unique<Daemon>(conf, dir.path(), daemon_args()); };
  std::unique_ptr<Daemon> ebbd;
  try {
    ebbd = run();
  } catch (...) {
    ::umask(old);
    throw;
  }
  ::umask(old);
  wait_for_forecast(*ebbd);
  for (const char* folder : {"var", "var/cache", "var/cache/ebb"}) {
    INFO(folder);
    CHECK(mode_of(dir.file(folder)) == 0755);
  }
  for (const char* file : {"gb.csv", "gb.json", "gb.history"}) {
    const std::string path = dir.file("var/cache/ebb/") + file;
    REQUIRE(ebb::test::wait_until([&] { return std::filesystem::exists(path); }));
    INFO(file);
    CHECK(mode_of(path) == 0644);
  }
}

TEST_CASE("ebbd refuses to start with a cache folder that others can write", "[daemon][security]") {
  TempDir dir;
  auto refused = [&](const std::string& cache, const std::string& says) {
    const std::string conf = write_config(dir, cache);
    const std::string log = dir.file("refused.log");
    std::filesystem::remove(log);
    int status =
        ebb::test::run_ebbd({"--config", conf, "--once", "--now", ebb::format_utc(kT0)}, log);
    std::string text = ebb::test::read_text(log);
    INFO(text);
    CHECK(status != 0);
    CHECK(text.find(says) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(cache + "/gb.csv"));
  };

  // The cache folder itself group-writable.
  std::filesystem::create_directory(dir.file("shared"));
  ::chmod(dir.file("shared").c_str(), 0775);
  refused(dir.file("shared"), "CacheDir " + dir.file("shared") + ": " + dir.file("shared") +
                                  " is writable by group or others (mode 0775)");
  // A folder above it writable by everyone (not sticky).
  std::filesystem::create_directories(dir.file("open/cache"));
  ::chmod(dir.file("open").c_str(), 0777);
  ::chmod(dir.file("open/cache").c_str(), 0755);
  refused(dir.file("open/cache"), dir.file("open") + " is writable by group or others (mode 0777)");
  // ... also when reached through a symlink.
  std::filesystem::create_directory_symlink(dir.file("open/cache"), dir.file("link"));
  refused(dir.file("link"), dir.file("open") + " is writable by group or others");
  // A sticky one, like /tmp, is fine.
  std::filesystem::create_directories(dir.file("sticky/cache"));
  ::chmod(dir.file("sticky").c_str(), 01777);
  CHECK(ebb::test::run_ebbd({"--config", write_config(dir, dir.file("sticky/cache")), "--once",
                             "--now", ebb::format_utc(kT0)},
                            dir.file("sticky.log")) == 0);
  CHECK(std::filesystem::exists(dir.file("sticky/cache/gb.csv")));

  if (::geteuid() == 0) {  // only root can hand a folder to another user
    std::filesystem::create_directory(dir.file("theirs"));
    ::chmod(dir.file("theirs").c_str(), 0755);
    REQUIRE(::chown(dir.file("theirs").c_str(), 65534, 65534) == 0);
    refused(dir.file("theirs"), dir.file("theirs") + " is owned by uid 65534");
  } else {
    WARN("not root: the check of a cache folder owned by another user is skipped");
  }
}

TEST_CASE("a chunked 100 MB POST is refused and ebbd's memory stays small", "[daemon][security]") {
  TempDir dir;
  Daemon ebbd(write_config(dir, dir.file("cache")), dir.path(), daemon_args());
  wait_for_forecast(ebbd);
  const long rss_before = proc_status_kb(ebbd.pid(), "VmRSS");
  REQUIRE(rss_before > 0);

  int fd = connect_to(ebbd.port());
  REQUIRE(send_all(fd,
                   "POST /v1/plan HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n"));
  const std::string chunk = "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
  std::size_t sent = 0;
  const auto started = std::chrono::steady_clock::now();
  while (sent < 100u * 1024 * 1024 && std::chrono::steady_clock::now() - started < 60s) {
    if (!send_all(fd, chunk)) break;  // ebbd closed the connection
    sent += 0x10000;
  }
  if (sent >= 100u * 1024 * 1024) send_all(fd, "0\r\n\r\n");
  std::string answer = read_until_closed(fd, 5s);
  ::close(fd);
  const long rss_after = proc_status_kb(ebbd.pid(), "VmRSS");
  const long peak = proc_status_kb(ebbd.pid(), "VmHWM");
  INFO("sent " << sent / 1024 << " KiB; VmRSS " << rss_before << " kB -> " << rss_after
               << " kB, peak " << peak << " kB; answer: " << answer.substr(0, 200));
  CHECK(sent < 100u * 1024 * 1024);  // cut off long before the end
  // The answer (413) may be lost to the reset of a connection with unread data; what
  // matters is that ebbd did not buffer the body.
  if (!answer.empty()) CHECK(answer.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(peak < rss_before + 16 * 1024);
  CHECK(rss_after < rss_before + 16 * 1024);
  CHECK(ebbd.get("/v1/health").status == 200);

  // A small chunked plan request is still fine.
  const std::string plan = R"({"time_limit":3600,"max_delay":7200})";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", plan.size());
  auto [status, text] =
      raw_exchange(ebbd.port(),
                   "POST /v1/plan HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n" +
                       std::string(size) + "\r\n" + plan + "\r\n0\r\n\r\n");
  INFO(text);
  CHECK(status == 200);
}

TEST_CASE("slow-drip connections do not stop /v1/health from answering", "[daemon][security]") {
  TempDir dir;
  Daemon ebbd(write_config(dir, dir.file("cache")), dir.path(), daemon_args());
  wait_for_forecast(ebbd);

  // Twice as many clients as ebbd has HTTP threads (8), each sending a header line a second.
  constexpr int kClients = 16;
  std::vector<int> fds;
  for (int i = 0; i < kClients; ++i) {
    fds.push_back(connect_to(ebbd.port()));
    REQUIRE(send_all(fds.back(), "GET /v1/health HTTP/1.1\r\nHost: localhost\r\n"));
  }
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::optional<double>> cut_off(kClients);
  int answered = 0;
  for (int second = 0; second < 16; ++second) {
    for (int i = 0; i < kClients; ++i) {
      if (cut_off[i]) continue;
      pollfd p{fds[static_cast<std::size_t>(i)], POLLIN, 0};
      bool closed = ::poll(&p, 1, 0) > 0 || !send_all(fds[static_cast<std::size_t>(i)],
                                                      "X-Drip: " + std::to_string(second) + "\r\n");
      if (closed) {
        cut_off[i] =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      }
    }
    if (second < 4) {
      const auto asked = std::chrono::steady_clock::now();
      ebb::http::Response r;
      try {
        r = ebb::http::request(ebbd.address(), "GET", "/v1/health", "", 1s);
      } catch (const std::exception& e) {
        FAIL_CHECK("/v1/health did not answer within a second: " << e.what());
      }
      INFO("second "
           << second << ": "
           << std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count()
           << " s");
      CHECK(r.status == 200);
      answered += r.status == 200;
    }
    if (std::all_of(cut_off.begin(), cut_off.end(), [](const auto& t) { return t.has_value(); }))
      break;
    std::this_thread::sleep_for(1s);
  }
  CHECK(answered == 4);
  // ebbd cuts a request off when it has not arrived whole after 10 s.
  for (int i = 0; i < kClients; ++i) {
    INFO("client " << i);
    REQUIRE(cut_off[i]);
    CHECK(*cut_off[i] >= 8.0);
    CHECK(*cut_off[i] <= 13.0);
  }
  for (int fd : fds) ::close(fd);
}

TEST_CASE("ambiguous framing and oversized bodies are refused", "[daemon][security]") {
  TempDir dir;
  Daemon ebbd(write_config(dir, dir.file("cache")), dir.path(), daemon_args());
  wait_for_forecast(ebbd);
  const std::string plan = R"({"time_limit":3600,"max_delay":7200})";
  const std::string head = "POST /v1/plan HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
  const std::string length = "Content-Length: " + std::to_string(plan.size()) + "\r\n";

  struct Case {
    std::string request;
    int status;
    std::string says;
  };
  std::vector<Case> cases = {
      {head + length + "\r\n" + plan, 200, "\"start\""},
      {head + length + "Content-Length: " + std::to_string(plan.size() + 5) + "\r\n\r\n" + plan +
           "     ",
       400, "two different Content-Length values"},
      {head + length + "Transfer-Encoding: chunked\r\n\r\n" + plan, 400,
       "both Content-Length and Transfer-Encoding"},
      {head + "Transfer-Encoding: gzip, chunked\r\n\r\n" + plan, 400, "not supported"},
      {head + "Content-Length: 70000\r\n\r\n", 413, "larger than 65536 bytes"},
      {head + "Content-Length: -1\r\n\r\n", 400, "bad Content-Length"},
      {head + "X-Long: " + std::string(20000, 'a') + "\r\n\r\n", 431, "headers too large"},
  };
  for (const auto& c : cases) {
    auto [status, text] = raw_exchange(ebbd.port(), c.request);
    INFO(c.request.substr(0, 300) << "\n-> " << text);
    CHECK(status == c.status);
    CHECK(text.find(c.says) != std::string::npos);
  }
}

TEST_CASE("examine_request finds where a request ends, or why it is refused", "[security]") {
  const std::size_t max = 100;
  auto state = [&](std::string_view bytes) { return examine_request(bytes, max).state; };
  using S = Framing::State;
  CHECK(state("GET / HTTP/1.1\r\nHost: x\r\n") == S::incomplete);
  auto get = examine_request("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /next", max);
  CHECK(get.state == S::complete);
  CHECK(get.length == 27);
  auto post = examine_request("POST / HTTP/1.1\r\ncontent-length:  3 \r\n\r\nabcdef", max);
  CHECK(post.state == S::complete);
  CHECK(post.length == 43);
  CHECK(state("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nab") == S::incomplete);
  CHECK(examine_request("POST / HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n", max)
            .expects_continue);
  // Chunked: sizes add up against the limit as they arrive.
  const std::string chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n";
  CHECK(state(chunked + "3\r\nabc\r\n") == S::incomplete);
  auto whole = examine_request(chunked + "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\nGET", max);
  CHECK(whole.state == S::complete);
  CHECK(whole.length == chunked.size() + 30);
  auto big = examine_request(chunked + "40\r\n", max);
  CHECK(big.state == S::incomplete);
  big = examine_request(chunked + "40\r\n" + std::string(64, 'a') + "\r\n40\r\n", max);
  CHECK(big.state == S::bad);
  CHECK(big.status == 413);
  CHECK(examine_request(chunked + "fffffffffffffffff\r\n", max).status == 413);
  CHECK(examine_request(chunked + "0x10\r\n", max).status == 400);
  CHECK(examine_request(chunked + "3\r\nabcXY", max).status == 400);
  // Ambiguous or unsupported framing.
  CHECK(examine_request("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", max)
            .status == 400);
  CHECK(state("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na") == S::complete);
  CHECK(examine_request(
            "POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", max)
            .status == 400);
  CHECK(examine_request("POST / HTTP/1.1\r\nContent-Length: %31\r\n\r\n", max).status == 400);
  CHECK(examine_request("POST / HTTP/1.1\nContent-Length: 1\r\n\r\n", max).status == 400);
  CHECK(examine_request("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", max).status == 413);
  CHECK(examine_request("GET / HTTP/1.1\r\nX: " + std::string(20000, 'a'), max).status == 431);
}
