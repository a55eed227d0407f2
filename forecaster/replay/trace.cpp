// SPDX-License-Identifier: GPL-2.0-or-later
#include "trace.hpp"

#include <algorithm>
#include <cmath>

#include "ebb/error.hpp"
#include "ebb/sacct_json.hpp"
#include "io.hpp"

namespace ebb::replay {

namespace {

void finish(Trace& trace) {
  std::stable_sort(trace.jobs.begin(), trace.jobs.end(),
                   [](const TraceJob& a, const TraceJob& b) { return a.submit < b.submit; });
  for (TraceJob& j : trace.jobs) {
    if (j.requested < j.runtime) {
      if (j.requested > Duration{0}) ++trace.requested_raised;
      j.requested = j.runtime;
    }
  }
}

std::uint32_t clamp_cores(long long v) {
  return static_cast<std::uint32_t>(std::clamp<long long>(v, 0, 100000000));
}

}  // namespace

TraceFormat parse_trace_format(const std::string& text) {
  std::string t = lower(text);
  if (t == "auto" || t.empty()) return TraceFormat::automatic;
  if (t == "swf") return TraceFormat::swf;
  if (t == "sacct-json" || t == "json") return TraceFormat::sacct_json;
  if (t == "sacct" || t == "sacct-p" || t == "sacct-pipe") return TraceFormat::sacct_pipe;
  if (t == "csv") return TraceFormat::csv;
  throw InputError("unknown trace format '" + text +
                   "' (expected auto, swf, sacct-json, sacct, csv)");
}

std::optional<Duration> parse_slurm_elapsed(std::string_view text) {
  text = trim(text);
  std::string l = lower(text);
  if (l.empty() || l == "unlimited" || l == "partition_limit" || l == "invalid" || l == "none")
    return std::nullopt;
  long long days = 0;
  std::string_view rest = text;
  bool had_days = false;
  if (auto dash = rest.find('-'); dash != std::string_view::npos) {
    if (!parse_int(rest.substr(0, dash), days))
      throw InputError("bad duration '" + std::string(text) + "'");
    rest = rest.substr(dash + 1);
    had_days = true;
  }
  // Fractional seconds (sacct prints e.g. 00:01.123 for short steps) are dropped.
  if (auto dot = rest.find('.'); dot != std::string_view::npos) rest = rest.substr(0, dot);
  auto parts = split(rest, ':');
  std::vector<long long> v;
  for (auto p : parts) {
    long long x;
    if (!parse_int(p, x) || x < 0) throw InputError("bad duration '" + std::string(text) + "'");
    v.push_back(x);
  }
  long long s = 0;
  if (had_days) {
    // D-HH, D-HH:MM, D-HH:MM:SS
    s = v[0] * 3600 + (v.size() > 1 ? v[1] * 60 : 0) + (v.size() > 2 ? v[2] : 0);
  } else if (v.size() == 1) {
    s = v[0] * 60;  // minutes
  } else if (v.size() == 2) {
    s = v[0] * 60 + v[1];  // MM:SS
  } else if (v.size() == 3) {
    s = v[0] * 3600 + v[1] * 60 + v[2];
  } else {
    throw InputError("bad duration '" + std::string(text) + "'");
  }
  return Duration{days * 86400 + s};
}

std::optional<double> parse_slurm_memory(std::string_view text, std::uint32_t cores,
                                         std::uint32_t nodes) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  double scale = 1;  // per job
  char last = text.back();
  if (last == 'n' || last == 'c') {
    scale = last == 'n' ? std::max<std::uint32_t>(nodes, 1) : std::max<std::uint32_t>(cores, 1);
    text.remove_suffix(1);
  }
  double unit_gb = 1.0 / 1024;  // sacct's default unit is MB
  if (!text.empty() && std::string_view("KMGT").find(text.back()) != std::string_view::npos) {
    switch (text.back()) {
      case 'K':
        unit_gb = 1.0 / (1024 * 1024);
        break;
      case 'M':
        unit_gb = 1.0 / 1024;
        break;
      case 'G':
        unit_gb = 1;
        break;
      case 'T':
        unit_gb = 1024;
        break;
    }
    text.remove_suffix(1);
  }
  double v;
  if (!parse_double(text, v) || v < 0)
    throw InputError("bad memory size '" + std::string(text) + "'");
  if (v == 0) return std::nullopt;
  return v * unit_gb * scale;
}

