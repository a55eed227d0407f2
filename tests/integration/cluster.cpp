// SPDX-License-Identifier: GPL-2.0-or-later
#include "cluster.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef EBB_SPANK_PLUGIN
#error "EBB_SPANK_PLUGIN must name spank_ebb.so"
#endif
#ifndef EBB_JOB_SUBMIT_LUA
#error "EBB_JOB_SUBMIT_LUA must name contrib/job_submit.lua"
#endif

namespace ebb::test {

namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string tail(const std::string& text, std::size_t n) {
  return text.size() <= n ? text : text.substr(text.size() - n);
}

// Sanitizer runtimes for Slurm's processes when spank_ebb.so is built with them
// (EBB_SANITIZE): Slurm's own leaks are not ours, so leak checking is off there.
std::map<std::string, std::string> with_preload(std::map<std::string, std::string> env) {
#ifdef EBB_PRELOAD
  env["LD_PRELOAD"] = EBB_PRELOAD;
  env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1";
  env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1";
#endif
  return env;
}

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "ebb-cluster-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

}  // namespace

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

Cluster::Cluster() : Cluster(Settings{}) {}

Cluster::Cluster(Settings settings) : dir_(make_temp_dir()), name_(settings.cluster_name) {
  try {
    ensure_munge();
    for (const char* sub : {"state", "spool", "log"}) fs::create_directories(dir_ / sub);
    int ctld_port = free_port();
    int slurmd_port = free_port();
    while (slurmd_port == ctld_port) slurmd_port = free_port();
    int dbd_port = 0;
    if (settings.with_accounting) {
      do dbd_port = free_port();
      while (dbd_port == ctld_port || dbd_port == slurmd_port);
    } else if (settings.accounting_of) {
      dbd_port = settings.accounting_of->dbd_port_;
      if (!settings.accounting_of->accounting_)
        throw std::runtime_error("accounting_of names a cluster without its own slurmdbd");
    }
    dbd_port_ = dbd_port;
    write_slurm_conf(ctld_port, slurmd_port, dbd_port, settings);
    write_plugstack(settings.with_plugin);
    write_ebb_conf("# written by the test\n");
    fs::copy_file(EBB_JOB_SUBMIT_LUA, dir_ / "job_submit.lua");
    if (settings.with_accounting) {
      accounting_ = std::make_unique<Accounting>(dir_, slurm_conf(), dbd_port);
      accounting_->add_associations(name_, "science", settings.accounting_users);
    } else if (settings.accounting_of) {
      settings.accounting_of->accounting_->add_associations(name_, "science",
                                                            settings.accounting_users);
    }

    auto env = child_environment(with_preload({{"SLURM_CONF", slurm_conf()}}));
    slurmctld_ = spawn_daemon({"slurmctld", "-D", "-f", slurm_conf()}, env,
                              (dir_ / "log" / "slurmctld.out").string());
    slurmd_ = spawn_daemon({"slurmd", "-D", "-f", slurm_conf()}, env,
                           (dir_ / "log" / "slurmd.out").string());
    wait_until_idle();
    if (dbd_port_ != 0) wait_until_registered(ctld_port);
  } catch (...) {
    if (slurmd_ > 0) stop_daemon(slurmd_);
    if (slurmctld_ > 0) stop_daemon(slurmctld_);
    accounting_.reset();
    std::error_code ec;
    if (!std::getenv("EBB_KEEP_CLUSTER")) fs::remove_all(dir_, ec);
    throw;
  }
}

Cluster::~Cluster() {
  try {
    cancel_all();
  } catch (...) {
  }
  stop_daemon(slurmd_);
  stop_daemon(slurmctld_);
  accounting_.reset();
  std::error_code ec;
  if (!std::getenv("EBB_KEEP_CLUSTER")) fs::remove_all(dir_, ec);
}

