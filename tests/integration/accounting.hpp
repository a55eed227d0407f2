// SPDX-License-Identifier: GPL-2.0-or-later
// Slurm's accounting for a test cluster: a private MariaDB (Debian's mariadb-server) and
// slurmdbd, both in the cluster's temporary directory on free loopback ports, so that
// sacct has real job records. No system service is touched: the database is created
// with mariadb-install-db in <dir>/mysql and served by a mariadbd of our own.
//
// It costs ~10 s (mostly mariadb-install-db), so only clusters that ask for it
// (Cluster::Settings::with_accounting) start it.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace ebb::test {

class Accounting {
 public:
  // slurmdbd.conf goes next to slurm_conf (slurmdbd finds it there through SLURM_CONF);
  // slurmdbd listens on dbd_port, which slurm.conf's AccountingStoragePort names.
  Accounting(const std::filesystem::path& dir, const std::string& slurm_conf, int dbd_port);
  ~Accounting();
  Accounting(const Accounting&) = delete;
  Accounting& operator=(const Accounting&) = delete;

  // sacctmgr: the cluster, one account and these users in it (before slurmctld starts,
  // so that it registers with a cluster slurmdbd already knows).
  void add_associations(const std::string& cluster, const std::string& account,
                        const std::vector<std::string>& users) const;
  std::string log_tails() const;

 private:
  void start_database();
  void start_slurmdbd(int dbd_port);
  void stop();

  std::filesystem::path dir_;
  std::string slurm_conf_;
  int db_port_ = 0;
  pid_t mariadbd_ = -1;
  pid_t slurmdbd_ = -1;
};

}  // namespace ebb::test