// --- SWF ---------------------------------------------------------------------------------

Trace parse_swf(std::string_view text, const std::string& source) {
  Trace trace;
  trace.source = source;
  LineReader lines(text, source);
  std::string_view line;
  long long unix_start = 0;
  bool have_start = false;
  while (lines.next(line)) {
    std::string_view t = trim(line);
    if (t.empty()) continue;
    if (t.front() == ';') {
      // Header comments: "; UnixStartTime: 1027839845"
      auto colon = t.find(':');
      if (colon != std::string_view::npos) {
        std::string key = lower(trim(t.substr(1, colon - 1)));
        if (key == "unixstarttime") {
          if (!parse_int(t.substr(colon + 1), unix_start))
            throw lines.error("UnixStartTime is not a number");
          have_start = true;
        }
      }
      continue;
    }
    auto f = split_whitespace(t);
    if (f.size() != 18)
      throw lines.error("expected 18 fields (Standard Workload Format), found " +
                        std::to_string(f.size()));
    double v[18];
    for (std::size_t i = 0; i < 18; ++i)
      if (!parse_double(f[i], v[i]))
        throw lines.error("field " + std::to_string(i + 1) + " is not a number: '" +
                          std::string(f[i]) + "'");
    double submit = v[1], run = v[3], alloc = v[4], req_procs = v[7], req_time = v[8];
    if (submit < 0) throw lines.error("negative submit time");
    if (run <= 0) {
      ++trace.skipped["no run time (never started or failed at once)"];
      continue;
    }
    double cores = alloc > 0 ? alloc : req_procs;
    if (cores <= 0) {
      ++trace.skipped["no processor count"];
      continue;
    }
    TraceJob j;
    j.id = std::string(f[0]);
    j.submit = TimePoint{seconds{unix_start + static_cast<long long>(submit)}};
    j.runtime = Duration{static_cast<long long>(std::llround(run))};
    j.requested = Duration{req_time > 0 ? static_cast<long long>(std::llround(req_time)) : 0};
    j.cores = clamp_cores(std::llround(cores));
    if (v[9] > 0) j.memory_gb = v[9] * static_cast<double>(j.cores) / (1024.0 * 1024.0);
    if (v[2] >= 0) j.recorded_start = j.submit + Duration{static_cast<long long>(v[2])};
    if (v[11] >= 0) j.user = std::to_string(static_cast<long long>(v[11]));
    if (v[12] >= 0) j.account = std::to_string(static_cast<long long>(v[12]));  // group
    if (v[13] >= 0) j.name = std::to_string(static_cast<long long>(v[13]));     // executable
    if (v[15] >= 0) j.partition = std::to_string(static_cast<long long>(v[15]));
    trace.jobs.push_back(std::move(j));
  }
  trace.relative_times = !have_start;
  finish(trace);
  return trace;
}

// --- sacct -P ----------------------------------------------------------------------------

namespace {

std::optional<TimePoint> parse_sacct_time(std::string_view s) {
  s = trim(s);
  std::string l = lower(s);
  if (l.empty() || l == "unknown" || l == "none" || l == "n/a") return std::nullopt;
  return parse_iso8601(s);
}

}  // namespace

