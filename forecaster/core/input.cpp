// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/input.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ebb/error.hpp"

namespace ebb {

namespace {

std::string size_text(std::size_t bytes) {
  if (bytes >= (std::size_t{1} << 20) && bytes % (std::size_t{1} << 20) == 0)
    return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

// Closes the descriptor on every path out of read_bounded_file.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string printable_excerpt(std::string_view text, std::size_t max_chars) {
  constexpr std::string_view kEllipsis = "...";
  const bool cut = text.size() > max_chars;
  if (cut) text = text.substr(0, max_chars > kEllipsis.size() ? max_chars - kEllipsis.size() : 0);
  std::string out;
  out.reserve(text.size() + kEllipsis.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    out += (byte >= 0x20 && byte < 0x7f) ? c : '?';
  }
  if (cut) out += kEllipsis;
  return out;
}

std::string in_quotes(std::string_view text) { return "'" + printable_excerpt(text) + "'"; }

std::string read_bounded_file(const std::string& path, std::size_t max_bytes,
                              std::string_view what) {
  const std::string the = path + ": the " + std::string(what);
  const std::string too_big = the + " is larger than " + size_text(max_bytes);
  // O_NONBLOCK: opening a FIFO without a writer must not hang sbatch; fstat then refuses it.
  Fd f{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
  if (f.fd < 0) {
    throw InputError(path + ": cannot read the " + std::string(what) + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) throw InputError(the + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw InputError(the + " is not a regular file");
  if (st.st_size < 0 || static_cast<std::size_t>(st.st_size) > max_bytes) {
    throw InputError(too_big);
  }
  std::string data(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  // The file may grow between fstat and read: read at most one byte past the limit.
  while (true) {
    if (got == data.size()) {
      if (data.size() > max_bytes) throw InputError(too_big);
      data.resize(std::min(max_bytes + 1, data.size() + 4096));
    }
    ssize_t n = ::read(f.fd, data.data() + got, data.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw InputError(the + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > max_bytes) throw InputError(too_big);
  data.resize(got);
  return data;
}

}  // namespace ebb
