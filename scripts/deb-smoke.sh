#!/usr/bin/env bash
# The README's deployment, tried on this machine with the Debian package (as root; CI runs it):
#   its file list (dpkg-deb -c) -> dpkg -i -> the account, the group, /var/lib/permitdesk 0700,
#   no store yet, the man pages (man -w), the completions -> installed again with apt (the
#   maintainer scripts run twice) -> `init` and `user add` as the account -> `serve` as the
#   account with the unit's own ExecStart, umask and directories (systemd is not PID 1 here, so
#   this script plays its part) -> a person in the group acts through the socket, and cannot open
#   the store -> `check` -> dpkg -r: the store stays -> dpkg -P: says where the data is, and the
#   store still stays.
#
#   scripts/deb-smoke.sh [PATH.deb]        # default: the newest target/debian/permitdesk_*.deb
#   DEB_SMOKE_E2E=1 scripts/deb-smoke.sh   # also tests/e2e_ssh.rs against /usr/bin/permitdesk
#
# It refuses to run where permitdesk is installed or /var/lib/permitdesk exists (a real
# deployment); what it made (the package, the account, the group, the directories, the person)
# is removed on exit, also when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "deb-smoke: $*"; }
# The test person is removed only if this script made it (a leftover of an earlier run counts).
person_is_ours() { getent passwd "$PERSON" | cut -d: -f5 | grep -qxF "$PERSON_COMMENT"; }
fail() {
  echo "deb-smoke: FAILED: $*" >&2
  exit 1
}

STATE=/var/lib/permitdesk
RUN=/run/permitdesk
DB=$STATE/permitdesk.db
SOCKET=$RUN/permitdesk.sock
PERSON=pdsmoke1
PERSON_COMMENT="permitdesk deb smoke test"
MARK=$STATE/.deb-smoke

[ "$(id -u)" = 0 ] || fail "needs root (it installs and removes the package)"
for tool in dpkg dpkg-deb apt-get man getent useradd userdel usermod runuser setpriv; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then fail "$tool is missing"; fi
    say "skipped: $tool is missing"
    exit 0
  fi
done
# As the admin would: from root's home, which the account cannot enter.
if command -v sudo >/dev/null 2>&1; then
  run_as() { (cd /root && sudo -u "$@"); }
elif [ "${CI:-}" = true ]; then
  fail "sudo is missing (the README's commands use it)"
else
  run_as() { (cd /root && runuser -u "$1" -- "${@:2}"); }
fi

deb=${1:-$(ls -t target/debian/permitdesk_*.deb 2>/dev/null | head -n 1)}
if [ -z "$deb" ] || [ ! -f "$deb" ]; then fail "no package; build it with scripts/build-deb.sh"; fi

# A leftover of a run that was killed before its cleanup carries the mark, which says whether
# that run made the account and the group; anything else is real.
if [ -e "$MARK" ]; then
  say "removing the leftovers of an earlier run"
  made=$(cat "$MARK")
  dpkg -P permitdesk >/dev/null 2>&1 || true
  rm -rf "$STATE" "$RUN"
  if person_is_ours; then userdel "$PERSON"; fi
  if grep -qx "account made" <<<"$made"; then userdel permitdesk 2>/dev/null || true; fi
  if grep -qx "group made" <<<"$made"; then groupdel permitdesk 2>/dev/null || true; fi
fi
if dpkg-query -W -f '${Status}' permitdesk 2>/dev/null | grep -q installed || [ -e "$STATE" ]; then
  fail "permitdesk is installed or $STATE exists here: not touching a real deployment"
fi
if getent passwd "$PERSON" >/dev/null && ! person_is_ours; then
  fail "a Unix account $PERSON exists and was not made by this script; not touching it"
fi
account_before=$(getent passwd permitdesk || true)
group_before=$(getent group permitdesk || true)

server=""
log=$(mktemp)
cleanup() {
  set +e
  if [ -n "$server" ]; then kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; fi
  dpkg -P permitdesk >/dev/null 2>&1
  rm -rf "$STATE" "$RUN" "$log"
  person_is_ours && userdel "$PERSON"
  [ -z "$account_before" ] && getent passwd permitdesk >/dev/null && userdel permitdesk
  [ -z "$group_before" ] && getent group permitdesk >/dev/null && groupdel permitdesk
}
trap cleanup EXIT

