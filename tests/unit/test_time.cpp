// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>

#include "ebb/error.hpp"
#include "ebb/time.hpp"

using namespace ebb;

TEST_CASE("ISO 8601 forms used by providers and users parse to UTC", "[time]") {
  const TimePoint want = parse_iso8601("2026-11-28T03:00:00Z");
  CHECK(format_utc(want) == "2026-11-28T03:00:00Z");
  CHECK(parse_iso8601("2026-11-28T03:00Z") == want);                 // UK Carbon Intensity
  CHECK(parse_iso8601("2026-11-28T03:00:00.000Z") == want);          // Electricity Maps
  CHECK(parse_iso8601("2026-11-28T03:00:00+00:00") == want);         // WattTime
  CHECK(parse_iso8601("2026-11-28T04:00:00+01:00") == want);         // an offset
  CHECK(parse_iso8601("2026-11-27T22:00:00-0500") == want);          // offset without colon
  CHECK(parse_iso8601("2026-11-28 03:00:00") == want);               // no zone means UTC
  CHECK(parse_iso8601(" 2026-11-28T03:00 ") == want);
}

TEST_CASE("bad times are refused with the text in the message", "[time]") {
  CHECK_THROWS_AS(parse_iso8601("yesterday"), InputError);
  CHECK_THROWS_WITH(parse_iso8601("2026-13-01T00:00Z"), Catch::Contains("2026-13-01T00:00Z"));
  CHECK_THROWS_AS(parse_iso8601("2026-11-28T03:00Zjunk"), InputError);
  CHECK_THROWS_AS(parse_iso8601(""), InputError);
}

TEST_CASE("durations print compactly", "[time]") {
  CHECK(format_duration(minutes(150)) == "2h30m");
  CHECK(format_duration(minutes(45)) == "45m");
  CHECK(format_duration(hours(76)) == "3d4h");
  CHECK(format_duration(seconds(0)) == "0m");
}

TEST_CASE("malformed zones, fields and calendars are refused, never misread", "[time]") {
  for (const char* bad :
       {"2026-11-27T10:00-", "2026-11-27T10:00+", "2026-11-27T10:00+1", "2026-11-27T10:00+25:00",
        "2026-02-30T00:00Z", "2026-11-27T24:00Z", "2026-11-27T10:60Z", "2026-11-27T10:00:61Z",
        "2026-11-27", "2026-11-27T10:00:00.Z", "2026-11-27X10:00Z", "26-11-27T10:00Z",
        "2026-11-27T10:00:00+01:00junk", "\xff\xfe", "2026-11-27T1O:00Z"})
    CHECK_THROWS_AS(parse_iso8601(bad), InputError);
  CHECK(parse_iso8601("2024-02-29T12:00+01") == parse_iso8601("2024-02-29T11:00Z"));
  CHECK(parse_iso8601("2026-11-27t10:00:00,5z") == parse_iso8601("2026-11-27T10:00:00Z"));
}
