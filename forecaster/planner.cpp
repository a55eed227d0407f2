// The exact, linear-time planner (DESIGN decision 3).
//
// Let r(t) be the objective rate: step-wise, constant on each forecast slot (and on
// each gap, where it takes the range's highest value). The cost of starting at s is
//     F(s) = integral of r over [s, s + R) = P(s + R) - P(s)
// with P the running integral of r. P is piecewise linear, with kinks only at slot
// boundaries b, so F is piecewise linear in s with kinks only where s = b or s + R = b.
// Between two consecutive kinks F is linear, so its minimum over the grid points in
// that stretch lies at the first or last of them. The exact grid optimum is therefore
// among: the earliest and latest allowed starts and, for every kink x, the grid points
// just below and just above x. Kinks come from two sorted lists (b and b - R); merging
// them gives increasing candidates, so P can be evaluated with two forward-moving
// pointers. Everything is O(number of slots).
#include "ebb/planner.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "ebb/error.hpp"

namespace ebb {

namespace {

constexpr double kGramsPerTonne = 1e6;
constexpr double kKwhPerMwh = 1000.0;

TimePoint floor_minute(TimePoint t) { return std::chrono::floor<minutes>(t); }
TimePoint ceil_minute(TimePoint t) { return std::chrono::ceil<minutes>(t); }

// A step function over [from, to] with no holes: forecast slots clipped to the range,
// and filler segments (at `fill`) where the forecast says nothing.
struct Segment {
  TimePoint start;
  double rate;
};

class RateCurve {
 public:
  template <typename RateOf>
  RateCurve(const SignalSeries& series, TimePoint from, TimePoint to, RateOf rate_of, double fill)
      : to_(to) {
    const auto& slots = series.slots();
    auto it = std::upper_bound(slots.begin(), slots.end(), from,
                               [](TimePoint v, const Slot& s) { return v < s.end; });
    TimePoint cursor = from;
    for (; it != slots.end() && it->start < to; ++it) {
      if (it->start > cursor) segments_.push_back({cursor, fill});
      segments_.push_back({std::max(cursor, it->start), rate_of(*it)});
      cursor = std::min(it->end, to);
    }
    if (cursor < to || segments_.empty()) segments_.push_back({cursor, fill});
    // Prefix integrals at each segment start, in rate x seconds.
    prefix_.resize(segments_.size() + 1);
    prefix_[0] = 0;
    for (std::size_t i = 0; i < segments_.size(); ++i) {
      TimePoint end = i + 1 < segments_.size() ? segments_[i + 1].start : to_;
      prefix_[i + 1] = prefix_[i] + segments_[i].rate * seconds_between(segments_[i].start, end);
    }
  }

  const std::vector<Segment>& segments() const { return segments_; }

  // Running integral at t; `hint` is a segment index that only moves forward.
  double integral_at(TimePoint t, std::size_t& hint) const {
    while (hint + 1 < segments_.size() && segments_[hint + 1].start <= t) ++hint;
    return prefix_[hint] + segments_[hint].rate * seconds_between(segments_[hint].start, t);
  }

