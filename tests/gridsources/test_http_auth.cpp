// SPDX-License-Identifier: GPL-2.0-or-later
// Providers with keys over real HTTP: Electricity Maps' auth-token header from a key file,
// WattTime's login, bearer token and its renewal on 401.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ebb;
using ebbtest::ProviderServer;
using ebbtest::utc;

namespace {

std::string secret(const ebbtest::TempDir& dir, const std::string& name, const std::string& value,
                   mode_t mode = 0600) {
  const std::string path = dir.write(name, value + "\n");
  ::chmod(path.c_str(), mode);
  return path;
}

}  // namespace

TEST_CASE("Electricity Maps over HTTP: auth-token header, forecast joined after history",
          "[http]") {
  ebbtest::TempDir dir;
  ProviderServer server;
  std::string seen_token;
  server.on("/carbon-intensity/forecast", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("auth-token") != "em-secret" || req.get_param_value("zone") != "DE") {
      res.status = 401;
      res.set_content(R"({"error":"Token is invalid"})", "application/json");
      return;
    }
    res.set_content(ebbtest::read_fixture("electricitymaps_v3_carbon-intensity_forecast.json"),
                    "application/json");
  });
  server.on("/carbon-intensity/history", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(
        R"({"zone":"DE","history":[{"carbonIntensity":500,"datetime":"2023-05-02T18:00:00.000Z"},)"
        R"({"carbonIntensity":510,"datetime":"2023-05-02T19:00:00.000Z"}]})",
        "application/json");
  });
  server.start();
  std::map<std::string, std::string> settings{{"carbonsource", "electricity-maps"},
                                              {"carbonurl", server.url()},
                                              {"zone", "DE"},
                                              {"ratelimit", "none"},
                                              {"keyfile", secret(dir, "em.key", "em-secret")}};
  const auto s =
      make_carbon_source(settings, ebbtest::fast_options())->fetch(utc("2023-05-02T19:55Z"));
  REQUIRE(s.size() == 50);
  CHECK(s.slots()[0].carbon == 500);
  CHECK(s.slots()[0].origin == Origin::actual);
  CHECK(s.slots()[2].carbon == 557);
  CHECK(s.slots()[2].origin == Origin::forecast);

  // The free tier: history only.
  settings["forecast"] = "no";
  const std::size_t calls = server.count("/carbon-intensity/forecast");
  const auto history_only =
      make_carbon_source(settings, ebbtest::fast_options())->fetch(utc("2023-05-02T19:55Z"));
  REQUIRE(history_only.size() == 2);
  CHECK(history_only.slots()[1].carbon == 510);
  CHECK(server.count("/carbon-intensity/forecast") == calls);
  settings.erase("forecast");

  settings["keyfile"] = secret(dir, "wrong.key", "not-the-token");
  try {
    (void)make_carbon_source(settings, ebbtest::fast_options())->fetch(utc("2023-05-02T19:55Z"));
    FAIL("expected a 401");
  } catch (const SourceError& e) {
    CHECK(e.http_status == 401);
    CHECK_FALSE(e.retryable);
    CHECK(std::string(e.what()) == "electricity-maps: HTTP 401: Token is invalid");
  }
  const std::size_t before = server.requests().size();
  settings["keyfile"] = secret(dir, "open.key", "em-secret", 0644);
  CHECK_THROWS_WITH(
      make_carbon_source(settings, ebbtest::fast_options())->fetch(utc("2023-05-02T19:55Z")),
      Catch::Contains("is readable by group or others (mode 0644)"));
  CHECK(server.requests().size() == before);  // refused before any request
}

TEST_CASE("WattTime: Basic-auth login, bearer token, renewal on 401", "[http]") {
  ebbtest::TempDir dir;
  ProviderServer server;
  std::atomic<int> logins{0};
  std::mutex m;
  std::string valid_token;
  server.on("/login", [&](const httplib::Request& req, httplib::Response& res) {
    // "Basic " + base64("ebbuser:pw-123")
    if (req.get_header_value("Authorization") != "Basic ZWJidXNlcjpwdy0xMjM=") {
      res.status = 403;
      res.set_content(ebbtest::read_fixture("watttime_error_403_forbidden_aiowatttime.html"),
                      "text/html");
      return;
    }
    std::lock_guard lock(m);
    valid_token = "token-" + std::to_string(++logins);
    res.set_content(R"({"token":")" + valid_token + R"("})", "application/json");
  });
  server.on("/v3/forecast", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(m);
    if (req.get_header_value("Authorization") != "Bearer " + valid_token ||
        req.get_param_value("region") != "CAISO_NORTH" ||
        req.get_param_value("signal_type") != "co2_moer") {
      res.status = 401;
      res.set_content(R"({"error":"expired token"})", "application/json");
      return;
    }
    res.set_content(ebbtest::read_fixture("watttime_v3_forecast_official_openapi_example.json"),
                    "application/json");
  });
  server.start();
  std::map<std::string, std::string> settings{
      {"carbonsource", "watttime"}, {"carbonurl", server.url()},
      {"region", "CAISO_NORTH"},    {"ratelimit", "none"},
      {"username", "ebbuser"},      {"passwordfile", secret(dir, "wt.pw", "pw-123")}};
  auto source = make_carbon_source(settings, ebbtest::fast_options());
  const auto first = source->fetch(utc("2022-07-15T00:00Z"));
  CHECK(first.size() == 288);
  CHECK(first.kind == SignalKind::marginal);
  CHECK(logins == 1);
  CHECK(source->fetch(utc("2022-07-15T00:00Z")).size() == 288);
  CHECK(logins == 1);  // the token is reused while valid

  {
    std::lock_guard lock(m);
    valid_token = "revoked-by-server";  // the server forgets our token: next call gets 401
  }
  CHECK(source->fetch(utc("2022-07-15T00:00Z")).size() == 288);
  CHECK(logins == 2);  // logged in again once, then the retry succeeded

  // A region the server refuses: still refused after one new login, and the error says so.
  settings["region"] = "PJM_DC";
  const int logins_before = logins;
  try {
    (void)make_carbon_source(settings, ebbtest::fast_options())->fetch(utc("2022-07-15T00:00Z"));
    FAIL("expected a refusal");
  } catch (const SourceError& e) {
    CHECK(e.http_status == 401);
    CHECK(std::string(e.what()) == "watttime: HTTP 401: expired token");
  }
  CHECK(logins == logins_before + 2);  // the new source's first login, then exactly one renewal
  settings["region"] = "CAISO_NORTH";

  settings["passwordfile"] = secret(dir, "bad.pw", "wrong");
  auto bad = make_carbon_source(settings, ebbtest::fast_options());
  try {
    (void)bad->fetch(utc("2022-07-15T00:00Z"));
    FAIL("expected the login to be refused");
  } catch (const SourceError& e) {
    CHECK(e.http_status == 403);
    CHECK_FALSE(e.retryable);
    CHECK(std::string(e.what()).find("login refused") != std::string::npos);
  }
}
