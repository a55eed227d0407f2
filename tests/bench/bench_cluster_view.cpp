// SPDX-License-Identifier: GPL-2.0-or-later
// The cost of one cluster-view refresh in ebbd with a large queue: reading a
// synthetic `squeue --json` answer of N jobs through a pipe (run_command on `cat`, as
// ebbd reads squeue), parsing it, reconciling 500 bookings and rebuilding the partitions'
// loads; then one capacity-aware plan against that view. The jobs are copies of the
// records Slurm 22.05 printed on the test cluster (tests/data/slurm/squeue_22.05.json),
// with ids, users, partitions, CPUs and times varied. CPU time of this process, median
// of the runs. Target: <= 200 ms per refresh at 20,000 jobs.
// Usage: bench_cluster_view [jobs, default 20000] [runs, default 7]
#include <simdjson.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cluster_state.hpp"
#include "cluster_view.hpp"

#ifndef EBB_SLURM_DATA_DIR
#define EBB_SLURM_DATA_DIR "tests/data/slurm"
#endif

using namespace ebb;
using namespace ebb::daemon;

namespace {

double cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 20000;
  const int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 7;
  std::ifstream in(EBB_SLURM_DATA_DIR "/squeue_22.05.json");
  if (!in) {
    std::fprintf(stderr, "cannot read %s/squeue_22.05.json\n", EBB_SLURM_DATA_DIR);
    return 1;
  }
  const nlohmann::json recorded = nlohmann::json::parse(in);
  nlohmann::json running, waiting;
  for (const auto& j : recorded["jobs"]) {
    if (j["job_state"] == "RUNNING") running = j;
    if (j["job_state"] == "PENDING" && j["state_reason"] == "BeginTime" &&
        j["array_task_string"] == "")
      waiting = j;
  }
  const TimePoint now = now_utc();
  const std::int64_t t = now.time_since_epoch().count();
  nlohmann::json doc = recorded;
  doc["jobs"] = nlohmann::json::array();
  for (int i = 0; i < n; ++i) {
    nlohmann::json j = i % 4 == 0 ? running : waiting;
    j["job_id"] = 1000 + i;
    j["user_name"] = "user" + std::to_string(i % 100);
    j["partition"] = "part" + std::to_string((i / 4) % 4);
    j["cpus"] = 1 + i % 32;
    j["time_limit"] = 30 + i % 600;
    if (i % 4 == 0) {
      j["start_time"] = t - (i % 3600);
    } else {
      // Half wait for CPUs now, half for a begin time ebb (or a user) chose.
      j["eligible_time"] = i % 2 ? t - 60 : t + (i % 86400);
    }
    doc["jobs"].push_back(std::move(j));
  }
  const std::string json = doc.dump(2);  // squeue indents its output
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("ebb-bench-squeue-" + std::to_string(::getpid()) + ".json"))
                               .string();
  std::ofstream(path) << json;

  Config config;
  DaemonSettings settings;
  Metrics metrics;
  ClusterState state(config, settings, metrics);
  simdjson::dom::parser parser;
  ClusterView base;
  for (int p = 0; p < 4; ++p) base.partitions["part" + std::to_string(p)].cpus = 4096;
  base.default_partition = "part0";

  SignalSeries forecast;
  {
    std::vector<Slot> slots;
    for (int h = 0; h < 48; ++h) {
      Slot s;
      s.start = std::chrono::floor<hours>(now) + hours(h);
      s.end = s.start + hours(1);
      s.carbon = 200 + 100 * ((h * 7) % 5);
      slots.push_back(s);
    }
    forecast = SignalSeries(std::move(slots), "bench");
  }
  PlanRequest request;
  request.now = now;
  request.deadline = now + hours(24);
  request.time_limit = hours(2);
  request.power_watts = 200;
  JobRequest job;
  job.partition = "part0";
  job.time_limit = request.time_limit;
  job.cpus_per_task = 8;

  std::vector<double> read_s, parse_s, install_s, plan_s;
  std::string out;  // as ebbd keeps it between refreshes
  for (int r = 0; r < runs; ++r) {
    double c0 = cpu_seconds();
    run_command({"cat", path}, std::chrono::seconds(30), std::size_t{1} << 30, out);
    double c1 = cpu_seconds();
    ClusterView view = base;
    view.taken_at = now;
    view.jobs = parse_squeue_json(out, "squeue --json", parser);
    double c2 = cpu_seconds();
    state.install(std::move(view), now);
    double c3 = cpu_seconds();
    for (int k = 0; k < 500; ++k) state.plan(request, job, forecast, config.policy);  // bookings
    double c4 = cpu_seconds();
    read_s.push_back(c1 - c0);
    parse_s.push_back(c2 - c1);
    install_s.push_back(c3 - c2);
    plan_s.push_back((c4 - c3) / 500);
  }
  std::filesystem::remove(path);
  const double total = median(read_s) + median(parse_s) + median(install_s);
  std::printf("cluster view refresh, %d jobs (%.1f MB of squeue --json), median of %d runs:\n", n,
              static_cast<double>(json.size()) / 1e6, runs);
  std::printf("  read through a pipe  %8.1f ms CPU\n", median(read_s) * 1e3);
  std::printf("  parse                %8.1f ms CPU\n", median(parse_s) * 1e3);
  std::printf("  reconcile + loads    %8.1f ms CPU (with 500 bookings)\n", median(install_s) * 1e3);
  std::printf("  one refresh          %8.1f ms CPU (target <= 200)\n", total * 1e3);
  std::printf("  one plan             %8.3f ms CPU (forbidden starts + plan + booking)\n",
              median(plan_s) * 1e3);
  return 0;
}
