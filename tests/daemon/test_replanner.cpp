// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd's re-planning of held jobs: the decisions it takes from a parsed
// squeue answer (a better window, a job changed by hand, the move limit, the deadline), and
// the updates it runs through a real command standing in for scontrol (a refusal is logged
// and counted once and not retried before ReplanInterval).
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "cluster_view.hpp"
#include "ebb/config.hpp"
#include "ebb/plan_record.hpp"
#include "replanner.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::daemon;
using namespace ebb::test;

namespace {

std::int64_t epoch(TimePoint t) { return t.time_since_epoch().count(); }

const TimePoint h0 = TimePoint{seconds{1796000400}};  // a whole hour
const TimePoint now = h0 + minutes(10);

// Hourly from h0: 400 gCO2/kWh, `clean` hours at 100.
SignalSeries forecast(const std::vector<int>& clean) {
  std::vector<Slot> slots;
  for (int i = 0; i < 30; ++i) {
    Slot s;
    s.start = h0 + hours(i);
    s.end = s.start + hours(1);
    s.carbon = std::find(clean.begin(), clean.end(), i) != clean.end() ? 100 : 400;
    slots.push_back(s);
  }
  return SignalSeries(slots);
}

PlanRecord record(TimePoint planned, std::uint32_t moves = 0, TimePoint latest = h0 + hours(23)) {
  PlanRecord r;
  r.asked = now - minutes(5);
  r.planned = planned;
  r.deadline = latest + minutes(10);
  r.latest_start = latest;
  r.objective = Objective::carbon;
  r.carbon_price = 100;
  r.kwh = 0.1;
  r.moves = moves;
  r.version = "0.1.0";
  return r;
}

// One pending ten-minute, one-CPU job as squeue --json shows it.
std::string job_json(int id, TimePoint eligible, const std::string& admin_comment) {
  return R"({"job_id":)" + std::to_string(id) +
         R"(,"job_state":"PENDING","user_name":"alice","partition":"debug","cpus":1,)" +
         R"("eligible_time":)" + std::to_string(epoch(eligible)) +
         R"(,"time_limit":10,"state_reason":"BeginTime","admin_comment":")" + admin_comment +
         R"("})";
}

ClusterView view_of(const std::vector<std::string>& jobs, double cpus = 8) {
  std::string json = R"({"jobs":[)";
  for (std::size_t i = 0; i < jobs.size(); ++i) json += (i ? "," : "") + jobs[i];
  json += "]}";
  simdjson::dom::parser parser;
  ClusterView view;
  view.taken_at = now;
  parse_scontrol_partitions(
      "PartitionName=debug Default=YES TotalCPUs=" + std::to_string(static_cast<int>(cpus)) +
          " DefaultTime=NONE MaxTime=UNLIMITED\n",
      "scontrol", view);
  view.jobs = parse_squeue_json(json, "squeue --json", parser);
  return view;
}

ReplanDecisions decide(const ClusterView& view, const SignalSeries& f, std::uint32_t max = 3) {
  ReplanRule rule;
  rule.max_moves = max;
  return decide_replans(view, {}, now, f, Config{}, rule);
}

}  // namespace

TEST_CASE("a held job moves to a better window; its record and the site's text follow",
          "[daemon][replan]") {
  const ClusterView view = view_of(
      {job_json(42, h0 + hours(3), "site-note " + encode_plan_record(record(h0 + hours(3))))});
  REQUIRE(view.jobs.at(0).admin_comment.starts_with("site-note ebb1:"));

  SECTION("the clean hour moved from 3 h to 5 h ahead") {
    const ReplanDecisions d = decide(view, forecast({5}));
    REQUIRE(d.moves.size() == 1);
    CHECK(d.skipped.empty());
    const ReplanMove& m = d.moves[0];
    CHECK(m.job_id == "42");
    CHECK(m.from == h0 + hours(3));
    CHECK(m.to == h0 + hours(5));
    CHECK(m.reason == "a better window opened");
    CHECK(m.carbon_from == Approx(400));
    CHECK(m.carbon_to == Approx(100));
    CHECK(m.admin_comment.starts_with("site-note ebb1:"));
    auto next = find_plan_record(m.admin_comment);
    REQUIRE(next);
    CHECK(next->planned == h0 + hours(5));
    CHECK(next->moves == 1);
    CHECK(next->asked == now - minutes(5));
    CHECK(next->latest_start == h0 + hours(23));
    CHECK(next->carbon_planned == Approx(100));
  }
  SECTION("the window is still the best: nothing to do") {
    const ReplanDecisions d = decide(view, forecast({3}));
    CHECK(d.moves.empty());
    CHECK(d.skipped.empty());
  }
}

TEST_CASE("re-planning leaves alone jobs changed by hand, moved enough, or not ebb's",
          "[daemon][replan]") {
  const ClusterView view = view_of({
      // begin time changed by hand from 3 h to 4 h
      job_json(1, h0 + hours(4), encode_plan_record(record(h0 + hours(3)))),
      // moved three times already
      job_json(2, h0 + hours(3), encode_plan_record(record(h0 + hours(3), 3))),
      // no record: a user's own --begin
      job_json(3, h0 + hours(3), "site-note"),
      // a record that is not ebb's to read
      job_json(4, h0 + hours(3), "ebb1:a=12,p=oops"),
  });
  const ReplanDecisions d = decide(view, forecast({5}));
  CHECK(d.moves.empty());
  std::map<std::string, std::string> why;
  for (const ReplanSkip& s : d.skipped) why[s.job_id] = s.reason;
  CHECK(why == std::map<std::string, std::string>{
                   {"1", "changed_by_hand"}, {"2", "max_moves"}, {"4", "bad_record"}});
  // A higher limit lets job 2 move once more.
  const ReplanDecisions more = decide(view, forecast({5}), 4);
  REQUIRE(more.moves.size() == 1);
  CHECK(more.moves[0].job_id == "2");
  CHECK(find_plan_record(more.moves[0].admin_comment)->moves == 4);
}

