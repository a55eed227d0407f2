// SPDX-License-Identifier: GPL-2.0-or-later
#include "entsoe.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <pugixml.hpp>

namespace ebb::gridsources {
namespace {

// Bidding zones by their usual short names (EIC codes from the Transparency Platform's
// area list). Any other zone: give its EIC code.
const std::map<std::string, std::string>& area_codes() {
  static const std::map<std::string, std::string> codes{
      {"DE-LU", "10Y1001A1001A82H"}, {"FR", "10YFR-RTE------C"},  {"NL", "10YNL----------L"},
      {"BE", "10YBE----------2"},    {"CH", "10YCH-SWISSGRIDZ"},  {"AT", "10YAT-APG------L"},
      {"CZ", "10YCZ-CEPS-----N"},    {"PL", "10YPL-AREA-----S"},  {"DK1", "10YDK-1--------W"},
      {"DK2", "10YDK-2--------M"},   {"SE3", "10Y1001A1001A46L"}, {"SE4", "10Y1001A1001A47J"},
      {"NO1", "10YNO-1--------2"},   {"FI", "10YFI-1--------U"},  {"ES", "10YES-REE------0"},
      {"PT", "10YPT-REN------W"},
  };
  return codes;
}

std::string_view local_name(const char* name) {
  std::string_view n(name);
  const auto colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

// The first child element with this local name (documents may carry a namespace prefix).
pugi::xml_node child(pugi::xml_node node, std::string_view name) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && local_name(c.name()) == name) return c;
  }
  return {};
}

std::string_view text_of(pugi::xml_node node) {
  std::string_view t(node.child_value());
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  return t;
}

// "yyyyMMddHHmm" in UTC, as the API's periodStart/periodEnd want.
std::string compact_utc(TimePoint t) {
  std::string s = format_minute_z(t);  // 2024-01-12T06:00Z
  std::string out;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

struct Candidate {
  TimePoint start, end;
  double price;
  int sequence;         // classificationSequence position; lower wins
  Duration resolution;  // finer wins
  std::size_t series, period, point;
};

}  // namespace

std::string entsoe_area_code(const std::string& name) {
  if (name.size() == 16 && name.substr(0, 3) == "10Y") return name;
  auto it = area_codes().find(name);
  return it == area_codes().end() ? std::string() : it->second;
}

EntsoeSource::EntsoeSource(const Settings& settings, const FetchOptions& options)
    // Documented: 400 requests per minute per token; more earns a 10-minute ban.
    : ProviderSource("entsoe", settings, options, "https://web-api.tp.entsoe.eu/api",
                     RateLimit{400, std::chrono::minutes(1)}, std::chrono::minutes(30)) {
  // A saved file is checked against BiddingZone= when it is given.
  const std::string zone =
      file_ ? settings.get_or("biddingzone", "")
            : settings.require("biddingzone", "BiddingZone", "e.g. DE-LU, or an EIC code");
  if (!zone.empty()) {
    area_ = entsoe_area_code(zone);
    if (area_.empty())
      settings.fail("BiddingZone=" + zone + ": unknown; give its EIC code (10Y...)");
    asked_ = "BiddingZone " + zone + (zone == area_ ? "" : " (" + area_ + ")");
  }
  if (!file_) {
    key_file_ =
        settings.require("keyfile", "KeyFile", "a file holding the security token, mode 600");
  }
}

SignalSeries EntsoeSource::fetch_network(TimePoint now) {
  const std::string token = read_secret_file(name_, key_file_, "KeyFile");
  const TimePoint day = floor_to(now, std::chrono::hours(24));
  const TimePoint start = day - std::chrono::hours(24);
  const TimePoint end = day + std::chrono::hours(48);
  // The base URL already ends in /api; the query goes straight after it.
  return parse(get("?securityToken=" + url_encode(token) + "&documentType=A44&in_Domain=" +
                       url_encode(area_) + "&out_Domain=" + url_encode(area_) +
                       "&contract_MarketAgreement.type=A01&periodStart=" + compact_utc(start) +
                       "&periodEnd=" + compact_utc(end),
                   {"Accept: application/xml"})
                   .body,
               now);
}

