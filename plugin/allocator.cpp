// SPDX-License-Identifier: GPL-2.0-or-later
#include "allocator.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "budget_note.hpp"
#include "decision_source.hpp"
#include "ebb/decision_text.hpp"
#include "ebb/error.hpp"
#include "ebb/placement.hpp"
#include "ebb/plan_record.hpp"
#include "ebb/planner.hpp"
#include "ebb/time.hpp"
#include "ebb/version.hpp"
#include "job_request.hpp"
#include "message.hpp"
#include "options.hpp"
#include "settings.hpp"
#include "slurm_opt.hpp"

namespace ebb::plugin {

namespace {

// What the first call decided, so that every hetjob component gets the same plan.
struct Outcome {
  // The option narrowed to ebb's choice: ("partition", "fr") or ("clusters", "c2").
  std::optional<std::pair<std::string, std::string>> narrowed;
  std::optional<std::string> begin;                      // value for opt "begin"
  std::vector<std::pair<std::string, std::string>> env;  // spank job control env
  std::string line;                                      // printed once applied
  // For the later hetjob components: the deferred start and the deadline it keeps.
  std::optional<TimePoint> start;
  std::optional<TimePoint> deadline;
};

// One command plans once; later hetjob components reuse the outcome.
std::optional<Outcome>& first_outcome() {
  static std::optional<Outcome> outcome;
  return outcome;
}

TimePoint from_time_t(std::time_t t) { return TimePoint{seconds{t}}; }
std::string epoch(TimePoint t) { return std::to_string(t.time_since_epoch().count()); }

// Bad input: the user must fix the command. SPANK resets the return code of an
// optional plugin, so the command is ended here, before any job exists.
[[noreturn]] void refuse(const std::string& what) {
  print_line(error_line(what));
  std::fflush(stderr);
  std::exit(EXIT_FAILURE);
}

// The command that waits for the window, if it is one that waits in the foreground.
std::string waiting_note() {
  std::string name = program_invocation_short_name ? program_invocation_short_name : "";
  if (name == "salloc" || name == "srun") return "; " + name + " waits until then";
  return "";
}

std::optional<TimePoint> option_time(const CommandOptions& opts, const char* name) {
  if (!opts.is_set(name)) return std::nullopt;
  auto text = opts.get(name);
  if (!text) return std::nullopt;
  auto t = parse_slurm_time(*text);
  if (!t) return std::nullopt;
  return from_time_t(*t);
}

// Begin first: when Slurm refuses it, no plan is exported for job_submit.lua either.
void apply(spank_t sp, const CommandOptions& opts, const Outcome& outcome) {
  if (const auto& n = outcome.narrowed; n && !opts.set(n->first.c_str(), n->second)) {
    throw std::runtime_error("Slurm refused " + n->first + "=" + n->second);
  }
  if (outcome.begin && !opts.set("begin", *outcome.begin)) {
    throw std::runtime_error("Slurm refused begin=" + *outcome.begin);
  }
  for (const auto& [name, value] : outcome.env) {
    if (spank_job_control_setenv(sp, name.c_str(), value.c_str(), 1) != ESPANK_SUCCESS) {
      throw std::runtime_error("cannot export " + name + " to the job");
    }
  }
}

// What the user listed for a list option (`-p a,b`: "partition", `-M c1,c2`: "clusters"),
// in order; empty when the option is not set.
std::vector<std::string> listed(const CommandOptions& opts, const char* option) {
  std::vector<std::string> out;
  if (!opts.is_set(option)) return out;
  const std::string text = opts.get(option).value_or("");
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t comma = std::min(text.find(',', at), text.size());
    if (comma > at) out.push_back(text.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

// With --carbon-move, one listed partition brings the others of its MoveGroup= (in name
// order): the site declared them equivalent and the user opted in. A job that lists
// several partitions keeps exactly those: --carbon-move never widens a list the user made.
std::vector<std::string> with_move_group(const Config& config, std::vector<std::string> listed) {
  if (listed.size() != 1) return listed;
  const std::string& group = config.partition(listed[0]).move_group;
  if (group.empty()) return listed;
  for (const auto& [name, settings] : config.partitions)
    if (name != listed[0] && settings.move_group == group) listed.push_back(name);
  return listed;
}

// Where a job may run that ebb can choose among: a listed partition or cluster, the grid
// region it draws from, what moving there costs, and the job as planned there.
struct Candidate {
  std::string name;    // as the user listed it ("fr", or "c2")
  std::string region;  // the region to plan in
  Duration move_penalty{0};
  double move_energy_kwh = 0;
  PlanQuery query;
  // A cluster that ebbd does not watch: only ebbd's forecast is asked for (Ask::forecast).
  Ask ask = Ask::plan;
};

// Whether choosing among the candidates can matter: they draw from more than one grid
// region. Otherwise the job is planned once, as before (one ebbd round trip).
bool spans_regions(const std::vector<Candidate>& candidates) {
  for (std::size_t i = 1; i < candidates.size(); ++i)
    if (candidates[i].region != candidates[0].region) return true;
  return false;
}

// Each listed partition: its region (else the site's), power model and move penalty.
std::vector<Candidate> partition_candidates(const Config& config, const PlanQuery& base,
                                            const std::vector<std::string>& names) {
  std::vector<Candidate> out;
  for (const std::string& name : names) {
    const PartitionSettings& p = config.partition(name);
    Candidate c{name, p.region.empty() ? config.region : p.region, p.move_penalty,
                p.move_energy_kwh, base};
    c.query.job.partition = name;
    out.push_back(std::move(c));
  }
  return out;
}

// Each listed cluster (-M): its ClusterName= region (else the site's) and move penalty.
// The partition and power model stay the job's; ebbd watches one cluster, so every cluster
// is planned on its region's forecast alone (Ask::forecast), alike.
std::vector<Candidate> cluster_candidates(const Config& config, const PlanQuery& base,
                                          const std::vector<std::string>& names) {
  std::vector<Candidate> out;
  for (const std::string& name : names) {
    const auto it = config.clusters.find(name);
    const ClusterSettings none;
    const ClusterSettings& s = it == config.clusters.end() ? none : it->second;
    Candidate c{name, config.cluster_region(name), s.move_penalty, s.move_energy_kwh, base};
    c.ask = Ask::forecast;
    out.push_back(std::move(c));
  }
  return out;
}

// "ebb: deferred to 03:00 (...)" -> "ebb: moved to gpu-fr and deferred to 03:00 (...)";
// `where` is a partition's name or "cluster c2".
std::string moved_line(const std::string& line, const std::string& where) {
  const std::string head = "ebb: ";
  if (line.rfind(head, 0) != 0) return line;
  const std::string rest = line.substr(head.size());
  const bool deferred = rest.rfind("deferred", 0) == 0;
  return head + "moved to " + where + (deferred ? " and " : "; ") + rest;
}

struct Placed {
  std::size_t index = 0;
  std::string name;
  Decision decision;
  PlanQuery query;  // as planned for the chosen candidate
};

// Plans the job in each candidate (its region, its power model, its move penalty and
// energy) and takes the best (ebb::best_placement). A candidate whose region has no usable
// data is skipped with a warning; when none has, one warning and nothing (fail open). `noun`
// ("partition", "cluster") names them in the warnings.
std::optional<Placed> place(const Config& config, std::vector<Candidate> candidates,
                            const std::string& noun) {
  std::vector<std::optional<Decision>> decisions(candidates.size());
  std::vector<std::string> skipped;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    Config c = config;
    c.region = candidates[i].region;
    PlanQuery& query = candidates[i].query;
    query.region = c.region;
    if (i > 0) query = with_move_penalty(query, candidates[i].move_penalty);
    try {
      std::string refused;
      decisions[i] = obtain_decision(c, query, candidates[i].ask, &refused);
      if (i > 0)
        decisions[i] = with_move_energy(std::move(*decisions[i]), candidates[i].move_energy_kwh);
      if (!refused.empty()) print_line(fallback_warning_line(refused));
    } catch (const DecisionUnavailable& e) {
      skipped.push_back(candidates[i].name + " (region " + c.region + "): " + e.what());
    }
  }
  const auto best = best_placement(decisions, config.policy.min_saving_percent);
  if (!best) {
    std::string why =
        "no " + noun + " of " + std::to_string(candidates.size()) + " could be planned";
    for (const auto& s : skipped) why += "; " + s;
    print_line(warning_line(why));
    return std::nullopt;
  }
  for (const auto& s : skipped) print_line(warning_line("not considered: " + s));
  Candidate& chosen = candidates[*best];
  return Placed{*best, chosen.name, std::move(*decisions[*best]), std::move(chosen.query)};
}

// Plans the job; returns nothing when the job goes in unchanged (after saying why,
// where the user asked for ebb).
std::optional<Outcome> plan_job(int argc, char** argv) {
  const UserFlags& flags = user_flags();
  const bool asked = flags.any_planning_flag();
  auto say = [&](const std::string& line) {
    if (asked) print_line(line);
  };

  if (const char* job_id = std::getenv("SLURM_JOB_ID")) {
    // srun inside an allocation ignores --begin; a nested sbatch inherits the flags.
    if (asked && flags.typed_inside_job) {
      print_line(not_deferred_line(std::string("inside job ") + job_id +
                                   "; ebb plans new submissions only"));
    }
    return std::nullopt;
  }

  Config config;
  try {
    config = load_settings(argc, argv);
  } catch (const std::exception& e) {
    if (asked)
      print_line(warning_line(e.what()));
    else
      slurm_verbose("ebb: %s", e.what());
    return std::nullopt;
  }
  if (!config.enabled) {
    say(not_deferred_line("ebb is turned off on this cluster (Enabled=no)"));
    return std::nullopt;
  }

  auto opts = CommandOptions::find();
  if (!opts) {
    say(warning_line("cannot reach this command's options (unsupported Slurm version?)"));
    return std::nullopt;
  }

  JobRequest job = read_job_request(*opts);
  const PartitionSettings& partition = config.partition(job.partition);
  std::optional<Duration> max_delay;
  if (flags.max_delay_seconds)
    max_delay = Duration{*flags.max_delay_seconds};
  else if (partition.default_max_delay)
    max_delay = partition.default_max_delay;

  // An account near or over its budget (AccountBudget=): said to everyone of the account,
  // planned or not. Past 100 % with OverBudget=require-deadline the job must give ebb room
  // to defer it; it is refused with the reason, never silently.
  if (auto note = budget_note(config, job, now_utc())) {
    if (!note->line.empty()) print_line("ebb: " + note->line);
    if (note->over && config.over_budget == OverBudget::require_deadline && !flags.deadline &&
        !max_delay)
      refuse("account " + note->account +
             " is over its budget, and this site requires its jobs to carry a deadline so that "
             "ebb can defer them to cleaner hours: submit again with --carbon-deadline=<time> or "
             "--carbon-max-delay=<duration>");
  }

  if (!flags.deadline && !max_delay) {
    say(
        not_deferred_line("give --carbon-deadline or --carbon-max-delay to let ebb choose a "
                          "window"));
    return std::nullopt;
  }
  // Without --time, ebbd can still plan: it knows the partition's DefaultTime (else
  // MaxTime) from slurmctld, which gives the job the same limit. The fallbacks cannot.
  const auto given_limit = read_time_limit(*opts);
  if (!given_limit && config.daemon_url.empty()) {
    print_line(not_deferred_line("--time is needed to plan against a deadline"));
    return std::nullopt;
  }
  const Duration time_limit = given_limit.value_or(Duration{0});
  job.time_limit = time_limit;

  const TimePoint now = now_utc();
  PlanQuery query;
  query.region = config.region;  // empty: ebbd's default region
  query.now = now;               // ebbd plans against the same instant as the fallbacks would
  query.job = job;
  query.time_limit_given = given_limit.has_value();
  query.max_delay = max_delay;
  query.objective = flags.objective;
  TimePoint start = now;
  if (auto begin = option_time(*opts, "begin"); begin && *begin > now) {
    query.earliest_start = *begin;  // the user's --begin: the window starts there
    start = *begin;
  }
  std::optional<TimePoint> carbon_deadline;
  if (flags.deadline) {
    carbon_deadline = from_time_t(*flags.deadline);
    if (*carbon_deadline < start + time_limit) {
      refuse("--carbon-deadline " + format_local_minute(*carbon_deadline) + " is earlier than " +
             (start == now ? std::string("now") : "--begin " + format_local_minute(start)) +
             " plus the time limit (" + format_duration(time_limit) + ")");
    }
    query.deadline = carbon_deadline;
  }
  if (auto slurm_deadline = option_time(*opts, "deadline")) {
    if (!query.deadline || *slurm_deadline < *query.deadline) {
      query.deadline = slurm_deadline;
    }
    if (*slurm_deadline < start + time_limit) {
      print_line(not_deferred_line("--deadline leaves no room to wait"));
      return std::nullopt;
    }
  }

  std::optional<std::pair<std::string, std::string>> narrowed;

  Decision decision;
  std::string refused;                  // ebbd's fault, when a fallback planned instead
  std::optional<std::string> moved_to;  // "fr" or "cluster c2": chosen among the user's list
  // Several clusters (-M c1,c2) in more than one region: choose the cluster; else several
  // partitions (-p a,b, or --carbon-move's group) in more than one region: the partition.
  // The choice is among what the user listed, and the option is narrowed to it.
  std::vector<Candidate> candidates;
  std::string option, noun;
  if (given_limit) {
    candidates = cluster_candidates(config, query, listed(*opts, "clusters"));
    option = "clusters";
    noun = "cluster";
    if (!spans_regions(candidates)) {
      auto partitions = listed(*opts, "partition");
      if (flags.move) partitions = with_move_group(config, partitions);
      candidates = partition_candidates(config, query, partitions);
      option = "partition";
      noun = "partition";
    }
  }
  if (spans_regions(candidates)) {
    auto placed = place(config, std::move(candidates), noun);
    if (!placed) return std::nullopt;  // said why; the job goes in unchanged
    decision = std::move(placed->decision);
    query = std::move(placed->query);
    const std::string& chosen = placed->name;
    if (placed->index != 0) moved_to = option == "clusters" ? "cluster " + chosen : chosen;
    // The plan holds for the chosen candidate only: narrow the list to it when ebb moved
    // or deferred the job (never widened: the choice is one the user listed).
    if (moved_to || decision.defer) narrowed.emplace(option, chosen);
  } else {
    try {
      decision = obtain_decision(config, query, Ask::plan, &refused);
    } catch (const DecisionUnavailable& e) {
      print_line(warning_line(e.what()));
      return std::nullopt;
    }
  }
  if (!refused.empty()) print_line(fallback_warning_line(refused));

  if (flags.explain) {
    print_line(decision_line(decision, now, DecisionMode::explain));
    return std::nullopt;
  }

  Outcome outcome;
  outcome.narrowed = narrowed;
  outcome.env.emplace_back("EBB_PLAN", plan_summary(decision));
  // The record job_submit.lua keeps in AdminComment, for re-planning and the ledger.
  outcome.env.emplace_back("EBB_RECORD",
                           encode_plan_record(plan_record_for(
                               decision, query, policy_for(query, config.policy), ebb::version())));
  if (query.deadline) outcome.env.emplace_back("EBB_DEADLINE", epoch(*query.deadline));
  if (decision.defer) {
    outcome.env.emplace_back("EBB_BEGIN", epoch(decision.start));
    outcome.env.emplace_back("EBB_LATEST_START", epoch(decision.latest_start));
    if (config.apply_in_client) outcome.begin = format_local_slurm(decision.start);
    outcome.start = decision.start;
    outcome.deadline = query.deadline;
  }
  outcome.line = decision_line(decision, now, DecisionMode::applied);
  if (moved_to) outcome.line = moved_line(outcome.line, *moved_to);
  if (decision.defer) outcome.line += waiting_note();
  return outcome;
}

// sbatch builds each hetjob component's job request right after this hook returns for it,
// before it reads the next component's options (sbatch.c), so the plan made for the first
// component cannot be moved once a later, longer component shows up. A component that
// would then end after the deadline ends the command instead, before any job exists.
void check_component(const CommandOptions& opts, const Outcome& outcome, int component) {
  if (!outcome.start || !outcome.deadline) return;
  auto limit = read_time_limit(opts);
  if (!limit || *outcome.start + *limit <= *outcome.deadline) return;
  refuse("hetjob component " + std::to_string(component) + " (--time " + format_duration(*limit) +
         ") would end after the deadline " + format_local_minute(*outcome.deadline) +
         " when started at " + format_local_minute(*outcome.start) +
         ", which ebb planned from the first component's time limit (sbatch shows ebb one "
         "component at a time); put the longest component first");
}

}  // namespace

int allocator_init_post_opt(spank_t sp, int argc, char** argv) noexcept {
  try {
    auto& outcome = first_outcome();
    static int component = -1;  // hetjob component, 0 for the first (or only) one
    ++component;
    const bool first = component == 0;
    if (first) {
      if (user_flags().off) return 0;
      outcome = plan_job(argc, argv);
    }
    if (!outcome) return 0;
    auto opts = CommandOptions::find();
    if (!opts) return 0;
    if (!first) check_component(*opts, *outcome, component);
    apply(sp, *opts, *outcome);
    if (first) print_line(outcome->line);
  } catch (const std::exception& e) {
    print_line(warning_line(std::string("internal error: ") + e.what()));
    first_outcome().reset();
  } catch (...) {
    print_line(warning_line("internal error"));
    first_outcome().reset();
  }
  return 0;
}

}  // namespace ebb::plugin
