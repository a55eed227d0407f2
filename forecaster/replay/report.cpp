// SPDX-License-Identifier: GPL-2.0-or-later
#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

namespace ebb::replay {

namespace {

std::string num(double v, int digits) {
  if (std::isnan(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string pad(const std::string& s, std::size_t w, bool right = true) {
  if (s.size() >= w) return s;
  return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
}

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char ch : s) {
    if (ch == '<')
      o += "&lt;";
    else if (ch == '>')
      o += "&gt;";
    else if (ch == '&')
      o += "&amp;";
    else if (ch == '"')
      o += "&quot;";
    else
      o += ch;
  }
  return o;
}

// What "of bound" divides by, in the words of the README.
std::string bound_note(const BoundSummary& b) {
  std::string o;
  if (b.kind == BoundKind::capacity) {
    o = "of bound: CO2 -% as a share of the capacity bound, " + num(b.reduction_pct, 2) +
        " % (the least CO2 of any schedule on these cores with each job's core-hours split "
        "freely within its window";
    if (b.late_jobs)
      o += "; " + std::to_string(b.late_jobs) +
           " jobs cannot finish by their deadline even so: " + num(b.late_core_hours, 1) +
           " core-hours run late, the least possible";
    return o + ").\n";
  }
  return "of bound: CO2 -% as a share of the per-job bound, the oracle's planned -% (" +
         num(b.reduction_pct, 2) + " %; each job alone at its best start, ignoring the cores).\n";
}

}  // namespace

std::string grid_repeat_note(const ReplayResult& r, const Grid& grid) {
  if (r.jobs.empty() || grid.empty()) return "";
  TimePoint lo = TimePoint::max(), hi = TimePoint::min();
  for (const auto& p : r.policies) {
    for (std::size_t i = 0; i < r.jobs.size() && i < p.start.size(); ++i) {
      lo = std::min(lo, p.start[i]);
      hi = std::max(hi, p.start[i] + r.jobs[i].runtime);
    }
  }
  return lo < hi ? grid.repeat_note(lo, hi) : "";
}

std::string format_table(const ReplayResult& r, const ReportContext& c) {
  std::ostringstream o;
  o << "Replay of " << r.jobs.size() << " jobs from " << c.trace << "\n";
  o << "Grid: " << c.grid << "\n";
  if (!c.grid_repeat.empty()) o << "Note: " << c.grid_repeat << "\n";
  if (!c.setup.empty()) o << "Setup: " << c.setup << "\n";
  const std::string cur = r.has_prices ? r.currency : "";
  std::vector<std::string> head{"policy",       "energy kWh",  "kgCO2",    "cost " + cur,
                                "CO2 -%",       "planned -%",  "cost -%",  "of bound",
                                "wait+ mean h", "wait+ p95 h", "deferred", "missed",
                                "peak starts",  "peak hour",   "moves"};
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : r.policies) {
    rows.push_back(
        {p.name, num(p.energy_kwh, 0), num(p.kg_co2, 1),
         num(p.cost, std::abs(p.cost) < 1000 ? 2 : 0), num(p.reduction_pct, 2),
         num(p.planned_reduction_pct, 2), num(p.cost_reduction_pct, 2),
         std::isnan(p.share_of_upper_bound) ? "-" : num(100 * p.share_of_upper_bound, 0) + "%",
         num(p.mean_added_wait_h, 2), num(p.p95_added_wait_h, 2), std::to_string(p.deferred),
         std::to_string(p.deadline_misses), std::to_string(p.peak_planned_starts),
         std::to_string(p.peak_hour_starts), std::to_string(p.moves)});
  }
  std::vector<std::size_t> w(head.size());
  for (std::size_t i = 0; i < head.size(); ++i) {
    w[i] = head[i].size();
    for (auto& row : rows) w[i] = std::max(w[i], row[i].size());
  }
  for (std::size_t i = 0; i < head.size(); ++i) o << (i ? "  " : "") << pad(head[i], w[i], i != 0);
  o << "\n";
  for (auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) o << (i ? "  " : "") << pad(row[i], w[i], i != 0);
    o << "\n";
  }
  o << "CO2 -% and cost -%: against baseline, as run on the cluster. planned -%: if every job had "
       "started as planned (no queueing).\n"
    << bound_note(r.bound)
    << "wait+: start minus the baseline's start.\n"
       "missed: jobs that finished after their deadline (queueing included). peak starts: most "
       "deferred jobs planned for the same minute. peak hour: most jobs started in one hour.\n"
       "moves: held jobs' begin times moved by re-planning (--replan-every).\n";
  if (const auto& a = r.runtime_accuracy) {
    char line[320];
    std::snprintf(line, sizeof line,
                  "Runtime prediction (online, from jobs ended before each submit): accuracy %.3f "
                  "against %.3f for the time limits, %.1f%% of jobs underestimated, mean absolute "
                  "error %.2f h against %.2f h, %.1f%% of jobs predicted from history.\n",
                  a->accuracy, a->user_accuracy, 100 * a->underestimated, a->mean_abs_error_h,
                  a->user_mean_abs_error_h, 100 * a->from_history);
    o << line;
  }
  const auto& g = r.grid_gaps;
  if (g.carbon_gaps || g.price_gaps || r.infeasible_deadlines || r.cores_clamped) o << "Notes:\n";
  if (g.carbon_gaps)
    o << "  carbon data has " << g.carbon_gaps << " gaps ("
      << num(static_cast<double>(g.carbon_gap_time.count()) / 3600, 1)
      << " h); time in gaps is scored at the last value before the gap";
  if (g.carbon_gaps) {
    double worst = 0;
    for (auto& p : r.policies) worst = std::max(worst, p.gap_job_hours);
    o << " (at most " << num(worst, 1) << " job-hours per policy)\n";
  }
  if (g.price_gaps)
    o << "  price data has " << g.price_gaps << " gaps ("
      << num(static_cast<double>(g.price_gap_time.count()) / 3600, 1)
      << " h); prices there are held at the last known value\n";
  if (r.infeasible_deadlines)
    o << "  " << r.infeasible_deadlines
      << " jobs had a deadline before submit + time limit; they run at submit\n";
  if (r.cores_clamped)
    o << "  " << r.cores_clamped
      << " jobs asked for more cores than the cluster has; they got the whole cluster\n";
  return o.str();
}