SignalSeries EntsoeSource::parse(std::string_view body, TimePoint now) const {
  pugi::xml_document doc;
  const pugi::xml_parse_result loaded = doc.load_buffer(body.data(), body.size());
  if (!loaded) {
    throw SourceError(name_, std::string("malformed XML at byte ") + std::to_string(loaded.offset) +
                                 ": " + loaded.description());
  }
  const pugi::xml_node root = doc.document_element();
  const std::string_view root_name = local_name(root.name());
  if (root_name == "Acknowledgement_MarketDocument") {
    const std::string_view reason = text_of(child(child(root, "Reason"), "text"));
    const std::string_view code = text_of(child(child(root, "Reason"), "code"));
    // Code 999 "No matching data found": not published yet, try later.
    throw SourceError(
        name_,
        "no data: " + std::string(reason.empty() ? "acknowledgement without a reason" : reason) +
            (code.empty() ? "" : " (code " + std::string(code) + ")"),
        0, code == "999");
  }
  if (root_name != "Publication_MarketDocument") {
    throw SourceError(name_, "unexpected XML document '" + std::string(root_name) +
                                 "' (expected Publication_MarketDocument)");
  }

  auto fail = [&](const std::string& where, const std::string& what) -> void {
    throw SourceError(name_, where + ": " + what);
  };
  std::vector<Candidate> candidates;
  std::string currency;
  std::size_t series_index = 0;
  for (pugi::xml_node ts = root.first_child(); ts; ts = ts.next_sibling()) {
    if (ts.type() != pugi::node_element || local_name(ts.name()) != "TimeSeries") continue;
    const std::string ts_where = "TimeSeries[" + std::to_string(series_index) + "]";
    // A44 names the bidding zone twice (out_Domain = in_Domain); both must be the one asked.
    for (const char* domain : {"out_Domain.mRID", "in_Domain.mRID"}) {
      const std::string_view code = text_of(child(ts, domain));
      if (!area_.empty() && !code.empty())
        check_answer_zone(name_, ts_where + "." + domain, code, area_, asked_);
    }
    const std::string_view cur = text_of(child(ts, "currency_Unit.name"));
    const std::string_view unit = text_of(child(ts, "price_Measure_Unit.name"));
    if (cur.empty()) fail(ts_where + ".currency_Unit.name", "missing");
    if (unit != "MWH")
      fail(ts_where + ".price_Measure_Unit.name",
           "unit mismatch: '" + std::string(unit) + "', expected MWH");
    if (!currency.empty() && currency != cur)
      fail(ts_where + ".currency_Unit.name", "currency changes from " + currency);
    currency = std::string(cur);
    const std::string_view curve = text_of(child(ts, "curveType"));
    const bool carry_forward = curve == "A03";
    int sequence = 1;
    if (auto seq = text_of(child(ts, "classificationSequence_AttributeInstanceComponent.position"));
        !seq.empty()) {
      std::from_chars(seq.data(), seq.data() + seq.size(), sequence);
    }

    std::size_t period_index = 0;
    for (pugi::xml_node period = ts.first_child(); period; period = period.next_sibling()) {
      if (period.type() != pugi::node_element || local_name(period.name()) != "Period") continue;
      const std::string p_where = ts_where + ".Period[" + std::to_string(period_index) + "]";
      const pugi::xml_node interval = child(period, "timeInterval");
      TimePoint start{}, end{};
      try {
        start = parse_iso8601(text_of(child(interval, "start")));
        end = parse_iso8601(text_of(child(interval, "end")));
      } catch (const std::exception&) {
        fail(p_where + ".timeInterval", "missing or not an ISO 8601 time");
      }
      if (end <= start) fail(p_where + ".timeInterval", "ends before it starts");
      const std::string_view res = text_of(child(period, "resolution"));
      Duration step{0};
      if (res.size() > 3 && res.substr(0, 2) == "PT" && (res.back() == 'M' || res.back() == 'H')) {
        long long n = 0;
        const auto digits = res.substr(2, res.size() - 3);
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
        if (ec == std::errc{} && ptr == digits.data() + digits.size() && n > 0 && n <= 1440) {
          step = res.back() == 'M' ? Duration(n * 60) : Duration(n * 3600);
        }
      }
      if (step == Duration{0})
        fail(p_where + ".resolution", "unsupported resolution '" + std::string(res) + "'");
      const long long positions = (end - start) / step;
      if (positions > 100000) fail(p_where + ".timeInterval", "too many positions");

      // Read the points: position -> price.
      std::map<long long, std::pair<double, std::size_t>> points;
      std::size_t point_index = 0;
      for (pugi::xml_node pt = period.first_child(); pt; pt = pt.next_sibling()) {
        if (pt.type() != pugi::node_element || local_name(pt.name()) != "Point") continue;
        // Built only for a message: this loop runs once per price.
        auto pt_where = [&] { return p_where + ".Point[" + std::to_string(point_index) + "]"; };
        const std::string_view pos_text = text_of(child(pt, "position"));
        const std::string_view price_text = text_of(child(pt, "price.amount"));
        long long pos = 0;
        auto [pp, pe] = std::from_chars(pos_text.data(), pos_text.data() + pos_text.size(), pos);
        if (pe != std::errc{} || pp != pos_text.data() + pos_text.size() || pos < 1 ||
            pos > positions) {
          fail(pt_where() + ".position", "'" + std::string(pos_text.substr(0, 20)) +
                                             "' outside 1.." + std::to_string(positions));
        }
        double price = 0;
        auto [qp, qe] =
            std::from_chars(price_text.data(), price_text.data() + price_text.size(), price);
        if (qe != std::errc{} || qp != price_text.data() + price_text.size() ||
            !std::isfinite(price)) {
          fail(pt_where() + ".price.amount",
               "not a number: '" + std::string(price_text.substr(0, 20)) + "'");
        }
        if (std::fabs(price) > kMaxPrice)
          fail(pt_where() + ".price.amount", "absurd price " + number_text(price));
        if (!points.emplace(pos, std::make_pair(price, point_index)).second) {
          fail(pt_where() + ".position", "duplicate position " + std::to_string(pos));
        }
        ++point_index;
      }
      // A03: a missing position repeats the previous one, up to the period's end.
      // A01: every position is listed; a missing one is a gap.
      for (auto it = points.begin(); it != points.end(); ++it) {
        const long long first = it->first;
        auto next = std::next(it);
        const long long last =
            carry_forward ? (next == points.end() ? positions : next->first - 1) : first;
        const TimePoint s = start + step * (first - 1);
        const TimePoint e = start + step * last;
        candidates.push_back(Candidate{s, e, it->second.first, sequence, step, series_index,
                                       period_index, it->second.second});
      }
      ++period_index;
    }
    ++series_index;
  }
  if (candidates.empty()) throw SourceError(name_, "TimeSeries: no data (no points)", 0, true);

  // Keep one value per time: lower sequence first, then finer resolution, then document order.
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) {
                     if (a.sequence != b.sequence) return a.sequence < b.sequence;
                     return a.resolution < b.resolution;
                   });
  std::map<TimePoint, const Candidate*> kept;  // by start; no two overlap
  for (const Candidate& c : candidates) {
    auto after = kept.lower_bound(c.start);
    if (after != kept.end() && after->second->start < c.end) continue;
    if (after != kept.begin() && std::prev(after)->second->end > c.start) continue;
    kept.emplace(c.start, &c);
  }
  SeriesBuilder builder(name_, Quantity::price, FieldName{"Point", ""},
                        FieldName{"Point", "price.amount"});
  std::size_t i = 0;
  for (const auto& [start, c] : kept) {
    builder.add(i++, c->start, c->end, c->price, origin_by_time(c->end, now));
  }
  SignalSeries series = builder.build();
  series.currency = currency;
  if (auto domain = text_of(child(child(root, "TimeSeries"), "in_Domain.mRID")); !domain.empty()) {
    series.region = std::string(domain);
  }
  return series;
}

}  // namespace ebb::gridsources
