// SPDX-License-Identifier: GPL-2.0-or-later
#include "unix_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "ebb/posix.hpp"

namespace ebb::daemon {
namespace {

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

sockaddr_un address_of(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  return a;
}

constexpr socklen_t address_length(const std::string& path) {
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
}

}  // namespace

int listen_on_unix_socket(const std::string& path, int backlog) {
  const std::string what = "Listen=unix:" + path;
  if (path.size() >= sizeof(sockaddr_un::sun_path)) {
    throw std::runtime_error(what + ": the path is longer than " +
                             std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes");
  }
  const std::string folder = path.substr(0, path.rfind('/') == 0 ? 1 : path.rfind('/'));
  struct stat st {};
  if (::stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw std::runtime_error(what + ": no folder " + folder +
                             " (create it owned by ebbd's user, mode 0755; under systemd, "
                             "RuntimeDirectory=ebb makes /run/ebb)");
  }
  // Whoever can write to the folder can replace the socket with their own, and clients
  // would then trust a socket that ebbd's user does not serve.
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
    throw std::runtime_error(what + ": the folder " + folder + " belongs to uid " +
                             std::to_string(st.st_uid) + ", not to root or to ebbd's user (uid " +
                             std::to_string(::geteuid()) + "); its owner could replace the socket");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    throw std::runtime_error(what + ": the folder " + folder + " is writable by " +
                             ((st.st_mode & S_IWOTH) ? "every user" : "its group") + " (mode " +
                             octal_mode(st.st_mode) +
                             "), so another user could replace the socket; use a folder that "
                             "only root or ebbd's user can write to, such as /run/ebb");
  }

  const sockaddr_un address = address_of(path);
  struct stat existing {};
  if (::lstat(path.c_str(), &existing) == 0) {
    if (!S_ISSOCK(existing.st_mode)) {
      throw std::runtime_error(what + ": " + path + " exists and is not a socket");
    }
    UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (probe.get() >= 0 && ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&address),
                                      address_length(path)) == 0) {
      throw std::runtime_error(what + ": another process (another ebbd?) serves " + path);
    }
    ::unlink(path.c_str());  // left behind by an ebbd that did not stop cleanly
  }

  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) throw std::runtime_error(what + ": socket: " + std::strerror(errno));
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), address_length(path)) != 0) {
    throw std::runtime_error(what + ": cannot bind: " + std::strerror(errno));
  }
  // Every user submits jobs, so every user may connect; what they are told is public.
  if (::chmod(path.c_str(), 0666) != 0 || ::listen(fd.get(), backlog) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    throw std::runtime_error(what + ": cannot listen: " + std::strerror(err));
  }
  return fd.release();
}

}  // namespace ebb::daemon
