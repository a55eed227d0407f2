// SPDX-License-Identifier: GPL-2.0-or-later
// A token bucket per provider, shared by every source of that provider in the process,
// so ebbd stays within each provider's published request limit (gridsources/README.md).
#pragma once

#include <chrono>
#include <mutex>
#include <string>

namespace ebb::gridsources {

struct RateLimit {
  double requests = 0;                     // bucket size: this many requests ...
  std::chrono::duration<double> period{};  // ... per this period, refilled evenly
  bool unlimited() const { return requests <= 0 || period.count() <= 0; }
};

// "400/1m", "3000/5m", "100/1d", "10/1s", "none". Throws std::invalid_argument.
RateLimit parse_rate_limit(std::string_view text);

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit);
  // Takes one token, sleeping until one is free if that takes at most `max_wait`.
  // Returns false (taking nothing) when the wait would be longer.
  bool acquire(std::chrono::milliseconds max_wait);
  // How long until a token is free (zero when one is free now).
  std::chrono::milliseconds wait_time();

 private:
  void refill(std::chrono::steady_clock::time_point now);

  RateLimit limit_;
  std::mutex mutex_;
  double tokens_;
  std::chrono::steady_clock::time_point last_;
};

// The process-wide limiter for `key` (normally the provider's name). The first call for
// a key fixes its limit; later calls share that bucket.
RateLimiter& shared_rate_limiter(const std::string& key, RateLimit limit);

}  // namespace ebb::gridsources
