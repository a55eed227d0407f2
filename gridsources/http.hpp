// SPDX-License-Identifier: GPL-2.0-or-later
// The one HTTP client of gridsources: libcurl with timeouts, retries with exponential
// backoff and jitter, Retry-After on 429 and 503, a per-provider rate limit, TLS
// verification, proxies from the environment and ebb's User-Agent.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ebb/gridsource.hpp"
#include "ebb/url.hpp"  // url_encode, for the adapters
#include "rate_limiter.hpp"

namespace ebb::gridsources {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  bool basic_auth = false;
  std::string username;  // for basic_auth
  std::string password;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names; the last value wins
  std::string header(const std::string& lower_name) const;
};

// "ebb/<version> (+carbon-aware Slurm scheduling)"
std::string default_user_agent();

class HttpClient {
 public:
  // `provider` names errors; `limiter` may be null (no limit).
  HttpClient(std::string provider, FetchOptions options, RateLimiter* limiter);

  // GET with retries. Returns the response for 2xx statuses (including 204). Throws
  // SourceError for other statuses (http_status set, message from the body) and for
  // transport failures once the retries are spent; retryable is set for 408, 429, 5xx,
  // timeouts and connection failures.
  HttpResponse get(const HttpRequest& request) const;

  const std::string& provider() const { return provider_; }
  const FetchOptions& options() const { return options_; }

 private:
  HttpResponse perform_once(const HttpRequest& request, std::string& transport_error,
                            bool& transport_retryable) const;

  std::string provider_;
  FetchOptions options_;
  RateLimiter* limiter_;
};

// Parses a Retry-After value (delta seconds or an HTTP date) relative to now; -1 if absent
// or unreadable.
long long retry_after_ms(const std::string& value);

// A short, single-line excerpt of an error body for messages: the "message"/"error"/
// "detail" text of a JSON body when there is one, else the first characters.
std::string error_excerpt(const std::string& body);

}  // namespace ebb::gridsources
