#!/usr/bin/env bash
# Performance at 1,000,000 cases (docs/PERFORMANCE.md): builds the demo store once and caches it,
# then measures the real binary (cold start to first complete frame in tmux, resident memory,
# `demo`, `import` of 100,000 lines) and runs the criterion benches against the cached store.
# Prints a summary table; everything is also kept under target/bench-store/results/.
#
# `served` measures `permitdesk serve` on the same store: the console's cold start through the
# socket (as above, with --connect), 200 idle consoles held for 60 s (server CPU and memory,
# scripts/served-idle.py) and 32 simultaneous claims of one case (scripts/served-race.sh, on a
# small store of its own). The criterion part includes act_served (an action through the socket
# next to direct mode) and console's key_to_frame_served.
#
#   scripts/bench.sh                  # everything (first run: ~2 min to build the store)
#   BENCH_CASES=20000 scripts/bench.sh  # a smaller store, for trying the script out
#   BENCH_REBUILD=1 scripts/bench.sh  # rebuild (and so time) the demo store again
#   BENCH_ONLY=start,memory,import,criterion,plans,served scripts/bench.sh   # some parts only
#   BENCH_RUNS=10                     # cold starts to take the median of (default 10)
#   BENCH_ONLY=supervisors            # the dashboard (key to complete frame) and the reports
#   BENCH_STORE=PATH BENCH_BIN=PATH   # another store (used as it is) and binary (not built)
#   BENCH_IDLE_CONSOLES=200 BENCH_IDLE_HOLD=60   # the idle consoles of `served`
#
# Needs tmux and python3. Writes a scratch copy of the store for `import` and for the action
# bench (so about 3x the store's size on disk: ~18 GB at 1,000,000 cases), removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

CASES=${BENCH_CASES:-1000000}
RUNS=${BENCH_RUNS:-10}
IDLE_CONSOLES=${BENCH_IDLE_CONSOLES:-200}
IDLE_HOLD=${BENCH_IDLE_HOLD:-60}
ONLY=${BENCH_ONLY:-start,memory,demo,import,plans,criterion,served,supervisors}
TODAY=2026-11-26
USER_AS=li.wei
DIR=target/bench-store
STORE=${BENCH_STORE:-$DIR/demo-$CASES.db}
OUT=$DIR/results
BIN=${BENCH_BIN:-${CARGO_TARGET_DIR:-target}/release/permitdesk}
mkdir -p "$OUT"

load() { cut -d' ' -f1-3 /proc/loadavg; }
log() { echo "[$(date +%T) load $(load)] $*" >&2; }
want() { [[ ",$ONLY," == *",$1,"* ]]; }
now_ns() { date +%s%N; }
record() { # name value unit load note
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$OUT/script.tsv"
}
: >"$OUT/script.tsv"
: >"$OUT/criterion.tsv"

machine() {
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "disk: $(df -h . | awk 'NR==2 {print $1 " " $2 " (" $5 " used)"}'), $(findmnt -no FSTYPE -T . 2>/dev/null || echo ?)"
  echo "rustc: $(rustc -V)"
  echo "sqlite (bundled): $(grep -A1 'name = "libsqlite3-sys"' Cargo.lock | tail -1)"
  echo "uptime: $(uptime)"
}
machine | tee "$OUT/machine.txt" >&2

if [[ -z ${BENCH_BIN:-} ]]; then
  log "building the release binary"
  cargo build --release --locked >&2
fi

# --- the demo store, built once ------------------------------------------------------------------
if [[ ! -f $STORE || ${BENCH_REBUILD:-0} == 1 ]]; then
  rm -f "$STORE" "$STORE-wal" "$STORE-shm"
  log "building the $CASES-case demo store (timed)"
  before=$(load)
  t0=$(now_ns)
  "$BIN" demo --cases "$CASES" --no-tui --db "$STORE" --today "$TODAY" >/dev/null
  t1=$(now_ns)
  secs=$(awk "BEGIN {printf \"%.1f\", ($t1 - $t0) / 1e9}")
  printf '%s\t%s\n' "$secs" "$before" >"$STORE.build-time"
  log "built in $secs s"
fi
if want demo && [[ -f $STORE.build-time ]]; then
  read -r secs before <"$STORE.build-time"
  record "demo --cases $CASES (wall)" "$secs" s "$before" "$BIN demo --cases $CASES --no-tui --db $STORE --today $TODAY"
