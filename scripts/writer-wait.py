#!/usr/bin/env python3
"""How long a person's action waits while a long writer (`sync`, `import`) runs.

usage: writer-wait.py BIN WORKDIR [--cases N] [--lines N] [--served]

Builds a demo store of N cases (default 5,000) in WORKDIR, writes an upstream batch and an import
file of --lines submissions each (default 60,000), then times `case note` (the whole command, as a
person waits for it) back to back: idle, while `sync` applies the batch, and while `import` reads
the file. Prints count, p50, p95, p99 and max per phase (docs/PERFORMANCE.md, "Writers take
turns"). With --served, the notes go through a `permitdesk serve` of the same store (the long
writers too), as in a deployment.
"""
import argparse
import grp
import json
import os
import shutil
import signal
import subprocess
import sys
import time

TODAY = "2026-11-26"
CASE = "GZ2026-002311"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("workdir")
    ap.add_argument("--cases", type=int, default=5000)
    ap.add_argument("--lines", type=int, default=60000)
    ap.add_argument("--served", action="store_true")
    args = ap.parse_args()
    work = os.path.abspath(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    db = os.path.join(work, "s.db")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERMITDESK_")}
    env["PERMITDESK_TODAY"] = TODAY
    run = lambda *a, **kw: subprocess.run([args.bin, *a], env=env, check=True, **kw)
    run("--db", db, "demo", "--no-tui", "--cases", str(args.cases), "--today", TODAY,
        stdout=subprocess.DEVNULL)

    here = os.path.dirname(os.path.abspath(__file__))
    imported = os.path.join(work, "import.jsonl")
    subprocess.run([sys.executable, os.path.join(here, "gen-import.py"), db, str(args.lines),
                    imported], check=True)
    spool = os.path.join(work, "spool")
    os.makedirs(os.path.join(spool, "inbox"))
    batch = os.path.join(work, "batch.jsonl")
    with open(imported, encoding="utf-8") as src, open(batch, "w", encoding="utf-8") as out:
        for n, line in enumerate(src):
            record = json.loads(line)
            record["case_no"] = record["case_no"].replace("BM", "UQ")
            record["event"] = "submitted"
            record["upstream_version"] = 1
            record["at"] = f"2026-11-25T{8 + n % 10:02d}:{n % 60:02d}:00+08:00"
            out.write(json.dumps(record, ensure_ascii=False) + "\n")

    endpoint = ["--db", db]
    server = None
    if args.served:
        sock = os.path.join(work, "s.sock")
        server = subprocess.Popen(
            [args.bin, "--db", db, "serve", "--socket", sock, "--trust-declared-user",
             "--group", grp.getgrgid(os.getgid()).gr_name, "--spool", spool,
             "--interval", "3600"],
            env=env, stderr=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        endpoint = ["--connect", sock]

    def note():
        started = time.perf_counter()
        subprocess.run([args.bin, *endpoint, "--as", "li.wei", "case", "note", CASE, "--text",
                        "waiting"], env=env, check=True, stdout=subprocess.DEVNULL)
        return (time.perf_counter() - started) * 1000

    def phase(name, writer):
        times = []
        if writer is None:
            for _ in range(100):
                times.append(note())
        else:
            proc = subprocess.Popen([args.bin, *endpoint, "--as", "admin", *writer], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.3)
            while proc.poll() is None:
                times.append(note())
            if proc.returncode != 0:
                sys.exit(f"{name}: the writer failed ({proc.returncode})")
        times.sort()
        pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
        print(f"{name:8} n={len(times):4}  p50 {pick(0.5):7.1f} ms  p95 {pick(0.95):7.1f} ms  "
              f"p99 {pick(0.99):7.1f} ms  max {times[-1]:7.1f} ms")

    try:
        phase("idle", None)
        # Into the inbox only now: a server's first pass at start finds it empty.
        os.rename(batch, os.path.join(spool, "inbox", "2026-11-26T0900-submissions.jsonl"))
        # Through a server, `sync` asks it for a pass over the spool it owns.
        phase("sync", ["sync"] if args.served else ["sync", "--spool", spool])
        phase("import", ["import", imported])
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait()


if __name__ == "__main__":
    main()
