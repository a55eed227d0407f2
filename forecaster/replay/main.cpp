// SPDX-License-Identifier: GPL-2.0-or-later
// `ebb replay`: the command line around the replay library.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "ebb/error.hpp"
#include "ebb/replay.hpp"
#include "engine.hpp"
#include "grid.hpp"
#include "io.hpp"
#include "ledger_csv.hpp"
#include "report.hpp"
#include "reproduce.hpp"
#include "sites.hpp"
#include "trace.hpp"

namespace ebb {

namespace {

// --bound auto computes the capacity bound up to this many jobs: KTH's log (28,000 jobs)
// takes ~2 s of CPU and 110 MB; SDSC Blue's (233,000) ~20 s and 800 MB; HPC2N's (203,000)
// ~90 s and 900 MB: too much to add to every run of a long log unasked.
constexpr std::size_t kAutoCapacityBoundJobs = 50000;

void write_output(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::cout << text;
    return;
  }
  std::ofstream out(path, std::ios::binary);
  if (!out) throw InputError(path + ": cannot write");
  out << text;
  if (!out) throw InputError(path + ": write failed");
}

// `ebb replay --sites`: one grid column per site, the same trace, deadline and forecast.
int run_sites_main(const replay::Trace& trace, replay::Grid first, Duration shift,
                   const std::string& grid_path, const std::string& grid_sample,
                   const std::vector<replay::SiteSpec>& sites, const std::string& home_text,
                   bool move, Duration move_penalty, const replay::ReplayConfig& cfg, bool quiet) {
  using namespace ebb::replay;
  SitesConfig sc;
  sc.replay = cfg;
  sc.sites = sites;
  sc.home = parse_home_rule(home_text);
  sc.move = move;
  sc.move_penalty = move_penalty;
  std::vector<Grid> grids;
  grids.push_back(std::move(first));
  for (std::size_t s = 1; s < sites.size(); ++s) {
    GridReadOptions gopt;
    gopt.column = sites[s].zone;
    if (!grid_sample.empty()) gopt.sample_step = parse_short_duration(grid_sample);
    PointSeries carbon = read_wide_csv(grid_path, gopt);
    grids.emplace_back(points_to_slots(carbon), false, carbon.source);
    if (grids.back().empty())
      throw InputError(grid_path + ": no usable grid data for " + sites[s].zone);
  }
  SitesResult r = run_sites(trace.jobs, grids, sc);
  std::ostringstream setup;
  setup << "Trace: " << trace.source << " (" << trace.jobs.size() << " jobs"
        << (shift != Duration{0} ? ", times moved by " + format_duration(shift) + " to fit the grid"
                                 : std::string())
        << ")\nGrid: " << grid_path << "\nSites:";
  for (const auto& s : sites) setup << " " << s.zone << " " << s.cores << " cores;";
  setup << " home " << home_text << "; deadline " << cfg.deadline.describe() << "; forecast "
        << to_string(cfg.forecast.kind) << "; ebb " << to_string(cfg.ebb_policy.objective)
        << ", threshold " << cfg.ebb_policy.min_saving_percent
        << "% (also the least gain for a move), capacity-aware per site (headroom "
        << cfg.capacity.headroom_percent << "%, slack reserve "
        << cfg.capacity.slack_reserve_percent << "%), planned once at submit";
  if (move_penalty > Duration{0}) setup << "; move penalty " << format_duration(move_penalty);
  if (!quiet) {
    std::cout << format_sites(r, setup.str());
    char timing[64];
    std::snprintf(timing, sizeof timing, "  replayed in %.2f s\n", r.seconds);
    std::cout << timing;
  }
  for (const auto& p : r.policies)
    if (p.over_capacity_sites) {
      std::cerr << "ebb: " << p.name << ": " << p.over_capacity_sites
                << " sites ran over their cores (a bug in the replay)\n";
      return 3;
    }
  return 0;
}

}  // namespace

