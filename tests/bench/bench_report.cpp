// SPDX-License-Identifier: GPL-2.0-or-later
// Benchmark: `ebb report` over a million job records. It writes a synthetic
// `sacct --json` answer (each job in the shape Slurm 22.05 writes, as in
// tests/data/sacct/jobs.json, without the indentation: about 3 kB a job; 90 % carrying an
// ebb plan record, 40 % deferred by up to 12 h, 20 accounts, 300 users, a year of starts),
// a year of hourly actuals and an empty ebb.conf, then runs the real `ebb` binary on them
// `runs` times and prints each run's wall time and peak memory (the child's maxrss, what
// /usr/bin/time -v calls "Maximum resident set size") and their medians. Target: <= 10 s
// and <= 1 GB. Not a timed test: the figures go in the README.
//
// Usage: bench_report [jobs, default 1000000] [runs, default 3] [folder to keep the files in]
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "ebb/plan_record.hpp"
#include "ebb/time.hpp"

extern char** environ;

namespace {

using namespace ebb;

const TimePoint kYear{seconds{1767225600}};  // 2026-01-01T00:00Z

// Intensity and price of an hour: a daily wave and a weekly drift, as grids have.
double carbon_at(std::int64_t hour) {
  return 300 + 120 * std::sin(static_cast<double>(hour % 24) / 24 * 6.2832) +
         40 * std::sin(static_cast<double>(hour) / 168 * 6.2832);
}
double price_at(std::int64_t hour) { return 60 + carbon_at(hour) / 10; }

void write_history(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  std::fprintf(f, "# ebbd history: UTC hour, mean carbon intensity (g/kWh), mean price\n");
  for (std::int64_t h = 0; h < 366 * 24; ++h)
    std::fprintf(f, "%s,%.3f,%.3f\n", format_utc(kYear + hours(h)).c_str(), carbon_at(h),
                 price_at(h));
  std::fclose(f);
}

void write_sacct(const std::string& path, std::size_t jobs) {
  FILE* f = std::fopen(path.c_str(), "w");
  std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
  std::fprintf(f,
               "{\"meta\":{\"plugin\":{\"type\":\"openapi/dbv0.0.38\",\"name\":\"Slurm OpenAPI DB "
               "v0.0.38\"},\"Slurm\":{\"version\":{\"major\":22,\"micro\":8,\"minor\":5},"
               "\"release\":\"22.05.8\"}},\"errors\":[],\"jobs\":[");
  std::mt19937_64 rng(9);
  const char* partitions[] = {"cpu", "gpu", "bigmem"};
  std::vector<char> buf(16384);
  for (std::size_t i = 0; i < jobs; ++i) {
    const std::int64_t id = static_cast<std::int64_t>(i) + 1000;
    const auto submit = kYear + seconds{static_cast<std::int64_t>(rng() % (364 * 86400))};
    const bool planned = rng() % 10 != 0, deferred = planned && rng() % 10 < 4;
    const auto start = submit + seconds{deferred ? static_cast<std::int64_t>(rng() % 43200) : 30};
    const std::int64_t run = 60 + static_cast<std::int64_t>(rng() % 86400);
    const auto end = start + seconds{run};
    const unsigned cpus = 1u << (rng() % 7), account = static_cast<unsigned>(rng() % 20),
                   user = static_cast<unsigned>(rng() % 300);
    const char* partition = partitions[rng() % 3];
    std::string comment = "null";
    if (planned) {
      PlanRecord p;
      p.asked = submit;
      p.planned = start - seconds{30};
      p.deadline = submit + hours(36);
      p.latest_start = *p.deadline - seconds{run};
      p.carbon_price = 100;
      p.currency = "EUR";
      p.kwh = cpus * 0.018 * static_cast<double>(run) / 3600;
      const std::int64_t ha = submit.time_since_epoch().count() / 3600 - 491;
      p.carbon_asked = carbon_at(ha);
      p.carbon_planned = carbon_at(ha + (start - submit).count() / 3600);
      p.price_asked = price_at(ha);
      p.price_planned = price_at(ha + (start - submit).count() / 3600);
      p.version = "0.1.0";
      comment = "\"" + encode_plan_record(p) + "\"";
    }
    const long long s = submit.time_since_epoch().count(), st = start.time_since_epoch().count(),
                    e = end.time_since_epoch().count();
    const int n = std::snprintf(
        buf.data(), buf.size(),
        "%s{\"account\":\"acct%02u\",\"comment\":{\"administrator\":%s,\"job\":null,\"system\":"
        "null},\"allocation_nodes\":1,\"array\":{\"job_id\":0,\"limits\":{\"max\":{\"running\":"
        "{\"tasks\":0}}},\"task\":null,\"task_id\":null},\"association\":{\"account\":\"acct%02u\","
        "\"cluster\":\"bench\",\"partition\":null,\"user\":\"user%03u\"},\"cluster\":\"bench\","
        "\"constraints\":\"\",\"container\":null,\"derived_exit_code\":{\"status\":\"SUCCESS\","
        "\"return_code\":0},\"time\":{\"elapsed\":%lld,\"eligible\":%lld,\"end\":%lld,\"start\":"
        "%lld,\"submission\":%lld,\"suspended\":0,\"system\":{\"seconds\":0,\"microseconds\":0},"
        "\"limit\":1440,\"total\":{\"seconds\":0,\"microseconds\":0},\"user\":{\"seconds\":0,"
        "\"microseconds\":0}},\"exit_code\":{\"status\":\"SUCCESS\",\"return_code\":0},\"flags\":"
        "[\"CLEAR_SCHEDULING\",\"STARTED_ON_SCHEDULE\"],\"group\":\"users\",\"het\":{\"job_id\":0,"
        "\"job_offset\":null},\"job_id\":%lld,\"name\":\"job%lld\",\"mcs\":{\"label\":\"\"},"
        "\"nodes\":\"node%03u\",\"partition\":\"%s\",\"priority\":4294901759,\"qos\":\"normal\","
        "\"required\":{\"CPUs\":%u,\"memory\":0},\"kill_request_user\":null,\"reservation\":{"
        "\"id\":0,\"name\":0},\"state\":{\"current\":\"COMPLETED\",\"reason\":\"None\"},\"steps\":"
        "[{\"nodes\":{\"list\":[\"node%03u\"],\"count\":1,\"range\":\"node%03u\"},\"tres\":{"
        "\"requested\":{\"max\":[],\"min\":[],\"average\":[{\"type\":\"energy\",\"name\":null,"
        "\"id\":3,\"count\":0}],\"total\":[{\"type\":\"energy\",\"name\":null,\"id\":3,\"count\":0}"
        "]}"
        ",\"consumed\":{\"max\":[],\"min\":[],\"average\":[{\"type\":\"energy\",\"name\":null,"
        "\"id\":"
        "3,\"count\":0}],\"total\":[{\"type\":\"energy\",\"name\":null,\"id\":3,\"count\":0}]},"
        "\"allocated\":[{\"type\":\"cpu\",\"name\":null,\"id\":1,\"count\":%u},{\"type\":\"mem\","
        "\"name\":null,\"id\":2,\"count\":%u},{\"type\":\"node\",\"name\":null,\"id\":4,\"count\":"
        "1}"
        "]},\"time\":{\"elapsed\":%lld,\"end\":%lld,\"start\":%lld,\"suspended\":0,\"system\":{"
        "\"seconds\":0,\"microseconds\":8534},\"total\":{\"seconds\":0,\"microseconds\":17068},"
        "\"user\":{\"seconds\":0,\"microseconds\":8534}},\"exit_code\":{\"status\":\"SUCCESS\","
        "\"return_code\":0},\"tasks\":{\"count\":1},\"pid\":null,\"CPU\":{\"requested_frequency\":{"
        "\"min\":0,\"max\":0},\"governor\":[]},\"kill_request_user\":null,\"state\":\"COMPLETED\","
        "\"statistics\":{\"CPU\":{\"actual_frequency\":0},\"energy\":{\"consumed\":0}},\"step\":{"
        "\"job_id\":%lld,\"het\":{\"component\":null},\"id\":\"batch\",\"name\":\"batch\"},"
        "\"task\":"
        "{\"distribution\":\"Unknown\"}}],\"tres\":{\"allocated\":[{\"type\":\"cpu\",\"name\":null,"
        "\"id\":1,\"count\":%u},{\"type\":\"energy\",\"name\":null,\"id\":3,\"count\":null},{"
        "\"type\":\"mem\",\"name\":null,\"id\":2,\"count\":%u},{\"type\":\"node\",\"name\":null,"
        "\"id\":4,\"count\":1},{\"type\":\"billing\",\"name\":null,\"id\":5,\"count\":%u}],"
        "\"requested\":[{\"type\":\"cpu\",\"name\":null,\"id\":1,\"count\":%u},{\"type\":\"mem\","
        "\"name\":null,\"id\":2,\"count\":%u},{\"type\":\"node\",\"name\":null,\"id\":4,\"count\":"
        "1}"
        ",{\"type\":\"billing\",\"name\":null,\"id\":5,\"count\":%u}]},\"user\":\"user%03u\","
        "\"wckey\":{\"wckey\":\"\",\"flags\":[]},\"working_directory\":\"/home/user%03u\"}",
        i ? "," : "", account, comment.c_str(), account, user, static_cast<long long>(run), s, e,
        st, s, static_cast<long long>(id), static_cast<long long>(id), user % 64, partition, cpus,
        user % 64, user % 64, cpus, cpus * 2000, static_cast<long long>(run), e, st,
        static_cast<long long>(id), cpus, cpus * 2000, cpus, cpus, cpus * 2000, cpus, user, user);
    std::fwrite(buf.data(), 1, static_cast<std::size_t>(n), f);
  }
  std::fprintf(f, "]}\n");
  std::fclose(f);
}

struct Measured {
  double seconds = 0, peak_mb = 0;
  int status = 0;
};

Measured run(const std::vector<std::string>& args) {
  std::vector<char*> av;
  for (const auto& a : args) av.push_back(const_cast<char*>(a.c_str()));
  av.push_back(nullptr);
  const auto t0 = std::chrono::steady_clock::now();
  pid_t pid = -1;
  Measured m;
  if (::posix_spawn(&pid, av[0], nullptr, nullptr, av.data(), environ) != 0) {
    m.status = -1;
    return m;
  }
  struct rusage ru {};
  int status = 0;
  ::wait4(pid, &status, 0, &ru);
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  m.peak_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;
  m.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return m;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t jobs = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  const bool keep = argc > 3;
  std::string dir = keep ? argv[3] : std::string();
  if (!keep) {
    std::string tmpl = std::filesystem::temp_directory_path() / "ebb-bench-report-XXXXXX";
    dir = ::mkdtemp(tmpl.data());
  }
  std::filesystem::create_directories(dir);
  const auto t0 = std::chrono::steady_clock::now();
  write_sacct(dir + "/sacct.json", jobs);
  write_history(dir + "/region.history");
  if (FILE* f = std::fopen((dir + "/ebb.conf").c_str(), "w")) std::fclose(f);
  std::printf("bench_report: %zu jobs, %.0f MB of sacct JSON written in %.1f s to %s\n", jobs,
              static_cast<double>(std::filesystem::file_size(dir + "/sacct.json")) / 1e6,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
              dir.c_str());
  const std::vector<std::string> args{EBB_CLI_PATH,   "report",
                                      "--from",       "2026-01-01",
                                      "--to",         "2027-01-01",
                                      "--by",         "account",
                                      "--format",     "html",
                                      "-o",           dir + "/report.html",
                                      "-c",           dir + "/ebb.conf",
                                      "--actuals",    dir + "/region.history",
                                      "--sacct-json", dir + "/sacct.json"};
  std::printf("bench_report: /usr/bin/time -v");
  for (const auto& a : args) std::printf(" %s", a.c_str());
  std::printf("\n");
  std::fflush(stdout);
  std::vector<double> secs, mbs;
  int failed = 0;
  for (int i = 0; i < runs; ++i) {
    const Measured m = run(args);
    if (m.status != 0) ++failed;
    std::printf("bench_report: run %d: %.2f s, peak %.0f MB, exit %d\n", i + 1, m.seconds,
                m.peak_mb, m.status);
    std::fflush(stdout);
    secs.push_back(m.seconds);
    mbs.push_back(m.peak_mb);
  }
  std::printf("bench_report: median of %d: %.2f s, peak memory %.0f MB (targets: 10 s, 1024 MB)\n",
              runs, median(secs), median(mbs));
  if (!keep) std::filesystem::remove_all(dir);
  return failed ? 1 : 0;
}
