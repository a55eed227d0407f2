// SPDX-License-Identifier: GPL-2.0-or-later
#include "protocol.hpp"

#include <simdjson.h>

#include <cmath>

#include "ebb/config.hpp"
#include "ebb/error.hpp"
#include "ebb/input.hpp"

namespace ebb::wire {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

nlohmann::json number_or_null(double v) {
  if (std::isnan(v)) return nullptr;
  return v;
}

simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

element parse_document(std::string_view json, const char* what) {
  auto result = thread_parser().parse(json.data(), json.size());
  if (result.error()) {
    throw InputError(std::string(what) +
                     ": not valid JSON: " + simdjson::error_message(result.error()));
  }
  return result.value();
}

simdjson::dom::object as_object(element e, const std::string& what) {
  auto o = e.get_object();
  if (o.error()) throw InputError(what + ": expected a JSON object");
  return o.value();
}

std::string as_string(element e, const std::string& field) {
  auto s = e.get_string();
  if (s.error()) throw InputError("field '" + field + "': expected a string");
  return std::string(s.value());
}

double as_number(element e, const std::string& field) {
  if (e.is_null()) return kNoPrice;
  auto d = e.get_double();  // accepts integers too
  if (d.error()) throw InputError("field '" + field + "': expected a number");
  return d.value();
}

bool as_bool(element e, const std::string& field) {
  auto b = e.get_bool();
  if (b.error()) throw InputError("field '" + field + "': expected true or false");
  return b.value();
}

// Every time on the wire lies in 1970..2199 and every duration in 0..366 days: far wider
// than any real job, and narrow enough that the planner's sums of times and durations cannot
// overflow (a deadline of INT64_MIN or now=INT64_MAX used to reach signed overflow).
constexpr std::int64_t kLatestWireTime = 7'258'118'400;  // 2200-01-01T00:00:00Z
constexpr std::int64_t kYearSeconds = 366 * 24 * 3600;

TimePoint checked_time(TimePoint t, const std::string& field) {
  auto s = t.time_since_epoch().count();
  if (s < 0 || s >= kLatestWireTime) {
    throw InputError("field '" + field + "': time out of range (1970 to 2199)");
  }
  return t;
}

TimePoint as_time(element e, const std::string& field) {
  if (e.is_int64()) return checked_time(TimePoint{seconds{e.get_int64().value()}}, field);
  if (e.is_string()) {
    TimePoint t;
    try {
      t = parse_iso8601(e.get_string().value());
    } catch (const InputError& err) {
      throw InputError("field '" + field + "': " + err.what());
    }
    return checked_time(t, field);
  }
  throw InputError("field '" + field + "': expected an ISO 8601 time or epoch seconds");
}

// Durations from 0 to one year (366 days).
Duration as_duration(element e, const std::string& field) {
  Duration d{0};
  if (e.is_int64()) {
    d = Duration{e.get_int64().value()};
  } else if (e.is_string()) {
    d = parse_slurm_duration(e.get_string().value(), field);
  } else {
    throw InputError("field '" + field + "': expected seconds or a Slurm duration");
  }
  if (d < Duration{0}) throw InputError("field '" + field + "': must not be negative");
  if (d.count() > kYearSeconds) {
    throw InputError("field '" + field + "': longer than a year (366 days)");
  }
  return d;
}

std::uint32_t as_count(element e, const std::string& field) {
  auto v = e.get_int64();
  if (v.error() || v.value() < 0 || v.value() > 1'000'000'000) {
    throw InputError("field '" + field + "': expected a whole number >= 0");
  }
  return static_cast<std::uint32_t>(v.value());
}

nlohmann::json impact_to_json(const Impact& i) {
  return {{"start", format_utc(i.start)},
          {"mean_carbon", i.mean_carbon},
          {"mean_price", number_or_null(i.mean_price)},
          {"grams_co2", i.grams_co2},
          {"cost", number_or_null(i.cost)},
          {"objective", i.objective},
          {"covered", i.covered}};
}

Impact impact_from(element e, const std::string& what) {
  Impact i;
  for (auto [key, value] : as_object(e, what)) {
    std::string field = what + "." + std::string(key);
    if (key == "start")
      i.start = as_time(value, field);
    else if (key == "mean_carbon")
      i.mean_carbon = as_number(value, field);
    else if (key == "mean_price")
      i.mean_price = as_number(value, field);
    else if (key == "grams_co2")
      i.grams_co2 = as_number(value, field);
    else if (key == "cost")
      i.cost = as_number(value, field);
    else if (key == "objective")
      i.objective = as_number(value, field);
    else if (key == "covered")
      i.covered = as_number(value, field);
  }
  return i;
}

Origin origin_from(std::string_view text) {
  if (text == "forecast") return Origin::forecast;
  if (text == "actual") return Origin::actual;
  if (text == "extension") return Origin::extension;
  throw InputError("unknown slot origin '" + std::string(text) + "'");
}

}  // namespace

