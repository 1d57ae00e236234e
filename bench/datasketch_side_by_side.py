#!/usr/bin/env python3
"""datasketch and samestory side by side on one JSONL corpus, in one run.

datasketch is run the way its users deduplicate text (the text-dedup MinHash recipe): word
5-gram shingles of the normalised body (lower-cased, split on non-word characters), a MinHash of
num_perm 128 per article, a MinHashLSH at threshold 0.5 (every article inserted, then queried),
and union-find over the candidate pairs; one process, one core. It is timed as a whole (read +
shingle + MinHash + LSH + union-find) and MinHash alone. Then `samestory cluster` and
`samestory dedup` (and `samestory bench`) run on the same file with 1 and 2 threads. The script
prints articles/s for each, the ratios, and the agreement of the dup groups (pairwise precision,
recall and F1 of datasketch's groups against samestory's, cross-checked with `samestory eval`,
and of both against the gold labels when `--gold` is given).

    bench/datasketch_side_by_side.py CORPUS.jsonl --samestory build/tools/samestory \\
        --datasketch /path/containing/the/datasketch/package [--gold GOLD.jsonl] [--json OUT]

datasketch is not vendored: `--datasketch PATH` puts PATH first on the import path (a folder
holding a `datasketch/` package), otherwise an installed datasketch is used. It needs numpy.
`--self-test` checks the pairwise-F1 and union-find code against brute force (no numpy needed).
Exit codes: 0 ok, 1 a failed check or run, 2 usage, 77 datasketch or numpy missing with
`--skip-if-missing` (the ctest skip code).
"""

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77


# ---------------------------------------------------------------------------------------------
# Agreement of two labelings (pairwise precision / recall / F1) and union-find.


def pairs_in(sizes):
    return sum(n * (n - 1) // 2 for n in sizes)


def pairwise_scores(truth, pred):
    """Pairwise precision, recall and F1 of `pred` against `truth`, two dicts id -> label over
    the same ids. A pair is positive when both of its items share a label. Precision (recall)
    with no predicted (true) pair is 1 by convention, as in samestory eval."""
    if set(truth) != set(pred):
        raise ValueError("the two labelings cover different ids")
    cells, t_sizes, p_sizes = {}, {}, {}
    for i, t in truth.items():
        p = pred[i]
        cells[(t, p)] = cells.get((t, p), 0) + 1
        t_sizes[t] = t_sizes.get(t, 0) + 1
        p_sizes[p] = p_sizes.get(p, 0) + 1
    both = pairs_in(cells.values())
    t_pairs = pairs_in(t_sizes.values())
    p_pairs = pairs_in(p_sizes.values())
    precision = both / p_pairs if p_pairs else 1.0
    recall = both / t_pairs if t_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true_pairs": t_pairs,
            "pred_pairs": p_pairs, "common_pairs": both}


def pairwise_scores_brute(truth, pred):
    ids = sorted(truth)
    both = t_pairs = p_pairs = 0
    for a in range(len(ids)):
        for b in range(a + 1, len(ids)):
            t = truth[ids[a]] == truth[ids[b]]
            p = pred[ids[a]] == pred[ids[b]]
            t_pairs += t
            p_pairs += p
            both += t and p
    precision = both / p_pairs if p_pairs else 1.0
    recall = both / t_pairs if t_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true_pairs": t_pairs,
            "pred_pairs": p_pairs, "common_pairs": both}


class UnionFind:
    def __init__(self, n):
        self.parent = list(range(n))

    def find(self, x):
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller index becomes the root: the group is named by its first article.
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def components_brute(n, edges):
    adj = [[] for _ in range(n)]
    for a, b in edges:
        adj[a].append(b)
        adj[b].append(a)
    label = [-1] * n
    for s in range(n):
        if label[s] >= 0:
            continue
        stack, label[s] = [s], s
        while stack:
            x = stack.pop()
            for y in adj[x]:
                if label[y] < 0:
                    label[y] = s
                    stack.append(y)
    return label


