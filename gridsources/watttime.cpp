// SPDX-License-Identifier: GPL-2.0-or-later
#include "watttime.hpp"

namespace ebb::gridsources {
namespace {

// WattTime's tokens last 30 minutes; renew a little early.
constexpr auto kTokenLife = std::chrono::minutes(25);

}  // namespace

WattTimeSource::WattTimeSource(const Settings& settings, const FetchOptions& options)
    // Documented: 3,000 requests per rolling 5 minutes per user.
    : ProviderSource("watttime", settings, options, "https://api.watttime.org",
                     RateLimit{3000, std::chrono::minutes(5)}),
      login_http_(name_, options, nullptr) {
  region_ = settings.get_or("region", "");
  signal_type_ = settings.get_or("signaltype", "co2_moer");
  if (signal_type_ != "co2_moer" && signal_type_ != "co2_aoer") {
    settings.fail("SignalType=" + signal_type_ +
                  ": expected co2_moer (marginal) or co2_aoer (average)");
  }
  horizon_hours_ = static_cast<int>(settings.get_number("horizonhours", "HorizonHours", 24));
  if (horizon_hours_ < 0 || horizon_hours_ > 72) settings.fail("HorizonHours=: 0 to 72");
  history_hours_ = static_cast<int>(settings.get_number("historyhours", "HistoryHours", 0));
  if (history_hours_ < 0 || history_hours_ > 30 * 24) settings.fail("HistoryHours=: 0 to 720");
  if (!file_) {
    if (region_.empty()) settings.fail("Region= is needed (a WattTime region, e.g. CAISO_NORTH)");
    username_ = settings.get_or("username", "");
    username_file_ = settings.get_or("usernamefile", "");
    if (username_.empty() && username_file_.empty())
      settings.fail("Username= or UsernameFile= is needed");
    password_file_ =
        settings.require("passwordfile", "PasswordFile", "a file holding the password, mode 600");
  }
  // /login has its own, smaller limit: 100 per 5 minutes.
  RateLimit login_limit{100, std::chrono::minutes(5)};
  login_http_ =
      HttpClient(name_, options, &shared_rate_limiter(name_ + " login " + base_url_, login_limit));
}

std::string WattTimeSource::token(bool renew) {
  std::lock_guard lock(token_mutex_);
  if (!renew && !token_.empty() && std::chrono::steady_clock::now() < token_expiry_) return token_;
  HttpRequest request;
  request.url = base_url_ + "/login";
  request.basic_auth = true;
  request.username =
      username_.empty() ? read_secret_file(name_, username_file_, "UsernameFile") : username_;
  request.password = read_secret_file(name_, password_file_, "PasswordFile");
  HttpResponse response;
  try {
    response = login_http_.get(request);
  } catch (const SourceError& e) {
    if (e.http_status == 401 || e.http_status == 403) {
      throw SourceError(
          name_, std::string("login refused: check UsernameFile/PasswordFile (") + e.what() + ")",
          e.http_status, false);
    }
    throw;
  }
  // A bad login may come back as an HTML page rather than JSON.
  JsonReader json(name_);
  simdjson::dom::element doc;
  try {
    doc = json.parse(response.body);
  } catch (const SourceError&) {
    throw SourceError(name_, "login failed: the answer is not JSON (invalid credentials?)",
                      static_cast<int>(response.status));
  }
  const Where at{"login", kNoIndex, "token"};
  token_ = std::string(json.string(json.require(doc, at), at));
  if (token_.empty()) json.fail(at, "empty token");
  token_expiry_ = std::chrono::steady_clock::now() + kTokenLife;
  return token_;
}

HttpResponse WattTimeSource::get_authorised(const std::string& path_and_query) {
  for (int attempt = 0;; ++attempt) {
    try {
      return get(path_and_query,
                 {"Authorization: Bearer " + token(attempt > 0), "Accept: application/json"});
    } catch (const SourceError& e) {
      // An expired or revoked token: log in again once (as WattTime's own clients do).
      if (attempt == 0 && (e.http_status == 401 || e.http_status == 403)) continue;
      throw;
    }
  }
}

SignalSeries WattTimeSource::fetch_network(TimePoint now) {
  const std::string common = "region=" + url_encode(region_) + "&signal_type=" + signal_type_;
  SignalSeries forecast;
  if (signal_type_ == "co2_moer") {
    forecast = parse(get_authorised("/v3/forecast?" + common +
                                    "&horizon_hours=" + std::to_string(horizon_hours_))
                         .body,
                     now);
  }
  if (history_hours_ == 0 && !forecast.empty()) return forecast;
  // co2_aoer has no forecast: history only.
  const TimePoint end = floor_to(now, std::chrono::minutes(5));
  const TimePoint start = end - std::chrono::hours(history_hours_ > 0 ? history_hours_ : 24);
  SignalSeries history = parse(
      get_authorised("/v3/historical?" + common + "&start=" + url_encode(format_seconds_z(start)) +
                     "&end=" + url_encode(format_seconds_z(end)))
          .body,
      now);
  return join_history_and_forecast(history, forecast);
}

SignalSeries WattTimeSource::parse(std::string_view body, TimePoint /*now*/) const {
  JsonReader json(name_);
  const auto doc = json.parse(body);
  if (auto error = json.optional(doc, "error")) {
    std::string message =
        error->is_string() ? std::string(error->get_string().value_unsafe()) : "error";
    for (const char* key : {"message", "msg"}) {
      if (auto m = json.optional(doc, key); m && m->is_string()) {
        message += ": " + std::string(m->get_string().value_unsafe());
      }
    }
    throw SourceError(name_, "error response: " + message);
  }
  if (json.optional(doc, "detail"))
    throw SourceError(name_, "error response: invalid request (detail)");

  const Where at_units{"meta", kNoIndex, "units"};
  const std::string_view units =
      json.string(json.require(doc, Where{"", kNoIndex, "meta.units"}), at_units);
  if (units != "lbs_co2_per_mwh") {
    json.fail(at_units, "unit mismatch: '" + std::string(units) + "', expected lbs_co2_per_mwh");
  }
  SignalKind kind = SignalKind::marginal;
  if (auto signal = json.optional(doc, "meta.signal_type")) {
    const std::string_view s = json.string(*signal, Where{"meta", kNoIndex, "signal_type"});
    if (s == "co2_aoer") {
      kind = SignalKind::average;
    } else if (s != "co2_moer") {
      json.fail(Where{"meta", kNoIndex, "signal_type"},
                "'" + std::string(s) + "' is not a carbon intensity signal");
    }
  }
  Duration period{300};
  if (auto p = json.optional(doc, "meta.data_point_period_seconds")) {
    const double seconds = json.number(*p, Where{"meta", kNoIndex, "data_point_period_seconds"});
    if (seconds < 60 || seconds > 86400) {
      json.fail(Where{"meta", kNoIndex, "data_point_period_seconds"}, "implausible period");
    }
    period = Duration(static_cast<long long>(seconds));
  }

  // /v3/forecast (meta.generated_at) and /v3/historical share data[{point_time,value}];
  // /v3/forecast/historical nests data[{generated_at, forecast[...]}]: use the newest.
  auto data =
      json.array(json.require(doc, Where{"", kNoIndex, "data"}), Where{"", kNoIndex, "data"});
  std::string array_name = "data";
  Origin origin = json.optional(doc, "meta.generated_at") ? Origin::forecast : Origin::actual;
  if (data.size() > 0) {
    if (JsonReader::find(data.at(0).value_unsafe(), "forecast")) {
      const std::size_t last = data.size() - 1;
      array_name = "data[" + std::to_string(last) + "].forecast";
      auto newest = data.at(last).value_unsafe();
      data = json.array(json.require(newest, Where{"data", last, "forecast"}),
                        Where{"data", last, "forecast"});
      origin = Origin::forecast;
    }
  }
  SeriesBuilder builder(name_, Quantity::carbon, FieldName{array_name, "point_time"},
                        FieldName{array_name, "value"});
  std::size_t i = 0;
  for (auto point : data) {
    const Where at_time{array_name, i, "point_time"};
    const Where at_value{array_name, i, "value"};
    const TimePoint t = json.time(json.require(point, at_time), at_time);
    const double lbs = json.number(json.require(point, at_value), at_value);
    if (lbs < 0) json.fail(at_value, "negative intensity " + number_text(lbs));
    builder.add(i, t, t + period, lbs * kGramsPerKwhPerLbPerMwh, origin);
    ++i;
  }
  SignalSeries series = builder.build(period);
  if (auto region = json.optional(doc, "meta.region"); region && region->is_string()) {
    series.region = std::string(region->get_string().value_unsafe());
    if (!region_.empty())
      check_answer_zone(name_, "meta.region", series.region, region_, "Region " + region_);
  }
  series.kind = kind;
  return series;
}

}  // namespace ebb::gridsources
