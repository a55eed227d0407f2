// SPDX-License-Identifier: GPL-2.0-or-later
// The JSON between ebbd and its clients: what one side writes the other reads back
// exactly, and bad requests fail with the field's name.
#include <catch2/catch.hpp>
#include <cmath>

#include "ebb/error.hpp"
#include "history.hpp"
#include "protocol.hpp"
#include "support.hpp"

using ebb::InputError;
using ebb::parse_iso8601;

TEST_CASE("a plan query survives encoding and decoding", "[protocol]") {
  ebb::PlanQuery q;
  q.region = "gb";
  q.now = parse_iso8601("2026-11-27T10:00:00Z");
  q.earliest_start = parse_iso8601("2026-11-27T11:00:00Z");
  q.deadline = parse_iso8601("2026-11-28T06:00:00Z");
  q.max_delay = ebb::hours(9);
  q.expected_runtime = ebb::minutes(70);
  q.objective = ebb::Objective::carbon;
  q.job.time_limit = ebb::hours(2);
  q.job.nodes = 2;
  q.job.tasks = 8;
  q.job.cpus_per_task = 4;
  q.job.gpus = 3;
  q.job.memory_gb = 12.5;
  q.job.partition = "gpu";
  ebb::PlanQuery back = ebb::wire::decode_plan_query(ebb::wire::encode_plan_query(q));
  CHECK(back.region == "gb");
  CHECK(back.now == q.now);
  CHECK(back.earliest_start == q.earliest_start);
  CHECK(back.deadline == q.deadline);
  CHECK(back.max_delay == q.max_delay);
  CHECK(back.expected_runtime == q.expected_runtime);
  CHECK(back.objective == q.objective);
  CHECK(back.job.time_limit == q.job.time_limit);
  CHECK(back.job.nodes == 2);
  CHECK(back.job.tasks == 8);
  CHECK(back.job.cpus_per_task == 4);
  CHECK(back.job.gpus == 3);
  CHECK(back.job.memory_gb == 12.5);
  CHECK(back.job.partition == "gpu");
}

TEST_CASE("plan queries accept Slurm durations and epoch seconds", "[protocol]") {
  auto q = ebb::wire::decode_plan_query(
      R"({"time_limit":"1-00:00:00","deadline":1795000000,"max_delay":"90"})");
  CHECK(q.job.time_limit == ebb::hours(24));
  CHECK(q.deadline->time_since_epoch().count() == 1795000000);
  CHECK(q.max_delay == ebb::minutes(90));
}

