#!/usr/bin/env python3
"""Idle consoles on a `permitdesk serve` (docs/PERFORMANCE.md, "Served mode"): opens N
connections that each shake hands and send one console job (so the server treats them as
consoles: it then pushes them news of changes), holds them for S seconds doing nothing, and
reports the server's CPU over that window (utime + stime from /proc/PID/stat) and its memory
(VmRSS, VmHWM from /proc/PID/status), with the same window measured first with no console.

    scripts/served-idle.py --socket SOCK --pid SERVER_PID [--consoles 200] [--hold 60]
        [--baseline 20] [--as li.wei] [--today 2026-11-26]

The server must run with --trust-declared-user for --as/--today (or leave them out to connect as
your login). Prints one tab-separated line per measure (name, value, unit) on stdout.
"""
import argparse, json, os, socket, struct, sys, time

TICK = os.sysconf("SC_CLK_TCK")


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


def frame(msg):
    body = json.dumps(msg).encode()
    return struct.pack(">I", len(body)) + body


def read_frame(sock):
    head = b""
    while len(head) < 4:
        more = sock.recv(4 - len(head))
        if not more:
            raise EOFError("the server closed the connection")
        head += more
    (length,) = struct.unpack(">I", head)
    body = b""
    while len(body) < length:
        more = sock.recv(length - len(body))
        if not more:
            raise EOFError("the server closed the connection")
        body += more
    return json.loads(body)


def console(path, as_user, today):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(frame({"Hello": {"protocol": PROTOCOL, "version": "0.1.0", "as_user": as_user,
                               "today": today, "lang": "en"}}))
    welcome = read_frame(s)
    if "Welcome" not in welcome:
        raise SystemExit(f"refused: {welcome}")
    s.sendall(frame({"Job": "Assignees"}))
    while True:
        msg = read_frame(s)
        if "Reply" in msg:
            return s


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "Threads"):
                out[key] = int(value.split()[0])
    return out


def window(pid, seconds):
    t0, c0 = time.monotonic(), cpu_ticks(pid)
    time.sleep(seconds)
    t1, c1 = time.monotonic(), cpu_ticks(pid)
    return 100.0 * (c1 - c0) / TICK / (t1 - t0), (c1 - c0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--socket", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--consoles", type=int, default=200)
    p.add_argument("--hold", type=float, default=60)
    p.add_argument("--baseline", type=float, default=20)
    p.add_argument("--as", dest="as_user")
    p.add_argument("--today")
    a = p.parse_args()

    before = status(a.pid)
    out = []
    if a.baseline > 0:
        pct, ticks = window(a.pid, a.baseline)
        out.append((f"server CPU, no console, {a.baseline:g} s", f"{pct:.2f}", f"% of one core ({ticks} ticks)"))
    t0 = time.monotonic()
    conns = [console(a.socket, a.as_user, a.today) for _ in range(a.consoles)]
    opened = time.monotonic() - t0
    connected = status(a.pid)
    pct, ticks = window(a.pid, a.hold)
    after = status(a.pid)
    for s in conns:  # every one still open: nothing was closed on us
        s.setblocking(False)
        try:
            if s.recv(1, socket.MSG_PEEK) == b"":
                raise SystemExit("the server closed an idle console")
        except BlockingIOError:
            pass
    out += [
        (f"{a.consoles} consoles connected (handshake and one job each)", f"{opened:.2f}", "s"),
        (f"server CPU, {a.consoles} idle consoles, {a.hold:g} s", f"{pct:.2f}", f"% of one core ({ticks} ticks)"),
        ("server VmRSS before the consoles", f"{before['VmRSS'] / 1024:.1f}", "MB"),
        (f"server VmRSS with {a.consoles} consoles, after the window", f"{after['VmRSS'] / 1024:.1f}", "MB"),
        ("server VmHWM", f"{after['VmHWM'] / 1024:.1f}", "MB"),
        ("server threads (before / with the consoles)", f"{before['Threads']} / {connected['Threads']}", ""),
    ]
    for name, value, unit in out:
        print(f"{name}\t{value}\t{unit}")
    for s in conns:
        s.close()


if __name__ == "__main__":
    main()
