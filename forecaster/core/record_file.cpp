// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/record_file.hpp"

#include "ebb/error.hpp"
#include "ebb/strings.hpp"

namespace ebb {

bool for_each_record_line(std::string_view text, const std::string& source, std::string_view kind,
                          std::string_view version, std::string_view what,
                          const RecordLine& record) {
  bool header = false;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    const std::string where = source + " line " + std::to_string(++line_no);
    const auto words = split_words(line);
    if (words.empty()) continue;
    if (header) {
      record(words, where, line);
      continue;
    }
    if (words.size() != 2 || words[0] != kind || words[1] != version)
      throw InputError(where + ": not " + std::string(what) + " (version " + std::string(version) +
                       ")");
    header = true;
  }
  return header;
}

}  // namespace ebb
