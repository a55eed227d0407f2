// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/config.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>
#include <sstream>

#include "ebb/error.hpp"
#include "ebb/input.hpp"
#include "ebb/plan_check.hpp"
#include "ebb/strings.hpp"

namespace ebb {

namespace {

// Keys the forecaster daemon reads (see the README's config reference); the core
// keeps them in Config::daemon without interpreting them.
constexpr std::array kDaemonKeys = {
    "listen",
    "cachedir",
    "refreshinterval",
    "staleafter",
    "extensionweeks",
    "extensionmodel",
    "useragent",
    "cafile",
    "historydays",
    // ebbd (forecaster/daemon/settings.hpp)
    "extensionhorizon",
    "httpthreads",
    "fetchtimeout",
    "fetchretries",
    // the cluster view (forecaster/daemon/cluster_view.hpp)
    "clusterrefresh",
    "squeuecommand",
    "scontrolcommand",
    // runtimes learned from accounting (forecaster/daemon/runtime_learner.hpp)
    "accountingrefresh",
    "sacctcommand",
    "accountingdays",
    // users' default accounts for budgets (forecaster/ledger/savings_tracker.hpp)
    "sacctmgrcommand",
    // re-planning held jobs (forecaster/daemon/replanner.hpp)
    "replan",
    "replaninterval",
    "replanmaxmoves",
    "replanmingain",
};

double parse_double(std::string_view value, const std::string& where, std::string_view key,
                    double min, double max) {
  double v = 0;
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, v);
  if (ec != std::errc() || ptr != end || !std::isfinite(v))
    throw InputError(where + ": " + std::string(key) + ": not a number: " + in_quotes(value));
  if (v < min || v > max) {
    std::ostringstream o;
    o << where << ": " << key << ": " << printable_excerpt(value) << " is outside " << min << "-"
      << max;
    throw InputError(o.str());
  }
  return v;
}

bool parse_bool(std::string_view value, const std::string& where, std::string_view key) {
  std::string v = lower(value);
  if (v == "yes" || v == "true" || v == "1" || v == "on") return true;
  if (v == "no" || v == "false" || v == "0" || v == "off") return false;
  throw InputError(where + ": " + std::string(key) + ": expected yes or no, got " +
                   in_quotes(value));
}

// MovePenalty= of a partition or a cluster: staging time, at most a week.
Duration parse_move_penalty(std::string_view value, const std::string& where,
                            std::string_view key) {
  const Duration d = parse_slurm_duration(value, where + ": " + std::string(key));
  if (d > hours(24 * 7))
    throw InputError(where + ": " + std::string(key) + ": longer than a week: '" +
                     std::string(value) + "'");
  return d;
}

// MoveEnergy= of a partition or a cluster: kWh, "0.2" or "0.2kWh".
double parse_move_energy(std::string_view value, const std::string& where, std::string_view key) {
  std::string_view number = value;
  if (number.size() > 3 && lower(number.substr(number.size() - 3)) == "kwh")
    number.remove_suffix(3);
  return parse_double(number, where, key, 0, 1e6);
}

// Keys that may appear globally (as the default) or on a PartitionName= line.
bool apply_partition_key(PartitionSettings& p, const std::string& k, std::string_view value,
                         const std::string& where, std::string_view key) {
  if (k == "wattspercore")
    p.power.watts_per_core = parse_double(value, where, key, 0, 10000);
  else if (k == "wattspergpu")
    p.power.watts_per_gpu = parse_double(value, where, key, 0, 100000);
  else if (k == "wattspergb")
    p.power.watts_per_gb = parse_double(value, where, key, 0, 1000);
  else if (k == "wattspernode")
    p.power.watts_per_node = parse_double(value, where, key, 0, 100000);
  else if (k == "pue")
    p.power.pue = parse_double(value, where, key, 1.0, 5.0);
  else if (k == "defaultmaxdelay") {
    // The same bound as --carbon-max-delay: no forecast reaches further than a year.
    const Duration d = parse_slurm_duration(value, where + ": " + std::string(key));
    if (d > kMaxPlanHorizon)
      throw InputError(where + ": " + std::string(key) + ": longer than a year (366 days): '" +
                       std::string(value) + "'");
    p.default_max_delay = d;
  } else if (k == "movepenalty") {
    p.move_penalty = parse_move_penalty(value, where, key);
  } else if (k == "capacityheadroom")
    p.capacity.headroom_percent = parse_double(value, where, key, 0, 99);
  else if (k == "slackreserve")
    p.capacity.slack_reserve_percent = parse_double(value, where, key, 0, 100);
  else if (k == "runtimeshare")
    p.capacity.runtime_share = parse_double(value, where, key, 0.01, 1);
  else if (k == "maxstartsperminute") {
    const double v = parse_double(value, where, key, 0, 1e6);
    if (v != std::floor(v))
      throw InputError(where + ": " + std::string(key) + ": expected a whole number, got '" +
                       std::string(value) + "'");
    p.capacity.max_starts_per_minute = static_cast<std::uint32_t>(v);
  } else
    return false;
  return true;
}

struct Token {
  std::string key;
  std::string value;
};

// Splits "A=1 B="two words" C=3" into tokens; '#' starts a comment outside quotes.
std::vector<Token> tokenize(std::string_view line, const std::string& where) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= line.size() || line[i] == '#') break;
    std::size_t key_start = i;
    while (i < line.size() && line[i] != '=' && !std::isspace(static_cast<unsigned char>(line[i])))
      ++i;
    if (i >= line.size() || line[i] != '=')
      throw InputError(where + ": expected Key=Value, got " +
                       in_quotes(line.substr(key_start, i - key_start)));
    Token t;
    t.key = std::string(line.substr(key_start, i - key_start));
    ++i;  // '='
    if (i < line.size() && line[i] == '"') {
      std::size_t close = line.find('"', i + 1);
      if (close == std::string_view::npos)
        throw InputError(where + ": unclosed quote after " + t.key);
      t.value = std::string(line.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      std::size_t v = i;
      while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      t.value = std::string(line.substr(v, i - v));
    }
    if (t.key.empty()) throw InputError(where + ": a value without a key");
    out.push_back(std::move(t));
  }
  return out;
}

