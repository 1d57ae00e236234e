#!/usr/bin/env python3
"""Convert the labelled corpora in <shared>/datasets into samestory JSONL.

Python 3 standard library only (tested with Debian 12's python3 3.11).

    python3 datasets/convert/convert.py all --out /tmp/samestory-data --check

The corpora are third-party text with restrictive or unknown licences. Outputs go
to --out, which must lie outside the repository (only <repo>/build/ is tolerated).
Never commit them. See datasets/convert/README.md for the formats and caveats.
"""

import argparse
import csv
import datetime as dt
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "datasets"
DEFAULT_OUT = Path("/tmp/samestory-data")

# Counts documented in the corpus READMEs; asserted by `all --check`.
EXPECTED = {
    "ecbplus": {"documents": 982, "events": 86, "topics": 43,
                "ecb_documents": 480, "ecbplus_documents": 502},
    "gvc": {"documents": 510, "incidents": 241,
            "train_documents": 358, "dev_documents": 78, "test_documents": 74},
    "gva": {"documents": 6295, "incident_ids": 3659, "multi_incident_documents": 39},
    "bbc": {"documents": 2225, "pairs": 170, "exact_pairs": 101,
            "business": 510, "entertainment": 386, "politics": 417,
            "sport": 511, "tech": 401},
    "wikiref": {"documents": 220, "labels": 16},
}


class ConvertError(Exception):
    """A problem with the input or output locations (exit status 2)."""


# ----------------------------------------------------------------------------
# output helpers

def _atomic_write(path, lines):
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for line in lines:
            fh.write(line)
            fh.write("\n")
    os.replace(tmp, path)


def write_jsonl(out, name, objs):
    _atomic_write(out / name, (json.dumps(o, ensure_ascii=False) for o in objs))
    return name


def write_ids(out, name, ids):
    ids = list(ids)
    for i in ids:
        if "\n" in i or "\r" in i:
            raise ConvertError(f"id {i!r} cannot be written one per line")
    _atomic_write(out / name, ids)
    return name


def read_jsonl(path):
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as e:
                raise ConvertError(f"{path}:{n}: invalid JSON: {e}") from None


def need(path):
    if not path.exists():
        raise ConvertError(f"missing input: {path}")
    return path


def summary(corpus, documents, clusters, what, extra=""):
    """One stderr line per corpus: documents, clusters, then corpus-specific notes."""
    line = f"{corpus}: {documents} documents, {clusters} clusters ({what})"
    print(line + (f"; {extra}" if extra else ""), file=sys.stderr)


