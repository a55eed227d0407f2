// SPDX-License-Identifier: GPL-2.0-or-later
#include "json.hpp"

#include <charconv>
#include <cmath>

#include "ebb/error.hpp"
#include "ebb/strings.hpp"
#include "ebb/time.hpp"

namespace ebb::gridsources {

std::string Where::str() const {
  std::string out(array);
  if (index != kNoIndex) out += "[" + std::to_string(index) + "]";
  if (!key.empty()) {
    if (!out.empty()) out += '.';
    out += key;
  }
  return out.empty() ? std::string("(document)") : out;
}

simdjson::dom::element JsonReader::parse(std::string_view body) {
  body = strip_bom(body);
  padded_ = simdjson::padded_string(body);
  simdjson::dom::element doc;
  if (auto error = parser_.parse(padded_).get(doc)) {
    throw SourceError(provider_, std::string("malformed JSON (") + simdjson::error_message(error) +
                                     ", " + std::to_string(body.size()) + " bytes)");
  }
  return doc;
}

std::optional<simdjson::dom::element> JsonReader::find(simdjson::dom::element object,
                                                       std::string_view dotted) {
  simdjson::dom::element current = object;
  while (!dotted.empty()) {
    const auto dot = dotted.find('.');
    const auto key = dotted.substr(0, dot);
    simdjson::dom::object obj;
    if (current.get_object().get(obj)) return std::nullopt;
    if (obj.at_key(key).get(current)) return std::nullopt;
    dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
  }
  return current;
}

simdjson::dom::element JsonReader::require(simdjson::dom::element object,
                                           const Where& where) const {
  auto value = find(object, where.key);
  if (!value) fail(where, "missing");
  return *value;
}

std::optional<simdjson::dom::element> JsonReader::optional(simdjson::dom::element object,
                                                           std::string_view dotted) const {
  auto value = find(object, dotted);
  if (!value || value->is_null()) return std::nullopt;
  return value;
}

double JsonReader::number(simdjson::dom::element value, const Where& where) const {
  double out = 0;
  switch (value.type()) {
    case simdjson::dom::element_type::DOUBLE:
      out = double(value);
      break;
    case simdjson::dom::element_type::INT64:
      out = static_cast<double>(int64_t(value));
      break;
    case simdjson::dom::element_type::UINT64:
      out = static_cast<double>(uint64_t(value));
      break;
    case simdjson::dom::element_type::STRING: {
      std::string_view s = value.get_string().value_unsafe();
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
      while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) {
        fail(where, "not a number: '" + std::string(s.substr(0, 40)) + "'");
      }
      break;
    }
    case simdjson::dom::element_type::NULL_VALUE:
      fail(where, "null where a number is needed");
    default:
      fail(where, "not a number");
  }
  if (!std::isfinite(out)) fail(where, "not a finite number");
  return out;
}

std::string_view JsonReader::string(simdjson::dom::element value, const Where& where) const {
  std::string_view out;
  if (value.get_string().get(out)) fail(where, "not a string");
  return out;
}

simdjson::dom::array JsonReader::array(simdjson::dom::element value, const Where& where) const {
  simdjson::dom::array out;
  if (value.get_array().get(out))
    fail(where, value.is_null() ? "null where an array is needed" : "not an array");
  return out;
}

simdjson::dom::object JsonReader::object(simdjson::dom::element value, const Where& where) const {
  simdjson::dom::object out;
  if (value.get_object().get(out)) fail(where, "not an object");
  return out;
}

TimePoint JsonReader::time_text(std::string_view text, const Where& where) const {
  try {
    return parse_iso8601(text);
  } catch (const InputError&) {
    fail(where, "not an ISO 8601 time: '" + std::string(text.substr(0, 60)) + "'");
  }
}

TimePoint JsonReader::time(simdjson::dom::element value, const Where& where) const {
  return time_text(string(value, where), where);
}

void JsonReader::fail(const Where& where, const std::string& what) const {
  throw SourceError(provider_, where.str() + ": " + what);
}

std::string_view strip_bom(std::string_view body) { return ebb::strip_bom(body); }

}  // namespace ebb::gridsources
