// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb replay --forecast archive:FILE`: each job plans with the latest forecast issued
// before its submit time, extended past that forecast's horizon; every job is scored on
// the actual series.
#include <catch2/catch.hpp>
#include <cmath>

#include "archive.hpp"
#include "engine.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::replay;
using Catch::Matchers::Contains;

namespace {

// 2023-06-10 and 11, hourly, 100 g/kWh except 03:00 (80), 04:00 (60), 05:00 (20) on the
// first day.
Grid two_days() {
  const TimePoint t0 = parse_iso8601("2023-06-10T00:00Z");
  std::vector<Slot> slots;
  for (int h = 0; h < 48; ++h) {
    Slot s;
    s.start = t0 + hours(h);
    s.end = s.start + hours(1);
    s.carbon = h == 3 ? 80 : h == 4 ? 60 : h == 5 ? 20 : 100;
    s.origin = Origin::actual;
    slots.push_back(s);
  }
  return Grid(std::move(slots), false, "two days");
}

// Forecast A, issued 00:00 for 00:00-06:00, puts the minimum at 03:00 (50); forecast B,
// issued 02:00 for 02:00-08:00, at 04:00 (40). Rows deliberately out of order.
const char* kArchive =
    "issued_at,time,forecast\n"
    "2023-06-10T02:00:00Z,2023-06-10T02:00:00Z,100\n"
    "2023-06-10T02:00:00Z,2023-06-10T03:00:00Z,70\n"
    "2023-06-10T02:00:00Z,2023-06-10T04:00:00Z,40\n"
    "2023-06-10T02:00:00Z,2023-06-10T05:00:00Z,100\n"
    "2023-06-10T02:00:00Z,2023-06-10T06:00:00Z,100\n"
    "2023-06-10T02:00:00Z,2023-06-10T07:00:00Z,100\n"
    "2023-06-10T00:00:00Z,2023-06-10T00:00:00Z,100\n"
    "2023-06-10T00:00:00Z,2023-06-10T01:00:00Z,100\n"
    "2023-06-10T00:00:00Z,2023-06-10T02:00:00Z,100\n"
    "2023-06-10T00:00:00Z,2023-06-10T03:00:00Z,50\n"
    "2023-06-10T00:00:00Z,2023-06-10T04:00:00Z,90\n"
    "2023-06-10T00:00:00Z,2023-06-10T05:00:00Z,100\n";

TraceJob job(const char* id, const char* submit) {
  TraceJob j;
  j.id = id;
  j.submit = parse_iso8601(submit);
  j.runtime = j.requested = hours(1);
  return j;
}

}  // namespace

TEST_CASE("Archive replay: the latest forecast issued before each submit, hand-computed",
          "[archive]") {
  const Grid grid = two_days();
  ReplayConfig cfg;
  cfg.forecast = parse_forecast_option("archive:" + test::write_temp("archive.csv", kArchive));
  REQUIRE(cfg.forecast.archive->snapshots().size() == 2);
  cfg.policies = {PolicyKind::baseline, PolicyKind::ebb};
  cfg.deadline = parse_deadline_rule("slack:4h");
  cfg.ebb_policy.objective = Objective::carbon;
  cfg.ebb_policy.min_saving_percent = 0;
  cfg.power.watts_per_core = 1000;
  cfg.power.pue = 1;
  // a at 01:00 sees A: starts 03:00, actual 80. b at 02:00 still sees A (B was issued at
  // 02:00, fetched a moment later): 03:00, 80. c at 02:30 sees B: 04:00, actual 60.
  // d at 05:30 sees B up to 08:00 (100), then ebbd's extension, which knows no earlier
  // day at those hours and so holds the latest value it has (B's 100): nothing to gain,
  // it starts at once (half an hour at 20, half at 100).
  const std::vector<TraceJob> jobs{job("a", "2023-06-10T01:00Z"), job("b", "2023-06-10T02:00Z"),
                                   job("c", "2023-06-10T02:30Z"), job("d", "2023-06-10T05:30Z")};
  const ReplayResult r = run_replay(jobs, grid, cfg);
  const PolicyResult* ebb = r.find(PolicyKind::ebb);
  const PolicyResult* base = r.find(PolicyKind::baseline);
  REQUIRE(ebb);
  REQUIRE(base);
  CHECK(ebb->start[0] == parse_iso8601("2023-06-10T03:00Z"));
  CHECK(ebb->start[1] == parse_iso8601("2023-06-10T03:00Z"));
  CHECK(ebb->start[2] == parse_iso8601("2023-06-10T04:00Z"));
  CHECK(ebb->start[3] == parse_iso8601("2023-06-10T05:30Z"));
  CHECK(ebb->grams[0] == Approx(80));
  CHECK(ebb->grams[1] == Approx(80));
  CHECK(ebb->grams[2] == Approx(60));
  CHECK(ebb->grams[3] == Approx(60));
  // Baseline: 100, 100, half an hour at 100 and half at 80, half at 20 and half at 100.
  CHECK(base->grams[2] == Approx(90));
  CHECK(base->grams[3] == Approx(60));
}