// ClusterName=c2 Region=fr [MovePenalty=30]
ClusterSettings parse_cluster(const std::vector<Token>& tokens, const std::string& where) {
  ClusterSettings c;
  c.where = where;
  std::set<std::string> keys;
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    const std::string k = lower(tokens[i].key);
    const std::string& v = tokens[i].value;
    if (!keys.insert(k).second) throw InputError(where + ": " + tokens[i].key + " is given twice");
    if (k == "region") {
      if (v.empty()) throw InputError(where + ": Region needs a region name");
      c.region = v;
    } else if (k == "movepenalty") {
      c.move_penalty = parse_move_penalty(v, where, tokens[i].key);
    } else if (k == "moveenergy") {
      c.move_energy_kwh = parse_move_energy(v, where, tokens[i].key);
    } else {
      throw InputError(where + ": " + tokens[i].key +
                       " cannot be set on a ClusterName line (Region, MovePenalty and "
                       "MoveEnergy can)");
    }
  }
  if (c.region.empty())
    throw InputError(where + ": ClusterName=" + tokens[0].value +
                     " needs Region= (the grid region its nodes draw from)");
  return c;
}

// AccountBudget=physics kgCO2=500 kWh=2000 money=300 Period=month
AccountBudget parse_account_budget(const std::vector<Token>& tokens, const std::string& where) {
  AccountBudget b;
  b.account = tokens[0].value;
  b.where = where;
  if (b.account.empty()) throw InputError(where + ": AccountBudget needs an account name");
  std::set<std::string> keys;
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    const std::string k = lower(tokens[i].key);
    const std::string& v = tokens[i].value;
    if (!keys.insert(k).second) throw InputError(where + ": " + tokens[i].key + " is given twice");
    if (k == "kgco2")
      b.kgco2 = parse_double(v, where, tokens[i].key, 0, 1e12);
    else if (k == "kwh")
      b.kwh = parse_double(v, where, tokens[i].key, 0, 1e12);
    else if (k == "money")
      b.money = parse_double(v, where, tokens[i].key, 0, 1e12);
    else if (k == "period") {
      try {
        b.period = parse_budget_period(v);
      } catch (const InputError& e) {
        throw InputError(where + ": Period: " + e.what());
      }
    } else
      throw InputError(where + ": " + tokens[i].key +
                       " cannot be set on an AccountBudget line (kgCO2, kWh, money and Period "
                       "can)");
  }
  if (!b.kgco2 && !b.kwh && !b.money)
    throw InputError(where + ": AccountBudget=" + b.account +
                     " sets no budget: give kgCO2=, kWh= or money=");
  return b;
}

}  // namespace

bool parse_yes_no(std::string_view value, const std::string& where, std::string_view key) {
  return parse_bool(value, where, key);
}

const PartitionSettings& Config::partition(const std::string& name) const {
  auto it = partitions.find(name);
  return it != partitions.end() ? it->second : defaults;
}