void Cluster::ensure_munge() const {
  auto env = child_environment({});
  auto ok = [&] { return run({"sh", "-c", "munge -n | unmunge"}, env).exit_code == 0; };
  if (ok()) return;
  // munged is one per machine, shared by every cluster; it is left running.
  run({"sh", "-c",
       "mkdir -p /run/munge && chown munge:munge /run/munge && "
       "(runuser -u munge -- munged || munged --force)"},
      env);
  for (int i = 0; i < 50; ++i) {
    if (ok()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("munged is not running and could not be started");
}

void Cluster::write_slurm_conf(int ctld_port, int slurmd_port, int dbd_port,
                               const Settings& settings) const {
  const int cpus = settings.cpus;
  const std::string d = dir_.string();
  std::ostringstream c;
  c << "# A private single-node cluster for ebb's integration tests\n"
    << "ClusterName=" << settings.cluster_name << "\n"
    << "SlurmctldHost=localhost\n"
    << "SlurmUser=root\nSlurmdUser=root\n"
    << "AuthType=auth/munge\nCredType=cred/munge\n"
    << "StateSaveLocation=" << d << "/state\n"
    << "SlurmdSpoolDir=" << d << "/spool\n"
    << "SlurmctldPidFile=" << d << "/slurmctld.pid\n"
    << "SlurmdPidFile=" << d << "/slurmd.pid\n"
    << "SlurmctldLogFile=" << d << "/log/slurmctld.log\n"
    << "SlurmdLogFile=" << d << "/log/slurmd.log\n"
    << "SlurmctldPort=" << ctld_port << "\n"
    << "SlurmdPort=" << slurmd_port << "\n"
    << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
    << "JobAcctGatherType=jobacct_gather/linux\n"
    << (dbd_port == 0 ? std::string("AccountingStorageType=accounting_storage/none\n")
                      : "AccountingStorageType=accounting_storage/slurmdbd\n"
                        "AccountingStorageHost=localhost\nAccountingStoragePort=" +
                            std::to_string(dbd_port) + "\nPrivateData=jobs\n")
    << "SchedulerType=sched/backfill\n"
    // A job held until its begin time starts at the next pass of the main scheduling loop
    // (every 60 s by default): every 5 s, deferred jobs start within seconds of their window.
    << "SchedulerParameters=sched_interval=5,bf_interval=5\n"
    << "SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\n"
    << "ReturnToService=2\n"
    << "MinJobAge=600\n"
    << "JobSubmitPlugins=lua\n"
    << "PlugStackConfig=" << d
    << "/plugstack.conf\n"
    // config_overrides: slurmd reports the configured size, not the machine's.
    << (cpus != 2 ? "SlurmdParameters=config_overrides\n" : "")
    << "NodeName=localhost CPUs=" << cpus << " RealMemory=2000 State=UNKNOWN\n"
    << "PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP "
    << settings.partition_options << "\n";
  for (const auto& [name, options] : settings.more_partitions)
    c << "PartitionName=" << name << " Nodes=localhost MaxTime=INFINITE State=UP " << options
      << "\n";
  write_file(dir_ / "slurm.conf", c.str());
}

void Cluster::write_plugstack(bool with_plugin, const std::string& extra_args) const {
  std::string text = "# written by the test\n";
  if (with_plugin) {
    text += std::string("optional ") + EBB_SPANK_PLUGIN + " config=" + ebb_conf();
    if (!extra_args.empty()) text += " " + extra_args;
    text += "\n";
  }
  write_file(dir_ / "plugstack.conf", text);
}

void Cluster::write_ebb_conf(const std::string& text) const { write_file(ebb_conf(), text); }

RunResult Cluster::command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                           const std::map<std::string, std::string>& extra_env) const {
  std::map<std::string, std::string> env = with_preload(extra_env);
  env["SLURM_CONF"] = slurm_conf();
  return run(argv, child_environment(env), timeout);
}

void Cluster::wait_until_idle() const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running(slurmctld_) || !running(slurmd_)) break;
    auto r = command({"sinfo", "-h", "-o", "%T"}, std::chrono::seconds(10));
    last = r.out + r.err;
    if (r.exit_code == 0 && r.out == "idle\n") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  throw std::runtime_error("the test cluster in " + dir_.string() +
                           " did not become idle; sinfo said: " + last + "\n" + log_tails());
}

