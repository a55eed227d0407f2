// SPDX-License-Identifier: GPL-2.0-or-later
// The savings ledger against Slurm's real accounting: a cluster with slurmdbd
// and MariaDB (Cluster::Settings::with_accounting), jobs that ebb defers by a minute or
// two, that really run and finish, and `ebb report` on what sacct recorded.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "support.hpp"
#ifdef EBB_HAVE_DAEMON_HARNESS
#include "daemon_harness.hpp"
#include "ebb/forecast_file.hpp"
#endif

#ifndef EBB_CLI_PATH
#error "EBB_CLI_PATH must name the ebb tool"
#endif

using namespace ebb;
using namespace ebb::test;
namespace fs = std::filesystem;

namespace {

// One cluster with accounting for every test case here (it costs ~10 s to start).
Cluster& accounted_cluster() {
  static std::unique_ptr<Cluster> shared;
  if (!shared) {
    Cluster::Settings s;
    s.with_accounting = true;
    shared = std::make_unique<Cluster>(s);
    // Others may pass through the cluster's directory to slurm.conf and ebb.conf (0644),
    // so that a normal user can run Slurm's commands and sbatch's plugin against it.
    fs::permissions(shared->dir(), fs::perms::others_exec | fs::perms::group_exec,
                    fs::perm_options::add);
  }
  shared->cancel_all();
  shared->write_plugstack(true);
  return *shared;
}

// A folder everyone can read, for the report's inputs when a normal user runs it.
struct SharedFolder {
  fs::path path;
  SharedFolder() {
    std::string pattern = (fs::temp_directory_path() / "ebb-ledger-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path = pattern;
    ::chmod(path.c_str(), 0755);
  }
  ~SharedFolder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream out(path / name);
    out << text;
    return (path / name).string();
  }
};

std::int64_t to_epoch(TimePoint t) {
  return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();
}

TimePoint this_minute() { return std::chrono::floor<minutes>(now_utc()); }

// The first whole minute that begins at least 20 s from now (so that the sbatch calls
// that follow still see it in the future), between 20 and 80 s away.
TimePoint clean_minute_start() { return std::chrono::ceil<minutes>(now_utc() + seconds(20)); }

// Dirty until `clean`, one clean minute, dirty again: a job with a one-minute limit and a
// ten-minute deadline is deferred into the clean minute.
SignalSeries clean_minute_at(TimePoint clean) {
  std::vector<Slot> slots;
  auto add = [&](TimePoint a, TimePoint b, double carbon, double price) {
    Slot s;
    s.start = a;
    s.end = b;
    s.carbon = carbon;
    s.price = price;
    slots.push_back(s);
  };
  add(clean - hours(2), clean, 300, 120);
  add(clean, clean + minutes(1), 100, 40);
  add(clean + minutes(1), clean + hours(3), 300, 120);
  return SignalSeries(std::move(slots), "test forecast");
}

// ebbd's recorded actuals, as ebbd writes CacheDir/<region>.history: distinct values per
// hour so that a wrong hour shows. Written by hand here, independent of ebbd's code.
struct Recorded {
  std::map<std::int64_t, std::pair<double, double>> hours;  // hour start -> carbon, price
  std::string text() const {
    std::string out = "# ebbd history\n";
    for (const auto& [h, v] : hours) {
      out += format_utc(TimePoint{seconds{h}}) + "," + std::to_string(v.first) + "," +
             std::to_string(v.second) + "\n";
    }
    return out;
  }
  // The independent calculation: kWh spread evenly over [a, b), hour by hour.
  std::pair<double, double> cost(std::int64_t a, std::int64_t b, double kwh) const {
    double kg = 0, money = 0;
    for (std::int64_t t = a; t < b;) {
      std::int64_t hour = t - t % 3600, next = std::min(hour + 3600, b);
      auto it = hours.find(hour);
      if (it == hours.end())
        throw std::runtime_error("no recorded hour for " + format_utc(TimePoint{seconds{t}}));
      const auto& v = it->second;
      double share = kwh * static_cast<double>(next - t) / static_cast<double>(b - a);
      kg += share * v.first / 1000;
      money += share * v.second / 1000;
      t = next;
    }
    return {kg, money};
  }
};

Recorded recorded_around(TimePoint now) {
  Recorded r;
  const std::int64_t h = TimePoint{std::chrono::floor<hours>(now)}.time_since_epoch().count();
  for (int i = -3; i <= 3; ++i) r.hours[h + i * 3600] = {200.0 + 17 * i, 60.0 + 3 * i};
  return r;
}

std::map<std::string, std::string> sacct_fields(const Cluster& c, const std::string& id) {
  auto r = c.command({"sacct", "-n", "-X", "-P", "-j", id, "-o",
                      "JobID,Submit,Start,End,AllocCPUS,User,AdminComment"},
                     std::chrono::seconds(30), {{"SLURM_TIME_FORMAT", "%s"}});
  REQUIRE(r.exit_code == 0);
  auto l = lines(r.out);
  REQUIRE(l.size() == 1);
  std::map<std::string, std::string> f;
  std::vector<std::string> names{"JobID",     "Submit", "Start",       "End",
                                 "AllocCPUS", "User",   "AdminComment"};
  std::size_t pos = 0;
  for (const auto& name : names) {
    auto bar = l[0].find('|', pos);
    f[name] = l[0].substr(pos, bar == std::string::npos ? std::string::npos : bar - pos);
    pos = bar == std::string::npos ? l[0].size() : bar + 1;
  }
  return f;
}

std::vector<std::string> as_user(const std::string& user, std::vector<std::string> argv) {
  if (user == "root") return argv;
  argv.insert(argv.begin(), {"runuser", "-u", user, "--"});
  return argv;
}

// slurmctld sends a job's records to slurmdbd on its own time: under load (the sanitizer
// build beside the other real-cluster tests) the end record arrived seconds after squeue
// showed the job finished. Asks sacct until it knows the job's end (at most a minute);
// returns its last answer ("<name>|<state>").
RunResult wait_until_accounted(const Cluster& c, const std::string& id) {
  RunResult r;
  for (int tries = 0; tries < 60; ++tries) {
    if (tries) std::this_thread::sleep_for(std::chrono::seconds(1));
    r = c.command({"sacct", "-n", "-X", "-P", "-j", id, "-o", "JobName,State"});
    if (r.out.ends_with("|COMPLETED\n")) break;
  }
  return r;
}

}  // namespace

