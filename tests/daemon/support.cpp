// SPDX-License-Identifier: GPL-2.0-or-later
#include "support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace ebb::test {

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "ebb-daemon-test-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

double synthetic_carbon(TimePoint t) {
  const double pi = 3.14159265358979;
  double h = static_cast<double>(t.time_since_epoch().count()) / 3600.0;
  double day = std::sin(h / 24 * 2 * pi);
  double week = std::sin(h / (24 * 7) * 2 * pi);
  double wiggle = std::fmod(h * 7.3, 11.0);  // deterministic, not periodic by day or week
  return std::round((220 + 80 * day + 60 * week + wiggle) * 10) / 10;
}

double synthetic_price(TimePoint t) {
  return std::round((40 + synthetic_carbon(t) / 5) * 100) / 100;
}

std::string synthetic_forecast_csv(TimePoint from, Duration step, int count) {
  std::string out = "time,carbon_intensity,price\n";
  char buf[64];
  for (int i = 0; i < count; ++i) {
    TimePoint t = from + step * i;
    std::snprintf(buf, sizeof buf, ",%.1f,%.2f\n", synthetic_carbon(t), synthetic_price(t));
    out += format_utc(t) + buf;
  }
  return out;
}

Daemon::Daemon(const std::string& config, const std::string& dir, std::vector<std::string> args,
               const std::string& listen) {
  std::string port_file =
      dir + "/port." + std::to_string(::getpid()) + "." +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  std::vector<std::string> argv_text = {EBBD_PATH, "--config",    config,   "--listen",
                                        listen,    "--port-file", port_file};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::string log = dir + "/ebbd.log";
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    FILE* f = std::fopen(log.c_str(), "a");
    if (f) ::dup2(::fileno(f), 2);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // no stray ebbd if the test process dies
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  bool up = wait_until([&] {
    std::ifstream in(port_file);
    std::string where;  // the port, or unix:/path
    if (in >> where && !where.empty()) {
      url_ = where.rfind("unix:", 0) == 0 ? where : "http://127.0.0.1:" + where;
      return true;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("ebbd exited at start-up; its log:\n" + read_text(log));
    }
    return false;
  });
  if (!up) throw std::runtime_error("ebbd did not start listening; its log:\n" + read_text(log));
}

Daemon::~Daemon() {
  if (pid_ > 0) stop(true);
}

http::Response Daemon::get(const std::string& path) const {
  return http::request(address(), "GET", path, "", std::chrono::seconds(10));
}

http::Response Daemon::post(const std::string& path, const std::string& body) const {
  return http::request(address(), "POST", path, body, std::chrono::seconds(10));
}

int Daemon::stop(bool hard) {
  if (pid_ <= 0) return 0;
  ::kill(pid_, hard ? SIGKILL : SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return -WTERMSIG(status);
}

int run_ebbd(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> argv_text = {EBBD_PATH};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    FILE* f = std::fopen(log.c_str(), "a");
    if (f) ::dup2(::fileno(f), 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

bool wait_until(const std::function<bool()>& ready, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (ready()) return true;
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

double metric(const std::string& text, const std::string& sample) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(sample + " ", 0) == 0) return std::stod(line.substr(sample.size() + 1));
  }
  return -1;
}

Run run(int (*command)(int, char**), std::vector<std::string> args, const TempDir& dir) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::cout.flush();
  int saved = ::dup(1);
  int file = ::open(dir.file("stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(file, 1);
  ::close(file);
  Run r;
  r.status = command(static_cast<int>(args.size()), argv.data());
  std::fflush(stdout);
  std::cout.flush();
  ::dup2(saved, 1);
  ::close(saved);
  r.out = read_text(dir.file("stdout"));
  return r;
}

}  // namespace ebb::test
