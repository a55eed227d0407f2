// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/number_text.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

#include "ebb/error.hpp"
#include "ebb/input.hpp"

namespace ebb {

std::string format_exact(double v) {
  char buf[64];  // the shortest form of any double fits in 24
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

std::string format_fixed(double v, int decimals) {
  char buf[512];  // DBL_MAX has 309 digits before the point
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

double parse_number(std::string_view s, const std::string& where) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v))
    throw InputError(where + ": not a number: " + in_quotes(s));
  return v;
}

long long parse_integer(std::string_view s, const std::string& where) {
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    throw InputError(where + ": not a whole number: " + in_quotes(s));
  return v;
}

}  // namespace ebb
