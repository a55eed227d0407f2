// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/plan_record.hpp"

#include <charconv>
#include <cmath>
#include <vector>

#include "ebb/error.hpp"

namespace ebb {

namespace {

std::int64_t epoch(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint from_epoch(std::int64_t s) { return TimePoint{std::chrono::seconds{s}}; }

// Shortest text that keeps `digits` significant digits; "nan" for unknown.
std::string number(double v, int digits) {
  if (!std::isfinite(v)) return "nan";
  // to_chars cannot overflow: it reports a short buffer instead of truncating (and
  // -Wformat-truncation cannot prove snprintf's %.*g fits in 32 bytes).
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, digits);
  if (ec != std::errc{}) return "nan";
  return std::string(buf, end);
}

bool plain_currency(std::string_view c) {
  if (c.size() > 8) return false;
  for (char ch : c)
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))) return false;
  return true;
}

std::string encode_with(const PlanRecord& r, int digits) {
  std::string s(kPlanRecordTag);
  s += "a=" + std::to_string(epoch(r.asked));
  s += ",p=" + std::to_string(epoch(r.planned));
  if (r.deadline) s += ",d=" + std::to_string(epoch(*r.deadline));
  s += ",l=" + std::to_string(epoch(r.latest_start));
  s += ",o=";
  s += to_string(r.objective);
  s += ",cp=" + number(r.carbon_price, digits);
  s += ",cur=" + (plain_currency(r.currency) ? r.currency : std::string());
  s += ",kwh=" + number(r.kwh, digits);
  s += ",ci=" + number(r.carbon_planned, digits) + "/" + number(r.carbon_asked, digits);
  s += ",pr=" + number(r.price_planned, digits) + "/" + number(r.price_asked, digits);
  s += ",m=" + std::to_string(r.moves);
  std::string v;
  for (char ch : r.version.substr(0, 16))
    if ((ch >= '0' && ch <= '9') || ch == '.' || (ch >= 'a' && ch <= 'z') || ch == '-') v += ch;
  s += ",v=" + v;
  return s;
}

[[noreturn]] void bad(std::string_view key, std::string_view value, std::string_view why) {
  throw InputError("ebb plan record: " + std::string(key) + "=" + std::string(value.substr(0, 40)) +
                   ": " + std::string(why));
}

std::int64_t parse_int(std::string_view key, std::string_view v) {
  std::int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc{} || p != v.data() + v.size()) bad(key, v, "not a whole number");
  // Plausible epoch seconds or counts: no time before 1970 or after 9999.
  if (out < 0 || out > 253402300799) bad(key, v, "out of range");
  return out;
}

double parse_real(std::string_view key, std::string_view v) {
  if (v == "nan") return kNoPrice;
  double out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc{} || p != v.data() + v.size() || !std::isfinite(out))
    bad(key, v, "not a number");
  return out;
}

std::pair<double, double> parse_pair(std::string_view key, std::string_view v) {
  auto slash = v.find('/');
  if (slash == std::string_view::npos) bad(key, v, "expected planned/asked");
  return {parse_real(key, v.substr(0, slash)), parse_real(key, v.substr(slash + 1))};
}

// Where the record starts in `text`: the tag at the start or after a space.
std::size_t record_start(std::string_view text) {
  for (std::size_t at = text.find(kPlanRecordTag); at != std::string_view::npos;
       at = text.find(kPlanRecordTag, at + 1)) {
    if (at == 0 || text[at - 1] == ' ' || text[at - 1] == ';' || text[at - 1] == ',') return at;
  }
  return std::string_view::npos;
}

}  // namespace

