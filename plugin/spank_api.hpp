// SPDX-License-Identifier: GPL-2.0-or-later
// <slurm/spank.h> has no extern "C" guard (Slurm 22.05 to 26.05), so C++ must add one;
// otherwise the SPANK functions would be looked up under C++ mangled names.
#pragma once

extern "C" {
#include <slurm/spank.h>
}
