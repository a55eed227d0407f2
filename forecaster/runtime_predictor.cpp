#include "ebb/runtime_predictor.hpp"

#include <algorithm>
#include <cmath>

namespace ebb {

namespace {

using Basis = RuntimePrediction::Basis;

// One key per level; the level's letter keeps different levels from colliding, and the
// unit separator cannot occur in Slurm's names.
std::string key(Basis level, const JobTraits& j) {
  constexpr char sep = '\x1f';
  switch (level) {
    case Basis::similar:
      return "s" + j.user + sep + j.name + sep + j.partition + sep + std::to_string(j.cpus) + sep +
             std::to_string(j.limit.count());
    case Basis::user_and_name:
      return "n" + j.user + sep + j.name;
    case Basis::user:
      return "u" + j.user;
    case Basis::account:
      return "a" + j.account;
    case Basis::partition:
      return "p" + j.partition;
    case Basis::limit:
      break;
  }
  return {};
}

constexpr Basis kLevels[] = {Basis::similar, Basis::user_and_name, Basis::user, Basis::account,
                             Basis::partition};

bool usable(Basis level, const JobTraits& j) {
  switch (level) {
    case Basis::similar:
    case Basis::user_and_name:
      return !j.user.empty() && !j.name.empty();
    case Basis::user:
      return !j.user.empty();
    case Basis::account:
      return !j.account.empty();
    case Basis::partition:
      return !j.partition.empty();
    case Basis::limit:
      break;
  }
  return false;
}

}  // namespace

std::string describe(const RuntimePrediction& p) {
  const std::string n = std::to_string(p.history);
  switch (p.basis) {
    case Basis::similar:
      return n + " similar jobs";
    case Basis::user_and_name:
      return n + " jobs of the same name";
    case Basis::user:
      return "the user's " + n + " jobs";
    case Basis::account:
      return "the account's " + n + " jobs";
    case Basis::partition:
      return "the partition's " + n + " jobs";
    case Basis::limit:
      break;
  }
  return "no history: the time limit";
}

RuntimePredictor::Group* RuntimePredictor::group(const std::string& k) { return &groups_[k]; }

void RuntimePredictor::learn(const JobTraits& job, Duration runtime) {
  if (job.limit.count() <= 0 || runtime.count() < 0) return;
  const float share = static_cast<float>(
      std::min(1.0, static_cast<double>(runtime.count()) / static_cast<double>(job.limit.count())));
  for (Basis level : kLevels) {
    if (!usable(level, job)) continue;
    Group* g = group(key(level, job));
    g->shares[g->next] = share;
    g->next = (g->next + 1) % kKept;
    ++g->count;
  }
}

RuntimePrediction RuntimePredictor::predict(const JobTraits& job) const {
  RuntimePrediction out;
  out.expected = job.limit;
  const std::size_t recent = std::clamp<std::size_t>(settings_.recent, 1, kKept);
  for (Basis level : kLevels) {
    if (!usable(level, job)) continue;
    auto it = groups_.find(key(level, job));
    if (it == groups_.end() || it->second.count == 0 ||
        it->second.count < std::min(settings_.min_history, kKept))
      continue;
    const Group& g = it->second;
    const std::size_t n = std::min<std::size_t>(recent, g.count);
    float top = 0;
    for (std::size_t k = 1; k <= n; ++k)
      top = std::max(top, g.shares[(g.next + kKept - k) % kKept]);
    const double share = std::min(1.0, static_cast<double>(top) * settings_.margin);
    out.expected = Duration{
        std::max<std::int64_t>(1, std::llround(share * static_cast<double>(job.limit.count())))};
    out.expected = std::min(out.expected, job.limit);
    out.basis = level;
    out.history = g.count;
    return out;
  }
  return out;
}

}  // namespace ebb
