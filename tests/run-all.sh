#!/bin/bash
# The README's second command: installs what the tests need, builds ebb twice (plain,
# then with AddressSanitizer + UndefinedBehaviorSanitizer) and runs the whole suite:
# unit tests, provider replays, the daemon as a process, the replay reproductions and
# the real-Slurm-cluster tests (which start their own clusters on loopback).
#   tests/run-all.sh              everything
#   tests/run-all.sh --no-sanitize  the plain build only
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
sanitize=1
[ "${1:-}" = "--no-sanitize" ] && sanitize=0

bash "$root/contrib/install-deps.sh"
bash "$root/contrib/start-munge.sh"

# CI time: line tables only (-g1) are enough for backtraces and the sanitizers' stack
# traces, and compile about a quarter faster than full debug information (-g) on this code.
flags() { flags=("-DCMAKE_C_FLAGS_RELWITHDEBINFO=$1" "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$1"); }

echo "== plain build (warnings are errors)" >&2
flags "-O2 -g1 -DNDEBUG"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${flags[@]}" >/dev/null
cmake --build "$root/build" -j"$jobs"
(cd "$root/build" && ctest -j"$jobs" --output-on-failure --timeout 600)

if [ "$sanitize" = 1 ]; then
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer build" >&2
  # -O1, as the sanitizers' own documentation suggests: reasonable speed, exact stack
  # traces, and a compile that takes much less time than -O2 with the instrumentation.
  flags "-O1 -g1 -DNDEBUG"
  cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEBB_SANITIZE=ON \
    "${flags[@]}" >/dev/null
  cmake --build "$root/build-asan" -j"$jobs"
  # Benchmarks are neither built nor run here (tests/CMakeLists.txt), nor the tests
  # labelled slow: replay_umass_upper_bound is 3.2 million plans of arithmetic the
  # planner's unit tests already run under the sanitizers (4-5 min at -O1 with ASan).
  # The real-cluster tests run here too: their harness preloads the sanitizer
  # runtimes into Debian's (uninstrumented) Slurm daemons and commands, which then
  # load the instrumented spank_ebb.so.
  (cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     ctest -j"$jobs" --output-on-failure --timeout 900 -LE "bench|slow")
fi
