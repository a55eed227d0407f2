// SPDX-License-Identifier: GPL-2.0-or-later
// Input ebb does not control (ebb.conf, forecast files, ebbd's answers), read and quoted
// safely. Everything that reads such a file goes through read_bounded_file(), and every
// message that quotes such text goes through printable_excerpt(): a 1 GB ebb.conf costs
// one fstat(), and a file full of terminal escape sequences cannot reach the user's
// terminal through sbatch's stderr.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ebb {

// How much of a bad value or line a message quotes.
inline constexpr std::size_t kExcerptChars = 80;

// `text` with every byte outside printable ASCII (control characters, ESC, DEL, and any
// byte >= 0x80, which a terminal may read as a C1 control) replaced by '?', cut to
// `max_chars` characters ending in "..." when longer.
std::string printable_excerpt(std::string_view text, std::size_t max_chars = kExcerptChars);

// "'<printable_excerpt(text)>'", the form error messages quote values in.
std::string in_quotes(std::string_view text);

// The whole content of the regular file at `path`, at most `max_bytes` long. Never blocks
// on a FIFO or device (opened non-blocking, then fstat) and never reads more than
// max_bytes + 1 bytes. Throws InputError naming `path` and `what` ("config file"):
// "/etc/slurm/ebb.conf: the config file is larger than 1 MiB".
std::string read_bounded_file(const std::string& path, std::size_t max_bytes,
                              std::string_view what);

}  // namespace ebb
