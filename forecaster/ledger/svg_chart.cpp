// SPDX-License-Identifier: GPL-2.0-or-later
#include "svg_chart.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>

#include "ebb/number_text.hpp"
#include "ebb/time.hpp"

namespace ebb::ledger::svg {
namespace {

constexpr double kWidth = 900, kHeight = 320;
constexpr double kLeft = 70, kRight = 45, kTop = 30, kBottom = 50;
constexpr double kPlotWidth = kWidth - kLeft - kRight;
constexpr double kPlotHeight = kHeight - kTop - kBottom;

std::string num(double v, int decimals = 1) { return format_fixed(v, decimals); }

// A round step (1, 2 or 5 times a power of ten) giving about `count` steps over `span`.
double nice_step(double span, int count) {
  if (!(span > 0)) return 1;
  const double raw = span / count;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (raw <= m * power) return m * power;
  return 10 * power;
}

struct Scale {
  double from, to, lo, hi;
  double x(double v) const { return kLeft + (v - from) / (to - from) * kPlotWidth; }
  double y(double v) const { return kTop + (hi - v) / (hi - lo) * kPlotHeight; }
};

std::string date_label(double seconds, bool with_time) {
  const std::string t =
      format_utc(TimePoint{std::chrono::seconds{static_cast<long long>(seconds)}});
  // "2026-11-01T06:00:00Z"
  return with_time ? t.substr(5, 5) + " " + t.substr(11, 5) : t.substr(0, 10);
}

// At most four points per pixel column (first, lowest, highest, last), in x order, so a
// year of hours or a million jobs draws as the same picture in a few kilobytes.
std::vector<Point> thin(const std::vector<Point>& points, const Scale& s) {
  if (points.size() <= 2 * static_cast<std::size_t>(kPlotWidth)) return points;
  std::vector<Point> out;
  std::size_t i = 0;
  while (i < points.size()) {
    if (std::isnan(points[i].y)) {
      out.push_back(points[i++]);
      continue;
    }
    const long column = std::lround(s.x(points[i].x));
    std::size_t j = i, lo = i, hi = i;
    while (j < points.size() && !std::isnan(points[j].y) &&
           std::lround(s.x(points[j].x)) == column) {
      if (points[j].y < points[lo].y) lo = j;
      if (points[j].y > points[hi].y) hi = j;
      ++j;
    }
    std::size_t keep[] = {i, std::min(lo, hi), std::max(lo, hi), j - 1};
    for (std::size_t k = 0; k < 4; ++k)
      if (k == 0 || keep[k] != keep[k - 1]) out.push_back(points[keep[k]]);
    i = j;
  }
  return out;
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string time_chart(const TimeChart& chart) {
  double lo = 0, hi = 0;
  for (const Line& l : chart.lines)
    for (const Point& p : l.points)
      if (!std::isnan(p.y)) lo = std::min(lo, p.y), hi = std::max(hi, p.y);
  const double step = nice_step(hi - lo, 5);
  lo = std::floor(lo / step) * step;
  hi = std::ceil(hi / step) * step;
  if (hi <= lo) hi = lo + step;
  const double to = chart.x_to > chart.x_from ? chart.x_to : chart.x_from + 1;
  const Scale s{chart.x_from, to, lo, hi};

  std::string out = "<svg id=\"" + escape(chart.id) + "\" class=\"chart\" viewBox=\"0 0 " +
                    num(kWidth, 0) + " " + num(kHeight, 0) +
                    "\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  // Horizontal grid lines with the y values.
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step)));
  for (double v = lo; v <= hi + step / 2; v += step) {
    out += "<line class=\"grid\" x1=\"" + num(kLeft) + "\" x2=\"" + num(kLeft + kPlotWidth) +
           "\" y1=\"" + num(s.y(v)) + "\" y2=\"" + num(s.y(v)) + "\"/>";
    out += "<text class=\"axis\" x=\"" + num(kLeft - 6) + "\" y=\"" + num(s.y(v) + 4) +
           "\" text-anchor=\"end\">" + num(v, decimals) + "</text>\n";
  }
  out += "<text class=\"axis\" x=\"12\" y=\"" + num(kTop + kPlotHeight / 2) +
         "\" transform=\"rotate(-90 12 " + num(kTop + kPlotHeight / 2) +
         ")\" text-anchor=\"middle\">" + escape(chart.y_label) + "</text>\n";
  // Dates along the foot.
  const bool with_time = to - chart.x_from < 3 * 86400.0;
  for (int i = 0; i <= 5; ++i) {
    const double x = chart.x_from + (to - chart.x_from) * i / 5;
    out += "<text class=\"axis\" x=\"" + num(s.x(x)) + "\" y=\"" + num(kTop + kPlotHeight + 34) +
           "\" text-anchor=\"" +
           (i == 0   ? "start"
            : i == 5 ? "end"
                     : "middle") +
           "\">" + date_label(x, with_time) + " UTC</text>\n";
  }
  for (const Line& l : chart.lines) {
    double last = 0;
    for (const Point& p : l.points)
      if (!std::isnan(p.y)) last = p.y;
    out += "<g class=\"line\" data-name=\"" + escape(l.name) + "\" data-points=\"" +
           std::to_string(l.points.size()) + "\" data-final=\"" + format_exact(last) + "\">";
    std::string segment;
    auto flush = [&] {
      if (!segment.empty())
        out += "<polyline fill=\"none\" stroke=\"" + l.color + "\" stroke-width=\"2\" points=\"" +
               segment + "\"/>";
      segment.clear();
    };
    for (const Point& p : thin(l.points, s)) {
      if (std::isnan(p.y)) {
        flush();
        continue;
      }
      if (!segment.empty()) segment += ' ';
      segment += num(s.x(p.x)) + "," + num(s.y(p.y));
    }
    // A single point draws as a dot.
    if (segment.find(' ') == std::string::npos && !segment.empty()) segment += " " + segment;
    flush();
    out += "</g>\n";
  }
  for (const Ticks& t : chart.ticks) {
    std::map<long, std::size_t> columns;
    for (double x : t.at) ++columns[std::lround(s.x(std::clamp(x, chart.x_from, to)))];
    out += "<g class=\"ticks\" data-name=\"" + escape(t.name) + "\" data-count=\"" +
           std::to_string(t.at.size()) + "\" stroke=\"" + t.color + "\">";
    for (const auto& [column, count] : columns) {
      const double x = static_cast<double>(column);
      out += "<line x1=\"" + num(x) + "\" x2=\"" + num(x) + "\" y1=\"" +
             num(kTop + kPlotHeight + 2) + "\" y2=\"" + num(kTop + kPlotHeight + 14) +
             "\"><title>" + std::to_string(count) + " " + escape(t.name) + "</title></line>";
    }
    out += "</g>\n";
  }
  // Legend.
  double lx = kLeft;
  auto legend = [&](const std::string& name, const std::string& color) {
    out += "<rect x=\"" + num(lx) + "\" y=\"8\" width=\"14\" height=\"10\" fill=\"" + color +
           "\"/><text class=\"axis\" x=\"" + num(lx + 18) + "\" y=\"17\">" + escape(name) +
           "</text>";
    lx += 30 + 7 * static_cast<double>(name.size());
  };
  for (const Line& l : chart.lines) legend(l.name, l.color);
  for (const Ticks& t : chart.ticks) legend(t.name, t.color);
  out += "\n</svg>\n";
  return out;
}

