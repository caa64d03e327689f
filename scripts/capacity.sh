#!/usr/bin/env bash
# The capacity model's per-unit costs that scripts/recovery-drill.py does not measure
# (docs/CAPACITY.md): what a case and an event take in the store (SQLite's dbstat, every table
# and index assigned to the case or the event it grows with), what one console costs its person's
# session (the served console's own memory, in tmux, after a first frame and after a walk through
# every queue) and the server (memory and CPU per idle console, scripts/served-idle.py).
#
#   scripts/capacity.sh BIN STORE [CONSOLES]
#
# STORE must be a copy that may be written (the server opens it; the walk records a visit).
# Needs tmux, sqlite3 (with dbstat, as Debian's is) and python3. Prints tab-separated lines:
# measure, value, unit, the 1-minute load average.
set -euo pipefail
BIN=$(realpath "$1")
STORE=$(realpath "$2")
CONSOLES=${3:-60}  # the server takes at most 64 connections from one Unix account
TODAY=2026-11-26
AS=li.wei
DIR=$(mktemp -d)
SOCK=$DIR/pd.sock
SESSION=cap
load() { cut -d' ' -f1 /proc/loadavg; }
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(load)"; }
tm() { tmux -L "permitdesk-capacity-$$" "$@"; }
server=
cleanup() {
  tm kill-server 2>/dev/null || true
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$DIR"
}
trap cleanup EXIT

# --- the store: bytes per case and per event ---------------------------------------------------
# Every b-tree grows with either cases or events; the few small ones (users, settings, outbox
# marks...) are "other". dbstat reads every page (about a minute for 6 GB).
sqlite3 -readonly "$STORE" "
  WITH sizes AS (SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name),
  kinds AS (SELECT s.name, s.bytes, CASE
      WHEN s.name IN ('events', 'events_by_case', 'admin_events', 'admin_events_by_kind')
        OR s.name LIKE 'sqlite_autoindex_events%' THEN 'event'
      WHEN s.name IN ('cases', 'stage_counts', 'issued_numbers', 'upstream_versions')
        OR s.name LIKE 'case_search%' OR s.name LIKE 'cases_%'
        OR s.name LIKE 'sqlite_autoindex_cases%' OR s.name LIKE 'sqlite_autoindex_issued%'
        OR s.name LIKE 'sqlite_autoindex_upstream%' THEN 'case'
      ELSE 'other' END AS kind FROM sizes s)
  SELECT kind, sum(bytes) FROM kinds GROUP BY kind;
  SELECT 'cases', count(*) FROM cases;
  SELECT 'events', (SELECT count(*) FROM events) + (SELECT count(*) FROM admin_events);
  SELECT 'file', page_count * page_size FROM pragma_page_count, pragma_page_size;" >"$DIR/sizes"
get() { awk -F'|' -v k="$1" '$1 == k {print $2}' "$DIR/sizes"; }
cases=$(get cases)
events=$(get events)
record "store file" "$(get file)" bytes
record "cases / events in the store" "$cases / $events" ""
record "b-trees that grow with cases, per case" "$(($(get case) / cases))" bytes
record "b-trees that grow with events, per event" "$(($(get event) / events))" bytes
record "everything else" "$(get other)" bytes

# --- the server, and one console through it ----------------------------------------------------
"$BIN" --db "$STORE" serve --socket "$SOCK" --group "$(id -gn)" --trust-declared-user \
  2>"$DIR/serve.log" &
server=$!
until python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])' "$SOCK" 2>/dev/null; do
  kill -0 "$server" || { cat "$DIR/serve.log" >&2; exit 1; }
  sleep 0.05
done
kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
record "server VmRSS, no console" "$(($(kb "$server" VmRSS) / 1024))" MB
tm -f /dev/null new-session -d -s "$SESSION" -x 160 -y 48 \
  "exec $BIN --connect $SOCK --as $AS --today $TODAY"
complete() {
  local s
  s=$(tm capture-pane -p -t "$SESSION" 2>/dev/null) || return 1
  grep -Eq 'Pre-audit \([0-9]+\)' <<<"$s" && grep -Eq ': [0-9]+ cases' <<<"$s" &&
    grep -q '▶ ' <<<"$s" && grep -q 'History' <<<"$s"
}
for _ in $(seq 200); do complete && break; sleep 0.1; done
complete || { tm capture-pane -p -t "$SESSION" >&2; exit 1; }
console=$(tm display -p -t "$SESSION" '#{pane_pid}')
record "served console (client) VmRSS after the first frame" "$(($(kb "$console" VmRSS) / 1024))" MB
# Every tab, 300 PageDown through Closed, the detail, a search (as scripts/bench.sh's memory).
for key in Tab Tab Tab Tab Tab Tab Tab Tab; do tm send-keys -t "$SESSION" "$key"; sleep 0.3; done
for _ in $(seq 300); do tm send-keys -t "$SESSION" PageDown; done
sleep 2
for key in Enter Escape; do tm send-keys -t "$SESSION" "$key"; sleep 0.3; done
tm send-keys -t "$SESSION" / h e r n
sleep 1
tm send-keys -t "$SESSION" Escape
sleep 0.5
record "served console (client) VmHWM after every tab, paging, detail, search" "$(($(kb "$console" VmHWM) / 1024))" MB
record "server VmRSS with that console open" "$(($(kb "$server" VmRSS) / 1024))" MB
tm send-keys -t "$SESSION" q
sleep 0.5
tm kill-server 2>/dev/null || true

# --- idle consoles: the server's memory and CPU per console ------------------------------------
python3 "$(dirname "$0")/served-idle.py" --socket "$SOCK" --pid "$server" --consoles "$CONSOLES" \
  --hold 60 --baseline 20 --as "$AS" --today "$TODAY" | while IFS=$'\t' read -r name value unit; do
  record "$name" "$value" "$unit"
done