say "the package's files ($deb)"
files=$(dpkg-deb -c "$deb" | awk '{print $6}')
for want in ./usr/bin/permitdesk ./usr/share/permitdesk/cn-holidays.toml \
  ./usr/share/permitdesk/config.example.toml ./usr/lib/systemd/system/permitdesk.service \
  ./usr/lib/systemd/system/permitdesk-replicate.service \
  ./usr/share/permitdesk/litestream-file.yml ./usr/share/permitdesk/litestream-sftp.yml \
  ./usr/share/man/man1/permitdesk.1.gz ./usr/share/man/man1/permitdesk-serve.1.gz \
  ./usr/share/man/man1/permitdesk-case-approve.1.gz \
  ./usr/share/bash-completion/completions/permitdesk ./usr/share/zsh/vendor-completions/_permitdesk \
  ./usr/share/fish/vendor_completions.d/permitdesk.fish; do
  grep -qxF "$want" <<<"$files" || fail "$want is not in the package:"$'\n'"$files"
done
if grep -q '^\./var/' <<<"$files"; then fail "the package ships files in /var"; fi

say "dpkg -i"
dpkg -i "$deb"
{
  if [ -z "$account_before" ]; then echo "account made"; fi
  if [ -z "$group_before" ]; then echo "group made"; fi
} >"$MARK"
[ -x /usr/bin/permitdesk ] || fail "no /usr/bin/permitdesk"
IFS=: read -r _ _ uid _ _ home shell <<<"$(getent passwd permitdesk)" || fail "no permitdesk account"
[ "$uid" -lt 1000 ] || fail "permitdesk is not a system account (uid $uid)"
[ "$home" = "$STATE" ] || fail "the account's home is $home"
[ "$shell" = /usr/sbin/nologin ] || fail "the account's shell is $shell"
getent group permitdesk >/dev/null || fail "no permitdesk group"
[ "$(id -gn permitdesk)" = permitdesk ] || fail "the account's group is $(id -gn permitdesk)"
[ "$(stat -c '%a %U %G' "$STATE")" = "700 permitdesk permitdesk" ] ||
  fail "$STATE is $(stat -c '%a %U %G' "$STATE")"
[ ! -e "$DB" ] || fail "installing made a store"
page=$(man -w permitdesk) || fail "man -w permitdesk finds nothing"
man -w permitdesk-case-approve >/dev/null || fail "no permitdesk-case-approve(1)"
say "man page: $page"
cmp <(permitdesk completions bash) /usr/share/bash-completion/completions/permitdesk ||
  fail "the bash completions differ from permitdesk completions bash"
version=$(permitdesk --version)
grep -Eq '^permitdesk [0-9][^ ]* \(commit [0-9a-z]+, protocol [0-9]+\)$' <<<"$version" ||
  fail "--version says: $version"
say "$version"
if command -v systemd-analyze >/dev/null 2>&1; then
  exposure=$(systemd-analyze security --offline=true /usr/lib/systemd/system/permitdesk.service |
    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  say "systemd-analyze security: $exposure"
  systemd-analyze verify /usr/lib/systemd/system/permitdesk.service || fail "systemd-analyze verify"
  awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }' || fail "exposure $exposure is over 2.0"
  # The replication unit runs Litestream, which the package does not ship: verified where it
  # is installed (.ci/run installs it), its exposure either way.
  unit=/usr/lib/systemd/system/permitdesk-replicate.service
  exposure=$(systemd-analyze security --offline=true "$unit" |
    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  say "systemd-analyze security of permitdesk-replicate: $exposure"
  awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }' || fail "exposure $exposure is over 2.0"
  if [ -x /usr/local/bin/litestream ] || [ -x /usr/bin/litestream ]; then
    systemd-analyze verify "$unit" || fail "systemd-analyze verify $unit"
  elif [ "${CI:-}" = true ]; then
    fail "litestream is not in /usr/local/bin or /usr/bin, where the unit looks for it"
  else
    say "skipped systemd-analyze verify of $unit: litestream is not in /usr/local/bin or /usr/bin"
  fi
elif [ "${CI:-}" = true ]; then
  fail "systemd-analyze is missing"
else
  say "skipped the unit's checks: systemd-analyze is missing"
fi

say "apt-get install --reinstall (the maintainer scripts again)"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall "$(realpath "$deb")" >/dev/null
[ "$(stat -c '%a %U %G' "$STATE")" = "700 permitdesk permitdesk" ] || fail "reinstalling changed $STATE"