fi
# Open it once for writing, so any pending schema migration is not part of a measurement.
"$BIN" --db "$STORE" --as "$USER_AS" --today "$TODAY" case list --queue pre-audit --limit 1 >/dev/null

# --- query plans -----------------------------------------------------------------------------------
if want plans; then
  log "query plans"
  PERMITDESK_BENCH_DB=$STORE cargo bench --locked --bench plans 2>/dev/null >"$OUT/plans.txt"
  tail -2 "$OUT/plans.txt" >&2
fi

# --- the console in tmux: cold start to first complete frame, and its memory --------------------
SESSION=bench
# A private tmux server, so no other tmux user (tests included) can disturb it.
tm() { tmux -L "permitdesk-bench-$$" "$@"; }
screen_complete() { # the tab counts, the table's total, the selected row and the detail panel
  local s
  s=$(tm capture-pane -p -t "$SESSION" 2>/dev/null) || return 1
  grep -Eq 'Pre-audit \([0-9]+\)' <<<"$s" && grep -Eq ': [0-9]+ cases' <<<"$s" &&
    grep -q '▶ ' <<<"$s" && grep -q 'History' <<<"$s"
}
console_pid() { tm display -p -t "$SESSION" '#{pane_pid}'; }
if want start || want memory; then
  command -v tmux >/dev/null || { echo "tmux is needed" >&2; exit 1; }
  tm new-session -d -s "$SESSION" -x 160 -y 48 "sleep 100000"
  tm set-option -g remain-on-exit on # the pane outlives each console, to be respawned
  trap 'tm kill-server 2>/dev/null || true' EXIT
  starts=()
  for ((i = 1; i <= RUNS; i++)); do
    t0=$(now_ns)
    tm respawn-pane -k -t "$SESSION" "exec $BIN --db $STORE --as $USER_AS --today $TODAY"
    until screen_complete; do
      if (($(now_ns) - t0 > 20000000000)); then
        echo "the console drew no complete frame within 20 s:" >&2
        tm capture-pane -p -t "$SESSION" >&2
        exit 1
      fi
    done
    t1=$(now_ns)
    starts+=("$(((t1 - t0) / 1000000))")
    if ((i == RUNS)) && want memory; then
      pid=$(console_pid)
      rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
      # Every tab, then PageDown held through Closed (about 14,000 rows: the table keeps only a
      # window of them), the detail panel, a search: then the high-water mark.
      for key in Tab Tab Tab Tab Tab Tab Tab Tab; do
        tm send-keys -t "$SESSION" "$key"
        sleep 0.3
      done
      for ((k = 0; k < 300; k++)); do
        tm send-keys -t "$SESSION" PageDown
      done
      sleep 2
      for key in Enter Escape; do
        tm send-keys -t "$SESSION" "$key"
        sleep 0.3
      done
      tm send-keys -t "$SESSION" / h e r n
      sleep 1
      tm send-keys -t "$SESSION" Escape
      sleep 0.5
      hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
      rss_after=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
      record "console VmRSS after the first frame" "$((rss / 1024))" MB "$(load)" "/proc/PID/status of the console in tmux"
      record "console VmHWM after every tab, paging, detail, search" "$((hwm / 1024))" MB "$(load)" "VmRSS then $((rss_after / 1024)) MB"
    fi
    tm send-keys -t "$SESSION" q
    sleep 0.2
  done
  tm kill-server 2>/dev/null || true
  trap - EXIT
  if want start; then
    sorted=$(printf '%s\n' "${starts[@]}" | sort -n | tr '\n' ' ')
    median=$(printf '%s\n' "${starts[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
    record "console cold start to first complete frame (median of $RUNS)" "$median" ms "$(load)" "all: $sorted"
  fi
fi

# --- what supervisors wait for (issue 18): the dashboard and the reports ----------------------------
SUPERVISOR=wang.fang
dashboard_complete() { # every panel filled: the headline, a workload row, the trend; nothing loading
  local s
  s=$(tm capture-pane -p -t "$SESSION" 2>/dev/null) || return 1
  grep -q "Dashboard, $TODAY" <<<"$s" && grep -Eq 'today [0-9]+' <<<"$s" &&
    grep -q "Workload: open" <<<"$s" && grep -Eq '[a-z]+\.[a-z]+[0-9]* +[0-9]+ \([0-9]+\)' <<<"$s" &&
    ! grep -q 'loading' <<<"$s"
}
if want supervisors; then
  command -v tmux >/dev/null || { echo "tmux is needed" >&2; exit 1; }
  tm new-session -d -s "$SESSION" -x 160 -y 48 "sleep 100000"
  tm set-option -g remain-on-exit on
  trap 'tm kill-server 2>/dev/null || true' EXIT
  tm respawn-pane -k -t "$SESSION" "exec $BIN --db $STORE --as $SUPERVISOR --today $TODAY"
  t0=$(now_ns)
  until screen_complete; do
    (($(now_ns) - t0 < 20000000000)) || { tm capture-pane -p -t "$SESSION" >&2; exit 1; }
  done
  opens=()
  for ((i = 1; i <= RUNS; i++)); do
    sleep 1.5 # the console's own polls and refreshes settle
    t0=$(now_ns)
    tm send-keys -t "$SESSION" D
    until dashboard_complete; do
      if (($(now_ns) - t0 > 60000000000)); then
        echo "the dashboard was not complete within 60 s:" >&2
        tm capture-pane -p -t "$SESSION" >&2
        exit 1
      fi
    done
    t1=$(now_ns)
    opens+=("$(((t1 - t0) / 1000000))")
    ((i == 1)) && tm capture-pane -p -t "$SESSION" >"$OUT/dashboard.txt"
    tm send-keys -t "$SESSION" Escape
  done
  tm send-keys -t "$SESSION" q
  sleep 0.2
  tm kill-server 2>/dev/null || true
  trap - EXIT
  sorted=$(printf '%s\n' "${opens[@]}" | sort -n | tr '\n' ' ')
  median=$(printf '%s\n' "${opens[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
  record "dashboard: D to the complete frame, real binary in tmux, as $SUPERVISOR (median of $RUNS)" "$median" ms "$(load)" "all: $sorted"
  for args in "sla --from 2025-11-26 --to $TODAY" "overdue" "workload"; do
    times=()
    for ((i = 1; i <= 5; i++)); do
      t0=$(now_ns)
      # shellcheck disable=SC2086 # the report's arguments are words
      "$BIN" --db "$STORE" --as "$SUPERVISOR" --today "$TODAY" report $args >/dev/null
      t1=$(now_ns)
      times+=("$(((t1 - t0) / 1000000))")
    done
    sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
    record "report $args (whole command, median of 5)" "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)" ms "$(load)" "all: $sorted"
  done
fi

# --- served mode: cold start through the socket, idle consoles, simultaneous claims --------------
if want served; then
  command -v tmux >/dev/null || { echo "tmux is needed" >&2; exit 1; }
  SOCK=$DIR/bench-serve.sock
  log "permitdesk serve on $STORE"
  PERMITDESK_LOG=info "$BIN" --db "$STORE" serve --socket "$SOCK" --group "$(id -gn)" \
    --trust-declared-user 2>"$OUT/serve.log" &
  server=$!
  trap 'kill $server 2>/dev/null || true; tm kill-server 2>/dev/null || true' EXIT
  until python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])' "$SOCK" 2>/dev/null; do
    kill -0 "$server" || { cat "$OUT/serve.log" >&2; exit 1; }
    sleep 0.05
  done
  tm new-session -d -s "$SESSION" -x 160 -y 48 "sleep 100000"
  tm set-option -g remain-on-exit on
  starts=()
  for ((i = 1; i <= RUNS; i++)); do
    t0=$(now_ns)
    tm respawn-pane -k -t "$SESSION" "exec $BIN --connect $SOCK --as $USER_AS --today $TODAY"
    until screen_complete; do
      if (($(now_ns) - t0 > 20000000000)); then
        echo "the served console drew no complete frame within 20 s:" >&2
        tm capture-pane -p -t "$SESSION" >&2
        exit 1
      fi
    done
    t1=$(now_ns)
    starts+=("$(((t1 - t0) / 1000000))")
    if ((i == RUNS)); then
      pid=$(console_pid)
      record "served console (client) VmRSS after the first frame" "$(($(awk '/VmRSS/ {print $2}' "/proc/$pid/status") / 1024))" MB "$(load)" "/proc/PID/status of permitdesk --connect in tmux"
    fi
    tm send-keys -t "$SESSION" q
    sleep 0.2
  done
  tm kill-server 2>/dev/null || true
  sorted=$(printf '%s\n' "${starts[@]}" | sort -n | tr '\n' ' ')
  median=$(printf '%s\n' "${starts[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
  record "served console cold start to first complete frame, through the socket (median of $RUNS)" "$median" ms "$(load)" "all: $sorted"
  log "$IDLE_CONSOLES idle consoles for $IDLE_HOLD s"
  before=$(load)
  python3 scripts/served-idle.py --socket "$SOCK" --pid "$server" --consoles "$IDLE_CONSOLES" \
    --hold "$IDLE_HOLD" --as "$USER_AS" --today "$TODAY" >"$OUT/idle.tsv"
  while IFS=$'\t' read -r name value unit; do
    record "$name" "$value" "$unit" "$before" "scripts/served-idle.py, server pid $server"
  done <"$OUT/idle.tsv"
  kill "$server"
  wait "$server" 2>/dev/null || true
  trap - EXIT
  log "32 simultaneous claims of one case (scripts/served-race.sh)"
  before=$(load)
  tally=$(RACE_ROUNDS=5 scripts/served-race.sh | tail -1 || true)
  record "32 simultaneous claims of one case through one server, 5 rounds" "${tally#*: }" "" "$before" "scripts/served-race.sh (2,000-case store)"
fi

# --- import of a 100,000-line batch ----------------------------------------------------------------
if want import; then
  BATCH=$DIR/import-100000.jsonl
  [[ -f $BATCH ]] || python3 scripts/gen-import.py "$STORE" 100000 "$BATCH"
  SCRATCH=$DIR/import-scratch.db
  rm -f "$SCRATCH" "$SCRATCH-wal" "$SCRATCH-shm"
  log "copying the store for the import"
  cp "$STORE" "$SCRATCH"
  sync # the copy's writeback would otherwise compete with the import's own fsyncs
  before=$(load)
  t0=$(now_ns)
  "$BIN" --db "$SCRATCH" --as admin --today "$TODAY" import "$BATCH" >/dev/null 2>&1
  t1=$(now_ns)
  record "import of 100,000 lines into the $CASES-case store" "$(awk "BEGIN {printf \"%.2f\", ($t1 - $t0) / 1e9}")" s "$before" "$BIN --db COPY --as admin import $BATCH"
  rm -f "$SCRATCH" "$SCRATCH-wal" "$SCRATCH-shm"
fi

# --- criterion ---------------------------------------------------------------------------------------
if want criterion; then
  log "criterion benches on $STORE"
  PERMITDESK_BENCH_DB=$STORE PERMITDESK_BENCH_REPORT=$OUT/criterion.tsv \
    cargo bench --locked --bench queues --bench act --bench console --bench act_served 2>&1 |
    grep -E '^permitdesk-bench|^copied|time:' >&2
fi

# --- summary -----------------------------------------------------------------------------------------
python3 - "$OUT" <<'PY'
import sys, collections
out = sys.argv[1]
print()
print("| measure | result | load (1/5/15 min) | note |")
print("|---|---|---|---|")
for line in open(f"{out}/script.tsv", encoding="utf-8"):
    name, value, unit, load, note = line.rstrip("\n").split("\t")
    print(f"| {name} | {value} {unit} | {load} | {note} |")
rows = collections.OrderedDict()
for line in open(f"{out}/criterion.tsv", encoding="utf-8"):
    name, n, p50, p95, p99 = line.rstrip("\n").split("\t")
    rows[name] = (int(n), float(p50), float(p95), float(p99))
if rows:
    def ms(us):
        return f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.0f} µs"
    print()
    print("| criterion measure | n | p50 | p95 | p99 | raw p50 | app/raw p50 |")
    print("|---|---|---|---|---|---|---|")
    for name, (n, p50, p95, p99) in rows.items():
        if "/raw/" in name or name.endswith("/raw"):
            continue
        raw = rows.get(name.replace("/app/", "/raw/").replace("/app", "/raw")) if "app" in name else None
        ratio = f"{p50 / raw[1]:.2f}x" if raw else "-"
        print(f"| {name} | {n} | {ms(p50)} | {ms(p95)} | {ms(p99)} | {ms(raw[1]) if raw else '-'} | {ratio} |")
PY
