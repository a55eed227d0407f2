// SPDX-License-Identifier: GPL-2.0-or-later
// The exact, linear-time planner.
//
// Let r(t) be the objective rate: step-wise, constant on each forecast slot (and on
// each gap, where it takes the range's highest value). The cost of starting at s is
//     F(s) = integral of r over [s, s + R) = P(s + R) - P(s)
// with P the running integral of r. P is piecewise linear, with kinks only at slot
// boundaries b, so F is piecewise linear in s with kinks only where s = b or s + R = b.
// Between two consecutive kinks F is linear with slope r(s + R) - r(s), so over the
// grid points of a stretch its minimum lies at the first point (slope >= 0, which
// also makes ties go to the earliest start) or the last (slope < 0). Where the slope
// keeps its sign from one stretch to the next, the later (rising) or earlier
// (falling) candidate is dominated, so the exact grid optimum is among: the earliest
// allowed start, the latest one if F still falls there, and the grid points just
// below and above every kink where the slope turns from falling to not falling.
// Kinks come from two sorted lists (b and b - R); merging them walks the kinks in
// increasing order while two indices track the segments under s and s + R, so slopes
// cost a subtraction and only the few local minima need P. O(number of slots).
#include "ebb/planner.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>

#include "ebb/error.hpp"
#include "ebb/forecast_error.hpp"
#include "ebb/input.hpp"

namespace ebb {

namespace {

constexpr double kGramsPerTonne = 1e6;
constexpr double kKwhPerMwh = 1000.0;

TimePoint floor_minute(TimePoint t) { return std::chrono::floor<minutes>(t); }

// A step function over [from, to] with no holes: forecast slots clipped to the range,
// and filler segments (at `fill`) where the forecast says nothing. Stored as columns
// of plain numbers (epoch seconds, rate, running integral at the segment's start in
// rate x seconds) because the search below walks them in a tight loop.
class RateCurve {
 public:
  // Gaps take the highest rate of the slots in [from, to).
  template <typename RateOf>
  RateCurve(const SignalSeries& series, TimePoint from, TimePoint to, RateOf rate_of) {
    const auto& slots = series.slots();
    auto it = std::upper_bound(slots.begin(), slots.end(), from,
                               [](TimePoint v, const Slot& s) { return v < s.end; });
    // Size for the slots in range only: a year-long series must cost no more than
    // the window it is asked about.
    auto stop = std::lower_bound(it, slots.end(), to,
                                 [](const Slot& s, TimePoint v) { return s.start < v; });
    const std::size_t cap = 2 * static_cast<std::size_t>(stop - it) + 2;
    start_.resize(cap);
    rate_.resize(cap);
    std::size_t n = 0;
    std::int64_t cursor = from.time_since_epoch().count();
    const std::int64_t end = to.time_since_epoch().count();
    constexpr double kGap = std::numeric_limits<double>::quiet_NaN();
    double highest = -std::numeric_limits<double>::infinity();
    bool gaps = false;
    for (; it != stop; ++it) {
      const std::int64_t s = it->start.time_since_epoch().count();
      if (s > cursor) {
        start_[n] = cursor;
        rate_[n++] = kGap;
        gaps = true;
      }
      start_[n] = std::max(cursor, s);
      const double r = rate_of(*it);
      highest = std::max(highest, r);
      rate_[n++] = r;
      cursor = std::min(it->end.time_since_epoch().count(), end);
    }
    if (cursor < end || n == 0) {
      start_[n] = cursor;
      rate_[n++] = kGap;
      gaps = true;
    }
    start_.resize(n);
    rate_.resize(n);
    if (gaps) {
      if (!std::isfinite(highest)) highest = 0;  // no data at all: every start is equal
      for (double& r : rate_)
        if (std::isnan(r)) r = highest;
    }
    prefix_.resize(n);
    prefix_[0] = 0;
    for (std::size_t k = 1; k < n; ++k)
      prefix_[k] = prefix_[k - 1] + rate_[k - 1] * static_cast<double>(start_[k] - start_[k - 1]);
  }

  std::size_t size() const { return start_.size(); }
  std::int64_t start(std::size_t i) const { return start_[i]; }
  double rate(std::size_t i) const { return rate_[i]; }

  // Running integral at t; `hint` is a segment index that only moves forward.
  double integral_at(std::int64_t t, std::size_t& hint) const {
    const std::size_t n = start_.size();
    while (hint + 1 < n && start_[hint + 1] <= t) ++hint;
    return prefix_[hint] + rate_[hint] * static_cast<double>(t - start_[hint]);
  }

