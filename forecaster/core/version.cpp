// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/version.hpp"

namespace ebb {

const char* version() { return EBB_VERSION; }

}  // namespace ebb
