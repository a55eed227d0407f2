// SPDX-License-Identifier: GPL-2.0-or-later
#include "http_guard.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "ebb/strings.hpp"
#include "log.hpp"

namespace ebb::daemon {
namespace {

using Clock = std::chrono::steady_clock;

// HTTP's optional whitespace (RFC 9110 OWS): spaces and tabs only, unlike ebb::trim.
std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Framing bad(int status, std::string reason) {
  Framing f;
  f.state = Framing::State::bad;
  f.status = status;
  f.reason = std::move(reason);
  return f;
}

// The chunked body starting at `pos`: its end, or incomplete/bad.
Framing examine_chunks(std::string_view b, std::size_t pos, std::size_t max_body, Framing f) {
  std::size_t total = 0;
  for (;;) {
    auto nl = b.find('\n', pos);
    if (nl == std::string_view::npos) {
      if (b.size() - pos > 1024) return bad(400, "chunk size line too long");
      return f;  // incomplete
    }
    std::string_view line = b.substr(pos, nl - pos);
    if (line.empty() || line.back() != '\r') return bad(400, "chunk size line without CR LF");
    line.remove_suffix(1);
    std::size_t digits = 0, size = 0;
    while (digits < line.size() && std::isxdigit(static_cast<unsigned char>(line[digits]))) {
      if (digits == 15) return bad(413, "chunk too large");
      char c = static_cast<char>(std::tolower(static_cast<unsigned char>(line[digits])));
      size = size * 16 + static_cast<std::size_t>(c <= '9' ? c - '0' : c - 'a' + 10);
      ++digits;
    }
    if (digits == 0 || (digits < line.size() && line[digits] != ';')) {
      return bad(400, "bad chunk size line");
    }
    total += size;
    if (total > max_body) {
      return bad(413, "request body larger than " + std::to_string(max_body) + " bytes");
    }
    pos = nl + 1;
    if (size == 0) break;
    if (b.size() < pos + size + 2) return f;  // incomplete
    if (b.substr(pos + size, 2) != "\r\n") return bad(400, "chunk not followed by CR LF");
    pos += size + 2;
  }
  // Trailer lines, up to an empty one.
  const std::size_t trailers_start = pos;
  for (;;) {
    auto nl = b.find('\n', pos);
    if (nl == std::string_view::npos) {
      if (b.size() - trailers_start > kMaxHeaderBytes) return bad(431, "trailers too large");
      return f;  // incomplete
    }
    if (nl == pos || b[nl - 1] != '\r') return bad(400, "trailer line without CR LF");
    const bool empty_line = nl == pos + 1;
    pos = nl + 1;
    if (empty_line) break;
    if (pos - trailers_start > kMaxHeaderBytes) return bad(431, "trailers too large");
  }
  f.state = Framing::State::complete;
  f.length = pos;
  return f;
}

}  // namespace

Framing examine_request(std::string_view b, std::size_t max_body) {
  Framing f;
  // The headers end at the first line that is just CR LF.
  std::size_t header_end = std::string_view::npos;
  if (b.substr(0, 2) == "\r\n") {
    header_end = 2;
  } else if (auto p = b.find("\n\r\n"); p != std::string_view::npos) {
    header_end = p + 3;
  }
  if (header_end == std::string_view::npos) {
    if (b.size() > kMaxHeaderBytes) return bad(431, "request headers too large");
    return f;  // incomplete
  }
  if (header_end > kMaxHeaderBytes) return bad(431, "request headers too large");
  f.header_length = header_end;

  std::vector<std::string_view> lengths, encodings;
  bool expect_continue = false;
  std::string_view head = b.substr(0, header_end - 2);
  bool first = true;
  while (!head.empty()) {
    auto nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 1);
    // cpp-httplib skips lines that do not end in CR LF; refuse them rather than guess.
    if (nl == std::string_view::npos || line.empty() || line.back() != '\r') {
      return bad(400, "header line without CR LF");
    }
    line.remove_suffix(1);
    if (first) {
      first = false;
      continue;  // the request line: cpp-httplib checks it
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon), value = trim_ows(line.substr(colon + 1));
    if (iequals(name, "Content-Length"))
      lengths.push_back(value);
    else if (iequals(name, "Transfer-Encoding"))
      encodings.push_back(value);
    else if (iequals(name, "Expect"))
      expect_continue = iequals(value, "100-continue");
  }

