// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb why` and `ebb queue` with what ebbd knows of slurmctld:
// explanations read from a recorded Slurm 22.05 squeue answer with plan records put in,
// ebbd's /v1/queue over its Unix socket as root and as another user, and plans for jobs
// without a time limit from the partition's DefaultTime. Real ebbd processes; scripts
// stand in for squeue and scontrol (the real-cluster tests are in tests/integration).
#include <grp.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cluster_state.hpp"
#include "cluster_view.hpp"
#include "ebb/daemon_client.hpp"
#include "ebb/decision_text.hpp"
#include "ebb/error.hpp"
#include "ebb/plan_record.hpp"
#include "job_explanation.hpp"
#include "protocol.hpp"
#include "queue_view.hpp"
#include "subcommands.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using ebb::hours;
using ebb::TimePoint;
using ebb::test::Daemon;
using ebb::test::TempDir;

namespace {

constexpr uid_t kNobody = 65534;

std::string slurm_file(const std::string& name) {
  return ebb::test::read_text(std::string(EBB_TEST_DATA_DIR) + "/slurm/" + name);
}

TimePoint epoch(std::int64_t s) { return TimePoint{ebb::seconds{s}}; }

// Job 5 of the recording: pending until its begin time 1893492000, submitted 1796224487.
ebb::PlanRecord record_for_job5() {
  ebb::PlanRecord r;
  r.asked = epoch(1796224487);
  r.planned = epoch(1893492000);
  r.deadline = r.planned + hours(6);
  r.latest_start = r.planned + hours(5);
  r.objective = ebb::Objective::carbon;
  r.currency = "EUR";
  r.kwh = 2.0;
  r.carbon_planned = 100;
  r.carbon_asked = 300;
  r.price_planned = 50;
  r.price_asked = 80;
  r.moves = 2;
  r.version = "test";
  return r;
}

// The recording with `comment` as job `id`'s admin_comment.
std::string squeue_with_comment(const std::string& id, const std::string& comment) {
  auto j = nlohmann::json::parse(slurm_file("squeue_22.05.json"));
  for (auto& job : j["jobs"])
    if (std::to_string(job["job_id"].get<long>()) == id) job["admin_comment"] = comment;
  return j.dump();
}

ebb::why::Explanation explain(const std::string& squeue, const std::string& id, TimePoint now) {
  return ebb::why::explain(ebb::why::find_squeue_job(squeue, id, "squeue --json"), id, now);
}

std::string script(const TempDir& dir, const std::string& name, const std::string& body) {
  const std::string path = dir.file(name);
  ebb::test::write_text(path, "#!/bin/sh\n" + body + "\n");
  ::chmod(path.c_str(), 0755);
  return path;
}

}  // namespace

TEST_CASE("ebb why: held, changed by hand, released, not held, started, not found", "[views]") {
  const ebb::PlanRecord r = record_for_job5();
  const std::string squeue = squeue_with_comment("5", "site text " + ebb::encode_plan_record(r));
  const TimePoint now = epoch(1796224500);

  auto held = explain(squeue, "5", now);
  INFO(held.text);
  CHECK(held.status == ebb::why::Status::held);
  CHECK(held.text.starts_with("Job 5 is held by ebb until " + ebb::format_local_minute(r.planned)));
  CHECK(held.text.find("100 gCO2/kWh then, against 300 gCO2/kWh") != std::string::npos);
  CHECK(held.text.find("must finish by " + ebb::format_local_minute(*r.deadline)) !=
        std::string::npos);
  // 2 kWh x 200 g/kWh saved = 400 g (67 %); 2 kWh x 30 EUR/MWh = 0.06 EUR.
  CHECK(held.text.find("Waiting saves 400 gCO2 (67 %) and 0.060 EUR (est. 2.0 kWh)") !=
        std::string::npos);
  CHECK(held.text.find("re-planned it 2 times") != std::string::npos);
  const auto j = ebb::why::to_json(held, ebb::why::find_squeue_job(squeue, "5", "squeue"));
  CHECK(j["status"] == "held");
  CHECK(j["plan"]["saved_grams"].get<double>() == Approx(400));
  CHECK(j["job"]["eligible_time"] == ebb::format_utc(r.planned));

  ebb::PlanRecord moved = r;
  moved.planned = r.planned - hours(3);  // Slurm's begin time is no longer ebb's
  auto by_hand = explain(squeue_with_comment("5", ebb::encode_plan_record(moved)), "5", now);
  CHECK(by_hand.status == ebb::why::Status::changed_by_hand);
  CHECK(by_hand.text.find("changed by hand") != std::string::npos);

  CHECK(explain(squeue, "5", r.planned + 1min).status == ebb::why::Status::released);
  auto plain = explain(squeue, "8", now);  // pending with a begin time, but no ebb plan
  CHECK(plain.status == ebb::why::Status::not_held);
  CHECK(plain.text.starts_with("Job 8 is not held by ebb"));
  CHECK(explain(squeue, "9", now).status == ebb::why::Status::started);
  auto missing = explain(squeue, "99", now);
  CHECK(missing.status == ebb::why::Status::not_found);
  CHECK(missing.text.starts_with("Job 99 not found"));

  ebb::PlanRecord same = r;
  same.planned = same.asked;
  CHECK(explain(squeue_with_comment("5", ebb::encode_plan_record(same)), "5", now).status ==
        ebb::why::Status::not_deferred);
  CHECK_THROWS_WITH(explain(squeue_with_comment("5", "ebb1:a=x"), "5", now), Catch::Contains("a="));
  CHECK_THROWS_WITH(ebb::why::find_squeue_job("{\"jobs\":[{\"job_id\":\"x\"}]}", "5", "sq"),
                    Catch::Contains("sq: job #1: field 'job_id'"));
}

