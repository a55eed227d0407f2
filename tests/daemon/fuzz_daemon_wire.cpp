// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target for what ebbd reads from the network and from its cache folder: plan
// requests, plan answers (the plugin's side), forecast answers and history files. Every
// input must either decode or raise ebb::InputError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ebb/error.hpp"
#include "history.hpp"
#include "protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    ebb::wire::decode_plan_query(text);
  } catch (const ebb::InputError&) {
  }
  try {
    ebb::wire::decode_decision(text);
  } catch (const ebb::InputError&) {
  }
  try {
    ebb::wire::decode_forecast(text);
  } catch (const ebb::InputError&) {
  }
  try {
    ebb::daemon::History::parse(text, "fuzz");
  } catch (const ebb::InputError&) {
  }
  return 0;
}