int replay_main(int argc, char** argv) {
  using namespace ebb::replay;
  if (argc >= 2 && std::string_view(argv[1]) == "reproduce")
    return reproduce_main(argc - 1, argv + 1);
  CLI::App app{
      "Replays a job trace against historical grid data and reports what ebb would have saved:\n"
      "energy, kgCO2, cost, reduction against no shifting, share of the perfect-information\n"
      "bound, added waiting, deadline misses and pile-ups, for each policy:\n"
      "  baseline     start at submit (no shifting)\n"
      "  best-window  per job, the lowest-carbon window up to the deadline in the forecast,\n"
      "               ignoring the queue and other jobs, no threshold (what CATS does)\n"
      "  ebb          ebb's planner as configured (--objective, --carbon-price, --min-saving)\n"
      "  oracle       per job, the optimum knowing the actual series and runtime (upper bound)\n"
      "Jobs queue on --cores cores like Slurm's backfill (FCFS + EASY with requested times).\n"
      "Every policy is scored against the actual series, whatever forecast it saw.\n\n"
      "Example:\n"
      "  TZ=UTC sacct -a -X -P -S 2024-01-01 -E 2024-12-31 \\\n"
      "      -o JobID,Submit,Start,End,Elapsed,Timelimit,NCPUS,State,Partition,User > jobs.txt\n"
      "  ebb replay --trace jobs.txt --grid em_ci_lca_2022_hourly_123zones.csv --zone DE \\\n"
      "      --cores auto --deadline slack:12h\n\n"
      "Reproductions of published results: ebb replay reproduce --help",
      "ebb replay"};
  app.get_formatter()->column_width(34);

  std::string trace_path, trace_format = "auto", csv_unit = "s";
  std::string grid_path, zone, grid_format = "wide", grid_sample;
  std::string prices_path, price_column, currency = "EUR";
  std::string start_text, deadline_text = "slack:24h", forecast_text = "perfect";
  std::string archive_correction = "off";
  std::string objective_text = "balanced", policies_text = "baseline,best-window,ebb,oracle";
  std::string csv_out, json_out, svg_out, ledger_out;
  double tz_offset_h = 0, noise = 0.05, carbon_price = 100, min_saving = 5, error_weight = 0;
  double watts_per_core = PowerModel{}.watts_per_core, pue = PowerModel{}.pue;
  std::uint64_t seed = 0;
  std::string cores_text = "0";
  std::uint32_t cores = 0;
  std::size_t backfill_depth = 500, limit_jobs = 0;
  int weeks = 4;
  unsigned threads = 2;
  std::string runtime_text = "limit";
  PredictorSettings predictor;
  bool runtime_known = false, quiet = false, no_capacity = false;
  CapacityRule capacity;
  std::string runtime_share_text = "1", queue_order = "submit";
  std::string bound_text = "auto";
  std::string replan_every_text = "1h", replan_view = "ahead";
  bool keep_when_full = false, move_at_risk = false, move_slip_late = false, slip_waiting = false;
  std::string congestion_text = "off", congestion_horizon_text = "72h";
  bool cfg_congestion_each_submit = false;
  std::string slack_reserve_text = "50", slip_floor_text = "0";
  SlipSettings slip;
  ReplanRule replan_rule;
  std::string sites_text, home_text = "round-robin";
  bool no_move = false;
  std::string move_penalty_text = "0";

  app.add_option("--trace", trace_path,
                 "Job trace: SWF (.swf or .swf.gz), sacct --json, sacct -P, or CSV "
                 "(arrival,length[,cores,requested,deadline,user])")
      ->required();
  app.add_option("--trace-format", trace_format, "auto, swf, sacct-json, sacct, csv")
      ->capture_default_str();
  app.add_option("--csv-time-unit", csv_unit, "Unit of numbers in a CSV trace: s or h")
      ->capture_default_str();
  app.add_option("--grid", grid_path,
                 "Carbon series: a wide CSV (time column, one column per zone) or "
                 "an ebb forecast file (--grid-format forecast); gzip is fine")
      ->required();
  app.add_option("--zone", zone, "Column of the wide CSV, e.g. DE, GB, AU-SA");
  app.add_option("--grid-format", grid_format, "wide or forecast")->capture_default_str();
  app.add_option("--grid-sample", grid_sample,
                 "Keep only grid rows on this clock step, e.g. 30m "
                 "(as Let's Wait Awhile does)");
  app.add_option("--prices", prices_path, "Price series: a wide CSV such as the day-ahead file");
  app.add_option("--price-column", price_column, "Column of --prices, e.g. DE-LU_EUR_per_MWh");
  app.add_option("--currency", currency, "Currency of the prices")->capture_default_str();
  app.add_option("--start", start_text,
                 "Where the trace starts on the grid: ISO date-time. Dated traces "
                 "move by whole weeks (weekday and time of day kept) into the week from here; "
                 "undated traces start exactly here. Default: the grid's start");
  app.add_option("--cores", cores_text,
                 "Cluster size in cores; 0 = unlimited (no queueing); auto = the most cores the "
                 "trace's jobs used at once by their recorded starts")
      ->capture_default_str();
  app.add_option("--backfill-depth", backfill_depth,
                 "Jobs tested per backfill pass (bf_max_job_test)")
      ->capture_default_str();
  app.add_option("--deadline", deadline_text,
                 "Deadline rule: slack:24h, factor:3, fixed:12h, next-workday, "
                 "lwa-next-workday, queues:2h:6h:24h, trace[:24h]")
      ->capture_default_str();
  app.add_option("--tz-offset", tz_offset_h,
                 "Hours from UTC of the site's local time (workday rules)")
      ->capture_default_str();
  app.add_option(
         "--forecast", forecast_text,
         "What the planner sees: perfect, noisy, yesterday, weekly-median, ebbd (ebbd's own "
         "forecaster, fed only the past), or "
         "archive:FILE (forecasts as issued, long format issued_at,time,forecast, "
         "gzip allowed: each job plans with the latest issued before its submit)")
      ->capture_default_str();
  app.add_option("--archive-correction", archive_correction,
                 "archive: off (plan on the forecasts as issued) or learn (correct each one "
                 "with a per-lead regression on its predecessors' misses, walk-forward)")
      ->capture_default_str()
      ->check(CLI::IsMember({"off", "learn"}));
  app.add_option("--noise", noise, "noisy: sigma as a fraction of the series' mean")
      ->capture_default_str();
  app.add_option("--seed", seed, "noisy: random seed")->capture_default_str();
  app.add_option("--weeks", weeks, "weekly-median: past weeks")->capture_default_str();
  app.add_option("--objective", objective_text, "ebb's objective: carbon, cost, balanced")
      ->capture_default_str();
  app.add_option("--carbon-price", carbon_price, "ebb's carbon price per tonne (balanced)")
      ->capture_default_str();
  app.add_option("--error-weight", error_weight,
                 "Error-aware plans: minimise the forecast plus this many times its measured "
                 "mean absolute error at each lead time (measured walk-forward, every 6 h, as "
                 "ebbd does); 0 = plan on the forecast alone")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 10.0));
  app.add_option("--min-saving", min_saving, "ebb's threshold: do not defer for less than this %")
      ->capture_default_str();
  app.add_option("--watts-per-core", watts_per_core, "Power per core")->capture_default_str();
  app.add_option("--pue", pue, "Power usage effectiveness")->capture_default_str();
  app.add_option("--runtime", runtime_text,
                 "The runtime ebb plans each job with and assumes in its view of the cluster: "
                 "limit (the job's time limit, as in production without history), predicted "
                 "(learned online from the jobs that ended before it was submitted, with "
                 "ebbd's predictor) or actual")
      ->capture_default_str();
  // The predictor's trade-off between accuracy and underestimates (README, "Runtimes
  // from history"); the defaults are ebbd's.
  app.add_option("--predict-recent", predictor.recent,
                 "with --runtime predicted: the runtimes looked at per group of similar jobs")
      ->capture_default_str()
      ->check(CLI::Range(1, 8));
  app.add_option("--predict-quantile", predictor.quantile,
                 "with --runtime predicted: their quantile (1: the largest, 0: their mean, as "
                 "Tsafrir et al.)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--predict-margin", predictor.margin,
                 "with --runtime predicted: a factor on the prediction (never above the limit)")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 100.0));
  app.add_flag("--runtime-known", runtime_known, "Same as --runtime actual");
  app.add_flag("--no-capacity", no_capacity,
               "ebb plans each job alone, blind to the queue and to its own earlier plans "
               "(the behaviour before capacity-aware planning)");
  app.add_option("--headroom", capacity.headroom_percent,
                 "Percent of the cores ebb keeps free of deferred jobs for jobs not yet "
                 "submitted (ebb.conf CapacityHeadroom)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 99.0));
  app.add_option("--max-starts-per-minute", capacity.max_starts_per_minute,
                 "Most deferred jobs ebb plans to start in one minute (ebb.conf "
                 "MaxStartsPerMinute; 0 = no limit)")
      ->capture_default_str();
  app.add_option("--slack-reserve", slack_reserve_text,
                 "Percent of each job's window, at its end, that ebb never defers into "
                 "(ebb.conf SlackReserve), or auto: keep free the queue wait that deferred "
                 "jobs of the same size (cores x time limit) were seen to have after their "
                 "begin time, a high quantile of the most recent that had started (the "
                 "percent of --slack-reserve-fallback until 20 have)")
      ->capture_default_str();
  app.add_option("--slack-reserve-fallback", capacity.slack_reserve_percent,
                 "With --slack-reserve auto: the percent used before enough waits are known")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
  app.add_option("--slip-quantile", slip.quantile,
                 "With --slack-reserve auto: the quantile of the observed waits kept free")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--slip-floor", slip_floor_text,
                 "With --slack-reserve auto: never keep free less than this (e.g. 2h)")
      ->capture_default_str();
  app.add_option("--slip-min-reserve", capacity.slip_min_reserve_percent,
                 "With --slack-reserve auto: keep free at least this percent of the window")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
  app.add_option("--slip-window", slip.window,
                 "With --slack-reserve auto: the most recent waits per size class it uses")
      ->capture_default_str();
  app.add_flag("--slip-by-time", slip.by_time_of_week,
               "With --slack-reserve auto: also by the time of week (4-hour blocks, weekday or "
               "weekend) at the job's latest start, where the reserve binds");
  app.add_flag("--slip-waiting", slip_waiting,
               "With --slack-reserve auto: keep free at least the longest wait so far of the "
               "deferred jobs of the same size still queued past their begin time");
  app.add_flag("--replan-slip-late", move_slip_late,
               "With --slack-reserve auto: re-planning moves (releases) a held job whose "
               "planned start plus its predicted wait is past its latest start, whatever the "
               "gain");
  app.add_option("--runtime-share", runtime_share_text,
                 "Share of its time limit a job is expected to run, in ebb's view of the "
                 "cluster: a number in (0, 1], or learn (from the jobs finished so far)")
      ->capture_default_str();
  app.add_option("--replan-every", replan_every_text,
                 "How often ebb re-plans the jobs it holds with ebb::replan, as ebbd does after "
                 "each forecast refresh (0 = never)")
      ->capture_default_str();
  app.add_option("--max-moves", replan_rule.max_moves,
                 "Most times re-planning moves one job (ebb.conf ReplanMaxMoves)")
      ->capture_default_str();
  app.add_option("--replan-min-gain", replan_rule.min_gain_percent,
                 "Percent of its objective a move must gain (a job whose planned start is now "
                 "expected full moves regardless)")
      ->capture_default_str();
  app.add_option("--replan-view", replan_view,
                 "What a held job is re-planned against: ahead (the jobs ahead of it in line, "
                 "with --queue-order submit) or all (the whole cluster, as at submit)")
      ->capture_default_str();
  app.add_flag("--replan-keep-when-full", keep_when_full,
               "Re-planning moves a job whose planned start is now expected full only for a "
               "better window, as any other");
  app.add_flag("--replan-at-risk", move_at_risk,
               "Re-planning moves a job that could not start by its latest start if it "
               "became eligible as planned, whatever the gain");
  app.add_option("--congestion", congestion_text,
                 "How held jobs share the clean hours: off (each job on the forecast, with the "
                 "capacity rule) or duals (at each re-plan, congestion prices from a min-cost "
                 "flow of the held jobs over the free CPUs; jobs are planned on the forecast "
                 "plus the price; needs --cores and --replan-every) or flow (as duals, and at "
                 "each re-plan every held job begins in the first hour the flow gives it work)")
      ->capture_default_str();
  app.add_flag("--congestion-each-submit", cfg_congestion_each_submit,
               "Solve the congestion prices again at each submission, not only at each re-plan");
  app.add_option("--congestion-horizon", congestion_horizon_text,
                 "Hours the congestion prices cover from each re-plan")
      ->capture_default_str();
  app.add_option("--queue-order", queue_order,
                 "Order of eligible jobs in the queue: submit (PriorityFlags=ACCRUE_ALWAYS: a "
                 "held job keeps its place in line) or eligible (Slurm's default age factor)")
      ->capture_default_str();
  app.add_option(
         "--bound", bound_text,
         "What 'of bound' divides by: per-job (each job alone at its best start, "
         "the oracle's planned cut; ignores the cluster's size), capacity (the least "
         "CO2 of any schedule on --cores cores, each job's core-hours split freely "
         "within its window: a min-cost flow, 20-90 s of CPU and ~0.9 GB for 200,000 jobs), "
         "or auto: capacity with --cores and at most " +
             std::to_string(kAutoCapacityBoundJobs) + " jobs, else per-job")
      ->capture_default_str();
  app.add_option("--sites", sites_text,
                 "Several sites in different grid regions, ZONE:CORES each, e.g. "
                 "DE:240,FR:240,SE-SE3:240 (one column of the wide --grid per site; replaces "
                 "--zone and --cores). Each job has a home site (--home) where baseline runs it; "
                 "ebb may defer it and move it to another site, each site's capacity respected. "
                 "Prints baseline, 'ebb, no move' (deferral at home only) and 'ebb, move', per "
                 "site and overall; plans are made once, at submit");
  app.add_option("--home", home_text,
                 "With --sites, each job's home site: round-robin (job i at site i mod N, in "
                 "trace order) or partition (the trace's k-th distinct partition at site k mod N)")
      ->capture_default_str();
  app.add_option("--move-penalty", move_penalty_text,
                 "With --sites: extra runtime a moved job pays at its destination (staging "
                 "its data; ebb.conf's MovePenalty), e.g. 30m: planned for and scored")
      ->capture_default_str();
  app.add_flag("--no-move", no_move,
               "With --sites: leave out the moving policy (every job stays at home)");
  app.add_option("--policies", policies_text, "Comma-separated policies to run")
      ->capture_default_str();
  app.add_option("--threads", threads, "Planning threads")->capture_default_str();
  app.add_option("--limit-jobs", limit_jobs, "Replay only the first N jobs (0 = all)");
  app.add_option("--csv", csv_out, "Write the result table as CSV to this file ('-' = stdout)");
  app.add_option("--json", json_out, "Write the results as JSON to this file ('-' = stdout)");
  app.add_option("--svg", svg_out,
                 "Write a chart of cumulative emissions and waiting to this SVG file");
  app.add_option("--ledger", ledger_out,
                 "Write the per-job ledger of the ebb policy as CSV to this file ('-' = stdout): "
                 "job,user,account,partition,submit,planned_start,start,end,deferred,kwh,kgco2,"
                 "kgco2_as_submitted,cost,cost_as_submitted,currency,added_wait_h, where 'as "
                 "submitted' is the same job in the baseline run; the columns sum to the "
                 "replay's totals (README, \"For finance teams\")");
  app.add_flag("-q,--quiet", quiet, "Do not print the table");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  try {
    TraceReadOptions topt;
    topt.format = parse_trace_format(trace_format);
    if (csv_unit == "h")
      topt.csv_time_unit_seconds = 3600;
    else if (csv_unit != "s")
      throw InputError("--csv-time-unit must be s or h");
    Trace trace = read_trace(trace_path, topt);
    if (limit_jobs && trace.jobs.size() > limit_jobs) trace.jobs.resize(limit_jobs);

    std::vector<SiteSpec> sites;
    if (!sites_text.empty()) {
      sites = parse_sites(sites_text);
      if (grid_format != "wide")
        throw InputError("--sites needs a wide --grid (one column a zone)");
      if (!prices_path.empty()) throw InputError("--sites: prices are not supported yet");
      zone = sites.front().zone;
    }
    Grid grid;
    std::string grid_desc;
    if (grid_format == "forecast") {
      grid = read_forecast_format(grid_path);
      grid_desc = grid_path;
    } else if (grid_format == "wide") {
      GridReadOptions gopt;
      gopt.column = zone;
      if (!grid_sample.empty()) gopt.sample_step = parse_short_duration(grid_sample);
      PointSeries carbon = read_wide_csv(grid_path, gopt);
      std::vector<Slot> slots = points_to_slots(carbon);
      bool priced = false;
      if (!prices_path.empty()) {
        GridReadOptions popt;
        popt.column = price_column;
        popt.allow_negative = true;
        attach_prices(slots, read_wide_csv(prices_path, popt));
        priced = true;
        // "DE-LU_EUR_per_MWh" names its currency; --currency still wins.
        auto pos = price_column.rfind("_per_MWh");
        if (app.count("--currency") == 0 && pos != std::string::npos && pos >= 4 &&
            price_column[pos - 4] == '_')
          currency = price_column.substr(pos - 3, 3);
      }
      grid = Grid(std::move(slots), priced, carbon.source);
      grid_desc = carbon.source + (priced ? " + prices " + prices_path + " " + price_column : "");
    } else {
      throw InputError("--grid-format must be wide or forecast");
    }
    if (grid.empty()) throw InputError(grid_path + ": no usable grid data");

    std::optional<TimePoint> start;
    if (!start_text.empty()) start = parse_iso8601(start_text);
    Duration shift = map_onto_grid(trace, grid, start);

    if (cores_text == "auto") {
      cores = peak_recorded_cores(trace);
      if (cores == 0) throw InputError("--cores auto: " + trace_path + " records no start times");
    } else {
      long long c = 0;
      if (!parse_int(cores_text, c) || c < 0)
        throw InputError("--cores: not a core count: '" + cores_text + "'");
      cores = static_cast<std::uint32_t>(c);
    }
    ReplayConfig cfg;
    cfg.sim.cores = cores;
    cfg.sim.backfill_depth = backfill_depth;
    cfg.deadline = parse_deadline_rule(deadline_text);
    cfg.deadline.utc_offset = Duration{std::llround(tz_offset_h * 3600)};
    cfg.forecast = parse_forecast_option(forecast_text);
    cfg.forecast.noise_fraction = noise;
    cfg.forecast.archive_correction = archive_correction == "learn";
    cfg.forecast.seed = seed;
    cfg.forecast.weeks = weeks;
    cfg.ebb_policy.objective = parse_objective(objective_text);
    cfg.ebb_policy.carbon_price = carbon_price;
    cfg.ebb_policy.min_saving_percent = min_saving;
    cfg.ebb_policy.error_weight = error_weight;
    cfg.power.watts_per_core = watts_per_core;
    cfg.power.pue = pue;
    cfg.runtime = runtime_known ? RuntimeMode::actual : parse_runtime_mode(runtime_text);
    cfg.predictor = predictor;
    cfg.capacity_aware = !no_capacity;
    cfg.capacity = capacity;
    if (slack_reserve_text == "auto") {
      cfg.slip_auto = true;
      cfg.slip = slip;
      cfg.slip.floor = slip_floor_text == "0" ? Duration{0} : parse_short_duration(slip_floor_text);
      cfg.slip_waiting = slip_waiting;
    } else {
      double reserve = 0;
      if (!parse_double(slack_reserve_text, reserve) || !(reserve >= 0 && reserve <= 100))
        throw InputError("--slack-reserve: a percent in [0, 100] or auto, not '" +
                         slack_reserve_text + "'");
      cfg.capacity.slack_reserve_percent = reserve;
    }
    if (runtime_share_text == "learn") {
      cfg.learn_runtime_share = true;
    } else {
      double share = 0;
      if (!parse_double(runtime_share_text, share) || !(share > 0 && share <= 1))
        throw InputError("--runtime-share: a number in (0, 1] or learn, not '" +
                         runtime_share_text + "'");
      cfg.learn_runtime_share = false;
      cfg.capacity.runtime_share = share;
    }
    if (queue_order == "submit")
      cfg.sim.age_from_submit = true;
    else if (queue_order == "eligible")
      cfg.sim.age_from_submit = false;
    else
      throw InputError("--queue-order: submit or eligible, not '" + queue_order + "'");
    cfg.replan_every = replan_every_text == "0" || replan_every_text == "off"
                           ? Duration{0}
                           : parse_short_duration(replan_every_text);
    cfg.replan_rule = replan_rule;
    cfg.replan_rule.move_when_full = !keep_when_full;
    cfg.replan_rule.move_when_at_risk = move_at_risk;
    cfg.replan_rule.move_when_slip_late = move_slip_late;
    if (replan_view != "ahead" && replan_view != "all")
      throw InputError("--replan-view: ahead or all, not '" + replan_view + "'");
    cfg.replan_ahead_only = replan_view == "ahead";
    cfg.congestion = parse_congestion_mode(congestion_text);
    cfg.congestion_settings.horizon = parse_short_duration(congestion_horizon_text);
    cfg.congestion_each_submit = cfg_congestion_each_submit;
    if (cfg.congestion != CongestionMode::off && (cores == 0 || no_capacity))
      throw InputError("--congestion " + congestion_text +
                       ": needs --cores and capacity-aware planning");
    if (cfg.congestion != CongestionMode::off && cfg.replan_every == Duration{0})
      throw InputError("--congestion " + congestion_text +
                       ": prices are set at each re-plan; needs --replan-every > 0");
    cfg.threads = threads;
    if (bound_text == "auto")
      cfg.bound = cores > 0 && trace.jobs.size() <= kAutoCapacityBoundJobs ? BoundKind::capacity
                                                                           : BoundKind::per_job;
    else
      cfg.bound = parse_bound_kind(bound_text);
    if (cfg.bound == BoundKind::capacity && cores == 0)
      throw InputError("--bound capacity: needs a cluster size (--cores N or auto)");
    cfg.policies.clear();
    for (auto p : split(policies_text, ','))
      cfg.policies.push_back(parse_policy_kind(std::string(trim(p))));
    if (!ledger_out.empty() &&
        std::find(cfg.policies.begin(), cfg.policies.end(), PolicyKind::ebb) == cfg.policies.end())
      throw InputError("--ledger: the ledger is the ebb policy's; add ebb to --policies");

    if (!sites.empty())
      return run_sites_main(
          trace, std::move(grid), shift, grid_path, grid_sample, sites, home_text, !no_move,
          move_penalty_text == "0" ? Duration{0} : parse_short_duration(move_penalty_text), cfg,
          quiet);
    ReplayResult result = run_replay(trace.jobs, grid, cfg);
    result.currency = currency;

    ReportContext ctx;
    ctx.trace = trace_path;
    if (trace.relative_times && !trace.jobs.empty())
      ctx.trace += " (starting " + format_utc(trace.jobs.front().submit) + ")";
    else if (shift != Duration{0})
      ctx.trace += " (times moved by " + format_duration(shift) + " to fit the grid)";
    ctx.grid = grid_desc;
    ctx.grid_repeat = grid_repeat_note(result, grid);
    std::ostringstream setup;
    // The error weight in the setup line, as given.
    std::ostringstream weight_text;
    weight_text << error_weight;
    setup << (cores ? std::to_string(cores) + " cores, FCFS + EASY backfill"
                    : std::string("unlimited cores"))
          << "; deadline " << cfg.deadline.describe() << "; forecast "
          << to_string(cfg.forecast.kind);
    if (cfg.forecast.kind == ForecastKind::noisy)
      setup << " (sigma " << noise << " x mean, seed " << seed << ")";
    if (cfg.forecast.archive)
      setup << " (" << cfg.forecast.archive->snapshots().size() << " forecasts issued "
            << format_utc(cfg.forecast.archive->snapshots().front().issued) << " to "
            << format_utc(cfg.forecast.archive->snapshots().back().issued) << " from "
            << cfg.forecast.archive->source()
            << (cfg.forecast.archive_correction ? ", corrected as learnt from past misses" : "")
            << ", extended by ebbd's forecaster)";
    setup << "; ebb " << to_string(cfg.ebb_policy.objective) << ", carbon price " << carbon_price
          << ", threshold " << min_saving << "%"
          << (error_weight > 0 ? ", error-aware plans (weight " + weight_text.str() + ")"
                               : std::string())
          << (cfg.runtime == RuntimeMode::actual      ? ", actual runtimes"
              : cfg.runtime == RuntimeMode::predicted ? ", predicted runtimes"
                                                      : ", time limits")
          << (cores == 0 || no_capacity
                  ? ", each job planned alone"
                  : ", capacity-aware (headroom " +
                        std::to_string(std::lround(capacity.headroom_percent)) +
                        "%, slack reserve " +
                        (cfg.slip_auto
                             ? "auto (q" + std::to_string(std::lround(slip.quantile * 100)) +
                                   " of the observed queue slip" +
                                   (capacity.slip_min_reserve_percent > 0
                                        ? ", at least " +
                                              std::to_string(
                                                  std::lround(capacity.slip_min_reserve_percent)) +
                                              " %"
                                        : std::string()) +
                                   ")"
                             : std::to_string(std::lround(cfg.capacity.slack_reserve_percent)) +
                                   "%") +
                        ", at most " + std::to_string(capacity.max_starts_per_minute) +
                        " deferred starts a minute, runtime share " + runtime_share_text + ")" +
                        (cfg.replan_every > Duration{0}
                             ? ", re-planned every " + format_duration(cfg.replan_every) +
                                   " (at most " + std::to_string(replan_rule.max_moves) +
                                   " moves a job)"
                             : std::string(", never re-planned")))
          << "; queue order by " << queue_order;
    ctx.setup = setup.str();

    if (!quiet) {
      std::cout << format_table(result, ctx);
      for (const auto& [why, count] : trace.skipped)
        std::cout << "  skipped " << count << " trace jobs: " << why << "\n";
      char timing[128];
      std::snprintf(timing, sizeof timing,
                    "  planned in %.2f s, queued in %.2f s, bound in %.2f s\n",
                    result.seconds_planning, result.seconds_simulating, result.bound.seconds);
      std::cout << timing;
    }
    if (!csv_out.empty()) write_output(csv_out, format_csv(result, ctx));
    if (!json_out.empty()) write_output(json_out, format_json(result, ctx));
    if (!svg_out.empty()) write_output(svg_out, format_svg(result, ctx));
    if (!ledger_out.empty()) write_output(ledger_out, format_ledger_csv(result));
    return 0;
  } catch (const InputError& e) {
    std::cerr << "ebb: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "ebb: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace ebb
