// SPDX-License-Identifier: GPL-2.0-or-later
#include "support.hpp"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "ebb/forecast_file.hpp"

namespace ebb::test {

Cluster& cluster() {
  static std::unique_ptr<Cluster> shared;
  if (!shared) shared = std::make_unique<Cluster>();
  shared->cancel_all();
  shared->write_plugstack(true);
  return *shared;
}

TimePoint this_hour() { return std::chrono::floor<std::chrono::hours>(now_utc()); }

SignalSeries hourly(TimePoint first, const std::vector<double>& carbon,
                    const std::vector<double>& price) {
  std::vector<Slot> slots;
  for (std::size_t i = 0; i < carbon.size(); ++i) {
    Slot s;
    s.start = first + hours(static_cast<long>(i));
    s.end = s.start + hours(1);
    s.carbon = carbon[i];
    if (!price.empty()) s.price = price.at(i);
    slots.push_back(s);
  }
  return SignalSeries(std::move(slots), "test forecast");
}

void write_forecast(const Cluster& c, const SignalSeries& series) {
  std::ofstream out(c.forecast_file(), std::ios::trunc);
  out << to_forecast_csv(series);
  if (!out) throw std::runtime_error("cannot write " + c.forecast_file());
}

std::string ebb_conf_text(const Cluster& c, const std::string& extra) {
  return "ForecastFile=" + c.forecast_file() + "\n" + extra + (extra.empty() ? "" : "\n");
}

TimePoint from_slurm_local(const std::string& text) {
  std::tm tm{};
  if (!strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) {
    throw std::runtime_error("not a Slurm time: '" + text + "'");
  }
  tm.tm_isdst = -1;
  return TimePoint{seconds{std::mktime(&tm)}};
}

std::string to_slurm_local(TimePoint t) { return format_local_slurm(t); }

Decision expected_plan(const Cluster& c, PlanRequest request, std::optional<Objective> objective) {
  Config config = load_config(c.ebb_conf());
  if (objective) config.policy.objective = *objective;
  JobRequest job;
  job.time_limit = request.time_limit;
  if (request.power_watts == 0) request.power_watts = config.partition("").power.watts(job);
  return plan(request, read_forecast_file(config.forecast_file), config.policy);
}

std::vector<std::string> ebb_lines(const std::string& text) {
  std::vector<std::string> out;
  for (const std::string& line : lines(text)) {
    if (line.rfind("ebb:", 0) == 0) out.push_back(line);
  }
  return out;
}

Submission sbatch(const Cluster& c, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"sbatch"};
  argv.insert(argv.end(), args.begin(), args.end());
  Submission s;
  s.result = c.command(argv);
  s.job_id = submitted_job_id(s.result.out);
  s.ebb_lines = ebb_lines(s.result.err);
  return s;
}

bool has_line(const Submission& s, const std::string& what) {
  for (const auto& l : s.ebb_lines)
    if (l.find(what) != std::string::npos) return true;
  return false;
}

void write_file(const std::string& path, const std::string& text) {
  {
    std::ofstream out(path + ".new", std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path);
  }
  std::filesystem::rename(path + ".new", path);
}

}  // namespace ebb::test
