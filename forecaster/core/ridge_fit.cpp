// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/ridge_fit.hpp"

#include <algorithm>
#include <cmath>

namespace ebb {

RidgeFit::RidgeFit(int features)
    : n_(features),
      xtx_(static_cast<std::size_t>(features * features), 0.0),
      xty_(static_cast<std::size_t>(features), 0.0) {}

void RidgeFit::add(std::span<const double> x, double y) {
  for (int r = 0; r < n_; ++r) {
    const double xr = x[static_cast<std::size_t>(r)];
    xty_[static_cast<std::size_t>(r)] += xr * y;
    for (int c = 0; c <= r; ++c)
      xtx_[static_cast<std::size_t>(r * n_ + c)] += xr * x[static_cast<std::size_t>(c)];
  }
  ++samples_;
}

std::optional<std::vector<double>> RidgeFit::solve(double ridge,
                                                   std::span<const double> prior) const {
  if (samples_ == 0) return std::nullopt;
  const auto at = [this](int r, int c) { return static_cast<std::size_t>(r * n_ + c); };
  std::vector<double> a = xtx_, b = xty_;
  double scale = 0;
  int active = 0;
  for (int r = 1; r < n_; ++r) scale += a[at(r, r)], active += a[at(r, r)] > 0;
  const double lambda = ridge * scale / std::max(active, 1);
  for (int r = 0; r < n_; ++r) {
    if (r > 0 && a[at(r, r)] == 0) {  // never seen: an identity row, weight 0
      for (int c = 0; c < n_; ++c) a[at(r, c)] = a[at(c, r)] = 0;
      a[at(r, r)] = 1;
      b[static_cast<std::size_t>(r)] = 0;
      continue;
    }
    if (r == 0) {
      a[at(0, 0)] += 1e-9 * scale;  // keeps a constant-free fit solvable
    } else {
      a[at(r, r)] += lambda;
      b[static_cast<std::size_t>(r)] += lambda * prior[static_cast<std::size_t>(r)];
    }
  }
  // Cholesky in place on the lower triangle, then the two triangular solves.
  for (int j = 0; j < n_; ++j) {
    double d = a[at(j, j)];
    for (int k = 0; k < j; ++k) d -= a[at(j, k)] * a[at(j, k)];
    if (!(d > 1e-12)) return std::nullopt;
    a[at(j, j)] = std::sqrt(d);
    for (int i = j + 1; i < n_; ++i) {
      double s = a[at(i, j)];
      for (int k = 0; k < j; ++k) s -= a[at(i, k)] * a[at(j, k)];
      a[at(i, j)] = s / a[at(j, j)];
    }
  }
  for (int i = 0; i < n_; ++i) {
    for (int k = 0; k < i; ++k)
      b[static_cast<std::size_t>(i)] -= a[at(i, k)] * b[static_cast<std::size_t>(k)];
    b[static_cast<std::size_t>(i)] /= a[at(i, i)];
  }
  for (int i = n_ - 1; i >= 0; --i) {
    for (int k = i + 1; k < n_; ++k)
      b[static_cast<std::size_t>(i)] -= a[at(k, i)] * b[static_cast<std::size_t>(k)];
    b[static_cast<std::size_t>(i)] /= a[at(i, i)];
  }
  return b;
}

}  // namespace ebb
