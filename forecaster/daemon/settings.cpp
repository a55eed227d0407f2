// SPDX-License-Identifier: GPL-2.0-or-later
#include "settings.hpp"

#include <algorithm>
#include <charconv>

#include "ebb/error.hpp"

namespace ebb::daemon {
namespace {

int parse_int(const std::string& key, const std::string& text, int low, int high) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < low || v > high) {
    throw InputError("ebb.conf: " + key + ": expected a whole number from " + std::to_string(low) +
                     " to " + std::to_string(high) + ", got '" + text + "'");
  }
  return v;
}

Duration parse_positive_duration(const std::string& key, const std::string& text) {
  Duration d = parse_slurm_duration(text, key);
  if (d <= Duration{0}) throw InputError("ebb.conf: " + key + ": must be longer than zero");
  return d;
}

}  // namespace

void parse_listen(const std::string& text, DaemonSettings& s) {
  if (text.rfind("unix:", 0) == 0) {
    s.listen_socket = text.substr(5);
    if (s.listen_socket.empty() || s.listen_socket.front() != '/')
      throw InputError("Listen: expected unix:/absolute/path, got '" + text + "'");
    return;
  }
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    throw InputError("Listen: expected unix:/path or host:port, got '" + text + "'");
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  s.listen_host = h.empty() ? "127.0.0.1" : h;
  s.listen_port = parse_int("Listen", text.substr(colon + 1), 0, 65535);
  s.listen_socket.clear();
}

DaemonSettings daemon_settings(const Config& config) {
  DaemonSettings s;
  for (const auto& [key, value] : config.daemon) {
    if (key == "listen")
      parse_listen(value, s);
    else if (key == "cachedir")
      s.cache_dir = value;
    else if (key == "refreshinterval")
      s.refresh_interval = parse_positive_duration("RefreshInterval", value);
    else if (key == "staleafter")
      s.stale_after = parse_positive_duration("StaleAfter", value);
    else if (key == "extensionweeks")
      s.extension_weeks = parse_int("ExtensionWeeks", value, 1, 52);
    else if (key == "extensionmodel") {
      if (value == "seasonal")
        s.extension_model = ExtensionModel::seasonal;
      else if (value == "weekly-median")
        s.extension_model = ExtensionModel::weekly_median;
      else
        throw InputError("ebb.conf: ExtensionModel: seasonal or weekly-median, not '" + value +
                         "'");
    } else if (key == "extensionhorizon")
      s.extension_horizon = parse_slurm_duration(value, "ExtensionHorizon");
    else if (key == "historydays") {
      s.history_days = parse_int("HistoryDays", value, 1, 3660);
    } else if (key == "httpthreads")
      s.http_threads = parse_int("HttpThreads", value, 1, 256);
    else if (key == "fetchtimeout")
      s.fetch_timeout = parse_positive_duration("FetchTimeout", value);
    else if (key == "fetchretries")
      s.max_retries = parse_int("FetchRetries", value, 0, 10);
    else if (key == "useragent")
      s.user_agent = value;
    else if (key == "cafile")
      s.ca_file = value;
    else if (key == "clusterrefresh")
      s.cluster_refresh = parse_slurm_duration(value, "ebb.conf: ClusterRefresh");
    else if (key == "squeuecommand")
      s.squeue_command = value;
    else if (key == "scontrolcommand")
      s.scontrol_command = value;
    else if (key == "accountingrefresh")
      s.accounting_refresh = parse_slurm_duration(value, "ebb.conf: AccountingRefresh");
    else if (key == "sacctcommand")
      s.sacct_command = value;
    else if (key == "accountingdays")
      s.accounting_days = parse_int("AccountingDays", value, 1, 3660);
    else if (key == "replan")
      s.replan = parse_yes_no(value, "ebb.conf", "Replan");
    else if (key == "replaninterval")
      s.replan_interval = parse_positive_duration("ReplanInterval", value);
    else if (key == "replanmaxmoves")
      s.replan_max_moves = static_cast<std::uint32_t>(parse_int("ReplanMaxMoves", value, 0, 100));
    else if (key == "replanmingain")
      s.replan_min_gain_percent = parse_int("ReplanMinGain", value, 0, 100);
  }
  // Re-planning moves jobs it sees only through the cluster view.
  if (s.cluster_refresh <= Duration{0}) s.replan = false;
  if (!config.currency.empty()) s.currency = config.currency;
  return s;
}

}  // namespace ebb::daemon
