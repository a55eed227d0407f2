// SPDX-License-Identifier: GPL-2.0-or-later
#include "report_html.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>

#include "ebb/number_text.hpp"
#include "svg_chart.hpp"

namespace ebb::ledger {
namespace {

double epoch(TimePoint t) { return static_cast<double>(t.time_since_epoch().count()); }

std::string day(TimePoint t) { return format_utc(t).substr(0, 10); }

// Plain CSS, no web fonts: the page must look the same offline.
constexpr const char* kStyle = R"(
body { font-family: sans-serif; max-width: 960px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 2em; }
.summary { font-size: 1.15em; background: #eef6ee; padding: .8em 1em; border-radius: 4px; }
table { border-collapse: collapse; font-size: .85em; margin: 1em 0; }
th, td { border-bottom: 1px solid #ddd; padding: .3em .5em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { cursor: pointer; background: #f4f4f4; vertical-align: bottom; }
tr.total td { font-weight: bold; border-top: 2px solid #888; }
svg.chart { width: 100%; height: auto; } .wide { overflow-x: auto; }
svg .grid { stroke: #e4e4e4; } svg .axis { font-size: 12px; fill: #555; }
dt { font-weight: bold; margin-top: .5em; } .note { color: #666; font-size: .9em; }
)";

// Sorting the table by a column is the page's only script; it marks the page as loaded
// (data-ready) so that the browser test knows the script ran without an error.
constexpr const char* kScript = R"(
document.querySelectorAll("table.report th").forEach(function (th, col) {
  th.addEventListener("click", function () {
    var body = th.closest("table").tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var down = th.dataset.sorted !== "down";
    rows.sort(function (a, b) {
      var x = a.cells[col].textContent, y = b.cells[col].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = isNaN(nx) || isNaN(ny) ? x.localeCompare(y) : nx - ny;
      return down ? -c : c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    th.dataset.sorted = down ? "down" : "up";
  });
});
document.body.dataset.ready = "1";
)";

std::string cell_row(const std::string& key, const Totals& t, const std::string& cls) {
  std::string out = "<tr" + (cls.empty() ? std::string() : " class=\"" + cls + "\"") + "><td>" +
                    svg::escape(key) + "</td>";
  for (const Column& c : columns())
    out += "<td data-col=\"" + std::string(c.name) + "\">" + c.value(t) + "</td>";
  return out + "</tr>\n";
}

std::string table(const Report& r) {
  std::string out = "<div class=\"wide\"><table class=\"report\" id=\"by-" +
                    std::string(to_string(r.by)) + "\">\n<thead><tr><th>" + to_string(r.by) +
                    "</th>";
  for (const Column& c : columns()) {
    std::string label = c.label;
    if (std::string_view(c.name).rfind("cost", 0) == 0 && !r.currency.empty())
      label += " (" + r.currency + ")";
    out += "<th title=\"" + std::string(c.name) + "\">" + svg::escape(label) + "</th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& g : r.groups) out += cell_row(g.key, g.totals, "");
  out +=
      "</tbody>\n<tfoot>\n" + cell_row("total", r.total, "total") + "</tfoot>\n</table>\n</div>\n";
  return out;
}

std::string cumulative_chart(const Report& r, bool money) {
  svg::TimeChart chart;
  chart.id = money ? "cumulative-cost" : "cumulative-kgco2";
  chart.y_label = money ? "saved (" + (r.currency.empty() ? std::string("money") : r.currency) + ")"
                        : std::string("kgCO2e saved");
  chart.x_from = epoch(r.from);
  chart.x_to = epoch(r.to);
  svg::Line line{money ? "cumulative money saved" : "cumulative kgCO2e saved", "#2e8b57", {}};
  double sum = 0;
  line.points.push_back({chart.x_from, 0});
  // Only jobs whose saving is counted (whole run and as-submitted run with grid data),
  // as in the totals.
  for (const JobPoint& p : r.points) {
    if (!(money ? p.price_known : p.carbon_known)) continue;
    const double x = epoch(p.start);
    line.points.push_back({x, sum});  // a step at each start, not a slope between them
    sum += money ? p.cost_saved : p.kgco2_saved;
    line.points.push_back({x, sum});
  }
  line.points.push_back({chart.x_to, sum});
  chart.lines.push_back(std::move(line));
  return svg::time_chart(chart);
}

std::string intensity_chart(const Report& r, const Actuals& actuals) {
  svg::TimeChart chart;
  chart.id = "intensity";
  chart.y_label = "gCO2e per kWh";
  chart.x_from = epoch(r.from);
  chart.x_to = epoch(r.to);
  svg::Line line{"grid carbon intensity (recorded)", "#4a6fa5", {}};
  for (TimePoint t = std::chrono::floor<hours>(r.from); t < r.to; t += hours(1)) {
    const auto g = actuals(t);
    const double x = epoch(std::max(t, r.from));
    line.points.push_back({x, g ? g->carbon : std::nan("")});
    if (g) line.points.push_back({std::min(epoch(t + hours(1)), chart.x_to), g->carbon});
  }
  chart.lines.push_back(std::move(line));
  svg::Ticks deferred{"deferred job starts", "#d2691e", {}};
  svg::Ticks other{"other job starts", "#888888", {}};
  for (const JobPoint& p : r.points) (p.deferred ? deferred : other).at.push_back(epoch(p.start));
  chart.ticks.push_back(std::move(deferred));
  chart.ticks.push_back(std::move(other));
  return svg::time_chart(chart);
}

std::string by_account_chart(const Report& r) {
  std::vector<svg::Bar> bars;
  for (const auto& g : r.by_account) bars.push_back({g.key, g.totals.kgco2_saved()});
  return svg::bar_chart("by-account", "kgCO2e saved", bars);
}

std::string meaning(const Report& r) {
  const std::string money = r.currency.empty() ? "the plans' currency" : r.currency;
  return R"(<dl>
<dt>Job</dt><dd>A piece of work someone ran on the cluster. Only jobs that ebb planned are counted.</dd>
<dt>Deferred</dt><dd>ebb moved the job's start later, to a time the grid's electricity was cleaner or cheaper.</dd>
<dt>Energy (kWh)</dt><dd>Electricity the job used: measured by the cluster where it measures it, otherwise
estimated from the job's size and its real run time (the table counts those jobs as "energy estimated").</dd>
<dt>kgCO2e realised</dt><dd>Kilograms of CO2-equivalent for that electricity, from the grid's recorded
carbon intensity hour by hour over the job's real run (GHG Protocol scope 2, location-based).</dd>
<dt>As submitted</dt><dd>The same job, same energy and run time, had it started when its user asked.
It ignores queueing, so it is an estimate of what ebb changed, not a measurement.</dd>
<dt>Saved</dt><dd>As submitted minus realised. Negative means the job ended up dirtier (or dearer) than asked.</dd>
<dt>Cost</dt><dd>The wholesale electricity price recorded for those hours, in )" +
         svg::escape(money) + R"(; not the site's tariff.</dd>
<dt>No grid data</dt><dd>Jobs with an hour without recorded grid data: their energy is counted, their
carbon is not (never counted as zero).</dd>
</dl>
)";
}

}  // namespace

std::string format_html(const Report& r, const Actuals& actuals) {
  const std::string period = day(r.from) + " to " + day(r.to);
  const Totals& t = r.total;
  const std::string money = r.currency.empty() ? "" : " " + svg::escape(r.currency);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>ebb savings report, " +
      period + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  out += "<h1>What ebb saved, " + period + "</h1>\n";
  out += "<p class=\"note\">From " + format_utc(r.from) + " to " + format_utc(r.to) +
         " (the end excluded), jobs counted in the period they started in.</p>\n";
  const double pct = t.kgco2_as_submitted > 0 ? 100 * t.kgco2_saved() / t.kgco2_as_submitted : 0;
  out += "<p class=\"summary\" id=\"summary\">" + std::to_string(t.jobs) +
         " jobs planned by ebb, " + std::to_string(t.deferred) + " of them deferred, used <b>" +
         format_fixed(t.kwh, 1) + " kWh</b>. Their electricity emitted <b>" +
         format_fixed(t.kgco2, 1) +
         " kgCO2e</b>; started when their users asked, it would have emitted " +
         format_fixed(t.kgco2_as_submitted, 1) + " kgCO2e: <b>" + format_fixed(t.kgco2_saved(), 1) +
         " kgCO2e saved</b> (" + format_fixed(pct, 1) + " %) and <b>" +
         format_fixed(t.cost_saved(), 2) + money + " saved</b> on electricity. Jobs waited " +
         format_fixed(t.mean_added_wait_seconds() / 3600, 1) + " h longer on average.</p>\n";
  out += "<h2>What these numbers mean</h2>\n" + meaning(r);
  out += "<h2>Cumulative saving over the period</h2>\n" + cumulative_chart(r, false) +
         cumulative_chart(r, true);
  out += "<h2>Saving by account</h2>\n" + by_account_chart(r);
  out +=
      "<h2>Grid carbon intensity and job starts</h2>\n"
      "<p class=\"note\">The grid's recorded intensity (lower is cleaner); each tick below the "
      "line is when jobs started (hover for how many).</p>\n" +
      intensity_chart(r, actuals);
  out += "<h2>By " + std::string(to_string(r.by)) +
         "</h2>\n<p class=\"note\">Click a column title to sort.</p>\n" + table(r);
  if (r.not_planned)
    out += "<p class=\"note\">" + std::to_string(r.not_planned) +
           " jobs in the period were not planned by ebb and are not counted.</p>\n";
  if (r.bad_records) {
    out += "<p class=\"note\">" + std::to_string(r.bad_records) +
           " jobs skipped: their ebb record could not be read.</p>\n<ul class=\"note\">";
    for (const auto& b : r.bad_record_jobs) out += "<li>" + svg::escape(b) + "</li>";
    out += "</ul>\n";
  }
  out += "<p class=\"note\">Made by ebb report.</p>\n<script>" + std::string(kScript) +
         "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace ebb::ledger
