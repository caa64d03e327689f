#!/usr/bin/env bash
# 32 people claim the same case through one `permitdesk serve` at the same moment
# (docs/PERFORMANCE.md, "Served mode"): exactly one must win (exit 0) and 31 be told someone else
# holds it (exit 4), with no other error. Prints the tally; exits 1 if it is anything else.
#
#   scripts/served-race.sh                 # a fresh 2,000-case demo store in a temporary directory
#   RACE_CLAIMERS=64 scripts/served-race.sh
#   RACE_ROUNDS=20 scripts/served-race.sh  # 20 races in a row, each on its own case
#
# Uses the release binary (built if missing). The claimers are approvers racer01..racer32, added
# with `user add`; the server runs with --trust-declared-user so each client may say who it is
# (on a real server each would be a different login). tests/served_race.rs is the same race as a test.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${RACE_CLAIMERS:-32}
ROUNDS=${RACE_ROUNDS:-1}
CASES=${RACE_CASES:-2000}
TODAY=2026-11-26
BIN=${CARGO_TARGET_DIR:-target}/release/permitdesk
[[ -x $BIN ]] || cargo build --release --locked >&2

WORK=$(mktemp -d)
STORE=$WORK/race.db
SOCK=$WORK/race.sock
server=
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

pd() { "$BIN" --db "$STORE" --today "$TODAY" "$@"; }
pd demo --cases "$CASES" --no-tui >/dev/null 2>&1
for ((i = 1; i <= N; i++)); do
  pd --as admin user add "$(printf 'racer%02d' "$i")" --role approver >/dev/null
done
mapfile -t cases < <(pd --as li.wei --json case list --queue pre-audit --filter unclaimed --limit "$ROUNDS" |
  python3 -c 'import json, sys; [print(r["case_no"]) for r in json.load(sys.stdin)]')
((${#cases[@]} >= ROUNDS)) || { echo "only ${#cases[@]} unclaimed pre-audit cases" >&2; exit 1; }

PERMITDESK_LOG=warn "$BIN" --db "$STORE" serve --socket "$SOCK" --group "$(id -gn)" \
  --trust-declared-user 2>"$WORK/serve.log" &
server=$!
for ((t = 0; t < 500; t++)); do
  python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])' "$SOCK" 2>/dev/null && break
  sleep 0.02
done

total_won=0 total_lost=0 total_other=0
for ((r = 0; r < ROUNDS; r++)); do
  case_no=${cases[$r]}
  rm -f "$WORK/go" "$WORK"/rc.* "$WORK"/err.*
  winner=
  pids=()
  for ((i = 1; i <= N; i++)); do
    user=$(printf 'racer%02d' "$i")
    # Every claimer is started and waits for the same starting signal, then execs at once.
    (
      while [[ ! -e $WORK/go ]]; do sleep 0.001; done
      rc=0
      "$BIN" --connect "$SOCK" --as "$user" --today "$TODAY" case claim "$case_no" \
        >/dev/null 2>"$WORK/err.$user" || rc=$?
      echo "$rc" >"$WORK/rc.$user"
    ) &
    pids+=($!)
  done
  sleep 0.5
  touch "$WORK/go"
  wait "${pids[@]}"
  won=0 lost=0 other=0
  for f in "$WORK"/rc.*; do
    case $(cat "$f") in
      0) won=$((won + 1)); winner=${f##*/rc.} ;;
      4) lost=$((lost + 1)) ;;
      *) other=$((other + 1)); echo "  ${f##*/rc.}: exit $(cat "$f"): $(cat "$WORK/err.${f##*/rc.}")" ;;
    esac
  done
  holder=$("$BIN" --connect "$SOCK" --as li.wei --today "$TODAY" --json case show "$case_no" |
    python3 -c 'import json, sys; c = json.load(sys.stdin); print((c.get("claim") or {}).get("user") or c.get("assignee") or "?")' 2>/dev/null || echo "?")
  sample=$(cat "$WORK"/err.* | grep -m1 . || true)
  echo "round $((r + 1)): $case_no: $won won (${winner:-none}; the store says $holder holds it), $lost exit 4, $other other; a loser was told: $sample"
  total_won=$((total_won + won)) total_lost=$((total_lost + lost)) total_other=$((total_other + other))
done
echo "tally over $ROUNDS round(s) of $N claimers: $total_won won, $total_lost exit 4, $total_other other errors"
if grep -qi 'error\|panic' "$WORK/serve.log"; then
  echo "the server logged:" >&2
  cat "$WORK/serve.log" >&2
fi
[[ $total_won == "$ROUNDS" && $total_lost == $((ROUNDS * (N - 1))) && $total_other == 0 ]]
