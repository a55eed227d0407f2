#!/bin/bash
# Starts munged once per machine if it is not answering (Slurm authenticates with it).
set -euo pipefail
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then exit 0; fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO mkdir -p /run/munge /var/log/munge
$SUDO chown munge:munge /run/munge /var/log/munge 2>/dev/null || true
[ -s /etc/munge/munge.key ] || $SUDO /usr/sbin/mungekey --create 2>/dev/null || true
if [ "$(id -u)" -eq 0 ]; then
  runuser -u munge -- /usr/sbin/munged 2>/dev/null || /usr/sbin/munged --force
else
  sudo -u munge /usr/sbin/munged
fi
for _ in $(seq 50); do
  munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && exit 0
  sleep 0.1
done
echo "ebb: munged did not start" >&2
exit 1
