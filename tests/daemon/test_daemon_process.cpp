// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd as a real process: a forecast-file source, its disk cache across restarts, a
// provider gone for days (stale, then extension from history), concurrent plans equal
// to the in-process planner, metrics, and clear errors for bad requests.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "ebb/config.hpp"
#include "ebb/daemon_client.hpp"
#include "ebb/decision_text.hpp"
#include "ebb/forecast_file.hpp"
#include "ebb/planner.hpp"
#include "ebb/seasonal_forecast.hpp"
#include "protocol.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using ebb::hours;
using ebb::parse_iso8601;
using ebb::test::Daemon;
using ebb::test::TempDir;

namespace {

const auto kT0 = parse_iso8601("2026-11-23T10:00:00Z");  // a Monday

// A site with one region fed from a forecast file (carbon and price from the same file).
std::string write_config(const TempDir& dir, const std::string& extra = "") {
  std::string conf =
      "# test ebb.conf\n"
      "CacheDir=" +
      dir.file("cache") +
      "\n"
      "RefreshInterval=0:02\n"
      "StaleAfter=6:00:00\n"
      "ExtensionWeeks=4\n"
      "Objective=balanced\n"
      "CarbonPrice=150\n"
      "PartitionName=gpu WattsPerGPU=300\n" +
      extra + "RegionName=GB CarbonSource=file CarbonFile=" + dir.file("provider.csv") +
      " PriceSource=file PriceFile=" + dir.file("provider.csv") + "\n";
  ebb::test::write_text(dir.file("ebb.conf"), conf);
  return dir.file("ebb.conf");
}

// The region's forecast, once ebbd has one (it answers 503 until its first fetch ends).
ebb::ForecastReply forecast(const Daemon& d) {
  ebb::http::Response r;
  ebb::test::wait_until([&] {
    r = d.get("/v1/forecast?region=gb");
    return r.status != 503;
  });
  INFO(r.body);
  REQUIRE(r.status == 200);
  return ebb::wire::decode_forecast(r.body);
}

std::string metrics(const Daemon& d) { return d.get("/metrics").body; }

}  // namespace

