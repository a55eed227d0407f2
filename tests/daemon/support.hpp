// Test support: private temporary folders, synthetic forecast files, and ebbd run as a
// real child process on a port it picks itself (reported through --port-file).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "ebb/signal.hpp"
#include "http_request.hpp"

namespace ebb::test {

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
  // Starts ebbd with --config and --port-file in `dir`, --listen 127.0.0.1:0 and the
  // given extra arguments; waits until it listens (throws after 20 s).
  Daemon(const std::string& config, const std::string& dir, std::vector<std::string> args);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  http::Url address() const { return http::Url{"127.0.0.1", port_, ""}; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  http::Response get(const std::string& path) const;
  http::Response post(const std::string& path, const std::string& body) const;
  // SIGTERM (or SIGKILL) and wait; returns the exit status (or -signal).
  int stop(bool hard = false);

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// Runs ebbd with `args` to completion (stderr to `log`); returns its exit status.
int run_ebbd(const std::vector<std::string>& args, const std::string& log);

// Polls `ready` every 20 ms until it is true or `limit` passes; returns its last value.
bool wait_until(const std::function<bool()>& ready,
                std::chrono::milliseconds limit = std::chrono::seconds(20));

// The value of one Prometheus sample line, e.g. `ebbd_plans_total`, or -1 if absent.
double metric(const std::string& text, const std::string& sample);

}  // namespace ebb::test