std::string bar_chart(const std::string& id, const std::string& x_label,
                      const std::vector<Bar>& bars) {
  constexpr double kBar = 22, kLabel = 160;
  const double height = kTop + kBar * static_cast<double>(bars.size()) + kBottom;
  double lo = 0, hi = 0;
  for (const Bar& b : bars) lo = std::min(lo, b.value), hi = std::max(hi, b.value);
  const double step = nice_step(hi - lo, 5);
  lo = std::floor(lo / step) * step;
  hi = std::ceil(hi / step) * step;
  if (hi <= lo) hi = lo + step;
  const double left = kLabel, width = kWidth - kLabel - kRight;
  auto x = [&](double v) { return left + (v - lo) / (hi - lo) * width; };
  const double foot = kTop + kBar * static_cast<double>(bars.size());
  std::string out = "<svg id=\"" + escape(id) + "\" class=\"chart\" viewBox=\"0 0 " +
                    num(kWidth, 0) + " " + num(height, 0) +
                    "\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step)));
  for (double v = lo; v <= hi + step / 2; v += step) {
    out += "<line class=\"grid\" x1=\"" + num(x(v)) + "\" x2=\"" + num(x(v)) + "\" y1=\"" +
           num(kTop - 4) + "\" y2=\"" + num(foot) + "\"/><text class=\"axis\" x=\"" + num(x(v)) +
           "\" y=\"" + num(foot + 16) + "\" text-anchor=\"middle\">" + num(v, decimals) +
           "</text>\n";
  }
  out += "<text class=\"axis\" x=\"" + num(left + width / 2) + "\" y=\"" + num(foot + 36) +
         "\" text-anchor=\"middle\">" + escape(x_label) + "</text>\n";
  double y = kTop;
  for (const Bar& b : bars) {
    const double x0 = x(std::min(0.0, b.value)), x1 = x(std::max(0.0, b.value));
    out += "<g class=\"bar\" data-label=\"" + escape(b.label) + "\" data-value=\"" +
           format_exact(b.value) + "\"><text class=\"axis\" x=\"" + num(left - 6) + "\" y=\"" +
           num(y + kBar / 2 + 4) + "\" text-anchor=\"end\">" + escape(b.label) +
           "</text><rect x=\"" + num(x0) + "\" y=\"" + num(y + 3) + "\" width=\"" +
           num(std::max(1.0, x1 - x0)) + "\" height=\"" + num(kBar - 6) + "\" fill=\"" +
           (b.value < 0 ? "#c0504d" : "#2e8b57") + "\"><title>" + escape(b.label) + ": " +
           num(b.value, 3) + "</title></rect></g>\n";
    y += kBar;
  }
  out += "</svg>\n";
  return out;
}

}  // namespace ebb::ledger::svg
