#!/usr/bin/env python3
"""The loss of the server, measured (docs/RELIABILITY.md, "Recovery"; docs/CAPACITY.md).

A store served by `permitdesk serve` and replicated by `litestream replicate` to a file replica
in another directory; CLIENTS console sessions (demo approvers in turn, through the socket, as
the console does) each write notes on a case of its own as fast as the server answers,
each acknowledged action recorded with its audit sequence number and the time its reply
arrived. After SECONDS the server and Litestream are killed in the same instant (SIGKILL: the
machine is gone) and the store's directory is removed (the disk is gone). Then the recovery, as
the README's "Recovery" says: `litestream restore` into the store's path, `permitdesk serve`
on it, and a console (in tmux) until its first complete frame. Reported: every acknowledged
action missing from the restored store (the recovery point), and the time from the loss to the
first frame of a working console (the recovery time), with its parts; also what the load cost
(server and Litestream CPU per action, replica bytes per action, actions per second).

    scripts/recovery-drill.py --bin target/release/permitdesk --work /tmp/drill \
        [--store /work/bench/demo-1M.db | --cases 20000] [--clients 16] [--seconds 30] \
        [--sync-interval 1s] [--monitor-interval 1s] [--min-checkpoint-pages N] [--pause S]
        [--settle S] [--standby]
        [--keep]

--standby keeps a warm copy beside the replica (`litestream restore -f`, following it every
200 ms) from before the load; the recovery then stops the follower (SIGTERM: it finishes the file
it is applying) and serves that copy instead of restoring.

--store copies an existing demo store (its anchor key too) and never writes to it. Needs
litestream (0.5) and tmux. Prints one JSON document on stdout, progress on stderr.
"""
import argparse, json, os, shutil, signal, socket, struct, subprocess, sys, threading, time

TICK = os.sysconf("SC_CLK_TCK")
TODAY = "2026-11-26"


def protocol_version():
    """The protocol this checkout's server speaks (src/remote/protocol.rs, `PROTOCOL`): a client
    must name it exactly in its Hello."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "remote",
                       "protocol.rs")
    with open(src) as f:
        for line in f:
            if line.startswith("pub const PROTOCOL: u32 ="):
                return int(line.split("=")[1].strip().rstrip(";"))
    raise SystemExit(f"no `pub const PROTOCOL` in {src}")


PROTOCOL = protocol_version()


def say(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def frame(msg):
    body = json.dumps(msg).encode()
    return struct.pack(">I", len(body)) + body


def read_frame(sock):
    def exactly(n):
        buf = b""
        while len(buf) < n:
            more = sock.recv(n - len(buf))
            if not more:
                raise EOFError("the server closed the connection")
            buf += more
        return buf

    (length,) = struct.unpack(">I", exactly(4))
    return json.loads(exactly(length))


class Session:
    """A console's connection: a handshake as `user`, then jobs, one at a time."""

    def __init__(self, path, user):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.sock.sendall(frame({"Hello": {"protocol": PROTOCOL, "version": "0.1.0", "as_user": user,
                                           "today": TODAY, "lang": "en"}}))
        welcome = read_frame(self.sock)
        if "Welcome" not in welcome:
            raise SystemExit(f"refused as {user}: {welcome}")
        self.user = user

    def act(self, case_no, action):
        request = {"case_no": case_no, "user": self.user, "action": action,
                   "expect_version": None, "expect_stage": None, "today": TODAY}
        self.sock.sendall(frame({"Job": {"Act": {"request": request}}}))
        while True:
            msg = read_frame(self.sock)
            if "Reply" in msg:
                acted = msg["Reply"].get("Acted", {})
                if "Ok" in acted:
                    return acted["Ok"]["seq"]
                raise RuntimeError(f"{self.user} {case_no}: {msg['Reply']}")


def cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except OSError:
        return 0


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def tree_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def wait_for(what, probe, timeout, every=0.005):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if probe():
            return time.monotonic()
        time.sleep(every)
    raise SystemExit(f"{what}: not within {timeout} s")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--store")
    p.add_argument("--cases", type=int, default=20000)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--sync-interval", default="1s")
    p.add_argument("--monitor-interval", default="1s")
    p.add_argument("--min-checkpoint-pages", type=int,
                   help="Litestream's min-checkpoint-page-count (its default: 1000)")
    p.add_argument("--pause", type=float, default=0.0,
                   help="seconds each client waits between its actions (a person's pace)")
    p.add_argument("--settle", type=float, default=0.0,
                   help="seconds to wait after the first snapshot (Litestream compacts it at 30 s)")
    p.add_argument("--standby", action="store_true",
                   help="keep a standby copy with `litestream restore -f` and promote it")
    p.add_argument("--keep", action="store_true")
    a = p.parse_args()
    binary = os.path.abspath(a.bin)
    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=False)
    os.umask(0o077)
    live_dir, replica = os.path.join(work, "live"), os.path.join(work, "replica")
    offsite = os.path.join(work, "offsite")  # the anchor key's copy kept off the server
    os.makedirs(live_dir)
    os.makedirs(offsite)
    db = os.path.join(live_dir, "permitdesk.db")
    sock_path = os.path.join(work, "pd.sock")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERMITDESK_")}
    env.update(LANG="C.UTF-8", XDG_CONFIG_HOME=os.path.join(work, "config"))
    pd = lambda *args: [binary, "--db", db, *args]
    result = {"clients": a.clients, "seconds": a.seconds, "pause": a.pause,
              "min_checkpoint_pages": a.min_checkpoint_pages,
              "sync_interval": a.sync_interval, "monitor_interval": a.monitor_interval}

    if a.store:
        say(f"copying {a.store}")
        t0 = time.monotonic()
        run(["cp", "--sparse=always", a.store, db])
        shutil.copy(a.store + ".anchor-key", db + ".anchor-key")
        result["copy_seconds"] = round(time.monotonic() - t0, 1)
        result["source"] = a.store
    else:
        say(f"building a {a.cases}-case demo store")
        run(pd("demo", "--cases", str(a.cases), "--no-tui", "--today", TODAY), env=env)
        result["source"] = f"demo --cases {a.cases}"
    shutil.copy(db + ".anchor-key", offsite)
    result["store_bytes"] = os.path.getsize(db)
    config = os.path.join(work, "litestream.yml")
    with open(config, "w") as f:
        extra = (f"    min-checkpoint-page-count: {a.min_checkpoint_pages}\n"
                 if a.min_checkpoint_pages else "")
        f.write(f"dbs:\n  - path: {db}\n    monitor-interval: {a.monitor_interval}\n{extra}"
                f"    replica:\n      type: file\n      path: {replica}\n"
                f"      sync-interval: {a.sync_interval}\n")

    say("litestream replicate: the first snapshot")
    ls_log = open(os.path.join(work, "litestream.log"), "w")
    t0 = time.monotonic()
    litestream = subprocess.Popen(["litestream", "replicate", "-config", config,
                                   "-log-level", "debug"],
                                  stdout=ls_log, stderr=subprocess.STDOUT, env=env)
    level0 = os.path.join(replica, "ltx", "0")
    # A file is uploaded as NAME.ltx.tmp and renamed when whole.
    wait_for("the first snapshot on the replica",
             lambda: os.path.isdir(level0) and any(n.endswith(".ltx") for n in os.listdir(level0)),
             3600, 0.2)
    result["first_snapshot_seconds"] = round(time.monotonic() - t0, 1)
    result["replica_bytes_after_snapshot"] = tree_bytes(replica)
    say(f"first snapshot in {result['first_snapshot_seconds']} s, replica {result['replica_bytes_after_snapshot']} bytes")
    standby_db, follower = os.path.join(work, "standby", "permitdesk.db"), None
    if a.standby:
        os.makedirs(os.path.dirname(standby_db))
        say("a standby: litestream restore -f")
        follow_log = open(os.path.join(work, "follow.log"), "w")
        t0 = time.monotonic()
        follower = subprocess.Popen(["litestream", "restore", "-f", "-follow-interval", "200ms",
                                     "-config", config, "-o", standby_db, db],
                                    stdout=follow_log, stderr=subprocess.STDOUT, env=env)
        wait_for("the standby following", lambda: "entering follow mode" in open(
            os.path.join(work, "follow.log")).read(), 3600, 0.2)
        result["standby_first_restore_seconds"] = round(time.monotonic() - t0, 1)
    if a.settle:
        say(f"settling {a.settle} s")
        time.sleep(a.settle)

    group = run(["id", "-gn"]).stdout.strip()
    server_log = open(os.path.join(work, "serve.log"), "w")

    def serve():
        proc = subprocess.Popen(pd("serve", "--socket", sock_path, "--group", group,
                                   "--trust-declared-user"),
                                stdout=server_log, stderr=subprocess.STDOUT, env=env)
        wait_for("the server's socket", lambda: os.path.exists(sock_path) and connects(), 120)
        return proc

    def connects():
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock_path)
            s.close()
            return True
        except OSError:
            return False

    server = serve()
    users = [u["name"] for u in json.loads(run(pd("--as", "admin", "user", "list", "--json"),
                                                env=env).stdout)
             if u["active"] and "approver" in u["roles"]]
    rows = json.loads(run(pd("--as", users[0], "--today", TODAY, "case", "list", "--queue",
                             "all", "--limit", str(a.clients), "--json"), env=env).stdout)
    cases = [r["case_no"] for r in rows]
    if len(cases) < a.clients:
        raise SystemExit(f"only {len(cases)} cases for {a.clients} clients")

    # The load: each client notes its own case (a note needs no claim) until the server is gone.
    acks = []  # (client, n, seq, monotonic time of the reply)
    acks_lock = threading.Lock()
    stop = threading.Event()
    errors = []

    def client(i):
        try:
            s = Session(sock_path, users[i % len(users)])
            n = 0
            while not stop.is_set():
                seq = s.act(cases[i], {"action": "note", "text": f"drill {i}-{n}"})
                with acks_lock:
                    acks.append((i, n, seq, time.monotonic()))
                n += 1
                if a.pause:
                    stop.wait(a.pause)
        except (OSError, EOFError, RuntimeError) as e:
            if not stop.is_set():
                errors.append(f"client {i}: {e}")

    import sqlite3
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    result["head_before_load"] = conn.execute(
        "SELECT max(seq) FROM (SELECT seq FROM events UNION ALL SELECT seq FROM admin_events)"
    ).fetchone()[0]
    conn.close()
    before = {"server": cpu_ticks(server.pid), "litestream": cpu_ticks(litestream.pid),
              "l0": tree_bytes(os.path.join(replica, "ltx", "0")), "replica": tree_bytes(replica)}
    say(f"{a.clients} clients acting for {a.seconds} s")
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(a.clients)]
    t_start = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(a.seconds)
    # Just before the loss: what the load cost so far.
    with acks_lock:
        acked_so_far = len(acks)
    cost = {"server": cpu_ticks(server.pid) - before["server"],
            "litestream": cpu_ticks(litestream.pid) - before["litestream"],
            "elapsed": time.monotonic() - t_start}

    # The loss: both processes at once, then the disk.
    stop.set()
    os.kill(server.pid, signal.SIGKILL)
    os.kill(litestream.pid, signal.SIGKILL)
    t_loss = time.monotonic()
    server.wait()
    litestream.wait()
    for t in threads:
        t.join(timeout=10)
    with acks_lock:
        acked = list(acks)
    l0_after = tree_bytes(os.path.join(replica, "ltx", "0"))
    ls_log.flush()
    # Whole-store snapshots after the first: each copies every page again (a WAL reset that
    # Litestream did not make itself; docs/RELIABILITY.md, "Recovery").
    with open(os.path.join(work, "litestream.log")) as f:
        result["litestream_snapshots_after_the_first"] = sum(
            1 for line in f if "snap=true reason=" in line)
    replica_after = tree_bytes(replica)
    shutil.rmtree(live_dir)
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    say(f"lost: {len(acked)} actions acknowledged; store directory removed")

    # The recovery, as README.md "Recovery" says.
    os.makedirs(live_dir, mode=0o700)
    t_recovery = time.monotonic()
    if follower:
        follower.send_signal(signal.SIGTERM)
        follower.wait()
        db = standby_db
        pd = lambda *args: [binary, "--db", db, *args]
        live_dir = os.path.dirname(db)
    else:
        run(["litestream", "restore", "-config", config, db], env=env)
    t_restored = time.monotonic()
    shutil.copy(os.path.join(offsite, "permitdesk.db.anchor-key"), live_dir)
    server = serve()
    t_serving = time.monotonic()
    tm = ["tmux", "-L", f"drill-{os.getpid()}"]
    console = f"exec {binary} --connect {sock_path} --as {users[0]} --today {TODAY}"
    subprocess.run(tm + ["-f", "/dev/null", "new-session", "-d", "-s", "drill", "-x", "160",
                         "-y", "48", console], check=True, env=env)

    def frame_complete():
        s = subprocess.run(tm + ["capture-pane", "-p", "-t", "drill"], capture_output=True,
                           text=True).stdout
        return "Pre-audit (" in s and " cases" in s and "History" in s

    try:
        t_console = wait_for("the console's first complete frame", frame_complete, 60, 0.01)
    finally:
        subprocess.run(tm + ["kill-server"], capture_output=True)
    say("a console works again")

    # What was lost: every acknowledged action whose event is not in the restored store.
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    head = conn.execute("SELECT max(seq) FROM (SELECT seq FROM events UNION ALL "
                        "SELECT seq FROM admin_events)").fetchone()[0]
    notes = {}
    for seq, payload in conn.execute("SELECT seq, payload FROM events WHERE seq > ? AND "
                                     "action = 'note'", (min((s for _, _, s, _ in acked),
                                                             default=head + 1) - 1,)):
        notes[seq] = payload
    missing = [(i, n, seq, t) for i, n, seq, t in acked
               if f"drill {i}-{n}\"" not in notes.get(seq, "")]
    conn.close()
    server.send_signal(signal.SIGTERM)
    server.wait()
    say("check on the recovered store")
    t0 = time.monotonic()
    checked = subprocess.run(pd("--as", "admin", "--today", TODAY, "check", "--json"),
                             capture_output=True, text=True, env=env)
    result["check"] = {"exit": checked.returncode, "seconds": round(time.monotonic() - t0, 1),
                       "problems": json.loads(checked.stdout or "{}").get("problems")}
    restored_bytes = sum(os.path.getsize(db + suffix) for suffix in ("", "-wal")
                         if os.path.exists(db + suffix))

    result.update({
        "actions_acknowledged": len(acked),
        "actions_per_second": round(acked_so_far / cost["elapsed"], 1),
        "client_errors_before_the_loss": errors[:5],
        "server_cpu_ms_per_action": round(1000 * cost["server"] / TICK / max(acked_so_far, 1), 3),
        "litestream_cpu_ms_per_action": round(1000 * cost["litestream"] / TICK / max(acked_so_far, 1), 3),
        "replica_l0_bytes_per_action": round((l0_after - before["l0"]) / max(len(acked), 1)),
        "replica_bytes_per_action": round((replica_after - before["replica"]) / max(len(acked), 1)),
        "restored_head": head,
        "restored_bytes": restored_bytes,
        "acknowledged_missing": len(missing),
        "missing_acknowledged_within_seconds_of_the_loss": round(
            max((t_loss - t for _, _, _, t in missing), default=0.0), 3),
        "recovery_seconds": {
            "restore": round(t_restored - t_recovery, 2),
            "how": "the standby promoted" if follower else "litestream restore",
            "serve_listening": round(t_serving - t_restored, 2),
            "console_first_frame": round(t_console - t_serving, 2),
            "loss_to_console": round(t_console - t_loss, 2),
            "note": "from the loss; the operator's own time to act is not included",
        },
    })
    print(json.dumps(result, indent=2))
    if not a.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