TEST_CASE("the accounting harness records finished jobs in sacct", "[slurm][ledger]") {
  Cluster& c = accounted_cluster();
  c.write_ebb_conf("# no forecast: ebb fails open\n");
  auto s =
      sbatch(c, {"--time=1", "--job-name=accounted", "--output=/dev/null", "--wrap", "sleep 1"});
  INFO(s.result.err);
  REQUIRE(s.result.exit_code == 0);
  CHECK(c.wait_until_finished(s.job_id) == "COMPLETED");
  const RunResult r = wait_until_accounted(c, s.job_id);
  INFO(r.out << r.err);
  // The state is what the ledger relies on. The name is not checked: when this case ran
  // beside the other real-cluster tests on a loaded machine, Slurm 22.05's database held
  // the job as "allocation" (the name it gives a job record whose start record arrived
  // late); alone it holds "accounted".
  CHECK(r.out.ends_with("|COMPLETED\n"));
}

TEST_CASE("ebb report: deferred jobs' realised numbers match sacct and the recorded actuals",
          "[slurm][ledger]") {
  Cluster& c = accounted_cluster();
  SharedFolder shared;
  const TimePoint m = this_minute();
  const TimePoint clean = clean_minute_start();
  write_forecast(c, clean_minute_at(clean));
  // A power model that is easy to check: 100 W per core, nothing else.
  const std::string conf = ebb_conf_text(c, "WattsPerCore=100\nWattsPerGB=0\nPUE=1\nCurrency=EUR");
  c.write_ebb_conf(conf);
  const std::string conf_copy = shared.write("ebb.conf", conf);
  const Recorded recorded = recorded_around(m);
  const std::string actuals = shared.write("gb.history", recorded.text());

  const std::vector<std::string> job_args{
      "--time=1", "--carbon-deadline=now+10minutes", "--output=/dev/null", "--chdir=/tmp", "--wrap",
      "sleep 5"};
  std::map<std::string, std::string> owner;  // job id -> user
  for (const std::string user : {"root", "root", "nobody"}) {
    std::vector<std::string> argv{"sbatch"};
    argv.insert(argv.end(), job_args.begin(), job_args.end());
    auto r = c.command(as_user(user, argv));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::string id = submitted_job_id(r.out);
    REQUIRE_FALSE(id.empty());
    CHECK(c.job(id).at("Reason") == "BeginTime");  // deferred by ebb
    owner[id] = user;
  }
  for (const auto& [id, user] : owner) {
    // The clean minute begins within 80 s; Slurm starts the jobs within seconds of it.
    CHECK(c.wait_until_finished(id, std::chrono::seconds(300)) == "COMPLETED");
    wait_until_accounted(c, id);
  }

  const std::string from = format_utc(m - hours(1)), to = format_utc(m + hours(2));
  auto report = [&](const std::string& user) {
    return c.command(
        as_user(user, {EBB_CLI_PATH, "report", "--from", from, "--to", to, "--by", "job",
                       "--format", "json", "-c", conf_copy, "--actuals", actuals}),
        std::chrono::seconds(60));
  };

  // One cluster run serves both checks (Catch2 would run the whole case again per SECTION,
  // and each run waits minutes for the deferred jobs).
  {  // root sees every job, with numbers an independent calculation confirms
    auto r = report("root");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.out);
    std::set<std::string> seen;
    double total_kg = 0;
    for (const auto& g : j.at("groups")) {
      const std::string id = g.at("key");
      if (!owner.count(id)) continue;  // other tests' jobs
      seen.insert(id);
      INFO("job " << id);
      const auto f = sacct_fields(c, id);
      INFO("sacct: " << f.at("Submit") << " " << f.at("Start") << " " << f.at("End"));
      const std::int64_t submit = std::stoll(f.at("Submit")), start = std::stoll(f.at("Start")),
                         end = std::stoll(f.at("End"));
      REQUIRE(end > start);
      CHECK(submit < to_epoch(clean));  // really deferred: submitted before the clean minute,
      CHECK(start >= to_epoch(clean));  // started in it
      CHECK(f.at("AdminComment").rfind("ebb1:", 0) == 0);
      const double kwh =
          std::stod(f.at("AllocCPUS")) * 100.0 * static_cast<double>(end - start) / 3.6e6;
      const auto realised = recorded.cost(start, end, kwh);
      const auto asked = recorded.cost(submit, submit + (end - start), kwh);
      const auto& job = g.at("job");
      CHECK(job.at("kwh").get<double>() == Approx(kwh).epsilon(1e-12));
      CHECK(job.at("kgco2").get<double>() == Approx(realised.first).epsilon(1e-9));
      CHECK(job.at("cost").get<double>() == Approx(realised.second).epsilon(1e-9));
      CHECK(job.at("kgco2_as_submitted").get<double>() == Approx(asked.first).epsilon(1e-9));
      CHECK(job.at("cost_as_submitted").get<double>() == Approx(asked.second).epsilon(1e-9));
      CHECK(job.at("energy_estimated").get<bool>());
      CHECK(g.at("deferred").get<int>() == 1);
      CHECK(g.at("user") == owner.at(id));
      CHECK(g.at("start") == format_utc(TimePoint{seconds{start}}));
      total_kg += realised.first;
    }
    CHECK(seen.size() == owner.size());
    // The total row adds up the rows (only this test's jobs ran since the forecast).
    CHECK(j.at("total").at("exact").at("kgco2").get<double>() >= total_kg - 1e-12);
  }
  {  // a normal user sees only their own jobs (PrivateData=jobs)
    auto r = report("nobody");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.out);
    std::size_t own = 0;
    for (const auto& g : j.at("groups")) {
      CHECK(g.at("user") == "nobody");
      own += owner.count(g.at("key").get<std::string>());
    }
    CHECK(own == 1);
  }
}

