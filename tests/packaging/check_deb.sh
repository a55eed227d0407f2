#!/bin/bash
# Builds ebb's Debian packages from a clean copy of the checkout, checks them with lintian
# (no errors allowed), installs them, checks what an admin relies on (the plugin exports
# only SPANK's symbols and needs only libc, its planner is beside it, the ebbd unit is installed but not enabled, `ebb check-config`
# runs from the installed tool), and removes them again. Needs root and about twice the
# time of a plain build, so CI does not run it; run it before a release:
#   sudo bash tests/packaging/check_deb.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
apt-get install -y -qq debhelper lintian >/dev/null
work=$(mktemp -d)
trap 'dpkg -r ebb ebbd slurm-spank-ebb >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" archive --format=tar --prefix=ebb/ HEAD | tar -x -C "$work"
(cd "$work/ebb" && dpkg-buildpackage -us -uc -b -j"$(nproc)" >"$work/build.log" 2>&1) ||
  { tail -40 "$work/build.log"; exit 1; }
cd "$work"
lintian --tag-display-limit 0 ebb_*_amd64.changes | tee "$work/lintian.log"
if grep -q '^E:' "$work/lintian.log"; then echo "lintian reports errors" >&2; exit 1; fi
dpkg -i ebb_*.deb ebbd_*.deb slurm-spank-ebb_*.deb
symbols=$(nm -D --defined-only /usr/lib/*/slurm-wlm/spank_ebb.so | awk '{print $3}' | sort | tr '\n' ' ')
[ "$symbols" = "plugin_name plugin_type plugin_version slurm_spank_exit slurm_spank_init slurm_spank_init_post_opt spank_plugin_version " ] ||
  { echo "spank_ebb.so exports more than SPANK's symbols: $symbols" >&2; exit 1; }
# The C front needs nothing but libc; its planner sits beside it and exports one symbol.
needed=$(readelf -d /usr/lib/*/slurm-wlm/spank_ebb.so | awk '/NEEDED/ {print $5}' | tr '\n' ' ')
[ "$needed" = "[libc.so.6] " ] || { echo "spank_ebb.so needs more than libc: $needed" >&2; exit 1; }
core=$(nm -D --defined-only /usr/lib/*/slurm-wlm/libebb-spank-core.so | awk '{print $3}' | tr '\n' ' ')
[ "$core" = "ebb_spank_core_v1 " ] ||
  { echo "libebb-spank-core.so exports more than its entry point: $core" >&2; exit 1; }
[ "$(systemctl is-enabled ebbd 2>/dev/null || true)" != "enabled" ] ||
  { echo "the package enabled ebbd before it has a config" >&2; exit 1; }
printf 'Objective=carbon\nRegionName=gb CarbonSource=uk-carbon-intensity RegionId=13\n' >"$work/ebb.conf"
/usr/bin/ebb check-config "$work/ebb.conf"
man -w ebb.conf >/dev/null
dpkg -r ebb ebbd slurm-spank-ebb
echo "packages built, checked, installed and removed"
