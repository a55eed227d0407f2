// SPDX-License-Identifier: GPL-2.0-or-later
// The extension past a provider's horizon: ebbd's own forecaster by default; with
// ExtensionModel=weekly-median, weekly medians when there are weeks of history, daily
// medians when there are not; nothing invented without history.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "ebb/error.hpp"
#include "ebb/forecast_file.hpp"
#include "ebb/seasonal_forecast.hpp"
#include "history.hpp"
#include "support.hpp"

using ebb::hours;
using ebb::parse_iso8601;
using ebb::daemon::History;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

ebb::SignalSeries hourly_series(ebb::TimePoint from, int count) {
  return ebb::parse_forecast_csv(ebb::test::synthetic_forecast_csv(from, hours(1), count), "t");
}

}  // namespace

TEST_CASE("extension uses the median of the same hour of the week", "[history]") {
  const auto t0 = parse_iso8601("2026-11-02T00:00:00Z");
  History h;
  h.record(hourly_series(t0, 24 * 21));  // three weeks
  const auto end = t0 + hours(24 * 21);
  auto ext = h.extend(end, end + hours(48), 4, ebb::daemon::ExtensionModel::weekly_median);
  REQUIRE(ext.size() == 48);
  for (int i : {0, 5, 17, 30, 47}) {
    const auto t = end + hours(i);
    std::vector<double> same_hour_of_week;
    for (int k = 1; k <= 3; ++k)
      same_hour_of_week.push_back(ebb::test::synthetic_carbon(t - hours(24 * 7 * k)));
    CHECK(ext[i].start == t);
    CHECK(ext[i].end == t + hours(1));
    CHECK(ext[i].origin == ebb::Origin::extension);
    CHECK(ext[i].carbon == Approx(median(same_hour_of_week)));
    std::vector<double> prices;
    for (int k = 1; k <= 3; ++k)
      prices.push_back(ebb::test::synthetic_price(t - hours(24 * 7 * k)));
    CHECK(ext[i].price == Approx(median(prices)));
  }
}

TEST_CASE("with less than two weeks, extension uses the same hour of the day", "[history]") {
  const auto t0 = parse_iso8601("2026-11-20T00:00:00Z");
  History h;
  h.record(hourly_series(t0, 24 * 3));  // three days
  const auto end = t0 + hours(72);
  auto ext = h.extend(end + ebb::minutes(30), end + hours(30), 4,
                      ebb::daemon::ExtensionModel::weekly_median);
  REQUIRE(ext.size() == 30);
  CHECK(ext[0].start == end + ebb::minutes(30));  // first slot starts where asked
  for (int i : {1, 12, 29}) {
    const auto t = end + hours(i);
    std::vector<double> same_hour_of_day;
    for (int d = 1; d <= 28; ++d) {
      auto past = t - hours(24 * d);
      if (past >= t0 && past < end) same_hour_of_day.push_back(ebb::test::synthetic_carbon(past));
    }
    CHECK(ext[i].carbon == Approx(median(same_hour_of_day)));
  }
}

TEST_CASE("no history, no extension; pruning forgets old hours", "[history]") {
  History empty;
  CHECK(
      empty.extend(parse_iso8601("2026-11-20T00:00:00Z"), parse_iso8601("2026-11-21T00:00:00Z"), 4)
          .empty());
  History h;
  const auto t0 = parse_iso8601("2026-11-20T00:00:00Z");
  h.record(hourly_series(t0, 48));
  CHECK(h.hours() == 48);
  h.prune(t0 + hours(24));
  CHECK(h.hours() == 24);
}

TEST_CASE("history is averaged per hour and survives its file form", "[history]") {
  const auto t0 = parse_iso8601("2026-11-20T00:00:00Z");
  History h;
  // Half-hour slots 100 and 300 average to 200 for the hour.
  h.record(ebb::parse_forecast_csv(
      "time,carbon_intensity,price\n2026-11-20T00:00:00Z,100,10\n2026-11-20T00:30:00Z,300,30\n"
      "2026-11-20T01:00:00Z,,\n",
      "t"));
  History back = History::parse(h.to_text(), "file");
  auto ext = back.extend(t0 + hours(24), t0 + hours(25), 4);
  REQUIRE(ext.size() == 1);
  CHECK(ext[0].carbon == 200);
  CHECK(ext[0].price == 20);
  CHECK_THROWS_AS(History::parse("2026-11-20T00:00:00Z,abc,\n", "hist"), ebb::InputError);
}

TEST_CASE("the default extension is ebbd's forecaster, fed only the hours before it", "[history]") {
  const auto t0 = parse_iso8601("2026-10-05T00:00:00Z");
  const auto series = hourly_series(t0, 24 * 35);
  History h;
  h.record(series);
  const auto end = t0 + hours(24 * 30);  // the provider's data runs 5 days past this
  const auto ext = h.extend(end, end + hours(48), 4);
  REQUIRE(ext.size() == 48);
  // The same forecaster as `ebb replay --forecast ebbd`, on the hours before `end`.
  ebb::HourlySeries carbon, price;
  carbon.first_hour = price.first_hour = ebb::hour_index(t0);
  for (int i = 0; i < 24 * 30; ++i) {
    carbon.values.push_back(series.slots()[static_cast<std::size_t>(i)].carbon);
    price.values.push_back(series.slots()[static_cast<std::size_t>(i)].price);
  }
  const auto c = ebb::SeasonalForecaster().forecast(carbon, ebb::hour_index(end), 48);
  const auto p = ebb::SeasonalForecaster(ebb::SeasonalSettings{.nonnegative = false})
                     .forecast(price, ebb::hour_index(end), 48);
  for (int i = 0; i < 48; ++i) {
    CHECK(ext[i].origin == ebb::Origin::extension);
    CHECK(ext[i].start == end + hours(i));
    CHECK(ext[i].carbon == Approx(c[static_cast<std::size_t>(i)]));
    CHECK(ext[i].price == Approx(p[static_cast<std::size_t>(i)]));
  }
  // Hours recorded at or after the extension's start change nothing.
  History more = h;
  std::vector<ebb::Slot> junk = series.slots();
  for (auto& s : junk) s.carbon = 4000;
  more.record(ebb::SignalSeries(std::vector<ebb::Slot>(junk.begin() + 24 * 30, junk.end()), "x"));
  const auto ext2 = more.extend(end, end + hours(48), 4);
  REQUIRE(ext2.size() == 48);
  for (int i = 0; i < 48; ++i) CHECK(ext2[i].carbon == ext[i].carbon);
}