TEST_CASE("ebb report without sacct: a clear error and a non-zero exit", "[slurm][ledger]") {
  SharedFolder shared;
  const std::string actuals = shared.write("gb.history", "# empty\n");
  auto r = run({EBB_CLI_PATH, "report", "--from", "2026-11-01", "--to", "2026-12-01", "--actuals",
                actuals, "--sacct", "/nonexistent/sacct"},
               child_environment({}));
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("ebb report: cannot run sacct ('/nonexistent/sacct')") != std::string::npos);
}

// Not run by default: writes the small real `sacct --json` answer kept in
// tests/data/sacct/ (EBB_SACCT_CAPTURE=path). A deferred job, a job ebb did not plan, one
// with a foreign AdminComment, one with a corrupt ebb record, one that never started, an
// array and a hetjob.
TEST_CASE("capture the sacct fixture", "[.capture]") {
  const char* path = std::getenv("EBB_SACCT_CAPTURE");
  REQUIRE(path);
  Cluster& c = accounted_cluster();
  write_forecast(c, clean_minute_at(clean_minute_start()));
  c.write_ebb_conf(ebb_conf_text(c));
  const std::vector<std::string> common{"--output=/dev/null", "--chdir=/tmp"};
  auto submit = [&](std::vector<std::string> args) {
    args.insert(args.begin(), common.begin(), common.end());
    auto s = sbatch(c, args);
    INFO(s.result.err);
    REQUIRE(s.result.exit_code == 0);
    return s.job_id;
  };
  std::vector<std::string> ids;
  ids.push_back(submit(
      {"--time=1", "--carbon-deadline=now+10minutes", "--job-name=deferred", "--wrap", "sleep 3"}));
  ids.push_back(submit({"--time=1", "--job-name=unplanned", "--wrap", "sleep 1"}));
  const std::string foreign = submit({"--time=1", "--job-name=foreign", "-H", "--wrap", "sleep 1"});
  c.command({"scontrol", "update", "job", foreign, "AdminComment=billing code 42"});
  c.command({"scontrol", "release", foreign});
  ids.push_back(foreign);
  const std::string corrupt = submit({"--time=1", "--carbon-deadline=now+10minutes",
                                      "--job-name=corrupt", "-H", "--wrap", "sleep 1"});
  c.command({"scontrol", "update", "job", corrupt, "AdminComment=ebb1:a=yesterday,p=1"});
  c.command({"scontrol", "release", corrupt});
  ids.push_back(corrupt);
  const std::string cancelled = submit({"--time=1", "--carbon-deadline=now+10minutes",
                                        "--job-name=never-started", "-H", "--wrap", "sleep 1"});
  c.command({"scancel", cancelled});
  ids.push_back(cancelled);
  ids.push_back(submit({"--time=1", "--carbon-deadline=now+10minutes", "--job-name=array",
                        "--array=1-2", "--wrap", "sleep 2"}));
  ids.push_back(submit({"--time=1", "--carbon-deadline=now+10minutes", "--job-name=het", "-n1", ":",
                        "-n1", "--wrap", "sleep 2"}));
  for (const auto& id : ids) c.wait_until_finished(id, std::chrono::seconds(300));
  std::this_thread::sleep_for(std::chrono::seconds(3));  // the last records reach slurmdbd
  std::string list;
  for (const auto& id : ids) list += (list.empty() ? "" : ",") + id;
  auto r = c.command({"sacct", "--json", "-j", list});
  REQUIRE(r.exit_code == 0);
  std::ofstream(path) << r.out;
}