 private:
  std::vector<std::int64_t> start_;
  std::vector<double> rate_;
  std::vector<double> prefix_;
};

// The objective rate is linear in the two signals: carbon x w_carbon + price x w_price.
struct Weights {
  double carbon;
  double price;
  double rate(const Slot& s) const {
    return carbon * s.carbon + (price != 0 ? price * s.price : 0);
  }
};

Weights weights_for(const Policy& policy, bool prices_known) {
  switch (policy.objective) {
    case Objective::carbon:
      return {1.0, 0.0};
    case Objective::cost:
      return prices_known ? Weights{0.0, 1.0 / kKwhPerMwh} : Weights{1.0, 0.0};
    case Objective::balanced:
      return {policy.carbon_price / kGramsPerTonne, prices_known ? 1.0 / kKwhPerMwh : 0.0};
  }
  return {1.0, 0.0};
}

struct Range {
  double max_carbon = 0;
  double max_price = -1e300;
  bool any = false;
  bool prices_known = true;
};

// What the forecast says about [from, to): highest values (the fill for gaps) and
// whether prices exist throughout.
Range survey(const SignalSeries& series, TimePoint from, TimePoint to) {
  Range r;
  const auto& slots = series.slots();
  auto it = std::upper_bound(slots.begin(), slots.end(), from,
                             [](TimePoint v, const Slot& s) { return v < s.end; });
  for (; it != slots.end() && it->start < to; ++it) {
    r.any = true;
    r.max_carbon = std::max(r.max_carbon, it->carbon);
    if (it->has_price()) {
      r.max_price = std::max(r.max_price, it->price);
    } else {
      r.prices_known = false;
    }
  }
  if (!r.any) r.prices_known = false;
  return r;
}

// Mean of one signal over [start, start + runtime), gaps at `fill`, and the covered share.
struct Mean {
  double value;
  double covered;
};
template <typename ValueOf>
Mean mean_over(const SignalSeries& series, TimePoint start, Duration runtime, ValueOf value_of,
               double fill) {
  if (runtime <= Duration{0}) {
    const Slot* s = series.at(start);
    return {s ? value_of(*s) : fill, s ? 1.0 : 0.0};
  }
  const TimePoint end = start + runtime;
  const auto& slots = series.slots();
  auto it = std::upper_bound(slots.begin(), slots.end(), start,
                             [](TimePoint v, const Slot& s) { return v < s.end; });
  double total = 0, covered = 0;
  for (; it != slots.end() && it->start < end; ++it) {
    double len = static_cast<double>((std::min(it->end, end) - std::max(it->start, start)).count());
    total += value_of(*it) * len;
    covered += len;
  }
  double len = static_cast<double>(runtime.count());
  return {(total + fill * (len - covered)) / len, covered / len};
}

// The forecast as the error-aware objective sees it: each slot split at the lead
// buckets' edges and raised by weight x the bucket's MAE. Unmeasured buckets take the
// last measured one before them (the error does not shrink with the lead), else none.
SignalSeries with_error_margin(const SignalSeries& forecast, TimePoint now,
                               const std::vector<double>& mae, double weight) {
  std::vector<double> margin(mae.size(), 0);
  double last = 0;
  for (std::size_t b = 0; b < mae.size(); ++b) {
    if (!std::isnan(mae[b])) last = mae[b];
    margin[b] = weight * last;
  }
  const Duration bucket = ForecastErrorTracker::kBucket;
  auto bucket_of = [&](TimePoint t) -> std::size_t {
    if (t <= now) return 0;
    return std::min(static_cast<std::size_t>((t - now) / bucket), margin.size() - 1);
  };
  std::vector<Slot> out;
  out.reserve(forecast.size() + margin.size());
  for (const Slot& s : forecast.slots()) {
    TimePoint from = s.start;
    while (from < s.end) {
      const std::size_t b = bucket_of(from);
      TimePoint to = s.end;
      if (b + 1 < margin.size() && from >= now)
        to = std::min(to, now + bucket * static_cast<std::int64_t>(b + 1));
      if (from < now) to = std::min(to, now);
      Slot piece = s;
      piece.start = from;
      piece.end = to;
      piece.carbon = s.carbon + margin[b];
      out.push_back(piece);
      from = to;
    }
  }
  SignalSeries adjusted(std::move(out), forecast.source);
  adjusted.currency = forecast.currency;
  adjusted.kind = forecast.kind;
  return adjusted;
}

std::string fixed(double v, int digits) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(digits);
  o << v;
  return o.str();
}

}  // namespace

Objective parse_objective(std::string_view text) {
  // Case-insensitive, as ebb.conf keys are: --carbon-objective=CARBON, Objective=Cost.
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "carbon") return Objective::carbon;
  if (lower == "cost") return Objective::cost;
  if (lower == "balanced") return Objective::balanced;
  throw InputError("unknown objective " + in_quotes(text) + " (expected carbon, cost or balanced)");
}