const char* to_string(Origin origin) {
  switch (origin) {
    case Origin::forecast:
      return "forecast";
    case Origin::actual:
      return "actual";
    case Origin::extension:
      return "extension";
  }
  return "forecast";
}

const char* to_string(SignalKind kind) {
  return kind == SignalKind::marginal ? "marginal" : "average";
}

std::string encode_plan_query(const PlanQuery& q) {
  nlohmann::json j;
  if (!q.region.empty()) j["region"] = q.region;
  if (q.now) j["now"] = format_utc(*q.now);
  if (q.earliest_start) j["earliest_start"] = format_utc(*q.earliest_start);
  if (q.deadline) j["deadline"] = format_utc(*q.deadline);
  if (q.max_delay) j["max_delay"] = q.max_delay->count();
  if (q.expected_runtime) j["expected_runtime"] = q.expected_runtime->count();
  if (q.objective) j["objective"] = ebb::to_string(*q.objective);
  if (q.time_limit_given) j["time_limit"] = q.job.time_limit.count();
  j["nodes"] = q.job.nodes;
  j["tasks"] = q.job.tasks;
  j["cpus_per_task"] = q.job.cpus_per_task;
  j["gpus"] = q.job.gpus;
  j["memory_gb"] = q.job.memory_gb;
  if (!q.job.partition.empty()) j["partition"] = q.job.partition;
  if (!q.job.job_name.empty()) j["job_name"] = q.job.job_name;
  if (!q.job.user.empty()) j["user"] = q.job.user;
  if (!q.job.account.empty()) j["account"] = q.job.account;
  return j.dump();
}

PlanQuery decode_plan_query(std::string_view json) {
  PlanQuery q;
  element root = parse_document(json, "plan request");
  bool has_time_limit = false;
  for (auto [key_view, value] : as_object(root, "plan request")) {
    std::string key(key_view);
    if (key == "region")
      q.region = as_string(value, key);
    else if (key == "now")
      q.now = as_time(value, key);
    else if (key == "earliest_start" || key == "begin")
      q.earliest_start = as_time(value, key);
    else if (key == "deadline")
      q.deadline = as_time(value, key);
    else if (key == "max_delay")
      q.max_delay = as_duration(value, key);
    else if (key == "expected_runtime")
      q.expected_runtime = as_duration(value, key);
    else if (key == "objective")
      q.objective = parse_objective(as_string(value, key));
    else if (key == "time_limit") {
      q.job.time_limit = as_duration(value, key);
      has_time_limit = true;
    } else if (key == "nodes")
      q.job.nodes = as_count(value, key);
    else if (key == "tasks")
      q.job.tasks = as_count(value, key);
    else if (key == "cpus_per_task")
      q.job.cpus_per_task = as_count(value, key);
    else if (key == "gpus")
      q.job.gpus = as_count(value, key);
    else if (key == "memory_gb") {
      q.job.memory_gb = as_number(value, key);
      if (!(q.job.memory_gb >= 0)) throw InputError("field 'memory_gb': expected a number >= 0");
    } else if (key == "partition")
      q.job.partition = as_string(value, key);
    else if (key == "job_name")
      q.job.job_name = as_string(value, key);
    else if (key == "user")
      q.job.user = as_string(value, key);
    else if (key == "account")
      q.job.account = as_string(value, key);
    else
      throw InputError("unknown field " + in_quotes(key));
  }
  q.time_limit_given = has_time_limit;  // ebbd may know the partition's DefaultTime
  if (has_time_limit && q.job.time_limit <= Duration{0})
    throw InputError("field 'time_limit': must be positive");
  return q;
}