// slurmctld sends its jobs to slurmdbd once it has registered there. A job submitted
// before that reaches the database late and without its name (Slurm then records it as
// "allocation"), which a loaded machine made visible: wait for the registration.
void Cluster::wait_until_registered(int ctld_port) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = command({"sacctmgr", "-n", "-P", "list", "cluster", name_, "format=ControlPort"},
                     std::chrono::seconds(10));
    last = r.out + r.err;
    if (r.exit_code == 0 && r.out == std::to_string(ctld_port) + "\n") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  throw std::runtime_error("slurmctld in " + dir_.string() +
                           " did not register with slurmdbd; sacctmgr said: " + last + "\n" +
                           log_tails());
}

std::string Cluster::log_tails() const {
  std::string out;
  for (const char* name : {"slurmctld.log", "slurmd.log", "slurmctld.out", "slurmd.out"}) {
    out += "--- " + std::string(name) + " ---\n" + tail(read_file(dir_ / "log" / name), 2000);
  }
  if (accounting_) out += accounting_->log_tails();
  return out;
}

void Cluster::stop_controller() {
  stop_daemon(slurmctld_);
  slurmctld_ = -1;
}

std::string Cluster::slurmctld_log() const { return read_file(dir_ / "log" / "slurmctld.log"); }

std::vector<std::map<std::string, std::string>> Cluster::job_records(const std::string& id) const {
  auto r = command({"scontrol", "show", "-o", "job", id});
  if (r.exit_code != 0) throw std::runtime_error("scontrol show job " + id + ": " + r.err);
  std::vector<std::map<std::string, std::string>> records;
  for (const std::string& line : lines(r.out)) {
    std::map<std::string, std::string> fields;
    std::istringstream words(line);
    std::string word;
    while (words >> word) {
      auto eq = word.find('=');
      if (eq != std::string::npos && eq > 0) fields[word.substr(0, eq)] = word.substr(eq + 1);
    }
    if (!fields.empty()) records.push_back(std::move(fields));
  }
  return records;
}

std::map<std::string, std::string> Cluster::job(const std::string& id) const {
  auto records = job_records(id);
  if (records.empty()) throw std::runtime_error("no record of job " + id);
  return records.front();
}

std::vector<std::string> Cluster::job_ids() const {
  auto r = command({"squeue", "-h", "-t", "all", "-o", "%i"});
  if (r.exit_code != 0) throw std::runtime_error("squeue: " + r.err);
  return lines(r.out);
}

void Cluster::cancel_all() const {
  auto r = command({"squeue", "-h", "-o", "%A"});  // job ids, one per hetjob component
  std::vector<std::string> argv{"scancel"};
  for (const std::string& id : lines(r.out)) {
    if (!id.empty()) argv.push_back(id);
  }
  if (argv.size() > 1) command(argv, std::chrono::seconds(60));
}

std::string Cluster::wait_until_finished(const std::string& id, std::chrono::seconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string state;
  while (std::chrono::steady_clock::now() < deadline) {
    state = job(id)["JobState"];
    if (state != "PENDING" && state != "RUNNING" && state != "CONFIGURING" &&
        state != "COMPLETING") {
      return state;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return state;
}

std::string submitted_job_id(const std::string& sbatch_stdout) {
  // "... on cluster c2" when submitted with -M.
  static const std::regex pattern(R"(^Submitted batch job (\d+)( on cluster \S+)?\n$)");
  std::smatch m;
  if (std::regex_match(sbatch_stdout, m, pattern)) return m[1];
  return "";
}

}  // namespace ebb::test
