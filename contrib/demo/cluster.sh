#!/bin/bash
# A single-node Slurm cluster on loopback in one directory, with ebb in its plugstack.
#   cluster.sh start DIR PLUGIN_SO    writes DIR/slurm.conf, DIR/plugstack.conf, DIR/ebb.conf
#                                     (if absent), starts slurmctld and slurmd, waits for idle
#   cluster.sh stop DIR               stops that cluster's daemons by PID
# Clients reach it with SLURM_CONF=DIR/slurm.conf. Several can run side by side.
set -euo pipefail

cmd=${1:?usage: cluster.sh start DIR PLUGIN_SO | stop DIR}
dir=$(realpath -m "${2:?directory}")

free_port_pair() {
  # Two consecutive free TCP ports on loopback (slurmctld, slurmd).
  for _ in $(seq 200); do
    local p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && ! (exec 3<>/dev/tcp/127.0.0.1/$((p + 1))) 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  echo "ebb: no free port pair" >&2
  exit 1
}

stop() {
  for d in slurmd slurmctld; do
    if [ -s "$dir/$d.pid" ]; then
      local pid
      pid=$(cat "$dir/$d.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/$d.pid"
    fi
  done
}

case "$cmd" in
  stop) stop ;;
  start)
    plugin=$(realpath "${3:?plugin path}")
    stop
    mkdir -p "$dir"/{state,spool,log}
    port=$(free_port_pair)
    cat > "$dir/slurm.conf" <<CONF
ClusterName=ebbdemo
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=$port
SlurmdPort=$((port + 1))
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
PlugStackConfig=$dir/plugstack.conf
NodeName=localhost CPUs=$(nproc) RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
    echo "optional $plugin config=$dir/ebb.conf" > "$dir/plugstack.conf"
    [ -e "$dir/ebb.conf" ] || echo "ForecastFile=$dir/forecast.csv" > "$dir/ebb.conf"
    slurmctld -f "$dir/slurm.conf"
    slurmd -f "$dir/slurm.conf"
    for _ in $(seq 150); do
      state=$(SLURM_CONF=$dir/slurm.conf sinfo -h -o %T 2>/dev/null || true)
      [ "$state" = idle ] && exit 0
      sleep 0.2
    done
    echo "ebb: the cluster in $dir did not become idle; see $dir/log/" >&2
    exit 1
    ;;
  *) echo "usage: cluster.sh start DIR PLUGIN_SO | stop DIR" >&2; exit 2 ;;
esac
