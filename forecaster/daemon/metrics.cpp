// SPDX-License-Identifier: GPL-2.0-or-later
#include "metrics.hpp"

#include <cmath>
#include <cstdio>

namespace ebb::daemon {
namespace {

// Label values are region and provider names from ebb.conf; escape what Prometheus needs.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

void Metrics::count_fetch(const std::string& region, const std::string& provider, bool ok) {
  std::lock_guard lock(fetch_mutex_);
  ++fetches_[{region, provider, ok}];
}

void Metrics::count_plan(double seconds) {
  plans_.fetch_add(1, std::memory_order_relaxed);
  plan_nanos_.fetch_add(static_cast<long long>(seconds * 1e9), std::memory_order_relaxed);
  std::size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  plan_buckets_[i].fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render(const std::vector<RegionAge>& regions,
                            std::optional<double> cluster_view_age) const {
  std::string out;
  out += "# HELP ebbd_fetch_total Provider fetches by region, provider and result.\n";
  out += "# TYPE ebbd_fetch_total counter\n";
  {
    std::lock_guard lock(fetch_mutex_);
    for (const auto& [key, count] : fetches_) {
      const auto& [region, provider, ok] = key;
      out += "ebbd_fetch_total{region=\"" + label(region) + "\",provider=\"" + label(provider) +
             "\",result=\"" + (ok ? "success" : "failure") + "\"} " + std::to_string(count) + "\n";
    }
  }
  out += "# HELP ebbd_forecast_age_seconds Seconds since the region's last good fetch.\n";
  out += "# TYPE ebbd_forecast_age_seconds gauge\n";
  for (const RegionAge& r : regions) {
    if (r.age_seconds) {
      out += "ebbd_forecast_age_seconds{region=\"" + label(r.region) + "\"} " +
             number(*r.age_seconds) + "\n";
    }
  }
  out += "# HELP ebbd_forecast_stale 1 when the region's forecast is older than StaleAfter.\n";
  out += "# TYPE ebbd_forecast_stale gauge\n";
  for (const RegionAge& r : regions) {
    out +=
        "ebbd_forecast_stale{region=\"" + label(r.region) + "\"} " + (r.stale ? "1" : "0") + "\n";
  }
  struct ErrorGauge {
    const char* name;
    const char* help;
    double (*value)(const LeadError&);
  };
  static const ErrorGauge kErrorGauges[] = {
      {"ebbd_forecast_error_mae", "Mean absolute error of served forecasts, gCO2e/kWh.",
       [](const LeadError& l) { return l.mae; }},
      {"ebbd_forecast_error_mape_percent", "Mean absolute percentage error of served forecasts.",
       [](const LeadError& l) { return l.mape; }},
      {"ebbd_forecast_error_spearman",
       "Mean rank correlation of served forecasts with the actual over each lead bucket.",
       [](const LeadError& l) { return l.spearman; }},
      {"ebbd_forecast_error_hours", "Hours scored for the forecast error.",
       [](const LeadError& l) { return static_cast<double>(l.hours); }},
  };
  for (const ErrorGauge& g : kErrorGauges) {
    out += std::string("# HELP ") + g.name + " " + g.help + "\n# TYPE " + g.name + " gauge\n";
    for (const RegionAge& r : regions) {
      for (ForecastPart part : {ForecastPart::provider, ForecastPart::extension}) {
        const auto& leads = part == ForecastPart::provider ? r.error.provider : r.error.extension;
        for (const LeadError& l : leads) {
          const double v = g.value(l);
          if (std::isnan(v)) continue;
          const auto bucket_hours = ForecastErrorTracker::kBucket.count() / 3600;
          out += std::string(g.name) + "{region=\"" + label(r.region) + "\",part=\"" +
                 to_string(part) + "\",lead=\"" + std::to_string(l.bucket * bucket_hours) + "-" +
                 std::to_string((l.bucket + 1) * bucket_hours) + "h\"} " + number(v) + "\n";
        }
      }
    }
  }
  out += "# HELP ebbd_forecast_rejected_total Fetches kept out of the forecast error.\n";
  out += "# TYPE ebbd_forecast_rejected_total counter\n";
  for (const RegionAge& r : regions) {
    out += "ebbd_forecast_rejected_total{region=\"" + label(r.region) + "\"} " +
           std::to_string(r.error.rejected) + "\n";
  }
  out += "# HELP ebbd_plans_total Plans served.\n# TYPE ebbd_plans_total counter\n";
  out += "ebbd_plans_total " + std::to_string(plans_.load()) + "\n";
  out += "# HELP ebbd_plan_errors_total Plan requests answered with an error.\n";
  out += "# TYPE ebbd_plan_errors_total counter\n";
  out += "ebbd_plan_errors_total " + std::to_string(plan_errors_.load()) + "\n";
  out += "# HELP ebbd_plan_duration_seconds Time to parse, plan and answer one request.\n";
  out += "# TYPE ebbd_plan_duration_seconds histogram\n";
  long long cumulative = 0;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += plan_buckets_[i].load();
    out += "ebbd_plan_duration_seconds_bucket{le=\"" + number(kBuckets[i]) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  cumulative += plan_buckets_[kBuckets.size()].load();
  out += "ebbd_plan_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(cumulative) + "\n";
  out += "ebbd_plan_duration_seconds_sum " + number(static_cast<double>(plan_nanos_.load()) / 1e9) +
         "\n";
  out += "ebbd_plan_duration_seconds_count " + std::to_string(cumulative) + "\n";
  out += "# HELP ebbd_cluster_refresh_total Reads of slurmctld's jobs and partitions.\n";
  out += "# TYPE ebbd_cluster_refresh_total counter\n";
  out +=
      "ebbd_cluster_refresh_total{result=\"success\"} " + std::to_string(cluster_ok_.load()) + "\n";
  out += "ebbd_cluster_refresh_total{result=\"failure\"} " +
         std::to_string(cluster_failed_.load()) + "\n";
  out += "# HELP ebbd_cluster_view_age_seconds Seconds since the cluster view in use was read.\n";
  out += "# TYPE ebbd_cluster_view_age_seconds gauge\n";
  if (cluster_view_age) out += "ebbd_cluster_view_age_seconds " + number(*cluster_view_age) + "\n";
  out += "# HELP ebbd_bookings Deferred plans handed out that squeue does not show yet.\n";
  out += "# TYPE ebbd_bookings gauge\nebbd_bookings " + std::to_string(bookings_.load()) + "\n";
  out += "# HELP ebbd_bookings_total Bookings made, matched by a queued job, or expired.\n";
  out += "# TYPE ebbd_bookings_total counter\n";
  out += "ebbd_bookings_total{outcome=\"made\"} " + std::to_string(bookings_made_.load()) + "\n";
  out +=
      "ebbd_bookings_total{outcome=\"matched\"} " + std::to_string(bookings_matched_.load()) + "\n";
  out +=
      "ebbd_bookings_total{outcome=\"expired\"} " + std::to_string(bookings_expired_.load()) + "\n";
  out += "# HELP ebbd_accounting_read_total Reads of finished jobs from Slurm's accounting.\n";
  out += "# TYPE ebbd_accounting_read_total counter\n";
  out += "ebbd_accounting_read_total{result=\"success\"} " + std::to_string(accounting_ok_.load()) +
         "\n";
  out += "ebbd_accounting_read_total{result=\"failure\"} " +
         std::to_string(accounting_failed_.load()) + "\n";
  out += "# HELP ebbd_accounting_jobs_learned_total Finished jobs the runtime model learned.\n";
  out += "# TYPE ebbd_accounting_jobs_learned_total counter\n";
  out += "ebbd_accounting_jobs_learned_total " + std::to_string(jobs_learned_.load()) + "\n";
  out += "# HELP ebbd_replan_moves_total Held jobs whose begin time ebbd moved.\n";
  out += "# TYPE ebbd_replan_moves_total counter\n";
  out += "ebbd_replan_moves_total " + std::to_string(replan_moves_.load()) + "\n";
  out += "# HELP ebbd_replan_failures_total Moves that scontrol refused or did not finish.\n";
  out += "# TYPE ebbd_replan_failures_total counter\n";
  out += "ebbd_replan_failures_total " + std::to_string(replan_failures_.load()) + "\n";
  out += "# HELP ebbd_replan_skipped_total Held jobs re-planning leaves alone, by reason.\n";
  out += "# TYPE ebbd_replan_skipped_total counter\n";
  {
    std::lock_guard lock(fetch_mutex_);
    for (const auto& [reason, count] : replan_skipped_)
      out += "ebbd_replan_skipped_total{reason=\"" + label(reason) + "\"} " +
             std::to_string(count) + "\n";
  }
  render_savings(out);
  return out;
}

void Metrics::render_savings(std::string& out) const {
  std::lock_guard lock(fetch_mutex_);
  struct Family {
    const char* name;
    const char* help;
    double AccountSavings::*value;
    bool money;
  };
  static constexpr Family kFamilies[] = {
      {"ebbd_saved_kgco2_total",
       "kgCO2e saved by finished jobs ebb planned (as submitted - realised, recorded actuals).",
       &AccountSavings::kgco2_saved, false},
      {"ebbd_saved_money_total", "Money saved by finished jobs ebb planned (recorded prices).",
       &AccountSavings::money_saved, true},
      {"ebbd_planned_saved_kgco2_total",
       "kgCO2e the plans of those jobs expected to save (forecast at submission).",
       &AccountSavings::kgco2_planned, false},
      {"ebbd_planned_saved_money_total", "Money the plans of those jobs expected to save.",
       &AccountSavings::money_planned, true},
  };
  for (const Family& f : kFamilies) {
    out += std::string("# HELP ") + f.name + " " + f.help + "\n# TYPE " + f.name + " counter\n";
    for (const auto& [account, s] : savings_) {
      out += std::string(f.name) + "{account=\"" + label(account) + "\"" +
             (f.money ? ",currency=\"" + label(savings_currency_) + "\"" : std::string()) + "} " +
             number(s.*(f.value)) + "\n";
    }
  }
  out += "# HELP ebbd_savings_jobs_total Finished jobs ebb planned that the savings count.\n";
  out += "# TYPE ebbd_savings_jobs_total counter\n";
  for (const auto& [account, s] : savings_)
    out += "ebbd_savings_jobs_total{account=\"" + label(account) + "\"} " + std::to_string(s.jobs) +
           "\n";
  out +=
      "# HELP ebbd_budget_used_percent Use of the account's budget (AccountBudget) in the "
      "current period, the quantity nearest its limit.\n";
  out += "# TYPE ebbd_budget_used_percent gauge\n";
  for (const auto& [account, b] : budgets_)
    out += "ebbd_budget_used_percent{account=\"" + label(account) + "\",quantity=\"" +
           label(b.quantity) + "\"} " + number(b.percent) + "\n";
  out += "# HELP ebbd_savings_read_total Rounds of the savings tracker (sacct and actuals).\n";
  out += "# TYPE ebbd_savings_read_total counter\n";
  out += "ebbd_savings_read_total{result=\"success\"} " + std::to_string(savings_ok_.load()) + "\n";
  out += "ebbd_savings_read_total{result=\"failure\"} " + std::to_string(savings_failed_.load()) +
         "\n";
}

}  // namespace ebb::daemon
