// SPDX-License-Identifier: GPL-2.0-or-later
// The HTTP layer against real servers on 127.0.0.1: replayed fixtures, errors, retries,
// Retry-After, timeouts, proxies from the environment.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ebb;
using namespace std::chrono_literals;
using ebbtest::ProviderServer;
using ebbtest::utc;

namespace {

std::unique_ptr<GridSource> uk_at(const ProviderServer& server,
                                  std::map<std::string, std::string> extra = {},
                                  FetchOptions options = ebbtest::fast_options()) {
  extra["carbonsource"] = "uk-carbon-intensity";
  extra["carbonurl"] = server.url();
  extra["ratelimit"] = "none";
  return make_carbon_source(extra, options);
}

SourceError fetch_error(GridSource& source, TimePoint now) {
  try {
    (void)source.fetch(now);
  } catch (const SourceError& e) {
    return e;
  }
  FAIL("fetch should have thrown SourceError");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("UK national forecast over HTTP, with ebb's User-Agent", "[http]") {
  ProviderServer server;
  server.serve_fixture("/intensity/2024-01-12T06:00Z/fw48h",
                       "uk_carbonintensity_national_fw48h.json");
  server.start();
  const auto s = uk_at(server)->fetch(utc("2024-01-12T06:01:30Z"));
  REQUIRE(s.size() == 8);
  CHECK(s.slots()[7].carbon == 309);
  const auto seen = server.requests();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].headers.at("User-Agent").rfind("ebb/", 0) == 0);
  CHECK(seen[0].headers.at("User-Agent").find("(+carbon-aware Slurm scheduling)") !=
        std::string::npos);
  CHECK(seen[0].headers.at("Accept") == "application/json");
}

TEST_CASE("UK regional by postcode, with history joined before the forecast", "[http]") {
  ProviderServer server;
  server.serve_fixture("/regional/intensity/2023-09-02T16:00Z/fw48h/postcode/NG1",
                       "uk_carbonintensity_regional_postcode_NG1.json");
  server.on("/regional/intensity/2023-09-02T15:00Z/2023-09-02T16:00Z/postcode/NG1", [](const httplib::
                                                                                           Request&,
                                                                                       httplib::
                                                                                           Response&
                                                                                               res) {
    res.set_content(
        R"({"data":[{"regionid":9,"shortname":"East Midlands","postcode":"NG1","data":[)"
        R"({"from":"2023-09-02T15:00Z","to":"2023-09-02T15:30Z","intensity":{"forecast":300,"index":"high"}},)"
        R"({"from":"2023-09-02T15:30Z","to":"2023-09-02T16:00Z","intensity":{"forecast":305,"index":"high"}}]}]})",
        "application/json");
  });
  server.start();
  const auto s =
      uk_at(server, {{"postcode", "NG1"}, {"historyhours", "1"}})->fetch(utc("2023-09-02T16:10Z"));
  REQUIRE(s.size() == 3);
  CHECK(s.slots()[0].carbon == 300);
  CHECK(s.slots()[1].carbon == 305);
  CHECK(s.slots()[2].carbon == 312);
  CHECK(s.begin() == utc("2023-09-02T15:00Z"));
}

TEST_CASE("429 with Retry-After: ebb waits that long, then retries", "[http]") {
  ProviderServer server;
  std::atomic<int> calls{0};
  const std::string body = ebbtest::read_fixture("uk_carbonintensity_national_fw48h.json");
  server.on("/intensity/.*", [&](const httplib::Request&, httplib::Response& res) {
    if (calls++ == 0) {
      res.status = 429;
      res.set_header("Retry-After", "1");
      res.set_content(R"({"error":{"code":"429","message":"slow down"}})", "application/json");
      return;
    }
    res.set_content(body, "application/json");
  });
  server.start();
  const auto s = uk_at(server)->fetch(utc("2024-01-12T06:00Z"));
  CHECK(s.size() == 8);
  const auto seen = server.requests();
  REQUIRE(seen.size() == 2);
  // The jittered backoff alone is at most 50 ms here; a gap near 1 s is the Retry-After.
  CHECK(seen[1].when - seen[0].when >= 900ms);
}

TEST_CASE("503 with a Retry-After longer than we wait fails at once, retryable", "[http]") {
  ProviderServer server;
  server.on("/intensity/.*", [](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_header("Retry-After", "3600");
  });
  server.start();
  auto source = uk_at(server);
  const auto e = fetch_error(*source, utc("2024-01-12T06:00Z"));
  CHECK(e.http_status == 503);
  CHECK(e.retryable);
  CHECK(std::string(e.what()).find("Retry-After 3600 s") != std::string::npos);
  CHECK(server.requests().size() == 1);
}

TEST_CASE("500 is retried with backoff, then reported", "[http]") {
  ProviderServer server;
  server.on("/intensity/.*", [](const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    res.set_content(
        R"({"error":{"code":"500 Internal Server Error","message":"database unavailable"}})",
        "application/json");
  });
  server.start();
  auto source = uk_at(server);
  const auto e = fetch_error(*source, utc("2024-01-12T06:00Z"));
  CHECK(e.http_status == 500);
  CHECK(e.retryable);
  CHECK(e.provider == "uk-carbon-intensity");
  CHECK(std::string(e.what()) ==
        "uk-carbon-intensity: HTTP 500: database unavailable (after 3 attempts)");
  CHECK(server.requests().size() == 3);  // 1 + max_retries (2)
}

