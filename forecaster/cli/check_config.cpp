// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb check-config [FILE]`: validates an ebb.conf the way the plugin and ebbd will read
// it, and says what each line will do. An admin runs it before reloading ebbd or editing
// plugstack.conf, so that a typo is found by a command and not by every user's sbatch.
//
// Three readers check the file, each with the message it would give at run time: the
// core parser (every key and value, line by line), ebbd's settings (daemon keys), and
// each region's provider adapters (their keys). Key files are checked as ebbd will read
// them: a regular file that only its owner (DaemonUser or root) can read.
#include <pwd.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "ebb/config.hpp"
#include "ebb/error.hpp"
#include "ebb/gridsource.hpp"
#include "ebb/input.hpp"
#include "ebb/number_text.hpp"
#include "ebb/strings.hpp"
#include "ebb/time.hpp"
#include "settings.hpp"

namespace ebb {
namespace {

// One sentence per key: what it makes the plugin or ebbd do (the README's reference has
// the defaults and the details).
const std::map<std::string, std::string>& key_meanings() {
  static const std::map<std::string, std::string> m = {
      {"forecastfile", "the plugin plans against this forecast file when ebbd does not answer"},
      {"maxforecastage", "forecasts older than this are stale: fall back, or fail open"},
      {"daemonurl", "the plugin asks this ebbd first"},
      {"daemonuser", "only answers from this user (or root) are trusted"},
      {"daemonauth", "how ebbd's answers are authenticated"},
      {"region", "which of ebbd's regions plans are made against"},
      {"daemontimeout", "milliseconds the plugin waits for ebbd before falling back"},
      {"objective", "what a deferral minimises: carbon, cost or both (balanced)"},
      {"carbonprice", "the carbon price that weighs CO2 against cost (balanced)"},
      {"currency", "currency of prices and of the carbon price"},
      {"minsavingpercent", "no job is deferred for a smaller saving"},
      {"errorweight", "ebbd plans on the forecast plus this many times its measured error"},
      {"applyinclient", "whether sbatch sets the begin time itself or job_submit.lua does"},
      {"enabled", "turns ebb on or off without touching plugstack.conf"},
      {"wattspercore", "power per allocated core"},
      {"wattspergpu", "power per GPU"},
      {"wattspergb", "power per GB of memory requested"},
      {"wattspernode", "fixed power per node"},
      {"pue", "the data centre's power usage effectiveness"},
      {"defaultmaxdelay", "jobs without --carbon-* flags are planned too, waiting at most this"},
      {"capacityheadroom", "percent of a partition's CPUs kept free of deferred jobs"},
      {"maxstartsperminute", "deferred jobs allowed to start in one minute of a partition"},
      {"slackreserve", "percent at the end of a job's window it is never deferred into"},
      {"runtimeshare", "share of their limits jobs are expected to run, in ebbd's load view"},
      {"movegroup",
       "partitions in one group are equivalent: --carbon-move may move a job among them"},
      {"movepenalty", "extra runtime a job pays when ebb moves it here from its first partition"},
      {"moveenergy", "extra energy (kWh) a job costs when ebb moves it here, counted in its plan"},
      {"listen", "where ebbd listens"},
      {"cachedir", "where ebbd keeps its cache, history and learned runtimes"},
      {"refreshinterval", "time between ebbd's provider fetches"},
      {"staleafter", "ebbd flags a forecast stale after this long without a good fetch"},
      {"extensionweeks", "weeks of history behind ebbd's extension of the forecast"},
      {"extensionhorizon", "ebbd extends the forecast to now plus this"},
      {"historydays", "days of hourly actuals ebbd keeps"},
      {"httpthreads", "ebbd's HTTP worker threads"},
      {"fetchtimeout", "ebbd's time limit per provider request"},
      {"fetchretries", "further attempts after a failed provider request"},
      {"useragent", "the User-Agent ebbd sends to providers"},
      {"cafile", "the CA bundle ebbd verifies providers' TLS against"},
      {"clusterrefresh", "how often ebbd reads slurmctld's jobs and partitions"},
      {"squeuecommand", "the command ebbd reads the queue with"},
      {"scontrolcommand", "the command ebbd reads partitions with"},
      {"accountingrefresh", "how often ebbd learns runtimes from Slurm's accounting"},
      {"sacctcommand", "the command ebbd reads the accounting with"},
      {"accountingdays", "how far back ebbd's first accounting read goes"},
      {"extensionmodel", "how ebbd forecasts beyond the provider's horizon"},
      {"replan", "whether ebbd moves the begin times of jobs ebb deferred"},
      {"replaninterval", "how often ebbd re-plans held jobs (also after each forecast fetch)"},
      {"replanmaxmoves", "the most times ebbd moves one job"},
      {"replanmingain", "percent a move must gain for ebbd to make it"},
      {"sacctmgrcommand", "the command ebbd reads users' default accounts with (budgets)"},
      {"budgetwarnpercent", "sbatch says how much of its budget an account used from this %"},
      {"overbudget", "past 100 % of a budget: warn, or require a deadline so ebb can defer"},
  };
  return m;
}

struct Setting {
  std::string key, value;
};

// The Key=Value words of one line (comments dropped), as the core parser splits them.
std::vector<Setting> settings_of(std::string line) {
  if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
  std::vector<Setting> out;
  std::istringstream words(line);
  for (std::string w; words >> w;) {
    const auto eq = w.find('=');
    if (eq == std::string::npos) continue;  // the parser has already accepted the line
    out.push_back({w.substr(0, eq), w.substr(eq + 1)});
  }
  return out;
}

// ebbd reads key files as DaemonUser: they must be regular, owned by it or root, and
// unreadable by anyone else (gridsources' read_secret_file refuses anything else).
std::string key_file_problem(const std::string& path, const std::string& daemon_user) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return path + ": " + std::strerror(errno);
  if (!S_ISREG(st.st_mode)) return path + ": not a regular file";
  if ((st.st_mode & 077) != 0)
    return path + ": readable by group or others; run: chmod 600 " + path;
  if (st.st_uid != 0) {
    const passwd* pw = ::getpwnam(daemon_user.c_str());
    if (pw != nullptr && pw->pw_uid != st.st_uid)
      return path + ": owned by uid " + std::to_string(st.st_uid) + ", not by " + daemon_user +
             " (ebbd's user) or root; run: chown " + daemon_user + " " + path;
  }
  return "";
}

std::string describe_region(const RegionSettings& r) {
  auto get = [&](const char* k) {
    auto it = r.settings.find(k);
    return it == r.settings.end() ? std::string() : it->second;
  };
  std::string s = "ebbd serves region " + r.name + ": carbon from " + get("carbonsource");
  if (!get("pricesource").empty()) s += ", price from " + get("pricesource");
  return s;
}

}  // namespace

