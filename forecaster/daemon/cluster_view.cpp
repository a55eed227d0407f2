// SPDX-License-Identifier: GPL-2.0-or-later
#include "cluster_view.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include "ebb/config.hpp"
#include "ebb/error.hpp"

extern char** environ;

namespace ebb::daemon {
namespace {

using simdjson::dom::element;

[[noreturn]] void bad_field(const std::string& command, const std::string& job,
                            std::string_view field, const std::string& what) {
  throw InputError(command + ": job " + job + ": field '" + std::string(field) + "': " + what);
}

std::int64_t integer(element e, const std::string& command, const std::string& job,
                     std::string_view field) {
  auto v = e.get_int64();
  if (v.error()) {
    auto u = e.get_uint64();  // Slurm's NO_VAL/INFINITE are large unsigned numbers
    if (u.error()) bad_field(command, job, field, "expected a whole number");
    return u.value() > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX
                                                             : static_cast<std::int64_t>(u.value());
  }
  return v.value();
}

std::string_view text(element e, const std::string& command, const std::string& job,
                      std::string_view field) {
  auto s = e.get_string();
  if (s.error()) bad_field(command, job, field, "expected a string");
  return s.value();
}

// Tasks in an array expression "1-100%5" or "1,3,7-9" (the "%N" limit ignored).
std::int64_t array_tasks(std::string_view expr) {
  if (auto pct = expr.find('%'); pct != std::string_view::npos) expr = expr.substr(0, pct);
  std::int64_t total = 0;
  while (!expr.empty()) {
    auto comma = expr.find(',');
    std::string_view part = expr.substr(0, comma);
    expr = comma == std::string_view::npos ? std::string_view{} : expr.substr(comma + 1);
    std::int64_t a = 0, b = 0, step = 1;
    auto dash = part.find('-');
    auto colon = part.find(':');
    std::from_chars(part.data(), part.data() + part.size(), a);
    b = a;
    if (dash != std::string_view::npos) {
      std::string_view hi = part.substr(
          dash + 1, colon == std::string_view::npos ? std::string_view::npos : colon - dash - 1);
      std::from_chars(hi.data(), hi.data() + hi.size(), b);
    }
    if (colon != std::string_view::npos) {
      std::string_view s = part.substr(colon + 1);
      std::from_chars(s.data(), s.data() + s.size(), step);
      if (step <= 0) step = 1;
    }
    if (b >= a) total += (b - a) / step + 1;
  }
  return std::max<std::int64_t>(total, 1);
}

// Slurm's partition times: "UNLIMITED", "NONE", "[D-]HH:MM:SS".
std::optional<Duration> partition_time(std::string_view value, const std::string& where) {
  if (value == "UNLIMITED" || value == "NONE" || value == "INFINITE") return std::nullopt;
  return parse_slurm_duration(value, where);
}

}  // namespace

std::vector<ViewJob> parse_squeue_json(const std::string& json, const std::string& command,
                                       simdjson::dom::parser& parser) {
  element root;
  if (auto err = parser.parse(json).get(root)) {
    throw InputError(command + ": not valid JSON: " + simdjson::error_message(err));
  }
  simdjson::dom::array jobs;
  if (root["jobs"].get_array().get(jobs)) {
    throw InputError(command + ": field 'jobs': missing or not an array");
  }
  std::vector<ViewJob> out;
  out.reserve(jobs.size());
  std::size_t index = 0;
  for (element item : jobs) {
    ++index;
    simdjson::dom::object o;
    std::string name = "#" + std::to_string(index);
    if (item.get_object().get(o)) bad_field(command, name, "jobs", "expected objects");
    // One pass over the fields: a 22.05 job has about 110 of them.
    std::optional<std::int64_t> id, cpus, start, eligible, limit;
    bool limit_null = false;
    std::string_view state, user, partition, reason, array_tasks_text, admin_comment;
    element id_value, cpus_value, start_value, eligible_value, limit_value;
    bool has_state = false, has_user = false, has_partition = false;
    for (auto [key, value] : o) {
      if (key == "job_id") {
        id_value = value;
        id = 0;
      } else if (key == "job_state") {
        state = text(value, command, name, key);
        has_state = true;
      } else if (key == "user_name") {
        if (!value.is_null()) user = text(value, command, name, key);
        has_user = true;
      } else if (key == "partition") {
        partition = text(value, command, name, key);
        has_partition = true;
      } else if (key == "cpus") {
        cpus_value = value;
        cpus = 0;
      } else if (key == "start_time") {
        start_value = value;
        start = 0;
      } else if (key == "eligible_time") {
        eligible_value = value;
        eligible = 0;
      } else if (key == "time_limit") {
        if (value.is_null())
          limit_null = true;
        else {
          limit_value = value;
          limit = 0;
        }
      } else if (key == "state_reason") {
        if (!value.is_null()) reason = text(value, command, name, key);
      } else if (key == "admin_comment") {
        if (!value.is_null()) admin_comment = text(value, command, name, key);
      } else if (key == "array_task_string") {
        if (!value.is_null()) array_tasks_text = text(value, command, name, key);
      }
    }
    if (!id) bad_field(command, name, "job_id", "missing");
    name = std::to_string(integer(id_value, command, name, "job_id"));
    if (!has_state) bad_field(command, name, "job_state", "missing");
    if (!has_partition) bad_field(command, name, "partition", "missing");
    if (!has_user) bad_field(command, name, "user_name", "missing");
    if (!cpus) bad_field(command, name, "cpus", "missing");
    if (!limit && !limit_null) bad_field(command, name, "time_limit", "missing");

    ViewJob job;
    if (state == "RUNNING" || state == "CONFIGURING" || state == "COMPLETING") {
      job.state = QueuedJob::State::running;
      if (!start) bad_field(command, name, "start_time", "missing");
      job.since = TimePoint{seconds{integer(start_value, command, name, "start_time")}};
    } else if (state == "PENDING") {
      // A held job runs only when someone releases it; it commits nothing until then.
      if (reason.starts_with("JobHeld")) continue;
      job.state = QueuedJob::State::pending;
      if (!eligible) bad_field(command, name, "eligible_time", "missing");
      job.since = TimePoint{seconds{integer(eligible_value, command, name, "eligible_time")}};
    } else {
      continue;  // finished, suspended, ...: holds no CPUs ahead
    }
    job.id = name;
    job.user = std::string(user);
    job.partition = std::string(partition.substr(0, partition.find(',')));
    job.admin_comment = std::string(admin_comment);
    const std::int64_t c = integer(cpus_value, command, name, "cpus");
    if (c < 0 || c > 100'000'000) bad_field(command, name, "cpus", "out of range");
    job.cpus = static_cast<double>(c);
    if (job.state == QueuedJob::State::pending && !array_tasks_text.empty()) {
      job.id += "_[" + std::string(array_tasks_text) + "]";
      job.cpus *= static_cast<double>(array_tasks(array_tasks_text));
    }
    if (limit) {
      const std::int64_t minutes_limit = integer(limit_value, command, name, "time_limit");
      if (minutes_limit < 0) bad_field(command, name, "time_limit", "negative");
      // INFINITE (0xFFFFFFFF) and NO_VAL (0xFFFFFFFE) mean no limit.
      if (minutes_limit < 0xFFFFFFFEll) job.time_limit = Duration{minutes_limit * 60};
    }
    out.push_back(std::move(job));
  }
  return out;
}

void parse_scontrol_partitions(std::string_view all, const std::string& command,
                               ClusterView& view) {
  view.partitions.clear();
  view.default_partition.clear();
  std::size_t line_no = 0;
  while (!all.empty()) {
    const std::size_t nl = all.find('\n');
    std::string_view line = all.substr(0, nl);
    all = nl == std::string_view::npos ? std::string_view{} : all.substr(nl + 1);
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = command + ": line " + std::to_string(line_no);
    std::string name;
    PartitionInfo p;
    bool is_default = false, has_cpus = false;
    std::size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && line[i] == ' ') ++i;
      std::size_t end = line.find(' ', i);
      if (end == std::string_view::npos) end = line.size();
      std::string_view word = line.substr(i, end - i);
      i = end;
      const std::size_t eq = word.find('=');
      if (eq == std::string_view::npos) continue;  // e.g. a space inside a value
      std::string_view key = word.substr(0, eq), value = word.substr(eq + 1);
      try {
        if (key == "PartitionName") {
          name = std::string(value);
        } else if (key == "Default") {
          is_default = value == "YES";
        } else if (key == "DefaultTime") {
          p.default_time = partition_time(value, "DefaultTime");
        } else if (key == "MaxTime") {
          p.max_time = partition_time(value, "MaxTime");
        } else if (key == "TotalCPUs") {
          std::int64_t v = -1;
          auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
          if (ec != std::errc() || ptr != value.data() + value.size() || v < 0)
            throw InputError("TotalCPUs: not a number: '" + std::string(value) + "'");
          p.cpus = static_cast<double>(v);
          has_cpus = true;
        }
      } catch (const InputError& e) {
        throw InputError(where + ": field " + e.what());
      }
    }
    if (name.empty()) throw InputError(where + ": field PartitionName: missing");
    if (!has_cpus) throw InputError(where + ": field TotalCPUs: missing");
    if (is_default && view.default_partition.empty()) view.default_partition = name;
    view.partitions[name] = p;
  }
  if (view.partitions.empty()) throw InputError(command + ": no partitions listed");
}

