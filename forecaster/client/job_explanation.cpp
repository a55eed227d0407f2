// SPDX-License-Identifier: GPL-2.0-or-later
#include "job_explanation.hpp"

#include <simdjson.h>

#include <chrono>
#include <cmath>
#include <cstdint>

#include "ebb/decision_text.hpp"
#include "ebb/error.hpp"

namespace ebb::why {
namespace {

using simdjson::dom::element;

[[noreturn]] void bad_field(const std::string& command, const std::string& job,
                            std::string_view field, const std::string& what) {
  throw InputError(command + ": job " + job + ": field '" + std::string(field) + "': " + what);
}

std::string text_of(element e, const std::string& command, const std::string& job,
                    std::string_view field) {
  if (e.is_null()) return "";
  std::string_view s;
  if (e.get_string().get(s)) bad_field(command, job, field, "expected a string");
  return std::string(s);
}

// Epoch seconds; 0 (Slurm's "not set") gives nothing.
std::optional<TimePoint> time_of(element e, const std::string& command, const std::string& job,
                                 std::string_view field) {
  if (e.is_null()) return std::nullopt;
  std::int64_t v = 0;
  if (e.get_int64().get(v)) bad_field(command, job, field, "expected epoch seconds");
  if (v <= 0) return std::nullopt;
  return TimePoint{seconds{v}};
}

// The saving the record's forecast promised, in the planner's terms, so that savings_text
// words it exactly as sbatch's line did.
Decision as_decision(const PlanRecord& r) {
  Decision d;
  d.defer = r.deferred();
  d.start = r.planned;
  d.latest_start = r.latest_start;
  d.energy_kwh = r.kwh;
  d.objective = r.objective;
  d.currency = r.currency;
  d.chosen.start = r.planned;
  d.chosen.mean_carbon = r.carbon_planned;
  d.chosen.grams_co2 = r.kwh * r.carbon_planned;
  d.chosen.mean_price = r.price_planned;
  d.chosen.cost = r.kwh / 1000.0 * r.price_planned;  // NaN without prices
  d.baseline.start = r.asked;
  d.baseline.mean_carbon = r.carbon_asked;
  d.baseline.grams_co2 = r.kwh * r.carbon_asked;
  d.baseline.mean_price = r.price_asked;
  d.baseline.cost = r.kwh / 1000.0 * r.price_asked;
  return d;
}

std::string whole(double x) { return std::to_string(std::llround(x)); }

std::string moves_text(const PlanRecord& r) {
  if (r.moves == 0) return "ebbd has not re-planned it since sbatch.";
  return "ebbd has re-planned it " + std::to_string(r.moves) + (r.moves == 1 ? " time" : " times") +
         " since sbatch.";
}

std::string deadline_text(const PlanRecord& r) {
  if (!r.deadline) return "It starts at the latest by " + format_local_minute(r.latest_start) + ".";
  return "It must finish by " + format_local_minute(*r.deadline) +
         ", so it starts at the latest by " + format_local_minute(r.latest_start) + ".";
}

// Slurm sets begin times to the second; allow a minute for a plan rounded onto it.
bool same_start(TimePoint a, TimePoint b) {
  return std::chrono::abs(a - b) <= std::chrono::seconds(60);
}

}  // namespace

const char* to_string(Status s) {
  switch (s) {
    case Status::held:
      return "held";
    case Status::released:
      return "released";
    case Status::changed_by_hand:
      return "changed_by_hand";
    case Status::not_deferred:
      return "not_deferred";
    case Status::not_held:
      return "not_held";
    case Status::started:
      return "started";
    case Status::not_found:
      return "not_found";
  }
  return "";
}

std::optional<SqueueJob> find_squeue_job(const std::string& json, const std::string& id,
                                         const std::string& command) {
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(json).get(root))
    throw InputError(command + ": not valid JSON: " + simdjson::error_message(err));
  simdjson::dom::array jobs;
  if (root["jobs"].get_array().get(jobs))
    throw InputError(command + ": field 'jobs': missing or not an array");
  std::size_t index = 0;
  for (element item : jobs) {
    ++index;
    const std::string where = "#" + std::to_string(index);
    simdjson::dom::object o;
    if (item.get_object().get(o)) bad_field(command, where, "jobs", "expected objects");
    std::int64_t job_id = 0;
    if (o["job_id"].get_int64().get(job_id)) bad_field(command, where, "job_id", "missing");
    if (std::to_string(job_id) != id) continue;
    SqueueJob j;
    j.id = id;
    for (auto [key, value] : o) {
      if (key == "user_name")
        j.user = text_of(value, command, id, key);
      else if (key == "name")
        j.name = text_of(value, command, id, key);
      else if (key == "partition")
        j.partition = text_of(value, command, id, key);
      else if (key == "job_state")
        j.state = text_of(value, command, id, key);
      else if (key == "state_reason")
        j.reason = text_of(value, command, id, key);
      else if (key == "admin_comment")
        j.admin_comment = text_of(value, command, id, key);
      else if (key == "eligible_time")
        j.eligible = time_of(value, command, id, key);
      else if (key == "submit_time")
        j.submitted = time_of(value, command, id, key);
    }
    if (j.state.empty()) bad_field(command, id, "job_state", "missing");
    return j;
  }
  return std::nullopt;
}

