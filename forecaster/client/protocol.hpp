// SPDX-License-Identifier: GPL-2.0-or-later
// The JSON that ebbd and its clients exchange, written with nlohmann::json and read with
// simdjson. Times are ISO 8601 UTC strings ("2026-11-28T03:00:00Z"; readers also take
// epoch seconds), durations are whole seconds (readers also take Slurm's forms such as
// "2:00:00"), unknown prices are null.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ebb/daemon_client.hpp"
#include "ebb/error.hpp"

namespace ebb::wire {

std::string encode_plan_query(const PlanQuery& query);
// Throws InputError naming the field on missing, mistyped or unknown fields.
PlanQuery decode_plan_query(std::string_view json);

nlohmann::json decision_to_json(const Decision& decision);
// Throws InputError when the answer is not a decision. *source (when not null) receives
// the answer's "stale" and "fetched_at".
Decision decode_decision(std::string_view json, PlanSource* source = nullptr);

const char* to_string(Origin origin);
const char* to_string(SignalKind kind);
nlohmann::json series_to_json(const SignalSeries& series);
// A region's measured forecast error, as /v1/forecast's "error" field.
nlohmann::json error_to_json(const ErrorSummary& error);
// Reads the "slots"/"region"/"currency"/"kind"/"stale"/... of a /v1/forecast answer.
ForecastReply decode_forecast(std::string_view json);

// GET /v1/queue's answer. Throws InputError naming the field.
nlohmann::json queue_to_json(const QueueReply& reply);
QueueReply decode_queue(std::string_view json);

// Error answers: {"error": "<message>"} with the HTTP status of the error's kind (input
// 400, not_found 404, unavailable 503, anything else 500); a client reads the kind back
// from the status.
int http_status(ErrorKind kind);
ErrorKind error_kind_of_status(int status);
std::string encode_error(const std::string& message);
// The "error" text of an error answer; the body itself (printable, shortened) when the
// answer is not one, e.g. a web server's page at a wrong DaemonUrl.
std::string decode_error(std::string_view body);

}  // namespace ebb::wire
