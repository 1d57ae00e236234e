#!/usr/bin/env python3
"""Accuracy on the labelled corpora in ../shared/datasets, and the CI gate on it.

Converts the corpora (datasets/convert/convert.py), clusters each with the samestory binary at
its defaults, scores it with `samestory eval`, and compares story B-cubed F1 with the figures
recorded in datasets/quality_floor.json: more than 0.01 below a recorded figure fails (exit 1).
Also checks on BBC that every silver duplicate pair with word-5-gram Jaccard >= the dup
threshold lands in one dup group and that no dup group spans two BBC categories.

Exit 77 (ctest's skip) when ../shared/datasets is absent: a fresh clone has no corpora.

    python3 datasets/quality_gate.py --samestory build/tools/samestory [--baseline] [--record]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
FLOOR = os.path.join(HERE, "quality_floor.json")
TOLERANCE = 0.01
DUP_THRESHOLD = 0.5  # samestory's default --dup-threshold

# (name, corpus, gold file, level, ids file restricting the scored items or None)
RUNS = [
    ("ecbplus-event-all", "ecbplus", "ecbplus.gold.jsonl", "story", None),
    ("ecbplus-event-test", "ecbplus", "ecbplus.gold.jsonl", "story", "ecbplus.test.ids"),
    ("ecbplus-topic-all", "ecbplus", "ecbplus.topic.gold.jsonl", "story", None),
    ("gvc-incident-all", "gvc", "gvc.gold.jsonl", "story", None),
    ("gvc-incident-test", "gvc", "gvc.gold.jsonl", "story", "gvc.test.ids"),
    ("gva-incident-all", "gva", "gva.gold.jsonl", "story", None),
    ("wikiref-topic-all", "wikiref", "wikiref.gold.jsonl", "story", None),
    ("bbc-dup-silver", "bbc", "bbc.dup.gold.jsonl", "dup", None),
]
GATED = ["ecbplus-event-all", "gvc-incident-all"]
BASELINE_FLAGS = ["--story-weights", "0", "1", "0", "0", "--number-weight", "0", "--time-factor", "1",
                  "--cluster-gate-factor", "1", "--conflict-factor", "1"]
BASELINE_THRESHOLDS = ["0.1", "0.13", "0.16", "0.2", "0.25", "0.3"]


def run(cmd):
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"quality_gate: {' '.join(cmd)} failed ({res.returncode}): {res.stderr.strip()}")
    return res.stdout


def cluster(exe, data, corpus, out, extra=()):
    path = os.path.join(out, f"{corpus}.{abs(hash(tuple(extra)))}.pred.jsonl")
    if not os.path.exists(path):
        run([exe, "cluster", os.path.join(data, f"{corpus}.jsonl"), "-q", "-o", path, *extra])
    return path


def score(exe, data, gold, pred, level, ids):
    cmd = [exe, "eval", "--gold", os.path.join(data, gold), "--pred", pred, "--level", level]
    if ids:
        cmd += ["--only", os.path.join(data, ids)]
    return json.loads(run(cmd))


def bbc_checks(data, pred):
    group = {}
    with open(pred, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            group[r["id"]] = r["dup_group"]
    missed = []
    with open(os.path.join(data, "bbc.pairs.jsonl"), encoding="utf-8") as f:
        for line in f:
            p = json.loads(line)
            if p["jaccard"] >= DUP_THRESHOLD and group[p["a"]] != group[p["b"]]:
                missed.append((p["a"], p["b"], p["jaccard"]))
    members = {}
    for doc, g in group.items():
        members.setdefault(g, set()).add(doc.split("/")[0])
    mixed = [g for g, cats in members.items() if len(cats) > 1]
    return missed, mixed


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samestory", default=os.path.join(REPO, "build", "tools", "samestory"))
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(REPO), "shared", "datasets"))
    ap.add_argument("--data", help="converted corpora (default: a temporary folder)")
    ap.add_argument("--baseline", action="store_true", help="also score plain body TF-IDF average link, best threshold")
    ap.add_argument("--record", action="store_true", help="write the measured figures to quality_floor.json")
    args = ap.parse_args()
    if not os.path.isdir(args.shared):
        print(f"quality_gate: {args.shared} is absent; skipping")
        return 77
    with tempfile.TemporaryDirectory(prefix="samestory-quality-") as tmp:
        data = args.data or os.path.join(tmp, "data")
        if not args.data:
            run([sys.executable, os.path.join(HERE, "convert", "convert.py"), "all", "--shared", args.shared,
                 "--out", data])
        results = {}
        print(f"{'run':22} {'B3 F1':>7} {'B3 P':>6} {'B3 R':>6} {'pair F1':>8} {'ARI':>6}" +
              ("  baseline B3 F1 (threshold)" if args.baseline else ""))
        for name, corpus, gold, level, ids in RUNS:
            pred = cluster(args.samestory, data, corpus, tmp)
            r = score(args.samestory, data, gold, pred, level, ids)
            results[name] = round(r["bcubed"]["f1"], 4)
            line = (f"{name:22} {r['bcubed']['f1']:7.3f} {r['bcubed']['precision']:6.3f} {r['bcubed']['recall']:6.3f} "
                    f"{r['pairwise']['f1']:8.3f} {r['ari']:6.3f}")
            if args.baseline and level == "story":
                best = max((score(args.samestory, data, gold,
                                  cluster(args.samestory, data, corpus, tmp, BASELINE_FLAGS + ["--story-threshold", t]),
                                  level, ids)["bcubed"]["f1"], t) for t in BASELINE_THRESHOLDS)
                line += f"  {best[0]:.3f} ({best[1]})"
            print(line)
        missed, mixed = bbc_checks(data, cluster(args.samestory, data, "bbc", tmp))
        print(f"bbc: silver pairs with Jaccard >= {DUP_THRESHOLD} split apart: {len(missed)}; "
              f"dup groups spanning two categories: {len(mixed)}")
        failures = [f"bbc pair {a} ~ {b} (Jaccard {j}) not in one dup group" for a, b, j in missed]
        failures += [f"bbc dup group {g} spans two categories" for g in mixed]
    if args.record:
        with open(FLOOR, "w", encoding="utf-8") as f:
            json.dump({k: results[k] for k in GATED}, f, indent=2)
            f.write("\n")
        print(f"recorded {FLOOR}")
    with open(FLOOR, encoding="utf-8") as f:
        floor = json.load(f)
    for k, v in floor.items():
        if results[k] < v - TOLERANCE:
            failures.append(f"{k}: B-cubed F1 {results[k]:.4f} is more than {TOLERANCE} below the recorded {v:.4f}")
    for f in failures:
        print("FAIL:", f)
    print("quality gate: " + ("failed" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
