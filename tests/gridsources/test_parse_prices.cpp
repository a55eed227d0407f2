// SPDX-License-Identifier: GPL-2.0-or-later
// Price parsers: ENTSO-E (XML), aWATTar, Octopus, Nord Pool. Expected numbers were read by
// hand from the fixtures.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ebb;
using ebbtest::read_fixture;
using ebbtest::utc;

namespace {

std::unique_ptr<GridSource> price(const std::string& name,
                                  std::map<std::string, std::string> extra = {}) {
  extra["pricesource"] = name;
  extra["pricefile"] = "/nonexistent";
  return make_price_source(extra, FetchOptions{});
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("ENTSO-E A44: two days of PT60M prices for Switzerland", "[parse]") {
  const auto s = price("entsoe")->parse(read_fixture("entsoe_A44_dayahead_prices_CH_PT60M.xml"),
                                        utc("2025-11-26T14:20Z"));
  REQUIRE(s.size() == 48);
  CHECK(s.currency == "EUR");
  CHECK(s.region == "10YCH-SWISSGRIDZ");
  CHECK(s.begin() == utc("2025-11-25T23:00Z"));
  CHECK(s.end() == utc("2025-11-27T23:00Z"));
  CHECK(s.slots()[0].price == Approx(104.06));
  CHECK(s.slots()[1].price == Approx(101.57));
  CHECK(s.slots()[2].price == Approx(99.97));
  CHECK(s.slots()[22].price == Approx(112.4));
  CHECK(s.slots()[23].price == Approx(109.62));
  CHECK(s.slots()[24].price == Approx(110.63));  // the second TimeSeries, next day
  CHECK(s.slots()[47].price == Approx(111.8));
  CHECK(s.slots()[0].carbon == 0);
  CHECK(s.slots()[0].origin == Origin::actual);  // 2025-11-25T23:00-24:00 ended before now
  CHECK(s.slots()[47].origin == Origin::forecast);
}

TEST_CASE("ENTSO-E A03: a missing position repeats the previous price", "[parse]") {
  std::string xml = read_fixture("entsoe_A44_dayahead_prices_CH_PT60M.xml");
  // Drop position 3 of the first series (99.97): hour 3 must carry 101.57 forward.
  xml = replace_once(xml, "<position>3</position>", "<position>REMOVED</position>");
  const auto a = xml.rfind("<Point>", xml.find("REMOVED"));
  const auto b = xml.find("</Point>", a) + 8;
  xml.erase(a, b - a);
  // And the last position of the second series: hour 24 carries hour 23 (115.78).
  const auto last = xml.rfind("<Point>");
  xml.erase(last, xml.find("</Point>", last) + 8 - last);
  const auto s = price("entsoe")->parse(xml, utc("2025-11-26T14:20Z"));
  REQUIRE(s.size() == 46);  // 2+... merged: each present position becomes one slot
  CHECK(s.slots()[1].price == Approx(101.57));
  CHECK(s.slots()[1].start == utc("2025-11-26T00:00Z"));
  CHECK(s.slots()[1].end == utc("2025-11-26T02:00Z"));  // covers hours 2 and 3
  CHECK(s.end() == utc("2025-11-27T23:00Z"));
  CHECK(s.slots().back().price == Approx(115.78));
  CHECK(s.slots().back().length() == std::chrono::hours(2));
}

TEST_CASE("ENTSO-E: PT15M, duplicated resolutions, acknowledgement, bad values", "[parse]") {
  const std::string head =
      R"(<?xml version="1.0" encoding="utf-8"?><Publication_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:3">)";
  auto series = [](const char* res, const char* start, const char* end, const std::string& points,
                   int seq = 1) {
    return std::string(
               "<TimeSeries><in_Domain.mRID "
               "codingScheme=\"A01\">10YBE----------2</in_Domain.mRID>") +
           "<classificationSequence_AttributeInstanceComponent.position>" + std::to_string(seq) +
           "</classificationSequence_AttributeInstanceComponent.position>"
           "<currency_Unit.name>EUR</currency_Unit.name><price_Measure_Unit.name>MWH</"
           "price_Measure_Unit.name>"
           "<curveType>A01</curveType><Period><timeInterval><start>" +
           start + "</start><end>" + end + "</end></timeInterval><resolution>" + res +
           "</resolution>" + points + "</Period></TimeSeries>";
  };
  auto pt = [](int pos, const char* amount) {
    return "<Point><position>" + std::to_string(pos) + "</position><price.amount>" + amount +
           "</price.amount></Point>";
  };
  const std::string quarter = series("PT15M", "2026-02-17T00:00Z", "2026-02-17T01:00Z",
                                     pt(1, "80.5") + pt(2, "81") + pt(3, "-5.25") + pt(4, "90"));
  const std::string hourly = series("PT60M", "2026-02-17T00:00Z", "2026-02-17T01:00Z", pt(1, "84"));
  auto e = price("entsoe");
  const auto s =
      e->parse(head + hourly + quarter + "</Publication_MarketDocument>", utc("2026-02-16T12:00Z"));
  REQUIRE(s.size() == 4);  // the finer resolution wins over the hourly duplicate
  CHECK(s.slots()[2].price == Approx(-5.25));
  CHECK(s.slots()[2].length() == std::chrono::minutes(15));
  CHECK(s.region == "10YBE----------2");

  const std::string second_sequence = series("PT15M", "2026-02-17T00:00Z", "2026-02-17T01:00Z",
                                             pt(1, "1") + pt(2, "2") + pt(3, "3") + pt(4, "4"), 2);
  const auto seq = e->parse(head + second_sequence + hourly + "</Publication_MarketDocument>",
                            utc("2026-02-16T12:00Z"));
  REQUIRE(seq.size() == 1);  // sequence 1 wins even at a coarser resolution
  CHECK(seq.slots()[0].price == 84);

  const std::string ack =
      R"(<?xml version="1.0" encoding="UTF-8"?><Acknowledgement_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-1:acknowledgementdocument:7:0">)"
      R"(<mRID>1</mRID><Reason><code>999</code><text>No matching data found for Data item Day-ahead Prices [12.1.D] (10YBE----------2, 10YBE----------2) and interval 2026-02-18T23:00:00.000Z/2026-02-19T23:00:00.000Z.</text></Reason></Acknowledgement_MarketDocument>)";
  try {
    (void)e->parse(ack, utc("2026-02-16T12:00Z"));
    FAIL("an acknowledgement must throw");
  } catch (const SourceError& err) {
    CHECK(err.retryable);
    CHECK(std::string(err.what())
              .rfind("entsoe: no data: No matching data found for Data item Day-ahead Prices", 0) ==
          0);
  }
  CHECK_THROWS_WITH(
      e->parse(head + series("PT60M", "2026-02-17T00:00Z", "2026-02-17T01:00Z", pt(2, "1")) +
                   "</Publication_MarketDocument>",
               utc("2026-02-16T12:00Z")),
      "entsoe: TimeSeries[0].Period[0].Point[0].position: '2' outside 1..1");
  CHECK_THROWS_WITH(
      e->parse(head + series("PT60M", "2026-02-17T00:00Z", "2026-02-17T01:00Z", pt(1, "abc")) +
                   "</Publication_MarketDocument>",
               utc("2026-02-16T12:00Z")),
      "entsoe: TimeSeries[0].Period[0].Point[0].price.amount: not a number: 'abc'");
  CHECK_THROWS_WITH(
      e->parse(head + series("P1Y", "2026-02-17T00:00Z", "2026-02-17T01:00Z", pt(1, "1")) +
                   "</Publication_MarketDocument>",
               utc("2026-02-16T12:00Z")),
      Catch::Contains("resolution: unsupported resolution 'P1Y'"));
  CHECK_THROWS_WITH(
      e->parse(replace_once(head + hourly + "</Publication_MarketDocument>", ">MWH<", ">KWH<"),
               utc("2026-02-16T12:00Z")),
      "entsoe: TimeSeries[0].price_Measure_Unit.name: unit mismatch: 'KWH', expected MWH");
  CHECK_THROWS_WITH(e->parse("<Publication_MarketDocument><TimeSeries>", utc("2026-02-16T12:00Z")),
                    Catch::Contains("entsoe: malformed XML"));
}