Explanation explain(const std::optional<SqueueJob>& job, const std::string& id, TimePoint now) {
  Explanation e;
  if (!job) {
    e.status = Status::not_found;
    e.text = "Job " + id +
             " not found: squeue does not show it (it may have ended, or the id is wrong).";
    return e;
  }
  e.record = find_plan_record(job->admin_comment);
  const std::string who = "Job " + id;
  if (job->state != "PENDING") {
    e.status = Status::started;
    e.text = who + " is " + job->state + ", not waiting" +
             (e.record && e.record->deferred()
                  ? "; ebb had planned it for " + format_local_minute(e.record->planned) + "."
                  : ".");
    return e;
  }
  const std::string waits = job->reason.empty() ? "" : " (Slurm's reason: " + job->reason + ")";
  if (!e.record) {
    e.status = Status::not_held;
    if (job->eligible && *job->eligible > now) {
      e.text = who + " is not held by ebb: it has no ebb plan; it waits for its begin time " +
               format_local_minute(*job->eligible) + ", set with --begin or by hand.";
      return e;
    }
    e.text = who + " is not held by ebb: it has no ebb plan" + waits +
             ". It waits for Slurm's scheduler; `squeue -j " + id +
             " --start` shows Slurm's estimate.";
    return e;
  }
  const PlanRecord& r = *e.record;
  if (!r.deferred()) {
    e.status = Status::not_deferred;
    e.text = who + " is not held by ebb: ebb planned it to start when you asked (" +
             format_local_minute(r.asked) + ")" + waits + ". It waits for Slurm's scheduler.";
    return e;
  }
  const bool begin_set = job->eligible && *job->eligible > now;
  if (begin_set && !same_start(*job->eligible, r.planned)) {
    e.status = Status::changed_by_hand;
    e.text = who + "'s begin time was changed by hand: it waits until " +
             format_local_minute(*job->eligible) + ", not until ebb's " +
             format_local_minute(r.planned) + ". ebb no longer holds it.";
    return e;
  }
  if (!begin_set) {
    e.status = Status::released;
    e.text = who + " was held by ebb until " + format_local_minute(r.planned) +
             "; that time has come and it now waits for Slurm's scheduler" + waits + ". " +
             moves_text(r);
    return e;
  }
  const Decision d = as_decision(r);
  e.status = Status::held;
  e.text = who + " is held by ebb until " + format_local_minute(r.planned) +
           " (local time): the grid is forecast at " + whole(r.carbon_planned) +
           " gCO2/kWh then, against " + whole(r.carbon_asked) + " gCO2/kWh at " +
           format_local_minute(r.asked) + ", when it could have started (objective " +
           ebb::to_string(r.objective) + "). " + deadline_text(r) + " Waiting " + savings_text(d) +
           " (est. " + energy_text(r.kwh) + "). " + moves_text(r);
  return e;
}

nlohmann::json to_json(const Explanation& e, const std::optional<SqueueJob>& job) {
  auto time_or_null = [](const std::optional<TimePoint>& t) {
    return t ? nlohmann::json(format_utc(*t)) : nlohmann::json(nullptr);
  };
  auto number_or_null = [](double x) {
    return std::isnan(x) ? nlohmann::json(nullptr) : nlohmann::json(x);
  };
  nlohmann::json j = {{"status", to_string(e.status)}, {"text", e.text}};
  if (job) {
    j["job"] = {{"id", job->id},
                {"user", job->user},
                {"name", job->name},
                {"partition", job->partition},
                {"state", job->state},
                {"reason", job->reason},
                {"eligible_time", time_or_null(job->eligible)},
                {"submit_time", time_or_null(job->submitted)}};
  }
  if (e.record) {
    const PlanRecord& r = *e.record;
    const Decision d = as_decision(r);
    j["plan"] = {{"asked", format_utc(r.asked)},
                 {"planned", format_utc(r.planned)},
                 {"deadline", time_or_null(r.deadline)},
                 {"latest_start", format_utc(r.latest_start)},
                 {"objective", ebb::to_string(r.objective)},
                 {"energy_kwh", r.kwh},
                 {"carbon_planned", r.carbon_planned},
                 {"carbon_asked", r.carbon_asked},
                 {"saved_grams", d.saved_grams()},
                 {"saved_cost", number_or_null(d.saved_cost())},
                 {"currency", r.currency},
                 {"moves", r.moves},
                 {"version", r.version}};
  } else {
    j["plan"] = nullptr;
  }
  return j;
}

}  // namespace ebb::why
