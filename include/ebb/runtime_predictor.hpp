// SPDX-License-Identifier: GPL-2.0-or-later
// How long a job will run, learned from the site's own finished jobs.
//
// Users ask for far more time than they use, so a plan sized for the time limit picks
// windows and quotes energy for hours the job will not run. Tsafrir, Etsion and Feitelson
// (TPDS 2007) showed that the mean of a user's last two similar jobs predicts much better
// than the user's own limit; the planner, however, is hurt more by a job that runs past its
// window than by one that ends early, so ebb predicts a little above that mean: the larger
// of the last `recent` runtimes of the most specific group of similar jobs that has any,
// scaled by `margin`, never above the limit.
//
// Similar means, from most to least specific: same user, job name (also when it has none),
// partition, size and limit; same user and job name; same user; same account; same
// partition. Runtimes are
// kept as shares of the limit they ran under, so a group's history carries over to a
// different limit. Without any history the prediction is the limit itself.
//
// The same class serves ebbd (learning from sacct) and `ebb replay --runtime predicted`
// (learning online, from jobs that finished before each submission).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ebb/time.hpp"

namespace ebb {

struct JobTraits {
  std::string user;
  std::string name;
  std::string account;
  std::string partition;
  std::uint32_t cpus = 1;
  Duration limit{3600};
};

struct RuntimePrediction {
  enum class Basis { similar, user_and_name, user, account, partition, limit };
  Duration expected{0};
  Basis basis = Basis::limit;
  std::size_t history = 0;  // finished jobs behind the group's figures
};

// "23 similar jobs", "the user's 5 jobs", "no history: the time limit".
std::string describe(const RuntimePrediction& p);

struct PredictorSettings {
  std::size_t recent = 2;  // runtimes looked at per group (Tsafrir: 2)
  double margin = 1.0;     // applied to the group's figure
  // A group is used once it has this many finished jobs; fewer fall through to the next.
  std::size_t min_history = 1;
  // The group's figure from its last `recent` shares: their `quantile` (nearest rank; 1 is
  // the largest, ebb's default), or their mean when `quantile` is 0 (Tsafrir's predictor).
  double quantile = 1.0;
};

class RuntimePredictor {
 public:
  RuntimePredictor() = default;
  explicit RuntimePredictor(PredictorSettings settings) : settings_(settings) {}

  // A finished job: what it asked for and what it ran.
  void learn(const JobTraits& job, Duration runtime);
  RuntimePrediction predict(const JobTraits& job) const;
  std::size_t groups() const { return groups_.size(); }

  // The learned groups as text, one line each, for ebbd's state directory; parse() takes
  // it back and throws InputError naming `source` and the line when it is damaged.
  std::string to_text() const;
  static RuntimePredictor parse(std::string_view text, const std::string& source,
                                PredictorSettings settings = {});

 private:
  static constexpr std::size_t kKept = 8;
  struct Group {
    std::array<float, kKept> shares{};  // newest at (next - 1) % kKept
    std::uint32_t next = 0;
    std::uint32_t count = 0;
  };
  Group* group(const std::string& key);

  PredictorSettings settings_;
  std::unordered_map<std::string, Group> groups_;
};

}  // namespace ebb
