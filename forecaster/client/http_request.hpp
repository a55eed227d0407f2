// SPDX-License-Identifier: GPL-2.0-or-later
// One HTTP/1.1 exchange over a plain TCP or Unix socket under a single total deadline.
//
// Why not cpp-httplib's client: its timeouts apply per connect and per read, so a server
// that trickles bytes can hold it far past any limit. Here connect, send and receive all
// poll() against one steady-clock deadline, which is what sbatch needs from the plugin.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ebb/error.hpp"

namespace ebb::http {

struct Url {
  std::string host;  // name or numeric address (IPv6 without brackets)
  int port = 80;
  std::string base_path;    // without a trailing slash, "" for the root
  std::string socket_path;  // "unix:/path": a Unix socket instead of host and port
};

// Parses "http://host[:port][/path]" and "unix:/absolute/path". Throws InputError on
// anything else (https too).
Url parse_url(const std::string& text);

struct Response {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case
};

struct RequestOptions {
  std::vector<std::pair<std::string, std::string>> headers;  // added to the request
  // For a Unix socket: called with the server's uid (SO_PEERCRED) once connected and
  // before anything is sent; throw to refuse the server.
  std::function<void(uid_t)> check_peer;
};

// Why an exchange failed: ErrorKind::timeout past the deadline, ErrorKind::unreachable when
// the connection was refused (nothing listens, no such socket), ErrorKind::failed otherwise.
class RequestError : public Error {
 public:
  explicit RequestError(const std::string& what) : Error(ErrorKind::failed, what) {}
  RequestError(ErrorKind kind, const std::string& what) : Error(kind, what) {}
};

// Sends `method path` (path includes any query string) with `body` (JSON when not empty)
// and returns the response. Throws RequestError on timeouts, refused connections and
// malformed responses; never waits past now + timeout (name resolution of a non-numeric
// host aside, which uses the system resolver).
Response request(const Url& url, const std::string& method, const std::string& path,
                 const std::string& body, std::chrono::milliseconds timeout,
                 const RequestOptions& options = {});

}  // namespace ebb::http