const std::string& Config::cluster_region(const std::string& name) const {
  auto it = clusters.find(name);
  return it != clusters.end() ? it->second.region : region;
}

Duration parse_slurm_duration(std::string_view text, std::string_view what) {
  // The forms of sbatch --time: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S.
  auto fail = [&]() -> Duration {
    throw InputError(std::string(what) + ": not a duration: " + in_quotes(text) +
                     " (use minutes, HH:MM:SS or D-HH:MM:SS)");
  };
  if (text.empty()) return fail();
  std::vector<long long> parts;
  long long days = -1;
  std::size_t i = 0;
  while (i <= text.size()) {
    std::size_t j = i;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
    if (j == i || j - i > 9) return fail();
    long long v = 0;
    std::from_chars(text.data() + i, text.data() + j, v);
    if (j < text.size() && text[j] == '-') {
      if (days >= 0 || !parts.empty()) return fail();
      days = v;
    } else {
      parts.push_back(v);
      if (j < text.size() && text[j] != ':') return fail();
    }
    i = j + 1;
    if (j == text.size()) break;
  }
  if (parts.size() > 3 || parts.empty()) return fail();
  long long secs = 0;
  if (days >= 0) {
    // D-H, D-H:M, D-H:M:S
    secs = days * 86400 + parts[0] * 3600;
    if (parts.size() > 1) secs += parts[1] * 60;
    if (parts.size() > 2) secs += parts[2];
  } else if (parts.size() == 1) {
    secs = parts[0] * 60;
  } else if (parts.size() == 2) {
    secs = parts[0] * 60 + parts[1];
  } else {
    secs = parts[0] * 3600 + parts[1] * 60 + parts[2];
  }
  return Duration{secs};
}

void apply_setting(Config& c, std::string_view key, std::string_view value,
                   const std::string& where) {
  const std::string k = lower(key);
  auto dbl = [&](double min, double max) { return parse_double(value, where, key, min, max); };
  if (k == "objective") {
    try {
      c.policy.objective = parse_objective(value);
    } catch (const InputError& e) {
      throw InputError(where + ": Objective: " + e.what());
    }
  } else if (k == "carbonprice") {
    c.policy.carbon_price = dbl(0, 1e6);
  } else if (k == "minsavingpercent") {
    c.policy.min_saving_percent = dbl(0, 100);
  } else if (k == "errorweight") {
    c.policy.error_weight = dbl(0, 10);
  } else if (k == "currency") {
    if (value.size() != 3)
      throw InputError(where + ": Currency: expected a 3-letter code such as EUR");
    c.currency = std::string(value);
  } else if (k == "forecastfile") {
    c.forecast_file = std::string(value);
  } else if (k == "maxforecastage") {
    c.max_forecast_age = parse_slurm_duration(value, where + ": MaxForecastAge");
  } else if (k == "daemonurl") {
    c.daemon_url = std::string(value);
  } else if (k == "region") {
    c.region = std::string(value);
  } else if (k == "daemontimeout") {
    c.daemon_timeout = std::chrono::milliseconds(static_cast<long long>(dbl(1, 10000)));
  } else if (k == "daemonuser") {
    if (value.empty()) throw InputError(where + ": DaemonUser: expected a user name or uid");
    c.daemon_user = std::string(value);
  } else if (k == "daemonauth") {
    const std::string v = lower(value);
    if (v == "auto")
      c.daemon_auth = DaemonAuth::automatic;
    else if (v == "munge")
      c.daemon_auth = DaemonAuth::munge;
    else if (v == "none")
      c.daemon_auth = DaemonAuth::none;
    else
      throw InputError(where + ": DaemonAuth: expected auto, munge or none, got '" +
                       std::string(value) + "'");
  } else if (k == "applyinclient") {
    c.apply_in_client = parse_bool(value, where, key);
  } else if (k == "enabled") {
    c.enabled = parse_bool(value, where, key);
  } else if (k == "budgetwarnpercent") {
    c.budget_warn_percent = dbl(0, 1000);
  } else if (k == "overbudget") {
    try {
      c.over_budget = parse_over_budget(value);
    } catch (const InputError& e) {
      throw InputError(where + ": OverBudget: " + e.what());
    }
  } else if (apply_partition_key(c.defaults, k, value, where, key)) {
    // a site-wide power model or default delay
  } else if (std::find(kDaemonKeys.begin(), kDaemonKeys.end(), k) != kDaemonKeys.end()) {
    c.daemon[k] = std::string(value);
  } else {
    throw InputError(where + ": unknown key " + in_quotes(key));
  }
}

