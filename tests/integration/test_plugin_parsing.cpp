// SPDX-License-Identifier: GPL-2.0-or-later
// The plugin's reading of Slurm's printed option values (no cluster needed).
#include <catch2/catch.hpp>

#include "job_request.hpp"

using namespace ebb::plugin;

TEST_CASE("counts as Slurm prints them", "[plugin]") {
  CHECK(leading_count("2") == 2u);
  CHECK(leading_count("2-4") == 2u);
  CHECK(leading_count("1-0") == 1u);
  CHECK_FALSE(leading_count("").has_value());
  CHECK_FALSE(leading_count("-2").has_value());
  CHECK_FALSE(leading_count("abc").has_value());
}

TEST_CASE("GPUs from --gpus and --gres", "[plugin]") {
  CHECK(gpus_in("2") == 2u);
  CHECK(gpus_in("a100:2") == 2u);
  CHECK(gpus_in("a100:2,v100:1") == 3u);
  CHECK(gpus_in("a100") == 1u);
  CHECK(gres_gpus_in("gres:gpu:1") == 1u);
  CHECK(gres_gpus_in("gres:gpu:a100:4") == 4u);
  CHECK(gres_gpus_in("gpu") == 1u);
  CHECK(gres_gpus_in("gres:shard:2,gres:gpu:2") == 2u);
  CHECK(gres_gpus_in("gres:license:3") == 0u);
}
