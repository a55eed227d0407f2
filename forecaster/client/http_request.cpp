// SPDX-License-Identifier: GPL-2.0-or-later
#include "http_request.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <utility>

#include "ebb/error.hpp"
#include "ebb/posix.hpp"
#include "ebb/strings.hpp"

namespace ebb::http {
namespace {

using Clock = std::chrono::steady_clock;

// A forecast for a week at 5-minute resolution is about 250 KB; anything far beyond is
// not ebbd talking.
constexpr std::size_t kMaxResponseBytes = 16 * 1024 * 1024;

using Socket = UniqueFd;

std::string errno_text(int err) { return std::strerror(err); }

// Milliseconds left until `deadline`, at least 0, for poll().
int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return 0;
  // Round up so that poll() does not return a hair early and spin.
  return static_cast<int>(left.count()) + 1;
}

void wait_for(int fd, short events, Clock::time_point deadline, const char* what) {
  for (;;) {
    int ms = remaining_ms(deadline);
    if (ms == 0) throw RequestError(ErrorKind::timeout, std::string("timed out while ") + what);
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, ms);
    if (n > 0) return;
    if (n < 0 && errno != EINTR) throw RequestError(std::string("poll: ") + errno_text(errno));
  }
}

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

Address resolve(const Url& url) {
  Address a;
  if (!url.socket_path.empty()) {
    auto* un = reinterpret_cast<sockaddr_un*>(&a.storage);
    un->sun_family = AF_UNIX;
    std::memcpy(un->sun_path, url.socket_path.c_str(), url.socket_path.size() + 1);
    a.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + url.socket_path.size() + 1);
    return a;
  }
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
  std::string host = url.host == "localhost" ? "127.0.0.1" : url.host;
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(url.port));
    a.length = sizeof(sockaddr_in);
    return a;
  }
  if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(url.port));
    a.length = sizeof(sockaddr_in6);
    return a;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string port = std::to_string(url.port);
  int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    throw RequestError("cannot resolve '" + url.host + "': " + ::gai_strerror(rc));
  }
  std::memcpy(&a.storage, found->ai_addr, found->ai_addrlen);
  a.length = found->ai_addrlen;
  ::freeaddrinfo(found);
  return a;
}

void connect_by(const Socket& s, const Address& a, Clock::time_point deadline) {
  if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&a.storage), a.length) == 0) return;
  if (errno != EINPROGRESS && errno != EINTR) {
    throw RequestError(ErrorKind::unreachable, "connect: " + errno_text(errno));
  }
  wait_for(s.get(), POLLOUT, deadline, "connecting");
  int err = 0;
  socklen_t len = sizeof(err);
  ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) throw RequestError(ErrorKind::unreachable, "connect: " + errno_text(err));
}