TEST_CASE("ebb why runs squeue, filters the job itself and exits by what it found", "[views]") {
  TempDir dir;
  const ebb::PlanRecord r = record_for_job5();
  ebb::test::write_text(dir.file("squeue.json"),
                        squeue_with_comment("5", ebb::encode_plan_record(r)));
  // Slurm 22.05 ignores -j with --json; the script prints every job whatever it is asked.
  const std::string squeue = script(dir, "squeue", "cat " + dir.file("squeue.json"));
  auto held = ebb::test::run(ebb::why_main, {"ebb why", "5", "--squeue", squeue}, dir);
  CHECK(held.status == 0);
  CHECK(held.out.starts_with("Job 5 is held by ebb until"));
  auto json = ebb::test::run(ebb::why_main, {"ebb why", "8", "--squeue", squeue, "--json"}, dir);
  CHECK(json.status == 4);
  CHECK(nlohmann::json::parse(json.out)["status"] == "not_held");
  CHECK(ebb::test::run(ebb::why_main, {"ebb why", "77", "--squeue", squeue}, dir).status == 3);
  const std::string down =
      script(dir, "down", "echo 'Unable to contact slurm controller' >&2; exit 1");
  CHECK(ebb::test::run(ebb::why_main, {"ebb why", "5", "--squeue", down}, dir).status == 1);
}

TEST_CASE("the cluster state's queue: load, default partition, held jobs soonest first",
          "[views]") {
  ebb::Config config;
  ebb::daemon::DaemonSettings settings;
  ebb::daemon::Metrics metrics;
  ebb::daemon::ClusterState state(config, settings, metrics);
  const TimePoint now = epoch(1796224500);
  simdjson::dom::parser parser;
  ebb::daemon::ClusterView view;
  view.taken_at = now;
  view.jobs = ebb::daemon::parse_squeue_json(slurm_file("squeue_22.05.json"), "squeue", parser);
  ebb::daemon::parse_scontrol_partitions(slurm_file("scontrol_partitions_22.05.txt"), "scontrol",
                                         view);
  state.install(view, now);
  ebb::QueueReply reply;
  reply.now = now;
  state.queue("", reply);
  REQUIRE(reply.partitions.size() == 2);
  const ebb::QueuePartition& debug = reply.partitions[0];
  CHECK(debug.name == "debug");
  CHECK(debug.is_default);
  CHECK(debug.cpus == 8);
  CHECK(debug.default_time == ebb::minutes(30));
  CHECK(debug.max_time == hours(2));
  REQUIRE(debug.deferred.size() == 2);
  CHECK(debug.deferred[0].id == "5");
  CHECK(debug.deferred[1].id == "8_[1-10%2]");  // a pending array's remaining tasks
  CHECK(debug.deferred[0].begin < debug.deferred[1].begin);
  REQUIRE_FALSE(debug.load.empty());
  CHECK(debug.load.front().first == now);
  CHECK(debug.load.front().second > 0);  // job 9 runs
  CHECK(reply.partitions[1].max_time == std::nullopt);

  // The wire form reads back as it was written.
  const ebb::QueueReply back = ebb::wire::decode_queue(ebb::wire::queue_to_json(reply).dump());
  REQUIRE(back.partitions.size() == 2);
  CHECK(back.partitions[0].deferred[1].begin == debug.deferred[1].begin);
  CHECK(back.partitions[0].load == debug.load);
  CHECK(back.partitions[0].default_time == ebb::minutes(30));
  const std::string text = ebb::queue_view::render(back, 48);
  INFO(text);
  CHECK(text.find("Partition debug (default): 8 CPUs, DefaultTime 30") != std::string::npos);
  CHECK(text.find("Held until a begin time ahead: 2 jobs") != std::string::npos);
  CHECK(text.find("Busy CPUs") != std::string::npos);
}

