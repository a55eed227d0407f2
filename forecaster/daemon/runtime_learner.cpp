// SPDX-License-Identifier: GPL-2.0-or-later
#include "runtime_learner.hpp"

#include <charconv>
#include <stdexcept>
#include <vector>

#include "cache.hpp"
#include "cluster_view.hpp"
#include "ebb/error.hpp"
#include "ebb/number_text.hpp"
#include "ebb/record_file.hpp"
#include "log.hpp"
#include "power_history.hpp"

namespace ebb::daemon {

namespace {

constexpr std::size_t kFields = 9;
constexpr std::size_t kMaxAnswer = std::size_t{1} << 30;
// Reads overlap by this much, so that a job whose end slurmdbd records a little late is
// not missed; `seen_` keeps it from being learned twice.
constexpr std::int64_t kOverlap = 600;

std::int64_t epoch(TimePoint t) { return t.time_since_epoch().count(); }

std::optional<std::int64_t> whole(std::string_view v) {
  std::int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc{} || p != v.data() + v.size()) return std::nullopt;
  return out;
}

}  // namespace

std::optional<AccountedJob> parse_sacct_line(std::string_view line, const std::string& where) {
  std::vector<std::string_view> f;
  for (std::size_t at = 0;;) {
    const std::size_t bar = line.find('|', at);
    f.push_back(line.substr(at, bar == std::string_view::npos ? std::string_view::npos : bar - at));
    if (bar == std::string_view::npos) break;
    at = bar + 1;
  }
  // A job name may contain '|': the fields after it are counted from the end.
  if (f.size() < kFields)
    throw InputError(where + ": expected " + std::to_string(kFields) + " fields separated by '|'");
  const std::size_t extra = f.size() - kFields;
  std::string name;
  for (std::size_t i = 2; i <= 2 + extra; ++i) name += (i > 2 ? "|" : "") + std::string(f[i]);
  auto field = [&](std::size_t i) { return f[i <= 2 ? i : i + extra]; };

  AccountedJob job;
  job.id = std::string(field(0));
  job.user = std::string(field(1));
  job.name = name;
  job.account = std::string(field(3));
  std::string_view partition = field(4);
  job.partition = std::string(partition.substr(0, partition.find(',')));
  const auto cpus = whole(field(5));
  if (!cpus || *cpus < 0 || *cpus > 100000000)
    throw InputError(where + ": AllocCPUS is not a count: '" + std::string(field(5)) + "'");
  const auto limit = whole(field(6));  // minutes; "UNLIMITED", "Partition_Limit": none
  const auto elapsed = whole(field(7));
  if (!elapsed || *elapsed < 0)
    throw InputError(where + ": ElapsedRaw is not a number of seconds: '" + std::string(field(7)) +
                     "'");
  const auto end = whole(field(8));
  if (!end)
    throw InputError(where + ": End is not epoch seconds (SLURM_TIME_FORMAT=%s): '" +
                     std::string(field(8)) + "'");
  if (!limit || *limit <= 0 || *elapsed == 0) return std::nullopt;
  job.resources.tasks = 1;
  job.resources.cpus_per_task = static_cast<std::uint32_t>(std::max<std::int64_t>(*cpus, 1));
  job.resources.partition = job.partition;
  job.resources.job_name = job.name;
  job.resources.user = job.user;
  job.resources.account = job.account;
  job.limit = minutes(*limit);
  job.resources.time_limit = *job.limit;
  job.elapsed = seconds(*elapsed);
  job.end = TimePoint{seconds{*end}};
  job.start = *job.end - job.elapsed;
  return job;
}

JobTraits traits_of(const AccountedJob& job) {
  JobTraits t;
  t.user = job.user;
  t.name = job.name;
  t.account = job.account;
  t.partition = job.partition;
  t.cpus = std::max<std::uint32_t>(job.resources.cores(), 1);
  t.limit = job.limit.value_or(Duration{0});
  return t;
}

