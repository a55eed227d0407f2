// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb queue`'s terminal view of ebbd's /v1/queue answer: per partition, an hourly chart
// of busy CPUs against its size, the forecast's carbon intensity on the same hours below
// it, and the jobs held until a begin time ahead.
#pragma once

#include <string>

#include "ebb/daemon_client.hpp"

namespace ebb::queue_view {

// The whole view; times in local time. `hours` columns from the hour of reply.now.
std::string render(const QueueReply& reply, int hours);

}  // namespace ebb::queue_view