TEST_CASE("Archive files: the shipped NESO excerpt and errors that name the line", "[archive]") {
  const ForecastArchive a =
      ForecastArchive::read(test::data_path("gb_neso_forecasts_excerpt.csv.gz"));
  REQUIRE(a.snapshots().size() == 12);
  CHECK(a.snapshots().front().issued == parse_iso8601("2023-06-09T23:30Z"));
  CHECK(a.snapshots().front().slots.size() == 96);
  CHECK(a.snapshots().front().slots[1].start == parse_iso8601("2023-06-10T00:00Z"));
  CHECK(a.snapshots().front().slots[1].carbon == 109);
  CHECK(a.latest_before(parse_iso8601("2023-06-10T06:00Z"))->issued ==
        parse_iso8601("2023-06-09T23:30Z"));
  CHECK(a.latest_before(parse_iso8601("2023-06-10T06:01Z"))->issued ==
        parse_iso8601("2023-06-10T06:00Z"));
  CHECK(a.latest_before(parse_iso8601("2023-06-09T23:30Z")) == nullptr);

  const std::string bad = test::write_temp(
      "bad.csv", "issued_at,time,forecast\n2023-06-10T00:00Z,2023-06-10T00:00Z,abc\n");
  CHECK_THROWS_WITH(ForecastArchive::read(bad), Contains("bad.csv line 2") && Contains("abc"));
  const std::string header = test::write_temp("header.csv", "time,forecast\n");
  CHECK_THROWS_WITH(ForecastArchive::read(header), Contains("line 1") && Contains("issued_at"));
  CHECK_THROWS_WITH(parse_forecast_option("archive"), Contains("archive:FILE"));
}

TEST_CASE("Archive replay on the NESO excerpt keeps most of the perfect saving", "[archive]") {
  GridReadOptions o;
  PointSeries actual = read_wide_csv(test::data_path("gb_neso_actuals_excerpt.csv.gz"), o);
  const Grid grid(points_to_slots(actual), false, actual.source);
  std::vector<TraceJob> jobs;
  // One 1 h job an hour over the excerpt's first two days.
  for (int h = 1; h < 48; ++h) {
    TraceJob j;
    j.id = std::to_string(h);
    j.submit = grid.begin() + hours(h);
    j.runtime = j.requested = hours(1);
    jobs.push_back(j);
  }
  ReplayConfig cfg;
  cfg.policies = {PolicyKind::baseline, PolicyKind::ebb};
  cfg.deadline = parse_deadline_rule("slack:24h");
  cfg.ebb_policy.objective = Objective::carbon;
  cfg.ebb_policy.min_saving_percent = 0;
  const double perfect = run_replay(jobs, grid, cfg).find(PolicyKind::ebb)->reduction_pct;
  cfg.forecast =
      parse_forecast_option("archive:" + test::data_path("gb_neso_forecasts_excerpt.csv.gz"));
  const double archived = run_replay(jobs, grid, cfg).find(PolicyKind::ebb)->reduction_pct;
  INFO("perfect " << perfect << " %, archived " << archived << " %");
  CHECK(perfect > 10);
  CHECK(archived > 0);
  CHECK(archived < perfect);
}

