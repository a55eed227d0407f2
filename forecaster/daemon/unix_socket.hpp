// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd's Unix socket (Listen=unix:/run/ebb/ebbd.sock). Clients on this host connect to it
// and check with SO_PEERCRED that ebbd's user serves it (README, "Security"), which holds
// only if nobody else can put a socket at that path: its folder must belong to root or
// to ebbd's user and be writable by nobody else.
#pragma once

#include <string>

namespace ebb::daemon {

// Checks the folder, removes a stale socket left by an ebbd that died, binds, lets every
// user connect (mode 0666) and listens with `backlog`. Returns the listening socket.
// Throws std::runtime_error saying what is wrong and how to fix it.
int listen_on_unix_socket(const std::string& path, int backlog);

}  // namespace ebb::daemon
