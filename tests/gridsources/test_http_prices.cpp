// SPDX-License-Identifier: GPL-2.0-or-later
// Price and self-hosted sources over real HTTP on 127.0.0.1: ENTSO-E (token, HTTP 200
// acknowledgement), Octopus pagination, Nord Pool 204, aWATTar, Energy-Charts, CASDK with a BOM.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ebb;
using ebbtest::ProviderServer;
using ebbtest::utc;

namespace {

SourceError fetch_error(GridSource& source, TimePoint now) {
  try {
    (void)source.fetch(now);
  } catch (const SourceError& e) {
    return e;
  }
  FAIL("fetch should have thrown SourceError");
  throw std::logic_error("unreachable");
}

const char* kAck =
    R"(<?xml version="1.0" encoding="UTF-8"?><Acknowledgement_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-1:acknowledgementdocument:7:0">)"
    R"(<mRID>x</mRID><Reason><code>999</code><text>No matching data found for Data item Day-ahead Prices [12.1.D]</text></Reason></Acknowledgement_MarketDocument>)";

}  // namespace

TEST_CASE("ENTSO-E over HTTP: token in the query, area code, HTTP-200 acknowledgement", "[http]") {
  ebbtest::TempDir dir;
  const std::string key = dir.write("entsoe.key", "tok-123\n");
  ::chmod(key.c_str(), 0600);
  ProviderServer server;
  std::atomic<bool> publish{true};
  server.on("/api", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.get_param_value("securityToken") != "tok-123") {
      res.status = 401;
      res.set_content("<html><body>Unauthorized</body></html>", "text/html");
      return;
    }
    if (req.get_param_value("documentType") != "A44" ||
        req.get_param_value("in_Domain") != "10YCH-SWISSGRIDZ" ||
        req.get_param_value("periodStart") != "202511250000" ||
        req.get_param_value("periodEnd") != "202511280000") {
      res.status = 400;
      res.set_content(
          R"(<Acknowledgement_MarketDocument><Reason><code>999</code><text>bad query</text></Reason></Acknowledgement_MarketDocument>)",
          "application/xml");
      return;
    }
    if (publish) {
      res.set_content(ebbtest::read_fixture("entsoe_A44_dayahead_prices_CH_PT60M.xml"),
                      "application/xml");
    } else {
      res.set_content(kAck, "application/xml");  // "no data", with HTTP 200
    }
  });
  server.start();
  std::map<std::string, std::string> settings{
      {"pricesource", "entsoe"}, {"priceurl", server.url() + "/api"},
      {"biddingzone", "CH"},     {"keyfile", key},
      {"ratelimit", "none"},     {"mininterval", "0"}};
  auto source = make_price_source(settings, ebbtest::fast_options());
  const auto s = source->fetch(utc("2025-11-26T14:20Z"));
  CHECK(s.size() == 48);
  CHECK(s.slots()[0].price == Approx(104.06));

  publish = false;
  const auto e = fetch_error(*source, utc("2025-11-26T14:20Z"));
  CHECK(e.http_status == 0);
  CHECK(e.retryable);
  CHECK(
      std::string(e.what()) ==
      "entsoe: no data: No matching data found for Data item Day-ahead Prices [12.1.D] (code 999)");

  const auto bad =
      fetch_error(*source, utc("2025-12-26T14:20Z"));  // other dates: the server says 400
  CHECK(bad.http_status == 400);
  CHECK_FALSE(bad.retryable);
  CHECK(std::string(bad.what()) == "entsoe: HTTP 400: bad query");
}

