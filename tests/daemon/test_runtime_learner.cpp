// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd's runtime history (runtime_learner.hpp): reading sacct's parsable answer, learning
// each finished job once, keeping the model private and across restarts, and a real
// command standing in for sacct.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "ebb/error.hpp"
#include "power_history.hpp"
#include "runtime_learner.hpp"
#include "support.hpp"

using namespace ebb;
using namespace ebb::daemon;

namespace {

// JobIDRaw|User|JobName|Account|Partition|AllocCPUS|TimelimitRaw|ElapsedRaw|End, as sacct
// prints it with SLURM_TIME_FORMAT=%s; the jobs ended minutes ago.
std::string answer() {
  const std::string end = std::to_string(now_utc().time_since_epoch().count() - 300);
  return "101|ann|sim|physics|batch|4|240|3600|" + end + "\n" +
         "102|ann|sim|physics|batch|4|240|1800|" + end + "\n" + "103|bob|a|b|c|1|UNLIMITED|60|" +
         end + "\n" +                           // no limit: teaches nothing
         "104|bob|a|b|c|1|60|0|" + end + "\n";  // never ran
}

JobTraits sim(Duration limit) {
  JobTraits t;
  t.user = "ann";
  t.name = "sim";
  t.account = "physics";
  t.partition = "batch";
  t.cpus = 4;
  t.limit = limit;
  return t;
}

std::string script(const test::TempDir& dir, const std::string& name, const std::string& body) {
  const std::string path = dir.file(name);
  test::write_text(path, "#!/bin/sh\n" + body + "\n");
  ::chmod(path.c_str(), 0700);
  return path;
}

}  // namespace

TEST_CASE("sacct's parsable lines are read, names with '|' included", "[learner]") {
  auto j = parse_sacct_line("7|ann|a|b|physics|gpu,batch|8|90|1200|1796000000", "sacct line 1");
  REQUIRE(j);
  CHECK(j->name == "a|b");
  CHECK(j->account == "physics");
  CHECK(j->partition == "gpu");
  CHECK(j->resources.cores() == 8);
  CHECK(j->limit == minutes(90));
  CHECK(j->elapsed == minutes(20));
  CHECK(j->end == TimePoint{seconds{1796000000}});
  const JobTraits t = traits_of(*j);
  CHECK(t.name == "a|b");
  CHECK(t.partition == "gpu");
  CHECK(t.cpus == 8);
  CHECK(t.limit == minutes(90));
  CHECK_FALSE(parse_sacct_line("8|ann|x|a|p|1|Partition_Limit|60|1796000000", "l"));
  CHECK_THROWS_WITH(parse_sacct_line("1|2|3", "sacct line 4"),
                    Catch::Contains("sacct line 4") && Catch::Contains("9 fields"));
  CHECK_THROWS_WITH(parse_sacct_line("9|ann|x|a|p|1|60|60|2026-12-03T08:00:00", "l"),
                    Catch::Contains("End") && Catch::Contains("SLURM_TIME_FORMAT"));
  CHECK_THROWS_WITH(parse_sacct_line("9|ann|x|a|p|many|60|60|1", "l"),
                    Catch::Contains("AllocCPUS"));
}

