// SPDX-License-Identifier: GPL-2.0-or-later
// Reproduction 1: Let's Wait Awhile, scenario I (nightly job), against the table in the
// data README section 4a. Deterministic, so it must match to 0.01 percentage points.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>

#include "experiments.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::replay;

TEST_CASE("LWA nightly job: reductions for +-1..8 h match the published table", "[lwa-nightly]") {
  struct Row {
    const char* file;
    double published[5];  // +-1, 2, 4, 6, 8 h
  };
  const Row rows[] = {
      {"lwa_de_ci_2020_30min.csv.gz", {1.69, 2.80, 3.97, 7.52, 13.76}},
      {"lwa_gb_ci_2020_30min.csv.gz", {4.73, 6.81, 8.61, 9.12, 10.41}},
      {"lwa_fr_ci_2020_30min.csv.gz", {2.92, 4.72, 6.09, 7.13, 7.79}},
  };
  const std::vector<Duration> windows{hours(0), hours(1), hours(2), hours(4), hours(6), hours(8)};
  for (const Row& row : rows) {
    Grid grid = test::load_grid(row.file, "Carbon Intensity", "30m");
    NightlyResult r = lwa_nightly(grid, windows);
    for (std::size_t k = 1; k < windows.size(); ++k) {
      std::printf("%s +-%lldh: ours %.3f%%, published %.2f%%\n", row.file,
                  static_cast<long long>(windows[k].count() / 3600), r.reduction_pct[k],
                  row.published[k - 1]);
      INFO(row.file << " window +-" << windows[k].count() / 3600 << " h");
      CHECK(std::abs(r.reduction_pct[k] - row.published[k - 1]) < 0.01);
    }
  }
}
