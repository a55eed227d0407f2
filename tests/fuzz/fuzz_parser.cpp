// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target for one provider parser, chosen at build time by EBB_FUZZ_PARSER
// (tests/fuzz/CMakeLists.txt builds one executable per parser). A parser may reject any
// input with SourceError or InputError; anything else (a crash, another exception, a
// sanitizer report, a series that breaks SignalSeries' invariants) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ebb/error.hpp"
#include "parsers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto parser = ebbfuzz::make_parser(EBB_FUZZ_PARSER);
  if (!parser) std::abort();
  const ebb::TimePoint now{ebb::Duration{1700000000}};
  try {
    const ebb::SignalSeries series =
        parser->parse(std::string_view(reinterpret_cast<const char*>(data), size), now);
    // Re-validate: the constructor checks order, overlap and value ranges.
    const ebb::SignalSeries copy(series.slots(), series.source);
    (void)copy;
  } catch (const ebb::SourceError&) {
  } catch (const ebb::InputError&) {
  }
  return 0;
}
