// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/forecast_file.hpp"

#include <simdjson.h>

#include <charconv>
#include <cstdio>
#include <limits>
#include <optional>

#include "ebb/error.hpp"
#include "ebb/input.hpp"
#include "ebb/strings.hpp"

namespace ebb {

namespace {

bool parse_number(std::string_view text, double& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && std::isfinite(out);
}

// Rows hold until the next row. A row without a carbon value starts a gap (or, as the
// last row, marks where the data ends); the last row with a value otherwise holds for
// the step before it.
SignalSeries finish(std::vector<TimePoint> times, std::vector<double> carbon,
                    std::vector<double> price, const std::string& source) {
  std::vector<Slot> slots;
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (std::isnan(carbon[i])) continue;
    Slot s;
    s.start = times[i];
    if (i + 1 < times.size())
      s.end = times[i + 1];
    else if (i > 0)
      s.end = s.start + (times[i] - times[i - 1]);
    else
      s.end = s.start + hours(1);
    s.carbon = carbon[i];
    s.price = price[i];
    slots.push_back(s);
  }
  if (slots.empty()) throw InputError(source + ": no forecast rows");
  return SignalSeries(std::move(slots), source);
}

}  // namespace

SignalSeries parse_forecast_csv(std::string_view text, const std::string& source) {
  text = strip_bom(text);
  std::vector<TimePoint> times;
  std::vector<double> carbon, price;
  int time_col = -1, carbon_col = -1, price_col = -1;
  std::size_t line_no = 0;
  bool header_seen = false;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    auto where = [&] { return source + " line " + std::to_string(line_no) + ": "; };
    auto cells = split_trimmed(line, ',');
    if (!header_seen) {
      for (std::size_t i = 0; i < cells.size(); ++i) {
        if (cells[i] == "time")
          time_col = static_cast<int>(i);
        else if (cells[i] == "carbon_intensity")
          carbon_col = static_cast<int>(i);
        else if (cells[i] == "price")
          price_col = static_cast<int>(i);
      }
      if (time_col < 0 || carbon_col < 0)
        throw InputError(where() + "expected a header 'time,carbon_intensity[,price]', got " +
                         in_quotes(line));
      header_seen = true;
      continue;
    }
    auto cell = [&](int col) -> std::string_view {
      return col >= 0 && static_cast<std::size_t>(col) < cells.size() ? cells[col]
                                                                      : std::string_view{};
    };
    TimePoint t;
    try {
      t = parse_iso8601(cell(time_col));
    } catch (const InputError& e) {
      throw InputError(where() + "time: " + e.what());
    }
    if (!times.empty() && t <= times.back())
      throw InputError(where() + "time " + format_utc(t) +
                       (t == times.back() ? " is repeated" : " goes backwards"));
    double c = std::numeric_limits<double>::quiet_NaN();
    if (!cell(carbon_col).empty() && !parse_number(cell(carbon_col), c))
      throw InputError(where() + "carbon_intensity: not a number: " + in_quotes(cell(carbon_col)));
    if (c < 0)
      throw InputError(where() + "carbon_intensity: negative: " + in_quotes(cell(carbon_col)));
    double p = kNoPrice;
    if (!cell(price_col).empty() && !parse_number(cell(price_col), p))
      throw InputError(where() + "price: not a number: " + in_quotes(cell(price_col)));
    times.push_back(t);
    carbon.push_back(c);
    price.push_back(p);
  }
  if (!header_seen) throw InputError(source + ": empty forecast file");
  return finish(std::move(times), std::move(carbon), std::move(price), source);
}

SignalSeries parse_forecast_json(std::string_view text, const std::string& source) {
  text = strip_bom(text);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root))
    throw InputError(source + ": not valid JSON: " + simdjson::error_message(err));
  simdjson::dom::array data;
  if (root["data"].get_array().get(data))
    throw InputError(source + ": expected an object with a \"data\" array");
  std::vector<TimePoint> times;
  std::vector<double> carbon, price;
  std::size_t i = 0;
  for (simdjson::dom::element entry : data) {
    auto where = [&] { return source + ": data[" + std::to_string(i) + "]: "; };
    std::string_view ts;
    if (entry["time"].get_string().get(ts)) throw InputError(where() + "missing \"time\" string");
    TimePoint t;
    try {
      t = parse_iso8601(ts);
    } catch (const InputError& e) {
      throw InputError(where() + "time: " + e.what());
    }
    if (!times.empty() && t <= times.back())
      throw InputError(where() + "time " + format_utc(t) + " is not after the previous entry");
    double c = std::numeric_limits<double>::quiet_NaN();
    auto ce = entry["carbon_intensity"];
    if (ce.error()) throw InputError(where() + "missing \"carbon_intensity\"");
    if (!ce.is_null() && ce.get_double().get(c))
      throw InputError(where() + "\"carbon_intensity\" is not a number");
    double p = kNoPrice;
    auto pe = entry["price"];
    if (!pe.error() && !pe.is_null() && pe.get_double().get(p))
      throw InputError(where() + "\"price\" is not a number");
    times.push_back(t);
    carbon.push_back(c);
    price.push_back(p);
    ++i;
  }
  SignalSeries s = finish(std::move(times), std::move(carbon), std::move(price), source);
  std::string_view v;
  if (!root["region"].get_string().get(v)) s.region = std::string(v);
  if (!root["currency"].get_string().get(v)) s.currency = std::string(v);
  if (!root["kind"].get_string().get(v)) {
    if (v == "marginal")
      s.kind = SignalKind::marginal;
    else if (v != "average")
      throw InputError(source + ": kind must be average or marginal");
  }
  return s;
}

SignalSeries parse_forecast(std::string_view text, const std::string& source) {
  std::string_view t = strip_bom(text);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  if (!t.empty() && t.front() == '{') return parse_forecast_json(t, source);
  return parse_forecast_csv(t, source);
}

SignalSeries read_forecast_file(const std::string& path) {
  return parse_forecast(read_bounded_file(path, kMaxForecastFileBytes, "forecast file"), path);
}

std::string to_forecast_csv(const SignalSeries& series) {
  std::string out = "time,carbon_intensity,price\n";
  char buf[160];
  const auto& slots = series.slots();
  std::optional<TimePoint> previous_row;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const Slot& s = slots[i];
    if (s.has_price())
      std::snprintf(buf, sizeof buf, "%s,%.10g,%.10g\n", format_utc(s.start).c_str(), s.carbon,
                    s.price);
    else
      std::snprintf(buf, sizeof buf, "%s,%.10g,\n", format_utc(s.start).c_str(), s.carbon);
    out += buf;
    // Close a gap, or the data's end, with an empty row, unless the reader's rule (the
    // next row, or the previous step for the last) already gives this end.
    bool last = i + 1 == slots.size();
    bool implied = last ? (previous_row ? s.end - s.start == s.start - *previous_row
                                        : s.end - s.start == hours(1))
                        : slots[i + 1].start == s.end;
    previous_row = s.start;
    if (!implied) {
      out += format_utc(s.end) + ",,\n";
      previous_row = s.end;
    }
  }
  return out;
}

}  // namespace ebb