std::vector<std::string> command_words(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t end = text.find(' ', i);
    if (end == std::string::npos) end = text.size();
    if (end > i) out.push_back(text.substr(i, end - i));
    i = end;
  }
  return out;
}

namespace {

// run_command's work: stdout into `out`, or, when `out_fd` >= 0, straight into that file
// (the child writes it; nothing passes through this process).
CommandResult run(const std::vector<std::string>& argv, std::chrono::milliseconds limit,
                  std::size_t max_bytes, std::string& out, int out_fd) {
  out.clear();
  if (argv.empty()) throw std::runtime_error("no command to run");
  int out_pipe[2] = {-1, -1}, err_pipe[2];
  if (out_fd < 0 && ::pipe2(out_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    if (out_fd < 0) {
      ::close(out_pipe[0]);
      ::close(out_pipe[1]);
    }
    throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd >= 0 ? out_fd : out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  // ebbd blocks SIGTERM/SIGINT in its threads (main.cpp); the child starts with none blocked.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (out_fd < 0) ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    if (out_fd < 0) ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(rc));
  }

  CommandResult r;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&out, &r.err};
  int open = out_fd < 0 ? 2 : 1;  // poll ignores a negative fd
  bool killed = false;
  char buf[1 << 16];
  while (open > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || out.size() + r.err.size() > max_bytes) {
      r.timed_out = left.count() <= 0;
      r.too_large = !r.timed_out;
      ::kill(pid, SIGKILL);
      killed = true;
      break;
    }
    const int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) {
      ::kill(pid, SIGKILL);
      killed = true;
      break;
    }
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t got = ::read(fds[k].fd, buf, sizeof buf);
      if (got > 0) {
        sinks[k]->append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        ::close(fds[k].fd);
        fds[k].fd = -1;
        --open;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) ::close(f.fd);
  int status = 0;
  rusage usage{};
  while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  r.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                  static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  r.exit_code = !killed && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  out.reserve(out.size() + simdjson::SIMDJSON_PADDING);  // parse_squeue_json parses it in place
  return r;
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds limit,
                          std::size_t max_bytes, std::string& out) {
  return run(argv, limit, max_bytes, out, -1);
}

CommandResult run_command_to_file(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds limit, int out_fd) {
  std::string unused;
  return run(argv, limit, std::size_t{1} << 20, unused, out_fd);
}

}  // namespace ebb::daemon
