// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd's cluster view: parsing what Slurm 22.05 prints (recorded from the test
// cluster), the bookkeeping of bookings, planning a burst against one partition from many
// threads, and refreshes through real commands (scripts standing in for squeue).
#include <simdjson.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cluster_state.hpp"
#include "cluster_view.hpp"
#include "ebb/error.hpp"

using namespace ebb;
using namespace ebb::daemon;

namespace {

std::string slurm_file(const std::string& name) {
  std::ifstream in(std::string(EBB_TEST_DATA_DIR) + "/slurm/" + name);
  std::ostringstream s;
  s << in.rdbuf();
  REQUIRE_FALSE(s.str().empty());
  return s.str();
}

const ViewJob* find(const std::vector<ViewJob>& jobs, const std::string& id) {
  for (const auto& j : jobs)
    if (j.id == id) return &j;
  return nullptr;
}

ViewJob pending(std::string id, std::string user, std::string partition, TimePoint begin,
                double cpus) {
  ViewJob j;
  j.id = std::move(id);
  j.user = std::move(user);
  j.partition = std::move(partition);
  j.since = begin;
  j.cpus = cpus;
  j.time_limit = hours(1);
  return j;
}

const TimePoint T0 = parse_iso8601("2026-12-02T12:00:00Z");

// A forecast with one clean hour, 3 hours from T0, between dirty ones.
SignalSeries one_clean_hour() {
  std::vector<Slot> slots;
  for (int h = 0; h < 24; ++h) {
    Slot s;
    s.start = T0 + hours(h);
    s.end = s.start + hours(1);
    s.carbon = h == 3 ? 100 : 400;
    slots.push_back(s);
  }
  return SignalSeries(std::move(slots), "test");
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string p = (std::filesystem::temp_directory_path() / "ebb-cluster-test-XXXXXX").string();
    REQUIRE(::mkdtemp(p.data()));
    path = p;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string script(const std::string& name, const std::string& body) const {
    const auto file = path / name;
    std::ofstream(file) << "#!/bin/sh\n" << body << "\n";
    std::filesystem::permissions(file, std::filesystem::perms::owner_all);
    return file.string();
  }
};

}  // namespace

TEST_CASE("squeue --json and scontrol show partition of Slurm 22.05 are read", "[cluster]") {
  simdjson::dom::parser parser;
  auto jobs = parse_squeue_json(slurm_file("squeue_22.05.json"), "squeue --json", parser);
  // Cancelled jobs (2, 3, 4) and the held one (7) hold nothing ahead.
  CHECK(jobs.size() == 4);
  CHECK_FALSE(find(jobs, "2"));
  CHECK_FALSE(find(jobs, "7"));
  const ViewJob* running = find(jobs, "9");
  REQUIRE(running);
  CHECK(running->state == QueuedJob::State::running);
  CHECK(running->since == TimePoint{seconds{1796224498}});
  CHECK(running->time_limit == minutes(30));
  CHECK(running->cpus == 2);
  CHECK(running->partition == "debug");
  CHECK(running->user == "root");
  const ViewJob* begin = find(jobs, "5");
  REQUIRE(begin);
  CHECK(begin->state == QueuedJob::State::pending);
  CHECK(begin->since == TimePoint{seconds{1893492000}});
  CHECK(begin->time_limit == minutes(45));
  const ViewJob* unlimited = find(jobs, "6");
  REQUIRE(unlimited);
  CHECK_FALSE(unlimited->time_limit);
  CHECK(unlimited->cpus == 3);
  const ViewJob* array = find(jobs, "8_[1-10%2]");
  REQUIRE(array);
  CHECK(array->cpus == 10);  // ten one-CPU tasks still to run

  ClusterView view;
  parse_scontrol_partitions(slurm_file("scontrol_partitions_22.05.txt"), "scontrol", view);
  CHECK(view.default_partition == "debug");
  REQUIRE(view.partitions.size() == 2);
  CHECK(view.partitions["debug"].cpus == 8);
  CHECK(view.partitions["debug"].default_time == minutes(30));
  CHECK(view.partitions["debug"].max_time == hours(2));
  CHECK_FALSE(view.partitions["other"].default_time);
  CHECK_FALSE(view.partitions["other"].max_time);
}

