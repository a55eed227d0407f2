#!/bin/bash
# Installs the Debian packages ebb needs to build, test and run its demo cluster.
# Used by the README's two commands and by CI. Needs root (or sudo) and Debian 12.
set -euo pipefail

packages=(
  # build
  cmake g++ make pkg-config
  # the manual pages' test renders them
  groff-base
  # libraries (README: "Dependencies" says what each one is for)
  libslurm-dev libsimdjson-dev libcpp-httplib-dev libcurl4-openssl-dev libssl-dev
  libhowardhinnant-date-dev nlohmann-json3-dev libpugixml-dev libcli11-dev zlib1g-dev
  libmunge-dev liblemon-dev
  catch2
  # the HTML report's browser test (headless)
  chromium
  # a real Slurm cluster for the tests and the demo
  slurmctld slurmd slurm-client munge
  # Slurm's accounting for the ledger's tests: slurmdbd on a private MariaDB
  slurmdbd mariadb-server mariadb-client
  # fuzzing and sanitizer runtimes
  clang libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "ebb: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
