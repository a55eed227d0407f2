// SPDX-License-Identifier: GPL-2.0-or-later
// Reading the replay's input files: plain or gzip-compressed text, split into lines,
// with errors that name the file and the line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ebb/error.hpp"

namespace ebb::replay {

// The whole file as text; gzip files (by magic bytes, not by name) are inflated.
// Throws InputError naming the path when it cannot be read or inflated.
std::string read_text_file(const std::string& path);

// Walks the lines of a text, counting them for messages. Handles \n and \r\n.
class LineReader {
 public:
  LineReader(std::string_view text, std::string source) : text_(text), source_(std::move(source)) {}
  // The next line without its end; false at the end of the text.
  bool next(std::string_view& line);
  std::size_t line_number() const { return line_; }
  const std::string& source() const { return source_; }
  // An InputError "<source> line <n>: <reason>".
  InputError error(const std::string& reason) const;

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 0;
  std::string source_;
};

// Splits on one delimiter character; fields are views into `line`.
std::vector<std::string_view> split(std::string_view line, char delimiter);
// Splits on runs of spaces and tabs.
std::vector<std::string_view> split_whitespace(std::string_view line);
std::string_view trim(std::string_view s);
// Strict numbers: the whole field must parse. False when it does not.
bool parse_double(std::string_view s, double& out);
bool parse_int(std::string_view s, long long& out);
std::string lower(std::string_view s);

}  // namespace ebb::replay
