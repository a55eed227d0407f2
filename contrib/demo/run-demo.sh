#!/bin/bash
# The README's first command: installs what ebb needs, builds it, starts a local
# single-node Slurm cluster with ebb in its plugstack, and submits a job that ebb
# defers into the cleanest, cheapest window before its deadline. The forecast is real
# Great Britain grid data (March 2020) moved onto the present by whole weeks.
#   contrib/demo/run-demo.sh          run the demo (the cluster stays up afterwards)
#   contrib/demo/run-demo.sh --stop   stop the demo cluster
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/demo-cluster

if [ "${1:-}" = "--stop" ]; then
  "$root/contrib/demo/cluster.sh" stop "$dir"
  exit 0
fi

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Installing Debian packages (once)"
bash "$root/contrib/install-deps.sh"

step "Building ebb"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j"$(nproc)" --target spank_ebb ebb >/dev/null
plugin=$(find "$root/build/plugin" -name spank_ebb.so | head -1)
ebb=$root/build/forecaster/ebb

step "Starting a local Slurm cluster in demo-cluster/ with ebb in its plugstack.conf"
bash "$root/contrib/start-munge.sh"
mkdir -p "$dir"
"$ebb" demo-forecast "$root/contrib/demo/gb-2020-03.csv" -o "$dir/forecast.csv"
cat > "$dir/ebb.conf" <<CONF
# The demo's site settings (README: config reference)
ForecastFile=$dir/forecast.csv
Objective=balanced
CarbonPrice=100
Currency=EUR
MinSavingPercent=5
# The demo's one node stands in for a full compute node: 400 W besides its cores.
WattsPerNode=400
CONF
"$root/contrib/demo/cluster.sh" start "$dir" "$plugin"
export SLURM_CONF=$dir/slurm.conf
echo "plugstack.conf: $(cat "$dir/plugstack.conf")"

step "The next 24 hours of the forecast (GB, March 2020 moved onto this week)"
now=$(date -u +%s)
awk -F, -v now="$now" 'NR > 1 && $1 !~ /^#/ && $2 != "" {
    cmd = "date -u -d " $1 " +%s"; cmd | getline t; close(cmd)
    if (t >= now - 1800 && t < now + 86400 && n++ % 4 == 0) {
      cmd = "date -d @" t " +\"%a %H:%M\""; cmd | getline when; close(cmd)
      bar = ""; for (i = 0; i < $2 / 10; i++) bar = bar "#"
      printf "  %s  %5.0f gCO2/kWh  %6.2f EUR/MWh  %s\n", when, $2, $3, bar
    }
  }' "$dir/forecast.csv"

step "A researcher submits a 2-hour job that must finish by 09:00 tomorrow"
echo "\$ sbatch --time=2:00:00 --carbon-deadline=tomorrow09:00 --wrap 'sleep 60'"
sbatch --time=2:00:00 --carbon-deadline=tomorrow09:00 --job-name=train --wrap 'sleep 60'

step "Slurm holds it until the chosen window (Reason=BeginTime)"
echo "\$ squeue -o '%.6i %.8j %.9T %.20S %.10r'"
squeue -o '%.6i %.8j %.9T %.20S %.10r'

step "Asking without changing anything: --carbon-explain"
echo "\$ sbatch --time=4:00:00 --carbon-max-delay=12:00:00 --carbon-objective=carbon --carbon-explain --wrap true"
sbatch --time=4:00:00 --carbon-max-delay=12:00:00 --carbon-objective=carbon --carbon-explain --wrap true

cat <<MSG

The cluster is still running. Try it yourself:
  export SLURM_CONF=$dir/slurm.conf
  sbatch --time=1:00:00 --carbon-deadline=now+12hours --wrap hostname
Stop it with: contrib/demo/run-demo.sh --stop
MSG
