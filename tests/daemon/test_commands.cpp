// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb forecast` and `ebb plan`, run in-process with their output captured (support.hpp).
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "ebb/daemon_client.hpp"
#include "subcommands.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using ebb::hours;
using ebb::test::TempDir;

namespace {

using ebb::test::run;

const auto kT0 = ebb::parse_iso8601("2026-11-23T10:00:00Z");

}  // namespace

TEST_CASE("ebb plan prints the plugin's decision line for a job and a forecast file",
          "[commands]") {
  TempDir dir;
  ebb::test::write_text(dir.file("f.csv"), ebb::test::synthetic_forecast_csv(kT0, 30min, 96));
  ebb::test::write_text(dir.file("ebb.conf"), "CarbonPrice=100\n");
  auto r = run(ebb::plan_main,
               {"ebb plan", "--config", dir.file("ebb.conf"), "--forecast", dir.file("f.csv"),
                "--now", ebb::format_utc(kT0), "--time", "2:00:00", "--deadline", "now+30hours",
                "--cores", "32", "--mem", "64G", "--objective", "carbon"},
               dir);
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.rfind("ebb: ", 0) == 0);
  CHECK((r.out.find("deferred to") != std::string::npos ||
         r.out.find("not deferred") != std::string::npos));
  CHECK(r.out.find("objective carbon") != std::string::npos);

  auto json =
      run(ebb::plan_main,
          {"ebb plan", "--config", dir.file("ebb.conf"), "--forecast", dir.file("f.csv"), "--now",
           ebb::format_utc(kT0), "--time", "2:00:00", "--max-delay", "12:00:00", "--json"},
          dir);
  CHECK(json.status == 0);
  CHECK(json.out.find("\"latest_start\": \"2026-11-23T22:00:00Z\"") != std::string::npos);

  auto bad = run(ebb::plan_main,
                 {"ebb plan", "--config", dir.file("ebb.conf"), "--forecast", dir.file("f.csv"),
                  "--time", "2:00:00"},
                 dir);
  CHECK(bad.status != 0);  // no deadline nor delay, and no partition default
}

TEST_CASE("ebb forecast shows a table and a chart, or JSON", "[commands]") {
  TempDir dir;
  ebb::test::write_text(dir.file("f.csv"), ebb::test::synthetic_forecast_csv(kT0, 30min, 96));
  auto human = run(ebb::forecast_main,
                   {"ebb forecast", "--forecast", dir.file("f.csv"), "--now", ebb::format_utc(kT0),
                    "--hours", "24"},
                   dir);
  INFO(human.out);
  CHECK(human.status == 0);
  CHECK(human.out.find("Carbon intensity") != std::string::npos);
  CHECK(human.out.find("█") != std::string::npos);
  CHECK(human.out.find("gCO2/kWh") != std::string::npos);
  // 24 hours of half-hour slots in the table.
  std::size_t rows = 0;
  for (std::size_t p = human.out.find("forecast "); p != std::string::npos;
       p = human.out.find("forecast ", p + 1)) {
    ++rows;
  }
  CHECK(rows == 48);

  auto json =
      run(ebb::forecast_main, {"ebb forecast", "--forecast", dir.file("f.csv"), "--json"}, dir);
  CHECK(json.status == 0);
  CHECK(json.out.find("\"slots\"") != std::string::npos);
  CHECK(json.out.find("\"carbon_intensity\"") != std::string::npos);
}