TEST_CASE("re-planning never moves a job past its latest start", "[daemon][replan]") {
  // The clean hour (5 h ahead) is beyond the latest start (4 h); the job stays at or
  // before it, wherever the rule moves it.
  const TimePoint latest = h0 + hours(4);
  const ClusterView view =
      view_of({job_json(7, h0 + hours(2), encode_plan_record(record(h0 + hours(2), 0, latest)))});
  for (const auto& clean : std::vector<std::vector<int>>{{5}, {1}, {3}, {6, 7}}) {
    const ReplanDecisions d = decide(view, forecast(clean));
    for (const ReplanMove& m : d.moves) {
      INFO("moved to " << format_utc(m.to));
      CHECK(m.to <= latest);
      CHECK(find_plan_record(m.admin_comment)->planned == m.to);
    }
  }
}

TEST_CASE("two held jobs do not both move into room for one", "[daemon][replan]") {
  // One CPU; both jobs planned at 3 h; the clean hour is now 5 h ahead and holds six
  // ten-minute jobs one after the other, so the second goes after the first.
  const ClusterView view =
      view_of({job_json(1, h0 + hours(3), encode_plan_record(record(h0 + hours(3)))),
               job_json(2, h0 + hours(3) + minutes(10),
                        encode_plan_record(record(h0 + hours(3) + minutes(10))))},
              1);
  Config config;
  config.defaults.capacity.headroom_percent = 0;
  const ReplanDecisions d = decide_replans(view, {}, now, forecast({5}), config, ReplanRule{});
  REQUIRE(d.moves.size() == 2);
  CHECK(d.moves[0].to != d.moves[1].to);
  for (const ReplanMove& m : d.moves) {
    CHECK(m.to >= h0 + hours(5));
    CHECK(m.to < h0 + hours(6));
  }
}

TEST_CASE("a refused update is logged and counted once, not retried before ReplanInterval",
          "[daemon][replan]") {
  TempDir dir;
  const std::string calls = dir.file("calls");
  const std::string refuse = dir.file("refuse");
  const std::string script = dir.file("scontrol");
  // Stands in for scontrol: records its arguments; refuses while `refuse` exists.
  write_text(script, "#!/bin/sh\necho \"$@\" >> " + calls + "\nif [ -e " + refuse +
                         " ]; then echo 'slurm_update error: Access/permission denied' >&2; "
                         "exit 1; fi\nexit 0\n");
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  write_text(refuse, "");

  Config config;
  DaemonSettings settings;
  settings.scontrol_command = script;
  settings.replan_interval = minutes(10);
  Metrics metrics;
  ClusterState cluster(config, settings, metrics);
  Replanner replanner(config, settings, cluster, metrics, [] { return std::nullopt; });
  const ClusterState::Snapshot snap{
      view_of({job_json(42, h0 + hours(3), encode_plan_record(record(h0 + hours(3))))}), {}};
  auto count = [&](const std::string& sample) { return metric(metrics.render({}), sample); };
  auto lines = [&] {
    std::ifstream in(calls);
    int n = 0;
    for (std::string l; std::getline(in, l);) ++n;
    return n;
  };

  replanner.round(snap, forecast({5}), now);
  CHECK(count("ebbd_replan_failures_total") == 1);
  CHECK(lines() == 1);
  // Later rounds within the interval (forecast refreshes) do not try again.
  replanner.round(snap, forecast({5}), now + minutes(1));
  replanner.round(snap, forecast({5}), now + minutes(9));
  CHECK(count("ebbd_replan_failures_total") == 1);
  CHECK(lines() == 1);
  CHECK(count("ebbd_replan_moves_total") == 0);

  // After the interval, scontrol accepts: one update with the new start and record.
  std::filesystem::remove(refuse);
  const TimePoint later = now + minutes(11);
  replanner.round(snap, forecast({5}), later);
  CHECK(count("ebbd_replan_moves_total") == 1);
  REQUIRE(lines() == 2);
  std::ifstream in(calls);
  std::string first, second;
  std::getline(in, first);
  std::getline(in, second);
  CHECK(second.starts_with("update JobId=42 StartTime=" + format_local_slurm(h0 + hours(5)) +
                           " AdminComment=ebb1:"));
  CHECK(second.find(",m=1,") != std::string::npos);
  // The view still shows the old begin time: the job rests until a later view.
  replanner.round(snap, forecast({5}), later + minutes(1));
  CHECK(lines() == 2);
}

TEST_CASE("re-planning keys in ebb.conf", "[daemon][replan]") {
  DaemonSettings s = daemon_settings(parse_config(
      "Replan=no\nReplanInterval=0:30\nReplanMaxMoves=5\nReplanMinGain=12\n", "ebb.conf"));
  CHECK_FALSE(s.replan);
  CHECK(s.replan_interval == seconds(30));
  CHECK(s.replan_max_moves == 5);
  CHECK(s.replan_min_gain_percent == 12);
  CHECK(daemon_settings(parse_config("", "x")).replan);
  // Without the cluster view there is nothing to re-plan.
  CHECK_FALSE(daemon_settings(parse_config("ClusterRefresh=0\n", "x")).replan);
  CHECK_THROWS_WITH(daemon_settings(parse_config("Replan=maybe\n", "ebb.conf")),
                    Catch::Contains("Replan: expected yes or no"));
  CHECK_THROWS_WITH(daemon_settings(parse_config("ReplanMaxMoves=-1\n", "ebb.conf")),
                    Catch::Contains("ReplanMaxMoves"));
}