TEST_CASE("Octopus over HTTP follows next across pages and sorts the result", "[http]") {
  ProviderServer server;
  const std::string tariff_path =
      "/v1/products/AGILE-FLEX-22-11-25/electricity-tariffs/E-1R-AGILE-FLEX-22-11-25-C/"
      "standard-unit-rates/";
  std::string base;
  server.on(tariff_path, [&](const httplib::Request& req, httplib::Response& res) {
    if (req.has_param("page") && req.get_param_value("page") == "2") {
      res.set_content(ebbtest::read_fixture(
                          "octopus_agile_standard-unit-rates_E-1R-AGILE-FLEX-22-11-25-C.json"),
                      "application/json");
      return;
    }
    // Page 1: the newer half hours, with a link to page 2 (on "another host": only its path is
    // used).
    res.set_content(
        R"({"count":5,"next":"https://api.octopus.energy)" + tariff_path +
            R"(?page=2","previous":null,"results":[)"
            R"({"value_exc_vat":20.0,"value_inc_vat":21.0,"valid_from":"2023-03-26T02:00:00Z","valid_to":"2023-03-26T02:30:00Z","payment_method":null},)"
            R"({"value_exc_vat":22.0,"value_inc_vat":23.1,"valid_from":"2023-03-26T01:30:00Z","valid_to":"2023-03-26T02:00:00Z","payment_method":null}]})",
        "application/json");
  });
  server.start();
  auto source = make_price_source({{"pricesource", "octopus"},
                                   {"priceurl", server.url()},
                                   {"product", "AGILE-FLEX-22-11-25"},
                                   {"region", "C"},
                                   {"ratelimit", "none"}},
                                  ebbtest::fast_options());
  const auto s = source->fetch(utc("2023-03-26T00:45Z"));
  REQUIRE(s.size() == 5);
  CHECK(s.currency == "GBP");
  CHECK(s.begin() == utc("2023-03-26T00:00Z"));
  CHECK(s.slots()[0].price == Approx(255.15));
  CHECK(s.slots()[3].price == Approx(231.0));
  CHECK(s.slots()[4].price == Approx(210.0));
  const auto seen = server.requests();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].params.at("period_from") == "2023-03-25T00:30:00Z");
  CHECK(seen[1].params.at("page") == "2");
}

TEST_CASE("Octopus over HTTP: a later page without rates ends the list", "[http]") {
  ProviderServer server;
  const std::string tariff_path =
      "/v1/products/AGILE-FLEX-22-11-25/electricity-tariffs/E-1R-AGILE-FLEX-22-11-25-C/"
      "standard-unit-rates/";
  server.on(tariff_path, [&](const httplib::Request& req, httplib::Response& res) {
    if (req.has_param("page") && req.get_param_value("page") == "2") {
      res.set_content(R"({"count":2,"next":null,"previous":null,"results":[]})",
                      "application/json");
      return;
    }
    res.set_content(
        R"({"count":2,"next":")" + tariff_path +
            R"(?page=2","previous":null,"results":[)"
            R"({"value_exc_vat":20.0,"value_inc_vat":21.0,"valid_from":"2023-03-26T02:00:00Z","valid_to":"2023-03-26T02:30:00Z","payment_method":null},)"
            R"({"value_exc_vat":22.0,"value_inc_vat":23.1,"valid_from":"2023-03-26T01:30:00Z","valid_to":"2023-03-26T02:00:00Z","payment_method":null}]})",
        "application/json");
  });
  server.start();
  auto source = make_price_source({{"pricesource", "octopus"},
                                   {"priceurl", server.url()},
                                   {"product", "AGILE-FLEX-22-11-25"},
                                   {"region", "C"},
                                   {"ratelimit", "none"}},
                                  ebbtest::fast_options());
  const auto s = source->fetch(utc("2023-03-26T00:45Z"));
  CHECK(s.size() == 2);
  CHECK(server.requests().size() == 2);
}

TEST_CASE("Nord Pool over HTTP: 204 before publication", "[http]") {
  ProviderServer server;
  std::atomic<bool> published{true};
  server.on("/api/DayAheadPrices", [&](const httplib::Request& req, httplib::Response& res) {
    if (published && req.get_param_value("date") == "2024-11-05" &&
        req.get_param_value("deliveryArea") == "NL") {
      res.set_content(
          ebbtest::read_fixture("nordpool_dataportal_DayAheadPrices_NL_homeassistant.json"),
          "application/json");
    } else {
      res.status = 204;
    }
  });
  server.start();
  auto source = make_price_source({{"pricesource", "nordpool"},
                                   {"priceurl", server.url()},
                                   {"area", "NL"},
                                   {"ratelimit", "none"},
                                   {"mininterval", "0"}},
                                  ebbtest::fast_options());
  const auto s = source->fetch(utc("2024-11-04T12:00Z"));
  CHECK(s.size() == 24);
  CHECK(s.slots()[7].price == Approx(135.99));
  CHECK(server.requests().size() == 3);  // yesterday, today, tomorrow (CET)
  published = false;
  const auto e = fetch_error(*source, utc("2024-11-04T12:00Z"));
  CHECK(e.retryable);
  CHECK(e.http_status == 204);
}

