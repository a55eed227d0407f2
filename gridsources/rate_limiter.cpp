// SPDX-License-Identifier: GPL-2.0-or-later
#include "rate_limiter.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <stdexcept>
#include <thread>

namespace ebb::gridsources {

RateLimit parse_rate_limit(std::string_view text) {
  if (text == "none" || text == "unlimited") return {};
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    throw std::invalid_argument("rate limit '" + std::string(text) +
                                "': expected N/period, e.g. 400/1m");
  }
  double requests = 0;
  const auto count = text.substr(0, slash);
  auto [p1, e1] = std::from_chars(count.data(), count.data() + count.size(), requests);
  if (e1 != std::errc{} || p1 != count.data() + count.size() || requests <= 0) {
    throw std::invalid_argument("rate limit '" + std::string(text) + "': bad request count");
  }
  auto period = text.substr(slash + 1);
  double amount = 1;
  auto [p2, e2] = std::from_chars(period.data(), period.data() + period.size(), amount);
  if (e2 == std::errc{}) period = period.substr(static_cast<std::size_t>(p2 - period.data()));
  double unit = 0;
  if (period == "s")
    unit = 1;
  else if (period == "m")
    unit = 60;
  else if (period == "h")
    unit = 3600;
  else if (period == "d")
    unit = 86400;
  if (unit == 0 || amount <= 0) {
    throw std::invalid_argument("rate limit '" + std::string(text) +
                                "': period must be like 1s, 5m, 1h, 1d");
  }
  return RateLimit{requests, std::chrono::duration<double>(amount * unit)};
}

RateLimiter::RateLimiter(RateLimit limit)
    : limit_(limit), tokens_(limit.requests), last_(std::chrono::steady_clock::now()) {}

void RateLimiter::refill(std::chrono::steady_clock::time_point now) {
  const std::chrono::duration<double> elapsed = now - last_;
  last_ = now;
  tokens_ = std::min(limit_.requests, tokens_ + elapsed / limit_.period * limit_.requests);
}

std::chrono::milliseconds RateLimiter::wait_time() {
  if (limit_.unlimited()) return std::chrono::milliseconds{0};
  std::lock_guard lock(mutex_);
  refill(std::chrono::steady_clock::now());
  if (tokens_ >= 1) return std::chrono::milliseconds{0};
  const double seconds = (1 - tokens_) / limit_.requests * limit_.period.count();
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000) + 1);
}

bool RateLimiter::acquire(std::chrono::milliseconds max_wait) {
  if (limit_.unlimited()) return true;
  for (;;) {
    std::chrono::milliseconds wait{0};
    {
      std::lock_guard lock(mutex_);
      refill(std::chrono::steady_clock::now());
      if (tokens_ >= 1) {
        tokens_ -= 1;
        return true;
      }
      const double seconds = (1 - tokens_) / limit_.requests * limit_.period.count();
      wait = std::chrono::milliseconds(static_cast<long long>(seconds * 1000) + 1);
    }
    if (wait > max_wait) return false;
    std::this_thread::sleep_for(wait);
    max_wait -= wait;
  }
}

RateLimiter& shared_rate_limiter(const std::string& key, RateLimit limit) {
  static std::mutex registry_mutex;
  static std::map<std::string, std::unique_ptr<RateLimiter>> registry;
  std::lock_guard lock(registry_mutex);
  auto& slot = registry[key];
  if (!slot) slot = std::make_unique<RateLimiter>(limit);
  return *slot;
}

}  // namespace ebb::gridsources