def host_of(url):
    """Lower-cased host name of an absolute URL, without port; None if absent."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return host or None


# ----------------------------------------------------------------------------
# ECB+

_SUFFIX_CLITICS = {"'s", "'m", "'re", "'ve", "'ll", "'d", "n't"}
_CURLY_CLITICS = {"s", "t", "m", "re", "ve", "ll", "d"}
_ATTACH_LEFT = {",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "...", "'", "''", "”", "’"}
_ATTACH_RIGHT = {"(", "[", "{", "``", "“", "‘"}
_DIGITS = re.compile(r"^\d+$")


def _glue(prev, tok, nxt):
    """(attach_left, attach_right) for token `tok` between `prev` and `nxt`."""
    low = tok.lower()
    if low in _SUFFIX_CLITICS:
        return True, False
    # Numbers split by the ecbplus tokenizer: 14 . 4, 6 , 000, 1 : 32, 05 / 03 / 2013
    if prev is not None and nxt is not None and _DIGITS.match(prev):
        if tok == "." and nxt[:1].isdigit():
            return True, True
        if tok == ":" and re.match(r"^\d\d(?:[ap]\.?m\.?)?$", nxt, re.I):
            return True, True
        if tok == "," and len(prev) <= 3 and re.match(r"^\d{3}(?!\d)", nxt):
            return True, True
        if tok == "/" and _DIGITS.match(nxt):
            return True, True
    if tok == "." and prev in ("(", "$") and nxt is not None and _DIGITS.match(nxt):
        return True, True  # (. 535) -> (.535)
    if tok == "’" and nxt is not None and nxt.lower() in _CURLY_CLITICS and prev is not None:
        return True, True  # Lohan ’ s -> Lohan’s, don ’ t -> don’t
    if tok == "$" and nxt is not None and nxt[:1].isdigit():
        return False, True
    if tok in _ATTACH_LEFT:
        return True, False
    if tok in _ATTACH_RIGHT:
        return False, True
    return False, False


_TLD = {"com", "net", "org", "gov", "edu", "co", "uk", "ca"}
_PUNCT_ONLY = re.compile(r"^[^\w]+$")


def _merge_tokens(tokens, split_hyphens):
    """Token-level repairs before spacing: ' ' -> '', p . m . -> p.m., TMZ . com -> TMZ.com,
    and, for text whose tokenizer split every hyphen, - - -> -- and 90 - day -> 90-day."""
    toks = []
    i = 0
    n = len(tokens)
    while i < n:
        t = tokens[i]
        nxt = tokens[i + 1] if i + 1 < n else None
        if t == "'" and nxt == "'":  # a mangled closing ''
            toks.append("''")
            i += 2
            continue
        if split_hyphens and t == "-" and nxt == "-":
            toks.append("--")
            i += 2
            continue
        # single letters joined by dots: p . m . / L . A / U . S .
        if len(t) == 1 and t.isalpha() and nxt == "." and i + 2 < n \
                and len(tokens[i + 2]) == 1 and tokens[i + 2].isalpha():
            j = i
            parts = []
            while j + 2 < n and len(tokens[j]) == 1 and tokens[j].isalpha() \
                    and tokens[j + 1] == "." and len(tokens[j + 2]) == 1 and tokens[j + 2].isalpha():
                parts += [tokens[j], "."]
                j += 2
            parts.append(tokens[j])
            j += 1
            if j < n and tokens[j] == ".":
                parts.append(".")
                j += 1
            toks.append("".join(parts))
            i = j
            continue
        toks.append(t)
        i += 1
    # word . com -> word.com; a - b -> a-b (hyphen-splitting tokenizer only)
    out = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if out and i + 1 < len(toks) and not _PUNCT_ONLY.match(out[-1]) \
                and not _PUNCT_ONLY.match(toks[i + 1]):
            if t == "." and toks[i + 1].lower() in _TLD and re.match(r"^\w+$", out[-1]):
                out[-1] += "." + toks[i + 1]
                i += 2
                continue
            if split_hyphens and t == "-":
                out[-1] += "-" + toks[i + 1]
                i += 2
                continue
        out.append(t)
        i += 1
    return out


def detokenize_line(tokens, quote_state, split_hyphens=False):
    """Join one tokenized sentence. quote_state[0] counts '"' characters so far in the doc."""
    toks = _merge_tokens(tokens, split_hyphens)
    out = []
    glue_right_prev = True  # no space at line start
    for i, tok in enumerate(toks):
        prev = toks[i - 1] if i > 0 else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok == '"':
            if prev is None:
                opening = True
            elif nxt is None or nxt in _ATTACH_LEFT or nxt in _SUFFIX_CLITICS:
                opening = False
            else:  # odd number of quotes so far: this one closes
                opening = quote_state[0] % 2 == 0
            left, right = (False, True) if opening else (True, False)
        else:
            left, right = _glue(prev, tok, nxt)
        quote_state[0] += tok.count('"')
        if tok == "``" or tok == "''":
            tok = '"'
        elif "``" in tok:  # ``bagman'' kept whole by the tokenizer
            tok = tok.replace("``", '"')
        if out and not (left or glue_right_prev):
            out.append(" ")
        out.append(tok)
        glue_right_prev = right
    return "".join(out)


def detokenize(text, split_hyphens=False):
    """Conservative detokenizer for the ECB+ token text (sentences stay one per line)."""
    quote_state = [0]
    lines = []
    for line in text.split("\n"):
        tokens = [t for t in line.split(" ") if t]
        if tokens:
            lines.append(detokenize_line(tokens, quote_state, split_hyphens))
    return "\n".join(lines)


_DCT = re.compile(
    r"^(\d{4})[-:](\d{1,2})[-:](\d{1,2})"
    r"(?:T(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?\s*(Z)?)?$", re.I)


def normalize_dct(value):
    """ECB+ dct_esc -> 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM:SS[Z]'; None if unusable.

    'a|b' keeps the first value. Year-only values (e.g. '2006') are not dates and
    are dropped, as is anything that does not parse to a valid calendar date.
    """
    if not value:
        return None
    value = value.split("|", 1)[0].strip()
    m = _DCT.match(value)
    if not m:
        return None
    y, mo, d, hh, mi, ss, ampm, z = m.groups()
    try:
        date = dt.date(int(y), int(mo), int(d))
    except ValueError:
        return None
    if hh is None:
        return date.isoformat()
    h = int(hh)
    if ampm:
        if ampm.lower() == "pm" and h < 12:
            h += 12
        elif ampm.lower() == "am" and h == 12:
            h = 0
    try:
        t = dt.time(h, int(mi), int(ss or 0))
    except ValueError:
        return date.isoformat()
    return f"{date.isoformat()}T{t.isoformat()}" + ("Z" if z else "")


def convert_ecbplus(shared, out):
    src = need(shared / "ecbplus" / "ecbplus_docs.jsonl")
    articles, gold, topic_gold, dev, test = [], [], [], [], []
    dct_raw = dct_kept = 0
    dct_dropped = []
    for r in read_jsonl(src):
        doc_id, topic, half = r["doc_id"], int(r["topic"]), r["half"]
        # The ecbplus-half tokenizer split every hyphen (90 - day); the ecb half kept
        # hyphenated words whole, so a spaced " - " there is a real dash.
        a = {"id": doc_id, "text": detokenize(r["text"], split_hyphens=(half == "ecbplus"))}
        url = (r.get("url") or "").strip()
        if url:
            a["url"] = url
        if r.get("dct_esc"):
            dct_raw += 1
            pub = normalize_dct(r["dct_esc"])
            if pub:
                a["published"] = pub
                dct_kept += 1
            else:
                dct_dropped.append(f"{doc_id}={r['dct_esc']}")
        host = host_of(url)
        if host:
            a["source"] = host
        a["lang"] = "en"
        a["topic"] = topic
        a["half"] = half
        articles.append(a)
        gold.append({"id": doc_id, "story": r["event_cluster"]})
        topic_gold.append({"id": doc_id, "story": str(topic)})
        (dev if topic <= 35 else test).append(doc_id)
    files = [
        write_jsonl(out, "ecbplus.jsonl", articles),
        write_jsonl(out, "ecbplus.gold.jsonl", gold),
        write_jsonl(out, "ecbplus.topic.gold.jsonl", topic_gold),
        write_ids(out, "ecbplus.dev.ids", dev),
        write_ids(out, "ecbplus.test.ids", test),
    ]
    halves = Counter(a["half"] for a in articles)
    stats = {
        "documents": len(articles),
        "events": len({g["story"] for g in gold}),
        "topics": len({g["story"] for g in topic_gold}),
        "ecb_documents": halves["ecb"],
        "ecbplus_documents": halves["ecbplus"],
        "dated": dct_kept,
    }
    dropped = f" (dropped {', '.join(dct_dropped)})" if dct_dropped else ""
    summary("ecbplus", stats["documents"], stats["events"], "events = topic_half",
            f"{stats['topics']} topics; {dct_kept} dated of {dct_raw} with dct_esc{dropped}; "
            f"dev/test {len(dev)}/{len(test)} docs")
    return stats, files


# ----------------------------------------------------------------------------
# Gun Violence (GVC gold subset and GVA silver pool)

_WAYBACK = re.compile(r"^https?://web\.archive\.org/web/[^/]*/(.*)$", re.I)


def publisher_host(url):
    """Original publisher host from an archive.org URL (the part after /web/<ts>/)."""
    if not url:
        return None
    m = _WAYBACK.match(url.strip())
    inner = m.group(1) if m else url.strip()
    if m and not re.match(r"^[a-z][a-z0-9+.-]*://", inner, re.I):
        inner = "http://" + inner
    return host_of(inner)


def _gv_article(r):
    a = {"id": r["doc_id"], "title": r.get("title") or "", "text": r.get("content") or ""}
    if r.get("url"):
        a["url"] = r["url"]
    if r.get("dct"):
        a["published"] = r["dct"]
    host = publisher_host(r.get("url"))
    if host:
        a["source"] = host
    a["lang"] = "en"
    return a


def _read_split_events(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return {row[1].strip() for row in csv.reader(fh) if len(row) >= 2}


def convert_gvc(shared, out):
    base = shared / "gun_violence"
    src = need(base / "gvc_docs.jsonl")
    articles, gold, train_dev, test = [], [], [], []
    splits = Counter()
    for r in read_jsonl(src):
        a = _gv_article(r)
        a["split"] = r["gvc_split"]
        articles.append(a)
        gold.append({"id": r["doc_id"], "story": str(r["gvc_incident_id"])})
        splits[r["gvc_split"]] += 1
        if r["gvc_split"] in ("train", "dev"):
            train_dev.append(r["doc_id"])
        elif r["gvc_split"] == "test":
            test.append(r["doc_id"])
        else:
            raise ConvertError(f"gvc: unknown gvc_split {r['gvc_split']!r} for {r['doc_id']}")
    files = [
        write_jsonl(out, "gvc.jsonl", articles),
        write_jsonl(out, "gvc.gold.jsonl", gold),
        write_ids(out, "gvc.trainDev.ids", train_dev),
        write_ids(out, "gvc.test.ids", test),
    ]
    stats = {
        "documents": len(articles),
        "incidents": len({g["story"] for g in gold}),
        "train_documents": splits["train"],
        "dev_documents": splits["dev"],
        "test_documents": splits["test"],
        "consistency": _gvc_consistency(base, gold, articles),
    }
    summary("gvc", stats["documents"], stats["incidents"], "gvc_incident_id",
            f"train/dev/test {splits['train']}/{splits['dev']}/{splits['test']} docs")
    return stats, files


def _gvc_consistency(base, gold, articles):
    """Problems between gvc_docs.jsonl and the original UKPLab CSVs (list of str)."""
    problems = []
    mapping = base / "gvc_doc_to_event.csv"
    if mapping.exists():
        with open(mapping, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        csv_map = {row["doc-id"].strip(): row["event-id"].strip() for row in rows}
        ours = {g["id"]: g["story"] for g in gold}
        if csv_map != ours:
            diff = sorted(set(csv_map.items()) ^ set(ours.items()))
            problems.append(f"gvc_doc_to_event.csv disagrees with gvc_docs.jsonl on "
                            f"{len(diff)} entries, e.g. {diff[:3]}")
    story = {g["id"]: g["story"] for g in gold}
    for split in ("train", "dev", "test"):
        p = base / f"gvc_split_{split}_events.csv"
        if not p.exists():
            continue
        events = _read_split_events(p)
        ours = {story[a["id"]] for a in articles if a["split"] == split}
        if events != ours:
            problems.append(f"{p.name}: {len(events ^ ours)} events differ from gvc_split")
    return problems


def convert_gva(shared, out):
    src = need(shared / "gun_violence" / "gva_docs.jsonl")
    articles, gold, multi, short = [], [], [], []
    incident_ids = set()
    for r in read_jsonl(src):
        ids = sorted({str(i) for i in r["incident_ids"]}, key=lambda s: (len(s), s))
        if not ids:
            raise ConvertError(f"gva: document {r['doc_id']} has no incident_ids")
        incident_ids.update(ids)
        articles.append(_gv_article(r))
        gold.append({"id": r["doc_id"], "story": "+".join(ids)})
        if len(ids) > 1:
            multi.append(r["doc_id"])
        if len(r.get("content") or "") < 200:
            short.append(r["doc_id"])
    files = [
        write_jsonl(out, "gva.jsonl", articles),
        write_jsonl(out, "gva.gold.jsonl", gold),
        write_ids(out, "gva.multi.ids", multi),
        write_ids(out, "gva.short.ids", short),
    ]
    stats = {
        "documents": len(articles),
        "clusters": len({g["story"] for g in gold}),
        "incident_ids": len(incident_ids),
        "multi_incident_documents": len(multi),
        "short_documents": len(short),
    }
    summary("gva", stats["documents"], stats["clusters"], "incident ids, multi joined by +",
            f"{len(incident_ids)} distinct incident ids; {len(multi)} multi-incident docs; "
            f"{len(short)} docs under 200 chars")
    return stats, files


# ----------------------------------------------------------------------------
# BBC

def _decode(data, fallback):
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode(fallback), True


def _split_title(text):
    """First non-empty line -> title; the rest, trimmed of blank edges -> body."""
    lines = text.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines):
        return "", ""
    title = lines[i].strip()
    body = "\n".join(line.rstrip() for line in lines[i + 1:]).strip("\n")
    return title, body


def _union_find_groups(ids, pairs):
    parent = {i: i for i in ids}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            # keep the smallest id as the root so the label is the group minimum
            if rb < ra:
                ra, rb = rb, ra
            parent[rb] = ra
    return {i: find(i) for i in ids}


def convert_bbc(shared, out):
    base = shared / "bbc"
    root = need(base / "bbc")
    articles, fallbacks = [], []
    for cat_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for f in sorted(cat_dir.glob("*.txt")):
            doc_id = f"{cat_dir.name}/{f.stem}"
            text, fell_back = _decode(f.read_bytes(), "latin-1")
            if fell_back:
                fallbacks.append(doc_id)
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            title, body = _split_title(text)
            articles.append({"id": doc_id, "title": title, "text": body,
                             "lang": "en", "category": cat_dir.name})
    articles.sort(key=lambda a: a["id"])
    ids = [a["id"] for a in articles]
    known = set(ids)

    pairs = []
    with open(need(base / "bbc_dup_pairs.tsv"), encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        for row in reader:
            a, b = row["doc_a"].strip(), row["doc_b"].strip()
            for x in (a, b):
                if x not in known:
                    raise ConvertError(f"bbc_dup_pairs.tsv names unknown document {x!r}")
            pairs.append({"a": a, "b": b,
                          "jaccard": float(row["jaccard_word5"]),
                          "containment": float(row["containment_word5"]),
                          "exact": row["exact_after_ws_case_norm"].strip() in ("1", "true", "True")})
    group = _union_find_groups(ids, [(p["a"], p["b"]) for p in pairs])
    dup_gold = [{"id": i, "dup_group": group[i]} for i in ids]
    files = [
        write_jsonl(out, "bbc.jsonl", articles),
        write_jsonl(out, "bbc.dup.gold.jsonl", dup_gold),
        write_jsonl(out, "bbc.pairs.jsonl", pairs),
    ]
    sizes = Counter(Counter(group.values()).values())
    stats = {
        "documents": len(articles),
        "pairs": len(pairs),
        "exact_pairs": sum(p["exact"] for p in pairs),
        "dup_groups": sum(n for s, n in sizes.items() if s > 1),
        "documents_in_dup_groups": sum(s * n for s, n in sizes.items() if s > 1),
        "clusters": len(set(group.values())),
        "latin1_fallback": len(fallbacks),
    }
    for cat, n in Counter(a["category"] for a in articles).items():
        stats[cat] = n
    summary("bbc", stats["documents"], stats["clusters"], "dup groups incl. singletons",
            f"{stats['pairs']} silver pairs ({stats['exact_pairs']} exact) -> "
            f"{stats['dup_groups']} groups of 2+ covering {stats['documents_in_dup_groups']} docs; "
            f"Latin-1 fallback: {', '.join(fallbacks) or 'none'}")
    return stats, files


# ----------------------------------------------------------------------------
# WikiRef220

_WIKIREF_LABEL = re.compile(r"\s?\(\d+\)\.txt$|\.\d+\.txt$")


def wikiref_label(filename):
    label = _WIKIREF_LABEL.sub("", filename)
    if label == filename:
        raise ConvertError(f"wikiref: cannot derive a label from {filename!r}")
    return label


def convert_wikiref(shared, out):
    docs = need(shared / "wikiref220" / "docs")
    items, fallbacks = [], []
    for f in docs.iterdir():
        if not f.is_file() or not f.name.endswith(".txt"):
            continue
        text, fell_back = _decode(f.read_bytes(), "cp1252")
        if fell_back:
            fallbacks.append(f.name)
        text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        title, body = _split_title(text)
        doc_id = f.name[:-len(".txt")]
        items.append(({"id": doc_id, "title": title, "text": body, "lang": "en"},
                      wikiref_label(f.name)))
    items.sort(key=lambda it: it[0]["id"])
    files = [
        write_jsonl(out, "wikiref.jsonl", (a for a, _ in items)),
        write_jsonl(out, "wikiref.gold.jsonl", ({"id": a["id"], "story": lab} for a, lab in items)),
    ]
    stats = {
        "documents": len(items),
        "labels": len({lab for _, lab in items}),
        "cp1252_fallback": len(fallbacks),
    }
    summary("wikiref", stats["documents"], stats["labels"], "topic labels from file names",
            f"{len(fallbacks)} files decoded as cp1252")
    return stats, files


# ----------------------------------------------------------------------------
# driver

CONVERTERS = {
    "ecbplus": convert_ecbplus,
    "gvc": convert_gvc,
    "gva": convert_gva,
    "bbc": convert_bbc,
    "wikiref": convert_wikiref,
}


def check(results):
    problems = []
    for corpus, expected in EXPECTED.items():
        stats = results[corpus]
        for key, want in expected.items():
            got = stats.get(key)
            if got != want:
                problems.append(f"{corpus}: {key} = {got}, expected {want}")
    for p in results["gvc"].get("consistency", []):
        problems.append(f"gvc: {p}")
    return problems


def _prepare_out(out):
    out = Path(out).expanduser().resolve()
    try:
        rel = out.relative_to(REPO_ROOT)
    except ValueError:
        rel = None
    if rel is not None and (not rel.parts or rel.parts[0] != "build"):
        raise ConvertError(f"refusing to write inside the repository ({out}); the outputs "
                           f"contain third-party text. Use e.g. /tmp/samestory-data or "
                           f"{REPO_ROOT / 'build' / 'data'} (keep build/ out of git)")
    out.mkdir(parents=True, exist_ok=True)
    return out


def main(argv=None):
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--shared", default=str(DEFAULT_SHARED),
                        help="the shared datasets folder (default: %(default)s)")
    common.add_argument("--out", default=str(DEFAULT_OUT),
                        help="output folder, outside the repo (default: %(default)s)")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    for name in CONVERTERS:
        sub.add_parser(name, parents=[common], help=f"convert {name}")
    p_all = sub.add_parser("all", parents=[common], help="run every converter")
    p_all.add_argument("--check", action="store_true",
                       help="assert the documented corpus counts; exit 1 on a mismatch")
    args = ap.parse_args(argv)

    try:
        shared = Path(args.shared).expanduser().resolve()
        if not shared.is_dir():
            raise ConvertError(f"--shared {args.shared}: no such directory "
                               f"(expected the folder holding bbc/, ecbplus/, "
                               f"gun_violence/, wikiref220/)")
        out = _prepare_out(args.out)
        names = list(CONVERTERS) if args.command == "all" else [args.command]
        results, files = {}, []
        for name in names:
            results[name], written = CONVERTERS[name](shared, out)
            files.extend(written)
    except ConvertError as e:
        print(f"convert.py: error: {e}", file=sys.stderr)
        return 2
    except (OSError, KeyError, ValueError) as e:
        print(f"convert.py: error: {type(e).__name__}: {e}", file=sys.stderr)
        return 2

    print(f"wrote {len(files)} files to {out}", file=sys.stderr)
    if getattr(args, "check", False):
        problems = check(results)
        if problems:
            for p in problems:
                print(f"check FAILED: {p}", file=sys.stderr)
            return 1
        print("check: all documented counts match", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
