// SPDX-License-Identifier: GPL-2.0-or-later
#include "accounting.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "cluster.hpp"
#include "process.hpp"

namespace ebb::test {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string last_chars(const std::string& text, std::size_t n) {
  return text.size() <= n ? text : text.substr(text.size() - n);
}

// Polls `ready` every 200 ms until it holds or `limit` passes.
template <class Ready>
bool wait_for(Ready ready, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

}  // namespace

Accounting::Accounting(const fs::path& dir, const std::string& slurm_conf, int dbd_port)
    : dir_(dir), slurm_conf_(slurm_conf) {
  try {
    start_database();
    start_slurmdbd(dbd_port);
  } catch (...) {
    stop();
    throw;
  }
}

Accounting::~Accounting() { stop(); }

void Accounting::stop() {
  stop_daemon(slurmdbd_);
  slurmdbd_ = -1;
  stop_daemon(mariadbd_, std::chrono::seconds(20));
  mariadbd_ = -1;
}

void Accounting::start_database() {
  const fs::path data = dir_ / "mysql";
  fs::create_directories(dir_ / "log");
  auto env = child_environment({});
  // --no-defaults: nothing from /etc/mysql; the server runs as whoever runs the tests.
  std::vector<std::string> install{"mariadb-install-db", "--no-defaults",
                                   "--datadir=" + data.string(), "--skip-test-db",
                                   "--auth-root-authentication-method=normal"};
  if (::geteuid() == 0) install.push_back("--user=root");
  auto r = run(install, env, std::chrono::seconds(120));
  if (r.exit_code != 0) {
    throw std::runtime_error("mariadb-install-db failed (is mariadb-server installed?): " +
                             last_chars(r.out + r.err, 2000));
  }
  const int port = free_port();
  const std::string socket = (dir_ / "mysql.sock").string();
  // Grant tables skipped: only this test's slurmdbd can reach a server on loopback in a
  // private directory, and it saves creating a user.
  std::vector<std::string> argv{"mariadbd",
                                "--no-defaults",
                                "--datadir=" + data.string(),
                                "--socket=" + socket,
                                "--port=" + std::to_string(port),
                                "--bind-address=127.0.0.1",
                                "--pid-file=" + (dir_ / "mysql.pid").string(),
                                "--skip-grant-tables",
                                "--innodb-buffer-pool-size=64M",
                                "--innodb-lock-wait-timeout=900",
                                "--log-error=" + (dir_ / "log" / "mariadb.log").string()};
  if (::geteuid() == 0) argv.push_back("--user=root");
  mariadbd_ = spawn_daemon(argv, env, (dir_ / "log" / "mariadb.out").string());
  bool up = wait_for(
      [&] {
        return running(mariadbd_) &&
               run({"mariadb", "--no-defaults", "-S", socket, "-e", "select 1"}, env,
                   std::chrono::seconds(5))
                       .exit_code == 0;
      },
      std::chrono::seconds(60));
  if (!up) throw std::runtime_error("MariaDB did not start:\n" + log_tails());

  db_port_ = port;
}

void Accounting::start_slurmdbd(int dbd_port) {
  std::ostringstream c;
  c << "# written by the test: slurmdbd for the test cluster\n"
    << "AuthType=auth/munge\n"
    << "DbdHost=localhost\nDbdAddr=127.0.0.1\n"
    << "SlurmUser=root\n"  // as slurm.conf's: the harness runs as root
    << "PidFile=" << (dir_ / "slurmdbd.pid").string() << "\n"
    << "LogFile=" << (dir_ / "log" / "slurmdbd.log").string() << "\n"
    << "StorageType=accounting_storage/mysql\n"
    // 127.0.0.1, not localhost: the client library takes localhost for its default socket.
    << "StorageHost=127.0.0.1\nStoragePort=" << db_port_ << "\nStorageUser=root\n"
    << "StorageLoc=slurm_acct_db\n"
    // Users see only their own jobs in sacct: what `ebb report` must respect.
    << "PrivateData=jobs\n"
    << "DbdPort=" << dbd_port << "\n";
  const fs::path conf = fs::path(slurm_conf_).parent_path() / "slurmdbd.conf";
  {
    std::ofstream out(conf, std::ios::trunc);
    out << c.str();
    if (!out) throw std::runtime_error("cannot write " + conf.string());
  }
  // slurmdbd refuses a slurmdbd.conf that others can read (it may hold a password).
  ::chmod(conf.c_str(), 0600);
  auto env = child_environment({{"SLURM_CONF", slurm_conf_}});
  slurmdbd_ = spawn_daemon({"slurmdbd", "-D"}, env, (dir_ / "log" / "slurmdbd.out").string());
  // Up once sacctmgr gets an answer (the first start also creates the schema).
  bool up = wait_for(
      [&] {
        return running(slurmdbd_) &&
               run({"sacctmgr", "-n", "list", "cluster"}, env, std::chrono::seconds(10))
                       .exit_code == 0;
      },
      std::chrono::seconds(90));
  if (!up) throw std::runtime_error("slurmdbd did not start:\n" + log_tails());
}

void Accounting::add_associations(const std::string& cluster, const std::string& account,
                                  const std::vector<std::string>& users) const {
  auto env = child_environment({{"SLURM_CONF", slurm_conf_}});
  auto sacctmgr = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"sacctmgr", "-i"});
    auto r = run(args, env, std::chrono::seconds(30));
    if (r.exit_code != 0) {
      std::string cmd;
      for (const auto& a : args) cmd += a + " ";
      throw std::runtime_error(cmd + "failed: " + r.out + r.err);
    }
  };
  sacctmgr({"add", "cluster", cluster});
  sacctmgr({"add", "account", account, "Cluster=" + cluster, "Description=ebb tests",
            "Organization=ebb"});
  for (const std::string& user : users) {
    sacctmgr({"add", "user", user, "Account=" + account, "Cluster=" + cluster});
  }
}

std::string Accounting::log_tails() const {
  std::string out;
  for (const char* name : {"mariadb.log", "slurmdbd.log", "slurmdbd.out"}) {
    out += "--- " + std::string(name) + " ---\n" + last_chars(read_text(dir_ / "log" / name), 2000);
  }
  return out;
}

}  // namespace ebb::test
