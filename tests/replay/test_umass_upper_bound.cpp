// Reproduction 2: the temporal upper bound of Sukprasert et al. (EuroSys 2024) for every
// one of the 123 zones of 2022: 1 h, 6 h and 24 h jobs, 24 h slack, deferral (one
// contiguous window), perfect knowledge. Each arrival is planned with ebb::plan().
// Must match the authors' numbers to 0.1 percentage points.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <map>

#include "experiments.hpp"
#include "io.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::replay;

TEST_CASE("EuroSys'24 temporal upper bound: every zone, 1/6/24 h jobs, 24 h slack", "[umass]") {
  std::vector<PointSeries> zones =
      read_wide_csv_all(test::data_path("em_ci_lca_2022_hourly_123zones.csv.gz"));
  REQUIRE(zones.size() == 123);
  std::map<std::string, Grid> grids;
  for (const PointSeries& p : zones) {
    std::string name = p.source.substr(p.source.rfind(' ') + 1);
    grids.emplace(name, Grid(points_to_slots(p), false, p.source));
  }
  std::string text =
      read_text_file(test::data_path("umass_temporal_upper_bounds_2022_slack24.csv"));
  LineReader lines(text, "umass_temporal_upper_bounds_2022_slack24.csv");
  std::string_view line;
  lines.next(line);  // header
  std::size_t checked = 0, worst_line = 0;
  double worst = 0;
  while (lines.next(line)) {
    auto f = split(line, ',');
    REQUIRE(f.size() == 9);
    if (trim(f[5]).empty()) continue;  // SE-SE1, J = 168 h: empty in the source
    std::string zone(f[0]);
    long long job_h = 0, slack_h = 0, n_starts = 0;
    double published = 0;
    REQUIRE(parse_int(f[1], job_h));
    REQUIRE(parse_int(f[2], slack_h));
    REQUIRE(parse_int(f[3], n_starts));
    REQUIRE(parse_double(f[5], published));
    REQUIRE(grids.count(zone) == 1);
    UpperBoundResult r = temporal_upper_bound(grids.at(zone), hours(job_h), hours(slack_h),
                                              static_cast<std::size_t>(n_starts));
    double diff = std::abs(r.reduction_pct - published);
    if (diff > worst) {
      worst = diff;
      worst_line = lines.line_number();
    }
    if (zone == "DE" || zone == "GB" || zone == "FR" || zone == "ES" || zone == "US-CAL-CISO" ||
        zone == "AU-SA" || zone == "PL" || zone == "ZA")
      std::printf("%-12s J=%2lld h: ours %.3f%%, published %.3f%%\n", zone.c_str(), job_h,
                  r.reduction_pct, published);
    INFO(zone << " J=" << job_h << " h S=" << slack_h << " h: ours " << r.reduction_pct
              << "%, published " << published << "%");
    CHECK(diff < 0.1);
    ++checked;
  }
  std::printf("checked %zu zone/job rows; largest difference %.4f pp (line %zu)\n", checked, worst,
              worst_line);
  CHECK(checked == 123 * 3);
}