TEST_CASE("each finished job is learned once, and the model stays private across restarts",
          "[learner]") {
  test::TempDir dir;
  LearnerSettings s;
  s.model_path = dir.file("runtime.model");
  s.sacct_command = script(dir, "sacct", "printf '" + answer() + "'");
  {
    RuntimeLearner learner(s);
    CHECK(learner.predict(sim(hours(4))).basis == RuntimePrediction::Basis::limit);
    CHECK(learner.refresh(now_utc()) == 2);
    // The next read overlaps the last one: the same jobs are not learned again.
    CHECK(learner.refresh(now_utc()) == 0);
    const auto p = learner.predict(sim(hours(4)));
    CHECK(p.basis == RuntimePrediction::Basis::similar);
    CHECK(p.history == 2);
    CHECK(p.expected == hours(1));  // the larger of the last two: 1 h and 30 min
  }
  struct stat st {};
  REQUIRE(::stat(s.model_path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);  // it names users and their jobs
  RuntimeLearner restarted(s);
  CHECK(restarted.predict(sim(hours(8))).expected == hours(2));  // a quarter of the limit
  // Its first read shows the same jobs again (they ended within the overlap): the time of
  // the last read and the jobs it saw were kept beside the model, so none is learned twice.
  CHECK(restarted.refresh(now_utc()) == 0);
  CHECK(restarted.predict(sim(hours(4))).history == 2);
  REQUIRE(::stat((s.model_path + ".read").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  // A damaged state file: a warning, and the first read learns the whole window again.
  test::write_text(s.model_path + ".read", "ebb-learner-read 1\nread soon\n");
  RuntimeLearner damaged(s);
  CHECK(damaged.refresh(now_utc()) == 2);
}

TEST_CASE("sacct failing, missing or unreadable is an error naming it; the model is kept",
          "[learner]") {
  test::TempDir dir;
  LearnerSettings s;
  s.model_path = dir.file("runtime.model");
  s.sacct_command = script(dir, "sacct-ok", "printf '" + answer() + "'");
  RuntimeLearner learner(s);
  REQUIRE(learner.refresh(now_utc()) == 2);

  LearnerSettings down = s;
  down.sacct_command =
      script(dir, "sacct-down", "echo 'sacct: error: Problem talking to the database' >&2; exit 1");
  RuntimeLearner failing(down);  // reads the model the first one saved
  CHECK_THROWS_WITH(failing.refresh(now_utc()),
                    Catch::Contains("sacct-down") && Catch::Contains("Problem talking"));
  CHECK(failing.predict(sim(hours(4))).expected == hours(1));

  LearnerSettings garbage = s;
  garbage.sacct_command = script(dir, "sacct-garbage", "echo 'this is not sacct'");
  RuntimeLearner confused(garbage);
  CHECK_THROWS_AS(confused.refresh(now_utc()), InputError);

  // A damaged model file: ebbd starts afresh (and says so) rather than not at all.
  test::write_text(s.model_path, "# ebb runtime model 1\nbroken line\n");
  RuntimeLearner fresh(s);
  CHECK(fresh.groups() == 0);
}

TEST_CASE("measured energy: steps summed into their job, no reading left out, bad lines named",
          "[learner][power]") {
  // JobIDRaw|Partition|NNodes|AllocTRES|ElapsedRaw|ConsumedEnergyRaw|End
  const auto jobs = parse_sacct_energy(
      "21|gpu|2|billing=8,cpu=8,gres/gpu=2,mem=16G,node=2|3600||1796000000\n"
      "21.batch|gpu|1|cpu=4,mem=8G,node=1|3600|1000000|1796000000\n"
      "21.0|gpu|2|cpu=8,gres/gpu=2,node=2|3500|2000000|1796000000\n"
      "22|batch|1|cpu=4,mem=4G,node=1|600||1796000000\n"
      "22.batch|batch|1|cpu=4,mem=4G,node=1|600|18446744073709551614|1796000000\n"
      "23|batch|1|cpu=4,node=1|0||1796000000\n",
      "sacct");
  REQUIRE(jobs.size() == 1);  // 22's meter gave NO_VAL64, 23 never ran
  CHECK(jobs[0].id == "21");
  CHECK(jobs[0].sample.partition == "gpu");
  CHECK(jobs[0].sample.cores == 8);
  CHECK(jobs[0].sample.gpus == 2);
  CHECK(jobs[0].sample.nodes == 2);
  CHECK(jobs[0].sample.seconds == 3600);
  CHECK(jobs[0].sample.joules == 3000000);
  CHECK(jobs[0].end == 1796000000);
  CHECK_THROWS_WITH(parse_sacct_energy("21|gpu|2|cpu=8|3600||1\n21.0|gpu|2|cpu=8|1|lots|1\n", "s"),
                    Catch::Contains("s line 2") && Catch::Contains("ConsumedEnergyRaw"));
  CHECK_THROWS_WITH(parse_sacct_energy("1|2|3\n", "s"),
                    Catch::Contains("s line 1") && Catch::Contains("7 fields"));
  CHECK_THROWS_WITH(parse_sacct_energy("21|gpu|2|cpu=x|3600||1\n", "s"),
                    Catch::Contains("AllocTRES"));
}

namespace {

// Five jobs of partition "batch" measured at 10 W a core and 100 W a node.
std::string energy_answer() {
  const std::string end = std::to_string(now_utc().time_since_epoch().count() - 300);
  std::string out;
  int id = 300;
  for (int cores : {2, 4, 8, 16, 32}) {
    const int nodes = cores >= 16 ? 2 : 1;
    const int joules = (10 * cores + 100 * nodes) * 1800;
    const std::string i = std::to_string(++id);
    out += i + "|batch|" + std::to_string(nodes) + "|cpu=" + std::to_string(cores) + "|1800||" +
           end + "\n" + i + ".batch|batch|1|cpu=1|1800|" + std::to_string(joules) + "|" + end +
           "\n";
  }
  return out;
}

}  // namespace

TEST_CASE(
    "ebbd fits each partition's power from measured jobs, once each; energy accounting "
    "failing leaves the runtimes learned",
    "[learner][power]") {
  test::TempDir dir;
  LearnerSettings s;
  // sacct with -X is the runtimes' query, without it the energy's.
  s.sacct_command = script(dir, "sacct",
                           "case \" $* \" in *' -X '*) printf '" + answer() + "' ;; *) printf '" +
                               energy_answer() + "' ;; esac");
  RuntimeLearner learner(s);
  CHECK_FALSE(learner.power_fit("batch"));
  CHECK(learner.refresh(now_utc()) == 2);
  CHECK(learner.power_error().empty());
  auto fit = learner.power_fit("batch");
  REQUIRE(fit);
  CHECK(fit->jobs == 5);
  CHECK(fit->watts_per_core == Approx(10));
  CHECK(fit->watts_per_node == Approx(100));
  CHECK_FALSE(learner.power_fit("gpu"));
  learner.refresh(now_utc());  // the same jobs again: not counted twice
  CHECK(learner.power_fit("batch")->jobs == 5);

  LearnerSettings half = s;
  half.sacct_command = script(dir, "sacct-half",
                              "case \" $* \" in *' -X '*) printf '" + answer() +
                                  "' ;; *) echo 'no energy here' >&2; exit 1 ;; esac");
  RuntimeLearner no_energy(half);
  CHECK(no_energy.refresh(now_utc()) == 2);
  CHECK_THAT(no_energy.power_error(), Catch::Contains("no energy here"));
  CHECK(no_energy.power_fits().empty());
}
