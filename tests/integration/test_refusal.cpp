// SPDX-License-Identifier: GPL-2.0-or-later
// Bad input refuses the submission: a clear "ebb: error:" line, a non-zero exit, and
// no job.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace ebb;
using namespace ebb::test;

TEST_CASE("bad carbon flags refuse the submission", "[slurm]") {
  Cluster& c = cluster();
  const TimePoint h = this_hour();  // once: the tests must not straddle an hour
  std::vector<double> carbon(36, 300);
  carbon[8] = 100;
  write_forecast(c, hourly(h - hours(2), carbon));
  c.write_ebb_conf(ebb_conf_text(c));

  const std::string yesterday = to_slurm_local(now_utc() - hours(24));
  const TimePoint begin = h + hours(5);
  struct Case {
    const char* name;
    std::vector<std::string> args;
    const char* message_part;
  };
  const std::vector<Case> cases = {
      {"unparsable deadline", {"--carbon-deadline=someday"}, "--carbon-deadline"},
      {"deadline in the past", {"--carbon-deadline=" + yesterday}, "in the past"},
      {"deadline before now + time limit",
       {"--carbon-deadline=now+30minutes"},
       "plus the time limit"},
      {"deadline before --begin + time limit",
       {"--begin=" + to_slurm_local(begin),
        "--carbon-deadline=" + to_slurm_local(begin + minutes(30))},
       "plus the time limit"},
      {"unparsable max delay", {"--carbon-max-delay=a while"}, "--carbon-max-delay"},
      {"unknown objective",
       {"--carbon-deadline=now+12hours", "--carbon-objective=greenest"},
       "greenest"},
      {"off with a deadline", {"--carbon-off", "--carbon-deadline=now+12hours"}, "--carbon-off"},
      {"explain with off", {"--carbon-explain", "--carbon-off"}, "--carbon-off"},
  };
  for (const Case& k : cases) {
    SECTION(k.name) {
      const auto before = c.job_ids().size();
      std::vector<std::string> args{"--time=1:00:00"};
      args.insert(args.end(), k.args.begin(), k.args.end());
      args.insert(args.end(), {"--wrap", "true"});
      auto s = sbatch(c, args);
      INFO(s.result.err);
      CHECK(s.result.exit_code != 0);
      CHECK(s.job_id.empty());
      CHECK(s.result.out == "");
      CHECK(c.job_ids().size() == before);
      REQUIRE(s.ebb_lines.size() == 1);
      CHECK(s.ebb_lines[0].rfind("ebb: error: ", 0) == 0);
      CHECK(s.ebb_lines[0].find(k.message_part) != std::string::npos);
    }
  }
}
