// SPDX-License-Identifier: GPL-2.0-or-later
#include "daemon_harness.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "cluster.hpp"
#include "http_request.hpp"
#include "process.hpp"

namespace ebb::test {

namespace {

constexpr auto kHalfHour = std::chrono::minutes(30);

std::string minute_z(TimePoint t) {
  const std::time_t tt = t.time_since_epoch().count();
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%MZ", &tm);
  return buf;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::vector<double> UkCarbonReplay::fixture_values() {
  const std::string path = EBB_TEST_DATA_DIR "/fixtures/uk_carbonintensity_national_fw48h.json";
  simdjson::dom::parser parser;
  std::vector<double> values;
  for (auto w : parser.parse(read_all(path))["data"].get_array()) {
    values.push_back(static_cast<double>(std::int64_t(w["intensity"]["forecast"])));
  }
  if (values.empty()) throw std::runtime_error(path + ": no forecast windows");
  return values;
}

UkCarbonReplay::UkCarbonReplay(TimePoint anchor)
    : anchor_(anchor), values_(fixture_values()), server_(std::make_unique<httplib::Server>()) {
  server_->Get(R"(/intensity/([^/]+)/fw48h)",
               [this](const httplib::Request& req, httplib::Response& res) {
                 ++requests_;
                 TimePoint from;
                 try {
                   from = parse_iso8601(req.matches[1].str());
                 } catch (const std::exception&) {
                   res.status = 400;
                   res.set_content(R"({"error":{"code":"400 Bad Request","message":"bad from"}})",
                                   "application/json");
                   return;
                 }
                 res.set_content(fw48h_body(from), "application/json");
               });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("UK replay: cannot bind 127.0.0.1");
  thread_ = std::make_unique<std::thread>([this] { server_->listen_after_bind(); });
}

UkCarbonReplay::~UkCarbonReplay() { stop(); }

void UkCarbonReplay::stop() {
  if (!thread_) return;
  server_->stop();
  thread_->join();
  thread_.reset();
}

double UkCarbonReplay::value_at(TimePoint slot_start) const {
  // Position in the V: 0 .. 2n-1, first falling through the fixture backwards, then rising.
  const long n = static_cast<long>(values_.size());
  long k = static_cast<long>((slot_start - anchor_) / kHalfHour) % (2 * n);
  if (k < 0) k += 2 * n;
  return k < n ? values_[static_cast<std::size_t>(n - 1 - k)]
               : values_[static_cast<std::size_t>(k - n)];
}

std::string UkCarbonReplay::fw48h_body(TimePoint from) const {
  // The API answers windows starting at {from} rounded down to the half hour.
  Duration offset = (from - anchor_) % Duration{kHalfHour};
  if (offset < Duration{0}) offset += kHalfHour;
  const TimePoint first = from - offset;
  std::string body = R"({"data":[)";
  char buf[160];
  for (int i = 0; i < 96; ++i) {
    const TimePoint start = first + kHalfHour * i;
    std::snprintf(
        buf, sizeof buf,
        R"(%s{"from":"%s","to":"%s","intensity":{"forecast":%.0f,"actual":null,"index":"high"}})",
        i ? "," : "", minute_z(start).c_str(), minute_z(start + kHalfHour).c_str(),
        value_at(start));
    body += buf;
  }
  return body + "]}";
}

EbbdProcess::EbbdProcess(const std::string& config, const std::string& dir,
                         const std::map<std::string, std::string>& env,
                         const std::string& listen)
    : log_path_(dir + "/ebbd.log") {
  const std::string port_file = dir + "/ebbd.port";
  ::unlink(port_file.c_str());
  pid_ = spawn_daemon(
      {EBBD_PATH, "--config", config, "--listen", listen, "--port-file", port_file},
      child_environment(env), log_path_);
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < limit) {
    std::ifstream in(port_file);
    if (std::string where; in >> where && !where.empty()) {  // the port, or unix:/path
      if (where.rfind("unix:", 0) == 0) {
        url_ = where;
      } else {
        port_ = std::stoi(where);
        url_ = "http://127.0.0.1:" + where;
      }
      return;
    }
    if (!running(pid_)) {
      pid_ = -1;
      throw std::runtime_error("ebbd exited at start-up; its log:\n" + log());
    }
    ::usleep(20 * 1000);
  }
  kill();
  throw std::runtime_error("ebbd did not start listening within 20 s; its log:\n" + log());
}

EbbdProcess::~EbbdProcess() {
  if (pid_ <= 0) return;
  if (paused_) ::kill(pid_, SIGCONT);
  stop_daemon(pid_, std::chrono::seconds(5));
}

std::string EbbdProcess::log() const {
  try {
    return read_all(log_path_);
  } catch (const std::exception&) {
    return "";
  }
}

std::string EbbdProcess::get(const std::string& path) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(2);
  client.set_read_timeout(2);
  auto res = client.Get(path);
  return res ? res->body : "";
}

double EbbdProcess::metric(const std::string& sample) const {
  http::Response res;
  try {
    res = http::request(http::parse_url(url_), "GET", "/metrics", "", std::chrono::seconds(2));
  } catch (const std::exception&) {
    return -1;
  }
  if (res.status != 200) return -1;
  std::istringstream in(res.body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(sample + " ", 0) == 0) return std::stod(line.substr(sample.size() + 1));
  }
  return -1;
}

void EbbdProcess::pause() {
  if (pid_ > 0 && ::kill(pid_, SIGSTOP) == 0) paused_ = true;
}

void EbbdProcess::resume() {
  if (pid_ > 0 && ::kill(pid_, SIGCONT) == 0) paused_ = false;
}

void EbbdProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  paused_ = false;
}

int closed_port() { return free_port(); }

TimePoint this_half_hour() {
  return std::chrono::floor<std::chrono::minutes>(
      std::chrono::floor<std::chrono::duration<long, std::ratio<1800>>>(now_utc()));
}

bool wait_for(const std::function<bool()>& ready, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (ready()) return true;
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace ebb::test
