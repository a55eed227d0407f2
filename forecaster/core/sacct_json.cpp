// SPDX-License-Identifier: GPL-2.0-or-later
#include "ebb/sacct_json.hpp"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "ebb/error.hpp"
#include "ebb/posix.hpp"

namespace ebb {
namespace {

using simdjson::dom::element;

// --- one job -----------------------------------------------------------------------------

// Slurm's numbers: plain, or {"set":true,"infinite":false,"number":N}; nothing when unset,
// infinite, null or absent.
std::optional<std::int64_t> slurm_number(element e) {
  std::int64_t i = 0;
  if (e.get_int64().get(i) == simdjson::SUCCESS) return i;
  std::uint64_t u = 0;
  if (e.get_uint64().get(u) == simdjson::SUCCESS) return static_cast<std::int64_t>(u);
  double d = 0;
  if (e.get_double().get(d) == simdjson::SUCCESS) return static_cast<std::int64_t>(d);
  if (e.is_object()) {
    bool flag = false;
    if (e["set"].get_bool().get(flag) == simdjson::SUCCESS && !flag) return std::nullopt;
    if (e["infinite"].get_bool().get(flag) == simdjson::SUCCESS && flag) return std::nullopt;
    element n;
    if (e["number"].get(n) == simdjson::SUCCESS) return slurm_number(n);
  }
  return std::nullopt;
}

std::optional<std::int64_t> number_at(element e, std::string_view key) {
  element v;
  if (!e.is_object() || e[key].get(v) != simdjson::SUCCESS) return std::nullopt;
  return slurm_number(v);
}

std::string string_at(element e, std::string_view key) {
  std::string_view s;
  if (!e.is_object() || e[key].get_string().get(s) != simdjson::SUCCESS) return "";
  return std::string(s);
}

// The count of one TRES (type, and name for gres) in a list of {type, name, count}.
std::optional<std::int64_t> tres_count(element list, std::string_view type,
                                       std::string_view name = {}) {
  simdjson::dom::array items;
  if (list.get_array().get(items) != simdjson::SUCCESS) return std::nullopt;
  for (element t : items) {
    if (string_at(t, "type") != type) continue;
    if (!name.empty() && string_at(t, "name") != name) continue;
    return number_at(t, "count");
  }
  return std::nullopt;
}

std::string job_id_of(element job, std::int64_t id) {
  element array, het;
  if (job["array"].get(array) == simdjson::SUCCESS && number_at(array, "task_id") &&
      number_at(array, "job_id").value_or(0) != 0)
    return std::to_string(*number_at(array, "job_id")) + "_" +
           std::to_string(*number_at(array, "task_id"));
  if (job["het"].get(het) == simdjson::SUCCESS && number_at(het, "job_offset") &&
      number_at(het, "job_id").value_or(0) != 0)
    return std::to_string(*number_at(het, "job_id")) + "+" +
           std::to_string(*number_at(het, "job_offset"));
  return std::to_string(id);
}

// Energy the steps consumed (ConsumedEnergyRaw), in joules; nothing when no step reports
// any (no acct_gather_energy plugin).
std::optional<double> consumed_energy(element job) {
  simdjson::dom::array steps;
  if (job["steps"].get_array().get(steps) != simdjson::SUCCESS) return std::nullopt;
  double joules = 0;
  bool any = false;
  for (element step : steps) {
    element total;
    if (step.at_pointer("/tres/consumed/total").get(total) != simdjson::SUCCESS) continue;
    if (auto j = tres_count(total, "energy"); j && *j > 0) {
      joules += static_cast<double>(*j);
      any = true;
    }
  }
  if (!any) return std::nullopt;
  return joules;
}

std::uint32_t clamp32(std::int64_t v) {
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(v, 0, 100000000));
}

AccountedJob job_of(element j, const std::string& source, std::size_t index) {
  element time;
  const auto id = number_at(j, "job_id");
  if (!id || j["time"].get(time) != simdjson::SUCCESS || !number_at(time, "submission"))
    throw InputError(source + ": job " + std::to_string(index) +
                     " has no job_id or time.submission");
  AccountedJob a;
  a.id = job_id_of(j, *id);
  a.name = string_at(j, "name");
  a.user = string_at(j, "user");
  a.account = string_at(j, "account");
  a.partition = string_at(j, "partition");
  element state;
  if (j["state"].get(state) == simdjson::SUCCESS) a.state = string_at(state, "current");
  element comment;
  if (j["comment"].get(comment) == simdjson::SUCCESS)
    a.admin_comment = string_at(comment, "administrator");
  a.submit = TimePoint{seconds{*number_at(time, "submission")}};

  element alloc;
  const bool has_alloc =
      j.at_pointer("/tres/allocated").get(alloc) == simdjson::SUCCESS && alloc.is_array();
  const std::int64_t alloc_cpus = has_alloc ? tres_count(alloc, "cpu").value_or(0) : 0;
  // Slurm writes 0 for a start or end that has not happened, and for a job cancelled
  // while pending a start equal to the cancel time with nothing allocated. Old exports
  // without TRES lists are taken at their word.
  const bool ran = !has_alloc || alloc_cpus > 0;
  if (auto s = number_at(time, "start"); s && *s > 0 && ran) a.start = TimePoint{seconds{*s}};
  if (auto e = number_at(time, "end"); e && *e > 0 && a.start) a.end = TimePoint{seconds{*e}};
  if (a.start) {
    std::int64_t run = number_at(time, "elapsed").value_or(0);
    if (run <= 0 && a.end && *a.end > *a.start) run = (*a.end - *a.start).count();
    a.elapsed = Duration{std::max<std::int64_t>(run, 0)};
  }
  if (auto minutes = number_at(time, "limit"); minutes && *minutes > 0)
    a.limit = Duration{*minutes * 60};

  element required;
  const bool has_required = j["required"].get(required) == simdjson::SUCCESS;
  std::int64_t cpus = alloc_cpus;
  if (cpus <= 0 && has_required) cpus = number_at(required, "CPUs").value_or(0);
  JobRequest& r = a.resources;
  r.tasks = 1;
  r.cpus_per_task = clamp32(cpus);
  r.nodes = has_alloc ? clamp32(tres_count(alloc, "node").value_or(1)) : 1;
  r.gpus = has_alloc ? clamp32(tres_count(alloc, "gres", "gpu").value_or(0)) : 0;
  // Memory in MB: allocated, else required.memory (older), memory_per_cpu or
  // memory_per_node (newer).
  std::int64_t mb = has_alloc ? tres_count(alloc, "mem").value_or(0) : 0;
  if (mb <= 0 && has_required) {
    if (auto m = number_at(required, "memory"); m && *m > 0)
      mb = *m;
    else if (auto per_cpu = number_at(required, "memory_per_cpu"); per_cpu && *per_cpu > 0)
      mb = *per_cpu * cpus;
    else if (auto per_node = number_at(required, "memory_per_node"); per_node && *per_node > 0)
      mb = *per_node * r.nodes;
  }
  r.memory_gb = static_cast<double>(std::max<std::int64_t>(mb, 0)) / 1024.0;
  if (a.limit) r.time_limit = *a.limit;
  r.partition = a.partition;
  r.job_name = a.name;
  r.user = a.user;
  r.account = a.account;
  a.consumed_joules = consumed_energy(j);
  return a;
}

// --- cutting the text into jobs ----------------------------------------------------------

enum : unsigned char { kOther, kQuote, kOpen, kClose };
constexpr auto kKind = [] {
  std::array<unsigned char, 256> k{};
  k['"'] = kQuote;
  k['{'] = k['['] = kOpen;
  k['}'] = k[']'] = kClose;
  return k;
}();

// Just enough of JSON's grammar to find where each value ends; the jobs themselves are
// checked by simdjson, the rest (meta, errors) only for balance.
class Scanner {
 public:
  Scanner(std::string_view text, const std::string& source) : t_(text), source_(source) {}