std::string format_csv(const ReplayResult& r, const ReportContext& c) {
  // One plain column, the same on every row: a comma would split it.
  std::string repeat = c.grid_repeat;
  std::replace(repeat.begin(), repeat.end(), ',', ';');
  std::ostringstream o;
  o << "policy,jobs,energy_kwh,kg_co2,cost,currency,reduction_pct,cost_reduction_pct,"
       "planned_reduction_pct,share_of_upper_bound,mean_added_wait_h,p95_added_wait_h,mean_wait_h,"
       "deferred,"
       "deadline_misses,planned_misses,peak_planned_starts,gap_job_hours,grid_repeat,"
       "peak_hour_starts,moves,bound,bound_reduction_pct\n";
  for (const auto& p : r.policies) {
    auto f = [](double v, int d) { return std::isnan(v) ? std::string() : num(v, d); };
    o << p.name << ',' << r.jobs.size() << ',' << f(p.energy_kwh, 3) << ',' << f(p.kg_co2, 4) << ','
      << f(p.cost, 4) << ',' << (r.has_prices ? r.currency : "") << ',' << f(p.reduction_pct, 4)
      << ',' << f(p.cost_reduction_pct, 4) << ',' << f(p.planned_reduction_pct, 4) << ','
      << f(p.share_of_upper_bound, 4) << ',' << f(p.mean_added_wait_h, 4) << ','
      << f(p.p95_added_wait_h, 4) << ',' << f(p.mean_wait_h, 4) << ',' << p.deferred << ','
      << p.deadline_misses << ',' << p.planned_misses << ',' << p.peak_planned_starts << ','
      << f(p.gap_job_hours, 3) << ',' << repeat << ',' << p.peak_hour_starts << ',' << p.moves
      << ',' << to_string(r.bound.kind) << ',' << f(r.bound.reduction_pct, 4) << '\n';
  }
  return o.str();
}

