// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/daemon_client.hpp"

#include <cctype>

#include "daemon_auth.hpp"
#include "ebb/error.hpp"
#include "ebb/input.hpp"
#include "ebb/strings.hpp"
#include "ebb/url.hpp"
#include "http_request.hpp"
#include "protocol.hpp"

namespace ebb {
namespace {

// An error answer: its kind from the status, and the "error" text rather than raw JSON.
DaemonError answer_error(const http::Response& r) {
  const std::string text = printable_excerpt(wire::decode_error(r.body));
  return {wire::error_kind_of_status(r.status),
          "ebbd answered HTTP " + std::to_string(r.status) + ": " + text};
}

// The exchange failed before an answer could be used: a timeout or a refused connection
// keep their kind; anything else (a bad URL, an untrusted peer, a malformed answer) failed.
DaemonError exchange_error(const std::string& url, const std::exception& e) {
  const auto* request_error = dynamic_cast<const http::RequestError*>(&e);
  return {request_error ? request_error->kind() : ErrorKind::failed,
          "ebbd at " + url + ": " + e.what()};
}

void set_error(DaemonError* error, DaemonError why) {
  if (error) *error = std::move(why);
}

// One exchange with ebbd whose answer is returned only when `trust` is satisfied;
// throws (RequestError, InputError, std::runtime_error) saying why not.
http::Response ask_ebbd(const std::string& url_text, const std::string& method,
                        const std::string& path, const std::string& body,
                        std::chrono::milliseconds timeout, const DaemonTrust& trust) {
  const http::Url url = http::parse_url(url_text);
  const bool on_socket = !url.socket_path.empty();
  const bool check_peer = on_socket && trust.auth != DaemonAuth::none;
  const bool use_munge =
      trust.auth == DaemonAuth::munge || (trust.auth == DaemonAuth::automatic && !on_socket);
  uid_t daemon_uid = 0;
  if (check_peer || use_munge) {
    auto uid = auth::uid_of_user(trust.user);
    if (!uid) throw InputError("DaemonUser '" + trust.user + "' is not a user on this host");
    daemon_uid = *uid;
  }
  http::RequestOptions options;
  if (check_peer) {
    options.check_peer = [&](uid_t peer) {
      if (peer != daemon_uid && peer != 0) {
        throw http::RequestError("the socket is served by " + auth::describe_uid(peer) +
                                 ", not by DaemonUser " + trust.user + " or root");
      }
    };
  }
  std::string nonce;
  if (use_munge) {
    nonce = auth::new_nonce();
    options.headers.emplace_back(auth::kNonceHeader, nonce);
  }
  http::Response r = http::request(url, method, path, body, timeout, options);
  if (use_munge) {
    auto credential = r.headers.find(lower(auth::kCredentialHeader));
    if (credential == r.headers.end()) {
      throw http::RequestError(
          "the answer carries no MUNGE credential (not ebbd, an ebbd without munged, or "
          "an older ebbd; DaemonAuth=none turns this check off, for tests only)");
    }
    auth::munge_verify(
        credential->second,
        auth::answer_binding(nonce, method, url.base_path + path, body, r.status, r.body),
        daemon_uid, trust.user);
  }
  return r;
}

}  // namespace

DaemonTrust daemon_trust(const Config& config) { return {config.daemon_user, config.daemon_auth}; }

std::optional<Decision> ask_daemon_for_plan(const std::string& url, const PlanQuery& query,
                                            std::chrono::milliseconds timeout, DaemonError* error,
                                            const DaemonTrust& trust, PlanSource* source) {
  try {
    http::Response r =
        ask_ebbd(url, "POST", "/v1/plan", wire::encode_plan_query(query), timeout, trust);
    if (r.status != 200) {
      set_error(error, answer_error(r));
      return std::nullopt;
    }
    return wire::decode_decision(r.body, source);
  } catch (const std::exception& e) {
    set_error(error, exchange_error(url, e));
    return std::nullopt;
  }
}

std::optional<ForecastReply> fetch_forecast_from_daemon(const std::string& url,
                                                        const std::string& region,
                                                        std::chrono::milliseconds timeout,
                                                        DaemonError* error,
                                                        const DaemonTrust& trust) {
  try {
    std::string path = "/v1/forecast";
    if (!region.empty()) path += "?region=" + url_encode(region);
    http::Response r = ask_ebbd(url, "GET", path, "", timeout, trust);
    if (r.status != 200) {
      set_error(error, answer_error(r));
      return std::nullopt;
    }
    return wire::decode_forecast(r.body);
  } catch (const std::exception& e) {
    set_error(error, exchange_error(url, e));
    return std::nullopt;
  }
}

std::optional<QueueReply> fetch_queue_from_daemon(const std::string& url, const std::string& region,
                                                  const std::string& partition,
                                                  std::chrono::milliseconds timeout,
                                                  DaemonError* error, const DaemonTrust& trust) {
  try {
    std::string query;
    if (!region.empty()) query += "region=" + url_encode(region);
    if (!partition.empty())
      query += (query.empty() ? "" : "&") + ("partition=" + url_encode(partition));
    http::Response r =
        ask_ebbd(url, "GET", "/v1/queue" + (query.empty() ? "" : "?" + query), "", timeout, trust);
    if (r.status != 200) {
      set_error(error, answer_error(r));
      return std::nullopt;
    }
    return wire::decode_queue(r.body);
  } catch (const std::exception& e) {
    set_error(error, exchange_error(url, e));
    return std::nullopt;
  }
}

std::string cache_file_path(const std::string& cache_dir, const std::string& region) {
  std::string dir = cache_dir.empty() ? kDefaultCacheDir : cache_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + "/" + lower(region) + ".csv";
}

std::string cache_file_for(const Config& config) {
  std::string region = config.region;
  if (region.empty() && config.regions.size() == 1) region = config.regions.begin()->first;
  if (region.empty()) return "";
  auto dir = config.daemon.find("cachedir");
  return cache_file_path(dir == config.daemon.end() ? kDefaultCacheDir : dir->second, region);
}

}  // namespace ebb
