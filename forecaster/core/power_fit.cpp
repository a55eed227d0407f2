// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/power_fit.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

namespace ebb {

namespace {

constexpr std::size_t kTerms = 3;  // cores, GPUs, nodes
using Vec = std::array<double, kTerms>;

Vec row(const PowerSample& s) { return {s.cores, s.gpus, s.nodes}; }

// Weighted least squares over the terms in `mask` (bit i: term i), by the normal
// equations (at most 3 x 3, well scaled: sizes are small counts). Nothing when the terms
// do not determine the fit (a term that is zero for every job, or two that always move
// together).
std::optional<Vec> solve(const std::vector<const PowerSample*>& jobs, unsigned mask) {
  std::array<std::size_t, kTerms> use{};
  std::size_t k = 0;
  for (std::size_t i = 0; i < kTerms; ++i)
    if (mask & (1u << i)) use[k++] = i;
  double a[kTerms][kTerms + 1] = {};
  for (const PowerSample* s : jobs) {
    const Vec x = row(*s);
    const double w = s->seconds, p = s->joules / s->seconds;
    for (std::size_t r = 0; r < k; ++r) {
      for (std::size_t c = 0; c < k; ++c) a[r][c] += w * x[use[r]] * x[use[c]];
      a[r][k] += w * x[use[r]] * p;
    }
  }
  // Gaussian elimination with partial pivoting; a pivot this small against the diagonal
  // means the terms are (nearly) dependent.
  double scale = 0;
  for (std::size_t r = 0; r < k; ++r) scale = std::max(scale, std::fabs(a[r][r]));
  if (scale <= 0) return std::nullopt;
  for (std::size_t c = 0; c < k; ++c) {
    std::size_t piv = c;
    for (std::size_t r = c + 1; r < k; ++r)
      if (std::fabs(a[r][c]) > std::fabs(a[piv][c])) piv = r;
    if (std::fabs(a[piv][c]) <= 1e-9 * scale) return std::nullopt;
    for (std::size_t j = 0; j <= k; ++j) std::swap(a[c][j], a[piv][j]);
    for (std::size_t r = 0; r < k; ++r) {
      if (r == c) continue;
      const double f = a[r][c] / a[c][c];
      for (std::size_t j = c; j <= k; ++j) a[r][j] -= f * a[c][j];
    }
  }
  Vec out{};
  for (std::size_t r = 0; r < k; ++r) out[use[r]] = a[r][k] / a[r][r];
  return out;
}

double predicted_watts(const Vec& w, const PowerSample& s) {
  const Vec x = row(s);
  return w[0] * x[0] + w[1] * x[1] + w[2] * x[2];
}

double weighted_sq_error(const Vec& w, const std::vector<const PowerSample*>& jobs) {
  double e = 0;
  for (const PowerSample* s : jobs) {
    const double d = s->joules / s->seconds - predicted_watts(w, *s);
    e += s->seconds * d * d;
  }
  return e;
}

}  // namespace

PowerModel PowerFit::apply(PowerModel configured) const {
  configured.watts_per_core = watts_per_core;
  configured.watts_per_gpu = watts_per_gpu;
  configured.watts_per_node = watts_per_node;
  configured.watts_per_gb = 0;  // inside the measured figures
  return configured;
}

std::string describe(const PowerFit& fit) {
  return "power measured on " + std::to_string(fit.jobs) + " jobs";
}

std::vector<PowerFit> fit_power(const std::vector<PowerSample>& samples, std::size_t min_jobs) {
  std::map<std::string, std::vector<const PowerSample*>> by_partition;
  for (const PowerSample& s : samples)
    if (s.seconds > 0 && s.joules > 0 && std::isfinite(s.joules))
      by_partition[s.partition].push_back(&s);
  std::vector<PowerFit> out;
  for (const auto& [partition, jobs] : by_partition) {
    if (jobs.size() < std::max<std::size_t>(min_jobs, 1)) continue;
    // Non-negative least squares for three terms: the best of the unconstrained fits over
    // every subset of terms whose figures all come out non-negative. Subsets with fewer
    // terms come first and win ties (a site without GPUs gets W/GPU 0, not noise).
    std::optional<Vec> best;
    double best_err = std::numeric_limits<double>::infinity();
    for (unsigned mask : {1u, 4u, 2u, 5u, 3u, 6u, 7u}) {
      const auto w = solve(jobs, mask);
      if (!w || (*w)[0] < 0 || (*w)[1] < 0 || (*w)[2] < 0) continue;
      const double err = weighted_sq_error(*w, jobs);
      if (err < best_err * (1 - 1e-9)) {
        best = w;
        best_err = err;
      }
    }
    if (!best) continue;
    PowerFit f;
    f.partition = partition;
    f.jobs = jobs.size();
    f.watts_per_core = (*best)[0];
    f.watts_per_gpu = (*best)[1];
    f.watts_per_node = (*best)[2];
    double total_s = 0, joules = 0, abs_err = 0;
    for (const PowerSample* s : jobs) {
      total_s += s->seconds;
      joules += s->joules;
      abs_err += std::fabs(predicted_watts(*best, *s) * s->seconds - s->joules);
    }
    f.mean_watts = joules / total_s;
    f.rms_error_watts = std::sqrt(best_err / total_s);
    f.energy_error = abs_err / joules;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace ebb