void send_all(const Socket& s, std::string_view data, Clock::time_point deadline) {
  while (!data.empty()) {
    ssize_t n = ::send(s.get(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      wait_for(s.get(), POLLOUT, deadline, "sending the request");
    } else {
      throw RequestError("send: " + errno_text(errno));
    }
  }
}

struct Head {
  int status = 0;
  std::size_t body_start = 0;
  std::optional<std::size_t> content_length;
  std::map<std::string, std::string> headers;
};

// Parses the status line and headers once "\r\n\r\n" has arrived.
std::optional<Head> parse_head(const std::string& data) {
  auto end = data.find("\r\n\r\n");
  if (end == std::string::npos) return std::nullopt;
  Head h;
  h.body_start = end + 4;
  std::string_view head(data.data(), end);
  auto line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  if (status_line.substr(0, 5) != "HTTP/" || status_line.size() < 12) {
    throw RequestError("not an HTTP response");
  }
  auto code = status_line.substr(9, 3);
  if (std::from_chars(code.data(), code.data() + 3, h.status).ec != std::errc()) {
    throw RequestError("bad HTTP status line");
  }
  while (line_end != std::string_view::npos) {
    head.remove_prefix(line_end + 2);
    line_end = head.find("\r\n");
    std::string_view line = head.substr(0, line_end);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name = lower(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    h.headers[name] = std::string(value);
    if (name == "content-length") {
      std::size_t n = 0;
      if (std::from_chars(value.data(), value.data() + value.size(), n).ec != std::errc()) {
        throw RequestError("bad Content-Length");
      }
      h.content_length = n;
    } else if (name == "transfer-encoding" && lower(value) != "identity") {
      throw RequestError("chunked responses are not supported");
    }
  }
  return h;
}

}  // namespace

Url parse_url(const std::string& text) {
  constexpr std::string_view unix_scheme = "unix:";
  if (text.rfind(unix_scheme, 0) == 0) {
    Url url;
    url.host = "localhost";
    url.socket_path = text.substr(unix_scheme.size());
    if (url.socket_path.empty() || url.socket_path.front() != '/') {
      throw InputError("daemon URL '" + text + "': expected unix:/absolute/path/to/socket");
    }
    if (url.socket_path.size() >= sizeof(sockaddr_un::sun_path)) {
      throw InputError("daemon URL '" + text + "': the socket path is longer than " +
                       std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes");
    }
    return url;
  }
  constexpr std::string_view scheme = "http://";
  if (text.rfind(scheme, 0) != 0) {
    throw InputError("daemon URL '" + text +
                     "': only http://host:port and unix:/path are supported");
  }
  std::string_view rest(text);
  rest.remove_prefix(scheme.size());
  Url url;
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    url.base_path = std::string(rest.substr(slash));
    while (!url.base_path.empty() && url.base_path.back() == '/') url.base_path.pop_back();
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) throw InputError("daemon URL '" + text + "': bad IPv6");
    url.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      port_text = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) throw InputError("daemon URL '" + text + "': no host");
  if (!port_text.empty()) {
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), url.port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || url.port <= 0 ||
        url.port > 65535) {
      throw InputError("daemon URL '" + text + "': bad port '" + std::string(port_text) + "'");
    }
  }
  return url;
}

Response request(const Url& url, const std::string& method, const std::string& path,
                 const std::string& body, std::chrono::milliseconds timeout,
                 const RequestOptions& options) {
  const auto deadline = Clock::now() + timeout;
  Address address = resolve(url);
  Socket s(::socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (s.get() < 0) throw RequestError("socket: " + errno_text(errno));
  if (url.socket_path.empty()) {
    int one = 1;
    ::setsockopt(s.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  connect_by(s, address, deadline);
  if (!url.socket_path.empty() && options.check_peer) {
    // Who listens on the socket, checked before the request (the job's name, account
    // and limits) leaves this process.
    ucred peer{};
    socklen_t length = sizeof peer;
    if (::getsockopt(s.get(), SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0) {
      throw RequestError("SO_PEERCRED: " + errno_text(errno));
    }
    options.check_peer(peer.uid);
  }

  std::string message =
      method + " " + url.base_path + path + " HTTP/1.1\r\nHost: " +
      (url.socket_path.empty() ? url.host + ":" + std::to_string(url.port) : url.host) +
      "\r\nUser-Agent: ebb\r\nAccept: application/json\r\nConnection: close\r\n";
  for (const auto& [name, value] : options.headers) {
    if (name.find_first_of("\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      throw RequestError("bad request header '" + name + "'");
    }
    message += name + ": " + value + "\r\n";
  }
  if (!body.empty() || method == "POST") {
    message +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  message += "\r\n";
  message += body;
  send_all(s, message, deadline);

  std::string data;
  std::optional<Head> head;
  char buffer[16384];
  for (;;) {
    if (head && head->content_length && data.size() >= head->body_start + *head->content_length) {
      break;
    }
    ssize_t n = ::recv(s.get(), buffer, sizeof(buffer), 0);
    if (n > 0) {
      data.append(buffer, static_cast<std::size_t>(n));
      if (data.size() > kMaxResponseBytes) throw RequestError("response larger than 16 MiB");
      if (!head) head = parse_head(data);
      continue;
    }
    if (n == 0) break;  // the server closed: the body ends here
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      wait_for(s.get(), POLLIN, deadline, "waiting for the answer");
      continue;
    }
    throw RequestError("recv: " + errno_text(errno));
  }
  if (!head) throw RequestError("connection closed before a complete HTTP response");
  Response r;
  r.status = head->status;
  r.headers = std::move(head->headers);
  std::size_t length = data.size() - head->body_start;
  if (head->content_length) {
    if (length < *head->content_length) throw RequestError("response body cut short");
    length = *head->content_length;
  }
  r.body = data.substr(head->body_start, length);
  return r;
}

}  // namespace ebb::http
