// SPDX-License-Identifier: GPL-2.0-or-later
// The plan record in AdminComment: what the plugin writes, ebbd, `ebb why` and the
// ledger read back, also when it shares the field with a site's own text.
#include <catch2/catch.hpp>
#include <cmath>

#include "ebb/error.hpp"
#include "ebb/plan_record.hpp"

using namespace ebb;

namespace {

const TimePoint T0 = TimePoint{std::chrono::seconds{1'794'999'600}};

PlanRecord sample() {
  PlanRecord r;
  r.asked = T0;
  r.planned = T0 + hours(5);
  r.deadline = T0 + hours(30);
  r.latest_start = T0 + hours(28);
  r.objective = Objective::carbon;
  r.carbon_price = 100;
  r.currency = "EUR";
  r.kwh = 3.125;
  r.carbon_planned = 142.5;
  r.carbon_asked = 289.25;
  r.price_planned = 51.2;
  r.price_asked = 88.7;
  r.moves = 2;
  r.version = "0.1.0";
  return r;
}

}  // namespace

TEST_CASE("a plan record survives encoding and stays short") {
  const PlanRecord r = sample();
  const std::string s = encode_plan_record(r);
  CHECK(s.rfind("ebb1:", 0) == 0);
  CHECK(s.find(' ') == std::string::npos);
  CHECK(s.size() <= kMaxPlanRecordBytes);
  auto back = find_plan_record(s);
  REQUIRE(back);
  CHECK(back->asked == r.asked);
  CHECK(back->planned == r.planned);
  CHECK(back->deadline == r.deadline);
  CHECK(back->latest_start == r.latest_start);
  CHECK(back->objective == Objective::carbon);
  CHECK(back->currency == "EUR");
  CHECK(back->kwh == Approx(3.125));
  CHECK(back->carbon_asked == Approx(289.25));
  CHECK(back->price_planned == Approx(51.2));
  CHECK(back->moves == 2);
  CHECK(back->version == "0.1.0");
  CHECK(back->deferred());
}

TEST_CASE("unknown prices and no deadline encode as such") {
  PlanRecord r = sample();
  r.deadline.reset();
  r.price_planned = r.price_asked = kNoPrice;
  r.currency.clear();
  auto back = find_plan_record(encode_plan_record(r));
  REQUIRE(back);
  CHECK_FALSE(back->deadline);
  CHECK(std::isnan(back->price_planned));
  CHECK(back->currency.empty());
}

TEST_CASE("huge numbers are rounded to fit, never cut") {
  PlanRecord r = sample();
  r.kwh = 123456789.123456;
  r.carbon_price = 1e300;
  r.currency = "ABCDEFGH";
  r.version = "0.1.0-very-long-version-name";
  const std::string s = encode_plan_record(r);
  CHECK(s.size() <= kMaxPlanRecordBytes);
  REQUIRE(find_plan_record(s));
}

TEST_CASE("the record is found among a site's own AdminComment text and replaced in place") {
  const PlanRecord r = sample();
  const std::string site = "project=abc " + encode_plan_record(r) + " billing=42";
  auto found = find_plan_record(site);
  REQUIRE(found);
  CHECK(found->planned == r.planned);

  PlanRecord moved = r;
  moved.planned = T0 + hours(7);
  moved.moves = 3;
  const std::string updated = with_plan_record(site, moved);
  CHECK(updated.rfind("project=abc ebb1:", 0) == 0);
  CHECK(updated.size() >= 11);
  CHECK(updated.substr(updated.size() - 11) == " billing=42");
  CHECK(find_plan_record(updated)->moves == 3);
  CHECK(with_plan_record("", r) == encode_plan_record(r));
  CHECK(with_plan_record("JS1:abc", r) == "JS1:abc " + encode_plan_record(r));
  CHECK_THROWS_AS(with_plan_record(std::string(1020, 'x'), r), InputError);
}

TEST_CASE("text without a record has none; a broken one names the key") {
  CHECK_FALSE(find_plan_record(""));
  CHECK_FALSE(find_plan_record("JS1:xyz"));
  CHECK_FALSE(find_plan_record("notebb1:a=1"));
  CHECK_FALSE(find_plan_record("ebb2:a=1,p=1,l=1,o=carbon"));
  CHECK_THROWS_WITH(find_plan_record("ebb1:a=12x,p=1,l=1,o=carbon"),
                    Catch::Contains("a=12x") && Catch::Contains("whole number"));
  CHECK_THROWS_WITH(find_plan_record("ebb1:a=1,p=2,l=3"), Catch::Contains("missing"));
  CHECK_THROWS_WITH(find_plan_record("ebb1:a=5,p=2,l=3,o=carbon"), Catch::Contains("before a="));
  CHECK_THROWS_WITH(find_plan_record("ebb1:a=1,p=2,l=3,o=green"), Catch::Contains("o=green"));
  CHECK_THROWS_WITH(find_plan_record("ebb1:a=1,p=2,l=3,o=carbon,cur=E$R"),
                    Catch::Contains("currency"));
  // A later minor version's extra key is ignored.
  auto later = find_plan_record("ebb1:a=1,p=2,l=3,o=cost,zz=9");
  REQUIRE(later);
  CHECK(later->objective == Objective::cost);
}