Trace parse_sacct_pipe(std::string_view text, const std::string& source) {
  Trace trace;
  trace.source = source;
  LineReader lines(text, source);
  std::string_view line;
  std::map<std::string, std::size_t> col;
  std::size_t width = 0;
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    auto f = split(line, '|');
    width = f.size();
    for (std::size_t i = 0; i < f.size(); ++i) col[lower(trim(f[i]))] = i;
    break;
  }
  auto has = [&](const char* name) { return col.count(name) > 0; };
  if (!has("submit") || !(has("elapsed") || (has("start") && has("end"))))
    throw InputError(source +
                     ": the sacct header needs Submit and Elapsed (or Start and End); "
                     "export with: sacct -a -X -P -S <from> -E <to> "
                     "-o JobID,Submit,Start,End,Elapsed,Timelimit,NCPUS,State,Partition,User");
  auto field = [&](const std::vector<std::string_view>& f, const char* name) -> std::string_view {
    auto it = col.find(name);
    return it == col.end() ? std::string_view{} : trim(f[it->second]);
  };
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    auto f = split(line, '|');
    // sacct -P ends lines with a '|' when --parsable (not -P2); accept one extra empty field.
    if (f.size() == width + 1 && trim(f.back()).empty()) f.pop_back();
    if (f.size() != width)
      throw lines.error("expected " + std::to_string(width) + " fields separated by '|', found " +
                        std::to_string(f.size()));
    std::string id(field(f, "jobid"));
    if (id.empty()) id = std::string(field(f, "jobidraw"));
    if (id.find('.') != std::string::npos) continue;  // a job step, not a job
    try {
      auto submit = parse_sacct_time(field(f, "submit"));
      if (!submit) throw InputError("no submit time");
      // Plain values rather than optionals: GCC 12 warns falsely on optional arithmetic.
      TimePoint start{}, end{};
      bool has_start = false, has_end = false;
      if (has("start"))
        if (auto v = parse_sacct_time(field(f, "start"))) start = *v, has_start = true;
      if (has("end"))
        if (auto v = parse_sacct_time(field(f, "end"))) end = *v, has_end = true;
      Duration elapsed{0};
      if (has("elapsed")) elapsed = parse_slurm_elapsed(field(f, "elapsed")).value_or(Duration{0});
      if (elapsed <= Duration{0} && has_start && has_end) elapsed = end - start;
      if (!has_start && has("start")) {
        ++trace.skipped["never started"];
        continue;
      }
      if (elapsed <= Duration{0}) {
        ++trace.skipped["no run time (never started or failed at once)"];
        continue;
      }
      long long cores = 0;
      for (const char* name : {"ncpus", "alloccpus", "reqcpus"}) {
        if (has(name) && parse_int(field(f, name), cores) && cores > 0) break;
        cores = 0;
      }
      if (cores <= 0) {
        ++trace.skipped["no processor count"];
        continue;
      }
      TraceJob j;
      j.id = id;
      j.submit = *submit;
      j.runtime = elapsed;
      if (has_start) j.recorded_start = start;
      if (has("timelimit"))
        j.requested = parse_slurm_elapsed(field(f, "timelimit")).value_or(Duration{0});
      j.cores = clamp_cores(cores);
      j.user = std::string(field(f, "user"));
      if (has("jobname")) j.name = std::string(field(f, "jobname"));
      j.account = std::string(field(f, "account"));
      j.partition = std::string(field(f, "partition"));
      if (has("reqmem")) {
        long long nodes = 1;
        if (has("nnodes") && !parse_int(field(f, "nnodes"), nodes)) nodes = 1;
        j.memory_gb = parse_slurm_memory(field(f, "reqmem"), j.cores,
                                         static_cast<std::uint32_t>(std::max<long long>(nodes, 1)))
                          .value_or(0);
      }
      if (has("deadline")) j.deadline = parse_sacct_time(field(f, "deadline"));
      trace.jobs.push_back(std::move(j));
    } catch (const InputError& e) {
      throw lines.error(e.what());
    }
  }
  finish(trace);
  return trace;
}