  if (!lengths.empty() && !encodings.empty()) {
    return bad(400, "both Content-Length and Transfer-Encoding: ambiguous framing");
  }
  if (!encodings.empty()) {
    if (encodings.size() > 1 || !iequals(encodings.front(), "chunked")) {
      return bad(400, "Transfer-Encoding '" + std::string(encodings.front()) +
                          "' not supported (only chunked)");
    }
    f.expects_continue = expect_continue;
    return examine_chunks(b, header_end, max_body, f);
  }
  std::size_t length = 0;
  if (!lengths.empty()) {
    for (std::string_view v : lengths) {
      if (v != lengths.front()) return bad(400, "two different Content-Length values");
    }
    std::string_view v = lengths.front();
    if (v.empty() || v.size() > 15 ||
        !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return bad(400, "bad Content-Length '" + std::string(v) + "'");
    }
    length = std::stoull(std::string(v));
    if (length > max_body) {
      return bad(413, "request body larger than " + std::to_string(max_body) + " bytes");
    }
  }
  if (b.size() < header_end + length) {
    f.expects_continue = expect_continue;
    return f;  // incomplete
  }
  f.state = Framing::State::complete;
  f.length = header_end + length;
  return f;
}

namespace {

// One buffered request for cpp-httplib: reads come from the bytes the reader thread
// collected (never from the socket), writes go to the socket with a timeout.
class BufferedRequestStream : public httplib::Stream {
 public:
  BufferedRequestStream(int fd, std::string_view request, std::chrono::milliseconds write_timeout)
      : fd_(fd), request_(request), write_timeout_(write_timeout) {}

  bool is_readable() const override { return pos_ < request_.size(); }
  bool is_writable() const override { return wait_writable(); }
  ssize_t read(char* ptr, size_t size) override {
    std::size_t n = std::min(size, request_.size() - pos_);
    std::memcpy(ptr, request_.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    for (;;) {
      if (!wait_writable()) return -1;
      ssize_t n = ::send(fd_, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      return n;
    }
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    address(::getpeername, ip, port);
    // On a Unix socket the kernel vouches for the caller: its uid goes where a TCP
    // peer's port would (kUnixPeer, peer_uid()), so that /v1/queue can tell a user's
    // own jobs from others'.
    ucred cred{};
    socklen_t len = sizeof cred;
    if (ip.empty() && ::getsockopt(fd_, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
      ip = kUnixPeer;
      port = static_cast<int>(cred.uid);
    }
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    address(::getsockname, ip, port);
  }
  ::socket_t socket() const override { return fd_; }

 private:
  bool wait_writable() const {
    pollfd p{fd_, POLLOUT, 0};
    int r = 0;
    do {
      r = ::poll(&p, 1, static_cast<int>(write_timeout_.count()));
    } while (r < 0 && errno == EINTR);
    return r > 0 && (p.revents & POLLOUT) != 0;
  }
  template <class F>
  void address(F get, std::string& ip, int& port) const {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    if (get(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) return;
    char text[INET6_ADDRSTRLEN] = "";
    if (a.ss_family == AF_INET) {
      auto* v4 = reinterpret_cast<sockaddr_in*>(&a);
      ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
      port = ntohs(v4->sin_port);
    } else if (a.ss_family == AF_INET6) {
      auto* v6 = reinterpret_cast<sockaddr_in6*>(&a);
      ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
      port = ntohs(v6->sin6_port);
    }
    ip = text;
  }

  int fd_;
  std::string_view request_;
  std::size_t pos_ = 0;
  std::chrono::milliseconds write_timeout_;
};

// cpp-httplib's accept loop hands each connection to its task queue; GuardedServer's
// process_and_close_socket only passes it on to the reader thread, so run it right there.
class InlineQueue : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override {}
};

void close_fd(int fd) {
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

const char* status_text(int status) {
  switch (status) {
    case 408:
      return "Request Timeout";
    case 413:
      return "Payload Too Large";
    case 431:
      return "Request Header Fields Too Large";
    default:
      return "Bad Request";
  }
}

// Best effort: the answer is small, and the connection is closed right after.
void answer_and_close(int fd, int status, const std::string& reason) {
  std::string body = nlohmann::json{{"error", reason}}.dump();
  std::string text =
      "HTTP/1.1 " + std::to_string(status) + " " + status_text(status) +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  (void)::send(fd, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  close_fd(fd);
}

}  // namespace

GuardedServer::GuardedServer(Limits limits) : limits_(limits) {
  new_task_queue = [] { return new InlineQueue; };
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  workers_ = std::make_unique<httplib::ThreadPool>(limits_.workers);
  reader_ = std::thread([this] { reader_loop(); });
}

GuardedServer::~GuardedServer() {
  stop_guard();
  ::close(wake_fd_);
}

void GuardedServer::stop_guard() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && !reader_.joinable()) return;
    stopping_ = true;
  }
  wake();
  if (reader_.joinable()) reader_.join();
  if (workers_) workers_->shutdown();
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& c : incoming_) close_fd(c.fd);
  incoming_.clear();
}

void GuardedServer::wake() {
  std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

bool GuardedServer::process_and_close_socket(::socket_t sock) {
  Connection c;
  c.fd = sock;
  admit(std::move(c));
  return true;
}

void GuardedServer::admit(Connection c) {
  c.deadline = Clock::now() + limits_.request_timeout;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) {
      close_fd(c.fd);
      return;
    }
    incoming_.push_back(std::move(c));
  }
  wake();
}