PlanRecord plan_record_for(const Decision& decision, const PlanQuery& query, const Policy& policy,
                           std::string_view version) {
  PlanRecord r;
  r.asked = decision.baseline.start;
  r.planned = decision.defer ? decision.start : decision.baseline.start;
  r.deadline = query.deadline;
  r.latest_start = decision.latest_start;
  r.objective = decision.objective;
  r.carbon_price = policy.carbon_price;
  r.currency = decision.currency;
  r.kwh = decision.energy_kwh;
  r.carbon_planned = decision.defer ? decision.chosen.mean_carbon : decision.baseline.mean_carbon;
  r.carbon_asked = decision.baseline.mean_carbon;
  r.price_planned = decision.defer ? decision.chosen.mean_price : decision.baseline.mean_price;
  r.price_asked = decision.baseline.mean_price;
  r.version = std::string(version);
  return r;
}

std::string encode_plan_record(const PlanRecord& record) {
  for (int digits = 6; digits >= 2; --digits) {
    std::string s = encode_with(record, digits);
    if (s.size() <= kMaxPlanRecordBytes) return s;
  }
  PlanRecord shorter = record;
  shorter.version.clear();
  shorter.currency.clear();
  return encode_with(shorter, 2);  // epoch times and keys alone are ~110 bytes
}

std::optional<PlanRecord> find_plan_record(std::string_view text) {
  const std::size_t at = record_start(text);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view body = text.substr(at + kPlanRecordTag.size());
  body = body.substr(0, std::min(body.find(' '), body.size()));
  PlanRecord r;
  bool have_a = false, have_p = false, have_l = false, have_o = false;
  while (!body.empty()) {
    const std::size_t comma = std::min(body.find(','), body.size());
    std::string_view item = body.substr(0, comma);
    body = body.substr(std::min(comma + 1, body.size()));
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) bad(item, "", "expected key=value");
    const std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "a") {
      r.asked = from_epoch(parse_int(key, value)), have_a = true;
    } else if (key == "p") {
      r.planned = from_epoch(parse_int(key, value)), have_p = true;
    } else if (key == "d") {
      r.deadline = from_epoch(parse_int(key, value));
    } else if (key == "l") {
      r.latest_start = from_epoch(parse_int(key, value)), have_l = true;
    } else if (key == "o") {
      try {
        r.objective = parse_objective(value);
      } catch (const InputError&) {
        bad(key, value, "not carbon, cost or balanced");
      }
      have_o = true;
    } else if (key == "cp") {
      r.carbon_price = parse_real(key, value);
    } else if (key == "cur") {
      if (!plain_currency(value)) bad(key, value, "not a currency code");
      r.currency = std::string(value);
    } else if (key == "kwh") {
      r.kwh = parse_real(key, value);
    } else if (key == "ci") {
      std::tie(r.carbon_planned, r.carbon_asked) = parse_pair(key, value);
    } else if (key == "pr") {
      std::tie(r.price_planned, r.price_asked) = parse_pair(key, value);
    } else if (key == "m") {
      auto m = parse_int(key, value);
      if (m > 1000000) bad(key, value, "out of range");
      r.moves = static_cast<std::uint32_t>(m);
    } else if (key == "v") {
      r.version = std::string(value.substr(0, 16));
    }  // unknown keys: a later minor version's
  }
  if (!have_a || !have_p || !have_l || !have_o)
    throw InputError("ebb plan record: missing one of a=, p=, l=, o=");
  if (r.planned < r.asked) bad("p", std::to_string(epoch(r.planned)), "before a=");
  return r;
}

std::string with_plan_record(std::string_view text, const PlanRecord& record,
                             std::size_t max_bytes) {
  const std::string encoded = encode_plan_record(record);
  std::string out;
  const std::size_t at = record_start(text);
  if (at == std::string_view::npos) {
    out = std::string(text);
    if (!out.empty()) out += ' ';
    out += encoded;
  } else {
    const std::size_t end = std::min(text.find(' ', at), text.size());
    out = std::string(text.substr(0, at)) + encoded + std::string(text.substr(end));
  }
  if (out.size() > max_bytes)
    throw InputError("AdminComment would be " + std::to_string(out.size()) +
                     " bytes with ebb's plan record (at most " + std::to_string(max_bytes) + ")");
  return out;
}

}  // namespace ebb
