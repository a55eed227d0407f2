#!/bin/bash
# The manual pages render without a groff warning, ebb.conf(5) names every key of the
# README's ebb.conf table, and ebb(1) names every command `ebb --help` lists.
# Usage: check_man_pages.sh SOURCE_DIR EBB_BINARY
set -euo pipefail
src=$1
ebb=$2
status=0
for page in "$src"/doc/man/*.[158]; do
  warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1 || true)
  if [ -n "$warnings" ]; then
    echo "$page: groff warns: $warnings"
    status=1
  fi
done
# Keys: the first column of the README's ebb.conf table, `Key` or `PartitionName=NAME ...`.
readme_keys=$(sed -n '/^### ebb.conf/,/^### Security/p' "$src/README.md" |
  sed -n 's/^| `\([A-Za-z]*\)[`=].*/\1/p')
[ -n "$readme_keys" ] || { echo "no keys found in README's ebb.conf table"; exit 1; }
# The man page's entries: the line after each .TP, "\fBKey\fR (default ...)".
man_keys=$(awk 'prev == ".TP" { print } { prev = $0 }' "$src/doc/man/ebb.conf.5" |
  sed -n 's/^\\fB\([A-Za-z]*\).*/\1/p')
for key in $readme_keys; do
  if ! grep -qx "$key" <<<"$man_keys"; then
    echo "ebb.conf(5) does not name the key $key of the README's table"
    status=1
  fi
done
# Commands: the lines "  name  summary" of `ebb --help`.
for cmd in $("$ebb" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'); do
  if ! grep -q "^\\.B\\(I\\)\\? ${cmd//-/\\\\-}\\b" "$src/doc/man/ebb.1"; then
    echo "ebb(1) does not describe the command $cmd"
    status=1
  fi
done
exit $status
