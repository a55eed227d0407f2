// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd, ebb's forecaster daemon: fetches each configured region's carbon intensity and
// electricity price, keeps them cached on disk, and answers forecasts and plans over HTTP.
// See the README's "Forecaster daemon" section.
#include <pthread.h>
#include <signal.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "cache.hpp"
#include "clock.hpp"
#include "cluster_state.hpp"
#include "ebb/config.hpp"
#include "ebb/error.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "periodic.hpp"
#include "refresher.hpp"
#include "region.hpp"
#include "replanner.hpp"
#include "runtime_learner.hpp"
#include "savings_tracker.hpp"
#include "server.hpp"
#include "settings.hpp"

namespace {

using namespace ebb::daemon;

int run(int argc, char** argv) {
  CLI::App app{
      "ebbd: ebb's forecaster daemon. Fetches each region's carbon intensity and electricity\n"
      "price (RegionName= lines of ebb.conf), caches them on disk and serves forecasts and\n"
      "job plans over HTTP: GET /v1/forecast?region=R, POST /v1/plan, GET /v1/health,\n"
      "GET /metrics. Run it as an unprivileged user (e.g. slurm); logs go to stderr.",
      "ebbd"};
  std::string config_path = "/etc/slurm/ebb.conf";
  std::string listen, cache_dir, port_file, now_text;
  bool once = false;
  app.add_option("-c,--config", config_path, "ebb.conf to read")->capture_default_str();
  app.add_option("--listen", listen,
                 "unix:/path or host:port to serve on, overrides Listen= (port 0: any)");
  app.add_option("--cache-dir", cache_dir, "overrides CacheDir=");
  app.add_option("--port-file", port_file,
                 "write the bound port (or unix:/path) to this file once listening");
  app.add_option("--now", now_text,
                 "TESTS ONLY: pretend the clock reads this ISO 8601 time at start-up "
                 "(also EBB_NOW); it then runs at the real rate");
  app.add_flag("--once", once,
               "fetch every region once, write the cache and exit (for cron or air-gapped "
               "sites); exit status 1 when any fetch failed");
  app.set_version_flag("--version", "ebbd " EBB_VERSION);
  CLI11_PARSE(app, argc, argv);

  if (now_text.empty()) {
    if (const char* env = std::getenv("EBB_NOW")) now_text = env;
  }
  std::optional<ebb::TimePoint> pretend;
  if (!now_text.empty()) pretend = ebb::parse_iso8601(now_text);
  DaemonClock clock(pretend);

  ebb::Config config = ebb::load_config(config_path);
  DaemonSettings settings = daemon_settings(config);
  if (!listen.empty()) parse_listen(listen, settings);
  if (!cache_dir.empty()) settings.cache_dir = cache_dir;
  if (config.regions.empty()) {
    throw ebb::InputError(config_path + ": no RegionName= line; ebbd has nothing to serve");
  }
  if (::geteuid() == 0) {
    log_warning("running as root; run ebbd as an unprivileged user such as slurm");
  }
  if (clock.pretending())
    log_warning("clock set by --now/EBB_NOW to " + ebb::format_utc(clock.now()));
  prepare_cache_dir(settings.cache_dir);

  Metrics metrics;
  std::vector<std::unique_ptr<Region>> regions;
  for (const auto& [name, region_settings] : config.regions) {
    regions.push_back(std::make_unique<Region>(region_settings, settings, clock, metrics));
    regions.back()->load_cache();
  }

  if (once) {
    bool all_ok = true;
    for (auto& r : regions) all_ok = r->refresh() && all_ok;
    return all_ok ? 0 : 1;
  }

  // Signals go to one thread that stops the server; every other thread blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  ClusterState cluster(config, settings, metrics);
  Server server(config, regions, clock, metrics, settings.http_threads, &cluster);
  std::string where;
  if (!settings.listen_socket.empty()) {
    server.bind_unix(settings.listen_socket);
    where = "unix:" + settings.listen_socket;
  } else {
    where = std::to_string(server.bind(settings.listen_host, settings.listen_port));
  }
  log_info("listening on " +
           (settings.listen_socket.empty() ? settings.listen_host + ":" + where : where) +
           " with " + std::to_string(regions.size()) + " region(s), cache in " +
           settings.cache_dir);
  if (!port_file.empty()) {
    write_file_atomically(port_file, where + "\n");
  }

  // Held jobs are re-planned with the forecast plans use: Region=, else the only region.
  Replanner replanner(
      config, settings, cluster, metrics,
      [&regions, &config]() -> std::optional<ebb::SignalSeries> {
        const Region* use = regions.size() == 1 ? regions.front().get() : nullptr;
        for (const auto& r : regions)
          if (!config.region.empty() && ::strcasecmp(r->name().c_str(), config.region.c_str()) == 0)
            use = r.get();
        if (!use) return std::nullopt;
        auto snap = use->snapshot();
        if (!snap || !snap->has_data() || snap->stale) return std::nullopt;
        return snap->series;
      });
  std::vector<std::unique_ptr<Refresher>> refreshers;
  for (auto& r : regions) {
    refreshers.push_back(std::make_unique<Refresher>(*r, settings));
    refreshers.back()->on_fetch([&replanner] { replanner.poke(); });
    refreshers.back()->start();
  }
  cluster.start();
  replanner.start();
  // Runtimes learned from accounting, when ebbd can read it (AccountingRefresh=0: off).
  LearnerSettings learning;
  learning.sacct_command = settings.sacct_command;
  learning.refresh = settings.accounting_refresh;
  learning.first_days = settings.accounting_days;
  learning.model_path = settings.cache_dir + "/runtime.model";
  std::unique_ptr<RuntimeLearner> learner;
  std::unique_ptr<PeriodicTask> learning_task;
  if (learning.refresh > ebb::Duration{0}) {
    learner = std::make_unique<RuntimeLearner>(learning);
    server.set_runtime_learner(learner.get());
    learning_task = std::make_unique<PeriodicTask>(learning.refresh, [&learner, &metrics] {
      static std::string last_error;
      try {
        const std::size_t learned = learner->refresh(ebb::now_utc());
        metrics.count_accounting_read(true, learned);
        if (!last_error.empty()) log_info("runtime history: reading accounting again");
        last_error.clear();
        // The energy read failing is said once, not every refresh.
        static std::string last_power_error;
        const std::string power_error = learner->power_error();
        if (!power_error.empty() && power_error != last_power_error)
          log_warning("power calibration: " + power_error +
                      "; plans keep the last fit, else ebb.conf's power model");
        last_power_error = power_error;
      } catch (const std::exception& e) {
        metrics.count_accounting_read(false, 0);
        if (e.what() != last_error)
          log_warning(std::string("runtime history: ") + e.what() +
                      "; plans use time limits where nothing was learned");
        last_error = e.what();
      }
    });
    learning_task->start();
  }
  // Savings counters and budget use from the same accounting (savings_tracker.hpp), at
  // the same interval; the actuals are those of Region=, else the only region.
  std::unique_ptr<ebb::ledger::SavingsTracker> tracker;
  std::unique_ptr<PeriodicTask> savings_task;
  if (settings.accounting_refresh > ebb::Duration{0}) {
    ebb::ledger::TrackerSettings ts;
    ts.sacct_command = settings.sacct_command;
    if (auto it = config.daemon.find("sacctmgrcommand"); it != config.daemon.end())
      ts.sacctmgr_command = it->second;
    ts.cache_dir = settings.cache_dir;
    for (const auto& [name, r] : config.regions)
      if (ts.region.empty() || ::strcasecmp(name.c_str(), config.region.c_str()) == 0)
        ts.region = name;
    tracker = std::make_unique<ebb::ledger::SavingsTracker>(config, ts, clock.now());
    metrics.set_savings(tracker->savings(), tracker->currency(), {});
    savings_task =
        std::make_unique<PeriodicTask>(settings.accounting_refresh, [&tracker, &metrics, &clock] {
          static std::string last_error;
          try {
            tracker->refresh(clock.now());
            metrics.count_savings_read(true);
            if (!last_error.empty()) log_info("savings: reading accounting again");
            last_error.clear();
          } catch (const std::exception& e) {
            metrics.count_savings_read(false);
            if (e.what() != last_error)
              log_warning(std::string("savings: ") + e.what() +
                          "; counters and budget use wait for the next round");
            last_error = e.what();
          }
          metrics.set_savings(tracker->savings(), tracker->currency(), tracker->budget_gauges());
        });
    savings_task->start();
  }
  std::thread signal_thread([&] {
    int received = 0;
    sigwait(&signals, &received);
    if (received != 0) {
      log_info(std::string("stopping on ") + (received == SIGTERM ? "SIGTERM" : "SIGINT"));
    }
    server.stop();
  });

  bool served = server.serve();
  if (!served) log_error("the HTTP server stopped unexpectedly");
  if (!settings.listen_socket.empty()) ::unlink(settings.listen_socket.c_str());
  for (auto& r : refreshers) r->stop();
  if (learning_task) learning_task->stop();
  if (savings_task) savings_task->stop();
  replanner.stop();
  cluster.stop();
  // Wake the signal thread if the server ended on its own.
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  return served ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    log_error(e.what());
    return 2;
  }
}