TEST_CASE("401 and 403 are not retried", "[http]") {
  for (int status : {401, 403}) {
    ProviderServer server;
    server.on("/intensity/.*", [status](const httplib::Request&, httplib::Response& res) {
      res.status = status;
      res.set_content(R"({"error":"Token is invalid"})", "application/json");
    });
    server.start();
    auto source = uk_at(server);
    const auto e = fetch_error(*source, utc("2024-01-12T06:00Z"));
    CHECK(e.http_status == status);
    CHECK_FALSE(e.retryable);
    CHECK(std::string(e.what()).find("Token is invalid") != std::string::npos);
    CHECK(server.requests().size() == 1);
  }
}

TEST_CASE("a response slower than the total timeout fails, retryable", "[http]") {
  ProviderServer server;
  server.on("/intensity/.*", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(800ms);
    res.set_content("{}", "application/json");
  });
  server.start();
  FetchOptions o = ebbtest::fast_options();
  o.total_timeout = 200ms;
  o.max_retries = 0;
  auto source = uk_at(server, {}, o);
  const auto started = std::chrono::steady_clock::now();
  const auto e = fetch_error(*source, utc("2024-01-12T06:00Z"));
  CHECK(std::chrono::steady_clock::now() - started < 3s);
  CHECK(e.retryable);
  CHECK(e.http_status == 0);
  CHECK(std::string(e.what()).find("timed out") != std::string::npos);
}

TEST_CASE("truncated and malformed bodies, and nobody listening", "[http]") {
  ProviderServer server;
  const std::string body = ebbtest::read_fixture("uk_carbonintensity_national_fw48h.json");
  server.on("/intensity/.*", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(body.substr(0, 300), "application/json");
  });
  server.start();
  CHECK_THROWS_WITH(uk_at(server)->fetch(utc("2024-01-12T06:00Z")),
                    Catch::Contains("malformed JSON"));
  const std::string url = server.url();
  server.stop();
  FetchOptions o = ebbtest::fast_options();
  o.max_retries = 1;
  auto refused = make_carbon_source(
      {{"carbonsource", "uk-carbon-intensity"}, {"carbonurl", url}, {"ratelimit", "none"}}, o);
  const auto e = fetch_error(*refused, utc("2024-01-12T06:00Z"));
  CHECK(e.retryable);
  CHECK(std::string(e.what()).find("after 2 attempts") != std::string::npos);
}

TEST_CASE("proxies come from the environment (http_proxy honoured)", "[http]") {
  // The "proxy" is a server on 127.0.0.1; the provider host is never resolved or contacted.
  ProviderServer proxy;
  const std::string body = ebbtest::read_fixture("uk_carbonintensity_national_fw48h.json");
  proxy.on(".*", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(body, "application/json");
  });
  proxy.start();
  setenv("http_proxy", proxy.url().c_str(), 1);
  const std::string saved_no_proxy = getenv("no_proxy") ? getenv("no_proxy") : "";
  setenv("no_proxy", "127.0.0.1,localhost", 1);
  auto source = make_carbon_source({{"carbonsource", "uk-carbon-intensity"},
                                    {"carbonurl", "http://carbon-provider.invalid"},
                                    {"ratelimit", "none"}},
                                   ebbtest::fast_options());
  const auto s = source->fetch(utc("2024-01-12T06:00Z"));
  unsetenv("http_proxy");
  CHECK(s.size() == 8);
  const auto seen = proxy.requests();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].headers.at("Host") == "carbon-provider.invalid");
}

TEST_CASE("the rate limiter refuses a request it would have to wait long for", "[http]") {
  ProviderServer server;
  server.serve_fixture("/intensity/.*", "uk_carbonintensity_national_fw48h.json");
  server.start();
  auto source = make_carbon_source(
      {{"carbonsource", "uk-carbon-intensity"}, {"carbonurl", server.url()}, {"ratelimit", "1/1h"}},
      ebbtest::fast_options());
  CHECK(source->fetch(utc("2024-01-12T06:00Z")).size() == 8);
  const auto e = fetch_error(*source, utc("2024-01-12T06:00Z"));
  CHECK(e.retryable);
  CHECK(std::string(e.what()).find("rate limit") != std::string::npos);
  CHECK(server.requests().size() == 1);
}

TEST_CASE("an answer with empty arrays is 'no data', retryable", "[http]") {
  ProviderServer server;
  server.on("/intensity/.*", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"data":[]})", "application/json");
  });
  server.start();
  auto source = uk_at(server);
  const auto e = fetch_error(*source, utc("2024-01-12T06:00Z"));
  CHECK(e.retryable);
  CHECK(e.http_status == 0);
  CHECK(std::string(e.what()) == "uk-carbon-intensity: data: no data (empty)");
  CHECK(server.requests().size() == 1);  // a valid answer is not retried at once
}

TEST_CASE("TLS is verified: an unknown certificate is refused, a configured CA accepted",
          "[http]") {
  // A self-signed certificate for 127.0.0.1 (tests/data/tls): unknown to the system's CAs.
  ProviderServer server(ebbtest::tls_path("localhost.crt"), ebbtest::tls_path("localhost.key"));
  server.serve_fixture("/intensity/.*", "uk_carbonintensity_national_fw48h.json");
  server.start();
  REQUIRE(server.url().rfind("https://", 0) == 0);
  auto untrusted = uk_at(server);
  const auto e = fetch_error(*untrusted, utc("2024-01-12T06:00Z"));
  CHECK_FALSE(e.retryable);
  CHECK(std::string(e.what()).find("certificate") != std::string::npos);
  CHECK(server.requests().empty());  // refused during the handshake

  FetchOptions o = ebbtest::fast_options();
  o.ca_file = ebbtest::tls_path("localhost.crt");
  const auto s = uk_at(server, {}, o)->fetch(utc("2024-01-12T06:00Z"));
  CHECK(s.size() == 8);
  CHECK(server.requests().size() == 1);
}