def self_test():
    """Random labelings and graphs (fixed seeds) against the brute-force references."""
    rng = random.Random(20261122)
    for trial in range(300):
        n = rng.randint(0, 40)
        k_t, k_p = rng.randint(1, 8), rng.randint(1, 8)
        truth = {"d%d" % i: rng.randrange(k_t) for i in range(n)}
        pred = {"d%d" % i: rng.randrange(k_p) for i in range(n)}
        if trial % 5 == 0:  # mostly singletons, as in dedup
            pred = {i: (rng.randrange(3) if rng.random() < 0.2 else i) for i in truth}
        fast, brute = pairwise_scores(truth, pred), pairwise_scores_brute(truth, pred)
        for key in brute:
            if abs(fast[key] - brute[key]) > 1e-12:
                print("self-test: pairwise %s differs: %r vs %r (trial %d)" % (key, fast[key], brute[key], trial))
                return 1
    for trial in range(300):
        n = rng.randint(1, 60)
        edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(rng.randint(0, n))]
        uf = UnionFind(n)
        for a, b in edges:
            uf.union(a, b)
        got = [uf.find(i) for i in range(n)]
        # components_brute names each component by its smallest member, as UnionFind does.
        if got != components_brute(n, edges):
            print("self-test: union-find differs from the brute-force components (trial %d)" % trial)
            return 1
    print("self-test: pairwise scores and union-find agree with brute force on 600 random cases")
    return 0


# ---------------------------------------------------------------------------------------------
# The corpus and datasketch.

NON_WORD = re.compile(r"\W+")


def read_corpus(path, limit):
    ids, texts = [], []
    with open(path, "rb") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                raise SystemExit("%s:%d: invalid JSON: %s" % (path, line_no, e))
            if not isinstance(rec, dict) or "id" not in rec or "text" not in rec:
                raise SystemExit("%s:%d: a record needs \"id\" and \"text\"" % (path, line_no))
            ids.append(str(rec["id"]))
            texts.append(rec["text"] if isinstance(rec["text"], str) else "")
            if limit and len(ids) >= limit:
                break
    return ids, texts


def shingles(text, n):
    """text-dedup's recipe: lower-case, split on non-word characters, word n-grams joined by a
    space, as UTF-8 bytes, as a set. Fewer than n words: the words as one shingle."""
    words = [w for w in NON_WORD.split(text.lower()) if w]
    if not words:
        return set()
    if len(words) < n:
        return {" ".join(words).encode("utf-8")}
    return {" ".join(words[i:i + n]).encode("utf-8") for i in range(len(words) - n + 1)}


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_datasketch(path, limit, num_perm, threshold, ngram):
    """The whole dedup, timed stage by stage; returns the groups (id -> first id of the group)."""
    from datasketch import MinHash, MinHashLSH

    t = {}
    wall0, cpu0 = time.perf_counter(), cpu_seconds()
    ids, texts = read_corpus(path, limit)
    t["read"] = time.perf_counter() - wall0
    w = time.perf_counter()
    sets = [shingles(x, ngram) for x in texts]
    t["shingle"] = time.perf_counter() - w
    bytes_in = sum(len(x.encode("utf-8")) for x in texts)
    del texts

    # MinHash: one per article, copied from one empty MinHash so that the permutations are drawn
    # once, not per article (what datasketch's own MinHash.bulk does); update_batch when this
    # datasketch has it, else one update() per shingle.
    w, c = time.perf_counter(), cpu_seconds()
    base = MinHash(num_perm=num_perm)
    batch = hasattr(base, "update_batch")
    sigs = []
    for s in sets:
        m = base.copy()
        if batch:
            if s:
                m.update_batch(s)
        else:
            for x in s:
                m.update(x)
        sigs.append(m)
    t["minhash"] = time.perf_counter() - w
    minhash_cpu = cpu_seconds() - c

    w = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    t["lsh_params"] = time.perf_counter() - w  # datasketch's parameter search (scipy quad)
    w = time.perf_counter()
    for i, m in enumerate(sigs):
        if sets[i]:  # an article with no words is its own group (it would collide with all such)
            lsh.insert(i, m)
    candidates = []
    for i, m in enumerate(sigs):
        if sets[i]:
            candidates.extend((i, j) for j in lsh.query(m) if j != i)
    t["lsh"] = time.perf_counter() - w
    w = time.perf_counter()
    uf = UnionFind(len(ids))
    for a, b in candidates:
        uf.union(a, b)
    groups = {ids[i]: ids[uf.find(i)] for i in range(len(ids))}
    t["union_find"] = time.perf_counter() - w
    total = time.perf_counter() - wall0
    return {
        "articles": len(ids), "bytes": bytes_in, "seconds": t, "total": total,
        "cpu": cpu_seconds() - cpu0, "minhash_cpu": minhash_cpu, "update_batch": batch,
        "bands": lsh.b, "rows": lsh.r, "candidate_pairs": len(candidates) // 2,
        "groups": groups,
    }


# ---------------------------------------------------------------------------------------------
# samestory.


