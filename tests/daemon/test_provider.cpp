// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd against a real provider adapter: a cpp-httplib server on 127.0.0.1 replays the
// UK Carbon Intensity API's recorded 48-hour forecast, then fails with HTTP 500.
#include <httplib.h>
#include <simdjson.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "ebb/daemon_client.hpp"
#include "ebb/planner.hpp"
#include "protocol.hpp"
#include "support.hpp"

#ifdef EBB_HAVE_GRIDSOURCES

using namespace std::chrono_literals;
using ebb::test::TempDir;

namespace {

class ReplayingProvider {
 public:
  explicit ReplayingProvider(std::string body) : body_(std::move(body)) {
    server_.Get(R"(/intensity/.*)", [this](const httplib::Request&, httplib::Response& res) {
      ++requests_;
      if (failing_) {
        res.status = 500;
        res.set_content("upstream trouble", "text/plain");
        return;
      }
      res.set_content(body_, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~ReplayingProvider() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void fail() { failing_ = true; }
  int requests() const { return requests_; }

 private:
  std::string body_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> failing_{false};
  std::atomic<int> requests_{0};
};

// The fixture's half-hour windows, read independently of the adapter.
ebb::SignalSeries fixture_series(const std::string& body) {
  simdjson::dom::parser parser;
  std::vector<ebb::Slot> slots;
  for (auto w : parser.parse(body)["data"].get_array()) {
    ebb::Slot s;
    s.start = ebb::parse_iso8601(std::string_view(w["from"]));
    s.end = ebb::parse_iso8601(std::string_view(w["to"]));
    s.carbon = static_cast<double>(std::int64_t(w["intensity"]["forecast"]));
    slots.push_back(s);
  }
  return ebb::SignalSeries(std::move(slots), "fixture");
}

}  // namespace

TEST_CASE(
    "ebbd serves and plans from a provider server replaying the UK fixture, and keeps "
    "serving when the provider fails",
    "[daemon][provider]") {
  const std::string body =
      ebb::test::read_text(EBB_TEST_DATA_DIR "/fixtures/uk_carbonintensity_national_fw48h.json");
  const ebb::SignalSeries want = fixture_series(body);
  REQUIRE(want.size() == 8);
  ReplayingProvider provider(body);
  TempDir dir;
  ebb::test::write_text(dir.file("ebb.conf"),
                        "CacheDir=" + dir.file("cache") +
                            "\nRefreshInterval=0:01\nFetchRetries=0\nFetchTimeout=0:05\n"
                            "Objective=carbon\n"
                            "RegionName=gb CarbonSource=uk-carbon-intensity RateLimit=none "
                            "CarbonUrl=" +
                            provider.url() + "\n");
  const auto now = ebb::parse_iso8601("2024-01-12T06:01:00Z");
  ebb::test::Daemon ebbd(dir.file("ebb.conf"), dir.path(), {"--now", ebb::format_utc(now)});

  ebb::http::Response r;
  REQUIRE(ebb::test::wait_until([&] { return (r = ebbd.get("/v1/forecast")).status == 200; }));
  auto reply = ebb::wire::decode_forecast(r.body);
  CHECK_FALSE(reply.stale);
  REQUIRE(reply.series.size() >= want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    CHECK(reply.series.slots()[i].start == want.slots()[i].start);
    CHECK(reply.series.slots()[i].end == want.slots()[i].end);
    CHECK(reply.series.slots()[i].carbon == want.slots()[i].carbon);
  }

  // A one-hour job that must end by 10:00 starts where the fixture is cleanest.
  ebb::PlanQuery q;
  q.now = now;
  q.deadline = ebb::parse_iso8601("2024-01-12T10:00:00Z");
  q.job.time_limit = 1h;
  q.job.cpus_per_task = 16;
  ebb::DaemonError error;
  auto got = ebb::ask_daemon_for_plan(ebbd.url(), q, 2s, &error, ebb::test::kNoAuth);
  INFO(error.message);
  REQUIRE(got);
  ebb::PlanRequest pr;
  pr.now = now;
  pr.deadline = q.deadline;
  pr.time_limit = 1h;
  pr.power_watts = ebb::PowerModel{}.watts(q.job);
  ebb::Policy policy;
  policy.objective = ebb::Objective::carbon;
  auto expected = ebb::plan(pr, want, policy);
  CHECK(got->start == expected.start);
  CHECK(got->defer == expected.defer);
  CHECK(got->chosen.mean_carbon == Approx(expected.chosen.mean_carbon));

  // The provider breaks: failures are counted, the last good forecast is still served.
  provider.fail();
  REQUIRE(ebb::test::wait_until([&] {
    return ebb::test::metric(
               ebbd.get("/metrics").body,
               R"(ebbd_fetch_total{region="gb",provider="uk-carbon-intensity",result="failure"})") >=
           2;
  }));
  auto still = ebb::wire::decode_forecast(ebbd.get("/v1/forecast").body);
  CHECK(still.fetched_at == reply.fetched_at);
  CHECK(still.series.slots().front().carbon == want.slots().front().carbon);
  CHECK(ebb::test::metric(
            ebbd.get("/metrics").body,
            R"(ebbd_fetch_total{region="gb",provider="uk-carbon-intensity",result="success"})") >=
        1);
}

#endif
