#!/usr/bin/env bash
# End-to-end checks of `samestory index`: create / add / query / expire / stats, pinned error
# messages, and crash safety: `index add` is SIGKILLed at many points during its run (and so
# during its save) and the index must then load with its previous or its new contents.
#
#   bash tests/index_test.sh path/to/samestory [repo-root]
set -euo pipefail
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "${2:-$(dirname "$0")/..}" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/samestory-index.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
PASSED=0
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { PASSED=$((PASSED + 1)); }
SAMPLE=$ROOT/datasets/sample/articles.jsonl

# Basic flow.
"$BIN" index create ix -q || fail "create"
[[ -f ix/index.ssi ]] || fail "create wrote no ix/index.ssi"; ok
if "$BIN" index create ix -q 2>err; then fail "create over an index succeeded"; fi
grep -q "an index already exists there" err || fail "create twice: $(cat err)"; ok
head -200 "$SAMPLE" > a.jsonl
tail -n +201 "$SAMPLE" > b.jsonl
"$BIN" index add ix a.jsonl -q -o a.out || fail "add a"
[[ $(wc -l < a.out) -eq 200 ]] || fail "add wrote $(wc -l < a.out) records"; ok
head -1 a.out | grep -q '^{"id":"a0001","status":"\(new\|dup\)","dup_group":"[^"]*","dup_score":[0-9.]*,"story":"[^"]*","story_score":[0-9.]*}$' \
  || fail "record shape: $(head -1 a.out)"; ok