const char* to_string(Objective o) {
  switch (o) {
    case Objective::carbon:
      return "carbon";
    case Objective::cost:
      return "cost";
    case Objective::balanced:
      return "balanced";
  }
  return "?";
}

double objective_rate(const Slot& slot, const Policy& policy, bool prices_known) {
  return weights_for(policy, prices_known).rate(slot);
}

Decision plan(const PlanRequest& req, const SignalSeries& forecast, const Policy& policy,
              const std::vector<Interval>& forbidden) {
  const TimePoint lo = std::max(req.now, req.earliest_start.value_or(req.now));
  if (req.time_limit < Duration{0}) throw InputError("the time limit is negative");
  const Duration runtime = std::min(req.expected_runtime.value_or(req.time_limit), req.time_limit);

  // The latest allowed start: the deadline is hard, the maximum delay is a bound.
  std::optional<TimePoint> hi_opt;
  if (req.deadline) {
    TimePoint latest = *req.deadline - req.time_limit;
    if (latest < lo) {
      throw InputError("the deadline " + format_local_minute(*req.deadline) +
                       " is earlier than the earliest start " + format_local_minute(lo) +
                       " plus the time limit " + format_duration(req.time_limit));
    }
    hi_opt = latest;
  }
  if (req.max_delay) {
    TimePoint latest = lo + std::max(*req.max_delay, Duration{0});
    hi_opt = hi_opt ? std::min(*hi_opt, latest) : latest;
  }
  const TimePoint hi = hi_opt.value_or(lo);
  // The grid: lo, then every whole clock minute up to hi.
  const TimePoint last = floor_minute(hi) > lo ? floor_minute(hi) : lo;

  Decision d;
  d.objective = policy.objective;
  d.currency = forecast.currency;
  d.start = lo;
  d.latest_start = hi;
  d.energy_kwh = req.power_watts * static_cast<double>(runtime.count()) / 3600.0 / 1000.0;
  d.runtime = runtime;
  d.time_limit = req.time_limit;

  const Range range = survey(forecast, lo, last + runtime + seconds(1));
  Policy effective = policy;
  bool prices_known = range.prices_known;
  if (policy.objective == Objective::cost && !prices_known) effective.objective = Objective::carbon;

  auto impact_at = [&](TimePoint s) {
    Impact im;
    im.start = s;
    Mean c = mean_over(
        forecast, s, runtime, [](const Slot& x) { return x.carbon; }, range.max_carbon);
    im.mean_carbon = c.value;
    im.covered = c.covered;
    im.grams_co2 = c.value * d.energy_kwh;
    if (prices_known) {
      Mean p = mean_over(
          forecast, s, runtime, [](const Slot& x) { return x.price; }, range.max_price);
      im.mean_price = p.value;
      im.cost = p.value * d.energy_kwh / kKwhPerMwh;
    }
    return im;
  };

  if (!range.any) {
    d.baseline = d.chosen = impact_at(lo);
    d.reason = "the forecast does not cover the time before the deadline";
    return d;
  }

  // Objective over the whole range, gaps at the range's highest rate.
  const Weights w = weights_for(effective, prices_known);
  const TimePoint horizon = last + runtime;
  const bool error_aware = policy.error_weight > 0 && !req.error_by_lead.empty() && w.carbon > 0;
  std::optional<SignalSeries> adjusted;
  if (error_aware)
    adjusted = with_error_margin(forecast, req.now, req.error_by_lead, policy.error_weight);
  const SignalSeries& objective_series = adjusted ? *adjusted : forecast;
  RateCurve curve(objective_series, lo, horizon + seconds(1),
                  [&](const Slot& s) { return w.rate(s); });

  // The search, in epoch seconds, over each stretch of allowed starts [LO, LAST]:
  // LO (the earliest allowed start, or the first whole minute of a later stretch), then
  // whole minutes up to LAST. The argument above holds within each stretch, so the best
  // of the stretches' optima is the exact optimum over all allowed grid points.
  const std::int64_t R = runtime.count();
  const std::int64_t lo_s = lo.time_since_epoch().count();
  std::int64_t best = lo_s;
  double best_cost = 0;
  double baseline_cost = 0;
  auto search = [&](std::int64_t LO, std::int64_t LAST) {
    std::size_t hint_start = 0, hint_end = 0;
    auto cost_at = [&](std::int64_t s) {
      return curve.integral_at(s + R, hint_end) - curve.integral_at(s, hint_start);
    };
    // Candidates are evaluated in increasing order (so the hints in cost_at only move
    // forward) and at most once each (`prev` is the last one evaluated).
    std::int64_t prev = LO;
    auto evaluate = [&](std::int64_t s) {
      if (s <= prev) return;
      prev = s;
      double c = cost_at(s);
      if (c < best_cost - 1e-12 * std::max(std::abs(best_cost), 1.0)) {
        best_cost = c;
        best = s;
      }
    };
    const double first = cost_at(LO);
    if (LO == lo_s) {
      baseline_cost = best_cost = first;
    } else if (first < best_cost - 1e-12 * std::max(std::abs(best_cost), 1.0)) {
      best_cost = first;
      best = LO;
    }
    // Grid neighbours of a kink x in (LO, LAST]: x % 60 is the floor since x > 0.
    auto evaluate_around = [&](std::int64_t x) {
      const std::int64_t below = x - x % 60;
      if (below > LO) evaluate(below);
      if (below != x && below + 60 <= LAST) evaluate(below + 60);
    };
    const std::size_t n = curve.size();
    std::size_t ia = 0;  // segment under s
    while (ia + 1 < n && curve.start(ia + 1) <= LO) ++ia;
    std::size_t ib = ia;  // segment under s + R
    while (ib + 1 < n && curve.start(ib + 1) <= LO + R) ++ib;
    std::size_t i = ia + 1, j = ib + 1;  // next kinks of each kind
    double slope = curve.rate(ib) - curve.rate(ia);
    bool past_last = LAST <= LO;
    while (!past_last && (i < n || j < n)) {
      const std::int64_t xa = i < n ? curve.start(i) : INT64_MAX;
      const std::int64_t xb = j < n ? curve.start(j) - R : INT64_MAX;
      const std::int64_t x = std::min(xa, xb);
      if (x > LAST) {
        past_last = true;
        break;
      }
      if (xa == x) ia = i++;
      if (xb == x) ib = j++;
      const double next_slope = curve.rate(ib) - curve.rate(ia);
      if (slope < 0 && next_slope >= 0) evaluate_around(x);  // a local minimum
      slope = next_slope;
    }
    // F still falls at the latest start: that end is a candidate.
    if (slope < 0 && LAST > LO) evaluate(LAST);
  };
  // Allowed stretches: [lo, last] less the forbidden starts; lo itself always stays.
  const std::int64_t last_s = last.time_since_epoch().count();
  std::int64_t from = lo_s;
  for (const Interval& f : forbidden) {
    const std::int64_t a = f.from.time_since_epoch().count();
    const std::int64_t b = f.to.time_since_epoch().count();
    if (b <= from) continue;
    if (a > last_s) break;
    if (a > from) {
      // Whole minutes in [from, a): the stretch's grid.
      const std::int64_t LO = from == lo_s ? lo_s : from + (60 - from % 60) % 60;
      const std::int64_t top = a - 1;
      const std::int64_t LAST = std::min(last_s, top - top % 60);
      if (LO == lo_s || LO <= LAST) search(LO, std::max(LO, LAST));
    } else if (from == lo_s) {
      search(lo_s, lo_s);  // the earliest start is allowed whatever the view says
    }
    from = std::max(from, b);
    if (from > last_s) break;
  }
  if (from <= last_s) {
    const std::int64_t LO = from == lo_s ? lo_s : from + (60 - from % 60) % 60;
    if (LO <= last_s || LO == lo_s) search(LO, std::max(LO, last_s));
  }

  d.baseline = impact_at(lo);
  d.baseline.objective = baseline_cost;
  d.chosen = d.baseline;

  // Error-aware plans say so: the figures shown are the forecast's, the choice is not.
  const std::string error_note = error_aware ? ", counting the forecast's measured error" : "";
  const double saving = baseline_cost - best_cost;
  const double pct = baseline_cost != 0 ? 100.0 * saving / std::abs(baseline_cost) : 100.0;
  if (best == lo_s || saving <= 0) {
    d.reason = last == lo ? "the deadline leaves no room to wait"
                          : "now is already the best start before the deadline" + error_note;
    return d;
  }
  if (pct < policy.min_saving_percent) {
    d.reason = "waiting would save only " + fixed(pct, 1) + "%, below the " +
               fixed(policy.min_saving_percent, 1) + "% threshold";
    return d;
  }
  d.defer = true;
  d.start = TimePoint{seconds{best}};
  d.chosen = impact_at(d.start);
  d.chosen.objective = best_cost;
  const char* what = effective.objective == Objective::carbon ? "lowest-carbon"
                     : effective.objective == Objective::cost ? "cheapest"
                                                              : "lowest carbon-and-cost";
  // Reasons name no times: the caller prints start and deadline in the user's zone.
  d.reason = std::string(what) + " start before the deadline" + error_note;
  return d;
}

}  // namespace ebb