TEST_CASE("ebbd serves a region's forecast from a forecast file and caches it", "[daemon]") {
  TempDir dir;
  // 2 days of half-hour slots from 2 hours before "now".
  ebb::test::write_text(dir.file("provider.csv"),
                        ebb::test::synthetic_forecast_csv(kT0 - hours(2), 30min, 96));
  Daemon ebbd(write_config(dir), dir.path(), {"--now", ebb::format_utc(kT0)});

  auto reply = forecast(ebbd);
  CHECK_FALSE(reply.stale);
  REQUIRE(reply.fetched_at);
  CHECK(*reply.fetched_at >= kT0);
  CHECK(*reply.fetched_at < kT0 + 1min);
  CHECK(reply.series.region == "gb");
  // The provider's slots from now on, then extension slots past its end.
  const auto provider_end = kT0 + hours(46);
  std::size_t provider_slots = 0;
  for (const auto& s : reply.series.slots()) {
    if (s.start < provider_end) {
      ++provider_slots;
      CHECK(s.origin == ebb::Origin::forecast);
      CHECK(s.carbon == Approx(ebb::test::synthetic_carbon(s.start)));
      CHECK(s.price == Approx(ebb::test::synthetic_price(s.start)));
    } else {
      CHECK(s.origin == ebb::Origin::extension);
    }
  }
  CHECK(provider_slots == 92);
  CHECK(reply.series.begin() == kT0);

  // The cache is a valid forecast file that everyone can read, with its sidecar.
  const std::string cache = ebb::cache_file_path(dir.file("cache"), "gb");
  REQUIRE(ebb::test::wait_until([&] { return std::filesystem::exists(cache); }));
  struct stat st {};
  REQUIRE(::stat(cache.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  auto cached = ebb::read_forecast_file(cache);
  CHECK(cached.begin() == kT0);
  CHECK(cached.slots().front().carbon == Approx(ebb::test::synthetic_carbon(kT0)));
  CHECK(std::filesystem::exists(dir.file("cache/gb.json")));
  CHECK(std::filesystem::exists(dir.file("cache/gb.history")));

  auto health = ebbd.get("/v1/health");
  CHECK(health.status == 200);
  CHECK(health.body.find("\"status\":\"ok\"") != std::string::npos);
  CHECK(ebbd.stop() == 0);  // SIGTERM ends it cleanly
}

TEST_CASE("ebbd restarts from its warm cache when the provider is gone", "[daemon]") {
  TempDir dir;
  ebb::test::write_text(dir.file("provider.csv"),
                        ebb::test::synthetic_forecast_csv(kT0, 30min, 96));
  const std::string conf = write_config(dir);
  std::optional<ebb::TimePoint> first_fetch;
  {
    Daemon ebbd(conf, dir.path(), {"--now", ebb::format_utc(kT0)});
    first_fetch = forecast(ebbd).fetched_at;
    REQUIRE(first_fetch);
    REQUIRE(
        ebb::test::wait_until([&] { return std::filesystem::exists(dir.file("cache/gb.json")); }));
    ebbd.stop(/*hard=*/true);  // killed, no chance to tidy up
  }
  std::filesystem::remove(dir.file("provider.csv"));

  Daemon ebbd(conf, dir.path(), {"--now", ebb::format_utc(kT0 + 10min)});
  auto reply = forecast(ebbd);
  CHECK(reply.fetched_at == first_fetch);  // the cached data, with its own age
  CHECK_FALSE(reply.stale);
  REQUIRE_FALSE(reply.series.empty());
  const ebb::Slot* s = reply.series.at(kT0 + hours(5));
  REQUIRE(s);
  CHECK(s->carbon == Approx(ebb::test::synthetic_carbon(kT0 + hours(5))));
  CHECK(s->origin == ebb::Origin::forecast);
  // It tried the provider, and counts the failure.
  REQUIRE(ebb::test::wait_until([&] {
    return ebb::test::metric(metrics(ebbd),
                             R"(ebbd_fetch_total{region="gb",provider="file",result="failure"})") >=
           1;
  }));
  // Plans still come from the cached forecast.
  auto plan = ebbd.post("/v1/plan", R"({"time_limit":"2:00:00","max_delay":"12:00:00"})");
  CHECK(plan.status == 200);
}

TEST_CASE(
    "with the provider down for days, the forecast goes stale and is extended from "
    "history",
    "[daemon]") {
  TempDir dir;
  // Three weeks of history up to now and two days ahead, hourly.
  ebb::test::write_text(dir.file("provider.csv"),
                        ebb::test::synthetic_forecast_csv(kT0 - hours(24 * 21), 1h, 24 * 23));
  const std::string conf = write_config(dir);
  {
    Daemon ebbd(conf, dir.path(), {"--now", ebb::format_utc(kT0)});
    CHECK_FALSE(forecast(ebbd).stale);
    ebbd.stop();
  }
  std::filesystem::remove(dir.file("provider.csv"));

  // 40 hours later: past StaleAfter, and 8 hours before the provider's data runs out.
  const auto later = kT0 + hours(40);
  Daemon ebbd(conf, dir.path(), {"--now", ebb::format_utc(later)});
  auto reply = forecast(ebbd);
  CHECK(reply.stale);
  const auto provider_end = kT0 + hours(48);
  CHECK(reply.series.begin() == later);
  CHECK(reply.series.at(provider_end - 1h)->origin == ebb::Origin::forecast);
  // Past the provider's horizon: ebbd's own forecaster (the default ExtensionModel),
  // issued at the provider's end from the hours recorded before it.
  ebb::HourlySeries recorded;
  recorded.first_hour = ebb::hour_index(kT0 - hours(24 * 21));
  for (auto t = kT0 - hours(24 * 21); t < provider_end; t += 1h)
    recorded.values.push_back(ebb::test::synthetic_carbon(t));
  const auto expected =
      ebb::SeasonalForecaster().forecast(recorded, ebb::hour_index(provider_end), 31);
  for (int h : {0, 7, 30}) {
    const auto t = provider_end + hours(h);
    const ebb::Slot* s = reply.series.at(t);
    REQUIRE(s);
    CHECK(s->origin == ebb::Origin::extension);
    CHECK(s->carbon == Approx(expected[static_cast<std::size_t>(h)]));
  }
  // The extension reaches a week ahead of now.
  CHECK(reply.series.end() >= later + hours(24 * 7));
  auto m = metrics(ebbd);
  CHECK(ebb::test::metric(m, R"(ebbd_forecast_stale{region="gb"})") == 1);
  CHECK(ebb::test::metric(m, R"(ebbd_forecast_age_seconds{region="gb"})") >= 40 * 3600);
  auto health = ebbd.get("/v1/health");
  CHECK(health.body.find("\"status\":\"degraded\"") != std::string::npos);
  // A plan can use extension hours, and says the forecast is stale.
  auto plan = ebbd.post("/v1/plan", R"({"time_limit":"4:00:00","max_delay":"3-00:00:00"})");
  CHECK(plan.status == 200);
  CHECK(plan.body.find("\"stale\":true") != std::string::npos);
}

TEST_CASE("concurrent plan requests all equal the in-process planner", "[daemon]") {
  TempDir dir;
  ebb::test::write_text(dir.file("provider.csv"),
                        ebb::test::synthetic_forecast_csv(kT0 - hours(1), 30min, 2 * 72));
  // Without the cluster view, ebbd plans each job alone, as the planner does.
  const std::string conf = write_config(dir, "ExtensionHorizon=0\nClusterRefresh=0\n");
  Daemon ebbd(conf, dir.path(), {"--now", ebb::format_utc(kT0)});
  REQUIRE(forecast(ebbd).series.size() > 0);

  ebb::Config config = ebb::load_config(conf);
  ebb::SignalSeries series = ebb::read_forecast_file(dir.file("provider.csv"));

  constexpr int kThreads = 8, kEach = 25;
  std::vector<std::vector<std::string>> failures(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> answered{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        ebb::PlanQuery q;
        q.region = "GB";
        q.now = kT0 + ebb::minutes(7 * i + t);
        q.deadline = *q.now + hours(6 + (i + t) % 30);
        q.job.time_limit = hours(1 + (i % 4));
        q.job.tasks = 1 + t;
        q.job.cpus_per_task = 4;
        q.job.gpus = static_cast<std::uint32_t>(i % 3);
        q.job.memory_gb = 8.0 * (t + 1);
        q.job.partition = i % 2 ? "gpu" : "cpu";
        if (i % 3 == 1) q.objective = ebb::Objective::carbon;
        if (i % 3 == 2) q.objective = ebb::Objective::cost;
        ebb::DaemonError error;
        auto got = ebb::ask_daemon_for_plan(ebbd.url(), q, 5s, &error, ebb::test::kNoAuth);
        if (!got) {
          failures[t].push_back("no answer: " + error.message);
          continue;
        }
        ++answered;
        ebb::PlanRequest r;
        r.now = *q.now;
        r.deadline = q.deadline;
        r.time_limit = q.job.time_limit;
        r.power_watts = config.partition(q.job.partition).power.watts(q.job);
        ebb::Policy policy = config.policy;
        if (q.objective) policy.objective = *q.objective;
        ebb::Decision want = ebb::plan(r, series, policy);
        want.reason += "; planned without cluster state";
        auto same = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
        bool equal = got->defer == want.defer && got->start == want.start &&
                     got->latest_start == want.latest_start &&
                     same(got->energy_kwh, want.energy_kwh) && got->objective == want.objective &&
                     got->reason == want.reason &&
                     same(got->chosen.grams_co2, want.chosen.grams_co2) &&
                     same(got->chosen.cost, want.chosen.cost) &&
                     same(got->chosen.objective, want.chosen.objective) &&
                     same(got->baseline.grams_co2, want.baseline.grams_co2) &&
                     got->baseline.start == want.baseline.start;
        if (!equal) {
          failures[t].push_back("request " + ebb::wire::encode_plan_query(q) + " got " +
                                ebb::wire::decision_to_json(*got).dump() + " want " +
                                ebb::wire::decision_to_json(want).dump());
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& f : failures) {
    for (const auto& line : f) FAIL_CHECK(line);
  }
  CHECK(answered == kThreads * kEach);
  CHECK(ebb::test::metric(metrics(ebbd), "ebbd_plans_total") == kThreads * kEach);
  CHECK(ebb::test::metric(metrics(ebbd), "ebbd_plan_duration_seconds_count") == kThreads * kEach);
}

TEST_CASE("bad requests get a 4xx answer that says what is wrong", "[daemon]") {
  TempDir dir;
  ebb::test::write_text(dir.file("provider.csv"),
                        ebb::test::synthetic_forecast_csv(kT0, 30min, 96));
  Daemon ebbd(write_config(dir), dir.path(), {"--now", ebb::format_utc(kT0)});
  forecast(ebbd);
  const double errors_before = ebb::test::metric(metrics(ebbd), "ebbd_plan_errors_total");

  struct Case {
    std::string body;
    int status;
    std::string says;
  };
  std::vector<Case> cases = {
      {"{not json", 400, "not valid JSON"},
      {R"({"deadline":"2026-11-24T10:00:00Z"})", 400, "time_limit"},
      {R"({"time_limit":"2:00:00","deadline":"next tuesday"})", 400, "deadline"},
      {R"({"time_limit":"2:00:00","max_delay":60,"nodes":"two"})", 400, "nodes"},
      {R"({"time_limit":"2:00:00","max_delay":60,"priority":5})", 400, "unknown field 'priority'"},
      {R"({"time_limit":"5:00:00","deadline":"2026-11-23T11:00:00Z"})", 400, "deadline"},
      {R"({"time_limit":"2:00:00","max_delay":60,"region":"mars"})", 404, "unknown region 'mars'"},
  };
  for (const auto& c : cases) {
    auto r = ebbd.post("/v1/plan", c.body);
    INFO(c.body << " -> " << r.status << " " << r.body);
    CHECK(r.status == c.status);
    CHECK(r.body.find(c.says) != std::string::npos);
    CHECK(r.body.find("\"error\"") != std::string::npos);
  }
  CHECK(ebbd.get("/v1/forecast?region=mars").status == 404);
  auto nowhere = ebbd.get("/v2/everything");
  CHECK(nowhere.status == 404);
  CHECK(nowhere.body.find("/v1/plan") != std::string::npos);
  CHECK(ebb::test::metric(metrics(ebbd), "ebbd_plan_errors_total") ==
        errors_before + static_cast<double>(cases.size()));
  CHECK(ebb::test::metric(metrics(ebbd), "ebbd_plans_total") == 0);
  // The client reads the kind back from the status, and the message from the body.
  ebb::PlanQuery q;
  q.region = "mars";
  q.max_delay = hours(1);
  ebb::DaemonError error;
  CHECK_FALSE(ebb::ask_daemon_for_plan(ebbd.url(), q, 2s, &error, ebb::test::kNoAuth));
  CHECK(error.kind == ebb::ErrorKind::not_found);
  CHECK(error.message == "ebbd answered HTTP 404: unknown region 'mars'");
  q.region.clear();
  q.time_limit_given = false;  // and the cluster view gives no DefaultTime
  CHECK_FALSE(ebb::ask_daemon_for_plan(ebbd.url(), q, 2s, &error, ebb::test::kNoAuth));
  CHECK(error.kind == ebb::ErrorKind::input);
}

TEST_CASE("ebbd refuses a config it cannot serve, naming the problem", "[daemon]") {
  TempDir dir;
  ebb::test::write_text(dir.file("none.conf"), "CacheDir=" + dir.file("cache") + "\n");
  CHECK_THROWS_WITH(Daemon(dir.file("none.conf"), dir.path(), {}),
                    Catch::Contains("no RegionName= line"));
  ebb::test::write_text(dir.file("bad.conf"),
                        "StaleAfter=soon\nRegionName=gb CarbonSource=file CarbonFile=/x\n");
  CHECK_THROWS_WITH(Daemon(dir.file("bad.conf"), dir.path(), {}), Catch::Contains("StaleAfter"));
}

TEST_CASE("ebbd --once refreshes the cache from saved files and exits, for air-gapped sites",
          "[daemon]") {
  TempDir dir;
  ebb::test::write_text(dir.file("provider.csv"),
                        ebb::test::synthetic_forecast_csv(kT0, 30min, 96));
  const std::string conf = write_config(dir);
  CHECK(ebb::test::run_ebbd({"--config", conf, "--once", "--now", ebb::format_utc(kT0)},
                            dir.file("once.log")) == 0);
  auto cached = ebb::read_forecast_file(ebb::cache_file_path(dir.file("cache"), "gb"));
  CHECK(cached.begin() == kT0);
  CHECK(cached.slots().front().carbon == Approx(ebb::test::synthetic_carbon(kT0)));
  CHECK(cached.slots().front().price == Approx(ebb::test::synthetic_price(kT0)));

  // The inbox is empty next time: exit status 1, and the cache is kept.
  std::filesystem::remove(dir.file("provider.csv"));
  CHECK(ebb::test::run_ebbd({"--config", conf, "--once", "--now", ebb::format_utc(kT0)},
                            dir.file("once.log")) == 1);
  CHECK(ebb::read_forecast_file(ebb::cache_file_path(dir.file("cache"), "gb")).begin() == kT0);
  CHECK(ebb::test::read_text(dir.file("once.log")).find("fetch failed") != std::string::npos);
}

TEST_CASE("ebbd refuses a saved file wholly in the past: --once fails, the daemon warns",
          "[daemon]") {
  TempDir dir;
  // Eight half hours that ended a day before now (an air-gapped site's stale inbox).
  ebb::test::write_text(dir.file("provider.csv"),
                        ebb::test::synthetic_forecast_csv(kT0 - hours(28), 30min, 8));
  const std::string conf = write_config(dir);
  CHECK(ebb::test::run_ebbd({"--config", conf, "--once", "--now", ebb::format_utc(kT0)},
                            dir.file("once.log")) == 1);
  const std::string log = ebb::test::read_text(dir.file("once.log"));
  INFO(log);
  CHECK(log.find("all 8 slots end before now: nothing to serve") != std::string::npos);
  CHECK(log.find("fetched 8 slots") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(ebb::cache_file_path(dir.file("cache"), "gb")));
  // Data that ended an hour ago (a history-only source's answer) is still a good fetch.
  ebb::test::write_text(dir.file("recent.csv"),
                        ebb::test::synthetic_forecast_csv(kT0 - hours(5), 30min, 8));
  const std::string recent_conf = dir.file("recent.conf");
  ebb::test::write_text(recent_conf, "CacheDir=" + dir.file("recent-cache") +
                                         "\nStaleAfter=6:00:00\nRegionName=gb CarbonSource=file "
                                         "CarbonFile=" +
                                         dir.file("recent.csv") + "\n");
  CHECK(ebb::test::run_ebbd({"--config", recent_conf, "--once", "--now", ebb::format_utc(kT0)},
                            dir.file("recent.log")) == 0);

  // The resident daemon: a warning, and a failed fetch in its metrics.
  Daemon ebbd(conf, dir.path(), {"--now", ebb::format_utc(kT0)});
  CHECK(ebb::test::wait_until([&] {
    return ebb::test::metric(metrics(ebbd),
                             R"(ebbd_fetch_total{region="gb",provider="file",result="failure"})") >=
           1;
  }));
  CHECK(ebb::test::metric(metrics(ebbd),
                          R"(ebbd_fetch_total{region="gb",provider="file",result="success"})") <=
        0);
  CHECK(ebb::test::wait_until([&] {
    return ebb::test::read_text(dir.file("ebbd.log")).find("nothing to serve") != std::string::npos;
  }));
}

TEST_CASE("plans are sized by what similar jobs ran, from Slurm's accounting", "[daemon]") {
  TempDir dir;
  ebb::test::write_text(dir.file("provider.csv"),
                        ebb::test::synthetic_forecast_csv(kT0 - hours(2), 30min, 96));
  // sacct's parsable answer (SLURM_TIME_FORMAT=%s): ann's "sim" ran 50 and 40 minutes of its
  // 4 hours; a script stands in for sacct (the real-cluster tests read slurmdbd).
  const std::string sacct = dir.file("sacct");
  ebb::test::write_text(sacct,
                        "#!/bin/sh\n"
                        "end=$(($(date +%s) - 60))\n"
                        "echo \"11|ann|sim|physics|batch|4|240|3000|$end\"\n"
                        "echo \"12|ann|sim|physics|batch|4|240|2400|$end\"\n");
  ::chmod(sacct.c_str(), 0700);
  Daemon ebbd(write_config(dir, "AccountingRefresh=0:01\nSacctCommand=" + sacct + "\n"), dir.path(),
              {"--now", ebb::format_utc(kT0)});
  forecast(ebbd);
  const std::string ann =
      R"({"time_limit":"4:00:00","max_delay":"12:00:00","user":"ann","job_name":"sim",)"
      R"("partition":"batch","tasks":4,"account":"physics"})";
  ebb::http::Response plan;
  REQUIRE(ebb::test::wait_until([&] {
    plan = ebbd.post("/v1/plan", ann);
    return plan.body.find("similar jobs") != std::string::npos;
  }));
  INFO(plan.body);
  const ebb::Decision d = ebb::wire::decode_decision(plan.body, nullptr);
  CHECK(d.runtime == ebb::minutes(50));
  CHECK(d.runtime_basis == "2 similar jobs");
  // 4 cores x 12 W x PUE 1.5 over 50 minutes, not over the 4-hour limit.
  CHECK(d.energy_kwh == Approx(4 * 12 * 1.5 * (50.0 / 60) / 1000));
  // The window is still the whole limit's (ebbd's clock runs on from --now).
  CHECK(d.latest_start >= kT0 + hours(12));
  CHECK(d.latest_start < kT0 + hours(12) + 1min);
  // Someone with no history is planned with the limit, and says nothing about it.
  auto bob = ebb::wire::decode_decision(
      ebbd.post("/v1/plan", R"({"time_limit":"4:00:00","max_delay":"12:00:00","user":"bob"})").body,
      nullptr);
  CHECK(bob.runtime == hours(4));
  CHECK(bob.runtime_basis.empty());
  // The accounting task counts the jobs and saves the model once its whole round is over
  // (the energy read and the files come after the runtimes are learned), which under load
  // can be after the first plan that uses them.
  CHECK(ebb::test::wait_until(
      [&] { return ebb::test::metric(metrics(ebbd), "ebbd_accounting_jobs_learned_total") == 2; }));
  struct stat st {};
  REQUIRE(::stat(dir.file("cache/runtime.model").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("plans use the power Slurm measured for the partition, and say so", "[daemon][power]") {
  TempDir dir;
  ebb::test::write_text(dir.file("provider.csv"),
                        ebb::test::synthetic_forecast_csv(kT0 - hours(2), 30min, 96));
  // sacct's parsable answers: no runtimes (-X), and five jobs of partition "batch" whose
  // steps measured 10 W a core and 100 W a node; a script stands in for sacct.
  const std::string sacct = dir.file("sacct");
  ebb::test::write_text(
      sacct,
      "#!/bin/sh\n"
      "case \" $* \" in *' -X '*) exit 0 ;; esac\n"
      "end=$(($(date +%s) - 60))\n"
      "for c in 2 4 8 16 32; do\n"
      "  n=1; [ $c -ge 16 ] && n=2\n"
      "  echo \"$c|batch|$n|cpu=$c,node=$n|1800||$end\"\n"
      "  echo \"$c.batch|batch|1|cpu=1|1800|$(( (10 * c + 100 * n) * 1800 ))|$end\"\n"
      "done\n");
  ::chmod(sacct.c_str(), 0700);
  Daemon ebbd(write_config(dir, "AccountingRefresh=0:01\nSacctCommand=" + sacct + "\n"), dir.path(),
              {"--now", ebb::format_utc(kT0)});
  forecast(ebbd);
  const std::string job =
      R"({"time_limit":"4:00:00","max_delay":"12:00:00","user":"ann","partition":"batch",)"
      R"("tasks":4,"memory_gb":64})";
  ebb::http::Response plan;
  REQUIRE(ebb::test::wait_until([&] {
    plan = ebbd.post("/v1/plan", job);
    return plan.body.find("power measured") != std::string::npos;
  }));
  INFO(plan.body);
  const ebb::Decision d = ebb::wire::decode_decision(plan.body, nullptr);
  CHECK(d.power_basis == "power measured on 5 jobs");
  // (4 cores x 10 W + 1 node x 100 W) x PUE 1.5 over the 4 hours; memory is inside the fit.
  CHECK(d.energy_kwh == Approx((4 * 10 + 100) * 1.5 * 4 / 1000));
  CHECK(ebb::decision_line(d, kT0, ebb::DecisionMode::applied).find("(power measured on 5 jobs)") !=
        std::string::npos);
  // Another partition keeps the configured model (12 W a core, 0.3725 W a GB), unmentioned.
  const auto other = ebb::wire::decode_decision(
      ebbd.post("/v1/plan",
                R"({"time_limit":"4:00:00","max_delay":"12:00:00","partition":"gpu","tasks":4})")
          .body,
      nullptr);
  CHECK(other.power_basis.empty());
  CHECK(other.energy_kwh == Approx(4 * 12 * 1.5 * 4 / 1000.0));
}
