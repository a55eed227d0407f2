// SPDX-License-Identifier: GPL-2.0-or-later
#include "region.hpp"

#include <algorithm>

#include "ebb/daemon_client.hpp"
#include "ebb/error.hpp"
#include "ebb/forecast_file.hpp"
#include "ebb/strings.hpp"
#include "log.hpp"

namespace ebb::daemon {
namespace {

FetchOptions fetch_options(const DaemonSettings& d) {
  FetchOptions o;
  o.connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(d.connect_timeout);
  o.total_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(d.fetch_timeout);
  o.max_retries = d.max_retries;
  o.user_agent = d.user_agent;
  o.ca_file = d.ca_file;
  return o;
}

// Region names become file names in CacheDir.
void check_region_name(const std::string& name, const std::string& where) {
  bool ok = !name.empty() && name.size() <= 64 && name.front() != '.';
  for (char c : name)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
  if (!ok) {
    throw InputError(where + ": RegionName '" + name +
                     "': use letters, digits, '-', '_' and '.' only");
  }
}

// Keeps only slots that end after `t`.
SignalSeries from(const SignalSeries& s, TimePoint t) {
  std::vector<Slot> slots;
  for (const Slot& slot : s.slots()) {
    if (slot.end > t) slots.push_back(slot);
  }
  SignalSeries out(std::move(slots), s.source);
  out.region = s.region;
  out.currency = s.currency;
  out.kind = s.kind;
  return out;
}

}  // namespace

Region::Region(const RegionSettings& settings, const DaemonSettings& daemon,
               const DaemonClock& clock, Metrics& metrics)
    : name_(lower(settings.name)), daemon_(daemon), clock_(clock), metrics_(metrics) {
  check_region_name(settings.name, settings.where);
  try {
    carbon_source_ = make_carbon_source(settings.settings, fetch_options(daemon));
    if (settings.settings.count("pricesource")) {
      price_source_ = make_price_source(settings.settings, fetch_options(daemon));
    }
  } catch (const SourceError& e) {
    throw InputError(settings.where + ": region '" + settings.name + "': " + e.what());
  }
}

void Region::load_cache() {
  try {
    if (auto history_text = read_file_if_present(daemon_.cache_dir + "/" + name_ + ".history")) {
      history_ = History::parse(*history_text, daemon_.cache_dir + "/" + name_ + ".history");
    }
  } catch (const std::exception& e) {
    log_warning("region " + name_ + ": ignoring unreadable history: " + e.what());
  }
  const std::string error_path = daemon_.cache_dir + "/" + name_ + ".error";
  try {
    if (auto text = read_file_if_present(error_path)) {
      error_ = ForecastErrorTracker::parse(*text, error_path);
      last_written_error_ = *text;
    }
  } catch (const std::exception& e) {
    log_warning("region " + name_ + ": starting the forecast error afresh: " + e.what());
  }
  try {
    if (auto cached = daemon::load_cache(daemon_.cache_dir, name_)) {
      carbon_ = cached->provider;
      if (price_source_) price_ = cached->provider;
      fetched_at_ = cached->fetched_at;
      last_written_csv_.clear();
      log_info("region " + name_ + ": loaded " + std::to_string(cached->provider.size()) +
               " cached slots" +
               (cached->provider.empty() ? "" : " up to " + format_utc(cached->provider.end())));
    }
  } catch (const std::exception& e) {
    log_warning("region " + name_ + ": ignoring unreadable cache: " + e.what());
  }
  rebuild();
}

bool Region::refresh() {
  const TimePoint now = clock_.now();
  bool all_ok = true;
  auto fetch = [&](GridSource& source, const char* role,
                   std::optional<SignalSeries>& into) -> bool {
    try {
      SignalSeries s = source.fetch(now);
      if (s.empty()) throw SourceError(source.name(), "no data in the answer", 0, true);
      // A day-old saved file (an air-gapped site's inbox) serves nothing: a failed fetch,
      // not a silent success that leaves the old cache in place. Data that ended only
      // recently is fine: history-only sources (Electricity Maps with Forecast=no,
      // WattTime co2_aoer) end about now, and ebbd extends them from its history.
      if (s.end() <= now - daemon_.stale_after) {
        throw SourceError(source.name(), "all " + std::to_string(s.size()) +
                                             " slots end before now: nothing to serve (the "
                                             "last ended " +
                                             format_utc(s.end()) + ", more than StaleAfter ago)");
      }
      into = std::move(s);
      fetched_at_[role] = now;
      metrics_.count_fetch(name_, source.name(), true);
      return true;
    } catch (const std::exception& e) {
      all_ok = false;
      metrics_.count_fetch(name_, source.name(), false);
      log_warning("region " + name_ + ": " + role + " fetch failed: " + e.what());
      return false;
    }
  };
  const bool carbon_fresh = fetch(*carbon_source_, "carbon", carbon_);
  if (price_source_) fetch(*price_source_, "price", price_);
  if (all_ok) {
    SignalSeries m = merged();
    log_info("region " + name_ + ": fetched " + std::to_string(m.size()) + " slots" +
             (m.empty() ? "" : " from " + format_utc(m.begin()) + " to " + format_utc(m.end())));
  }
  if (carbon_) {
    history_.record(merged());
    history_.prune(now - hours(24) * (daemon_.history_days + 1));
    try {
      write_file_atomically(daemon_.cache_dir + "/" + name_ + ".history", history_.to_text());
    } catch (const std::exception& e) {
      log_error("region " + name_ + ": " + e.what());
    }
  }
  rebuild(carbon_fresh);
  return all_ok;
}

SignalSeries Region::merged() const {
  if (!carbon_) return {};
  if (!price_source_) return *carbon_;
  if (!price_) {  // prices never fetched: carbon alone rather than nothing
    SignalSeries c = *carbon_;
    return c;
  }
  SignalSeries m = merge_carbon_and_price(*carbon_, *price_);
  m.region = name_;
  return m;
}

void Region::rebuild(std::optional<bool> provider_fresh) {
  const TimePoint now = clock_.now();
  auto snap = std::make_shared<RegionSnapshot>();
  snap->region = name_;
  snap->built_at = now;
  SignalSeries provider = from(merged(), now);
  std::vector<Slot> slots = provider.slots();
  if (!provider.empty()) snap->provider_end = provider.end();
  TimePoint extend_from =
      provider.empty() ? TimePoint{std::chrono::floor<hours>(now)} : std::max(provider.end(), now);
  if (daemon_.extension_horizon > Duration{0}) {
    std::vector<Slot> extension = history_.extend(extend_from, now + daemon_.extension_horizon,
                                                  daemon_.extension_weeks, daemon_.extension_model);
    // An extension without prices would make the planner drop the provider's prices.
    bool prices_needed = !provider.empty() && provider.has_prices();
    for (const Slot& s : extension) {
      if (prices_needed && !s.has_price()) break;
      if (!slots.empty() && s.start < slots.back().end) continue;
      slots.push_back(s);
    }
  }
  snap->series = SignalSeries(std::move(slots), "ebbd region " + name_);
  snap->series.region = name_;
  snap->series.currency = provider.currency.empty() ? daemon_.currency : provider.currency;
  snap->series.kind = provider.kind;
  for (const auto& [role, t] : fetched_at_) {
    if (!snap->fetched_at || t < *snap->fetched_at) snap->fetched_at = t;
  }
  bool every_source_fetched =
      fetched_at_.count("carbon") && (!price_source_ || fetched_at_.count("price"));
  snap->stale =
      !every_source_fetched || !snap->fetched_at || now - *snap->fetched_at > daemon_.stale_after;
  track_error(now, snap->series, provider_fresh);
  snap->error = error_.summary();
  snap->mae_by_lead = error_.mae_by_lead();
  // Cache first, then publish: whoever sees the data can also find it on disk.
  if (snap->has_data()) save(*snap);
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = std::move(snap);
}

void Region::track_error(TimePoint now, const SignalSeries& served,
                         std::optional<bool> provider_fresh) {
  // Only after a refresh: the history has just taken the provider's latest word on the
  // past hours (a restart must not score against what an old fetch said).
  if (!provider_fresh) return;
  // A failed or unusable answer keeps the last good data in service, but only fresh
  // provider data counts as a new forecast; the extension is new at every refresh.
  if (!*provider_fresh) error_.count_rejected();
  error_.record(now, served, *provider_fresh);
  // The actual: the provider's last word on a past hour (its measured value where it
  // publishes one), as the history keeps it.
  error_.score(now, [&](TimePoint h) -> std::optional<double> {
    const History::Hour* hour = history_.at(h);
    return hour ? std::optional<double>(hour->carbon) : std::nullopt;
  });
  std::string text = error_.to_text();
  if (text == last_written_error_) return;
  try {
    write_file_atomically(daemon_.cache_dir + "/" + name_ + ".error", text);
    last_written_error_ = std::move(text);
  } catch (const std::exception& e) {
    log_error("region " + name_ + ": cannot write the forecast error: " + e.what());
  }
}

void Region::save(const RegionSnapshot& snap) {
  std::string csv = "# ebbd cache of region " + name_ + "; " + name_ +
                    ".json says when it was fetched\n" + to_forecast_csv(snap.series);
  if (csv == last_written_csv_) return;
  CacheState state;
  state.provider = merged();
  state.fetched_at = fetched_at_;
  state.source_names["carbon"] = carbon_source_->name();
  if (price_source_) state.source_names["price"] = price_source_->name();
  try {
    std::string path = cache_file_path(daemon_.cache_dir, name_);
    // Sidecar first: a reader that sees the new forecast also finds its provider end.
    write_file_atomically(path.substr(0, path.size() - 4) + ".json",
                          sidecar_json(name_, state, clock_.now()));
    write_file_atomically(path, csv);
    last_written_csv_ = std::move(csv);
  } catch (const std::exception& e) {
    log_error("region " + name_ + ": cannot write the cache: " + e.what());
  }
}

std::shared_ptr<const RegionSnapshot> Region::snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

}  // namespace ebb::daemon
