// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb forecast`: a region's carbon and price forecast as a table and a terminal chart.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "command_common.hpp"
#include "ebb/daemon_client.hpp"
#include "ebb/error.hpp"
#include "ebb/forecast_file.hpp"
#include "protocol.hpp"
#include "subcommands.hpp"
#include "terminal_chart.hpp"

namespace ebb {
namespace {

const char* origin_mark(Origin o) {
  switch (o) {
    case Origin::actual:
      return "actual";
    case Origin::forecast:
      return "forecast";
    case Origin::extension:
      return "extension*";
  }
  return "";
}

void print_human(const ForecastReply& reply, const std::string& note, TimePoint now,
                 int horizon_hours) {
  const SignalSeries& s = reply.series;
  const std::string currency = s.currency.empty() ? "currency" : s.currency;
  std::vector<const Slot*> shown;
  for (const Slot& slot : s.slots()) {
    if (slot.end > now && slot.start < now + hours(horizon_hours)) shown.push_back(&slot);
  }
  std::printf("%s%s, %s signal, %s (times in local time)\n", s.region.empty() ? "" : "Region ",
              s.region.empty() ? "Forecast" : s.region.c_str(),
              s.kind == SignalKind::marginal ? "marginal" : "average", note.c_str());
  if (reply.fetched_at) {
    std::printf("Fetched %s%s\n", format_local_minute(*reply.fetched_at).c_str(),
                reply.stale ? " (STALE: older than the daemon's StaleAfter)" : "");
  } else if (reply.stale) {
    std::printf("Freshness unknown\n");
  }
  if (shown.empty()) {
    std::printf("No forecast for the next %d hours.\n", horizon_hours);
    return;
  }
  TimePoint start = std::chrono::floor<hours>(now);
  int columns = std::min(horizon_hours, 72);
  std::printf("\nCarbon intensity, gCO2/kWh, one column per hour from %s:\n",
              format_local_minute(start).c_str());
  std::fputs(chart::columns(chart::hourly_means(s, start, columns, false), 6, "g/kWh").c_str(),
             stdout);
  bool any_price =
      std::any_of(shown.begin(), shown.end(), [](const Slot* x) { return x->has_price(); });
  if (any_price) {
    std::printf("\nPrice, %s/MWh:\n", currency.c_str());
    std::fputs(
        chart::columns(chart::hourly_means(s, start, columns, true), 6, currency + "/MWh").c_str(),
        stdout);
  }
  double low = INFINITY, high = -INFINITY;
  for (const Slot* x : shown) {
    low = std::min(low, x->carbon);
    high = std::max(high, x->carbon);
  }
  std::printf("\n%-16s  %7s  %10s  %-10s\n", "start", "gCO2/kWh", (currency + "/MWh").c_str(),
              "origin");
  for (const Slot* x : shown) {
    char price[32] = "-";
    if (x->has_price()) std::snprintf(price, sizeof price, "%.2f", x->price);
    std::printf("%-16s  %7.0f  %10s  %-10s  %s\n", format_local_minute(x->start).c_str(), x->carbon,
                price, origin_mark(x->origin), chart::bar(x->carbon, low * 0.9, high, 24).c_str());
  }
  if (std::any_of(shown.begin(), shown.end(),
                  [](const Slot* x) { return x->origin == Origin::extension; })) {
    std::printf(
        "* extension: ebbd's estimate past the provider's horizon, from the region's "
        "recent history\n");
  }
}

std::string number_or_dash(double v, const char* format) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// The measured error of the forecasts ebbd served, by lead time.
void print_error(const ErrorSummary& e) {
  std::printf("\nForecast error, last %d days (%lld forecasts recorded, %lld fetches kept out):\n",
              ForecastErrorTracker::kWindowDays, e.recorded, e.rejected);
  if (e.empty()) {
    std::printf("  nothing scored yet: a forecast is scored once its hours have passed\n");
    return;
  }
  std::printf("  %-9s  %-8s  %6s  %11s  %6s  %8s\n", "part", "lead", "hours", "MAE g/kWh", "MAPE",
              "Spearman");
  const auto bucket_hours = ForecastErrorTracker::kBucket.count() / 3600;
  for (ForecastPart part : {ForecastPart::provider, ForecastPart::extension}) {
    for (const LeadError& l : part == ForecastPart::provider ? e.provider : e.extension) {
      const std::string lead = std::to_string(l.bucket * bucket_hours) + "-" +
                               std::to_string((l.bucket + 1) * bucket_hours) + " h";
      std::printf("  %-9s  %-8s  %6lld  %11s  %6s  %8s\n", to_string(part), lead.c_str(), l.hours,
                  number_or_dash(l.mae, "%.0f").c_str(), number_or_dash(l.mape, "%.1f%%").c_str(),
                  number_or_dash(l.spearman, "%.2f").c_str());
    }
  }
  std::printf(
      "  MAE: typical miss in gCO2/kWh; MAPE: the same as a share of the actual; Spearman: how\n"
      "  well the forecast ordered the hours (1 = perfectly, 0 = no better than chance).\n");
}

}  // namespace

int forecast_main(int argc, char** argv) {
  CLI::App app{
      "Show a region's carbon-intensity and price forecast, as ebbd serves it "
      "(or from its cache file when ebbd is down), and how wrong ebbd's past forecasts were "
      "at each lead time: MAE (typical miss, gCO2/kWh), MAPE (the miss as a share of the "
      "actual) and Spearman (how well the hours were ordered), for the provider's part and "
      "ebbd's own extension apart, over the last 28 days.",
      "ebb forecast"};
  std::string region, config_path = commands::kDefaultConfig, url, file, now_text;
  bool json = false;
  int horizon = 48;
  app.add_option("-r,--region", region, "region, as in ebb.conf's RegionName=");
  auto* config_opt = app.add_option("-c,--config", config_path, "ebb.conf")->capture_default_str();
  app.add_option("--url", url, "ebbd's URL (default: DaemonURL= from ebb.conf)");
  app.add_option("-f,--forecast", file, "show a forecast file instead of asking ebbd");
  app.add_option("--hours", horizon, "how many hours ahead to show")
      ->capture_default_str()
      ->check(CLI::Range(1, 24 * 14));
  app.add_option("--now", now_text, "show the forecast from this time (ISO 8601)");
  app.add_flag("--json", json, "print JSON for scripts");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    Config config = commands::load_config_for_command(config_path, config_opt->count() > 0);
    ForecastReply reply;
    std::string note;
    if (!file.empty()) {
      reply.series = read_forecast_file(file);
      reply.generated_at = now_utc();
      note = "from " + file;
    } else {
      reply = commands::forecast_for_region(config, commands::daemon_url_of(config, url), region,
                                            &note);
    }
    TimePoint now =
        now_text.empty() ? now_utc() : commands::parse_user_time(now_text, now_utc(), "--now");
    if (json) {
      nlohmann::json j = {
          {"region", reply.series.region},
          {"currency", reply.series.currency},
          {"kind", wire::to_string(reply.series.kind)},
          {"stale", reply.stale},
          {"fetched_at", reply.fetched_at ? nlohmann::json(format_utc(*reply.fetched_at))
                                          : nlohmann::json(nullptr)},
          {"source", note},
          {"error", reply.error ? wire::error_to_json(*reply.error) : nlohmann::json(nullptr)},
          {"slots", wire::series_to_json(reply.series)}};
      std::cout << j.dump(2) << "\n";
    } else {
      print_human(reply, note, now, horizon);
      if (reply.error) print_error(*reply.error);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ebb forecast: %s\n", e.what());
    return 1;
  }
}

}  // namespace ebb
