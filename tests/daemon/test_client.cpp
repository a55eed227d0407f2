// SPDX-License-Identifier: GPL-2.0-or-later
// The client's total time limit: a daemon that is hung, silent or trickling must cost
// the caller no more than the timeout (the bound asserted here is generous, 5x, so the
// test cannot flake on a loaded machine; bench_daemon reports the real figures).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <thread>

#include "ebb/daemon_client.hpp"
#include "ebb/error.hpp"
#include "http_request.hpp"

namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

// A TCP listener on 127.0.0.1 that never calls accept(): connections complete in the
// kernel's backlog and then hear nothing, like a daemon stuck in a deadlock.
class HungListener {
 public:
  HungListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 64) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~HungListener() { ::close(fd_); }
  int fd() const { return fd_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

ebb::PlanQuery some_query() {
  ebb::PlanQuery q;
  q.region = "gb";
  q.deadline = ebb::now_utc() + ebb::hours(12);
  q.job.time_limit = ebb::hours(2);
  return q;
}

template <typename F>
milliseconds time_of(F&& f) {
  auto start = steady_clock::now();
  f();
  return duration_cast<milliseconds>(steady_clock::now() - start);
}

}  // namespace

TEST_CASE("client gives up on a daemon that never accepts, within its timeout", "[client]") {
  HungListener hung;
  ebb::DaemonError error;
  std::optional<ebb::Decision> d;
  auto took =
      time_of([&] { d = ebb::ask_daemon_for_plan(hung.url(), some_query(), 200ms, &error); });
  CHECK_FALSE(d);
  CHECK(error.kind == ebb::ErrorKind::timeout);
  CHECK(took < 1000ms);
}

TEST_CASE("client gives up on a daemon that accepts, reads and never answers", "[client]") {
  HungListener hung;
  std::atomic<bool> done{false};
  std::thread server([&] {
    int c = ::accept(hung.fd(), nullptr, nullptr);
    char buf[4096];
    while (!done && ::recv(c, buf, sizeof buf, MSG_DONTWAIT) != 0) std::this_thread::sleep_for(5ms);
    ::close(c);
  });
  ebb::DaemonError error;
  std::optional<ebb::ForecastReply> r;
  auto took =
      time_of([&] { r = ebb::fetch_forecast_from_daemon(hung.url(), "gb", 200ms, &error); });
  done = true;
  server.join();
  CHECK_FALSE(r);
  CHECK(error.kind == ebb::ErrorKind::timeout);
  CHECK(took < 1000ms);
}

TEST_CASE("client holds its total deadline against a daemon that trickles bytes", "[client]") {
  HungListener hung;
  std::atomic<bool> done{false};
  std::thread server([&] {
    int c = ::accept(hung.fd(), nullptr, nullptr);
    const char* reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: ";
    ::send(c, reply, std::strlen(reply), MSG_NOSIGNAL);
    while (!done) {  // one byte every 30 ms: each read succeeds, the answer never ends
      ::send(c, "a", 1, MSG_NOSIGNAL);
      std::this_thread::sleep_for(30ms);
    }
    ::close(c);
  });
  ebb::DaemonError error;
  std::optional<ebb::Decision> d;
  auto took =
      time_of([&] { d = ebb::ask_daemon_for_plan(hung.url(), some_query(), 200ms, &error); });
  done = true;
  server.join();
  CHECK_FALSE(d);
  CHECK(error.kind == ebb::ErrorKind::timeout);
  CHECK(took < 1000ms);
}

TEST_CASE("client reports a refused connection and a bad URL", "[client]") {
  int port = 0;
  {
    HungListener closed_soon;  // take a free port, then close it
    port = std::stoi(closed_soon.url().substr(closed_soon.url().rfind(':') + 1));
  }
  ebb::DaemonError error;
  CHECK_FALSE(ebb::ask_daemon_for_plan("http://127.0.0.1:" + std::to_string(port), some_query(),
                                       300ms, &error));
  CHECK(error.kind == ebb::ErrorKind::unreachable);
  CHECK_FALSE(ebb::ask_daemon_for_plan("https://127.0.0.1:1", some_query(), 300ms, &error));
  CHECK(error.kind == ebb::ErrorKind::failed);
  CHECK(error.message.find("only http://") != std::string::npos);  // says what to write
  // A null error pointer is allowed.
  CHECK_FALSE(ebb::ask_daemon_for_plan("http://127.0.0.1:" + std::to_string(port), some_query(),
                                       300ms, nullptr));
}

TEST_CASE("daemon URLs are parsed into host, port and path", "[client]") {
  auto u = ebb::http::parse_url("http://127.0.0.1:8451");
  CHECK(u.host == "127.0.0.1");
  CHECK(u.port == 8451);
  CHECK(u.base_path.empty());
  u = ebb::http::parse_url("http://[::1]:9000/ebb/");
  CHECK(u.host == "::1");
  CHECK(u.port == 9000);
  CHECK(u.base_path == "/ebb");
  u = ebb::http::parse_url("http://ebbd.cluster");
  CHECK(u.port == 80);
  CHECK_THROWS_AS(ebb::http::parse_url("http://host:99999"), ebb::InputError);
  CHECK_THROWS_AS(ebb::http::parse_url("ftp://host"), ebb::InputError);
  CHECK(ebb::cache_file_path("/var/cache/ebb/", "GB") == "/var/cache/ebb/gb.csv");
  auto config = ebb::parse_config("Region=DE\nCacheDir=/srv/ebb\n", "t");
  CHECK(ebb::cache_file_for(config) == "/srv/ebb/de.csv");
  CHECK(ebb::cache_file_for(ebb::parse_config("RegionName=gb CarbonSource=file\n", "t")) ==
        "/var/cache/ebb/gb.csv");
  CHECK(ebb::cache_file_for(ebb::Config{}).empty());
}
