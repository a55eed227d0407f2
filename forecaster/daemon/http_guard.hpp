// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd's guard in front of cpp-httplib (Debian 12 ships 0.11.4). That version bounds only
// bodies sent with Content-Length (a chunked POST grew ebbd by the body's size), takes the
// first of two different Content-Length values, and reads each request in one of its few
// worker threads with a timeout per recv() only: clients that drip a header line a second
// held every worker and /v1/health stopped answering.
//
// GuardedServer therefore reads requests itself, in one poll() thread, and hands a worker
// only a request that has arrived completely and is framed unambiguously:
//   - headers at most kMaxHeaderBytes, body at most max_body however it is framed
//     (Content-Length, or chunked: the chunk sizes are added up as they arrive);
//   - two different Content-Length values, Content-Length with Transfer-Encoding, any
//     Transfer-Encoding but "chunked", or a POST without either get 400/411/413/431 and
//     the connection is closed;
//   - a request must arrive whole within request_timeout of the connection becoming idle
//     (a slow drip is cut off then), and at most max_connections are held (the oldest is
//     dropped for a new one).
// The workers then run cpp-httplib's own request processing on the buffered bytes.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace ebb::daemon {

// What the bytes received so far on a connection hold.
struct Framing {
  enum class State { incomplete, complete, bad };
  State state = State::incomplete;
  std::size_t length = 0;         // complete: bytes of the whole request
  int status = 0;                 // bad: 400, 411, 413 or 431
  std::string reason;             // bad: what is wrong, for the answer
  bool expects_continue = false;  // headers done, body not, "Expect: 100-continue"
  std::size_t header_length = 0;  // once the headers are complete
};

constexpr std::size_t kMaxHeaderBytes = 16 * 1024;

// Examines the start of `bytes` as one HTTP/1.1 request.
Framing examine_request(std::string_view bytes, std::size_t max_body);

// A request that came over a Unix socket has remote_addr kUnixPeer and the caller's uid
// (SO_PEERCRED) as remote_port; over TCP the caller is unknown.
inline constexpr const char* kUnixPeer = "unix";
inline std::optional<uid_t> peer_uid(const httplib::Request& req) {
  if (req.remote_addr != kUnixPeer || req.remote_port < 0) return std::nullopt;
  return static_cast<uid_t>(req.remote_port);
}

class GuardedServer : public httplib::Server {
 public:
  struct Limits {
    std::size_t max_body = 64 * 1024;
    std::chrono::milliseconds request_timeout{10'000};
    std::size_t max_connections = 512;
    std::size_t workers = 8;
    std::size_t keep_alive_max = 1000;
    std::chrono::milliseconds write_timeout{5'000};
  };
  explicit GuardedServer(Limits limits);
  ~GuardedServer() override;
  GuardedServer(const GuardedServer&) = delete;
  GuardedServer& operator=(const GuardedServer&) = delete;

  // Stops reading requests and waits for the workers; call after listen_after_bind().
  void stop_guard();
  // cpp-httplib 0.11 (Debian 12) binds TCP sockets only, but its accept loop serves
  // whatever listening socket svr_sock_ holds, so a Unix socket is handed to it here.
  void adopt_listening_socket(int fd) { svr_sock_ = fd; }

 private:
  struct Connection {
    int fd = -1;
    std::string bytes;
    std::chrono::steady_clock::time_point deadline;
    std::size_t served = 0;
    bool sent_continue = false;
  };

  // Called by cpp-httplib's accept loop for every new connection (its task queue runs
  // this inline): hands the socket to the reader thread.
  bool process_and_close_socket(::socket_t sock) override;
  void admit(Connection c);
  void reader_loop();
  // Examines c after new bytes: dispatches, answers an error, or keeps waiting. Returns
  // false when c is gone (dispatched or closed).
  bool advance(Connection& c);
  void serve(Connection c, std::size_t length);
  void wake();

  Limits limits_;
  int wake_fd_ = -1;
  std::mutex mutex_;
  std::vector<Connection> incoming_;  // new and kept-alive connections for the reader
  bool stopping_ = false;
  std::vector<Connection> held_;  // reader thread only
  std::unique_ptr<httplib::ThreadPool> workers_;
  std::thread reader_;
};

}  // namespace ebb::daemon
