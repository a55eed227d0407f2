// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/decision_text.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace ebb {

namespace {

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

std::string intensity(double g) { return fixed(g, 0); }

// ", expected 40 min (23 similar jobs)" when ebbd predicted the runtime from history.
std::string runtime_note(const Decision& d) {
  if (d.runtime_basis.empty() || d.runtime <= Duration{0}) return "";
  return ", expected " + format_duration(d.runtime) + " (" + d.runtime_basis + ")";
}

// " (power measured on 41 jobs)" after the energy when ebbd calibrated the power.
std::string power_note(const Decision& d) {
  return d.power_basis.empty() ? "" : " (" + d.power_basis + ")";
}

// " (limit: partition debug's DefaultTime 20m)" when the job gave no --time and ebbd took
// the limit from slurmctld: the user should know what the plan assumed.
std::string limit_note(const Decision& d) {
  return d.limit_basis.empty() ? "" : " (limit: " + d.limit_basis + ")";
}

// "now" when the baseline is the submission time, else the baseline's time.
std::string baseline_label(const Decision& d, TimePoint now) {
  if (d.baseline.start <= now + std::chrono::minutes(1)) return "now";
  return "at " + format_local_minute(d.baseline.start);
}

}  // namespace

std::string amount(double x) {
  const double a = std::fabs(x);
  if (a >= 10 || a == 0) return fixed(x, 0);
  if (a >= 1) return fixed(x, 1);
  if (a >= 0.1) return fixed(x, 2);
  return fixed(x, 3);  // 0.012, not 0.01: two significant digits
}

std::string co2_text(double grams) {
  const double a = std::fabs(grams);
  if (a < 1000) return amount(grams) + " gCO2";
  if (a < 1e6) return amount(grams / 1e3) + " kgCO2";
  return amount(grams / 1e6) + " tCO2";
}

std::string energy_text(double kwh) {
  const double a = std::fabs(kwh);
  if (a < 1 && a > 0) return amount(kwh * 1e3) + " Wh";
  if (a < 1000) return amount(kwh) + " kWh";
  return amount(kwh / 1e3) + " MWh";
}

std::string savings_text(const Decision& d) {
  const double grams = d.saved_grams();
  const double kg = grams / 1000.0;
  const double money = d.saved_cost();
  const bool priced = !std::isnan(money);
  std::string kg_text = co2_text(std::fabs(grams));
  if (grams > 0 && d.baseline.grams_co2 > 0) {
    const double share = 100.0 * grams / d.baseline.grams_co2;
    kg_text += " (" + (share < 1 ? fixed(share, 1) : fixed(share, 0)) + " %)";
  }
  const std::string money_text = priced ? amount(std::fabs(money)) + " " + d.currency : "";
  if (!priced) return kg >= 0 ? "saves " + kg_text : "emits " + kg_text + " more";
  if (kg >= 0 && money >= 0) return "saves " + kg_text + " and " + money_text;
  if (kg >= 0) return "saves " + kg_text + ", costs " + money_text + " more";
  if (money >= 0) return "saves " + money_text + ", emits " + kg_text + " more";
  return "emits " + kg_text + " and costs " + money_text + " more";
}

std::string decision_line(const Decision& d, TimePoint now, DecisionMode mode) {
  const bool explain = mode == DecisionMode::explain;
  std::string line;
  if (!d.defer) {
    line = std::string(explain ? "ebb: would not defer: " : "ebb: not deferred: ") + d.reason +
           " (" + intensity(d.baseline.mean_carbon) + " gCO2/kWh " + baseline_label(d, now) +
           ", est. " + energy_text(d.energy_kwh) + power_note(d) + runtime_note(d) + ")";
  } else {
    line = std::string(explain ? "ebb: would defer to " : "ebb: deferred to ") +
           format_local_minute(d.start) + " (" + intensity(d.chosen.mean_carbon) + " vs " +
           intensity(d.baseline.mean_carbon) + " gCO2/kWh " + baseline_label(d, now) + ", est. " +
           energy_text(d.energy_kwh) + power_note(d) + runtime_note(d) + ", " + savings_text(d) +
           ")";
  }
  line += limit_note(d);
  if (explain) line += " (explain only, nothing changed)";
  return line;
}

}  // namespace ebb
