#!/bin/bash
# README.md's "Contents" list, made from its ## and ### headings (GitHub's anchors).
#   tests/docs/readme_contents.sh README.md           print the list
#   tests/docs/readme_contents.sh README.md --check   exit 1 when the README's list differs
#   tests/docs/readme_contents.sh README.md --write   replace the README's list
set -euo pipefail
readme=$1
make_list() {
  awk '
    /^```/ { fence = !fence }
    fence { next }
    /^## Contents$/ { next }
    /^##+ / {
      level = index($0, " ") - 1
      if (level > 3) next
      title = substr($0, level + 2)
      anchor = tolower(title)
      gsub(/[^a-z0-9 _-]/, "", anchor)
      gsub(/ /, "-", anchor)
      indent = level == 3 ? "  " : ""
      printf "%s* [%s](#%s)\n", indent, title, anchor
    }' "$readme"
}
current_list() { awk '/^## Contents$/ {on = 1; next} on && /^## / {exit} on && /^ *\* \[/' "$readme"; }
case "${2:-}" in
  --check)
    if ! diff <(current_list) <(make_list); then
      echo "README.md: the Contents list is out of date; run $0 $readme --write" >&2
      exit 1
    fi ;;
  --write)
    tmp=$(mktemp)
    awk -v list="$(make_list)" '
      /^## Contents$/ { print; print ""; print list; print ""; skip = 1; next }
      skip && /^## / { skip = 0 }
      !skip' "$readme" >"$tmp"
    cat "$tmp" >"$readme"
    rm -f "$tmp" ;;
  *) make_list ;;
esac
