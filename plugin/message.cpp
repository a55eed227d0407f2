#include "message.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "ebb/time.hpp"
#include "spank_api.hpp"

namespace ebb::plugin {

namespace {

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

std::string intensity(double g) { return fixed(g, 0); }

// "now" when the baseline is the submission time, else the baseline's time.
std::string baseline_label(const Decision& d, TimePoint now) {
  if (d.baseline.start <= now + std::chrono::minutes(1)) return "now";
  return "at " + format_local_minute(d.baseline.start);
}

// "saves 0.46 kgCO2 and 0.21 EUR". An objective can trade one for the other (a cheaper
// window with dirtier power, or the reverse); then the line says what it costs
// instead of printing a negative saving.
std::string savings(const Decision& d) {
  const double kg = d.saved_grams() / 1000.0;
  const double money = d.saved_cost();
  const bool priced = !std::isnan(money);
  const std::string kg_text = amount(std::fabs(kg)) + " kgCO2";
  const std::string money_text = priced ? amount(std::fabs(money)) + " " + d.currency : "";
  if (!priced) return kg >= 0 ? "saves " + kg_text : "emits " + kg_text + " more";
  if (kg >= 0 && money >= 0) return "saves " + kg_text + " and " + money_text;
  if (kg >= 0) return "saves " + kg_text + ", costs " + money_text + " more";
  if (money >= 0) return "saves " + money_text + ", emits " + kg_text + " more";
  return "emits " + kg_text + " and costs " + money_text + " more";
}

}  // namespace

std::string amount(double x) {
  const double a = std::fabs(x);
  if (a >= 10 || a == 0) return fixed(x, 0);
  if (a >= 1) return fixed(x, 1);
  if (a >= 0.01) return fixed(x, 2);
  return fixed(x, 3);
}

std::string local_minute(std::time_t t) {
  return format_local_minute(std::chrono::time_point_cast<std::chrono::seconds>(
      std::chrono::system_clock::from_time_t(t)));
}

std::string decision_line(const Decision& d, TimePoint now, Mode mode) {
  const bool explain = mode == Mode::explain;
  if (!d.defer) {
    std::string line = std::string(explain ? "ebb: would not defer: " : "ebb: not deferred: ") +
                       d.reason + " (" + intensity(d.baseline.mean_carbon) + " gCO2/kWh " +
                       baseline_label(d, now) + ", est. " + amount(d.energy_kwh) + " kWh)";
    if (explain) line += " (explain only, nothing changed)";
    return line;
  }
  std::string line = std::string(explain ? "ebb: would defer to " : "ebb: deferred to ") +
                     format_local_minute(d.start) + " (" + intensity(d.chosen.mean_carbon) +
                     " vs " + intensity(d.baseline.mean_carbon) + " gCO2/kWh " +
                     baseline_label(d, now) + ", est. " + amount(d.energy_kwh) + " kWh, " +
                     savings(d) + ")";
  if (explain) line += " (explain only, nothing changed)";
  return line;
}

std::string not_deferred_line(const std::string& reason) { return "ebb: not deferred: " + reason; }

std::string warning_line(const std::string& what) {
  return "ebb: warning: " + what + "; job submitted unchanged";
}

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

void print_line(const std::string& line) { slurm_spank_log("%s", line.c_str()); }

}  // namespace ebb::plugin
