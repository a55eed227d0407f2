// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/plan_check.hpp"

#include <cmath>
#include <cstdint>
#include <string>

#include "ebb/error.hpp"
#include "ebb/signal.hpp"

namespace ebb {

namespace {

// The same bound SignalSeries puts on a forecast's intensities.
constexpr double kMaxCarbon = 5000.0;

[[noreturn]] void bad(const std::string& what) { throw InputError("plan: " + what); }

// A time for a message; absurd ones (an epoch of 1e15) as plain seconds, which the
// calendar formatting may not handle.
std::string when(TimePoint t) {
  constexpr auto kCenturies = Duration{std::int64_t{400} * 366 * 24 * 3600};
  if (t.time_since_epoch() > kCenturies || t.time_since_epoch() < -kCenturies)
    return "epoch " + std::to_string(t.time_since_epoch().count()) + " s";
  return format_utc(t);
}

void check_amount(double value, const std::string& field, bool may_be_unknown) {
  if (may_be_unknown && std::isnan(value)) return;
  if (!std::isfinite(value)) bad(field + " is not a finite number");
  if (value < 0) bad(field + " is negative");
}

void check_impact(const Impact& im, const std::string& name) {
  if (!std::isfinite(im.mean_carbon) || im.mean_carbon < 0 || im.mean_carbon > kMaxCarbon)
    bad(name + ".mean_carbon is outside 0-5000 gCO2e/kWh");
  if (!std::isnan(im.mean_price) && !std::isfinite(im.mean_price))
    bad(name + ".mean_price is not a finite number");
  check_amount(im.grams_co2, name + ".grams_co2", false);
  // A price, and so a cost, may be negative (surplus hours); it must still be a number.
  if (!std::isnan(im.cost) && !std::isfinite(im.cost)) bad(name + ".cost is not a finite number");
  if (!std::isfinite(im.objective)) bad(name + ".objective is not a finite number");
  if (!(im.covered >= 0 && im.covered <= 1)) bad(name + ".covered is outside 0-1");
}

}  // namespace

void validate_plan(const Decision& d, const PlanRequest& req) {
  const TimePoint earliest = std::max(req.now, req.earliest_start.value_or(req.now));
  if (d.start < req.now - kPlanClockTolerance)
    bad("start " + when(d.start) + " is before now (" + format_utc(req.now) + ")");
  if (req.earliest_start && d.start < *req.earliest_start)
    bad("start " + when(d.start) + " is before --begin " + format_utc(*req.earliest_start));
  if (d.start > req.now + kMaxPlanHorizon)
    bad("start " + when(d.start) + " is more than " + format_duration(kMaxPlanHorizon) + " away");
  if (req.deadline && d.start + req.time_limit > *req.deadline)
    bad("start " + when(d.start) + " plus the time limit " + format_duration(req.time_limit) +
        " ends after the deadline " + format_utc(*req.deadline));
  if (req.max_delay && d.start > earliest + *req.max_delay)
    bad("start " + when(d.start) + " is more than the maximum delay " +
        format_duration(*req.max_delay) + " after " + format_utc(earliest));
  // latest_start is exported to the job (EBB_LATEST_START) for job_submit.lua.
  if (d.defer) {
    if (d.latest_start > req.now + kMaxPlanHorizon)
      bad("latest_start " + when(d.latest_start) + " is more than " +
          format_duration(kMaxPlanHorizon) + " away");
    if (d.latest_start < d.start) bad("latest_start " + when(d.latest_start) + " is before start");
    if (req.deadline && d.latest_start + req.time_limit > *req.deadline)
      bad("latest_start " + when(d.latest_start) + " ends after the deadline");
    if (req.max_delay && d.latest_start > earliest + *req.max_delay)
      bad("latest_start " + when(d.latest_start) + " is past the maximum delay");
  }
  check_amount(d.energy_kwh, "energy_kwh", false);
  check_impact(d.chosen, "chosen");
  check_impact(d.baseline, "baseline");
}

}  // namespace ebb
