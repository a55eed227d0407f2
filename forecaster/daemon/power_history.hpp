// SPDX-License-Identifier: GPL-2.0-or-later
// The energy Slurm measured for each finished job, from sacct's parsable answer, for the
// power calibration (ebb/power_fit.hpp).
//
// ebbd asks, in the same window as the runtimes (runtime_learner.hpp), without -X so that
// the steps come too:
//   sacct -P -n --allusers --state=CD,F,TO,OOM,NF -S ... -E now
//         --format=JobIDRaw,Partition,NNodes,AllocTRES,ElapsedRaw,ConsumedEnergyRaw,End
// The job's own line gives its partition, size (AllocTRES: cpu=, gres/gpu=; NNodes) and
// elapsed seconds; its steps' lines ("123.batch", "123.0") their ConsumedEnergyRaw, which
// is summed, as `ebb report` does with sacct's JSON. A job whose steps report no energy
// (no acct_gather_energy plugin, or a node without one) is not a measurement.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ebb/power_fit.hpp"

namespace ebb::daemon {

inline constexpr const char* kEnergyFormat =
    "--format=JobIDRaw,Partition,NNodes,AllocTRES,ElapsedRaw,ConsumedEnergyRaw,End";

struct MeasuredJob {
  std::string id;
  std::int64_t end = 0;  // epoch seconds (SLURM_TIME_FORMAT=%s)
  PowerSample sample;
};

// The jobs of `text` with measured energy, in the order of their lines. Throws InputError
// naming `source`, the line and the field when a line is malformed.
std::vector<MeasuredJob> parse_sacct_energy(std::string_view text, const std::string& source);

}  // namespace ebb::daemon
