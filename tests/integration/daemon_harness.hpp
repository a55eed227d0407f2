// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd and a grid provider for the tests and benchmarks that run sbatch against the daemon:
//
// - UkCarbonReplay: a cpp-httplib server on 127.0.0.1 that answers the UK Carbon Intensity
//   API's national forecast request (GET /intensity/{from}/fw48h) with the recorded fixture
//   tests/data/fixtures/uk_carbonintensity_national_fw48h.json, its times rewritten onto
//   the present. The fixture holds 8 half-hour windows (293 to 309 gCO2/kWh, rising); the
//   replay keeps those values and repeats them as a V, falling then rising again
//   (309, 308, ..., 293, 293, 301, ..., 309), so that 48 hours are covered and a job
//   submitted at the peak has a cleaner window 3.5 hours later. The V starts at `anchor`.
// - EbbdProcess: ebbd as a real child process on a port it picks (--listen 127.0.0.1:0
//   --port-file) or on a Unix socket, which can be paused (SIGSTOP, a hung daemon) and
//   killed.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ebb/daemon_client.hpp"
#include "ebb/time.hpp"

namespace httplib {
class Server;
}

namespace ebb::test {

// Tests that are not about authentication talk to ebbd over plain loopback HTTP without
// MUNGE (DaemonAuth=none in ebb.conf); test_trust.cpp covers the checks.
inline const DaemonTrust kNoAuth{"root", DaemonAuth::none};

class UkCarbonReplay {
 public:
  explicit UkCarbonReplay(TimePoint anchor);
  ~UkCarbonReplay();
  UkCarbonReplay(const UkCarbonReplay&) = delete;
  UkCarbonReplay& operator=(const UkCarbonReplay&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }
  // The provider goes away: the server closes and later connections are refused.
  void stop();

  // The fixture's forecast values, in order, read from the file.
  static std::vector<double> fixture_values();
  // The replayed value of the half hour starting at `slot_start`.
  double value_at(TimePoint slot_start) const;
  // The answer to GET /intensity/{from}/fw48h: 96 half hours from `from`.
  std::string fw48h_body(TimePoint from) const;

 private:
  TimePoint anchor_;
  std::vector<double> values_;
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<std::thread> thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
};

class EbbdProcess {
 public:
  // Starts ebbd with `config` (and `env` added to its environment) on `listen`; its log
  // and port file go to `dir`. Waits (20 s at most) until it listens.
  EbbdProcess(const std::string& config, const std::string& dir,
              const std::map<std::string, std::string>& env = {},
              const std::string& listen = "127.0.0.1:0");
  ~EbbdProcess();
  EbbdProcess(const EbbdProcess&) = delete;
  EbbdProcess& operator=(const EbbdProcess&) = delete;

  // http://127.0.0.1:PORT, or unix:/path
  std::string url() const { return url_; }
  int port() const { return port_; }  // 0 on a Unix socket
  std::string log() const;
  // The body of GET <path>; empty when unreachable.
  std::string get(const std::string& path) const;
  // One sample of GET /metrics, e.g. `ebbd_plans_total`; -1 when absent or unreachable.
  double metric(const std::string& sample) const;
  void pause();   // SIGSTOP: the socket still accepts connections, nobody answers
  void resume();  // SIGCONT
  void kill();    // SIGKILL and reap: connections are refused from now on

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string url_;
  bool paused_ = false;
  std::string log_path_;
};

// A port on 127.0.0.1 that nothing listens on (bound, then closed).
int closed_port();

// The start of the current UTC half hour.
TimePoint this_half_hour();

// Polls `ready` every 20 ms until it is true or `limit` passes; returns its last value.
bool wait_for(const std::function<bool()>& ready,
              std::chrono::milliseconds limit = std::chrono::seconds(30));

}  // namespace ebb::test