  std::size_t pos() const { return p_; }
  [[noreturn]] void fail(const std::string& why) const {
    throw InputError(source_ + ": not valid JSON: " + why + " at byte " + std::to_string(p_));
  }
  char peek() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\n' || t_[p_] == '\r' || t_[p_] == '\t'))
      ++p_;
    if (p_ >= t_.size()) fail("it ends early");
    return t_[p_];
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++p_;
  }
  std::string_view string() {
    expect('"');
    const std::size_t from = p_;
    skip_string_rest();
    return t_.substr(from, p_ - 1 - from);
  }
  // Skips one value; returns it.
  std::string_view value() {
    const char c = peek();
    const std::size_t from = p_;
    if (c == '"') {
      ++p_;
      skip_string_rest();
    } else if (c == '{' || c == '[') {
      // The hot loop of a million-job report: a byte table, strings skipped in place.
      std::size_t depth = 0;
      const char* p = t_.data() + p_;
      const char* const end = t_.data() + t_.size();
      while (true) {
        if (p >= end) {
          p_ = t_.size();
          fail("it ends early");
        }
        const auto kind = kKind[static_cast<unsigned char>(*p++)];
        if (kind == kQuote) {
          while (p < end && *p != '"') p += *p == '\\' ? 2 : 1;
          ++p;
        } else if (kind == kOpen) {
          ++depth;
        } else if (kind == kClose && --depth == 0) {
          break;
        }
      }
      p_ = static_cast<std::size_t>(p - t_.data());
    } else {
      while (p_ < t_.size() && !std::strchr(",}] \n\r\t", t_[p_])) ++p_;
      if (p_ == from) fail("expected a value");
    }
    return t_.substr(from, p_ - from);
  }