TEST_CASE("malformed Slurm output is refused, naming the command and the field", "[cluster]") {
  simdjson::dom::parser parser;
  auto message = [&](const std::string& json) {
    try {
      parse_squeue_json(json, "/opt/squeue --json", parser);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(message("garbage").starts_with("/opt/squeue --json: not valid JSON"));
  CHECK(message(R"({"meta":{}})") == "/opt/squeue --json: field 'jobs': missing or not an array");
  CHECK(message(R"({"jobs":[{"job_id":4,"job_state":"RUNNING","user_name":"u","partition":"p",)"
                R"("cpus":"two","time_limit":5,"start_time":1}]})") ==
        "/opt/squeue --json: job 4: field 'cpus': expected a whole number");
  CHECK(message(R"({"jobs":[{"job_id":4,"job_state":"PENDING","user_name":"u","partition":"p",)"
                R"("cpus":1,"eligible_time":1}]})") ==
        "/opt/squeue --json: job 4: field 'time_limit': missing");
  ClusterView view;
  try {
    parse_scontrol_partitions("PartitionName=a TotalCPUs=8\nPartitionName=b TotalCPUs=x\n",
                              "scontrol show partition", view);
    FAIL("accepted");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) ==
          "scontrol show partition: line 2: field TotalCPUs: not a number: 'x'");
  }
}

TEST_CASE("bookings are added, settled by the matching pending job, and expire", "[cluster]") {
  Bookings b(seconds(50));
  const TimePoint begin = T0 + hours(3);
  b.add({"alice", "debug", begin, 1, hours(1), T0});
  b.add({"alice", "debug", begin, 1, hours(1), T0});
  b.add({"bob", "debug", begin + minutes(10), 2, hours(1), T0});
  b.add({"", "gpu", begin, 4, hours(1), T0 + seconds(30)});
  REQUIRE(b.size() == 4);

  // One of alice's two jobs is queued; a job of another user, or at another time, or with
  // other CPUs settles nothing.
  std::vector<ViewJob> jobs = {pending("11", "alice", "debug", begin, 1),
                               pending("12", "carol", "debug", begin, 1),
                               pending("13", "bob", "debug", begin, 2),
                               pending("14", "bob", "debug", begin + minutes(10), 1)};
  auto out = b.reconcile(jobs, T0 + seconds(10));
  CHECK(out.matched == 1);
  CHECK(out.expired == 0);
  CHECK(b.size() == 3);

  // The same job seen again at the next refresh does not settle alice's other booking.
  out = b.reconcile(jobs, T0 + seconds(20));
  CHECK(out.matched == 0);
  CHECK(b.size() == 3);

  // Her second job arrives; a booking without a user matches anyone's job.
  jobs.push_back(pending("15", "alice", "debug", begin, 1));
  jobs.push_back(pending("16", "dave", "gpu", begin, 4));
  out = b.reconcile(jobs, T0 + seconds(30));
  CHECK(out.matched == 2);
  REQUIRE(b.size() == 1);
  CHECK(b.items()[0].user == "bob");

  // Bob's job never came (explain mode, a refused sbatch): gone after the TTL.
  CHECK(b.expire(T0 + seconds(50)) == 0);
  CHECK(b.expire(T0 + seconds(51)) == 1);
  CHECK(b.size() == 0);
}

TEST_CASE("a burst of plans from many threads spreads over the partition's room", "[cluster]") {
  Config config;
  config.policy.objective = Objective::carbon;
  config.defaults.capacity.headroom_percent = 10;
  DaemonSettings settings;
  Metrics metrics;
  ClusterState state(config, settings, metrics);
  const SignalSeries forecast = one_clean_hour();

  PlanRequest request;
  request.now = T0;
  request.deadline = T0 + hours(12);
  request.time_limit = minutes(10);
  request.power_watts = 100;
  JobRequest job;
  job.time_limit = request.time_limit;

  // Without a view: planned alone, and the reason says so.
  Decision alone = state.plan(request, job, forecast, config.policy);
  CHECK(alone.defer);
  CHECK(alone.start == T0 + hours(3));
  CHECK(alone.reason.ends_with("; planned without cluster state"));

  ClusterView view;
  view.taken_at = T0;
  view.default_partition = "debug";
  view.partitions["debug"].cpus = 8;
  state.install(view, T0);
  JobRequest resolved = job;
  REQUIRE(state.resolve(resolved, true));
  REQUIRE(resolved.partition == "debug");

  // 40 one-CPU ten-minute jobs from 8 threads at once.
  std::vector<TimePoint> starts;
  std::mutex m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int k = 0; k < 5; ++k) {
        Decision d = state.plan(request, resolved, forecast, config.policy);
        std::lock_guard lock(m);
        CHECK(d.reason.find("without cluster state") == std::string::npos);
        starts.push_back(d.defer ? d.start : request.now);
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(starts.size() == 40);
  // At no instant more than 90% of the 8 CPUs (headroom 10%): 7 jobs per ten minutes,
  // all inside the clean hour.
  for (const TimePoint s : starts) {
    int overlapping = 0;
    for (const TimePoint o : starts) overlapping += o <= s && s < o + minutes(10);
    CHECK(overlapping <= 7);
    CHECK(s >= T0 + hours(3));
    CHECK(s + minutes(10) <= T0 + hours(4));
  }
  CHECK(state.health(T0).bookings == 40);
}

