// SPDX-License-Identifier: GPL-2.0-or-later
// Errors raised inside the core library. The plugin's C boundary and the command line
// tools turn them into one message and an exit code; they never escape into Slurm.
//
// Every error carries a kind, so that callers decide by the kind and never by the wording
// of the message: ebbd answers with the HTTP status of the kind (wire::http_status), and
// the plugin treats a daemon that timed out or was unreachable differently from one that
// answered wrongly.
#pragma once

#include <stdexcept>
#include <string>

namespace ebb {

enum class ErrorKind {
  input,        // wrong input: a flag, a config key, a forecast row, a request field
  not_found,    // names something that is not there: a region, a partition
  unavailable,  // a right request that cannot be answered yet: no forecast for the region
  timeout,      // the other side did not answer within the time limit
  unreachable,  // nothing answers there: connection refused, no such socket
  failed,       // anything else: an untrusted peer, a malformed or failed answer
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

// Wrong input from a person or a file: a flag, a config key, a forecast row, a
// provider response. The message names what was wrong and where
// ("ebb.conf line 4: CarbonPrice: not a number: 'abc'").
class InputError : public Error {
 public:
  explicit InputError(const std::string& what) : Error(ErrorKind::input, what) {}
  explicit InputError(const char* what) : Error(ErrorKind::input, what) {}

 protected:
  InputError(ErrorKind kind, const std::string& what) : Error(kind, what) {}
};

// Input that names something that is not there ("unknown region 'mars'").
class NotFoundError : public InputError {
 public:
  explicit NotFoundError(const std::string& what) : InputError(ErrorKind::not_found, what) {}
};

}  // namespace ebb
