// SPDX-License-Identifier: GPL-2.0-or-later
// Two small POSIX helpers shared by ebbd's files and sockets and the ebbd client.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <string>
#include <utility>

namespace ebb {

// Owns one file descriptor and closes it.
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = other.release();
    }
    return *this;
  }
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// `bytes` bytes from the kernel's random source (getrandom), as lower-case hex: for
// temporary file names nobody can predict and for request nonces. Throws
// std::runtime_error when the kernel gives none.
std::string random_hex(std::size_t bytes);

}  // namespace ebb
