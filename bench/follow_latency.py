#!/usr/bin/env python3
"""Answer latency of `samestory index add|query DIR - --follow`, as a feed sees it.

Starts the command, writes batches of articles to its stdin (one write each), waits for all
of a batch's answers on its stdout, and reports per article: the first batch (which includes
loading the index) and the rest (p50, p99, max). Round trip: the write, the reader's batch,
the add or query, under add the journal append and fsync, the answers and the pipe.

    python3 bench/follow_latency.py build/tools/samestory DIR feed.jsonl --skip 10000 \\
        --batches 1x300,100x20 [--query]

--batches: SIZExCOUNT, comma-separated, sent in that order (a first 1-article batch carries
the load). The articles are the lines of feed.jsonl after --skip lines; they must be new to the
index under add.
"""
import argparse
import select
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("samestory")
    ap.add_argument("dir")
    ap.add_argument("feed")
    ap.add_argument("--skip", type=int, default=0)
    ap.add_argument("--batches", default="1x300,100x20")
    ap.add_argument("--query", action="store_true")
    a = ap.parse_args()
    plan = [(1, 1)] + [tuple(map(int, spec.split("x"))) for spec in a.batches.split(",")]
    need = sum(n * k for n, k in plan)
    lines = []
    with open(a.feed, "rb") as f:
        for i, line in enumerate(f):
            if i >= a.skip and line.strip():
                lines.append(line.rstrip(b"\n"))
                if len(lines) == need:
                    break
    if len(lines) < need:
        sys.exit("follow_latency: %s has %d lines after --skip, the batches need %d" % (a.feed, len(lines), need))
    cmd = [a.samestory, "index", "query" if a.query else "add", a.dir, "-", "--follow", "-q"]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    buf = b""
    at = 0
    per_size = {}
    for n, k in plan:
        for _ in range(k):
            t = time.perf_counter()
            p.stdin.write(b"\n".join(lines[at:at + n]) + b"\n")
            while buf.count(b"\n") < n:
                if not select.select([p.stdout], [], [], 120)[0]:
                    sys.exit("follow_latency: no answer within 120 s")
                chunk = p.stdout.read(1 << 20)
                if not chunk:
                    sys.exit("follow_latency: the command ended early (exit %s)" % p.wait())
                buf += chunk
            buf = buf.split(b"\n", n)[n]
            per_size.setdefault(n, []).append((time.perf_counter() - t) * 1e6 / n)
            at += n
    p.stdin.close()
    if p.wait() != 0:
        sys.exit("follow_latency: exit %d" % p.returncode)
    first = per_size[1].pop(0)
    print("first batch (1 article, with the load): %.0f ms" % (first / 1e3))
    for n, v in per_size.items():
        if not v:
            continue
        v.sort()
        q = lambda x: v[min(len(v) - 1, int(x * len(v)))]
        print("batches of %d (%d): per article p50 %.1f us, p99 %.1f us, max %.1f us" % (n, len(v), q(0.5), q(0.99), v[-1]))


if __name__ == "__main__":
    main()
