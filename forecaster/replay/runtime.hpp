// SPDX-License-Identifier: GPL-2.0-or-later
// Runtimes as ebb would have predicted them at each submission, learning online from the
// jobs of the trace that had finished by then (their recorded end when the trace has one),
// with the same predictor ebbd uses (ebb/runtime_predictor.hpp), and how good that was.
#pragma once

#include <vector>

#include "ebb/runtime_predictor.hpp"
#include "trace.hpp"

namespace ebb::replay {

enum class RuntimeMode { limit, predicted, actual };
RuntimeMode parse_runtime_mode(const std::string& text);  // limit, predicted, actual
const char* to_string(RuntimeMode m);

// Accuracy in Tsafrir's sense: per job min(actual, estimate) / max(actual, estimate),
// averaged; 1 is perfect. The users' own is that of their time limits.
struct RuntimeAccuracy {
  std::size_t jobs = 0;
  double accuracy = 0;        // the predictor's
  double user_accuracy = 0;   // the time limits'
  double underestimated = 0;  // share of jobs predicted shorter than they ran
  double mean_abs_error_h = 0;
  double user_mean_abs_error_h = 0;
  double from_history = 0;  // share of jobs predicted from some history (not the limit)
};

struct OnlinePredictions {
  std::vector<Duration> expected;  // per job, in the trace's order; never above its limit
  RuntimeAccuracy accuracy;
};

OnlinePredictions predict_online(const std::vector<TraceJob>& jobs,
                                 const PredictorSettings& settings = {});

}  // namespace ebb::replay