std::string format_json(const ReplayResult& r, const ReportContext& c) {
  using nlohmann::json;
  auto val = [](double v) { return std::isnan(v) ? json(nullptr) : json(v); };
  json j;
  j["trace"] = c.trace;
  j["grid"] = c.grid;
  j["setup"] = c.setup;
  j["grid_repeat"] = c.grid_repeat.empty() ? json(nullptr) : json(c.grid_repeat);
  j["jobs"] = r.jobs.size();
  j["currency"] = r.has_prices ? json(r.currency) : json(nullptr);
  j["grid_gaps"] = {
      {"carbon_gaps", r.grid_gaps.carbon_gaps},
      {"carbon_gap_hours", static_cast<double>(r.grid_gaps.carbon_gap_time.count()) / 3600},
      {"price_gaps", r.grid_gaps.price_gaps},
      {"price_gap_hours", static_cast<double>(r.grid_gaps.price_gap_time.count()) / 3600}};
  j["infeasible_deadlines"] = r.infeasible_deadlines;
  if (const auto& a = r.runtime_accuracy)
    j["runtime_prediction"] = {{"accuracy", a->accuracy},
                               {"time_limit_accuracy", a->user_accuracy},
                               {"underestimated_share", a->underestimated},
                               {"mean_abs_error_h", a->mean_abs_error_h},
                               {"time_limit_mean_abs_error_h", a->user_mean_abs_error_h},
                               {"from_history_share", a->from_history}};
  j["cores_clamped"] = r.cores_clamped;
  j["bound"] = {{"kind", to_string(r.bound.kind)},
                {"reduction_pct", val(r.bound.reduction_pct)},
                {"late_jobs", r.bound.late_jobs},
                {"late_core_hours", r.bound.late_core_hours},
                {"seconds", r.bound.seconds}};
  json ps = json::array();
  for (const auto& p : r.policies) {
    ps.push_back({{"policy", p.name},
                  {"energy_kwh", val(p.energy_kwh)},
                  {"kg_co2", val(p.kg_co2)},
                  {"cost", val(p.cost)},
                  {"reduction_pct", val(p.reduction_pct)},
                  {"cost_reduction_pct", val(p.cost_reduction_pct)},
                  {"planned_reduction_pct", val(p.planned_reduction_pct)},
                  {"share_of_upper_bound", val(p.share_of_upper_bound)},
                  {"mean_added_wait_h", val(p.mean_added_wait_h)},
                  {"p95_added_wait_h", val(p.p95_added_wait_h)},
                  {"mean_wait_h", val(p.mean_wait_h)},
                  {"deferred", p.deferred},
                  {"deadline_misses", p.deadline_misses},
                  {"planned_misses", p.planned_misses},
                  {"peak_planned_starts", p.peak_planned_starts},
                  {"gap_job_hours", val(p.gap_job_hours)},
                  {"peak_hour_starts", p.peak_hour_starts},
                  {"moves", p.moves}});
  }
  j["policies"] = ps;
  return j.dump(2) + "\n";
}

