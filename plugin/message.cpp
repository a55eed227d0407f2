// SPDX-License-Identifier: GPL-2.0-or-later
#include "message.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "core_api.h"
#include "ebb/input.hpp"
#include "ebb/time.hpp"

namespace ebb::plugin {

namespace {

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

}  // namespace

std::string local_minute(std::time_t t) {
  return format_local_minute(std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::system_clock::from_time_t(t)));
}

std::string not_deferred_line(const std::string& reason) { return "ebb: not deferred: " + reason; }

std::string warning_line(const std::string& what) {
  return "ebb: warning: " + what + "; job submitted unchanged";
}

std::string fallback_warning_line(const std::string& what) { return "ebb: warning: " + what; }

std::string error_line(const std::string& what) { return "ebb: error: " + what; }

std::string plan_summary(const Decision& d) {
  std::string out = std::string(d.defer ? "defer" : "now") + " start=" + format_utc(d.start) +
                    " objective=" + to_string(d.objective) + " kwh=" + fixed(d.energy_kwh, 3) +
                    " gco2=" + fixed(d.chosen.grams_co2, 0) +
                    " gco2_now=" + fixed(d.baseline.grams_co2, 0);
  if (!std::isnan(d.chosen.cost)) {
    out += " cost=" + fixed(d.chosen.cost, 4) + " cost_now=" + fixed(d.baseline.cost, 4) + " " +
           d.currency;
  }
  return out;
}

void print_line(const std::string& line) {
  slurm_spank_log("%s", printable_excerpt(line, kMaxLineChars).c_str());
}

}  // namespace ebb::plugin