TEST_CASE("aWATTar and Energy-Charts prices over HTTP", "[http]") {
  ProviderServer server;
  server.serve_fixture("/v1/marketdata", "awattar_v1_marketdata_de.json");
  server.serve_fixture("/price", "energycharts_price_openems_test.json");
  server.start();
  auto awattar = make_price_source(
      {{"pricesource", "awattar"}, {"priceurl", server.url()}, {"ratelimit", "none"}},
      ebbtest::fast_options());
  CHECK(awattar->fetch(utc("2023-10-26T12:30Z")).size() == 13);
  auto ec = make_price_source({{"pricesource", "energy-charts"},
                               {"priceurl", server.url()},
                               {"biddingzone", "DE-LU"},
                               {"ratelimit", "none"}},
                              ebbtest::fast_options());
  CHECK(ec->fetch(utc("2021-09-23T13:20Z")).slots()[3].price == Approx(174.96));
  const auto seen = server.requests();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].params.at("start") == "1698235200000");  // 2023-10-25T12:00Z in ms
  CHECK(seen[0].params.at("end") == "1698494400000");    // 2023-10-28T12:00Z
  CHECK(seen[1].params.at("bzn") == "DE-LU");
  CHECK(seen[1].params.at("start") == "2021-09-22");
}

TEST_CASE("Carbon Aware SDK WebAPI over HTTP, body with a BOM", "[http]") {
  ProviderServer server;
  server.on("/emissions/forecasts/current", [](const httplib::Request& req,
                                               httplib::Response& res) {
    if (req.get_param_value("location") != "northeurope") {
      res.status = 400;
      res.set_content(R"({"title":"ArgumentException","status":400,"detail":"unknown location"})",
                      "application/problem+json");
      return;
    }
    res.set_content(
        "\xEF\xBB\xBF" + ebbtest::read_fixture("casdk_webapi_forecasts_current_doc_example.json"),
        "application/json");
  });
  server.start();
  auto source = make_carbon_source({{"carbonsource", "carbon-aware-sdk"},
                                    {"carbonurl", server.url()},
                                    {"location", "northeurope"},
                                    {"ratelimit", "none"}},
                                   ebbtest::fast_options());
  const auto s = source->fetch(utc("2022-07-19T13:37Z"));
  REQUIRE(s.size() == 2);
  CHECK(s.slots()[0].carbon == Approx(532.02293146));
  auto wrong = make_carbon_source({{"carbonsource", "carbon-aware-sdk"},
                                   {"carbonurl", server.url()},
                                   {"location", "mars"},
                                   {"ratelimit", "none"}},
                                  ebbtest::fast_options());
  CHECK_THROWS_WITH(wrong->fetch(utc("2022-07-19T13:37Z")),
                    "carbon-aware-sdk: HTTP 400: unknown location");
}

TEST_CASE("a fetch within MinInterval of the last good one reuses its answer", "[http]") {
  ProviderServer server;
  server.serve_fixture("/v1/marketdata", "awattar_v1_marketdata_de.json");
  server.start();
  auto awattar = make_price_source(
      {{"pricesource", "awattar"}, {"priceurl", server.url()}, {"ratelimit", "none"}},
      ebbtest::fast_options());
  const auto first = awattar->fetch(utc("2023-10-26T12:30Z"));
  const auto again =
      awattar->fetch(utc("2023-10-26T13:29Z"));  // 59 minutes later: aWATTar's default is 60
  CHECK(server.requests().size() == 1);
  CHECK(again.size() == first.size());
  CHECK(again.slots()[5].price == first.slots()[5].price);
  (void)awattar->fetch(utc("2023-10-26T13:30Z"));
  CHECK(server.requests().size() == 2);

  auto every_time = make_price_source({{"pricesource", "awattar"},
                                       {"priceurl", server.url()},
                                       {"ratelimit", "none"},
                                       {"mininterval", "0"}},
                                      ebbtest::fast_options());
  (void)every_time->fetch(utc("2023-10-26T12:30Z"));
  (void)every_time->fetch(utc("2023-10-26T12:30Z"));
  CHECK(server.requests().size() == 4);
  CHECK_THROWS_WITH(make_price_source({{"pricesource", "awattar"}, {"mininterval", "-1"}},
                                      ebbtest::fast_options()),
                    Catch::Contains("MinInterval=: 0 to 1440 minutes"));
}
