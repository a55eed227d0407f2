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
  std::optional<std::string> partition;                  // value for opt "partition" (narrowed)
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
  if (outcome.partition && !opts.set("partition", *outcome.partition)) {
    throw std::runtime_error("Slurm refused partition=" + *outcome.partition);
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

// The partitions the user listed (`-p a,b`), in order; empty without -p.
std::vector<std::string> listed_partitions(const CommandOptions& opts) {
  std::vector<std::string> out;
  if (!opts.is_set("partition")) return out;
  const std::string text = opts.get("partition").value_or("");
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

// Whether choosing among the listed partitions can matter: they draw from more than one
// grid region. Otherwise the job is planned once, as before (one ebbd round trip).
bool spans_regions(const Config& config, const std::vector<std::string>& listed) {
  if (listed.size() < 2) return false;
  auto region_of = [&](const std::string& p) {
    const std::string& r = config.partition(p).region;
    return r.empty() ? config.region : r;
  };
  for (std::size_t i = 1; i < listed.size(); ++i)
    if (region_of(listed[i]) != region_of(listed[0])) return true;
  return false;
}

// "ebb: deferred to 03:00 (...)" -> "ebb: moved to gpu-fr and deferred to 03:00 (...)".
std::string moved_line(const std::string& line, const std::string& partition) {
  const std::string head = "ebb: ";
  if (line.rfind(head, 0) != 0) return line;
  const std::string rest = line.substr(head.size());
  const bool deferred = rest.rfind("deferred", 0) == 0;
  return head + "moved to " + partition + (deferred ? " and " : "; ") + rest;
}

struct Placed {
  std::size_t index = 0;
  Decision decision;
  JobToPlan job;  // as planned for the chosen partition
};

// Plans the job in each listed partition (its region, its power model, its move penalty)
// and takes the best (ebb::best_placement). A partition whose region has no usable data
// is skipped with a warning; when none has, one warning and nothing (fail open).
std::optional<Placed> place(const Config& config, const JobToPlan& base,
                            const std::vector<std::string>& listed) {
  std::vector<std::optional<Decision>> decisions(listed.size());
  std::vector<JobToPlan> jobs(listed.size(), base);
  std::vector<std::string> skipped;
  for (std::size_t i = 0; i < listed.size(); ++i) {
    const PartitionSettings& p = config.partition(listed[i]);
    Config c = config;
    if (!p.region.empty()) c.region = p.region;
    JobToPlan& job = jobs[i];
    job.job.partition = listed[i];
    job.request.power_watts = p.power.watts(job.job);
    if (i > 0) {
      job.request = with_move_penalty(job.request, p.move_penalty);
      job.job.time_limit = job.request.time_limit;
    }
    try {
      std::string refused;
      decisions[i] = obtain_decision(c, job, &refused);
      if (!refused.empty()) print_line(fallback_warning_line(refused));
    } catch (const DecisionUnavailable& e) {
      skipped.push_back(listed[i] + " (region " + c.region + "): " + e.what());
    }
  }
  const auto best = best_placement(decisions, base.policy.min_saving_percent);
  if (!best) {
    std::string why = "no partition of " + std::to_string(listed.size()) + " could be planned";
    for (const auto& s : skipped) why += "; " + s;
    print_line(warning_line(why));
    return std::nullopt;
  }
  for (const auto& s : skipped) print_line(warning_line("not considered: " + s));
  return Placed{*best, std::move(*decisions[*best]), std::move(jobs[*best])};
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
  PlanRequest request;
  request.now = now;
  request.time_limit = time_limit;
  request.max_delay = max_delay;
  TimePoint start = now;
  if (auto begin = option_time(*opts, "begin"); begin && *begin > now) {
    request.earliest_start = *begin;  // the user's --begin: the window starts there
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
    request.deadline = carbon_deadline;
  }
  if (auto slurm_deadline = option_time(*opts, "deadline")) {
    if (!request.deadline || *slurm_deadline < *request.deadline) {
      request.deadline = slurm_deadline;
    }
    if (*slurm_deadline < start + time_limit) {
      print_line(not_deferred_line("--deadline leaves no room to wait"));
      return std::nullopt;
    }
  }

  std::optional<std::string> narrowed;
  JobToPlan to_plan;
  to_plan.policy = config.policy;
  if (flags.objective) to_plan.policy.objective = *flags.objective;
  to_plan.objective = flags.objective;
  request.power_watts = partition.power.watts(job);
  to_plan.request = request;
  to_plan.job = job;
  to_plan.time_limit_given = given_limit.has_value();

  Decision decision;
  std::string refused;                  // ebbd's fault, when a fallback planned instead
  std::optional<std::string> moved_to;  // the partition chosen among the user's list
  auto listed = listed_partitions(*opts);
  if (flags.move) listed = with_move_group(config, listed);
  if (given_limit && spans_regions(config, listed)) {
    auto placed = place(config, to_plan, listed);
    if (!placed) return std::nullopt;  // said why; the job goes in unchanged
    decision = std::move(placed->decision);
    to_plan = std::move(placed->job);
    request = to_plan.request;
    if (placed->index != 0) moved_to = listed[placed->index];
    // The plan holds for the chosen partition only: narrow the list to it when ebb moved
    // or deferred the job (never widened: the choice is one the user listed).
    if (moved_to || decision.defer) narrowed = listed[placed->index];
  } else {
    try {
      decision = obtain_decision(config, to_plan, &refused);
    } catch (const DecisionUnavailable& e) {
      print_line(warning_line(e.what()));
      return std::nullopt;
    }
  }
  if (!refused.empty()) print_line(fallback_warning_line(refused));
  if (!given_limit) request.time_limit = decision.time_limit;  // ebbd's, from slurmctld

  if (flags.explain) {
    print_line(decision_line(decision, now, DecisionMode::explain));
    return std::nullopt;
  }

  Outcome outcome;
  outcome.partition = narrowed;
  outcome.env.emplace_back("EBB_PLAN", plan_summary(decision));
  // The record job_submit.lua keeps in AdminComment, for re-planning and the ledger.
  outcome.env.emplace_back("EBB_RECORD", encode_plan_record(plan_record_for(
                                             decision, request, to_plan.policy, ebb::version())));
  if (request.deadline) outcome.env.emplace_back("EBB_DEADLINE", epoch(*request.deadline));
  if (decision.defer) {
    outcome.env.emplace_back("EBB_BEGIN", epoch(decision.start));
    outcome.env.emplace_back("EBB_LATEST_START", epoch(decision.latest_start));
    if (config.apply_in_client) outcome.begin = format_local_slurm(decision.start);
    outcome.start = decision.start;
    outcome.deadline = request.deadline;
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
