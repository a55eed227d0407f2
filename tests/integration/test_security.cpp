// SPDX-License-Identifier: GPL-2.0-or-later
// Trust, the plugin's side, on a real cluster: ebbd's answers are checked against the
// job's own constraints and MaxForecastAge, every read is bounded, file and network text is
// echoed only as a short printable excerpt, hetjobs end by their deadline, and the small
// holes (wrong DaemonUrl, a huge --carbon-max-delay, CARBON in capitals).
#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "daemon_checks.hpp"
#include "daemon_harness.hpp"
#include "ebb/daemon_client.hpp"
#include "ebb/forecast_file.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// Cheap hours from h+5 to h+8: a 1-hour job with a 12-hour deadline waits for them.
SignalSeries cheap_window_forecast(TimePoint h) {
  std::vector<double> carbon(36, 300);
  for (int i = 7; i < 10; ++i) carbon[i] = 100;
  return hourly(h - hours(2), carbon);
}

// A listener on DaemonUrl that answers every POST /v1/plan with what `answer` returns
// (status and body), computed when the request arrives.
class FakeEbbd {
 public:
  using Answer = std::function<std::pair<int, std::string>()>;
  explicit FakeEbbd(Answer answer) : answer_(std::move(answer)) {
    server_.Post("/v1/plan", [this](const httplib::Request&, httplib::Response& res) {
      ++plans_;
      auto [status, body] = answer_();
      res.status = status;
      res.set_content(body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("fake ebbd: cannot bind 127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeEbbd() {
    server_.stop();
    thread_.join();
  }
  FakeEbbd(const FakeEbbd&) = delete;
  FakeEbbd& operator=(const FakeEbbd&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int plans() const { return plans_; }

 private:
  Answer answer_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> plans_{0};
};

// A well-formed /v1/plan answer deferring to `start`; `energy` is spliced in as JSON text.
std::string plan_json(TimePoint start, const std::string& energy = "0.02") {
  const std::string s = "\"" + format_utc(start) + "\"";
  const std::string now = "\"" + format_utc(now_utc()) + "\"";
  return R"({"defer":true,"start":)" + s + R"(,"latest_start":)" + s + R"(,"energy_kwh":)" +
         energy +
         R"(,"objective":"carbon","currency":"EUR","reason":"the cleanest start",)"
         R"("chosen":{"start":)" +
         s +
         R"(,"mean_carbon":100,"mean_price":null,"grams_co2":2,"cost":null,"objective":2,)"
         R"("covered":1},"baseline":{"start":)" +
         now +
         R"(,"mean_carbon":300,"mean_price":null,"grams_co2":6,"cost":null,"objective":6,)"
         R"("covered":1},"saved_grams":4,"saved_cost":null,"region":"gb","stale":false,)"
         R"("fetched_at":)" +
         now + "}";
}

Submission submit(const Cluster& c, const std::vector<std::string>& flags = {}) {
  std::vector<std::string> args{"--time=1:00:00", "--carbon-deadline=now+12hours"};
  args.insert(args.end(), flags.begin(), flags.end());
  args.insert(args.end(), {"--wrap", "true"});
  return sbatch(c, args);
}

// The job went in as typed: eligible at once, one warning line that contains `part`.
void check_unchanged(const Cluster& c, const Submission& s, const std::string& part) {
  INFO(s.result.err);
  REQUIRE(s.result.exit_code == 0);
  REQUIRE_FALSE(s.job_id.empty());
  REQUIRE(s.ebb_lines.size() == 1);
  CHECK(s.result.err == s.ebb_lines[0] + "\n");
  CHECK(s.ebb_lines[0].rfind("ebb: warning: ", 0) == 0);
  CHECK(s.ebb_lines[0].ends_with("; job submitted unchanged"));
  CHECK(s.ebb_lines[0].find(part) != std::string::npos);
  auto job = c.job(s.job_id);
  CHECK(job.at("Reason") != "BeginTime");
  CHECK(from_slurm_local(job.at("EligibleTime")) - from_slurm_local(job.at("SubmitTime")) <=
        seconds(1));
}

// The job was deferred as the planner decides against the cluster's forecast file, after
// one warning that names `part` and the fallback.
void check_planned_from_forecast_file(const Cluster& c, const Submission& s,
                                      const std::string& part) {
  INFO(s.result.err);
  REQUIRE(s.result.exit_code == 0);
  REQUIRE_FALSE(s.job_id.empty());
  REQUIRE(s.ebb_lines.size() == 2);
  CHECK(s.ebb_lines[0].rfind("ebb: warning: ", 0) == 0);
  CHECK(s.ebb_lines[0].find(part) != std::string::npos);
  CHECK(s.ebb_lines[0].ends_with("; planned from forecast " + c.forecast_file() + " instead"));
  CHECK(s.ebb_lines[1].rfind("ebb: deferred to ", 0) == 0);
  auto job = c.job(s.job_id);
  PlanRequest req;
  req.now = from_slurm_local(job.at("SubmitTime"));
  req.deadline = req.now + hours(12);
  req.time_limit = hours(1);
  const Decision d = expected_plan(c, req);
  REQUIRE(d.defer);
  CHECK(job.at("Reason") == "BeginTime");
  CHECK(from_slurm_local(job.at("EligibleTime")) == d.start);
}

bool printable(const std::string& s) {
  for (char ch : s) {
    auto b = static_cast<unsigned char>(ch);
    if ((b < 0x20 && ch != '\n') || b >= 0x7f) return false;
  }
  return true;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::chrono::milliseconds timed(const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               t0);
}

}  // namespace

TEST_CASE("a hostile listener on DaemonUrl cannot move a job outside its constraints",
          "[slurm][security]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  write_forecast(c, cheap_window_forecast(h));

  std::function<std::pair<int, std::string>()> answer;
  FakeEbbd ebbd([&] { return answer(); });
  c.write_ebb_conf(
      ebb_conf_text(c, "DaemonUrl=" + ebbd.url() + "\nDaemonTimeout=2000\nDaemonAuth=none\n"));

  SECTION("a plan within the constraints is used, so the listener could move the job") {
    TimePoint start;
    answer = [&] {
      start = now_utc() + hours(3) + minutes(7);
      return std::pair{200, plan_json(start)};
    };
    auto s = submit(c);
    INFO(s.result.err);
    REQUIRE(s.result.exit_code == 0);
    REQUIRE(s.ebb_lines.size() == 1);
    CHECK(s.ebb_lines[0].rfind("ebb: deferred to ", 0) == 0);
    CHECK(ebbd.plans() == 1);
    CHECK(from_slurm_local(c.job(s.job_id).at("EligibleTime")) == start);
  }

  struct Case {
    const char* name;
    std::function<std::pair<int, std::string>()> answer;
    const char* warning_part;
  };
  const std::vector<Case> cases = {
      {"start in 2099",
       [] {
         return std::pair{200, plan_json(parse_iso8601("2099-01-01T00:00:00Z"))};
       },
       "refused its plan: start 2099-01-01T00:00:00Z is more than 366d away"},
      {"start past the deadline",
       [] {
         return std::pair{200, plan_json(now_utc() + hours(11) + minutes(30))};
       },
       "ends after the deadline"},
      {"start before now",
       [] {
         return std::pair{200, plan_json(now_utc() - hours(2))};
       },
       "is before now"},
      {"negative energy",
       [] {
         return std::pair{200, plan_json(now_utc() + hours(3), "-5")};
       },
       "refused its plan: energy_kwh is negative"},
      {"NaN energy (null)",
       [] {
         return std::pair{200, plan_json(now_utc() + hours(3), "null")};
       },
       "refused its plan: energy_kwh is not a finite number"},
      {"NaN energy (not JSON)",
       [] {
         return std::pair{200, plan_json(now_utc() + hours(3), "NaN")};
       },
       "ebbd at "},
      {"an error answer with escape sequences",
       [] {
         return std::pair{
             500, "{\"error\":\"\\u001b]0;owned\\u0007\\u001b[2J" + std::string(5000, 'A') + "\"}"};
       },
       "ebbd answered HTTP 500: ?]0;owned??[2JAAA"},
      {"an error page that is not JSON, with escape sequences",
       [] {
         return std::pair{500,
                          "{\"error\":\"\x1b]0;owned\x07\x1b[2J" + std::string(5000, 'A') + "\"}"};
       },
       "ebbd answered HTTP 500: {\"error\":\"?]0;owned??[2JAAA"},
  };
  for (const Case& k : cases) {
    SECTION(std::string("with a forecast file to fall back on: ") + k.name) {
      answer = k.answer;
      auto s = submit(c);
      CHECK(ebbd.plans() == 1);
      check_planned_from_forecast_file(c, s, k.warning_part);
      CHECK(printable(s.result.err));
      CHECK(s.ebb_lines[0].size() < 400);
    }
  }

  SECTION("with nothing to fall back on, the job goes in unchanged") {
    c.write_ebb_conf("DaemonUrl=" + ebbd.url() + "\nDaemonTimeout=2000\nDaemonAuth=none\n");
    answer = [] { return std::pair{200, plan_json(parse_iso8601("2099-01-01T00:00:00Z"))}; };
    check_unchanged(c, submit(c), "refused its plan: start 2099-01-01T00:00:00Z");
  }
}

TEST_CASE("a stale ebbd answer is refused and falls back", "[slurm][daemon][security]") {
  Cluster& c = cluster();
  const fs::path dir = c.dir() / "stale-daemon";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string cache_dir = (dir / "cache").string();
  const std::string cache = cache_file_path(cache_dir, "gb");
  UkCarbonReplay provider(this_half_hour());
  // One fetch at start-up and none after (RefreshInterval 1 hour).
  const std::string common = "CacheDir=" + cache_dir +
                             "\nRefreshInterval=60:00\nFetchRetries=0\nFetchTimeout=0:05\n"
                             "Objective=carbon\nMinSavingPercent=1\nRegion=gb\n"
                             "RegionName=gb CarbonSource=uk-carbon-intensity RateLimit=none "
                             "CarbonUrl=" +
                             provider.url() + "\n";

  SECTION("flagged stale by ebbd (StaleAfter): planned from ebbd's cache, with a warning") {
    // ebbd recomputes `stale` on each refresh: refresh every 2 s, the provider gone after
    // the first fetch, stale after 1 s.
    std::string conf = common;
    conf.replace(conf.find("RefreshInterval=60:00"), 21, "RefreshInterval=0:02");
    write_text((dir / "ebbd.conf").string(), conf + "StaleAfter=0:01\n");
    EbbdProcess ebbd((dir / "ebbd.conf").string(), dir.string());
    REQUIRE(wait_for([&] {
      ebb::DaemonError error;
      return fetch_forecast_from_daemon(ebbd.url(), "gb", 2s, &error) && fs::exists(cache);
    }));
    provider.stop();
    REQUIRE(wait_for([&] {
      ebb::DaemonError error;
      auto reply = fetch_forecast_from_daemon(ebbd.url(), "gb", 2s, &error);
      return reply && reply->stale && fs::exists(cache);
    }));
    c.write_ebb_conf(conf + "DaemonUrl=" + ebbd.url() + "\nDaemonTimeout=2000\nDaemonAuth=none\n");
    auto s = submit(c);
    INFO(s.result.err);
    INFO("ebbd's log:\n" << ebbd.log());
    REQUIRE(s.result.exit_code == 0);
    REQUIRE(s.ebb_lines.size() == 2);
    CHECK(s.ebb_lines[0] == "ebb: warning: ebbd at " + ebbd.url() +
                                ": its forecast is stale (older than its StaleAfter); planned "
                                "from its cache " +
                                cache + " instead");
    auto job = c.job(s.job_id);
    const Decision d = expected_for(c, job, read_forecast_file(cache));
    REQUIRE(d.defer);
    CHECK(s.ebb_lines[1].rfind("ebb: deferred to ", 0) == 0);
    CHECK(from_slurm_local(job.at("EligibleTime")) == d.start);
  }

  SECTION("fetched longer ago than the plugin's MaxForecastAge: refused, as the cache is") {
    write_text((dir / "ebbd.conf").string(), common);
    EbbdProcess ebbd((dir / "ebbd.conf").string(), dir.string());
    INFO("ebbd's log:\n" << ebbd.log());
    REQUIRE(wait_for([&] {
      ebb::DaemonError error;
      auto reply = fetch_forecast_from_daemon(ebbd.url(), "gb", 2s, &error);
      return reply && !reply->stale && reply->fetched_at && fs::exists(cache);
    }));
    std::this_thread::sleep_for(3s);
    c.write_ebb_conf(common + "DaemonUrl=" + ebbd.url() +
                     "\nDaemonTimeout=2000\nDaemonAuth=none\nMaxForecastAge=0:02\n");
    const double plans_before = ebbd.metric("ebbd_plans_total");
    auto s = submit(c);
    CHECK(ebbd.metric("ebbd_plans_total") == plans_before + 1);  // ebbd answered
    check_unchanged(c, s, "ebbd at " + ebbd.url() + ": its forecast was fetched ");
    CHECK(s.ebb_lines[0].find("(MaxForecastAge 0m") != std::string::npos);
    CHECK(s.ebb_lines[0].find("its cache " + cache + " is stale") != std::string::npos);
  }

  SECTION("ebbd's cache rewritten recently but fetched long ago: refused by its sidecar") {
    write_text((dir / "ebbd.conf").string(), common);
    EbbdProcess ebbd((dir / "ebbd.conf").string(), dir.string());
    REQUIRE(wait_for([&] {
      ebb::DaemonError error;
      return fetch_forecast_from_daemon(ebbd.url(), "gb", 2s, &error) && fs::exists(cache);
    }));
    std::this_thread::sleep_for(3s);
    ebbd.kill();  // unreachable: the cache is the fallback, and it is all that is left
    fs::last_write_time(cache, fs::file_time_type::clock::now());
    c.write_ebb_conf(common + "DaemonUrl=" + ebbd.url() +
                     "\nDaemonTimeout=2000\nDaemonAuth=none\nMaxForecastAge=0:02\n");
    check_unchanged(c, submit(c),
                    "its cache " + cache + " holds a forecast fetched 0m ago (MaxForecastAge 0m)");
  }
}

TEST_CASE("a 1 GB sparse ebb.conf costs sbatch no time and gives one bounded warning",
          "[slurm][security]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();
  write_forecast(c, cheap_window_forecast(h));
  // The same submission with a tiny ebb.conf that fails just as fast (no forecast to read).
  c.write_ebb_conf("ForecastFile=" + (c.dir() / "none.csv").string() + "\n");
  std::vector<std::chrono::milliseconds> small, big;
  for (int i = 0; i < 3; ++i) small.push_back(timed([&] { submit(c); }));
  c.write_ebb_conf("");
  fs::resize_file(c.ebb_conf(), std::uintmax_t{1} << 30);
  Submission s;
  for (int i = 0; i < 3; ++i) big.push_back(timed([&] { s = submit(c); }));
  std::sort(small.begin(), small.end());
  std::sort(big.begin(), big.end());
  INFO("sbatch median " << small[1].count() << " ms with a small ebb.conf, " << big[1].count()
                        << " ms with a 1 GB one");
  CHECK(big[1] - small[1] < 100ms);
  check_unchanged(c, s, c.ebb_conf() + ": the config file is larger than 1 MiB");
  CHECK(s.ebb_lines[0].size() < 200);
  fs::resize_file(c.ebb_conf(), 0);
}

TEST_CASE("escape sequences and huge lines in ebb.conf and the forecast are echoed sanitised",
          "[slurm][security]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();
  write_forecast(c, cheap_window_forecast(h));

  SECTION("ebb.conf value with escape sequences") {
    write_text(c.ebb_conf(), "CarbonPrice=\x1b[31mred\x1b[0m\x1b]0;owned\x07\n");
    auto s = submit(c);
    CHECK(printable(s.result.err));
    check_unchanged(c, s,
                    c.ebb_conf() + " line 1: CarbonPrice: not a number: '?[31mred?[0m?]0;owned?'");
  }
  SECTION("a one-line ebb.conf of 900 KB") {
    write_text(c.ebb_conf(), std::string(900 * 1024, '\x1b') + "\n");
    auto s = submit(c);
    CHECK(printable(s.result.err));
    check_unchanged(c, s, c.ebb_conf() + " line 1: longer than 4096 characters (starts '???");
    CHECK(s.ebb_lines[0].size() < 300);
  }
  SECTION("forecast file with escape sequences") {
    c.write_ebb_conf(ebb_conf_text(c));
    write_text(c.forecast_file(), "time,carbon_intensity\n2026-11-27T18:00:00Z,\x1b[2J" +
                                      std::string(100000, '7') + "x\n");
    auto s = submit(c);
    CHECK(printable(s.result.err));
    check_unchanged(c, s, "carbon_intensity: not a number: '?[2J777");
    CHECK(s.ebb_lines[0].size() < 400);
  }
}

TEST_CASE("every component of a hetjob ends by its deadline", "[slurm][security]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();
  write_forecast(c, cheap_window_forecast(h));
  c.write_ebb_conf(ebb_conf_text(c));
  auto script = [&](const std::string& name, const std::string& first, const std::string& second) {
    const std::string path = (c.dir() / name).string();
    write_text(path, "#!/bin/sh\n#SBATCH --time=" + first + " --ntasks=1\n#SBATCH hetjob\n" +
                         "#SBATCH --time=" + second + " --ntasks=1\ntrue\n");
    return path;
  };
  // Every submitted component's start plus its time limit is at most the deadline.
  auto check_ends_by_deadline = [&](const Submission& s) {
    auto records = c.job_records(s.job_id);
    REQUIRE(records.size() == 2);
    const TimePoint deadline = from_slurm_local(records[0].at("SubmitTime")) + hours(11);
    for (auto& r : records) {
      const TimePoint end = from_slurm_local(r.at("EligibleTime")) +
                            parse_slurm_duration(r.at("TimeLimit"), "TimeLimit");
      INFO("component eligible " << r.at("EligibleTime") << ", time limit " << r.at("TimeLimit"));
      CHECK(end <= deadline);
    }
  };

  SECTION("the longest component first: planned with its time limit") {
    auto s = sbatch(c, {"--carbon-deadline=now+11hours", script("long-first.sh", "600", "10")});
    INFO(s.result.err);
    REQUIRE(s.result.exit_code == 0);
    check_ends_by_deadline(s);
  }
  SECTION("a longer component after a deferred one: refused before any job exists") {
    const auto before = c.job_ids().size();
    auto s = sbatch(c, {"--carbon-deadline=now+11hours", script("short-first.sh", "10", "600")});
    INFO(s.result.err);
    if (!s.job_id.empty()) check_ends_by_deadline(s);  // what the old plugin did: 9 h late
    CHECK(s.result.exit_code != 0);
    CHECK(s.job_id.empty());
    CHECK(c.job_ids().size() == before);
    // The first component's decision line was printed before the second was read.
    REQUIRE_FALSE(s.ebb_lines.empty());
    const std::string& error = s.ebb_lines.back();
    CHECK(error.rfind("ebb: error: hetjob component 1 (--time 10h) would end after the deadline ",
                      0) == 0);
    CHECK(error.ends_with("put the longest component first"));
  }
}

TEST_CASE("smaller holes: wrong DaemonUrl, huge --carbon-max-delay, CARBON in capitals",
          "[slurm][security]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();
  write_forecast(c, cheap_window_forecast(h));

  for (const std::string url : {"ftp://127.0.0.1:21", "http://127.0.0.1:99999", "garbage"}) {
    SECTION("DaemonUrl=" + url + " is named in a warning, and the forecast file plans") {
      c.write_ebb_conf(ebb_conf_text(c, "DaemonUrl=" + url + "\n"));
      auto s = submit(c);
      check_planned_from_forecast_file(c, s, "ebbd at " + url + ": daemon URL '" + url + "'");
    }
  }
  SECTION("--carbon-max-delay past 366 days is refused, also where Slurm's parser wraps") {
    c.write_ebb_conf(ebb_conf_text(c));
    // 71582789 minutes are 4294967340 s, 44 s after an int's wrap-around.
    for (const std::string delay : {"999999999", "71582789", "400-0"}) {
      const auto before = c.job_ids().size();
      auto s = sbatch(c, {"--time=1:00:00", "--carbon-max-delay=" + delay, "--wrap", "true"});
      INFO(s.result.err);
      CHECK(s.result.exit_code != 0);
      CHECK(s.job_id.empty());
      CHECK(c.job_ids().size() == before);
      REQUIRE(s.ebb_lines.size() == 1);
      CHECK(s.ebb_lines[0] ==
            "ebb: error: --carbon-max-delay " + delay + " is longer than 366d, the most ebb waits");
    }
  }
  SECTION("--carbon-objective=CARBON is accepted") {
    c.write_ebb_conf(ebb_conf_text(c));
    auto s = submit(c, {"--carbon-objective=CARBON"});
    INFO(s.result.err);
    REQUIRE(s.result.exit_code == 0);
    REQUIRE(s.ebb_lines.size() == 1);
    CHECK(s.ebb_lines[0].rfind("ebb: deferred to ", 0) == 0);
  }
}
