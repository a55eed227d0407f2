// SPDX-License-Identifier: GPL-2.0-or-later
// The savings ledger's computation (forecaster/ledger/) on a real `sacct --json` answer
// captured from the test cluster (tests/data/sacct/), with actuals made up around it.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "ebb/error.hpp"
#include "ledger.hpp"
#include "report.hpp"

#ifndef EBB_SACCT_FIXTURE
#error "EBB_SACCT_FIXTURE must name tests/data/sacct/jobs.json"
#endif

using namespace ebb;
using namespace ebb::ledger;

namespace {

std::string fixture() {
  std::ifstream in(EBB_SACCT_FIXTURE);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// Actuals from a map of hour start (epoch seconds) to carbon and price.
Actuals actuals_of(const std::map<std::int64_t, GridHour>& hours) {
  return [hours](TimePoint t) -> std::optional<GridHour> {
    const std::int64_t s = t.time_since_epoch().count();
    auto it = hours.find(s - s % 3600);
    if (it == hours.end()) return std::nullopt;
    return it->second;
  };
}

// Every hour from a day before the first submit to a day after: carbon 100 + hour index.
std::map<std::int64_t, GridHour> hours_around(const std::vector<AccountedJob>& jobs) {
  std::int64_t first = jobs.front().submit.time_since_epoch().count();
  for (const auto& j : jobs) first = std::min(first, j.submit.time_since_epoch().count());
  first -= first % 3600;
  std::map<std::int64_t, GridHour> hours;
  for (int i = -24; i < 24; ++i) hours[first + i * 3600] = {100.0 + i, 50.0 + i};
  return hours;
}

std::vector<LedgerEntry> entries_of(const std::vector<AccountedJob>& jobs, const Actuals& a) {
  Config config;
  std::vector<LedgerEntry> out;
  for (const auto& j : jobs) out.push_back(ledger_entry(j, config, a, j.submit + hours(1)));
  return out;
}

}  // namespace

TEST_CASE("sacct's JSON: the fixture's jobs and their fields", "[ledger]") {
  const auto jobs = parse_sacct_json(fixture(), "fixture");
  std::map<std::string, const AccountedJob*> by_name;
  for (const auto& j : jobs) by_name[j.name] = &j;
  for (const char* name :
       {"deferred", "unplanned", "foreign", "corrupt", "never-started", "array", "het"}) {
    INFO(name);
    CHECK(by_name.count(name) == 1);
  }
  const AccountedJob& d = *by_name.at("deferred");
  CHECK(d.user == "root");
  CHECK(d.account == "root");  // root's default account in a fresh slurmdbd
  CHECK(d.partition == "debug");
  CHECK(d.state == "COMPLETED");
  REQUIRE(d.start);
  REQUIRE(d.end);
  CHECK(*d.start > d.submit);
  CHECK(d.admin_comment.rfind("ebb1:", 0) == 0);
  CHECK(d.resources.cores() >= 1);
  CHECK_FALSE(d.consumed_joules);  // the test cluster measures no energy
  CHECK_FALSE(by_name.at("never-started")->start);
  CHECK(by_name.at("foreign")->admin_comment == "billing code 42");
  std::size_t array_tasks = 0, het_parts = 0;
  for (const auto& j : jobs) {
    array_tasks += j.id.find('_') != std::string::npos;
    het_parts += j.id.find('+') != std::string::npos;
  }
  CHECK(array_tasks == 2);
  CHECK(het_parts == 2);
}

TEST_CASE("sacct's JSON: what is not sacct's answer is refused, naming the source", "[ledger]") {
  CHECK_THROWS_WITH(parse_sacct_json("{\"jobs\": [", "x.json"),
                    Catch::Contains("x.json: not valid JSON"));
  CHECK_THROWS_WITH(parse_sacct_json("{\"meta\": {}}", "x.json"),
                    Catch::Contains("x.json: no \"jobs\" list"));
  CHECK_THROWS_WITH(parse_sacct_json("{\"jobs\": [{\"name\": \"a\"}]}", "x.json"),
                    Catch::Contains("x.json: job 1 has no job_id"));
}

TEST_CASE("ledger entries: corrupt and foreign comments, never started, deferred", "[ledger]") {
  const auto jobs = parse_sacct_json(fixture(), "fixture");
  const auto entries = entries_of(jobs, actuals_of(hours_around(jobs)));
  std::map<std::string, const LedgerEntry*> by_name;
  for (const auto& e : entries) by_name[e.job.name] = &e;
  CHECK(by_name.at("corrupt")->status == JobStatus::bad_record);
  CHECK(by_name.at("corrupt")->problem.find("plan record") != std::string::npos);
  CHECK(by_name.at("foreign")->status == JobStatus::not_planned);
  CHECK(by_name.at("unplanned")->status == JobStatus::not_planned);
  CHECK(by_name.at("never-started")->status == JobStatus::never_started);
  const LedgerEntry& d = *by_name.at("deferred");
  REQUIRE(d.status == JobStatus::counted);
  CHECK(d.deferred());
  CHECK(d.energy_estimated);
  CHECK(d.carbon_known());
  CHECK(d.added_wait == *d.job.start - d.plan->asked);
  // The power model over the real elapsed time (defaults: 12 W/core, 0.3725 W/GB, PUE 1.5).
  const double elapsed_h = static_cast<double>((*d.job.end - *d.job.start).count()) / 3600;
  const double watts = (d.job.resources.cores() * 12.0 + d.job.resources.memory_gb * 0.3725) * 1.5;
  CHECK(d.kwh == Approx(watts * elapsed_h / 1000));

  const Report r = build_report(entries, GroupBy::job, TimePoint{}, TimePoint{} + hours(1), "EUR");
  CHECK(r.bad_records == 1);
  CHECK(r.not_planned == 4);  // unplanned, foreign, the hetjob's two parts
  CHECK(r.total.never_started == 1);
  REQUIRE(r.bad_record_jobs.size() == 1);
  CHECK(r.bad_record_jobs[0].rfind(by_name.at("corrupt")->job.id + ": ", 0) == 0);
}

TEST_CASE("grid cost: energy spread evenly, hour by hour", "[ledger]") {
  const TimePoint h{seconds{1764547200}};  // 2025-12-01T00:00Z
  const auto a = actuals_of({{h.time_since_epoch().count(), {100, 40}},
                             {(h + hours(1)).time_since_epoch().count(), {300, kNoPrice}}});
  // 3 kWh over 30 min: 1 kWh in the first hour's last 10 min, 2 kWh in the next 20 min.
  GridCost c = grid_cost(a, h + minutes(50), h + minutes(80), 3.0);
  CHECK(c.kgco2 == Approx((1 * 100 + 2 * 300) / 1000.0));
  CHECK(c.carbon_complete);
  CHECK_FALSE(c.price_complete);  // the second hour has no price
  c = grid_cost(a, h + minutes(100), h + minutes(130), 1.0);
  CHECK_FALSE(c.carbon_complete);  // its last 10 minutes have no actuals
}

TEST_CASE("a period without actuals is marked, not counted as zero", "[ledger]") {
  const auto jobs = parse_sacct_json(fixture(), "fixture");
  auto hours = hours_around(jobs);
  const auto all = entries_of(jobs, actuals_of(hours));
  // Remove the hours of the deferred job's run.
  const AccountedJob* d = nullptr;
  for (const auto& j : jobs)
    if (j.name == "deferred") d = &j;
  REQUIRE(d);
  const std::int64_t s = d->start->time_since_epoch().count();
  hours.erase(s - s % 3600);
  const auto holes = entries_of(jobs, actuals_of(hours));
  const Report full = build_report(all, GroupBy::account, TimePoint{}, TimePoint{}, "EUR");
  const Report part = build_report(holes, GroupBy::account, TimePoint{}, TimePoint{}, "EUR");
  CHECK(full.total.no_grid_data == 0);
  CHECK(part.total.no_grid_data >= 1);
  CHECK(part.total.kwh == Approx(full.total.kwh));  // energy still counted
  CHECK(part.total.kgco2 < full.total.kgco2);       // the job's carbon is left out...
  for (const auto& e : holes)
    if (e.job.name == "deferred") CHECK_FALSE(e.carbon_known());  // ...and marked
}

TEST_CASE("report: the rows add up to the total in every grouping", "[ledger]") {
  const auto jobs = parse_sacct_json(fixture(), "fixture");
  const auto entries = entries_of(jobs, actuals_of(hours_around(jobs)));
  for (GroupBy by :
       {GroupBy::account, GroupBy::user, GroupBy::partition, GroupBy::month, GroupBy::job}) {
    INFO(to_string(by));
    const Report r = build_report(entries, by, TimePoint{}, TimePoint{}, "EUR");
    Totals sum;
    for (const auto& g : r.groups) sum.add(g.totals);
    CHECK(sum.jobs == r.total.jobs);
    CHECK(sum.kgco2 == Approx(r.total.kgco2));
    CHECK(sum.cost_as_submitted == Approx(r.total.cost_as_submitted));
    CHECK(r.total.jobs == 4);  // deferred, never-started, 2 array tasks
    const std::string csv = format_csv(r);
    CHECK(csv.rfind(std::string(to_string(by)) + ",jobs,deferred,kwh,", 0) == 0);
    CHECK(csv.find("\ntotal,4,") != std::string::npos);
  }
  CHECK_THROWS_AS(parse_group_by("project"), InputError);
}

TEST_CASE("sacct's JSON: many jobs, in order, from a file; errors after many jobs stop it",
          "[ledger]") {
  // The fixture's jobs 400 times over (3,600 jobs: several of the reader's batches).
  const std::string text = fixture();
  const std::size_t open = text.find('[', text.find("\"jobs\""));
  const std::size_t close = text.rfind(']');
  const std::string one = text.substr(open + 1, close - open - 1);
  std::string many = text.substr(0, open + 1);
  for (int i = 0; i < 400; ++i) many += (i ? "," : "") + one;
  many += text.substr(close);
  const std::size_t per_copy = parse_sacct_json(text, "fixture").size();

  const std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                           "/ebb-ledger-many-" + std::to_string(::getpid()) + ".json";
  std::ofstream(path) << many;
  std::vector<std::string> names;
  std::size_t last_progress = 0;
  for_each_sacct_job_in_file(
      path, [&](AccountedJob&& j) { names.push_back(j.name); },
      [&](std::size_t done) { last_progress = done; });
  CHECK(names.size() == 400 * per_copy);
  CHECK(last_progress == many.size());
  CHECK(names[0] == "deferred");
  CHECK(names[per_copy] == "deferred");  // in the order of the text

  // A throw from the caller's function ends the read (the cutter thread is joined).
  std::size_t seen = 0;
  CHECK_THROWS_WITH(for_each_sacct_job(many, "many",
                                       [&](AccountedJob&&) {
                                         if (++seen == 2000) throw InputError("enough");
                                       }),
                    "enough");
  CHECK(seen == 2000);
  // Cut short after thousands of jobs: an error naming the source, not a partial answer.
  CHECK_THROWS_WITH(parse_sacct_json(many.substr(0, many.size() * 3 / 4), "cut.json"),
                    Catch::Contains("cut.json: not valid JSON"));
  std::remove(path.c_str());
}