#ifdef EBB_HAVE_DAEMON_HARNESS
// Runtimes and power learned from real accounting: ebbd reads the jobs that ended from slurmdbd
// (sacct, as its own user) and sizes the next plan of the same user and job name by what they ran.
TEST_CASE("ebbd learns runtimes from slurmdbd: the next plan and its line say so",
          "[slurm][ledger][daemon]") {
  Cluster& c = accounted_cluster();
  c.write_ebb_conf("# no forecast: ebb fails open\n");
  // Two jobs of one user and name that run 3 and 6 seconds of their 10 minutes.
  std::vector<std::string> ids;
  for (const char* seconds : {"3", "6"}) {
    auto s = c.command({"sbatch", "--time=10", "--job-name=learn-me", "--output=/dev/null",
                        "--chdir=/tmp", "--wrap", std::string("sleep ") + seconds},
                       std::chrono::seconds(30), {{"USER", "root"}});
    INFO(s.err);
    REQUIRE(s.exit_code == 0);
    ids.push_back(submitted_job_id(s.out));
  }
  std::int64_t longest = 0;
  for (const auto& id : ids) {
    REQUIRE(c.wait_until_finished(id, std::chrono::seconds(120)) == "COMPLETED");
    wait_until_accounted(c, id);
    const auto f = sacct_fields(c, id);
    longest = std::max<std::int64_t>(longest, std::stoll(f.at("End")) - std::stoll(f.at("Start")));
  }
  REQUIRE(longest >= 6);

  // ebbd beside the cluster, reading the accounting every second.
  const fs::path dir = c.dir() / "learner";
  fs::create_directories(dir);
  const TimePoint h0 = this_hour();
  std::vector<double> carbon(30, 400.0);
  carbon[3] = 100.0;  // one clean hour, three hours ahead
  const std::string forecast = (dir / "forecast.csv").string();
  {
    std::ofstream out(forecast);
    out << to_forecast_csv(hourly(h0, carbon));
  }
  const std::string conf = "CacheDir=" + (dir / "cache").string() +
                           "\nObjective=carbon\nMinSavingPercent=1\nDaemonAuth=none\n"
                           "AccountingRefresh=0:01\nAccountingDays=1\nClusterRefresh=0:02\n"
                           "Region=site\nRegionName=site CarbonSource=file CarbonFile=" +
                           forecast + "\n";
  {
    std::ofstream out(dir / "ebbd.conf");
    out << conf;
  }
  EbbdProcess ebbd((dir / "ebbd.conf").string(), dir.string(), {{"SLURM_CONF", c.slurm_conf()}});
  INFO("ebbd's log:\n" << ebbd.log());
  REQUIRE(wait_for([&] { return ebbd.metric("ebbd_accounting_jobs_learned_total") >= 2; },
                   std::chrono::seconds(60)));

  // The plugin asks ebbd; the job of the same user and name is planned for what they ran.
  c.write_ebb_conf(conf + "DaemonUrl=" + ebbd.url() + "\nDaemonTimeout=10000\n");
  auto s = c.command({"sbatch", "--time=10", "--job-name=learn-me", "--carbon-deadline=now+12hours",
                      "--output=/dev/null", "--chdir=/tmp", "--wrap", "true"},
                     std::chrono::seconds(30), {{"USER", "root"}});
  INFO(s.err);
  REQUIRE(s.exit_code == 0);
  const auto lines = ebb_lines(s.err);
  REQUIRE(lines.size() == 1);
  // "(2 similar jobs)", or "(2 jobs of the same name)" if the request's partition or size
  // does not match the records' exactly.
  const std::string expected = ", expected " + format_duration(seconds{longest}) + " (2 ";
  CHECK(lines[0].find(expected) != std::string::npos);
  // The deadline still holds for the whole limit: Slurm keeps the 10 minutes.
  CHECK(c.job(submitted_job_id(s.out)).at("TimeLimit") == "00:10:00");
  // The energy read (sacct without -X, the steps too) ran against the same slurmdbd and
  // was understood; without an acct_gather_energy plugin nothing is calibrated or said.
  CHECK(ebbd.log().find("power calibration:") == std::string::npos);
  CHECK(lines[0].find("power measured") == std::string::npos);
  c.cancel_all();
}
#endif
