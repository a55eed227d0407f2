// SPDX-License-Identifier: GPL-2.0-or-later
#include <catch2/catch.hpp>
#include <cmath>

#include "helpers.hpp"
#include "http.hpp"
#include "json.hpp"
#include "normalise.hpp"
#include "rate_limiter.hpp"

using namespace ebb;
using namespace ebb::gridsources;
using ebbtest::utc;

namespace {

SeriesBuilder carbon_builder() {
  return SeriesBuilder("watttime", Quantity::carbon, FieldName{"data", "point_time"},
                       FieldName{"data", "value"});
}

}  // namespace

TEST_CASE("SeriesBuilder builds slots that hold until the next point", "[normalise]") {
  auto b = carbon_builder();
  b.add(0, utc("2024-01-01T00:00Z"), std::nullopt, 100, Origin::forecast);
  b.add(1, utc("2024-01-01T00:05Z"), std::nullopt, 120, Origin::forecast);
  b.add(2, utc("2024-01-01T00:15Z"), std::nullopt, 90, Origin::actual);
  const SignalSeries s = b.build();
  REQUIRE(s.size() == 3);
  CHECK(s.slots()[0].end == utc("2024-01-01T00:05Z"));
  CHECK(s.slots()[1].end == utc("2024-01-01T00:15Z"));
  // The last point holds for the previous step (10 minutes).
  CHECK(s.slots()[2].end == utc("2024-01-01T00:25Z"));
  CHECK(s.slots()[2].origin == Origin::actual);
  CHECK(std::isnan(s.slots()[0].price));
  CHECK(s.source == "watttime");
}

TEST_CASE("SeriesBuilder names provider and field in every rejection", "[normalise]") {
  auto b = carbon_builder();
  b.add(0, utc("2024-01-01T00:00Z"), std::nullopt, 100, Origin::forecast);
  b.add(1, utc("2024-01-01T00:05Z"), std::nullopt, 100, Origin::forecast);
  b.add(2, utc("2024-01-01T00:10Z"), std::nullopt, 100, Origin::forecast);
  CHECK_THROWS_WITH(b.add(3, utc("2024-01-01T00:15Z"), std::nullopt, -5, Origin::forecast),
                    "watttime: data[3].value: negative intensity -5");
  CHECK_THROWS_WITH(b.add(3, utc("2024-01-01T00:15Z"), std::nullopt, NAN, Origin::forecast),
                    "watttime: data[3].value: not a finite number");
  CHECK_THROWS_WITH(b.add(3, utc("2024-01-01T00:15Z"), std::nullopt, 9000, Origin::forecast),
                    Catch::Contains("watttime: data[3].value: absurd intensity 9000"));

  SECTION("duplicate timestamps") {
    b.add(3, utc("2024-01-01T00:10Z"), std::nullopt, 100, Origin::forecast);
    CHECK_THROWS_WITH(
        b.build(),
        "watttime: data[3].point_time: duplicate timestamp (same as data[2].point_time)");
  }
  SECTION("unsorted timestamps") {
    b.add(3, utc("2024-01-01T00:01Z"), std::nullopt, 100, Origin::forecast);
    CHECK_THROWS_WITH(b.build(), Catch::Contains("data[3].point_time: timestamps out of order"));
  }
  SECTION("unsorted but the provider documents it: sorted") {
    b.add(3, utc("2023-12-31T23:55Z"), std::nullopt, 80, Origin::forecast);
    b.sort_by_start();
    const auto s = b.build();
    CHECK(s.begin() == utc("2023-12-31T23:55Z"));
    CHECK(s.slots()[0].carbon == 80);
  }
}

TEST_CASE("SeriesBuilder rejects overlaps, bad ends and empty input", "[normalise]") {
  auto b = carbon_builder();
  b.add(0, utc("2024-01-01T00:00Z"), utc("2024-01-01T01:00Z"), 100, Origin::forecast);
  b.add(1, utc("2024-01-01T00:30Z"), utc("2024-01-01T01:30Z"), 100, Origin::forecast);
  CHECK_THROWS_WITH(b.build(), "watttime: data[0].point_time: slot overlaps the next one");
  CHECK_THROWS_WITH(
      b.add(2, utc("2024-01-01T03:00Z"), utc("2024-01-01T02:00Z"), 1, Origin::forecast),
      Catch::Contains("data[2].point_time: slot ends before it starts"));

  auto empty = carbon_builder();
  try {
    (void)empty.build();
    FAIL("empty input must throw");
  } catch (const SourceError& e) {
    CHECK(e.retryable);
    CHECK(e.provider == "watttime");
    CHECK(std::string(e.what()).find("no data") != std::string::npos);
  }
  auto single = carbon_builder();
  single.add(0, utc("2024-01-01T00:00Z"), std::nullopt, 1, Origin::forecast);
  CHECK_THROWS_WITH(single.build(), Catch::Contains("cannot tell the slot length"));
  CHECK(single.build(std::chrono::minutes(5)).end() == utc("2024-01-01T00:05Z"));
}

TEST_CASE("Price builder: price filled, carbon zero, negative prices allowed", "[normalise]") {
  SeriesBuilder b("awattar", Quantity::price, FieldName{"data", "start_timestamp"},
                  FieldName{"data", "marketprice"});
  b.add(0, utc("2024-01-01T00:00Z"), utc("2024-01-01T01:00Z"), -12.5, Origin::actual);
  const auto s = b.build();
  CHECK(s.slots()[0].price == -12.5);
  CHECK(s.slots()[0].carbon == 0);
  CHECK_THROWS_WITH(b.add(1, utc("2024-01-01T01:00Z"), std::nullopt, 1e7, Origin::actual),
                    Catch::Contains("awattar: data[1].marketprice: absurd price"));
}

