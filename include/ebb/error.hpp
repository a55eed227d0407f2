// SPDX-License-Identifier: GPL-2.0-or-later
// Errors raised inside the core library. The plugin's C boundary and the command line
// tools turn them into one message and an exit code; they never escape into Slurm.
#pragma once

#include <stdexcept>
#include <string>

namespace ebb {

// Wrong input from a person or a file: a flag, a config key, a forecast row, a
// provider response. The message names what was wrong and where
// ("ebb.conf line 4: CarbonPrice: not a number: 'abc'").
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ebb
