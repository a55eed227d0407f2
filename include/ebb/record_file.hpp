// SPDX-License-Identifier: GPL-2.0-or-later
// The small state files ebb keeps for itself (CacheDir/budgets, savings.state,
// runtime.model.read): a first line "<kind> <version>", then one record a line, its words
// separated by spaces. Numbers in them are written with format_exact and read with
// parse_number/parse_integer (ebb/number_text.hpp).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ebb {

// `words` of one record line, `where` ("<source> line N") for errors, the line itself.
using RecordLine = std::function<void(const std::vector<std::string_view>& words,
                                      const std::string& where, std::string_view line)>;

// Calls `record` for each non-blank line after the header. Throws InputError
// "<source> line 1: not <what> (version <version>)" when the first non-blank line is not
// "<kind> <version>", and whatever `record` throws. Returns false for a text with no
// header at all (empty), so that the caller can say what is missing.
bool for_each_record_line(std::string_view text, const std::string& source, std::string_view kind,
                          std::string_view version, std::string_view what,
                          const RecordLine& record);

}  // namespace ebb
