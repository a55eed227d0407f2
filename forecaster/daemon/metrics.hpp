// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd's counters, rendered in the Prometheus text format on GET /metrics.
//
//   ebbd_fetch_total{region,provider,result="success"|"failure"}   counter
//   ebbd_forecast_age_seconds{region}                               gauge (since last good fetch)
//   ebbd_forecast_stale{region}                                     gauge 0/1
//   ebbd_plans_total                                                counter (plans served)
//   ebbd_plan_errors_total                                          counter (400/404/503 answers)
//   ebbd_plan_duration_seconds                                      histogram (handling time)
//   ebbd_cluster_refresh_total{result="success"|"failure"}          counter (squeue/scontrol reads)
//   ebbd_cluster_view_age_seconds                                   gauge (absent without a view)
//   ebbd_bookings                                                   gauge (deferred plans not in
//   squeue yet) ebbd_bookings_total{outcome="made"|"matched"|"expired"}         counter
//   ebbd_accounting_read_total{result="success"|"failure"}          counter (sacct reads)
//   ebbd_accounting_jobs_learned_total                              counter (finished jobs)
//   ebbd_replan_moves_total                                         counter (begin times moved)
//   ebbd_replan_failures_total                                      counter (scontrol refused)
//   ebbd_forecast_error_mae{region,part,lead}                       gauge (gCO2e/kWh; part =
//   provider|extension, lead = "0-6h", ...; over the last 28 days of issued forecasts)
//   ebbd_forecast_error_mape_percent{region,part,lead}              gauge
//   ebbd_forecast_error_spearman{region,part,lead}                  gauge (absent: no ranking)
//   ebbd_forecast_error_hours{region,part,lead}                     gauge (hours scored)
//   ebbd_forecast_rejected_total{region}                            counter (fetches kept out
//   of the error statistics)
//   ebbd_replan_skipped_total{reason}                               counter (held jobs left
//   alone, once per job and reason)
//   ebbd_saved_kgco2_total{account}                                 counter (realised saving of
//   finished jobs ebb planned, ledger.hpp's method; kept in CacheDir/savings.state)
//   ebbd_saved_money_total{account,currency}                        counter (likewise, money)
//   ebbd_planned_saved_kgco2_total{account}                         counter (what their plans
//   expected to save, from the forecast)
//   ebbd_planned_saved_money_total{account,currency}                counter
//   ebbd_savings_jobs_total{account}                                counter (finished jobs counted)
//   ebbd_budget_used_percent{account,quantity}                      gauge (AccountBudget use in
//   the current period)
//   ebbd_savings_read_total{result}                                 counter (savings rounds)
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "ebb/forecast_error.hpp"
#include "ebb/time.hpp"

namespace ebb::daemon {

// One account's cumulative savings, counted when its jobs finish (the savings tracker,
// forecaster/ledger/savings_tracker.hpp).
struct AccountSavings {
  double kgco2_saved = 0, money_saved = 0;      // realised: as submitted - realised
  double kgco2_planned = 0, money_planned = 0;  // the plans' own estimates
  long long jobs = 0;
};

// An account's use of its budget in the current period: the largest share of any quantity.
struct BudgetGauge {
  double percent = 0;
  std::string quantity;  // carbon, energy, money
};

class Metrics {
 public:
  void count_fetch(const std::string& region, const std::string& provider, bool ok);
  void count_plan(double seconds);
  void count_plan_error() { plan_errors_.fetch_add(1, std::memory_order_relaxed); }
  void count_cluster_refresh(bool ok) { (ok ? cluster_ok_ : cluster_failed_).fetch_add(1); }
  void count_booking() { bookings_made_.fetch_add(1); }
  void count_bookings_settled(std::size_t matched, std::size_t expired) {
    bookings_matched_.fetch_add(static_cast<long long>(matched));
    bookings_expired_.fetch_add(static_cast<long long>(expired));
  }
  void set_bookings(std::size_t n) { bookings_.store(static_cast<long long>(n)); }
  void count_accounting_read(bool ok, std::size_t learned) {
    (ok ? accounting_ok_ : accounting_failed_).fetch_add(1);
    jobs_learned_.fetch_add(static_cast<long long>(learned));
  }

  void count_replan_move() { replan_moves_.fetch_add(1); }
  void count_replan_failure() { replan_failures_.fetch_add(1); }
  void count_replan_skipped(const std::string& reason) {
    std::lock_guard lock(fetch_mutex_);
    ++replan_skipped_[reason];
  }

  void count_savings_read(bool ok) { (ok ? savings_ok_ : savings_failed_).fetch_add(1); }
  void set_savings(std::map<std::string, AccountSavings> by_account, std::string currency,
                   std::map<std::string, BudgetGauge> budgets) {
    std::lock_guard lock(fetch_mutex_);
    savings_ = std::move(by_account);
    savings_currency_ = std::move(currency);
    budgets_ = std::move(budgets);
  }

  struct RegionAge {
    std::string region;
    std::optional<double> age_seconds;
    bool stale = false;
    ErrorSummary error;
  };
  std::string render(const std::vector<RegionAge>& regions,
                     std::optional<double> cluster_view_age = std::nullopt) const;

  static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   0.25,   1.0};

 private:
  void render_savings(std::string& out) const;

  mutable std::mutex fetch_mutex_;
  std::map<std::tuple<std::string, std::string, bool>, long long> fetches_;
  std::atomic<long long> plans_{0};
  std::atomic<long long> plan_errors_{0};
  std::array<std::atomic<long long>, kBuckets.size() + 1> plan_buckets_{};  // last: +Inf
  std::atomic<long long> plan_nanos_{0};
  std::atomic<long long> cluster_ok_{0}, cluster_failed_{0};
  std::atomic<long long> bookings_{0}, bookings_made_{0}, bookings_matched_{0},
      bookings_expired_{0};
  std::atomic<long long> accounting_ok_{0}, accounting_failed_{0}, jobs_learned_{0};
  std::atomic<long long> replan_moves_{0}, replan_failures_{0};
  std::map<std::string, long long> replan_skipped_;  // guarded by fetch_mutex_
  std::atomic<long long> savings_ok_{0}, savings_failed_{0};
  std::map<std::string, AccountSavings> savings_;  // guarded by fetch_mutex_
  std::string savings_currency_;                   // guarded by fetch_mutex_
  std::map<std::string, BudgetGauge> budgets_;     // guarded by fetch_mutex_
};

}  // namespace ebb::daemon
