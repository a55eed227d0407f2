// SPDX-License-Identifier: GPL-2.0-or-later
// The runtime predictor: the most specific group with history decides, runtimes carry over
// between limits as shares, nothing is predicted above the limit, and no history means the
// limit.
#include <catch2/catch.hpp>

#include "ebb/runtime_predictor.hpp"

using namespace ebb;

namespace {

JobTraits job(std::string user, std::string name, Duration limit, std::uint32_t cpus = 4) {
  JobTraits t;
  t.user = std::move(user);
  t.name = std::move(name);
  t.account = "physics";
  t.partition = "batch";
  t.cpus = cpus;
  t.limit = limit;
  return t;
}

}  // namespace

TEST_CASE("without history the prediction is the time limit") {
  RuntimePredictor p;
  const auto r = p.predict(job("ann", "sim", hours(4)));
  CHECK(r.expected == hours(4));
  CHECK(r.basis == RuntimePrediction::Basis::limit);
  CHECK(describe(r) == "no history: the time limit");
}

TEST_CASE("the larger of the last two similar runtimes, as in Tsafrir et al.") {
  RuntimePredictor p;  // recent = 2
  const JobTraits sim = job("ann", "sim", hours(4));
  p.learn(sim, minutes(30));
  p.learn(sim, minutes(50));
  p.learn(sim, minutes(40));
  const auto r = p.predict(sim);
  CHECK(r.expected == minutes(50));  // last two: 50, 40
  CHECK(r.basis == RuntimePrediction::Basis::similar);
  CHECK(r.history == 3);
  CHECK(describe(r) == "3 similar jobs");
}

TEST_CASE("Tsafrir's mean of the last two, and an upper quantile of a longer history") {
  const JobTraits sim = job("ann", "sim", hours(10));
  PredictorSettings mean;
  mean.quantile = 0;
  RuntimePredictor tsafrir(mean);
  PredictorSettings q;
  q.recent = 8;
  q.quantile = 0.75;
  RuntimePredictor quantile(q);
  // Shares of the 10 h limit: 0.1 .. 0.8, in a shuffled order; the newest are 0.3 and 0.6.
  for (int m : {60, 480, 120, 420, 240, 300, 180, 360}) {
    tsafrir.learn(sim, minutes(m));
    quantile.learn(sim, minutes(m));
  }
  CHECK(tsafrir.predict(sim).expected == minutes(270));  // (180 + 360) / 2
  // Nearest rank: ceil(0.75 x 8) = 6th smallest of the eight, 360 min.
  CHECK(quantile.predict(sim).expected == minutes(360));
}

TEST_CASE("falls back from similar jobs to the user's, the account's and the partition's") {
  RuntimePredictor p;
  p.learn(job("ann", "sim", hours(4)), hours(1));  // a quarter of its limit
  // Same user and name, another size and limit: the share carries over.
  auto r = p.predict(job("ann", "sim", hours(8), 16));
  CHECK(r.basis == RuntimePrediction::Basis::user_and_name);
  CHECK(r.expected == hours(2));
  // Same user, another program.
  r = p.predict(job("ann", "post", hours(2)));
  CHECK(r.basis == RuntimePrediction::Basis::user);
  CHECK(r.expected == minutes(30));
  // Another user of the same account.
  r = p.predict(job("bob", "x", hours(4)));
  CHECK(r.basis == RuntimePrediction::Basis::account);
  CHECK(r.expected == hours(1));
  JobTraits stranger = job("cy", "x", hours(4));
  stranger.account = "chemistry";
  r = p.predict(stranger);
  CHECK(r.basis == RuntimePrediction::Basis::partition);
  stranger.partition = "gpu";
  CHECK(p.predict(stranger).basis == RuntimePrediction::Basis::limit);
}

TEST_CASE("jobs without a name are still grouped by user, size and limit") {
  RuntimePredictor p;
  p.learn(job("ann", "", hours(4), 8), hours(1));
  p.learn(job("ann", "", hours(1), 2), minutes(50));  // the user's latest, another kind
  auto r = p.predict(job("ann", "", hours(4), 8));
  CHECK(r.basis == RuntimePrediction::Basis::similar);
  CHECK(r.expected == hours(1));
  // Another size: only the user's history, whose larger share (50 of 60 min) decides.
  r = p.predict(job("ann", "", hours(4), 16));
  CHECK(r.basis == RuntimePrediction::Basis::user);
  CHECK(r.expected == minutes(200));
}

TEST_CASE("never above the limit, whatever the margin and history") {
  PredictorSettings s;
  s.margin = 3;
  RuntimePredictor p(s);
  const JobTraits sim = job("ann", "sim", hours(1));
  p.learn(sim, hours(5));  // ran past its limit (a trace quirk): counts as the whole limit
  CHECK(p.predict(sim).expected == hours(1));
  p.learn(sim, minutes(30));
  CHECK(p.predict(sim).expected == hours(1));  // 30 min x 3, capped
}

TEST_CASE("a group with too little history falls through to a wider one") {
  PredictorSettings s;
  s.min_history = 2;
  RuntimePredictor p(s);
  p.learn(job("ann", "a", hours(4)), hours(1));
  p.learn(job("ann", "b", hours(4)), hours(3));
  const auto r = p.predict(job("ann", "a", hours(4)));
  CHECK(r.basis == RuntimePrediction::Basis::user);  // "a" has one job, the user two
  CHECK(r.expected == hours(3));
}

TEST_CASE("the learned model survives a restart as text; a damaged one is refused by line") {
  RuntimePredictor p;
  JobTraits odd = job("ann\tx%", "sim\nrun", hours(4));
  p.learn(odd, hours(1));
  p.learn(job("bob", "post", hours(2)), minutes(30));
  const std::string text = p.to_text();
  const RuntimePredictor back = RuntimePredictor::parse(text, "runtime.model");
  CHECK(back.groups() == p.groups());
  CHECK(back.predict(odd).expected == hours(1));
  CHECK(back.predict(odd).basis == RuntimePrediction::Basis::similar);
  CHECK(back.to_text() == text);
  CHECK_THROWS_WITH(RuntimePredictor::parse("hello\n", "m"),
                    Catch::Contains("m line 1") && Catch::Contains("not an ebb runtime model"));
  std::string broken = text;
  broken.replace(broken.rfind('\t') + 1, 1, "7");  // a share of 7 x the limit
  CHECK_THROWS_WITH(RuntimePredictor::parse(broken, "m"), Catch::Contains("share of the limit"));
  CHECK_THROWS_WITH(RuntimePredictor::parse("", "m"), Catch::Contains("empty"));
}
