// SPDX-License-Identifier: GPL-2.0-or-later
// ebbd's own settings, read from the daemon keys of ebb.conf (Config::daemon).
//
//     Listen=unix:/run/ebb/ebbd.sock (or host:port)           CacheDir=/var/cache/ebb
//     RefreshInterval=15
//     StaleAfter=6:00:00         ExtensionWeeks=4            ExtensionHorizon=7-00:00:00
//     ExtensionModel=seasonal
//     HistoryDays=35             HttpThreads=4               FetchTimeout=15
//     UserAgent=...              CAFile=/etc/ssl/certs/ca-certificates.crt
//     ClusterRefresh=0:10        SqueueCommand=squeue        ScontrolCommand=scontrol
//     AccountingRefresh=5        SacctCommand=sacct          AccountingDays=60
//     Replan=yes                 ReplanInterval=10           ReplanMaxMoves=3
//     ReplanMinGain=5
//
// Durations use Slurm's forms ("15" is 15 minutes, "0:30" is 30 seconds).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "ebb/config.hpp"
#include "ebb/time.hpp"
#include "history.hpp"

namespace ebb::daemon {

struct DaemonSettings {
  std::string listen_host = "127.0.0.1";
  int listen_port = 8451;
  std::string listen_socket;  // Listen=unix:/path: this Unix socket instead of TCP
  std::string cache_dir = "/var/cache/ebb";
  Duration refresh_interval = minutes(15);
  Duration stale_after = hours(6);
  int extension_weeks = 4;
  ExtensionModel extension_model = ExtensionModel::seasonal;
  Duration extension_horizon = hours(24 * 7);  // extend the served forecast to now + this
  int history_days = kDefaultHistoryDays;      // hourly actuals kept: extension and ledger
  int http_threads = 8;
  Duration fetch_timeout = seconds(15);
  Duration connect_timeout = seconds(3);
  int max_retries = 3;
  std::string user_agent = "ebbd/0.1 (carbon-aware Slurm scheduling)";
  std::string ca_file;
  std::string currency = "EUR";  // Currency=: for sources that do not name theirs
  // The cluster view (cluster_view.hpp): how often to read it (0: never), with what.
  Duration cluster_refresh = seconds(10);
  std::string squeue_command = "squeue";
  std::string scontrol_command = "scontrol";
  Duration cluster_command_timeout = seconds(5);
  // Runtimes learned from Slurm's accounting (runtime_learner.hpp): how often (0: never),
  // with what, and how far back the first read goes.
  Duration accounting_refresh = minutes(5);
  std::string sacct_command = "sacct";
  int accounting_days = 60;
  // Moving held jobs' begin times (replanner.hpp): on (the default, when the cluster view
  // is on), how often besides after each forecast refresh, and the rule's bounds.
  bool replan = true;
  Duration replan_interval = minutes(10);
  std::uint32_t replan_max_moves = 3;
  double replan_min_gain_percent = 5;
};

// Reads the daemon keys; throws InputError naming the key and its value when one is bad.
DaemonSettings daemon_settings(const Config& config);

// "unix:/path", "host:port", "[v6]:port" or ":port" into s.listen_*; throws InputError.
void parse_listen(const std::string& text, DaemonSettings& s);

}  // namespace ebb::daemon
