#!/usr/bin/env bash
# Runs tests again and again on a loaded machine, to find the waits that only hold on a quiet
# one (docs/RELIABILITY.md, "Tests under load"). Stops at the first failing run and keeps its
# output.
#
# usage: scripts/stress-tests.sh [-n RUNS] [-j HOGS] [-- CARGO TEST ARGS...]
#   -n RUNS   how many runs must pass in a row (default 10)
#   -j HOGS   busy loops started beside the tests (default: one per core)
#   the rest goes to `cargo test --locked` (default: the whole suite)
# example: scripts/stress-tests.sh -n 20 -- --test e2e_tmux --test e2e_tmux_served
set -euo pipefail
cd "$(dirname "$0")/.."

runs=10
hogs=$(nproc)
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs=$2; shift 2 ;;
    -j) hogs=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "usage: $0 [-n RUNS] [-j HOGS] [-- CARGO TEST ARGS...]" >&2; exit 2 ;;
  esac
done

# Build first, unloaded: the runs time the tests, not the compiler.
cargo test --locked --no-run "$@" >/dev/null 2>&1 || cargo test --locked --no-run "$@"

pids=()
stop_hogs() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap stop_hogs EXIT
for _ in $(seq "$hogs"); do
  (while :; do :; done) &
  pids+=($!)
done

log=$(mktemp -t stress-tests.XXXXXX)
for run in $(seq "$runs"); do
  start=$(date +%s)
  if CI=${CI:-true} cargo test --locked "$@" >"$log" 2>&1; then
    echo "run $run of $runs passed ($(($(date +%s) - start)) s, load $(cut -d' ' -f1 /proc/loadavg))"
  else
    echo "run $run of $runs FAILED; its output: $log"
    grep -E '^(test .* FAILED|---- |thread .* panicked)' "$log" | head -20 || true
    exit 1
  fi
done
rm -f "$log"
echo "$runs runs in a row passed beside $hogs busy loops"