nlohmann::json decision_to_json(const Decision& d) {
  return {{"defer", d.defer},
          {"start", format_utc(d.start)},
          {"latest_start", format_utc(d.latest_start)},
          {"energy_kwh", d.energy_kwh},
          {"objective", ebb::to_string(d.objective)},
          {"currency", d.currency},
          {"reason", d.reason},
          {"runtime", d.runtime.count()},
          {"time_limit", d.time_limit.count()},
          {"runtime_basis", d.runtime_basis},
          {"limit_basis", d.limit_basis},
          {"power_basis", d.power_basis},
          {"chosen", impact_to_json(d.chosen)},
          {"baseline", impact_to_json(d.baseline)},
          {"saved_grams", d.saved_grams()},
          {"saved_cost", number_or_null(d.saved_cost())}};
}

Decision decode_decision(std::string_view json, PlanSource* source) {
  Decision d;
  PlanSource freshness;
  element root = parse_document(json, "plan answer");
  bool has_start = false;
  for (auto [key, value] : as_object(root, "plan answer")) {
    std::string field(key);
    if (key == "defer")
      d.defer = as_bool(value, field);
    else if (key == "start") {
      d.start = as_time(value, field);
      has_start = true;
    } else if (key == "latest_start")
      d.latest_start = as_time(value, field);
    else if (key == "energy_kwh")
      d.energy_kwh = as_number(value, field);
    else if (key == "objective")
      d.objective = parse_objective(as_string(value, field));
    else if (key == "currency")
      d.currency = as_string(value, field);
    else if (key == "reason")
      d.reason = as_string(value, field);
    else if (key == "runtime")
      d.runtime = as_duration(value, field);
    else if (key == "time_limit")
      d.time_limit = as_duration(value, field);
    else if (key == "runtime_basis")
      d.runtime_basis = as_string(value, field);
    else if (key == "limit_basis")
      d.limit_basis = as_string(value, field);
    else if (key == "power_basis")
      d.power_basis = as_string(value, field);
    else if (key == "chosen")
      d.chosen = impact_from(value, field);
    else if (key == "baseline")
      d.baseline = impact_from(value, field);
    else if (key == "stale")
      freshness.stale = as_bool(value, field);
    else if (key == "fetched_at" && !value.is_null())
      freshness.fetched_at = as_time(value, field);
  }
  if (!has_start) throw InputError("plan answer: no 'start'");
  if (source) *source = freshness;
  return d;
}

nlohmann::json series_to_json(const SignalSeries& series) {
  nlohmann::json slots = nlohmann::json::array();
  for (const Slot& s : series.slots()) {
    slots.push_back({{"start", format_utc(s.start)},
                     {"end", format_utc(s.end)},
                     {"carbon_intensity", s.carbon},
                     {"price", number_or_null(s.price)},
                     {"origin", to_string(s.origin)}});
  }
  return slots;
}

namespace {

std::vector<LeadError> lead_errors_from(element e, const std::string& field) {
  auto array = e.get_array();
  if (array.error()) throw InputError("field '" + field + "': expected an array");
  std::vector<LeadError> out;
  for (element x : array.value()) {
    LeadError l;
    for (auto [k, v] : as_object(x, field)) {
      const std::string f = field + "." + std::string(k);
      if (k == "lead_from_hours")
        l.bucket = static_cast<int>(as_number(v, f) / 6);
      else if (k == "hours")
        l.hours = static_cast<long long>(as_number(v, f));
      else if (k == "mae")
        l.mae = as_number(v, f);
      else if (k == "mape_percent")
        l.mape = as_number(v, f);
      else if (k == "spearman")
        l.spearman = as_number(v, f);
      else if (k == "ranked_forecasts")
        l.forecasts = static_cast<long long>(as_number(v, f));
    }
    out.push_back(l);
  }
  return out;
}

ErrorSummary error_from(element e) {
  ErrorSummary s;
  for (auto [key, value] : as_object(e, "field 'error'")) {
    const std::string field = "error." + std::string(key);
    if (key == "provider")
      s.provider = lead_errors_from(value, field);
    else if (key == "extension")
      s.extension = lead_errors_from(value, field);
    else if (key == "recorded")
      s.recorded = static_cast<long long>(as_number(value, field));
    else if (key == "pending")
      s.pending = static_cast<long long>(as_number(value, field));
    else if (key == "rejected")
      s.rejected = static_cast<long long>(as_number(value, field));
  }
  return s;
}

ForecastReply forecast_from(element root) {
  ForecastReply reply;
  std::vector<Slot> slots;
  std::string region, currency = "EUR";
  SignalKind kind = SignalKind::average;
  for (auto [key, value] : as_object(root, "forecast answer")) {
    std::string field(key);
    if (key == "region")
      region = as_string(value, field);
    else if (key == "currency")
      currency = as_string(value, field);
    else if (key == "kind")
      kind = as_string(value, field) == "marginal" ? SignalKind::marginal : SignalKind::average;
    else if (key == "stale")
      reply.stale = as_bool(value, field);
    else if (key == "fetched_at" && !value.is_null())
      reply.fetched_at = as_time(value, field);
    else if (key == "generated_at")
      reply.generated_at = as_time(value, field);
    else if (key == "error" && !value.is_null())
      reply.error = error_from(value);
    else if (key == "slots") {
      auto array = value.get_array();
      if (array.error()) throw InputError("field 'slots': expected an array");
      for (element e : array.value()) {
        Slot s;
        for (auto [k, v] : as_object(e, "slot")) {
          std::string f = "slots." + std::string(k);
          if (k == "start")
            s.start = as_time(v, f);
          else if (k == "end")
            s.end = as_time(v, f);
          else if (k == "carbon_intensity")
            s.carbon = as_number(v, f);
          else if (k == "price")
            s.price = as_number(v, f);
          else if (k == "origin")
            s.origin = origin_from(as_string(v, f));
        }
        slots.push_back(s);
      }
    }
  }
  reply.series = SignalSeries(std::move(slots), "ebbd region " + region);
  reply.series.region = region;
  reply.series.currency = currency;
  reply.series.kind = kind;
  return reply;
}

}  // namespace