namespace {

// 12 days of half-hour windows: a daily wave on a level that drifts over days, and an
// archive issued every 6 h for 48 h that runs an hour late and 25 g/kWh high (the shape
// of NESO's lag, exaggerated): F(t) = A(t - 1 h) + 25.
constexpr int kDays = 12;
double synthetic_actual(TimePoint t) {
  const double h = static_cast<double>(t.time_since_epoch().count()) / 3600.0;
  return 150 + 60 * std::sin(2 * M_PI * h / 24) + 30 * std::sin(2 * M_PI * h / (24 * 5.3));
}

Grid synthetic_grid(TimePoint t0, TimePoint poison_from = TimePoint::max()) {
  std::vector<Slot> slots;
  for (int i = 0; i < kDays * 48; ++i) {
    Slot s;
    s.start = t0 + minutes(30 * i);
    s.end = s.start + minutes(30);
    s.carbon = s.start >= poison_from ? 3000 : synthetic_actual(s.start);
    s.origin = Origin::actual;
    slots.push_back(s);
  }
  return Grid(std::move(slots), false, "synthetic");
}

std::shared_ptr<const ForecastArchive> late_archive(TimePoint t0) {
  std::vector<ForecastArchive::Snapshot> snaps;
  for (TimePoint issued = t0; issued < t0 + hours(24 * kDays); issued += hours(6)) {
    ForecastArchive::Snapshot snap{issued, {}};
    for (int i = 0; i < 96; ++i) {
      Slot s;
      s.start = issued + minutes(30 * i);
      s.end = s.start + minutes(30);
      s.carbon = synthetic_actual(s.start - hours(1)) + 25;
      s.origin = Origin::forecast;
      snap.slots.push_back(s);
    }
    snaps.push_back(std::move(snap));
  }
  return std::make_shared<const ForecastArchive>(std::move(snaps), "late");
}

}  // namespace

TEST_CASE("Archive correction learns a late, biased forecast, walk-forward", "[archive]") {
  const TimePoint t0 = parse_iso8601("2023-06-10T00:00Z");
  const Grid grid = synthetic_grid(t0);
  ForecastOptions o;
  o.kind = ForecastKind::archive;
  o.archive = late_archive(t0);
  const Forecaster raw(grid, o);
  o.archive_correction = true;
  const Forecaster learnt(grid, o);
  // Days 8 to 11: the correction has a week of complete pairs behind it.
  double err_raw = 0, err_learnt = 0;
  int n = 0;
  for (TimePoint now = t0 + hours(24 * 8) + hours(1); now < t0 + hours(24 * 11); now += hours(5)) {
    const SignalSeries a = raw.view(now, now, now + hours(24));
    const SignalSeries b = learnt.view(now, now, now + hours(24));
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      const double y = grid.carbon_at(a.slots()[i].start);
      err_raw += std::abs(a.slots()[i].carbon - y);
      err_learnt += std::abs(b.slots()[i].carbon - y);
      ++n;
    }
  }
  INFO("MAE as issued " << err_raw / n << ", corrected " << err_learnt / n);
  CHECK(err_raw / n > 25);
  CHECK(err_learnt / n < 0.3 * err_raw / n);  // measured: 6.3 against 25.7

  // What a job sees at `now` must not change when everything from `now` on does.
  for (const char* when : {"2023-06-14T07:00Z", "2023-06-19T13:00Z", "2023-06-20T00:30Z"}) {
    const TimePoint now = parse_iso8601(when);
    const Grid poisoned = synthetic_grid(t0, now);
    const Forecaster blind(poisoned, o);
    const SignalSeries a = learnt.view(now, now, now + hours(24));
    const SignalSeries b = blind.view(now, now, now + hours(24));
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      INFO(when << " slot " << i);
      CHECK(a.slots()[i].carbon == b.slots()[i].carbon);
    }
  }
}