std::string format_svg(const ReplayResult& r, const ReportContext& c) {
  const double W = 1040, H = 560, left = 70, right = 290, top = 40, mid = 290, bottom = 510;
  const double panel1_bottom = mid - 30;
  static const char* colors[] = {"#555555", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e"};
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
    << "\" viewBox=\"0 0 " << W << ' ' << H << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << "<text x=\"" << left << "\" y=\"20\" font-size=\"14\">"
    << xml_escape("ebb replay: " + c.trace) << "</text>\n";
  if (r.jobs.empty()) {
    o << "</svg>\n";
    return o.str();
  }
  // Time axis: from the first submit to the last end over all policies.
  double t0 = 1e300, t1 = -1e300;
  for (const auto& p : r.policies)
    for (std::size_t i = 0; i < r.jobs.size(); ++i) {
      double s = static_cast<double>(p.start[i].time_since_epoch().count());
      t0 = std::min(t0, static_cast<double>(r.jobs[i].submit.time_since_epoch().count()));
      t1 = std::max(t1, s + static_cast<double>(r.jobs[i].runtime.count()));
    }
  if (t1 <= t0) t1 = t0 + 1;
  auto x = [&](double t) { return left + (W - left - right) * (t - t0) / (t1 - t0); };
  const std::size_t points = 200;
  // Panel 1: cumulative kgCO2 saved against the baseline, by the jobs' submit time.
  // Panel 2: mean wait of the jobs submitted in each stretch.
  const auto& base = r.policies.front();
  std::vector<std::vector<double>> cum(r.policies.size(), std::vector<double>(points + 1, 0));
  std::vector<std::vector<double>> wait_sum(r.policies.size(), std::vector<double>(points + 1, 0));
  std::vector<std::vector<double>> wait_n(r.policies.size(), std::vector<double>(points + 1, 0));
  double max_kg = 0, min_kg = 0, max_wait = 0;
  for (std::size_t p = 0; p < r.policies.size(); ++p) {
    const auto& pr = r.policies[p];
    for (std::size_t i = 0; i < r.jobs.size(); ++i) {
      double s = static_cast<double>(pr.start[i].time_since_epoch().count());
      double sub = static_cast<double>(r.jobs[i].submit.time_since_epoch().count());
      auto bs = static_cast<std::size_t>(
          std::clamp((sub - t0) / (t1 - t0) * points, 0.0, static_cast<double>(points)));
      cum[p][bs] += (base.grams[i] - pr.grams[i]) / 1000.0;
      wait_sum[p][bs] += (s - sub) / 3600.0;
      wait_n[p][bs] += 1;
    }
    for (std::size_t b = 1; b <= points; ++b) cum[p][b] += cum[p][b - 1];
    for (std::size_t b = 0; b <= points; ++b) {
      max_kg = std::max(max_kg, cum[p][b]);
      min_kg = std::min(min_kg, cum[p][b]);
      if (wait_n[p][b] > 0) max_wait = std::max(max_wait, wait_sum[p][b] / wait_n[p][b]);
    }
  }
  if (max_kg - min_kg <= 0) max_kg = min_kg + 1;
  if (max_wait <= 0) max_wait = 1;
  auto axes = [&](double y_top, double y_bottom, const std::string& label, double min_v,
                  double max_v) {
    o << "<line x1=\"" << left << "\" y1=\"" << y_bottom << "\" x2=\"" << W - right << "\" y2=\""
      << y_bottom << "\" stroke=\"black\"/>\n";
    o << "<line x1=\"" << left << "\" y1=\"" << y_top << "\" x2=\"" << left << "\" y2=\""
      << y_bottom << "\" stroke=\"black\"/>\n";
    o << "<text x=\"" << left << "\" y=\"" << y_top - 8 << "\">" << xml_escape(label)
      << "</text>\n";
    for (int k = 0; k <= 4; ++k) {
      double v = min_v + (max_v - min_v) * k / 4, y = y_bottom - (y_bottom - y_top) * k / 4;
      o << "<text x=\"" << left - 6 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">"
        << num(v, std::abs(max_v - min_v) < 40 ? 1 : 0) << "</text>\n";
      o << "<line x1=\"" << left << "\" y1=\"" << y << "\" x2=\"" << W - right << "\" y2=\"" << y
        << "\" stroke=\"#eeeeee\"/>\n";
    }
  };
  axes(top + 10, panel1_bottom, "cumulative kgCO2 saved against baseline (by submit time)", min_kg,
       max_kg);
  axes(mid + 10, bottom, "mean wait of the jobs submitted then (h)", 0, max_wait);
  for (int k = 0; k <= 4; ++k) {
    double t = t0 + (t1 - t0) * k / 4;
    std::string d = format_utc(TimePoint{seconds{static_cast<long long>(t)}}).substr(0, 10);
    o << "<text x=\"" << x(t) << "\" y=\"" << bottom + 18 << "\" text-anchor=\"middle\">" << d
      << "</text>\n";
  }
  for (std::size_t p = 0; p < r.policies.size(); ++p) {
    const char* col = colors[p % 6];
    o << "<polyline fill=\"none\" stroke=\"" << col << "\" stroke-width=\"1.5\" points=\"";
    for (std::size_t b = 0; b <= points; ++b) {
      double t = t0 + (t1 - t0) * static_cast<double>(b) / points;
      double y =
          panel1_bottom - (panel1_bottom - top - 10) * (cum[p][b] - min_kg) / (max_kg - min_kg);
      o << num(x(t), 1) << ',' << num(y, 1) << ' ';
    }
    o << "\"/>\n";
    o << "<polyline fill=\"none\" stroke=\"" << col << "\" stroke-width=\"1\" points=\"";
    for (std::size_t b = 0; b <= points; ++b) {
      if (wait_n[p][b] == 0) continue;
      double t = t0 + (t1 - t0) * static_cast<double>(b) / points;
      double y = bottom - (bottom - mid - 10) * (wait_sum[p][b] / wait_n[p][b]) / max_wait;
      o << num(x(t), 1) << ',' << num(y, 1) << ' ';
    }
    o << "\"/>\n";
    double ly = top + 20 + 18 * static_cast<double>(p);
    o << "<line x1=\"" << W - right + 10 << "\" y1=\"" << ly << "\" x2=\"" << W - right + 30
      << "\" y2=\"" << ly << "\" stroke=\"" << col << "\" stroke-width=\"3\"/>\n";
    o << "<text x=\"" << W - right + 36 << "\" y=\"" << ly + 4 << "\">"
      << xml_escape(r.policies[p].name) << " "
      << num(r.policies[p].kg_co2, r.policies[p].kg_co2 < 100 ? 2 : 0) << " kg, wait+ "
      << num(r.policies[p].mean_added_wait_h, 1) << " h</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

}  // namespace ebb::replay
