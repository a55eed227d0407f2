// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd tracks its forecasts' error: a cpp-httplib server on 127.0.0.1
// answers in the UK Carbon Intensity API's form with a forecast whose error is known per
// lead bucket (10 g/kWh in 0-6 h, 20 in 6-12 h, ...) and with actuals for the past.
// ebbd runs as a real process at three pretend times: the first forecast, a refresh that
// gets garbage, and a daemon two days later that scores the first forecast from the
// error file the earlier processes left behind.
#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "ebb/daemon_client.hpp"
#include "protocol.hpp"
#include "subcommands.hpp"
#include "support.hpp"

#ifdef EBB_HAVE_GRIDSOURCES

using ebb::hours;
using ebb::TimePoint;
using ebb::test::TempDir;

namespace {

const TimePoint kT0 = ebb::parse_iso8601("2024-03-04T00:00:00Z");

// The actual intensity: constant within each hour, so the hourly mean is this value.
double truth(TimePoint t) {
  const auto h = std::chrono::floor<std::chrono::hours>(t).time_since_epoch().count();
  return 200 + 80 * std::sin(2 * M_PI * static_cast<double>(h % 24) / 24) +
         7 * static_cast<double>(h % 5);
}

// The forecast issued for the hour after `from` errs by 10 x (1 + lead bucket) g/kWh.
double forecast_error(TimePoint issue_hour, TimePoint t) {
  return 10.0 * (1 + static_cast<double>((t - issue_hour) / hours(6)));
}

class Provider {
 public:
  Provider() {
    server_.Get(R"(/intensity/([^/]+)/([^/]+))", [this](const httplib::Request& req,
                                                        httplib::Response& res) {
      if (garbage_) {  // a well-formed answer with an impossible value
        res.set_content(
            R"({"data":[{"from":"2024-03-04T00:00Z","to":"2024-03-04T00:30Z","intensity":{"forecast":-40,"actual":null}}]})",
            "application/json");
        return;
      }
      const TimePoint from = ebb::parse_iso8601(req.matches[1].str());
      const bool forecast = req.matches[2].str() == "fw48h";
      const TimePoint to = forecast ? from + hours(48) : ebb::parse_iso8601(req.matches[2].str());
      const TimePoint issue_hour = from + std::chrono::minutes(30);
      nlohmann::json data = nlohmann::json::array();
      for (TimePoint t = from; t < to; t += std::chrono::minutes(30)) {
        nlohmann::json i;
        if (forecast) {
          i = {{"forecast", truth(t) + forecast_error(issue_hour, t)}, {"actual", nullptr}};
        } else {
          i = {{"forecast", truth(t)}, {"actual", truth(t)}};
        }
        data.push_back({{"from", ebb::format_utc(t).substr(0, 16) + "Z"},
                        {"to", ebb::format_utc(t + std::chrono::minutes(30)).substr(0, 16) + "Z"},
                        {"intensity", i}});
      }
      res.set_content(nlohmann::json{{"data", data}}.dump(), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Provider() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void garbage(bool on) { garbage_ = on; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> garbage_{false};
};

}  // namespace

TEST_CASE(
    "ebbd measures its forecasts' error per lead time, keeps garbage out and the extension "
    "apart, and remembers across restarts",
    "[daemon][forecast-error]") {
  Provider provider;
  TempDir dir;
  ebb::test::write_text(dir.file("ebb.conf"),
                        "DaemonAuth=none\nCacheDir=" + dir.file("cache") +
                            "\nRefreshInterval=1:00:00\nFetchRetries=0\nFetchTimeout=0:05\n"
                            "StaleAfter=100:00:00\nExtensionHorizon=72:00:00\n"
                            "RegionName=gb CarbonSource=uk-carbon-intensity RateLimit=none "
                            "HistoryHours=96 CarbonUrl=" +
                            provider.url() + "\n");
  // Issued half an hour before kT0: the first whole hour, kT0, has lead 0.5 h, so the
  // buckets hold the hours kT0 + 6b .. kT0 + 6b + 5 whatever the start-up takes.
  const TimePoint issue = kT0 - std::chrono::minutes(30);
  auto once = [&](TimePoint now) {
    return ebb::test::run_ebbd(
        {"--config", dir.file("ebb.conf"), "--once", "--now", ebb::format_utc(now)},
        dir.file("ebbd.log"));
  };
  REQUIRE(once(issue) == 0);
  const std::string error_file = dir.file("cache/gb.error");
  REQUIRE(std::filesystem::exists(error_file));
  // Garbage two hours later: the fetch fails, the provider's part is not recorded again,
  // only ebbd's extension (made afresh) is.
  provider.garbage(true);
  CHECK(once(issue + hours(2)) != 0);
  provider.garbage(false);

  // Three days on, a daemon (a new process) fetches the actuals and scores.
  ebb::test::Daemon ebbd(dir.file("ebb.conf"), dir.path(),
                         {"--now", ebb::format_utc(issue + hours(72))});
  ebb::http::Response r;
  REQUIRE(ebb::test::wait_until([&] {
    r = ebbd.get("/v1/forecast?region=gb");
    if (r.status != 200) return false;
    auto reply = ebb::wire::decode_forecast(r.body);
    return reply.error && !reply.error->provider.empty();
  }));
  INFO(r.body);
  const ebb::ForecastReply reply = ebb::wire::decode_forecast(r.body);
  const ebb::ErrorSummary& e = *reply.error;
  CHECK(e.recorded == 3);  // the first, the extension at the garbage, the daemon's own
  CHECK(e.rejected == 1);
  // The provider's part: buckets 0-6 h ... 42-48 h, each with exactly its known error.
  REQUIRE(e.provider.size() == 8);
  for (const ebb::LeadError& l : e.provider) {
    INFO("bucket " << l.bucket);
    CHECK(l.mae == Approx(10.0 * (l.bucket + 1)));
    double pct = 0;
    int n = 0;
    for (int h = 0; h < 6; ++h) {
      const TimePoint t = kT0 + hours(6 * l.bucket + h);
      if (t >= kT0 + hours(47)) break;  // the last hour is half extension
      pct += 100.0 * 10.0 * (l.bucket + 1) / truth(t);
      ++n;
    }
    CHECK(l.hours == n);  // from the first forecast only: the garbage added none
    CHECK(l.mape == Approx(pct / n));
    CHECK(l.spearman == Approx(1.0));  // a constant error keeps the order of the hours
  }
  // ebbd's extension, past the provider's 48 h, is tracked apart.
  REQUIRE_FALSE(e.extension.empty());
  for (const ebb::LeadError& l : e.extension) CHECK(l.bucket >= 7);

  // The same figures in /metrics and in `ebb forecast`.
  const std::string m = ebbd.get("/metrics").body;
  CHECK(ebb::test::metric(m,
                          R"(ebbd_forecast_error_mae{region="gb",part="provider",lead="6-12h"})") ==
        Approx(20));
  CHECK(ebb::test::metric(m, R"(ebbd_forecast_rejected_total{region="gb"})") == 1);
  CHECK(m.find(R"(ebbd_forecast_error_mae{region="gb",part="extension")") != std::string::npos);
  const auto shown =
      ebb::test::run(ebb::forecast_main,
                     {"forecast", "--url", ebbd.url(), "-r", "gb", "-c", dir.file("ebb.conf"),
                      "--now", ebb::format_utc(issue + hours(72))},
                     dir);
  INFO(shown.out);
  CHECK(shown.status == 0);
  CHECK(shown.out.find("Forecast error, last 28 days (3 forecasts recorded, 1 fetches kept out)") !=
        std::string::npos);
  CHECK(shown.out.find("provider   6-12 h") != std::string::npos);
  CHECK(shown.out.find("extension") != std::string::npos);
}

#endif