// --- sacct --json ------------------------------------------------------------------------

// The one reader of sacct's JSON (ebb/sacct_json.hpp), shared with `ebb report`.
Trace parse_sacct_json_trace(std::string_view text, const std::string& source) {
  Trace trace;
  trace.source = source;
  for_each_sacct_job(text, source, [&](AccountedJob&& a) {
    if (!a.start) {
      ++trace.skipped["never started"];
      return;
    }
    if (a.elapsed <= Duration{0}) {
      ++trace.skipped["no run time (never started or failed at once)"];
      return;
    }
    if (a.resources.cores() == 0) {
      ++trace.skipped["no processor count"];
      return;
    }
    TraceJob j;
    j.id = std::move(a.id);
    j.submit = a.submit;
    j.runtime = a.elapsed;
    j.recorded_start = a.start;
    j.requested = a.limit.value_or(Duration{0});
    j.cores = a.resources.cores();
    j.memory_gb = a.resources.memory_gb;
    j.user = std::move(a.user);
    j.name = std::move(a.name);
    j.account = std::move(a.account);
    j.partition = std::move(a.partition);
    trace.jobs.push_back(std::move(j));
  });
  finish(trace);
  return trace;
}

// --- simple CSV --------------------------------------------------------------------------

Trace parse_simple_csv(std::string_view text, const std::string& source, double unit) {
  Trace trace;
  trace.source = source;
  LineReader lines(text, source);
  std::string_view line;
  std::map<std::string, std::size_t> col;
  std::size_t width = 0;
  while (lines.next(line)) {
    if (trim(line).empty() || trim(line).front() == '#') continue;
    auto f = split(line, ',');
    width = f.size();
    for (std::size_t i = 0; i < f.size(); ++i) col[lower(trim(f[i]))] = i;
    break;
  }
  auto find = [&](std::initializer_list<const char*> names) -> std::optional<std::size_t> {
    for (const char* n : names)
      if (auto it = col.find(n); it != col.end()) return it->second;
    return std::nullopt;
  };
  auto c_arrival = find({"arrival", "arrival_time", "submit"});
  auto c_length = find({"length", "runtime", "duration"});
  auto c_cores = find({"cores", "cpus", "ncpus"});
  auto c_requested = find({"requested", "timelimit", "time_limit"});
  auto c_deadline = find({"deadline"});
  auto c_user = find({"user"});
  if (!c_arrival || !c_length)
    throw InputError(source +
                     ": the CSV header needs arrival and length columns "
                     "(and optionally cores, requested, deadline, user)");
  bool relative = true, decided = false;
  std::size_t n = 0;
  auto number_or_time = [&](std::string_view s, const char* what) -> TimePoint {
    double v;
    if (parse_double(s, v)) {
      if (decided && !relative) throw lines.error(std::string(what) + ": mixes numbers and dates");
      relative = true;
      decided = true;
      return TimePoint{seconds{std::llround(v * unit)}};
    }
    if (decided && relative) throw lines.error(std::string(what) + ": mixes numbers and dates");
    relative = false;
    decided = true;
    try {
      return parse_iso8601(trim(s));
    } catch (const InputError& e) {
      throw lines.error(std::string(what) + ": " + e.what());
    }
  };
  while (lines.next(line)) {
    if (trim(line).empty() || trim(line).front() == '#') continue;
    auto f = split(line, ',');
    if (f.size() != width)
      throw lines.error("expected " + std::to_string(width) + " fields, found " +
                        std::to_string(f.size()));
    TraceJob j;
    j.id = std::to_string(n++);
    j.submit = number_or_time(f[*c_arrival], "arrival");
    double len;
    if (!parse_double(f[*c_length], len) || len < 0)
      throw lines.error("length is not a non-negative number: '" + std::string(trim(f[*c_length])) +
                        "'");
    j.runtime = Duration{std::llround(len * unit)};
    if (j.runtime <= Duration{0}) {
      ++trace.skipped["zero length"];
      continue;
    }
    if (c_cores) {
      double c;
      if (!parse_double(f[*c_cores], c) || c < 0)
        throw lines.error("cores is not a non-negative number: '" + std::string(trim(f[*c_cores])) +
                          "'");
      j.cores = clamp_cores(std::llround(std::ceil(c)));
      if (j.cores == 0) {
        ++trace.skipped["no processor count"];
        continue;
      }
    }
    if (c_requested) {
      double r;
      if (!parse_double(f[*c_requested], r) || r < 0)
        throw lines.error("requested is not a non-negative number");
      j.requested = Duration{std::llround(r * unit)};
    }
    if (c_deadline && !trim(f[*c_deadline]).empty()) {
      double d;
      if (parse_double(f[*c_deadline], d))
        j.deadline = TimePoint{seconds{std::llround(d * unit)}};
      else {
        try {
          j.deadline = parse_iso8601(trim(f[*c_deadline]));
        } catch (const InputError& e) {
          throw lines.error(std::string("deadline: ") + e.what());
        }
      }
    }
    if (c_user) j.user = std::string(trim(f[*c_user]));
    trace.jobs.push_back(std::move(j));
  }
  trace.relative_times = relative;
  finish(trace);
  return trace;
}

