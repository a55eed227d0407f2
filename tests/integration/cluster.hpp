// SPDX-License-Identifier: GPL-2.0-or-later
// A real single-node Slurm cluster for tests: slurmctld and slurmd from Debian's
// packages, started in the foreground on loopback with ports picked free at run time,
// in a private temporary directory, with spank_ebb.so in its plugstack.conf and
// contrib/job_submit.lua as its job_submit plugin. Several can run side by side.
//
// Commands run with SLURM_CONF pointing at this cluster and without any SLURM_*
// variables of an enclosing job. The destructor cancels the jobs, stops both daemons
// by PID and removes the directory.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "accounting.hpp"
#include "process.hpp"

namespace ebb::test {

// A TCP port on 127.0.0.1 that nothing listens on right now (bound, read, released).
int free_port();

class Cluster {
 public:
  struct Settings {
    bool with_plugin = true;        // false: plugstack.conf without spank_ebb.so
    int cpus = 2;                   // the node's CPUs; more than the machine has is faked
    std::string partition_options;  // added to the debug partition's line, e.g. DefaultTime=10
    // More partitions on the same node: name -> options for its PartitionName= line.
    std::map<std::string, std::string> more_partitions;
    // Slurm's accounting (accounting.hpp: MariaDB + slurmdbd, ~10 s more to start), with
    // PrivateData=jobs, account "science" and these users in it.
    bool with_accounting = false;
    std::vector<std::string> accounting_users = {"root", "nobody"};
    // Slurm's ClusterName=, as registered in slurmdbd (sbatch -M names it).
    std::string cluster_name = "ebbtest";
    // Multi-cluster operation: this cluster registers with the slurmdbd of `accounting_of`
    // (which must have with_accounting), with the same account and users, instead of
    // starting its own. `sbatch -M a,b` from either then reaches both.
    const Cluster* accounting_of = nullptr;
  };
  Cluster();
  explicit Cluster(Settings settings);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::string slurm_conf() const { return (dir_ / "slurm.conf").string(); }
  std::string ebb_conf() const { return (dir_ / "ebb.conf").string(); }
  std::string forecast_file() const { return (dir_ / "forecast.csv").string(); }
  const std::string& name() const { return name_; }

  // Rewrites ebb.conf; every later command reads it.
  void write_ebb_conf(const std::string& text) const;
  // Rewrites plugstack.conf: the plugin line with extra Key=Value arguments, or no
  // plugin at all.
  void write_plugstack(bool with_plugin, const std::string& extra_args = "") const;

  // Runs a Slurm command (sbatch, scontrol, ...) against this cluster.
  RunResult command(const std::vector<std::string>& argv,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30),
                    const std::map<std::string, std::string>& extra_env = {}) const;

  // `scontrol show -o job ID`: one map of Key=Value per record (hetjobs have several).
  std::vector<std::map<std::string, std::string>> job_records(const std::string& id) const;
  std::map<std::string, std::string> job(const std::string& id) const;
  // Every job the controller knows, finished ones included.
  std::vector<std::string> job_ids() const;
  void cancel_all() const;
  // Waits (bounded) until the job leaves PENDING/RUNNING; returns its last state.
  std::string wait_until_finished(const std::string& id,
                                  std::chrono::seconds limit = std::chrono::seconds(30)) const;
  std::string slurmctld_log() const;
  // Stops slurmctld (slurmd keeps running): commands then fail as with a controller down.
  void stop_controller();

 private:
  void ensure_munge() const;
  void write_slurm_conf(int ctld_port, int slurmd_port, int dbd_port,
                        const Settings& settings) const;
  void wait_until_idle() const;
  void wait_until_registered(int ctld_port) const;
  std::string log_tails() const;

  std::filesystem::path dir_;
  std::string name_;
  int dbd_port_ = 0;  // slurmdbd's, when the cluster has accounting (its own or shared)
  std::unique_ptr<Accounting> accounting_;
  pid_t slurmctld_ = -1;
  pid_t slurmd_ = -1;
};

// The job id from sbatch's "Submitted batch job N"; empty when there is none.
std::string submitted_job_id(const std::string& sbatch_stdout);

}  // namespace ebb::test