TEST_CASE("aWATTar: hourly EUR/MWh from epoch milliseconds", "[parse]") {
  const auto s = price("awattar")->parse(read_fixture("awattar_v1_marketdata_de.json"),
                                         utc("2023-10-26T12:30Z"));
  REQUIRE(s.size() == 13);
  CHECK(s.currency == "EUR");
  CHECK(s.begin() == utc("2023-10-26T09:00Z"));
  CHECK(s.end() == utc("2023-10-26T22:00Z"));
  CHECK(s.slots()[0].price == 140);
  CHECK(s.slots()[1].price == Approx(131.11));
  CHECK(s.slots()[12].price == Approx(104.85));
  CHECK(s.slots()[2].origin == Origin::actual);    // 11:00-12:00
  CHECK(s.slots()[3].origin == Origin::forecast);  // 12:00-13:00 has not ended
  CHECK_THROWS_WITH(
      price("awattar")->parse(
          R"({"object":"list","data":[{"start_timestamp":1698310800000,"end_timestamp":1698314400000,"marketprice":14,"unit":"Eur/kWh"}]})",
          utc("2023-10-26T12:30Z")),
      "awattar: data[0].unit: unit mismatch: 'eur/kwh', expected Eur/MWh");
  CHECK_THROWS_WITH(
      price("awattar")->parse(R"({"object":"list","data":[]})", utc("2023-10-26T12:30Z")),
      Catch::Contains("no data"));
}