std::uint32_t peak_recorded_cores(const Trace& trace) {
  std::vector<std::pair<TimePoint, long long>> events;
  for (const TraceJob& j : trace.jobs) {
    if (!j.recorded_start) continue;
    events.emplace_back(*j.recorded_start, static_cast<long long>(j.cores));
    events.emplace_back(*j.recorded_start + j.runtime, -static_cast<long long>(j.cores));
  }
  if (events.empty()) return 0;
  std::sort(events.begin(), events.end());  // ends (negative) before starts at the same time
  // Time spent at each level of use. Logs have a few overlaps that no machine could run
  // (clock steps, accounting errors), so take the level exceeded only 0.1% of the time.
  std::map<long long, double> time_at;
  long long level = 0;
  double total = 0;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    level += events[i].second;
    double dt = static_cast<double>((events[i + 1].first - events[i].first).count());
    if (dt <= 0) continue;
    time_at[level] += dt;
    total += dt;
  }
  double above = 0;
  for (auto it = time_at.rbegin(); it != time_at.rend(); ++it) {
    above += it->second;
    if (above > 0.001 * total)
      return static_cast<std::uint32_t>(std::clamp<long long>(it->first, 1, 100000000));
  }
  return static_cast<std::uint32_t>(std::max<long long>(time_at.begin()->first, 1));
}

// --- dispatch ----------------------------------------------------------------------------

Trace read_trace(const std::string& path, const TraceReadOptions& options) {
  std::string text = read_text_file(path);
  TraceFormat format = options.format;
  if (format == TraceFormat::automatic) {
    std::string_view t = trim(text);
    std::size_t nl = t.find('\n');
    std::string_view first = t.substr(0, nl);
    if (!t.empty() && t.front() == '{')
      format = TraceFormat::sacct_json;
    else if (!t.empty() && t.front() == ';')
      format = TraceFormat::swf;
    else if (first.find('|') != std::string_view::npos)
      format = TraceFormat::sacct_pipe;
    else if (first.find(',') != std::string_view::npos)
      format = TraceFormat::csv;
    else
      format = TraceFormat::swf;
  }
  switch (format) {
    case TraceFormat::swf:
      return parse_swf(text, path);
    case TraceFormat::sacct_json:
      return parse_sacct_json_trace(text, path);
    case TraceFormat::sacct_pipe:
      return parse_sacct_pipe(text, path);
    case TraceFormat::csv:
    case TraceFormat::automatic:
      break;
  }
  return parse_simple_csv(text, path, options.csv_time_unit_seconds);
}

}  // namespace ebb::replay
