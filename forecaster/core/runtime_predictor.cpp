// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/runtime_predictor.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include "ebb/error.hpp"

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
      // A job without a name (a trace without executables, `sbatch` from stdin) is still
      // one of a user's jobs of that size and limit, the strongest feature after the name.
      return !j.user.empty();
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
    std::array<float, kKept> last{};
    for (std::size_t k = 1; k <= n; ++k) last[k - 1] = g.shares[(g.next + kKept - k) % kKept];
    double figure = 0;
    if (settings_.quantile <= 0) {
      for (std::size_t k = 0; k < n; ++k) figure += static_cast<double>(last[k]);
      figure /= static_cast<double>(n);
    } else {
      // Nearest rank: the smallest share with at least `quantile` of the n at or below it.
      const auto rank = static_cast<std::size_t>(
          std::ceil(std::min(settings_.quantile, 1.0) * static_cast<double>(n)));
      const auto at =
          last.begin() + static_cast<std::ptrdiff_t>(std::max<std::size_t>(rank, 1) - 1);
      std::nth_element(last.begin(), at, last.begin() + static_cast<std::ptrdiff_t>(n));
      figure = static_cast<double>(*at);
    }
    const double share = std::min(1.0, figure * settings_.margin);
    out.expected = Duration{
        std::max<std::int64_t>(1, std::llround(share * static_cast<double>(job.limit.count())))};
    out.expected = std::min(out.expected, job.limit);
    out.basis = level;
    out.history = g.count;
    return out;
  }
  return out;
}

namespace {

constexpr std::string_view kModelHeader = "# ebb runtime model 1";

// Keys hold user and job names: escape what would break a line or a field.
std::string escape(std::string_view k) {
  std::string out;
  for (char c : k) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || c == '%' || c == '\t' || u == 0x7f) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

std::string unescape(std::string_view k, const std::string& where) {
  std::string out;
  for (std::size_t i = 0; i < k.size(); ++i) {
    if (k[i] != '%') {
      out += k[i];
      continue;
    }
    unsigned v = 0;
    if (i + 2 >= k.size()) throw InputError(where + ": bad escape in the group's key");
    auto [ptr, ec] = std::from_chars(k.data() + i + 1, k.data() + i + 3, v, 16);
    if (ec != std::errc{} || ptr != k.data() + i + 3)
      throw InputError(where + ": bad escape in the group's key");
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

}  // namespace

std::string RuntimePredictor::to_text() const {
  std::string out(kModelHeader);
  out += "\n";
  // Sorted, so that the same model always reads the same (diffs, tests).
  std::vector<const std::pair<const std::string, Group>*> sorted;
  sorted.reserve(groups_.size());
  for (const auto& entry : groups_) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (const auto* entry : sorted) {
    const auto& [k, g] = *entry;
    out += escape(k);
    out += '\t' + std::to_string(g.count) + '\t' + std::to_string(g.next);
    for (float s : g.shares) {
      char buf[24];
      std::snprintf(buf, sizeof buf, "\t%.4g", static_cast<double>(s));
      out += buf;
    }
    out += '\n';
  }
  return out;
}

RuntimePredictor RuntimePredictor::parse(std::string_view text, const std::string& source,
                                         PredictorSettings settings) {
  RuntimePredictor p(settings);
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, nl);
    text = text.substr(std::min(nl + 1, text.size()));
    ++line_no;
    const std::string where = source + " line " + std::to_string(line_no);
    if (line_no == 1) {
      if (line != kModelHeader) throw InputError(where + ": not an ebb runtime model");
      continue;
    }
    if (line.empty()) continue;
    std::vector<std::string_view> f;
    for (std::size_t at = 0;;) {
      const std::size_t tab = line.find('\t', at);
      f.push_back(
          line.substr(at, tab == std::string_view::npos ? std::string_view::npos : tab - at));
      if (tab == std::string_view::npos) break;
      at = tab + 1;
    }
    if (f.size() != 3 + kKept)
      throw InputError(where + ": expected " + std::to_string(3 + kKept) + " fields");
    Group g;
    auto whole = [&](std::string_view v, std::uint32_t& out, std::uint32_t hi) {
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
      if (ec != std::errc{} || ptr != v.data() + v.size() || out > hi)
        throw InputError(where + ": not a count: '" + std::string(v.substr(0, 20)) + "'");
    };
    whole(f[1], g.count, UINT32_MAX - 1);
    whole(f[2], g.next, kKept - 1);
    for (std::size_t i = 0; i < kKept; ++i) {
      float v = 0;
      auto [ptr, ec] = std::from_chars(f[3 + i].data(), f[3 + i].data() + f[3 + i].size(), v);
      if (ec != std::errc{} || ptr != f[3 + i].data() + f[3 + i].size() || !(v >= 0 && v <= 1))
        throw InputError(where + ": not a share of the limit: '" +
                         std::string(f[3 + i].substr(0, 20)) + "'");
      g.shares[i] = v;
    }
    p.groups_[unescape(f[0], where)] = g;
  }
  if (line_no == 0) throw InputError(source + ": empty (not an ebb runtime model)");
  return p;
}

}  // namespace ebb
