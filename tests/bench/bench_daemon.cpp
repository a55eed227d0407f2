// SPDX-License-Identifier: GPL-2.0-or-later
// bench_daemon: ebbd's plan throughput and latency over HTTP on this machine, and what a
// hung daemon costs a client. Prints Markdown tables for the README.
//
// Usage: bench_daemon [seconds per run, default 3]
// ebbd runs as a real child process on 127.0.0.1 with a 48-hour half-hour forecast (96
// slots, carbon and price). Clients and daemon share the machine's cores.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "ebb/daemon_client.hpp"
#include "protocol.hpp"
#include "support.hpp"

using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

struct Result {
  double plans_per_second = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  long errors = 0;
  long count = 0;
};

Result summarise(std::vector<double>& latencies_ms, double seconds, long errors) {
  Result r;
  r.errors = errors;
  r.count = static_cast<long>(latencies_ms.size());
  if (latencies_ms.empty()) return r;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto at = [&](double q) {
    return latencies_ms[std::min(
        latencies_ms.size() - 1,
        static_cast<std::size_t>(q * static_cast<double>(latencies_ms.size())))];
  };
  r.plans_per_second = static_cast<double>(latencies_ms.size()) / seconds;
  r.p50_ms = at(0.50);
  r.p99_ms = at(0.99);
  r.max_ms = latencies_ms.back();
  return r;
}

ebb::PlanQuery query_for(int client, int i, ebb::TimePoint now) {
  ebb::PlanQuery q;
  q.region = "gb";
  q.now = now;
  q.deadline = now + ebb::hours(6 + (client + i) % 36);
  q.job.time_limit = ebb::hours(1 + i % 4);
  q.job.tasks = 1 + client % 4;
  q.job.cpus_per_task = 8;
  q.job.gpus = static_cast<std::uint32_t>(i % 2);
  q.job.memory_gb = 32;
  return q;
}

// `clients` threads, each on one keep-alive connection, for `seconds`.
Result run_keep_alive(const std::string& host, int port, int clients, double seconds,
                      ebb::TimePoint now) {
  std::vector<std::vector<double>> lat(clients);
  std::atomic<long> errors{0};
  std::atomic<bool> go{false};
  const auto run_for =
      duration_cast<steady_clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client(host, port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_connection_timeout(2s);
      client.set_read_timeout(5s);
      std::vector<std::string> bodies;
      for (int i = 0; i < 64; ++i)
        bodies.push_back(ebb::wire::encode_plan_query(query_for(c, i, now)));
      while (!go) std::this_thread::yield();
      const auto end = steady_clock::now() + run_for;
      for (int i = 0; steady_clock::now() < end; ++i) {
        auto t = steady_clock::now();
        auto res = client.Post("/v1/plan", bodies[i % bodies.size()], "application/json");
        double ms = std::chrono::duration<double, std::milli>(steady_clock::now() - t).count();
        if (!res || res->status != 200) {
          ++errors;
          continue;
        }
        lat[c].push_back(ms);
      }
    });
  }
  auto start = steady_clock::now();
  go = true;
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(steady_clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  return summarise(all, elapsed, errors);
}

// What the plugin does: ebb::ask_daemon_for_plan, one connection per plan.
Result run_plugin_client(const std::string& url, int clients, double seconds, ebb::TimePoint now) {
  std::vector<std::vector<double>> lat(clients);
  std::atomic<long> errors{0};
  const auto run_for =
      duration_cast<steady_clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  auto start = steady_clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      const auto end = steady_clock::now() + run_for;
      for (int i = 0; steady_clock::now() < end; ++i) {
        auto t = steady_clock::now();
        auto d = ebb::ask_daemon_for_plan(url, query_for(c, i, now), 300ms, nullptr,
                                          ebb::test::kNoAuth);
        double ms = std::chrono::duration<double, std::milli>(steady_clock::now() - t).count();
        if (!d) {
          ++errors;
          continue;
        }
        lat[c].push_back(ms);
      }
    });
  }
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(steady_clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  return summarise(all, elapsed, errors);
}

// A listener that never accepts: a hung daemon.
int hung_listener(int* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(fd, 256);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  if (!(seconds > 0)) seconds = 3.0;
  const auto now = ebb::parse_iso8601("2026-11-23T10:00:00Z");

  ebb::test::TempDir dir;
  ebb::test::write_text(dir.file("f.csv"),
                        ebb::test::synthetic_forecast_csv(now - ebb::hours(1), 30min, 98));
  ebb::test::write_text(dir.file("ebb.conf"),
                        "CacheDir=" + dir.file("cache") + "\nHttpThreads=8\nExtensionHorizon=0\n" +
                            "RegionName=gb CarbonSource=file CarbonFile=" + dir.file("f.csv") +
                            " PriceSource=file PriceFile=" + dir.file("f.csv") + "\n");
  ebb::test::Daemon ebbd(dir.file("ebb.conf"), dir.path(), {"--now", ebb::format_utc(now)});
  ebb::test::wait_until([&] { return ebbd.get("/v1/forecast").status == 200; });
  const auto addr = ebbd.address();

  std::printf(
      "ebbd plan throughput over HTTP, %u hardware threads shared by clients and daemon, "
      "%.1f s per row, 96-slot forecast, HttpThreads=8\n\n",
      std::thread::hardware_concurrency(), seconds);
  std::printf("| clients | connection | plans/s | p50 ms | p99 ms | max ms | errors |\n");
  std::printf("|---:|---|---:|---:|---:|---:|---:|\n");
  auto row = [](int clients, const char* how, const Result& r) {
    std::printf("| %d | %s | %.0f | %.3f | %.3f | %.3f | %ld |\n", clients, how, r.plans_per_second,
                r.p50_ms, r.p99_ms, r.max_ms, r.errors);
    std::fflush(stdout);
  };
  run_keep_alive(addr.host, addr.port, 2, std::min(seconds, 0.5), now);  // warm-up
  for (int clients : {1, 2, 4, 8}) {
    row(clients, "keep-alive", run_keep_alive(addr.host, addr.port, clients, seconds, now));
  }
  for (int clients : {1, 4, 8}) {
    row(clients, "new per plan (plugin client)",
        run_plugin_client(ebbd.url(), clients, seconds, now));
  }

  std::printf(
      "\nClient against a hung daemon (accepts nothing, answers nothing), 20 tries each\n\n");
  std::printf("| timeout ms | mean ms | max ms | all gave up |\n|---:|---:|---:|---|\n");
  int port = 0;
  int fd = hung_listener(&port);
  std::string hung_url = "http://127.0.0.1:" + std::to_string(port);
  for (int timeout_ms : {100, 300}) {
    double sum = 0, worst = 0;
    bool all_failed = true;
    const int tries = seconds < 1 ? 3 : 20;
    for (int i = 0; i < tries; ++i) {
      auto t = steady_clock::now();
      auto d = ebb::ask_daemon_for_plan(hung_url, query_for(0, i, now), milliseconds(timeout_ms),
                                        nullptr);
      double ms = std::chrono::duration<double, std::milli>(steady_clock::now() - t).count();
      all_failed = all_failed && !d;
      sum += ms;
      worst = std::max(worst, ms);
    }
    std::printf("| %d | %.1f | %.1f | %s |\n", timeout_ms, sum / tries, worst,
                all_failed ? "yes" : "NO");
  }
  ::close(fd);
  ebbd.stop();
  return 0;
}