TEST_CASE("JsonReader: numbers as strings, BOM, malformed and truncated JSON", "[normalise]") {
  JsonReader json("casdk");
  auto doc = json.parse("\xEF\xBB\xBF{\"a\":\"0.6\",\"b\":7,\"c\":\"x\",\"d\":null}");
  CHECK(json.number(json.require(doc, Where{"", kNoIndex, "a"}), Where{"", kNoIndex, "a"}) ==
        Approx(0.6));
  CHECK(json.number(json.require(doc, Where{"", kNoIndex, "b"}), Where{"", kNoIndex, "b"}) == 7);
  CHECK_THROWS_WITH(json.number(json.require(doc, Where{"", kNoIndex, "c"}), Where{"x", 2, "c"}),
                    "casdk: x[2].c: not a number: 'x'");
  CHECK_FALSE(json.optional(doc, "d"));
  CHECK_THROWS_WITH(json.require(doc, Where{"data", 1, "value"}), "casdk: data[1].value: missing");
  CHECK_THROWS_WITH(json.parse("{\"data\":[1,2"), Catch::Contains("casdk: malformed JSON"));
  CHECK_THROWS_WITH(json.parse(""), Catch::Contains("casdk: malformed JSON"));
}

TEST_CASE("Rate limits parse and the bucket refuses rather than blocking long", "[normalise]") {
  const auto r = parse_rate_limit("3000/5m");
  CHECK(r.requests == 3000);
  CHECK(r.period.count() == 300);
  CHECK(parse_rate_limit("100/1d").period.count() == 86400);
  CHECK(parse_rate_limit("none").unlimited());
  CHECK_THROWS(parse_rate_limit("12"));
  CHECK_THROWS(parse_rate_limit("x/1m"));
  CHECK_THROWS(parse_rate_limit("5/1y"));

  RateLimiter limiter(parse_rate_limit("2/1h"));
  CHECK(limiter.acquire(std::chrono::milliseconds(0)));
  CHECK(limiter.acquire(std::chrono::milliseconds(0)));
  CHECK_FALSE(limiter.acquire(std::chrono::milliseconds(10)));  // next token in 30 minutes
  CHECK(limiter.wait_time() > std::chrono::minutes(29));
}

TEST_CASE("the fast ISO 8601 path agrees with ebb::parse_iso8601", "[normalise]") {
  JsonReader json("x");
  for (const char* text :
       {"2024-01-12T06:00Z", "2024-03-05T20:00:00.000Z", "2022-07-15T00:05:00+00:00",
        "2022-05-01T14:00:00-04:00", "2021-01-01T00:00:01", "2026-11-28 03:00",
        "2026-11-28T03:00:00+0130", "2024-02-29T23:59:59Z", "2023-09-02T16:00Z"}) {
    INFO(text);
    CHECK(json.time_text(text, Where{}) == parse_iso8601(text));
  }
  // .NET's seven fraction digits (Nord Pool's updatedAt): fractions are ignored.
  CHECK(json.time_text("2024-11-04T11:58:10.7711584Z", Where{}) ==
        parse_iso8601("2024-11-04T11:58:10Z"));
  CHECK_THROWS_WITH(json.time_text("2023-02-29T00:00Z", Where{"data", 1, "from"}),
                    "x: data[1].from: not an ISO 8601 time: '2023-02-29T00:00Z'");
  CHECK_THROWS(json.time_text("2024-01-12T25:00Z", Where{}));
  CHECK_THROWS(json.time_text("2024-01-12T06:00Zjunk", Where{}));
}

TEST_CASE("Retry-After values and error excerpts", "[normalise]") {
  CHECK(retry_after_ms("5") == 5000);
  CHECK(retry_after_ms("0") == 0);
  CHECK(retry_after_ms("") == -1);
  CHECK(retry_after_ms("soon") == -1);
  CHECK(retry_after_ms("99999999999") == -1);
  // An HTTP date in the past means "now".
  CHECK(retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT") == 0);
  CHECK(retry_after_ms("Fri, 31 Dec 2100 23:59:59 GMT") > 1000LL * 3600 * 24 * 365);

  CHECK(error_excerpt(
            R"({"error":{"code":"400 Bad Request","message":"Please enter a valid datetime"}})") ==
        "Please enter a valid datetime");
  CHECK(error_excerpt(R"({"error":"INVALID_QUERY_PARAMS","msg":"bad params"})") == "bad params");
  CHECK(error_excerpt(R"({"detail":"Not found."})") == "Not found.");
  CHECK(error_excerpt(R"({"title":"ArgumentException","status":400})") == "ArgumentException");
  CHECK(error_excerpt("<Acknowledgement_MarketDocument><Reason><code>999</code><text>No matching "
                      "data</text></Reason>") == "No matching data");
  CHECK(error_excerpt("") == "empty body");
  CHECK(error_excerpt("<html>\n<body>403 Forbidden</body>\n</html>") ==
        "<html> <body>403 Forbidden</body> </html>");
  CHECK(error_excerpt(std::string(1000, 'x')).size() == 203);  // 200 characters and "..."
  CHECK(url_encode("E-1R-AGILE 24/C&x=1") == "E-1R-AGILE%2024%2FC%26x%3D1");
}
