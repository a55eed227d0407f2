// SPDX-License-Identifier: GPL-2.0-or-later
// The small text helpers every part of ebb needs, in one place. ASCII only: the keys,
// units and HTTP header names ebb compares are ASCII, and no locale is consulted.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ebb {

// "PartitionName" -> "partitionname".
std::string lower(std::string_view s);
// Equal ignoring ASCII case: iequals("Config", "config").
bool iequals(std::string_view a, std::string_view b);
// Without leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r).
std::string_view trim(std::string_view s);
// Every field between `sep`s, empty ones included, untrimmed: "a,,b" -> {"a", "", "b"}.
// The fields are views into `s`.
std::vector<std::string_view> split(std::string_view s, char sep);
// split, each field trimmed: " a , b " -> {"a", "b"}.
std::vector<std::string_view> split_trimmed(std::string_view s, char sep);
// The words of `line` between runs of spaces: " a  b " -> {"a", "b"}.
std::vector<std::string_view> split_words(std::string_view line);
// One CSV field as RFC 4180 writes it: quoted (quotes doubled) when it holds a comma, a
// quote or a line break.
std::string csv_field(std::string_view s);
// Without a leading UTF-8 byte order mark (EF BB BF), as .NET tools and Excel write one.
std::string_view strip_bom(std::string_view s);

}  // namespace ebb