TEST_CASE("refresh: garbage keeps the previous view, a failing squeue drops it", "[cluster]") {
  TempDir dir;
  const std::string parts = dir.script(
      "scontrol", "echo 'PartitionName=debug Default=YES DefaultTime=00:30:00 TotalCPUs=8'");
  const std::string good = dir.script("squeue-good", "echo '{\"jobs\":[]}'");
  const std::string garbage = dir.script("squeue-garbage", "echo 'no JSON today'");
  const std::string down = dir.script(
      "squeue-down",
      "echo 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)' >&2; "
      "exit 1");
  const std::string hung = dir.script("squeue-hung", "exec sleep 30");
  Config config;
  DaemonSettings settings;
  settings.scontrol_command = parts;
  settings.cluster_command_timeout = seconds(1);
  Metrics metrics;
  ClusterState state(config, settings, metrics);
  CHECK(state.health(now_utc()).state == "pending");

  settings.squeue_command = good;
  REQUIRE(state.refresh());
  CHECK(state.health(now_utc()).state == "ok");
  CHECK(state.health(now_utc()).partitions == 1);

  settings.squeue_command = garbage;
  CHECK_FALSE(state.refresh());
  auto h = state.health(now_utc());
  CHECK(h.state == "malformed");
  CHECK(h.error.starts_with(garbage + " --json: not valid JSON"));
  CHECK(h.partitions == 1);  // the previous view stays
  JobRequest job;
  REQUIRE(state.resolve(job, false));
  CHECK(job.partition == "debug");
  CHECK(job.time_limit == minutes(30));

  settings.squeue_command = down;
  CHECK_FALSE(state.refresh());
  h = state.health(now_utc());
  CHECK(h.state == "unreachable");
  CHECK(h.error == down +
                       " --json exited with status 1: slurm_load_jobs error: Unable to contact "
                       "slurm controller (connect failure)");
  CHECK_FALSE(h.age_seconds);

  settings.squeue_command = hung;
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(state.refresh());
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
  CHECK(state.health(now_utc()).error == hung + " --json did not finish within 1 s");

  settings.squeue_command = dir.path.string() + "/no-such-squeue";
  CHECK_FALSE(state.refresh());
  CHECK(state.health(now_utc()).state == "unreachable");
}

TEST_CASE("the capacity keys of ebb.conf, site-wide and per partition", "[cluster]") {
  Config c = parse_config(
      "CapacityHeadroom=25\nPartitionName=gpu MaxStartsPerMinute=3\n"
      "ClusterRefresh=0:30\nSqueueCommand=/opt/slurm/bin/squeue\n",
      "ebb.conf");
  CHECK(c.defaults.capacity.headroom_percent == 25);
  CHECK(c.defaults.capacity.max_starts_per_minute == 20);
  CHECK(c.partition("gpu").capacity.headroom_percent == 25);
  CHECK(c.partition("gpu").capacity.max_starts_per_minute == 3);
  DaemonSettings s = daemon_settings(c);
  CHECK(s.cluster_refresh == seconds(30));
  CHECK(s.squeue_command == "/opt/slurm/bin/squeue");
  CHECK(s.scontrol_command == "scontrol");
  CHECK(daemon_settings(parse_config("ClusterRefresh=0\n", "x")).cluster_refresh == seconds(0));
  CHECK_THROWS_WITH(parse_config("MaxStartsPerMinute=2.5\n", "ebb.conf"),
                    "ebb.conf line 1: MaxStartsPerMinute: expected a whole number, got '2.5'");
  CHECK_THROWS_WITH(parse_config("PartitionName=a CapacityHeadroom=120\n", "ebb.conf"),
                    "ebb.conf line 1: CapacityHeadroom: 120 is outside 0-99");
}
