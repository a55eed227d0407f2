// SPDX-License-Identifier: GPL-2.0-or-later
// Query-string escaping, shared by the provider adapters and the ebbd client.
#pragma once

#include <string>
#include <string_view>

namespace ebb {

// Percent-encodes everything but RFC 3986's unreserved characters (A-Z a-z 0-9 - _ . ~).
std::string url_encode(std::string_view text);

}  // namespace ebb