TEST_CASE("ebb forecast and ebb plan ask ebbd, and fall back to its cache file", "[commands]") {
  TempDir dir;
  ebb::test::write_text(dir.file("provider.csv"),
                        ebb::test::synthetic_forecast_csv(kT0, 30min, 96));
  ebb::test::write_text(dir.file("ebb.conf"), "DaemonAuth=none\nCacheDir=" + dir.file("cache") +
                                                  "\nRegionName=gb CarbonSource=file CarbonFile=" +
                                                  dir.file("provider.csv") + "\n");
  std::string url;
  {
    ebb::test::Daemon ebbd(dir.file("ebb.conf"), dir.path(), {"--now", ebb::format_utc(kT0)});
    url = ebbd.url();
    REQUIRE(ebb::test::wait_until([&] { return ebbd.get("/v1/forecast").status == 200; }));
    auto r = run(ebb::forecast_main,
                 {"ebb forecast", "--config", dir.file("ebb.conf"), "--url", url, "--region", "gb",
                  "--json"},
                 dir);
    INFO(r.out);
    CHECK(r.status == 0);
    CHECK(r.out.find("from ebbd at " + url) != std::string::npos);
    CHECK(r.out.find("\"region\": \"gb\"") != std::string::npos);
    auto plan = run(ebb::plan_main,
                    {"ebb plan", "--config", dir.file("ebb.conf"), "--url", url, "--region", "gb",
                     "--now", ebb::format_utc(kT0), "--time", "2:00:00", "--max-delay", "12:00:00"},
                    dir);
    INFO(plan.out);
    CHECK(plan.status == 0);
    CHECK(plan.out.rfind("ebb: ", 0) == 0);
    CHECK(plan.out.find("planned by ebbd at " + url) != std::string::npos);
  }
  {
    // ebbd is gone: its cache file still plans.
    auto plan = run(ebb::plan_main,
                    {"ebb plan", "--config", dir.file("ebb.conf"), "--url", url, "--region", "gb",
                     "--now", ebb::format_utc(kT0), "--time", "2:00:00", "--max-delay", "12:00:00"},
                    dir);
    INFO(plan.out);
    CHECK(plan.status == 0);
    CHECK(plan.out.find("planned against ebbd's cache file") != std::string::npos);
  }
  // ebbd is gone: the cache file answers.
  auto r = run(
      ebb::forecast_main,
      {"ebb forecast", "--config", dir.file("ebb.conf"), "--url", url, "--region", "gb", "--json"},
      dir);
  INFO(r.out);
  CHECK(r.status == 0);
  CHECK(r.out.find("cache file") != std::string::npos);
}

TEST_CASE("ebb forecast's cache fallback reads ebbd's sidecar: kind, currency, fetched_at",
          "[commands]") {
  TempDir dir;
  std::filesystem::create_directories(dir.file("cache"));
  // What ebbd writes for a WattTime region: the forecast CSV and its sidecar, whose
  // provider_end marks where the extension begins.
  ebb::test::write_text(dir.file("cache") + "/wt.csv",
                        ebb::test::synthetic_forecast_csv(kT0, 30min, 8));
  ebb::test::write_text(dir.file("cache") + "/wt.json", R"({
  "region": "wt",
  "currency": "USD",
  "kind": "marginal",
  "provider_end": "2026-11-23T12:00:00Z",
  "sources": {
    "carbon": {"name": "watttime", "fetched_at": "2026-11-23T09:55:00Z"},
    "price": {"name": "file", "fetched_at": "2026-11-23T09:50:00Z"}
  },
  "written_at": "2026-11-23T09:55:01Z"
}
)");
  ebb::test::write_text(dir.file("ebb.conf"), "CacheDir=" + dir.file("cache") +
                                                  "\nRegionName=wt CarbonSource=file CarbonFile=" +
                                                  dir.file("unused.csv") + "\n");
  // Nobody listens on port 9 of the loopback: the cache answers.
  const std::string url = "http://127.0.0.1:9";
  auto r = run(
      ebb::forecast_main,
      {"ebb forecast", "--config", dir.file("ebb.conf"), "--url", url, "--region", "wt", "--json"},
      dir);
  INFO(r.out);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("cache file") != std::string::npos);
  CHECK(r.out.find("\"kind\": \"marginal\"") != std::string::npos);
  CHECK(r.out.find("\"currency\": \"USD\"") != std::string::npos);
  CHECK(r.out.find("\"fetched_at\": \"2026-11-23T09:50:00Z\"") != std::string::npos);
  CHECK(r.out.find("\"origin\": \"extension\"") != std::string::npos);
  CHECK(r.out.find("\"stale\": true") != std::string::npos);  // days older than StaleAfter

  auto human = run(ebb::forecast_main,
                   {"ebb forecast", "--config", dir.file("ebb.conf"), "--url", url, "--region",
                    "wt", "--now", ebb::format_utc(kT0)},
                   dir);
  INFO(human.out);
  CHECK(human.status == 0);
  CHECK(human.out.find("marginal signal") != std::string::npos);
  CHECK(human.out.find("Freshness unknown") == std::string::npos);
  CHECK(human.out.find("Fetched ") != std::string::npos);
  CHECK(human.out.find("USD/MWh") != std::string::npos);
  CHECK(human.out.find("extension*") != std::string::npos);

  // Without its sidecar the cache still answers, and says the freshness is unknown.
  std::filesystem::remove(dir.file("cache") + "/wt.json");
  auto bare = run(ebb::forecast_main,
                  {"ebb forecast", "--config", dir.file("ebb.conf"), "--url", url, "--region", "wt",
                   "--now", ebb::format_utc(kT0)},
                  dir);
  CHECK(bare.status == 0);
  CHECK(bare.out.find("Freshness unknown") != std::string::npos);
}