int check_config_main(int argc, char** argv) {
  CLI::App app{
      "Check an ebb.conf as the plugin and ebbd will read it, and say what each line does. "
      "Exit status: 0 valid, 1 invalid (the first error names the file, line and key), "
      "2 usage.",
      "ebb check-config"};
  std::string path = "/etc/slurm/ebb.conf";
  app.add_option("FILE", path, "the file to check")->capture_default_str();
  bool quiet = false, no_files = false;
  app.add_flag("-q,--quiet", quiet, "print nothing when the file is valid");
  app.add_flag("--no-files", no_files,
               "do not check key files (for a config written for another host)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  std::string text;
  Config config;
  try {
    text = read_bounded_file(path, kMaxConfigBytes, "config file");
    config = parse_config(text, path);
    (void)daemon::daemon_settings(config);
    FetchOptions options;
    for (const auto& [name, region] : config.regions) {
      try {
        (void)make_carbon_source(region.settings, options);
        if (region.settings.count("pricesource")) (void)make_price_source(region.settings, options);
      } catch (const SourceError& e) {
        throw InputError(region.where + ": region '" + region.name + "': " + e.what());
      }
      for (const auto& [key, value] : region.settings) {
        const bool secret = key.ends_with("keyfile") || key.ends_with("passwordfile");
        if (!secret || no_files) continue;
        if (auto problem = key_file_problem(value, config.daemon_user); !problem.empty())
          throw InputError(region.where + ": " + key + " " + problem);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ebb check-config: %s\n", e.what());
    return 1;
  }
  if (quiet) return 0;

  std::istringstream lines(text);
  int line_no = 0;
  for (std::string line; std::getline(lines, line);) {
    ++line_no;
    const auto settings = settings_of(line);
    if (settings.empty()) continue;
    std::string what;
    const std::string first = lower(settings.front().key);
    if (first == "accountbudget") {
      auto b = config.budgets.find(settings.front().value);
      if (b == config.budgets.end()) continue;
      what = "account " + b->first + " has a " + to_string(b->second.period) + "ly budget of";
      auto add = [&](const std::optional<double>& v, const char* unit) {
        if (!v) return;
        if (what.back() != 'f') what += ",";
        char num[64];
        std::snprintf(num, sizeof num, " %g %s", *v, unit);
        what += num;
      };
      add(b->second.kgco2, "kgCO2e");
      add(b->second.kwh, "kWh");
      add(b->second.money, config.currency.c_str());
      what += " (sbatch warns from " + std::to_string(std::lround(config.budget_warn_percent)) +
              " %; over budget: " + to_string(config.over_budget) + ")";
    } else if (first == "clustername") {
      auto cl = config.clusters.find(settings.front().value);
      if (cl == config.clusters.end()) continue;
      what = "cluster " + cl->first + " draws from region " + cl->second.region +
             ": a job submitted with -M listing it and a cluster in another region goes to "
             "the cleaner one (-M narrowed to it)";
      if (cl->second.move_penalty > Duration{0})
        what += "; a job moved there pays " + format_duration(cl->second.move_penalty) +
                " more runtime (MovePenalty)";
      if (cl->second.move_energy_kwh > 0)
        what += "; a job moved there costs " + format_exact(cl->second.move_energy_kwh) +
                " kWh more (MoveEnergy)";
    } else if (first == "regionname") {
      auto r = config.regions.find(settings.front().value);
      what = r == config.regions.end() ? "a region" : describe_region(r->second);
    } else {
      if (first == "partitionname") what = "for partition " + settings.front().value + ": ";
      for (const Setting& s : settings) {
        const std::string k = lower(s.key);
        if (k == "partitionname") continue;
        auto it = key_meanings().find(k);
        if (what.size() > 0 && what.back() != ' ') what += "; ";
        what += s.key + " " + s.value + ": " +
                (it == key_meanings().end() ? std::string("read by ebbd") : it->second);
      }
    }
    std::printf("%s line %d: %s\n", path.c_str(), line_no, what.c_str());
  }
  std::printf("%s: valid (%zu region%s, %zu partition line%s, %zu cluster line%s)\n", path.c_str(),
              config.regions.size(), config.regions.size() == 1 ? "" : "s",
              config.partitions.size(), config.partitions.size() == 1 ? "" : "s",
              config.clusters.size(), config.clusters.size() == 1 ? "" : "s");
  return 0;
}

}  // namespace ebb
