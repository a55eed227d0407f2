// SPDX-License-Identifier: GPL-2.0-or-later
// The grid's repetition past its data (Grid::tiled_to_cover): copies fill only time outside
// the data, by whole weeks, and the replay's outputs say when and how it happened.
#include <catch2/catch.hpp>

#include "engine.hpp"
#include "grid.hpp"
#include "report.hpp"

using namespace ebb;
using namespace ebb::replay;
using Catch::Matchers::Contains;

namespace {

// 2023, hourly, 100 g/kWh, except 31 December (900) and 2 January (300): a copy of the
// year shifted by 52 weeks puts 2 January on 1 January 2024 and 1 January on 31 December.
Grid year_2023() {
  const TimePoint t0 = parse_iso8601("2023-01-01T00:00Z");
  std::vector<Slot> slots;
  for (int h = 0; h < 365 * 24; ++h) {
    Slot s;
    s.start = t0 + hours(h);
    s.end = s.start + hours(1);
    const int day = h / 24;
    s.carbon = day == 364 ? 900 : day == 1 ? 300 : 100;
    slots.push_back(s);
  }
  return Grid(std::move(slots), false, "year 2023");
}

}  // namespace

TEST_CASE("Repeating a year-long grid keeps its own 31 December", "[grid-repeat]") {
  const Grid grid = year_2023();
  const TimePoint dec31 = parse_iso8601("2023-12-31T00:00Z");
  const TimePoint jan1_2024 = parse_iso8601("2024-01-01T00:00Z");
  const Grid tiled = grid.tiled_to_cover(grid.begin(), jan1_2024 + hours(24 * 10));
  // The real data stays.
  CHECK(tiled.carbon_at(dec31 + hours(12)) == 900);
  CHECK(tiled.mean_carbon(dec31, jan1_2024) == Approx(900));
  CHECK(tiled.gaps().carbon_gaps == 0);
  // After the end: the data 52 weeks (364 days) earlier, same weekday and hour.
  // 2024-01-01 (a Monday) <- 2023-01-02 (a Monday).
  CHECK(tiled.carbon_at(jan1_2024 + hours(5)) == 300);
  CHECK(tiled.carbon_at(jan1_2024 + hours(24 + 5)) == 100);
  CHECK(tiled.end() >= jan1_2024 + hours(24 * 10));
  // Before the start: the data 52 weeks later (2022-12-31 <- 2023-12-30).
  const Grid early = grid.tiled_to_cover(grid.begin() - hours(48), grid.end());
  CHECK(early.begin() <= grid.begin() - hours(48));
  CHECK(early.carbon_at(grid.begin() - hours(12)) == 100);
  CHECK(early.carbon_at(dec31 + hours(1)) == 900);
  CHECK(early.gaps().carbon_gaps == 0);

  CHECK(grid.repeat_note(grid.begin(), grid.end()).empty());
  const std::string note = grid.repeat_note(dec31, jan1_2024 + hours(48));
  CHECK_THAT(note, Contains("grid repeated by 52 weeks") && Contains("2024-01-01") &&
                       Contains("2.0 days after its end"));
}

TEST_CASE("A replay reaching past the year's end scores 31 December on its own values",
          "[grid-repeat]") {
  const Grid grid = year_2023();
  // One job on 31 December, one running into 2024 (weeks of data before it, so the
  // trace is not moved).
  std::vector<TraceJob> jobs(2);
  jobs[0].id = "dec31";
  jobs[0].submit = parse_iso8601("2023-12-31T10:00Z");
  jobs[0].runtime = jobs[0].requested = hours(2);
  jobs[1].id = "newyear";
  jobs[1].submit = parse_iso8601("2024-01-01T02:00Z");
  jobs[1].runtime = jobs[1].requested = hours(1);
  ReplayConfig cfg;
  cfg.policies = {PolicyKind::baseline};
  cfg.deadline = parse_deadline_rule("slack:0h");
  cfg.power.watts_per_core = 1000;
  cfg.power.pue = 1;
  const ReplayResult r = run_replay(jobs, grid, cfg);
  const PolicyResult* base = r.find(PolicyKind::baseline);
  REQUIRE(base);
  REQUIRE(base->grams.size() == 2);
  // 1 kW for 2 h at 900 g/kWh; 1 kW for 1 h at 2 January's 300 g/kWh.
  CHECK(base->grams[0] == Approx(1800));
  CHECK(base->grams[1] == Approx(300));

  ReportContext ctx;
  ctx.trace = "two jobs";
  ctx.grid = grid.source();
  ctx.grid_repeat = grid_repeat_note(r, grid);
  CHECK_THAT(ctx.grid_repeat, Contains("grid repeated by 52 weeks") && Contains("0.1 days"));
  CHECK_THAT(format_table(r, ctx), Contains("Note: grid repeated by 52 weeks"));
  CHECK_THAT(format_json(r, ctx), Contains("\"grid_repeat\": \"grid repeated by 52 weeks"));
  CHECK_THAT(format_csv(r, ctx), Contains(",grid_repeat,") && Contains(",grid repeated by 52"));
}