RuntimeLearner::RuntimeLearner(LearnerSettings settings) : settings_(std::move(settings)) {
  if (settings_.model_path.empty()) return;
  try {
    if (auto text = read_file_if_present(settings_.model_path)) {
      predictor_ = RuntimePredictor::parse(*text, settings_.model_path);
      log_info("runtime history: " + std::to_string(predictor_.groups()) + " groups of jobs from " +
               settings_.model_path);
    }
  } catch (const std::exception& e) {
    log_warning(std::string("runtime history: ") + e.what() + "; learning afresh from sacct");
    predictor_ = RuntimePredictor{};
    return;
  }
  load_read_state();
}

// <model>.read: "ebb-learner-read 1", "read <epoch>", then "seen <end epoch> <job id>" for
// the jobs the next read's overlap will show again.
void RuntimeLearner::load_read_state() {
  const std::string path = settings_.model_path + ".read";
  try {
    const auto text = read_file_if_present(path);
    if (!text || predictor_.groups() == 0) return;  // no model: learn the whole window
    std::optional<TimePoint> read;
    std::set<std::pair<std::int64_t, std::string>> seen;
    auto record = [&](const std::vector<std::string_view>& w, const std::string& where,
                      std::string_view) {
      if (w[0] == "read" && w.size() == 2) {
        read = TimePoint{Duration{parse_integer(w[1], where)}};
      } else if (w[0] == "seen" && w.size() == 3) {
        seen.insert({parse_integer(w[1], where), std::string(w[2])});
      } else {
        throw InputError(where + ": unknown line");
      }
    };
    for_each_record_line(*text, path, "ebb-learner-read", "1", "an ebbd learner state", record);
    if (!read) throw InputError(path + ": no 'read' line");
    last_read_ = read;
    seen_ = std::move(seen);
  } catch (const std::exception& e) {
    log_warning(std::string("runtime history: ") + e.what() +
                "; the first read goes back AccountingDays and may count recent jobs again");
  }
}

std::string RuntimeLearner::read_state_text() const {
  std::string out = "ebb-learner-read 1\nread " + std::to_string(epoch(*last_read_)) + "\n";
  for (const auto& [end, id] : seen_) {
    if (end < epoch(*last_read_) - 2 * kOverlap) continue;  // no read reaches back so far
    if (id.find_first_of(" \n") != std::string::npos) continue;
    out += "seen " + std::to_string(end) + " " + id + "\n";
  }
  return out;
}

std::size_t RuntimeLearner::learn_text(std::string_view text, const std::string& source) {
  std::size_t learned = 0, line_no = 0;
  std::lock_guard lock(mutex_);
  while (!text.empty()) {
    const std::size_t nl = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, nl);
    text = text.substr(std::min(nl + 1, text.size()));
    ++line_no;
    if (line.empty()) continue;
    auto job = parse_sacct_line(line, source + " line " + std::to_string(line_no));
    if (!job) continue;
    if (!seen_.insert({epoch(*job->end), job->id}).second) continue;
    predictor_.learn(traits_of(*job), job->elapsed);
    ++learned;
  }
  return learned;
}

namespace {

// sacct with SLURM_TIME_FORMAT=%s and `args`, for what ended in the last `back` seconds.
// Throws std::runtime_error naming the command line when it fails.
std::string read_sacct(const LearnerSettings& settings, std::vector<std::string> args,
                       std::int64_t back) {
  std::vector<std::string> argv{"env", "SLURM_TIME_FORMAT=%s"};
  for (auto& w : command_words(settings.sacct_command)) argv.push_back(w);
  for (auto& a : args) argv.push_back(std::move(a));
  for (const char* a : {"-E", "now", "-S"}) argv.emplace_back(a);
  argv.push_back("now-" + std::to_string(back) + "seconds");
  std::string name;
  for (std::size_t i = 2; i < argv.size(); ++i) name += (name.empty() ? "" : " ") + argv[i];

  std::string out;
  const CommandResult r = run_command(argv, settings.timeout, kMaxAnswer, out);
  if (r.exit_code != 0) {
    const std::string err = r.err.substr(0, r.err.find('\n'));
    throw std::runtime_error(name +
                             (r.timed_out   ? " did not finish in time"
                              : r.too_large ? " printed too much"
                                            : " failed") +
                             (err.empty() ? "" : ": " + err));
  }
  return out;
}

}  // namespace

