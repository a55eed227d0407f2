#include "ebb/daemon_client.hpp"

#include <cctype>

#include "ebb/error.hpp"
#include "ebb/input.hpp"
#include "ebb/url.hpp"
#include "http_request.hpp"
#include "protocol.hpp"

namespace ebb {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The daemon's error answers are {"error": "..."}; show that text rather than raw JSON.
std::string error_text(const http::Response& r) {
  std::string text = r.body;
  auto key = text.find("\"error\"");
  if (key != std::string::npos) {
    auto open = text.find('"', text.find(':', key) + 1);
    auto close = text.rfind('"');
    if (open != std::string::npos && close > open) text = text.substr(open + 1, close - open - 1);
  }
  return "ebbd answered HTTP " + std::to_string(r.status) + ": " + printable_excerpt(text);
}

void set_error(std::string* error, std::string text) {
  if (error) *error = std::move(text);
}

}  // namespace

std::optional<Decision> ask_daemon_for_plan(const std::string& url, const PlanQuery& query,
                                            std::chrono::milliseconds timeout, std::string* error,
                                            PlanSource* source) {
  try {
    http::Response r = http::request(http::parse_url(url), "POST", "/v1/plan",
                                     wire::encode_plan_query(query), timeout);
    if (r.status != 200) {
      set_error(error, error_text(r));
      return std::nullopt;
    }
    return wire::decode_decision(r.body, source);
  } catch (const std::exception& e) {
    set_error(error, std::string("ebbd at ") + url + ": " + e.what());
    return std::nullopt;
  }
}

std::optional<ForecastReply> fetch_forecast_from_daemon(const std::string& url,
                                                        const std::string& region,
                                                        std::chrono::milliseconds timeout,
                                                        std::string* error) {
  try {
    std::string path = "/v1/forecast";
    if (!region.empty()) path += "?region=" + url_encode(region);
    http::Response r = http::request(http::parse_url(url), "GET", path, "", timeout);
    if (r.status != 200) {
      set_error(error, error_text(r));
      return std::nullopt;
    }
    return wire::decode_forecast(r.body);
  } catch (const std::exception& e) {
    set_error(error, std::string("ebbd at ") + url + ": " + e.what());
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
