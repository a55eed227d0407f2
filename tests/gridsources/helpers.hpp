// SPDX-License-Identifier: GPL-2.0-or-later
// Shared by the gridsources tests: fixtures, temporary directories, and an in-process
// provider server on 127.0.0.1 that replays recorded responses.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ebb/gridsource.hpp"
#include "ebb/time.hpp"

namespace ebbtest {

inline std::string tls_path(const std::string& name) {
  return std::string(EBB_TLS_DIR) + "/" + name;
}

inline std::string fixture_path(const std::string& name) {
  return std::string(EBB_FIXTURES_DIR) + "/" + name;
}

inline std::string read_fixture(const std::string& name) {
  std::ifstream in(fixture_path(name), std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline ebb::TimePoint utc(const char* iso) { return ebb::parse_iso8601(iso); }

// A private directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("ebb-gridsources-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string write(const std::string& name, const std::string& content) const {
    const auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// One recorded request as the server saw it.
struct SeenRequest {
  std::string path;
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> headers;  // as sent (httplib keeps case-insensitive lookup)
  std::chrono::steady_clock::time_point when;
};

// An HTTP server on 127.0.0.1 at a free port, run on its own thread. Handlers are set
// per path pattern (httplib regex); every request is recorded.
class ProviderServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  // Plain HTTP; or HTTPS with this certificate and key (tests/data/tls).
  ProviderServer() : server_(std::make_unique<httplib::Server>()) {}
  ProviderServer(const std::string& cert_path, const std::string& key_path)
      : server_(std::make_unique<httplib::SSLServer>(cert_path.c_str(), key_path.c_str())),
        tls_(true) {
    if (!server_->is_valid()) throw std::runtime_error("cannot load " + cert_path);
  }
  ~ProviderServer() { stop(); }
  ProviderServer(const ProviderServer&) = delete;
  ProviderServer& operator=(const ProviderServer&) = delete;

  void on(const std::string& pattern, Handler handler) {
    server_->Get(pattern, [this, handler](const httplib::Request& req, httplib::Response& res) {
      record(req);
      handler(req, res);
    });
  }
  // Replies with a fixture's bytes.
  void serve_fixture(const std::string& pattern, const std::string& fixture,
                     const std::string& content_type = "application/json") {
    const std::string body = read_fixture(fixture);
    on(pattern, [body, content_type](const httplib::Request&, httplib::Response& res) {
      res.set_content(body, content_type.c_str());
    });
  }

  void start() {
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind 127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    for (int i = 0; i < 2000 && !server_->is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  void stop() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string url() const {
    return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_);
  }

  std::vector<SeenRequest> requests() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  std::size_t count(const std::string& path_prefix) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& r : seen_) n += r.path.rfind(path_prefix, 0) == 0;
    return n;
  }

 private:
  void record(const httplib::Request& req) {
    SeenRequest seen{req.path, {}, {}, std::chrono::steady_clock::now()};
    for (const auto& [k, v] : req.params) seen.params[k] = v;
    for (const auto& [k, v] : req.headers) seen.headers[k] = v;
    std::lock_guard lock(mutex_);
    seen_.push_back(std::move(seen));
  }

  std::unique_ptr<httplib::Server> server_;
  bool tls_ = false;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::vector<SeenRequest> seen_;
};

// Fetch options for tests: short timeouts and backoffs so failures stay fast.
inline ebb::FetchOptions fast_options() {
  ebb::FetchOptions o;
  o.connect_timeout = std::chrono::milliseconds(1000);
  o.total_timeout = std::chrono::milliseconds(2000);
  o.max_retries = 2;
  o.backoff_base = std::chrono::milliseconds(10);
  o.max_backoff = std::chrono::milliseconds(50);
  o.max_retry_after = std::chrono::milliseconds(5000);
  return o;
}

}  // namespace ebbtest
