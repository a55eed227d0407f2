// SPDX-License-Identifier: GPL-2.0-or-later
// Ridge least squares over a handful of features, by the normal equations: what ebbd's
// own forecaster (seasonal_forecast.hpp) and the replay's archive correction
// (replay/archive_correction.hpp) fit, one small model per lead time.
#pragma once

#include <optional>
#include <span>
#include <vector>

namespace ebb {

class RidgeFit {
 public:
  explicit RidgeFit(int features);
  // One sample: features x (size features()), target y.
  void add(std::span<const double> x, double y);
  int samples() const { return samples_; }
  int features() const { return n_; }
  // The weights w minimising |X w - y|^2 + lambda |w - prior|^2, where the penalty leaves
  // feature 0 (the intercept) free and lambda = `ridge` times the mean of the other
  // features' squares over the samples, so it means the same for 20 and 800 g/kWh grids.
  // Features that were 0 in every sample get weight 0. nullopt: singular, or no samples.
  std::optional<std::vector<double>> solve(double ridge, std::span<const double> prior) const;

 private:
  int n_;
  int samples_ = 0;
  std::vector<double> xtx_;  // n x n, lower triangle filled
  std::vector<double> xty_;
};

}  // namespace ebb
