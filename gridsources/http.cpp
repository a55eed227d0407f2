// SPDX-License-Identifier: GPL-2.0-or-later
#include "http.hpp"

#include <curl/curl.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <mutex>
#include <random>
#include <thread>

#ifndef EBB_VERSION
#define EBB_VERSION "0.0.0"
#endif

namespace ebb::gridsources {
namespace {

constexpr std::size_t kMaxBody = 64u << 20;  // a provider answer larger than this is an error

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  std::string body;
  std::map<std::string, std::string> headers;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (t->body.size() + n > kMaxBody) {
    t->too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  t->body.append(data, n);
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) t->headers.clear();  // a new response (redirect, 100-continue)
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto value = line.substr(colon + 1);
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front())))
      value.remove_prefix(1);
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back())))
      value.remove_suffix(1);
    t->headers[name] = std::string(value);
  }
  return n;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

bool retryable_status(long status) {
  return status == 408 || status == 425 || status == 429 || status == 500 || status == 502 ||
         status == 503 || status == 504;
}

std::chrono::milliseconds jittered_backoff(const FetchOptions& o, int attempt) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const double cap = static_cast<double>(o.max_backoff.count());
  const double exp = static_cast<double>(o.backoff_base.count()) *
                     static_cast<double>(1ll << std::min(attempt, 20));
  std::uniform_real_distribution<double> dist(0.0, std::min(cap, exp));
  return std::chrono::milliseconds(static_cast<long long>(dist(rng)));
}

std::string one_line(std::string_view text, std::size_t max) {
  std::string out;
  for (char c : text) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  return out;
}

}  // namespace

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::string default_user_agent() { return "ebb/" EBB_VERSION " (+carbon-aware Slurm scheduling)"; }

long long retry_after_ms(const std::string& value) {
  if (value.empty()) return -1;
  if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (value.size() > 9) return -1;
    return std::stoll(value) * 1000;
  }
  const time_t when = curl_getdate(value.c_str(), nullptr);
  if (when < 0) return -1;
  const long long delta = static_cast<long long>(when) - static_cast<long long>(std::time(nullptr));
  return std::max(0ll, delta) * 1000;
}

std::string error_excerpt(const std::string& body) {
  if (body.empty()) return "empty body";
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (!parser.parse(body).get(doc)) {
    // Shapes seen: {"error":"..."}, {"error":{"message":...}}, {"message":...}, {"msg":...},
    // {"detail":"..."}, RFC 7807 {"title","detail"}.
    for (const char* key : {"message", "msg", "detail", "title", "error"}) {
      simdjson::dom::element v;
      if (doc.at_key(key).get(v)) continue;
      std::string_view s;
      if (!v.get_string().get(s)) return one_line(s, 300);
      simdjson::dom::element inner;
      if (!v.at_key("message").get(inner) && !inner.get_string().get(s)) return one_line(s, 300);
    }
  }
  // ENTSO-E's acknowledgement documents carry the reason in <text>.
  if (const auto open = body.find("<text>"); open != std::string::npos) {
    const auto close = body.find("</text>", open);
    if (close != std::string::npos)
      return one_line(std::string_view(body).substr(open + 6, close - open - 6), 300);
  }
  return one_line(body, 200);
}

HttpClient::HttpClient(std::string provider, FetchOptions options, RateLimiter* limiter)
    : provider_(std::move(provider)), options_(std::move(options)), limiter_(limiter) {
  init_curl_once();
  if (options_.user_agent.empty()) options_.user_agent = default_user_agent();
}

HttpResponse HttpClient::perform_once(const HttpRequest& request, std::string& transport_error,
                                      bool& transport_retryable) const {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) throw SourceError(provider_, "cannot initialise libcurl");
  Transfer t;
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // ebbd is threaded; timeouts must not use SIGALRM
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // whatever this libcurl can decode
  // TLS verification stays on whatever the environment says; only the CA bundle may change.
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  // No CURLOPT_PROXY / CURLOPT_NOPROXY: libcurl then reads https_proxy, HTTPS_PROXY,
  // http_proxy, all_proxy and no_proxy / NO_PROXY from the environment itself.
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const auto& h : request.headers) {
    curl_slist* next = curl_slist_append(headers.get(), h.c_str());
    if (!next) throw SourceError(provider_, "out of memory building request headers");
    headers.release();
    headers.reset(next);
  }
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (request.basic_auth) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(c, CURLOPT_USERNAME, request.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, request.password.c_str());
  }

  const CURLcode rc = curl_easy_perform(c);
  HttpResponse response;
  if (rc != CURLE_OK) {
    if (t.too_large) {
      transport_error = "response larger than " + std::to_string(kMaxBody >> 20) + " MiB";
      transport_retryable = false;
    } else {
      transport_error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
      transport_retryable = rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_COULDNT_CONNECT ||
                            rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY ||
                            rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
                            rc == CURLE_GOT_NOTHING || rc == CURLE_PARTIAL_FILE;
    }
    return response;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  response.body = std::move(t.body);
  response.headers = std::move(t.headers);
  return response;
}

HttpResponse HttpClient::get(const HttpRequest& request) const {
  const int attempts = 1 + std::max(0, options_.max_retries);
  for (int attempt = 0;; ++attempt) {
    if (limiter_ && !limiter_->acquire(options_.total_timeout)) {
      throw SourceError(provider_,
                        "request rate limit reached; next request allowed in " +
                            std::to_string(limiter_->wait_time().count() / 1000 + 1) + " s",
                        0, true);
    }
    std::string transport_error;
    bool transport_retryable = false;
    HttpResponse response = perform_once(request, transport_error, transport_retryable);
    const bool last = attempt + 1 >= attempts;
    std::chrono::milliseconds wait = jittered_backoff(options_, attempt);

    if (!transport_error.empty()) {
      if (!transport_retryable || last) {
        throw SourceError(
            provider_,
            "request failed: " + transport_error +
                (attempt > 0 ? " (after " + std::to_string(attempt + 1) + " attempts)" : ""),
            0, transport_retryable);
      }
    } else if (response.status >= 200 && response.status < 300) {
      return response;
    } else {
      const bool retry = retryable_status(response.status);
      std::string message =
          "HTTP " + std::to_string(response.status) + ": " + error_excerpt(response.body);
      if (!retry || last) {
        if (attempt > 0) message += " (after " + std::to_string(attempt + 1) + " attempts)";
        throw SourceError(provider_, message, static_cast<int>(response.status), retry);
      }
      if (response.status == 429 || response.status == 503) {
        const long long after = retry_after_ms(response.header("retry-after"));
        if (after >= 0) {
          if (std::chrono::milliseconds(after) > options_.max_retry_after) {
            throw SourceError(provider_,
                              message + "; Retry-After " + std::to_string(after / 1000) +
                                  " s is longer than we wait, giving up for now",
                              static_cast<int>(response.status), true);
          }
          wait = std::chrono::milliseconds(after);
        }
      }
    }
    std::this_thread::sleep_for(wait);
  }
}

}  // namespace ebb::gridsources
