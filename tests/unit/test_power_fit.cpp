// SPDX-License-Identifier: GPL-2.0-or-later
// The power calibration (ebb/power_fit.hpp): known watts are recovered from jobs measured
// with them, noise shows in the reported error, no figure comes out negative, and too few
// or unusable measurements leave a partition to its configured model.
#include <catch2/catch.hpp>

#include "ebb/power_fit.hpp"

using namespace ebb;

namespace {

// A job of `cores`, `gpus` and `nodes` running `hours` on hardware drawing 10 W a core,
// 300 W a GPU and 100 W a node, times `factor` (measurement noise).
PowerSample measured(const std::string& partition, double cores, double gpus, double nodes,
                     double hours, double factor = 1.0) {
  PowerSample s;
  s.partition = partition;
  s.cores = cores;
  s.gpus = gpus;
  s.nodes = nodes;
  s.seconds = hours * 3600;
  s.joules = (10 * cores + 300 * gpus + 100 * nodes) * s.seconds * factor;
  return s;
}

}  // namespace

TEST_CASE("exact measurements give back the watts per core, GPU and node") {
  std::vector<PowerSample> jobs{measured("gpu", 8, 1, 1, 2),  measured("gpu", 16, 2, 1, 1),
                                measured("gpu", 32, 4, 2, 3), measured("gpu", 4, 0, 1, 0.5),
                                measured("gpu", 64, 2, 2, 1), measured("gpu", 8, 4, 1, 6)};
  const auto fits = fit_power(jobs);
  REQUIRE(fits.size() == 1);
  const PowerFit& f = fits[0];
  CHECK(f.partition == "gpu");
  CHECK(f.jobs == 6);
  CHECK(f.watts_per_core == Approx(10).margin(1e-6));
  CHECK(f.watts_per_gpu == Approx(300).margin(1e-6));
  CHECK(f.watts_per_node == Approx(100).margin(1e-6));
  CHECK(f.rms_error_watts == Approx(0).margin(1e-6));
  CHECK(f.energy_error == Approx(0).margin(1e-9));
  CHECK(describe(f) == "power measured on 6 jobs");
  // Planned with it: memory is inside the measured figures, the PUE stays the site's.
  PowerModel configured;
  configured.pue = 1.2;
  const PowerModel m = f.apply(configured);
  JobRequest job;
  job.cpus_per_task = 8;
  job.gpus = 1;
  job.nodes = 1;
  job.memory_gb = 64;
  CHECK(m.watts(job) == Approx((80 + 300 + 100) * 1.2).epsilon(1e-9));
}

TEST_CASE("noise shows in the error; the runtime weights the jobs") {
  // Four hours measured 10 % high, one minute 50 % low: the fit follows the hours.
  std::vector<PowerSample> jobs{measured("cpu", 4, 0, 1, 4, 1.1), measured("cpu", 8, 0, 1, 4, 1.1),
                                measured("cpu", 16, 0, 1, 4, 1.1),
                                measured("cpu", 32, 0, 2, 4, 1.1),
                                measured("cpu", 32, 0, 1, 1.0 / 60, 0.5)};
  const auto fits = fit_power(jobs);
  REQUIRE(fits.size() == 1);
  CHECK(fits[0].watts_per_core == Approx(11).epsilon(0.02));
  CHECK(fits[0].watts_per_node == Approx(110).epsilon(0.02));
  CHECK(fits[0].watts_per_gpu == 0);  // no GPUs: not fitted, not noise
  CHECK(fits[0].rms_error_watts > 0);
  CHECK(fits[0].energy_error > 0);
  CHECK(fits[0].energy_error < 0.01);
  // The same outlier running four hours pulls the fit far off.
  jobs.back() = measured("cpu", 32, 0, 1, 4, 0.5);
  CHECK(fit_power(jobs)[0].watts_per_core < 11 * 0.9);
}

TEST_CASE("no figure comes out negative: the best fit over the terms that stay positive") {
  // Power falls with the node count here (made up): an unconstrained fit would give a
  // negative W per node; the node term is dropped instead.
  std::vector<PowerSample> jobs;
  for (double cores : {4.0, 8.0, 16.0, 32.0}) {
    PowerSample s = measured("odd", cores, 0, cores >= 16 ? 2 : 1, 1);
    s.joules = (12 * cores - 20 * s.nodes) * s.seconds;
    jobs.push_back(s);
  }
  jobs.push_back(jobs.front());
  const auto fits = fit_power(jobs);
  REQUIRE(fits.size() == 1);
  CHECK(fits[0].watts_per_node == 0);
  CHECK(fits[0].watts_per_core > 0);
  CHECK(fits[0].watts_per_core < 12);
}

TEST_CASE("too few, zero or negative measurements leave a partition unfitted") {
  std::vector<PowerSample> jobs;
  for (int i = 0; i < 4; ++i) jobs.push_back(measured("small", 4 + i, 0, 1, 1));
  PowerSample zero = measured("small", 4, 0, 1, 1);
  zero.joules = 0;  // no energy plugin on that node: not a measurement
  jobs.push_back(zero);
  PowerSample never = measured("small", 4, 0, 1, 1);
  never.seconds = -5;  // clock skew
  jobs.push_back(never);
  CHECK(fit_power(jobs).empty());
  jobs.push_back(measured("small", 9, 0, 1, 1));
  REQUIRE(fit_power(jobs).size() == 1);
  CHECK(fit_power(jobs)[0].jobs == 5);
  CHECK(fit_power({}, 1).empty());
}