TEST_CASE("ebbd: /v1/queue hides other users' jobs; plans without --time get DefaultTime",
          "[views]") {
  TempDir dir;
  ::chmod(dir.path().c_str(), 0755);  // nobody must reach the socket
  const std::string shared = dir.file("shared");
  std::filesystem::create_directory(shared);
  REQUIRE(::chown(shared.c_str(), kNobody, kNobody) == 0);
  const TimePoint now = ebb::now_utc();
  ebb::test::write_text(dir.file("provider.csv"),
                        ebb::test::synthetic_forecast_csv(
                            std::chrono::floor<ebb::hours>(now) - hours(2), 30min, 120));
  ebb::test::write_text(dir.file("squeue.json"), slurm_file("squeue_22.05.json"));
  ebb::test::write_text(dir.file("partitions.txt"), slurm_file("scontrol_partitions_22.05.txt"));
  const std::string squeue = script(dir, "squeue", "cat " + dir.file("squeue.json"));
  const std::string scontrol = script(dir, "scontrol", "cat " + dir.file("partitions.txt"));
  ebb::test::write_text(
      dir.file("ebb.conf"),
      "CacheDir=" + dir.file("cache") +
          "\nRefreshInterval=0:02\nClusterRefresh=0:01\nSqueueCommand=" + squeue +
          "\nScontrolCommand=" + scontrol +
          "\nRegionName=GB CarbonSource=file CarbonFile=" + dir.file("provider.csv") + "\n");
  Daemon ebbd(dir.file("ebb.conf"), dir.path(), {}, "unix:" + dir.file("ebbd.sock"));
  ebb::http::Response r;
  REQUIRE(ebb::test::wait_until([&] {
    r = ebbd.get("/v1/queue");
    return r.status == 200 && r.body.find("\"debug\"") != std::string::npos &&
           r.body.find("\"slots\"") != std::string::npos;
  }));
  INFO(r.body);
  // Root on the socket sees every job (all of the recording's are root's).
  ebb::QueueReply all = ebb::wire::decode_queue(r.body);
  CHECK(all.all_users);
  CHECK(all.cluster_state == "ok");
  REQUIRE(all.forecast);
  CHECK(all.forecast->series.region == "gb");
  REQUIRE(all.partitions.size() == 2);
  CHECK(all.partitions[0].deferred.size() == 2);
  CHECK(ebb::wire::decode_queue(ebbd.get("/v1/queue?partition=other").body).partitions.size() == 1);
  CHECK(ebbd.get("/v1/queue?partition=nope").status == 404);

  // nobody sees counts only.
  const std::string out = shared + "/queue.json";
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int code = 1;
    if (::setgroups(0, nullptr) == 0 && ::setgid(kNobody) == 0 && ::setuid(kNobody) == 0) {
      try {
        auto a = ebb::http::request(ebbd.address(), "GET", "/v1/queue", "", 10s);
        std::ofstream(out) << a.body;
        code = 0;
      } catch (...) {
      }
    }
    ::_exit(code);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  const ebb::QueueReply theirs = ebb::wire::decode_queue(ebb::test::read_text(out));
  CHECK_FALSE(theirs.all_users);
  REQUIRE(theirs.partitions.size() == 2);
  CHECK(theirs.partitions[0].deferred.empty());
  CHECK(theirs.partitions[0].others_deferred == 2);
  CHECK(theirs.partitions[0].others_cpus ==
        all.partitions[0].deferred[0].cpus + all.partitions[0].deferred[1].cpus);
  CHECK(ebb::test::read_text(out).find("\"5\"") == std::string::npos);

  // No time limit and no partition: the default partition's DefaultTime, and the line says so.
  auto plan = ebbd.post("/v1/plan", R"({"max_delay":"12:00:00"})");
  INFO(plan.body);
  REQUIRE(plan.status == 200);
  const ebb::Decision d = ebb::wire::decode_decision(plan.body, nullptr);
  CHECK(d.limit_basis == "partition debug's DefaultTime " + ebb::format_duration(ebb::minutes(30)));
  CHECK(d.runtime == ebb::minutes(30));
  CHECK(ebb::decision_line(d, now, ebb::DecisionMode::explain)
            .find("(limit: partition debug's DefaultTime") != std::string::npos);
  // Partition other has neither DefaultTime nor MaxTime: refused, naming it.
  auto refused = ebbd.post("/v1/plan", R"({"max_delay":"12:00:00","partition":"other"})");
  CHECK(refused.status == 400);
  CHECK(refused.body.find("partition 'other'") != std::string::npos);
  // A job that gives its limit is planned with it, and the line adds nothing.
  auto given = ebb::wire::decode_decision(
      ebbd.post("/v1/plan", R"({"max_delay":"12:00:00","time_limit":"1:00:00"})").body, nullptr);
  CHECK(given.limit_basis.empty());
}