def run_timed(cmd, stdout=None):
    """Runs cmd; returns (wall seconds, its stdout as text or None)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if stdout is None else stdout,
                            stderr=subprocess.PIPE)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    # The child is reaped: its CPU time is in RUSAGE_CHILDREN (cumulative; callers take
    # differences).
    if proc.returncode != 0:
        raise SystemExit("failed (exit %d): %s\n%s" % (proc.returncode, " ".join(cmd),
                                                      err.decode("utf-8", "replace")))
    return wall, (out.decode("utf-8", "replace") if out is not None else None)


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def read_labels(path, field):
    labels = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                if field in rec:
                    labels[str(rec["id"])] = rec[field]
    return labels


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "n/a"


def datasketch_worker(args):
    """Child process: one datasketch tree, one corpus; writes the figures and groups as JSON."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    if args.datasketch:
        sys.path.insert(0, os.path.abspath(args.datasketch))
    try:
        import numpy
        import datasketch
    except ImportError as e:
        print("cannot import datasketch or numpy with %s (%s): give --datasketch PATH and a Python "
              "with numpy (Debian: apt-get install python3-numpy python3-scipy; /usr/bin/python3)"
              % (sys.executable, e), file=sys.stderr)
        return SKIP
    where = os.path.dirname(os.path.abspath(datasketch.__file__))
    note = os.path.join(os.path.dirname(where), "SOURCE.txt")
    source = (open(note).read().strip() if os.path.isfile(note)
              else "datasketch " + getattr(datasketch, "__version__", "(version unknown)"))
    ds = run_datasketch(args.corpus, args.limit, args.num_perm, args.threshold, args.ngram)
    ds.update({"path": where, "source": source, "numpy": numpy.__version__,
               "python": platform.python_version()})
    with open(args.worker_out, "w", encoding="utf-8") as f:
        json.dump(ds, f)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", help="JSONL corpus (id, text, ...)")
    ap.add_argument("--samestory", help="the samestory binary")
    ap.add_argument("--datasketch", action="append", default=[],
                    help="folder holding a datasketch package; repeat to compare several "
                         "(default: the installed one)")
    ap.add_argument("--gold", help="gold labels (samestory gen --gold): agreement with dup_group")
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles (0 = all)")
    ap.add_argument("--threads", default="1,2", help="samestory thread counts (default 1,2)")
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--ngram", type=int, default=5)
    ap.add_argument("--no-bench", action="store_true", help="skip `samestory bench`")
    ap.add_argument("--json", help="write every figure here as JSON")
    ap.add_argument("--skip-if-missing", action="store_true",
                    help="exit 77 (skip) when numpy or datasketch cannot be imported")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder of outputs")
    ap.add_argument("--self-test", action="store_true", help="check the scoring code and exit")
    ap.add_argument("--worker-out", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.self_test:
        return self_test()
    if not args.corpus:
        ap.error("CORPUS is required")
    if not os.path.isfile(args.corpus):
        ap.error("no such corpus file: %s" % args.corpus)
    if args.worker_out:
        args.datasketch = args.datasketch[0] if args.datasketch else None
        return datasketch_worker(args)
    if not args.samestory:
        ap.error("--samestory is required")
    threads = [int(x) for x in args.threads.split(",") if x]
    if not threads:
        ap.error("--threads needs at least one count")

    tmp = tempfile.mkdtemp(prefix="ds-side-")
    try:
        return side_by_side(args, threads, tmp)
    finally:
        if args.keep:
            print("outputs kept in " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def side_by_side(args, threads, tmp):
    report = {"corpus": os.path.abspath(args.corpus), "limit": args.limit,
              "cpus": os.cpu_count(), "platform": platform.platform(),
              "loadavg_start": loadavg()}
    print("corpus %s%s; load average at start %s; %d CPUs"
          % (args.corpus, " (first %d articles)" % args.limit if args.limit else "",
             report["loadavg_start"], os.cpu_count() or 0))

    # datasketch: each tree in its own process (one core: the recipe is single-threaded).
    trees = []
    for i, path in enumerate(args.datasketch or [None]):
        out = os.path.join(tmp, "datasketch-%d.json" % i)
        cmd = [sys.executable, os.path.abspath(__file__), args.corpus, "--worker-out", out,
               "--limit", str(args.limit), "--num-perm", str(args.num_perm),
               "--threshold", repr(args.threshold), "--ngram", str(args.ngram)]
        if path:
            cmd += ["--datasketch", path]
        proc = subprocess.run(cmd, stderr=subprocess.PIPE)
        if proc.returncode == SKIP:
            msg = proc.stderr.decode("utf-8", "replace").strip()
            if args.skip_if_missing:
                print("skipped: " + msg)
                return SKIP
            print("error: " + msg, file=sys.stderr)
            return 1
        if proc.returncode != 0:
            print("error: the datasketch run failed:\n" + proc.stderr.decode("utf-8", "replace"),
                  file=sys.stderr)
            return 1
        with open(out, encoding="utf-8") as f:
            ds = json.load(f)
        n = ds["articles"]
        ds["docs_per_s"] = n / ds["total"]
        ds["docs_per_cpu_s"] = n / ds["cpu"]
        ds["minhash_docs_per_s"] = n / ds["seconds"]["minhash"]
        ds["dup_groups"] = len(set(ds["groups"].values()))
        ds["name"] = "datasketch#%d" % (i + 1)
        trees.append(ds)
        print("\n%s from %s (python %s, numpy %s):\n  %s" % (
            ds["name"], ds["path"], ds["python"], ds["numpy"], ds["source"].replace("\n", "\n  ")))
        print("  %d articles, %.0f bytes of text per article; MinHash %s; LSH %d bands x %d rows"
              % (n, ds["bytes"] / max(n, 1),
                 "update_batch" if ds["update_batch"] else "update() per shingle", ds["bands"], ds["rows"]))
        print("  stages (wall s): " + ", ".join("%s %.3f" % kv for kv in ds["seconds"].items()))
        print("  whole dedup %.3f s wall, %.3f s CPU: %.1f articles/s (%.1f per CPU-second); "
              "MinHash alone %.1f articles/s"
              % (ds["total"], ds["cpu"], ds["docs_per_s"], ds["docs_per_cpu_s"], ds["minhash_docs_per_s"]))
        print("  %d candidate pairs, %d dup groups" % (ds["candidate_pairs"], ds["dup_groups"]))
    n = trees[0]["articles"]
    for ds in trees[1:]:
        if ds["articles"] != n:
            print("error: the datasketch runs read different article counts", file=sys.stderr)
            return 1
        ds["same_groups_as_datasketch#1"] = ds["groups"] == trees[0]["groups"]
        print("%s groups identical to datasketch#1's: %s" % (ds["name"], ds["same_groups_as_datasketch#1"]))
    groups = trees[0]["groups"]

    corpus = args.corpus
    if args.limit:  # samestory reads exactly the articles datasketch read
        corpus = os.path.join(tmp, "corpus.jsonl")
        with open(args.corpus, "rb") as src, open(corpus, "wb") as dst:
            kept = 0
            for line in src:
                if line.strip():
                    dst.write(line)
                    kept += 1
                    if kept >= args.limit:
                        break
    report["corpus_bytes"] = os.path.getsize(corpus)
    report["corpus_articles"] = n
    print("\nthe corpus as read by both: %d articles, %.1f MB, %.0f bytes/article"
          % (n, report["corpus_bytes"] / 1e6, report["corpus_bytes"] / max(n, 1)))

    runs = []
    print("\nsamestory (%s); ratios = samestory articles/s / datasketch's, wall (per CPU-second):"
          % args.samestory)
    for cmd_name in ("cluster", "dedup"):
        for th in threads:
            out = os.path.join(tmp, "%s-%d.jsonl" % (cmd_name, th))
            stats = os.path.join(tmp, "%s-%d.stats.json" % (cmd_name, th))
            cmd = [args.samestory, cmd_name, corpus, "--threads", str(th), "-q", "-o", out,
                   "--stats", stats]
            cpu0 = children_cpu()
            wall, _ = run_timed(cmd)
            cpu = children_cpu() - cpu0
            with open(stats) as f:
                st = json.load(f)
            if st.get("records_written") != n:
                print("error: samestory %s wrote %s records, datasketch read %d"
                      % (cmd_name, st.get("records_written"), n), file=sys.stderr)
                return 1
            run = {"command": cmd_name, "threads": th, "wall": wall, "cpu": cpu,
                   "peak_rss_kb": st.get("peak_rss_kb"), "docs_per_s": n / wall,
                   "docs_per_cpu_s": n / cpu if cpu > 0 else None, "stages": st.get("seconds"),
                   "output": out, "dup_groups": st.get("dup_groups"), "stories": st.get("stories"),
                   "vs": {}}
            parts = []
            for ds in trees:
                r = {"whole": run["docs_per_s"] / ds["docs_per_s"],
                     "whole_cpu": (run["docs_per_cpu_s"] / ds["docs_per_cpu_s"]) if cpu > 0 else None,
                     "minhash_alone": run["docs_per_s"] / ds["minhash_docs_per_s"]}
                run["vs"][ds["name"]] = r
                parts.append("%s %.1fx (%.1fx), its MinHash alone %.1fx"
                             % (ds["name"], r["whole"], r["whole_cpu"] or 0, r["minhash_alone"]))
            runs.append(run)
            print("  %-7s --threads %d: %7.3f s wall, %7.3f s CPU, %9.1f articles/s, peak %s KB\n"
                  "      vs %s" % (cmd_name, th, wall, cpu, run["docs_per_s"], run["peak_rss_kb"],
                                   "; ".join(parts)))
    report["samestory"] = runs

    bench = []
    if not args.no_bench:
        for th in threads:
            cmd = [args.samestory, "bench", corpus, "--threads", str(th), "-o",
                   os.path.join(tmp, "bench-%d.jsonl" % th)]
            wall, text = run_timed(cmd)
            bench.append({"threads": th, "wall": wall, "output": text})
            print("\n  samestory bench --threads %d:\n    %s" % (th, text.strip().replace("\n", "\n    ")))
    report["samestory_bench"] = bench

    # Agreement of the dup groups.
    print("\ndup groups, pairwise precision / recall / F1 of A against B (B taken as the truth;"
          " samestory's output is identical for every thread count, checked):")
    agreement = {}
    gold = read_labels(args.gold, "dup_group") if args.gold else None
    if gold is not None:
        gold = {i: gold.get(i, "gold-singleton-" + i) for i in groups}
        agreement["datasketch against gold"] = pairwise_scores(gold, groups)
    for cmd_name in ("cluster", "dedup"):
        mine = [r for r in runs if r["command"] == cmd_name]
        with open(mine[0]["output"], "rb") as f:
            first = f.read()
        for r in mine[1:]:
            with open(r["output"], "rb") as f:
                if f.read() != first:
                    print("error: samestory %s output differs between --threads %d and %d"
                          % (cmd_name, mine[0]["threads"], r["threads"]), file=sys.stderr)
                    return 1
        pred = read_labels(mine[0]["output"], "dup_group")
        agreement["samestory %s against datasketch" % cmd_name] = pairwise_scores(groups, pred)
        if gold is not None:
            agreement["samestory %s against gold" % cmd_name] = pairwise_scores(gold, pred)
    for k, v in agreement.items():
        print("  %-36s %.4f / %.4f / %.4f  (B %d pairs, A %d, common %d)"
              % (k, v["precision"], v["recall"], v["f1"], v["true_pairs"], v["pred_pairs"],
                 v["common_pairs"]))

    # Cross-check the pairwise F1 with samestory's own `eval` (independent code).
    ds_labels = os.path.join(tmp, "datasketch-groups.jsonl")
    with open(ds_labels, "w", encoding="utf-8") as f:
        for i, g in groups.items():
            f.write(json.dumps({"id": i, "dup_group": g}) + "\n")
    cluster_out = [r for r in runs if r["command"] == "cluster"][0]["output"]
    _, text = run_timed([args.samestory, "eval", "--gold", ds_labels, "--pred", cluster_out,
                         "--level", "dup"])
    ev = json.loads(text)
    mine = agreement["samestory cluster against datasketch"]
    print("  samestory eval --level dup, cluster against datasketch: pairwise F1 %.4f, B-cubed F1 %.4f"
          % (ev["pairwise"]["f1"], ev["bcubed"]["f1"]))
    report["samestory_eval_cluster_against_datasketch"] = {"pairwise": ev["pairwise"], "bcubed": ev["bcubed"]}
    if abs(ev["pairwise"]["f1"] - mine["f1"]) > 1e-4:
        print("error: pairwise F1 here (%.6f) and from samestory eval (%.6f) differ"
              % (mine["f1"], ev["pairwise"]["f1"]), file=sys.stderr)
        return 1
    report["agreement"] = agreement

    report["loadavg_end"] = loadavg()
    target = 250.0
    best = [r for r in runs if r["command"] == "cluster"][-1]
    fastest = max(trees, key=lambda d: d["docs_per_s"])
    ratio = best["vs"][fastest["name"]]["whole"]
    report["target"] = {"ratio": target, "cluster_threads": best["threads"], "against": fastest["name"],
                        "measured": ratio, "met": ratio >= target}
    print("\ntarget: samestory cluster (dup groups and stories, --threads %d) >= %gx the articles/s "
          "of datasketch's dedup (the faster tree, %s): %.1fx, %s"
          % (best["threads"], target, fastest["name"], ratio, "met" if ratio >= target else "NOT met"))
    print("load average at end %s" % report["loadavg_end"])
    for ds in trees:
        del ds["groups"]
    report["datasketch"] = trees
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
