// SPDX-License-Identifier: GPL-2.0-or-later
// Test support: private temporary folders, synthetic forecast files, and ebbd run as a
// real child process on a port it picks itself (reported through --port-file).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "ebb/daemon_client.hpp"
#include "ebb/signal.hpp"
#include "http_request.hpp"

namespace ebb::test {

// Tests that are not about authentication talk to ebbd over plain loopback HTTP without
// MUNGE (DaemonAuth=none); test_trust.cpp covers the checks.
inline const DaemonTrust kNoAuth{"root", DaemonAuth::none};

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_text(const std::string& path, const std::string& text);
std::string read_text(const std::string& path);

// A forecast CSV with `count` slots of `step` from `from`: carbon follows a daily and
// a weekly wave plus a deterministic wiggle, so medians over days and weeks differ;
// price follows carbon.
std::string synthetic_forecast_csv(TimePoint from, Duration step, int count);
double synthetic_carbon(TimePoint t);
double synthetic_price(TimePoint t);

class Daemon {
 public:
  // Starts ebbd with --config and --port-file in `dir`, --listen `listen` and the
  // given extra arguments; waits until it listens (throws after 20 s).
  Daemon(const std::string& config, const std::string& dir, std::vector<std::string> args,
         const std::string& listen = "127.0.0.1:0");
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // http://127.0.0.1:PORT, or unix:/path when listening on a Unix socket.
  std::string url() const { return url_; }
  http::Url address() const { return http::parse_url(url_); }
  int port() const { return address().port; }
  pid_t pid() const { return pid_; }
  http::Response get(const std::string& path) const;
  http::Response post(const std::string& path, const std::string& body) const;
  // SIGTERM (or SIGKILL) and wait; returns the exit status (or -signal).
  int stop(bool hard = false);

 private:
  pid_t pid_ = -1;
  std::string url_;
};

// Runs ebbd with `args` to completion (stderr to `log`); returns its exit status.
int run_ebbd(const std::vector<std::string>& args, const std::string& log);

// Polls `ready` every 20 ms until it is true or `limit` passes; returns its last value.
bool wait_until(const std::function<bool()>& ready,
                std::chrono::milliseconds limit = std::chrono::seconds(20));

// What a subcommand (ebb::plan_main, ...) run in-process returned and printed.
struct Run {
  int status = 0;
  std::string out;
};
// Runs it with `args` (args[0] its name) and stdout sent to a file in `dir`.
Run run(int (*command)(int, char**), std::vector<std::string> args, const TempDir& dir);

// The value of one Prometheus sample line, e.g. `ebbd_plans_total`, or -1 if absent.
double metric(const std::string& text, const std::string& sample);

}  // namespace ebb::test
