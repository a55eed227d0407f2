// SPDX-License-Identifier: GPL-2.0-or-later
// simdjson helpers that turn every malformed or unexpected value into a SourceError naming
// the provider and the field ("watttime: data[3].value: not a number").
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "ebb/gridsource.hpp"

namespace ebb::gridsources {

inline constexpr std::size_t kNoIndex = std::numeric_limits<std::size_t>::max();

// Names a field for messages without allocating until a message is built:
// {"data", 3, "value"} -> "data[3].value"; {"", kNoIndex, "meta.units"} -> "meta.units".
struct Where {
  std::string_view array;
  std::size_t index = kNoIndex;
  std::string_view key;
  std::string str() const;
};

// Drops a leading UTF-8 byte order mark (EF BB BF), as .NET tools write one.
std::string_view strip_bom(std::string_view body);

class JsonReader {
 public:
  explicit JsonReader(std::string provider) : provider_(std::move(provider)) {}

  // Parses a whole document (after stripping a BOM). The returned element lives until the
  // next parse() on this reader. Truncated or malformed JSON is a SourceError.
  simdjson::dom::element parse(std::string_view body);

  // The value at a dotted key path below `object` ("intensity.forecast"); nullopt when a
  // key is missing or a step is not an object. A JSON null is returned as an element.
  static std::optional<simdjson::dom::element> find(simdjson::dom::element object,
                                                    std::string_view dotted);
  // Like find, but missing is an error naming where.key.
  simdjson::dom::element require(simdjson::dom::element object, const Where& where) const;
  // Missing or null -> nullopt.
  std::optional<simdjson::dom::element> optional(simdjson::dom::element object,
                                                 std::string_view dotted) const;

  // Conversions; `where` names the value itself. Numbers may arrive as JSON strings ("0.6").
  double number(simdjson::dom::element value, const Where& where) const;
  std::string_view string(simdjson::dom::element value, const Where& where) const;
  simdjson::dom::array array(simdjson::dom::element value, const Where& where) const;
  simdjson::dom::object object(simdjson::dom::element value, const Where& where) const;
  TimePoint time(simdjson::dom::element value, const Where& where) const;
  // ISO 8601 text to a time point, errors naming where.
  TimePoint time_text(std::string_view text, const Where& where) const;

  [[noreturn]] void fail(const Where& where, const std::string& what) const;
  const std::string& provider() const { return provider_; }

 private:
  std::string provider_;
  simdjson::dom::parser parser_;
  simdjson::padded_string padded_;
};

}  // namespace ebb::gridsources