TEST_CASE("Octopus Agile: newest first, sorted, pence/kWh to GBP/MWh", "[parse]") {
  const std::string body =
      read_fixture("octopus_agile_standard-unit-rates_E-1R-AGILE-FLEX-22-11-25-C.json");
  const auto s = price("octopus")->parse(body, utc("2023-03-26T00:45Z"));
  REQUIRE(s.size() == 3);
  CHECK(s.currency == "GBP");
  CHECK(s.begin() == utc("2023-03-26T00:00Z"));
  CHECK(s.slots()[0].price == Approx(255.15));  // 25.515 p/kWh inc VAT
  CHECK(s.slots()[1].price == Approx(273.0));
  CHECK(s.slots()[2].price == Approx(245.7));
  CHECK(s.slots()[0].origin == Origin::actual);
  CHECK(s.slots()[1].origin == Origin::forecast);
  const auto ex = price("octopus", {{"vat", "no"}})->parse(body, utc("2023-03-26T00:45Z"));
  CHECK(ex.slots()[0].price == Approx(243.0));  // 24.3 p/kWh without VAT
  CHECK_THROWS_WITH(price("octopus")->parse(R"({"detail":"Not found."})", utc("2023-03-26T00:45Z")),
                    "octopus: error response: Not found.");
  CHECK_THROWS_WITH(
      price("octopus")->parse(
          R"({"count":2,"next":null,"results":[)"
          R"({"value_exc_vat":1,"value_inc_vat":1.05,"valid_from":"2023-03-26T00:30:00Z","valid_to":"2023-03-26T01:00:00Z"},)"
          R"({"value_exc_vat":2,"value_inc_vat":2.1,"valid_from":"2023-03-26T00:30:00Z","valid_to":"2023-03-26T01:00:00Z"}]})",
          utc("2023-03-26T00:45Z")),
      "octopus: results[1].valid_from: duplicate timestamp (same as results[0].valid_from)");
}

TEST_CASE("Nord Pool data portal: NL day-ahead, 24 hours", "[parse]") {
  const std::string body = read_fixture("nordpool_dataportal_DayAheadPrices_NL_homeassistant.json");
  const auto s = price("nordpool", {{"area", "NL"}})->parse(body, utc("2024-11-04T12:00Z"));
  REQUIRE(s.size() == 24);
  CHECK(s.currency == "EUR");
  CHECK(s.region == "NL");
  CHECK(s.begin() == utc("2024-11-04T23:00Z"));
  CHECK(s.end() == utc("2024-11-05T23:00Z"));
  CHECK(s.slots()[0].price == Approx(83.63));
  CHECK(s.slots()[17].price == Approx(472.99));
  CHECK(s.slots()[23].price == Approx(110.03));
  CHECK(s.slots()[0].origin == Origin::forecast);
  // Without Area=, a file with one area is still understood.
  CHECK(price("nordpool")->parse(body, utc("2024-11-04T12:00Z")).size() == 24);
  CHECK_THROWS_WITH(price("nordpool", {{"area", "SE3"}})->parse(body, utc("2024-11-04T12:00Z")),
                    "nordpool: multiAreaEntries[0].entryPerArea.SE3: missing: no such area");
}
