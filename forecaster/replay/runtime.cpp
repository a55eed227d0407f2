// SPDX-License-Identifier: GPL-2.0-or-later
#include "runtime.hpp"

#include <algorithm>
#include <numeric>

#include "ebb/error.hpp"
#include "io.hpp"

namespace ebb::replay {

RuntimeMode parse_runtime_mode(const std::string& text) {
  const std::string t = lower(text);
  if (t == "limit") return RuntimeMode::limit;
  if (t == "predicted") return RuntimeMode::predicted;
  if (t == "actual") return RuntimeMode::actual;
  throw InputError("--runtime: expected limit, predicted or actual, not '" + text + "'");
}

const char* to_string(RuntimeMode m) {
  switch (m) {
    case RuntimeMode::limit:
      return "limit";
    case RuntimeMode::predicted:
      return "predicted";
    case RuntimeMode::actual:
      return "actual";
  }
  return "?";
}

namespace {

JobTraits traits_of(const TraceJob& j) {
  JobTraits t;
  t.user = j.user;
  t.name = j.name;
  t.account = j.account;
  t.partition = j.partition;
  t.cpus = j.cores;
  t.limit = j.requested;
  return t;
}

double ratio(double a, double b) {
  const double hi = std::max(a, b);
  return hi > 0 ? std::min(a, b) / hi : 1.0;
}

}  // namespace

OnlinePredictions predict_online(const std::vector<TraceJob>& jobs,
                                 const PredictorSettings& settings) {
  const std::size_t n = jobs.size();
  OnlinePredictions out;
  out.expected.resize(n);
  // Finished jobs in order of their end: the recorded one where the trace has it, else the
  // earliest it could have been (submit + runtime).
  std::vector<TimePoint> end(n);
  for (std::size_t i = 0; i < n; ++i)
    end[i] = jobs[i].recorded_start.value_or(jobs[i].submit) + jobs[i].runtime;
  std::vector<std::size_t> by_end(n), by_submit(n);
  std::iota(by_end.begin(), by_end.end(), 0);
  std::iota(by_submit.begin(), by_submit.end(), 0);
  std::stable_sort(by_end.begin(), by_end.end(),
                   [&](std::size_t a, std::size_t b) { return end[a] < end[b]; });
  std::stable_sort(by_submit.begin(), by_submit.end(),
                   [&](std::size_t a, std::size_t b) { return jobs[a].submit < jobs[b].submit; });

  RuntimePredictor predictor(settings);
  RuntimeAccuracy& acc = out.accuracy;
  std::size_t learned = 0;
  for (std::size_t i : by_submit) {
    // Only what had ended strictly before this submission.
    while (learned < n && end[by_end[learned]] < jobs[i].submit) {
      const TraceJob& done = jobs[by_end[learned++]];
      predictor.learn(traits_of(done), done.runtime);
    }
    const RuntimePrediction p = predictor.predict(traits_of(jobs[i]));
    out.expected[i] = std::min(p.expected, jobs[i].requested);
    const double r = static_cast<double>(jobs[i].runtime.count());
    const double e = static_cast<double>(out.expected[i].count());
    const double l = static_cast<double>(jobs[i].requested.count());
    acc.accuracy += ratio(r, e);
    acc.user_accuracy += ratio(r, l);
    if (e < r) acc.underestimated += 1;
    acc.mean_abs_error_h += std::abs(e - r) / 3600.0;
    acc.user_mean_abs_error_h += std::abs(l - r) / 3600.0;
    if (p.basis != RuntimePrediction::Basis::limit) acc.from_history += 1;
  }
  acc.jobs = n;
  if (n) {
    const double d = static_cast<double>(n);
    acc.accuracy /= d;
    acc.user_accuracy /= d;
    acc.underestimated /= d;
    acc.mean_abs_error_h /= d;
    acc.user_mean_abs_error_h /= d;
    acc.from_history /= d;
  }
  return out;
}

}  // namespace ebb::replay