if [ "${DEB_SMOKE_E2E:-}" = 1 ]; then
  say "tests/e2e_ssh.rs with the installed binary"
  PERMITDESK_E2E_BIN=/usr/bin/permitdesk cargo test --locked --test e2e_ssh -- --nocapture
fi

say "the store, made by the account; a person added and put in the group"
run_as permitdesk permitdesk --db "$DB" init
getent passwd "$PERSON" >/dev/null || useradd -M -s /bin/sh -c "$PERSON_COMMENT" "$PERSON"
run_as permitdesk permitdesk --db "$DB" user add "$PERSON" --role approver
usermod -aG permitdesk "$PERSON"
cases=$(mktemp -p "$STATE" --suffix=.jsonl)
cat >"$cases" <<'EOF'
{"case_no":"DEB-000001","kind":"overseas_new","category":"B","applicant":{"name":"TESTER DEB","passport_no":"DEB000001","nationality":"FRA","birth_date":"1990-01-01"},"employer":{"name":"Example Software","uscc":"91440101MA5CQ7H2XC"},"documents":[{"kind":"passport","ok":true}]}
EOF
chown permitdesk:permitdesk "$cases"
run_as permitdesk permitdesk --db "$DB" import "$cases"
rm -f "$cases"
run_as permitdesk mkdir -p "$STATE/spool/inbox"

say "serve, as the unit runs it"
unit=/usr/lib/systemd/system/permitdesk.service
exec_start=$(awk '/^ExecStart=/ { on = 1; sub(/^ExecStart=/, "") }
  on { if (sub(/\\$/, "")) printf "%s ", $0; else { print; exit } }' "$unit")
[ -n "$exec_start" ] || fail "no ExecStart in $unit"
install -d -m 0755 -o permitdesk -g permitdesk "$RUN" # RuntimeDirectory=, RuntimeDirectoryMode=
# User=, Group= (and the account's groups), UMask=0077, no environment but what systemd gives;
# setpriv and sh exec, so $! is the server itself.
setpriv --reuid=permitdesk --regid=permitdesk --init-groups env -i PATH=/usr/bin:/bin \
  LANG=C.UTF-8 sh -c "umask 0077; exec $exec_start" 2>"$log" &
server=$!
for _ in $(seq 100); do
  [ -S "$SOCKET" ] && break
  kill -0 "$server" 2>/dev/null || fail "serve exited: $(cat "$log")"
  sleep 0.2
done
[ -S "$SOCKET" ] || fail "no socket at $SOCKET: $(cat "$log")"
grep -q "commit=" "$log" || fail "serve did not log its version and commit: $(cat "$log")"
if grep -q WARN "$log"; then fail "serve warns: $(cat "$log")"; fi
[ "$(stat -c '%a %G' "$SOCKET")" = "660 permitdesk" ] || fail "socket is $(stat -c '%a %G' "$SOCKET")"

say "a person acts through the socket (found by itself, no --connect)"
run_as "$PERSON" permitdesk case claim DEB-000001
run_as "$PERSON" permitdesk case approve DEB-000001
run_as "$PERSON" permitdesk --json case show DEB-000001 | grep -Eq "\"actor\": *\"$PERSON\"" ||
  fail "the person's actions are not theirs in the history"
if run_as "$PERSON" permitdesk --db "$DB" case list >/dev/null 2>&1; then
  fail "the person opened the store directly"
fi
# Its exit code also answers for the calendar's coming years, which depend on today's date.
doctor=$(run_as "$PERSON" permitdesk doctor 2>&1 || true)
echo "$doctor"
for want in "ok   client and server are the same version" "ok   the server says you are $PERSON"; do
  grep -qF "$want" <<<"$doctor" || fail "doctor through the socket does not say: $want"
done

say "check, as the account, after the server stops"
kill -TERM "$server"
wait "$server" || fail "serve did not stop cleanly: $(cat "$log")"
server=""
run_as permitdesk permitdesk --db "$DB" check

say "dpkg -r: the data stays"
dpkg -r permitdesk
[ ! -e /usr/bin/permitdesk ] || fail "the binary is still there"
[ -f "$DB" ] || fail "removing deleted the store"
getent passwd permitdesk >/dev/null || fail "removing deleted the account"

say "dpkg -P: says where the data is, and keeps it"
out=$(dpkg -P permitdesk 2>&1)
echo "$out"
grep -q "$STATE" <<<"$out" || fail "purging did not say where the data is"
[ -f "$DB" ] || fail "purging deleted the store"
say "passed"
