#!/bin/bash
# `ebb check-config` accepts every ebb.conf example in the docs (the README's ebb.conf
# example block, each RegionName= line of the README and of the provider reference in
# gridsources/README.md), and refuses broken files with a message that names the file,
# the line and the key.
#   check_config_examples.sh SOURCE_DIR EBB_BINARY
set -euo pipefail
src=$1
ebb=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# The indented block under "# /etc/slurm/ebb.conf".
awk '/^    # \/etc\/slurm\/ebb.conf$/ {on=1; next} on && /^    / {sub(/^    /, ""); print; next} on {exit}' \
  "$src/README.md" > "$work/example.conf"
[ -s "$work/example.conf" ] || { echo "no ebb.conf example found in README.md" >&2; exit 1; }
n=0
# Each RegionName= line of the README and of the provider reference (gridsources/README.md),
# fenced or indented, as its own file.
while IFS= read -r line; do
  n=$((n + 1))
  printf '%s\n' "$line" > "$work/region$n.conf"
done < <(cat "$src/README.md" "$src/gridsources/README.md" |
  grep -E '^( {4})?RegionName=[^ ]+ .*[^.]$' | sed 's/^    //')
[ "$n" -ge 10 ] || { echo "expected the README's RegionName examples, found $n" >&2; exit 1; }

for f in "$work"/*.conf; do
  if ! out=$("$ebb" check-config --no-files "$f" 2>&1); then
    echo "FAIL: README example refused: $(cat "$f")" >&2
    echo "$out" >&2
    fail=1
  fi
done

# Broken files: exit 1 and a message naming file, line and key.
expect_error() {
  local name=$1 text=$2 pattern=$3
  printf '%b' "$text" > "$work/$name"
  local out rc=0
  out=$("$ebb" check-config "$work/$name" 2>&1) || rc=$?
  if [ "$rc" -ne 1 ] || ! grep -qE "$pattern" <<<"$out"; then
    echo "FAIL: $name: exit $rc, wanted 1 and /$pattern/; got: $out" >&2
    fail=1
  fi
}
expect_error objective.conf 'Currency=EUR\nObjective=greenest\n' "objective.conf line 2: Objective"
expect_error price.conf '# c\n\nCarbonPrice=abc\n' "price.conf line 3: CarbonPrice"
expect_error unknown.conf 'Objektive=carbon\n' "unknown.conf line 1: .*Objektive"
expect_error source.conf 'Objective=cost\nRegionName=x CarbonSource=nope\n' "source.conf line 2: region 'x'"
expect_error partition.conf 'PartitionName=gpu WattsPerGPU=-3\n' "partition.conf line 1: WattsPerGPU"
expect_error budget.conf '# b\nAccountBudget=physics kgCO2=5 Period=week\n' "budget.conf line 2: Period"
printf 'token\n' > "$work/open.key"
chmod 644 "$work/open.key"
expect_error keyfile.conf "RegionName=de CarbonSource=electricity-maps Zone=DE KeyFile=$work/open.key\n" \
  "keyfile.conf line 1: keyfile .*chmod 600"
chmod 600 "$work/open.key"
printf 'RegionName=de CarbonSource=electricity-maps Zone=DE KeyFile=%s\n' "$work/open.key" > "$work/ok-key.conf"
"$ebb" check-config -q "$work/ok-key.conf" || { echo "FAIL: a 0600 key file was refused" >&2; fail=1; }
if "$ebb" check-config "$work/missing.conf" 2>/dev/null; then
  echo "FAIL: a missing file was accepted" >&2
  fail=1
fi
# It says what each line does.
"$ebb" check-config "$work/example.conf" | grep -q "line 3: CarbonPrice 100: the carbon price" ||
  { echo "FAIL: no line-by-line description" >&2; fail=1; }
# Budgets are described with their period and limits.
"$ebb" check-config "$work/example.conf" | grep -q "account physics has a monthly budget of 500 kgCO2e" ||
  { echo "FAIL: no description of the AccountBudget line" >&2; fail=1; }
exit $fail