nlohmann::json error_to_json(const ErrorSummary& error) {
  auto number_or_null = [](double v) {
    return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v);
  };
  auto leads = [&](const std::vector<LeadError>& v) {
    nlohmann::json a = nlohmann::json::array();
    const auto bucket_hours = ForecastErrorTracker::kBucket.count() / 3600;
    for (const LeadError& l : v) {
      a.push_back({{"lead_from_hours", l.bucket * bucket_hours},
                   {"lead_to_hours", (l.bucket + 1) * bucket_hours},
                   {"hours", l.hours},
                   {"mae", number_or_null(l.mae)},
                   {"mape_percent", number_or_null(l.mape)},
                   {"spearman", number_or_null(l.spearman)},
                   {"ranked_forecasts", l.forecasts}});
    }
    return a;
  };
  return {{"window_days", ForecastErrorTracker::kWindowDays},
          {"recorded", error.recorded},
          {"pending", error.pending},
          {"rejected", error.rejected},
          {"provider", leads(error.provider)},
          {"extension", leads(error.extension)}};
}

ForecastReply decode_forecast(std::string_view json) {
  return forecast_from(parse_document(json, "forecast answer"));
}

nlohmann::json queue_to_json(const QueueReply& reply) {
  auto optional_duration = [](const std::optional<Duration>& d) {
    return d ? nlohmann::json(d->count()) : nlohmann::json(nullptr);
  };
  nlohmann::json partitions = nlohmann::json::array();
  for (const QueuePartition& p : reply.partitions) {
    nlohmann::json load = nlohmann::json::array();
    for (const auto& [from, cpus] : p.load)
      load.push_back({{"from", format_utc(from)}, {"cpus", cpus}});
    nlohmann::json deferred = nlohmann::json::array();
    for (const QueueJob& j : p.deferred) {
      deferred.push_back(
          {{"id", j.id}, {"user", j.user}, {"begin", format_utc(j.begin)}, {"cpus", j.cpus}});
    }
    partitions.push_back({{"name", p.name},
                          {"default", p.is_default},
                          {"cpus", p.cpus},
                          {"default_time", optional_duration(p.default_time)},
                          {"max_time", optional_duration(p.max_time)},
                          {"load", load},
                          {"deferred", deferred},
                          {"others_deferred", p.others_deferred},
                          {"others_cpus", p.others_cpus},
                          {"bookings", p.bookings}});
  }
  nlohmann::json j = {
      {"now", format_utc(reply.now)},
      {"horizon", reply.horizon.count()},
      {"cluster_state", reply.cluster_state},
      {"view_taken_at", reply.view_taken_at ? nlohmann::json(format_utc(*reply.view_taken_at))
                                            : nlohmann::json(nullptr)},
      {"all_users", reply.all_users},
      {"partitions", partitions},
      {"forecast", nullptr}};
  if (reply.forecast) {
    const ForecastReply& f = *reply.forecast;
    j["forecast"] = {{"region", f.series.region},
                     {"currency", f.series.currency},
                     {"kind", to_string(f.series.kind)},
                     {"stale", f.stale},
                     {"fetched_at", f.fetched_at ? nlohmann::json(format_utc(*f.fetched_at))
                                                 : nlohmann::json(nullptr)},
                     {"generated_at", format_utc(f.generated_at)},
                     {"slots", series_to_json(f.series)}};
  }
  return j;
}