 private:
  void skip_string_rest() {
    while (true) {
      const void* hit = std::memchr(t_.data() + p_, '"', t_.size() - p_);
      if (!hit) {
        p_ = t_.size();
        fail("a string does not end");
      }
      std::size_t q = static_cast<std::size_t>(static_cast<const char*>(hit) - t_.data());
      std::size_t backslashes = 0;
      while (q - backslashes > p_ && t_[q - backslashes - 1] == '\\') ++backslashes;
      p_ = q + 1;
      if (backslashes % 2 == 0) return;
    }
  }

  std::string_view t_;
  const std::string& source_;
  std::size_t p_ = 0;
};

// The jobs' texts, cut from the answer by the scanner on a thread of its own while the
// caller's thread parses them: the two halves of the work on the machine's two cores. A
// few batches are queued at most, so memory does not grow with the answer.
class JobQueue {
 public:
  struct Batch {
    std::vector<std::string_view> jobs;
    std::size_t end = 0;  // bytes of the text cut so far
  };
  void push(Batch&& b) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return queue_.size() < 8 || stopped_; });
    if (stopped_) return;
    queue_.push_back(std::move(b));
    ready_.notify_one();
  }
  // False once the cutter has finished and everything is taken.
  bool pop(Batch& b) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !queue_.empty() || finished_; });
    if (queue_.empty()) return false;
    b = std::move(queue_.front());
    queue_.pop_front();
    room_.notify_one();
    return true;
  }
  void finish(bool found, std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    finished_ = true;
    found_ = found;
    error_ = std::move(error);
    ready_.notify_all();
  }
  void stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    room_.notify_all();
  }
  bool stopped() {
    std::lock_guard lock(mutex_);
    return stopped_;
  }
  bool found() {
    std::lock_guard lock(mutex_);
    return found_;
  }
  std::exception_ptr error() {
    std::lock_guard lock(mutex_);
    return error_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable room_, ready_;
  std::deque<Batch> queue_;
  bool finished_ = false, stopped_ = false, found_ = false;
  std::exception_ptr error_;
};

// Cuts `json` into jobs for `queue`; whether it has a "jobs" list. Throws InputError.
bool cut_jobs(std::string_view json, const std::string& source, JobQueue& queue) {
  constexpr std::size_t kBatch = 1024;
  Scanner s(json, source);
  s.expect('{');
  bool found = false;
  if (s.peek() != '}') {
    while (true) {
      const std::string_view key = s.string();
      s.expect(':');
      if (key == "jobs" && s.peek() == '[') {
        found = true;
        s.expect('[');
        JobQueue::Batch batch;
        if (s.peek() != ']') {
          while (true) {
            batch.jobs.push_back(s.value());
            if (batch.jobs.size() == kBatch) {
              batch.end = s.pos();
              queue.push(std::move(batch));
              if (queue.stopped()) return found;
              batch = {};
            }
            if (s.peek() == ']') break;
            s.expect(',');
          }
        }
        s.expect(']');
        batch.end = s.pos();
        if (!batch.jobs.empty()) queue.push(std::move(batch));
      } else {
        s.value();
      }
      if (s.peek() == '}') break;
      s.expect(',');
    }
  }
  s.expect('}');
  return found;
}

}  // namespace

