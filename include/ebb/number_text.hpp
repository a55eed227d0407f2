// SPDX-License-Identifier: GPL-2.0-or-later
// Numbers as text, without locale and without truncation (std::to_chars/from_chars): for
// the files ebb writes and reads back (budgets, savings state), its CSV and its reports.
// Parse errors name the place, as every input error in ebb does.
#pragma once

#include <string>
#include <string_view>

namespace ebb {

// The shortest text that reads back as the same double ("0.1", "1e+300").
std::string format_exact(double v);
// Fixed notation with `decimals` places ("12.50").
std::string format_fixed(double v, int decimals);

// The whole of `s` as a finite number, else InputError "<where>: not a number: '<s>'".
double parse_number(std::string_view s, const std::string& where);
// The whole of `s` as a whole number, else InputError "<where>: not a whole number: '<s>'".
long long parse_integer(std::string_view s, const std::string& where);

}  // namespace ebb
