// SPDX-License-Identifier: GPL-2.0-or-later
// ebb's version, as the project was built (CMake's PROJECT_VERSION), for records that
// outlive the build: the plan record in AdminComment names the version that planned.
#pragma once

namespace ebb {

const char* version();

}  // namespace ebb