void for_each_sacct_job(std::string_view json, const std::string& source, const SacctJobSink& each,
                        const SacctProgress& progress) {
  JobQueue queue;
  std::thread cutter([&] {
    bool found = false;
    std::exception_ptr error;
    try {
      found = cut_jobs(json, source, queue);
    } catch (...) {
      error = std::current_exception();
    }
    queue.finish(found, std::move(error));
  });
  // However this function ends (`each` may throw), the cutter is stopped and joined.
  struct Join {
    std::thread& thread;
    JobQueue& queue;
    ~Join() {
      queue.stop();
      thread.join();
    }
  } join{cutter, queue};

  simdjson::dom::parser parser;
  JobQueue::Batch batch;
  std::size_t index = 0;
  while (queue.pop(batch)) {
    for (std::string_view text : batch.jobs) {
      ++index;
      element job;
      if (auto err = parser.parse(text.data(), text.size()).get(job))
        throw InputError(source + ": not valid JSON: job " + std::to_string(index) + ": " +
                         simdjson::error_message(err));
      if (!job.is_object())
        throw InputError(source + ": job " + std::to_string(index) + " is not an object");
      each(job_of(job, source, index));
    }
    if (progress) progress(batch.end);
  }
  if (auto error = queue.error()) std::rethrow_exception(error);
  if (!queue.found()) throw InputError(source + ": no \"jobs\" list: not sacct --json output");
  if (progress) progress(json.size());
}

void for_each_sacct_job_in_file(const std::string& path, const SacctJobSink& each,
                                const SacctProgress& progress, const std::string& source) {
  const std::string& name = source.empty() ? path : source;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0)
    throw InputError(path + ": cannot read: " + std::strerror(errno));
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) throw InputError(name + ": not valid JSON: empty");
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (map == MAP_FAILED) throw InputError(path + ": cannot map: " + std::strerror(errno));
  struct Unmap {
    void* p;
    std::size_t n;
    ~Unmap() { ::munmap(p, n); }
  } unmap{map, size};
  ::madvise(map, size, MADV_SEQUENTIAL);
  // Pages already read are given back, so that a file of gigabytes is read in little memory.
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::size_t dropped = 0;
  for_each_sacct_job(
      std::string_view(static_cast<const char*>(map), size), name, each, [&](std::size_t done) {
        const std::size_t upto = done / page * page;
        if (upto > dropped + page) {
          ::madvise(static_cast<char*>(map) + dropped, upto - dropped - page, MADV_DONTNEED);
          dropped = upto - page;
        }
        if (progress) progress(done);
      });
}

std::vector<AccountedJob> parse_sacct_json(std::string_view json, const std::string& source) {
  std::vector<AccountedJob> out;
  for_each_sacct_job(json, source, [&](AccountedJob&& job) { out.push_back(std::move(job)); });
  return out;
}

bool ran_and_ended(const AccountedJob& j) { return j.start && j.end && *j.end > *j.start; }

std::optional<PowerSample> power_sample(const AccountedJob& j) {
  if (!ran_and_ended(j) || !j.consumed_joules || *j.consumed_joules <= 0) return std::nullopt;
  PowerSample s;
  s.partition = j.partition;
  s.cores = j.resources.cores();
  s.gpus = j.resources.gpus;
  s.nodes = j.resources.nodes;
  s.seconds = static_cast<double>((*j.end - *j.start).count());
  s.joules = *j.consumed_joules;
  return s;
}

std::vector<PowerSample> power_samples(const std::vector<AccountedJob>& jobs,
                                       std::size_t* finished) {
  std::vector<PowerSample> out;
  std::size_t ended = 0;
  for (const auto& j : jobs) {
    if (ran_and_ended(j)) ++ended;
    if (auto s = power_sample(j)) out.push_back(std::move(*s));
  }
  if (finished) *finished = ended;
  return out;
}

}  // namespace ebb