"$BIN" index query ix b.jsonl -q > q.out || fail "query"
grep -q '"articles": 200' <<<"$("$BIN" index stats ix)" || fail "query inserted"; ok
"$BIN" index add ix b.jsonl -q --stats st.json > b.out || fail "add b"
grep -q '"records_written": 135' st.json || fail "stats: $(cat st.json)"; ok
grep -q '"articles": 335' <<<"$("$BIN" index stats ix)" || fail "stats after add"; ok
# The adds went to the journal (the index file was not rewritten); rewriting instead
# (--no-journal) gives the same answers, and so does an index whose journal was folded in.
[[ -f ix/journal.ssj ]] || fail "add wrote no journal"
grep -q '"journal_articles": 335' <<<"$("$BIN" index stats ix)" || fail "journal stats: $("$BIN" index stats ix)"; ok
"$BIN" index create ixr -q
"$BIN" index add ixr a.jsonl -q --no-journal > ar.out && "$BIN" index add ixr b.jsonl -q --no-journal > br.out
[[ ! -e ixr/journal.ssj ]] && cmp -s a.out ar.out && cmp -s b.out br.out || fail "journal and rewrite answer differently"; ok
python3 - "$SAMPLE" > probe.jsonl <<'PY'
import json, sys
for i, line in enumerate(open(sys.argv[1])):
    if i % 7 == 0:
        a = json.loads(line)
        a["id"] = "probe-%d" % i
        a["text"] = a["text"][: len(a["text"]) * 3 // 4]
        print(json.dumps(a))
PY
"$BIN" index query ix probe.jsonl -q > p1.out && "$BIN" index query ixr probe.jsonl -q > p2.out
cmp -s p1.out p2.out || fail "query after journaled adds differs from query after rewrites"; ok
cp -r ix ixf && "$BIN" index expire ixf --before 1970-01-01 -q
[[ ! -e ixf/journal.ssj ]] && "$BIN" index query ixf probe.jsonl -q | cmp -s - p1.out || fail "folding the journal changed answers"; ok
# A torn last append (a crash while appending) is ignored with a message, then cut off.
cp -r ix ixt && truncate -s -100 ixt/journal.ssj
"$BIN" index stats ixt > st 2> err
grep -q '"articles": 200' st && grep -q 'journal.ssj: ignored the last [0-9]* bytes, an append that did not complete' err ||
  fail "torn journal: $(cat st err)"; ok
"$BIN" index add ixt b.jsonl -q > bt.out 2> /dev/null && cmp -s bt.out b.out && "$BIN" index stats ixt 2> err > /dev/null &&
  [[ ! -s err ]] || fail "add after a torn append: $(cat err)"; ok
# One writer at a time.
set +e
flock ix sleep 3 & holder=$!
sleep 0.5
"$BIN" index add ix probe.jsonl -q > /dev/null 2> err; rc=$?
wait $holder
set -e
[[ $rc -eq 1 ]] && grep -q 'ix: another process is writing this index' err || fail "lock: rc $rc $(cat err)"; ok
# --follow: a pipe fed over time gets each batch's answers as soon as the input pauses, and an
# answer read means its batch is in the index (a SIGKILL then loses nothing answered). The
# batches answer as separate `index add` runs of the same batches do.
cat > follow.py <<'PY'
import json, os, select, signal, subprocess, sys, time
binary, d, src, sizes, mode = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
lines = open(src).read().splitlines()
cmd = [binary, "index", "add" if mode != "query" else "query", d, "-", "--follow", "-q"]
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
buf, at, out = b"", 0, []
for n in map(int, sizes.split(",")):
    p.stdin.write(("\n".join(lines[at:at + n]) + "\n").encode())
    want = [json.loads(l)["id"] for l in lines[at:at + n]]
    got, end = [], time.time() + 30
    while len(got) < n:
        while b"\n" in buf and len(got) < n:
            l, buf = buf.split(b"\n", 1)
            got.append(l.decode())
        if len(got) == n:
            break
        if not select.select([p.stdout], [], [], max(0, end - time.time()))[0]:
            sys.exit("no answer within 30 s for the batch at line %d (%d of %d)" % (at + 1, len(got), n))
        chunk = p.stdout.read(65536)
        if not chunk:
            sys.exit("output ended early")
        buf += chunk
    if [json.loads(g)["id"] for g in got] != want:
        sys.exit("answers out of order at line %d" % (at + 1))
    out += got
    at += n
if mode == "kill":
    p.send_signal(signal.SIGKILL)
    p.wait()
else:
    p.stdin.close()
    if p.stdout.read() != b"" or p.wait() != 0:
        sys.exit("unexpected output or exit at the end")
print("\n".join(out))
PY
# Short articles, so that each batch is one pipe write of at most PIPE_BUF (4096) bytes, which
# the reader sees whole: the batch boundaries are then the ones written, on a loaded machine too.
python3 - "$SAMPLE" > f.jsonl <<'PY'
import json, sys
for line in open(sys.argv[1]).readlines()[:14]:
    a = json.loads(line)
    print(json.dumps({"id": a["id"], "title": a.get("title", ""), "text": a["text"][:300]}))
PY
"$BIN" index create fw -q && python3 follow.py "$BIN" fw f.jsonl 3,1,6,4 add > f.out || fail "follow"
grep -q '"journal_batches": 4' <<<"$("$BIN" index stats fw)" || fail "follow: one journal append a batch"; ok
"$BIN" index create sw -q
sed -n 1,3p f.jsonl > s1 && sed -n 4p f.jsonl > s2 && sed -n 5,10p f.jsonl > s3 && sed -n 11,14p f.jsonl > s4
for k in 1 2 3 4; do "$BIN" index add sw s$k -q; done > s.out
cmp -s f.out s.out || fail "follow answers differ from one add per batch"; ok
"$BIN" index query fw probe.jsonl -q > pf.out && "$BIN" index query sw probe.jsonl -q > ps.out
cmp -s pf.out ps.out || fail "follow left another index than one add per batch"; ok
python3 follow.py "$BIN" fw probe.jsonl 2,2 query > fq.out || fail "follow query"
sed -n 1,2p probe.jsonl > q1 && sed -n 3,4p probe.jsonl > q2  # a query's boilerplate counts take in its batch
for k in 1 2; do "$BIN" index query fw q$k -q; done | cmp -s - fq.out && grep -q '"articles": 14' <<<"$("$BIN" index stats fw)" ||
  fail "follow query"; ok
"$BIN" index create kw -q && python3 follow.py "$BIN" kw f.jsonl 5,7 kill > /dev/null || fail "follow kill"
grep -q '"articles": 12' <<<"$("$BIN" index stats kw)" || fail "answered batches lost by a SIGKILL"; ok
# A journal's batches count 8 articles more each: 460 single-article batches fold it once, at
# the 456th (456 x 9 > 4096), and leave 4 in the new journal.
python3 -c 'for i in range(460): print("{\"id\":\"s%d\",\"text\":\"single %d of a feed\"}" % (i, i))' > singles.jsonl
"$BIN" index create one -q && python3 follow.py "$BIN" one singles.jsonl "$(python3 -c 'print(",".join(["1"] * 460))')" add > /dev/null &&
  "$BIN" index stats one > st || fail "single-article follow"
grep -q '"articles": 460' st && grep -q '"journal_batches": 4,' st || fail "journal cost of batches: $(cat st)"; ok
{ sed -n 13p f.jsonl; echo '{"id":"bad"}'; sed -n 14p f.jsonl; } | "$BIN" index add kw - --follow --on-error skip > fr.out 2> err
[[ $(wc -l < fr.out) -eq 2 ]] && grep -q '<stdin>:2: missing field "text" (skipped)' err || fail "follow reject: $(cat fr.out err)"; ok
set +e
"$BIN" index add kw f.jsonl --follow -o x.out -q 2> err; rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q -- '--follow writes each batch' err || fail "--follow with -o: rc $rc $(cat err)"; ok
# A re-post of an indexed article is a dup of it, from an earlier batch.
python3 - "$SAMPLE" > repost.jsonl <<'PY'
import json, sys
a = json.loads(open(sys.argv[1]).readline())
a["id"] = "repost-1"
print(json.dumps(a))
PY
grep -q '"id":"repost-1","status":"dup"' <<<"$("$BIN" index query ix repost.jsonl)" || fail "re-post not found"; ok
# Errors: exit codes and messages.
set +e
"$BIN" index add ix a.jsonl -q > /dev/null 2> err; rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q 'a.jsonl:1: id "a0001" is already in the index' err || fail "re-add: rc $rc $(cat err)"; ok
set +e
"$BIN" index add ix b.jsonl --num-perm 256 -q > /dev/null 2> err; rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q 'num_perm 128 in index, 256 requested' err || fail "param mismatch: rc $rc $(cat err)"; ok
set +e
"$BIN" index add ix b.jsonl --story-neighbors 5 -q > /dev/null 2> err; rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q 'max_candidates_per_doc 18 in index, 5 requested' err || fail "story-neighbors mismatch: rc $rc $(cat err)"; ok
set +e
"$BIN" index query ix b.jsonl --story-max-bucket 7 -q > /dev/null 2> err; rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q 'story_max_bucket 500 in index, 7 requested' err || fail "story-max-bucket mismatch: rc $rc $(cat err)"; ok
# `cluster` story options the index does not have are refused, not ignored.
for opt in "--big-story-size 5" "--conflict-factor 0.5" "--number-weight 0" "--story-terms 10"; do
  set +e
  # shellcheck disable=SC2086
  "$BIN" index add ix b.jsonl $opt -q > /dev/null 2> err; rc=$?
  # shellcheck disable=SC2086
  "$BIN" index create ix-refused $opt -q 2> err2; rc2=$?
  set -e
  [[ $rc -eq 2 && $rc2 -eq 2 && ! -e ix-refused ]] && grep -q "index add: ${opt% *} is a \`cluster\` option the index does not have" err &&
    grep -q "index create: ${opt% *} is a" err2 || fail "$opt: rc $rc/$rc2 $(cat err err2)"
done
ok
"$BIN" index create ixoph --minhash oph
set +e
"$BIN" index add ixoph b.jsonl --minhash classic -q > /dev/null 2> err; rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q 'minhash oph in index, classic requested' err || fail "scheme mismatch: rc $rc $(cat err)"; ok
"$BIN" index add ixoph b.jsonl -q > /dev/null || fail "add to an oph index"; ok
mkdir broken && head -c 1000 ixr/index.ssi > broken/index.ssi
set +e
"$BIN" index stats broken > /dev/null 2> err; rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q 'broken/index.ssi: index truncated' err || fail "truncated: rc $rc $(cat err)"; ok
printf 'XXXXXXXX' | dd of=broken/index.ssi conv=notrunc status=none
set +e
"$BIN" index stats broken > /dev/null 2> err; rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q 'not a samestory index (bad magic)' err || fail "magic: rc $rc $(cat err)"; ok
# Expire: everything published before 2100 goes, and compaction reclaims every slot.
before=$(( $(stat -c %s ix/index.ssi) + $(stat -c %s ix/journal.ssj) ))
"$BIN" index expire ix --before 2100-01-01 2> err
"$BIN" index stats ix > st
grep -q '"articles": 0' st && grep -q '"slots": 0' st && grep -q '"reclaimable_slots": 0' st || fail "expire: $(cat st)"
after=$(stat -c %s ix/index.ssi)
[[ $after -lt $before ]] && grep -q "expired [0-9]* article(s) from ix ($after bytes, $before before)" err ||
  fail "expire did not shrink the file: $before -> $after, $(cat err)"; ok

# Crash safety. A large input (generated), SIGKILLed at increasing delays; after each kill
# the index must load and hold either the previous or the new article count.
python3 - > big.jsonl <<'PY'
import random
r = random.Random(7)
words = ["w%d" % i for i in range(50000)]
for i in range(20000):
    body = " ".join(r.choice(words) for _ in range(60))
    print('{"id":"big%d","title":"t %d","text":"%s"}' % (i, i, body))
PY
"$BIN" index create crash -q
"$BIN" index add crash a.jsonl -q > /dev/null
before=$("$BIN" index stats crash | python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"])')
[[ $before -eq 200 ]] || fail "crash base: $before"
start=$(date +%s%N)
"$BIN" index add crash big.jsonl -q -o /dev/null
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
killed=0
# kill_runs DIR INPUT MS FROM NEW: `index add DIR INPUT` (MS long when whole) SIGKILLed after
# FROM + 5, FROM + 10, ... % of MS, until one completes; the index must then load with its 200
# articles or with NEW.
kill_runs() {
  "$BIN" index create "$1" -q && "$BIN" index add "$1" a.jsonl -q > /dev/null
  local i delay_ms pid n
  for i in $(seq 1 12); do
    delay_ms=$(( $3 * ($4 + i * 5) / 100 ))
    "$BIN" index add "$1" "$2" -q -o /dev/null &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    if kill -KILL $pid 2>/dev/null; then killed=$((killed + 1)); fi
    wait $pid 2>/dev/null || true
    n=$("$BIN" index stats "$1" 2>err | python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"])') \
      || fail "$1 does not load after SIGKILL at ${delay_ms} ms: $(cat err)"
    [[ $n -eq 200 || $n -eq $5 ]] || fail "$1 after SIGKILL at ${delay_ms} ms: $n articles"
    if [[ $n -eq $5 ]]; then break; fi
  done
}
kill_runs crash2 big.jsonl "$full_ms" 40 20200
[[ $killed -ge 1 ]] || fail "no run was killed"
ok
# The same for an add that goes to the journal (3,000 articles: under its limit).
head -3000 big.jsonl > mid.jsonl
"$BIN" index create crash3 -q && "$BIN" index add crash3 a.jsonl -q > /dev/null
start=$(date +%s%N)
"$BIN" index add crash3 mid.jsonl -q -o /dev/null --stats st.json
mid_ms=$(( ($(date +%s%N) - start) / 1000000 ))
grep -q '"journal_appends": 1' st.json || fail "a 3,000-article add did not go to the journal: $(cat st.json)"
kill_runs crash4 mid.jsonl "$mid_ms" 50 3200
ok
ls crash2 crash4 | grep -v -e '^index.ssi$' -e '^journal.ssj$' -e '^crash[24]:$' -e '^$' &&
  fail "temporary files left in the index directory" || true
ok
echo "$PASSED passed, 0 failed (crash runs killed: $killed, full add ${full_ms} ms, journaled add ${mid_ms} ms)"