std::size_t RuntimeLearner::refresh(TimePoint now) {
  auto window = [&](const std::optional<TimePoint>& last) {
    return last ? std::max<std::int64_t>(epoch(now) - epoch(*last), 0) + kOverlap
                : std::int64_t{settings_.first_days} * 86400;
  };
  std::int64_t back = 0, energy_back = 0;
  {
    std::lock_guard lock(mutex_);
    back = window(last_read_);
    energy_back = window(last_energy_read_);
  }
  const std::string out = read_sacct(settings_,
                                     {"-X", "-P", "-n", "--allusers", "--state=CD,F,TO,OOM,NF",
                                      "--format=JobIDRaw,User,JobName,Account,Partition,"
                                      "AllocCPUS,TimelimitRaw,ElapsedRaw,End"},
                                     back);
  const std::size_t learned = learn_text(out, settings_.sacct_command);
  // The energy in the same window; its failure leaves the runtimes learned and the last
  // fits in place.
  std::string power_error;
  try {
    learn_energy_text(
        read_sacct(settings_, {"-P", "-n", "--allusers", "--state=CD,F,TO,OOM,NF", kEnergyFormat},
                   energy_back),
        settings_.sacct_command + " (energy)");
  } catch (const std::exception& e) {
    power_error = e.what();
  }
  std::string model, read_state;
  {
    std::lock_guard lock(mutex_);
    last_read_ = now;
    last_energy_read_ = now;
    power_error_ = power_error;
    // Forget ids older than a day: no later read reaches back that far.
    while (!seen_.empty() && seen_.begin()->first < epoch(now) - 86400) seen_.erase(seen_.begin());
    while (!measured_seen_.empty() && measured_seen_.begin()->first < epoch(now) - 86400)
      measured_seen_.erase(measured_seen_.begin());
    if (!settings_.model_path.empty()) {
      if (learned) model = predictor_.to_text();
      read_state = read_state_text();
    }
  }
  // The model first: a crash between the two leaves an older read time, and the next
  // read's jobs are then learned twice at worst, never missed.
  if (!model.empty()) write_file_atomically(settings_.model_path, model, 0600);
  if (!read_state.empty()) write_file_atomically(settings_.model_path + ".read", read_state, 0600);
  return learned;
}

std::size_t RuntimeLearner::learn_energy_text(std::string_view text, const std::string& source) {
  const std::vector<MeasuredJob> jobs = parse_sacct_energy(text, source);
  std::size_t added = 0;
  std::vector<PowerSample> all;
  {
    std::lock_guard lock(mutex_);
    for (const MeasuredJob& j : jobs) {
      if (!measured_seen_.insert({j.end, j.id}).second) continue;
      auto& kept = measured_[j.sample.partition];
      kept.push_back(j.sample);
      if (kept.size() > kPowerJobsKept) kept.pop_front();
      ++added;
    }
    if (!added) return 0;
    for (const auto& [partition, kept] : measured_) all.insert(all.end(), kept.begin(), kept.end());
  }
  // Fitted outside the lock: plans keep reading the previous fits meanwhile. Only the
  // accounting task learns, so no other fit can race this one.
  std::vector<PowerFit> fits = fit_power(all);
  std::lock_guard lock(mutex_);
  fits_ = std::move(fits);
  return added;
}

std::optional<PowerFit> RuntimeLearner::power_fit(const std::string& partition) const {
  std::lock_guard lock(mutex_);
  for (const PowerFit& f : fits_)
    if (f.partition == partition) return f;
  return std::nullopt;
}

std::vector<PowerFit> RuntimeLearner::power_fits() const {
  std::lock_guard lock(mutex_);
  return fits_;
}

std::string RuntimeLearner::power_error() const {
  std::lock_guard lock(mutex_);
  return power_error_;
}

RuntimePrediction RuntimeLearner::predict(const JobTraits& job) const {
  std::lock_guard lock(mutex_);
  return predictor_.predict(job);
}

std::size_t RuntimeLearner::groups() const {
  std::lock_guard lock(mutex_);
  return predictor_.groups();
}

}  // namespace ebb::daemon