 private:
  static double seconds_between(TimePoint a, TimePoint b) {
    return static_cast<double>((b - a).count());
  }
  TimePoint to_;
  std::vector<Segment> segments_;
  std::vector<double> prefix_;
};

struct Range {
  double max_carbon = 0;
  double max_price = -1e300;
  double max_rate = -1e300;
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
    if (it->has_price())
      r.max_price = std::max(r.max_price, it->price);
    else
      r.prices_known = false;
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
  TimePoint end = start + runtime;
  RateCurve curve(series, start, end, value_of, fill);
  std::size_t hint = 0;
  double total = curve.integral_at(end, hint);
  double covered = 0;
  const auto& slots = series.slots();
  auto it = std::upper_bound(slots.begin(), slots.end(), start,
                             [](TimePoint v, const Slot& s) { return v < s.end; });
  for (; it != slots.end() && it->start < end; ++it)
    covered += static_cast<double>((std::min(it->end, end) - std::max(it->start, start)).count());
  double len = static_cast<double>(runtime.count());
  return {total / len, covered / len};
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
  if (text == "carbon") return Objective::carbon;
  if (text == "cost") return Objective::cost;
  if (text == "balanced") return Objective::balanced;
  throw InputError("unknown objective '" + std::string(text) +
                   "' (expected carbon, cost or balanced)");
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
  switch (policy.objective) {
    case Objective::carbon:
      return slot.carbon;
    case Objective::cost:
      return prices_known ? slot.price / kKwhPerMwh : slot.carbon;
    case Objective::balanced:
      return slot.carbon * policy.carbon_price / kGramsPerTonne +
             (prices_known ? slot.price / kKwhPerMwh : 0.0);
  }
  return slot.carbon;
}

Decision plan(const PlanRequest& req, const SignalSeries& forecast, const Policy& policy) {
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

  const Range range = survey(forecast, lo, last + runtime + seconds(1));
  Policy effective = policy;
  bool prices_known = range.prices_known;
  if (policy.objective == Objective::cost && !prices_known) effective.objective = Objective::carbon;

  auto impact_at = [&](TimePoint s) {
    Impact im;
    im.start = s;
    Mean c = mean_over(forecast, s, runtime, [](const Slot& x) { return x.carbon; },
                       range.max_carbon);
    im.mean_carbon = c.value;
    im.covered = c.covered;
    im.grams_co2 = c.value * d.energy_kwh;
    if (prices_known) {
      Mean p = mean_over(forecast, s, runtime, [](const Slot& x) { return x.price; },
                         range.max_price);
      im.mean_price = p.value;
      im.cost = p.value * d.energy_kwh / kKwhPerMwh;
    }
    return im;
  };

  if (!range.any) {
    d.baseline = d.chosen = impact_at(lo);
    d.reason = "the forecast does not cover the window from " + format_local_minute(lo);
    return d;
  }

  // Objective over the whole range, gaps at the range's highest rate.
  double fill = -1e300;
  for (const Slot& s : forecast.slots()) {
    if (s.end <= lo || s.start >= last + runtime + seconds(1)) continue;
    fill = std::max(fill, objective_rate(s, effective, prices_known));
  }
  const TimePoint horizon = last + runtime;
  RateCurve curve(
      forecast, lo, horizon + seconds(1),
      [&](const Slot& s) { return objective_rate(s, effective, prices_known); }, fill);

  std::size_t hint_start = 0, hint_end = 0;
  auto cost_at = [&](TimePoint s) {
    double a = curve.integral_at(s, hint_start);
    double b = curve.integral_at(s + runtime, hint_end);
    return b - a;
  };

  // Candidate kinks: segment boundaries b (start crosses b) and b - R (end crosses b).
  const auto& segs = curve.segments();
  std::vector<TimePoint> kinks_a, kinks_b;
  kinks_a.reserve(segs.size());
  kinks_b.reserve(segs.size());
  for (const Segment& s : segs) {
    kinks_a.push_back(s.start);
    kinks_b.push_back(s.start - runtime);
  }
  auto floor_grid = [&](TimePoint x) -> std::optional<TimePoint> {
    if (x < lo) return std::nullopt;
    TimePoint m = floor_minute(x);
    if (m <= lo) return lo;
    return std::min(m, last);
  };
  auto ceil_grid = [&](TimePoint x) -> std::optional<TimePoint> {
    if (x <= lo) return lo;
    if (x > last) return std::nullopt;
    return ceil_minute(x);
  };

  const double baseline_cost = cost_at(lo);
  TimePoint best = lo;
  double best_cost = baseline_cost;
  auto consider = [&](std::optional<TimePoint> s) {
    if (!s) return;
    double c = cost_at(*s);
    double eps = 1e-12 * std::max(std::abs(best_cost), 1.0);
    if (c < best_cost - eps) {
      best_cost = c;
      best = *s;
    }
  };
  // Merge the two sorted kink lists into increasing order; the pointers in cost_at
  // only move forward because every candidate is >= the previous one.
  std::size_t i = 0, j = 0;
  TimePoint prev = lo;
  auto visit = [&](TimePoint x) {
    auto f = floor_grid(x);
    auto c = ceil_grid(x);
    if (f && *f >= prev) {
      consider(f);
      prev = *f;
    }
    if (c && *c >= prev) {
      consider(c);
      prev = *c;
    }
  };
  while (i < kinks_a.size() || j < kinks_b.size()) {
    if (j >= kinks_b.size() || (i < kinks_a.size() && kinks_a[i] <= kinks_b[j]))
      visit(kinks_a[i++]);
    else
      visit(kinks_b[j++]);
  }
  if (last >= prev) consider(last);

  d.baseline = impact_at(lo);
  d.baseline.objective = baseline_cost;
  d.chosen = d.baseline;

  const double saving = baseline_cost - best_cost;
  const double pct = baseline_cost != 0 ? 100.0 * saving / std::abs(baseline_cost) : 100.0;
  if (best == lo || saving <= 0) {
    d.reason = last == lo ? "the deadline leaves no room to wait"
                          : "now is already the best start before " + format_local_minute(hi);
    return d;
  }
  if (pct < policy.min_saving_percent) {
    d.reason = "waiting would save only " + fixed(pct, 1) + "%, below the " +
               fixed(policy.min_saving_percent, 1) + "% threshold";
    return d;
  }
  d.defer = true;
  d.start = best;
  d.chosen = impact_at(best);
  d.chosen.objective = best_cost;
  const char* what = effective.objective == Objective::carbon ? "lowest-carbon"
                     : effective.objective == Objective::cost ? "cheapest"
                                                              : "lowest carbon-and-cost";
  d.reason = std::string(what) + " start before " + format_local_minute(hi);
  return d;
}

}  // namespace ebb