void GuardedServer::reader_loop() {
  std::vector<pollfd> polled;
  char buffer[16 * 1024];
  for (;;) {
    std::vector<Connection> arrived;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) break;
      arrived.swap(incoming_);
    }
    for (auto& c : arrived) {
      // Bounded: make room by dropping the connection that has waited longest.
      if (held_.size() >= limits_.max_connections) {
        auto oldest =
            std::min_element(held_.begin(), held_.end(),
                             [](const auto& a, const auto& b) { return a.deadline < b.deadline; });
        close_fd(oldest->fd);
        held_.erase(oldest);
      }
      // A kept-alive connection may already hold the next request (pipelining).
      if (c.bytes.empty() || advance(c)) held_.push_back(std::move(c));
    }

    auto now = Clock::now();
    for (auto it = held_.begin(); it != held_.end();) {
      if (it->deadline <= now) {
        // Cut off: a client that drips its request (or idles) holds nothing for long.
        if (it->bytes.empty())
          close_fd(it->fd);
        else
          answer_and_close(it->fd, 408, "request not complete within the time limit");
        it = held_.erase(it);
      } else {
        ++it;
      }
    }
    auto next = now + std::chrono::seconds(1);
    polled.assign(1, pollfd{wake_fd_, POLLIN, 0});
    for (const auto& c : held_) {
      polled.push_back(pollfd{c.fd, POLLIN, 0});
      next = std::min(next, c.deadline);
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count() + 1;
    int r = ::poll(polled.data(), polled.size(), static_cast<int>(std::max<long long>(wait, 0)));
    if (r < 0 && errno != EINTR) {
      log_error(std::string("HTTP reader: poll: ") + std::strerror(errno));
      break;
    }
    if (r <= 0) continue;
    if (polled[0].revents) {
      std::uint64_t count = 0;
      (void)!::read(wake_fd_, &count, sizeof count);
    }
    // held_ and polled[1..] are in the same order; walk back so erasing keeps them paired.
    for (std::size_t i = held_.size(); i-- > 0;) {
      if (!polled[i + 1].revents) continue;
      Connection& c = held_[i];
      ssize_t n = ::recv(c.fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      if (n <= 0) {
        close_fd(c.fd);
        held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      c.bytes.append(buffer, static_cast<std::size_t>(n));
      if (!advance(c)) held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  for (auto& c : held_) close_fd(c.fd);
  held_.clear();
}

bool GuardedServer::advance(Connection& c) {
  Framing f = examine_request(c.bytes, limits_.max_body);
  switch (f.state) {
    case Framing::State::bad:
      answer_and_close(c.fd, f.status, f.reason);
      return false;
    case Framing::State::complete: {
      // Moved into the task: std::function needs a copyable callable.
      auto shared = std::make_shared<Connection>(std::move(c));
      workers_->enqueue([this, shared, length = f.length] { serve(std::move(*shared), length); });
      return false;
    }
    case Framing::State::incomplete:
      if (f.expects_continue && !c.sent_continue) {
        static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
        (void)::send(c.fd, kContinue, sizeof kContinue - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        c.sent_continue = true;
      }
      // Bounded: examine_request refuses before the bytes outgrow headers plus body.
      return true;
  }
  return true;
}

void GuardedServer::serve(Connection c, std::size_t length) {
  bool keep = false;
  {
    BufferedRequestStream stream(c.fd, std::string_view(c.bytes).substr(0, length),
                                 limits_.write_timeout);
    ++c.served;
    const bool close_connection = c.served >= limits_.keep_alive_max || !is_running();
    bool connection_closed = false;
    bool ok = process_request(stream, close_connection, connection_closed, nullptr);
    keep = ok && !close_connection && !connection_closed;
  }
  if (!keep) {
    close_fd(c.fd);
    return;
  }
  // The request goes (with a body cpp-httplib did not read, as a GET's); whatever came after
  // it (a pipelined request) goes back with the connection.
  c.bytes.erase(0, length);
  c.sent_continue = false;
  admit(std::move(c));
}

}  // namespace ebb::daemon