namespace {

simdjson::dom::array as_array(element e, const std::string& field) {
  auto a = e.get_array();
  if (a.error()) throw InputError("field " + in_quotes(field) + ": expected an array");
  return a.value();
}

std::optional<Duration> as_optional_duration(element e, const std::string& field) {
  if (e.is_null()) return std::nullopt;
  return as_duration(e, field);
}

QueuePartition partition_from(element e) {
  QueuePartition p;
  for (auto [key, value] : as_object(e, "partition")) {
    const std::string field = "partitions." + std::string(key);
    if (key == "name")
      p.name = as_string(value, field);
    else if (key == "default")
      p.is_default = as_bool(value, field);
    else if (key == "cpus")
      p.cpus = as_number(value, field);
    else if (key == "default_time")
      p.default_time = as_optional_duration(value, field);
    else if (key == "max_time")
      p.max_time = as_optional_duration(value, field);
    else if (key == "load") {
      for (element step : as_array(value, field)) {
        TimePoint from;
        double cpus = 0;
        for (auto [k, v] : as_object(step, field)) {
          if (k == "from")
            from = as_time(v, field + ".from");
          else if (k == "cpus")
            cpus = as_number(v, field + ".cpus");
        }
        p.load.emplace_back(from, cpus);
      }
    } else if (key == "deferred") {
      for (element item : as_array(value, field)) {
        QueueJob j;
        for (auto [k, v] : as_object(item, field)) {
          const std::string f = field + "." + std::string(k);
          if (k == "id")
            j.id = as_string(v, f);
          else if (k == "user")
            j.user = as_string(v, f);
          else if (k == "begin")
            j.begin = as_time(v, f);
          else if (k == "cpus")
            j.cpus = as_number(v, f);
        }
        p.deferred.push_back(std::move(j));
      }
    } else if (key == "others_deferred")
      p.others_deferred = as_count(value, field);
    else if (key == "others_cpus")
      p.others_cpus = as_number(value, field);
    else if (key == "bookings")
      p.bookings = as_count(value, field);
  }
  return p;
}

}  // namespace

QueueReply decode_queue(std::string_view json) {
  QueueReply reply;
  element root = parse_document(json, "queue answer");
  for (auto [key, value] : as_object(root, "queue answer")) {
    const std::string field(key);
    if (key == "now")
      reply.now = as_time(value, field);
    else if (key == "horizon")
      reply.horizon = as_duration(value, field);
    else if (key == "cluster_state")
      reply.cluster_state = as_string(value, field);
    else if (key == "view_taken_at" && !value.is_null())
      reply.view_taken_at = as_time(value, field);
    else if (key == "all_users")
      reply.all_users = as_bool(value, field);
    else if (key == "partitions") {
      for (element p : as_array(value, field)) reply.partitions.push_back(partition_from(p));
    } else if (key == "forecast" && !value.is_null())
      reply.forecast = forecast_from(value);
  }
  return reply;
}

int http_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::input:
      return 400;
    case ErrorKind::not_found:
      return 404;
    case ErrorKind::unavailable:
      return 503;
    case ErrorKind::timeout:
    case ErrorKind::unreachable:
    case ErrorKind::failed:
      break;
  }
  return 500;
}

ErrorKind error_kind_of_status(int status) {
  switch (status) {
    case 400:
      return ErrorKind::input;
    case 404:
      return ErrorKind::not_found;
    case 503:
      return ErrorKind::unavailable;
    default:
      return ErrorKind::failed;
  }
}

std::string encode_error(const std::string& message) {
  return nlohmann::json{{"error", message}}.dump();
}

std::string decode_error(std::string_view body) {
  auto root = thread_parser().parse(body.data(), body.size());
  std::string_view text;
  if (root.error() || root.value()["error"].get_string().get(text)) return std::string(body);
  return std::string(text);
}

}  // namespace ebb::wire