Config parse_config(std::string_view text, const std::string& source, Config base) {
  Config c = std::move(base);
  std::set<std::string> seen;
  // Region= of PartitionName= and ClusterName= lines: (region, line), checked at the end.
  std::vector<std::pair<std::string, std::string>> partition_regions;
  std::size_t line_no = 0;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    const std::string where = source + " line " + std::to_string(line_no);
    if (line.size() > kMaxConfigLineChars) {
      throw InputError(where + ": longer than " + std::to_string(kMaxConfigLineChars) +
                       " characters (starts " + in_quotes(line) + ")");
    }
    auto tokens = tokenize(line, where);
    if (tokens.empty()) continue;
    const std::string head = lower(tokens[0].key);
    if (head == "partitionname") {
      const std::string& name = tokens[0].value;
      if (name.empty()) throw InputError(where + ": PartitionName needs a name");
      if (!seen.insert("partition:" + name).second)
        throw InputError(where + ": partition '" + name + "' is configured twice");
      // A partition starts from the site-wide settings as they stand at this line.
      PartitionSettings p = c.defaults;
      std::set<std::string> keys;
      for (std::size_t i = 1; i < tokens.size(); ++i) {
        std::string k = lower(tokens[i].key);
        if (!keys.insert(k).second)
          throw InputError(where + ": " + tokens[i].key + " is given twice");
        if (k == "region") {
          if (tokens[i].value.empty()) throw InputError(where + ": Region needs a region name");
          p.region = tokens[i].value;
          partition_regions.emplace_back(p.region, where);
          continue;
        }
        if (k == "movegroup") {
          if (tokens[i].value.empty()) throw InputError(where + ": MoveGroup needs a group name");
          p.move_group = tokens[i].value;
          continue;
        }
        if (k == "moveenergy") {
          p.move_energy_kwh = parse_move_energy(tokens[i].value, where, tokens[i].key);
          continue;
        }
        if (!apply_partition_key(p, k, tokens[i].value, where, tokens[i].key))
          throw InputError(
              where + ": " + tokens[i].key +
              " cannot be set per partition (WattsPerCore, WattsPerGPU, WattsPerGB, "
              "WattsPerNode, PUE, DefaultMaxDelay, CapacityHeadroom, "
              "MaxStartsPerMinute, Region, MovePenalty, MoveEnergy and MoveGroup can)");
      }
      c.partitions[name] = p;
    } else if (head == "clustername") {
      const std::string& name = tokens[0].value;
      if (name.empty()) throw InputError(where + ": ClusterName needs a name");
      if (c.clusters.count(name))
        throw InputError(where + ": cluster '" + name + "' is configured twice");
      ClusterSettings cluster = parse_cluster(tokens, where);
      partition_regions.emplace_back(cluster.region, where);
      c.clusters[name] = std::move(cluster);
    } else if (head == "accountbudget") {
      AccountBudget b = parse_account_budget(tokens, where);
      if (c.budgets.count(b.account))
        throw InputError(where + ": account '" + b.account + "' has a budget already");
      c.budgets[b.account] = std::move(b);
    } else if (head == "regionname") {
      RegionSettings r;
      r.name = tokens[0].value;
      r.where = where;
      if (r.name.empty()) throw InputError(where + ": RegionName needs a name");
      if (c.regions.count(r.name))
        throw InputError(where + ": region '" + r.name + "' is configured twice");
      for (std::size_t i = 1; i < tokens.size(); ++i) {
        std::string k = lower(tokens[i].key);
        if (!r.settings.emplace(k, tokens[i].value).second)
          throw InputError(where + ": " + tokens[i].key + " is given twice");
      }
      c.regions[r.name] = std::move(r);
    } else {
      for (const Token& t : tokens) {
        if (!seen.insert(lower(t.key)).second)
          throw InputError(where + ": " + t.key + " is set twice");
        apply_setting(c, t.key, t.value, where);
      }
    }
  }
  // A partition's or cluster's region must be one ebbd serves. Without RegionName= lines (a
  // plugin-only ebb.conf) there is nothing to check against: ebbd's own ebb.conf checks it.
  if (!c.regions.empty())
    for (const auto& [region, where] : partition_regions)
      if (!c.regions.count(region))
        throw InputError(where + ": Region=" + region + " names no RegionName= line");
  return c;
}

Config load_config(const std::string& path, Config base) {
  return parse_config(read_bounded_file(path, kMaxConfigBytes, "config file"), path,
                      std::move(base));
}

}  // namespace ebb