TEST_CASE("bad plan queries name the field", "[protocol]") {
  auto message = [](const char* json) {
    try {
      ebb::wire::decode_plan_query(json);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("{").find("not valid JSON") != std::string::npos);
  CHECK(message("[1]").find("expected a JSON object") != std::string::npos);
  // Without a time limit the query is whole; ebbd fills it in from the partition or refuses.
  CHECK_FALSE(ebb::wire::decode_plan_query(R"({"deadline":"2026-11-28T06:00Z"})").time_limit_given);
  CHECK(ebb::wire::decode_plan_query(R"({"time_limit":60})").time_limit_given);
  CHECK(message(R"({"time_limit":60,"colour":"red"})").find("unknown field 'colour'") !=
        std::string::npos);
  CHECK(message(R"({"time_limit":60,"gpus":-1})").find("gpus") != std::string::npos);
  CHECK(message(R"({"time_limit":60,"deadline":"tomorrow-ish"})").find("deadline") !=
        std::string::npos);
  CHECK(message(R"({"time_limit":60,"objective":"fastest"})").find("fastest") != std::string::npos);
  CHECK(message(R"({"time_limit":0})").find("time_limit") != std::string::npos);
}

TEST_CASE("error answers carry their kind in the status and their text in JSON", "[protocol]") {
  using ebb::ErrorKind;
  for (ErrorKind kind : {ErrorKind::input, ErrorKind::not_found, ErrorKind::unavailable}) {
    CHECK(ebb::wire::error_kind_of_status(ebb::wire::http_status(kind)) == kind);
  }
  CHECK(ebb::wire::http_status(ErrorKind::not_found) == 404);
  CHECK(ebb::wire::http_status(ErrorKind::failed) == 500);
  CHECK(ebb::wire::error_kind_of_status(500) == ErrorKind::failed);
  CHECK(ebb::wire::error_kind_of_status(401) == ErrorKind::failed);
  // Parsed, not scraped: quotes and escapes in the message come back as they were.
  const std::string message = R"(unknown region 'a "b" \c')";
  CHECK(ebb::wire::decode_error(ebb::wire::encode_error(message)) == message);
  CHECK(ebb::wire::decode_error(R"({"stale":true,"error":"x"})") == "x");
  // Anything else is shown as it came (a web server's page at a wrong DaemonUrl).
  CHECK(ebb::wire::decode_error("<html>Not Found</html>") == "<html>Not Found</html>");
  CHECK(ebb::wire::decode_error(R"({"error":5})") == R"({"error":5})");
  // The kinds of the library's own exceptions.
  CHECK(InputError("x").kind() == ErrorKind::input);
  CHECK(ebb::NotFoundError("x").kind() == ErrorKind::not_found);
  CHECK_THROWS_AS(throw ebb::NotFoundError("x"), InputError);
}

TEST_CASE("a decision survives JSON exactly, unknown prices included", "[protocol]") {
  ebb::Decision d;
  d.defer = true;
  d.start = parse_iso8601("2026-11-28T03:00:00Z");
  d.latest_start = parse_iso8601("2026-11-28T04:00:00Z");
  d.energy_kwh = 0.1 + 0.2;  // not representable in short decimal
  d.objective = ebb::Objective::cost;
  d.currency = "GBP";
  d.reason = "cheapest \"window\"";
  d.chosen.start = d.start;
  d.chosen.mean_carbon = 101.3333333333;
  d.chosen.grams_co2 = 1.0 / 3.0;
  d.chosen.mean_price = 61.5;
  d.chosen.cost = 0.0123;
  d.chosen.objective = 42.42;
  d.chosen.covered = 0.75;
  d.baseline.start = parse_iso8601("2026-11-27T10:00:00Z");
  d.baseline.mean_carbon = 250;
  d.baseline.grams_co2 = 2.0 / 3.0;
  // baseline prices unknown: NaN goes out as null and comes back as NaN
  auto back = ebb::wire::decode_decision(ebb::wire::decision_to_json(d).dump());
  CHECK(back.defer);
  CHECK(back.start == d.start);
  CHECK(back.latest_start == d.latest_start);
  CHECK(back.energy_kwh == d.energy_kwh);
  CHECK(back.objective == ebb::Objective::cost);
  CHECK(back.currency == "GBP");
  CHECK(back.reason == d.reason);
  CHECK(back.chosen.mean_carbon == d.chosen.mean_carbon);
  CHECK(back.chosen.grams_co2 == d.chosen.grams_co2);
  CHECK(back.chosen.cost == d.chosen.cost);
  CHECK(back.chosen.covered == d.chosen.covered);
  CHECK(back.baseline.start == d.baseline.start);
  CHECK(std::isnan(back.baseline.cost));
  CHECK(std::isnan(back.baseline.mean_price));
  CHECK_THROWS_AS(ebb::wire::decode_decision(R"({"defer":true})"), InputError);
}

TEST_CASE("mangled wire input decodes or raises InputError, nothing else", "[protocol]") {
  // The corpus of the fuzz target, cut short at every length and with bytes flipped.
  std::vector<std::string> seeds;
  for (const char* name :
       {"plan_request.json", "plan_answer.json", "forecast_answer.json", "history.txt"}) {
    seeds.push_back(ebb::test::read_text(std::string(EBB_DAEMON_CORPUS_DIR "/") + name));
  }
  std::size_t inputs = 0;
  auto try_all = [&](const std::string& text) {
    ++inputs;
    try {
      ebb::wire::decode_plan_query(text);
    } catch (const InputError&) {
    }
    try {
      ebb::wire::decode_decision(text);
    } catch (const InputError&) {
    }
    try {
      ebb::wire::decode_forecast(text);
    } catch (const InputError&) {
    }
    try {
      ebb::daemon::History::parse(text, "t");
    } catch (const InputError&) {
    }
  };
  for (const auto& seed : seeds) {
    for (std::size_t n = 0; n <= seed.size(); ++n) try_all(seed.substr(0, n));
    for (std::size_t i = 0; i < seed.size(); i += 3) {
      for (char c : {'"', '{', ']', '-', '9', '\0', 'e', ':'}) {
        std::string m = seed;
        m[i] = c;
        try_all(m);
      }
    }
  }
  CHECK(inputs > 5000);
}

TEST_CASE("objectives in any case, and a plan answer's stale and fetched_at", "[protocol]") {
  auto q = ebb::wire::decode_plan_query(R"({"time_limit":3600,"objective":"CARBON"})");
  REQUIRE(q.objective);
  CHECK(*q.objective == ebb::Objective::carbon);

  ebb::Decision d;
  d.start = parse_iso8601("2026-11-27T13:00:00Z");
  auto j = ebb::wire::decision_to_json(d);
  j["stale"] = true;
  j["fetched_at"] = "2026-11-27T09:00:00Z";
  ebb::PlanSource source;
  ebb::wire::decode_decision(j.dump(), &source);
  CHECK(source.stale);
  CHECK(source.fetched_at == parse_iso8601("2026-11-27T09:00:00Z"));
  j["fetched_at"] = nullptr;
  ebb::wire::decode_decision(j.dump(), &source);
  CHECK_FALSE(source.fetched_at);
}

TEST_CASE("plan queries with times or durations out of range are refused, naming the field",
          "[protocol]") {
  auto message = [](const std::string& json) {
    try {
      ebb::wire::decode_plan_query(json);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string limit = R"({"time_limit":3600,)";
  // Epoch seconds at the ends of int64 used to reach the planner and overflow there.
  CHECK(message(limit + R"("deadline":-9223372036854775808})") ==
        "field 'deadline': time out of range (1970 to 2199)");
  CHECK(message(limit + R"("now":9223372036854775807})").find("field 'now'") != std::string::npos);
  CHECK(message(limit + R"("earliest_start":-1})").find("field 'earliest_start'") !=
        std::string::npos);
  CHECK(message(limit + R"("begin":"2200-01-01T00:00:00Z"})").find("field 'begin'") !=
        std::string::npos);
  CHECK(message(limit + R"("deadline":"1969-12-31T23:59:59Z"})").find("deadline") !=
        std::string::npos);
  // Durations: 0 to 366 days.
  CHECK(message(limit + R"("max_delay":9223372036854775807})") ==
        "field 'max_delay': longer than a year (366 days)");
  CHECK(message(limit + R"("max_delay":"367-00:00:00"})").find("max_delay") != std::string::npos);
  CHECK(message(limit + R"("expected_runtime":31622401})").find("expected_runtime") !=
        std::string::npos);
  CHECK(message(R"({"time_limit":"999999999-00:00:00"})").find("time_limit") != std::string::npos);
  CHECK(message(limit + R"("max_delay":-1})").find("max_delay") != std::string::npos);
  // The edges themselves are fine.
  auto q =
      ebb::wire::decode_plan_query(R"({"time_limit":"366-00:00:00","max_delay":31622400,"now":0,)"
                                   R"("deadline":"2199-12-31T23:59:59Z"})");
  CHECK(q.job.time_limit == ebb::hours(366 * 24));
  CHECK(q.now->time_since_epoch().count() == 0);
  CHECK(q.deadline->time_since_epoch().count() == 7258118399);
}
