#!/usr/bin/env bash
# End-to-end checks of the samestory command-line tool.
#
#   bash tests/cli_test.sh path/to/samestory [repo-root]
#
# Every check prints what failed and exits 1 at the first failure; the last line is
# "N passed, 0 failed". JSON-structure checks use python3 and are skipped when it is absent.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 SAMESTORY_BINARY [REPO_ROOT]" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "${2:-$(dirname "$0")/..}" && pwd)
[[ -x $BIN ]] || { echo "not an executable: $BIN" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/samestory-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"

PASSED=0
SKIPPED=0
HAVE_PY=0
command -v python3 >/dev/null 2>&1 && HAVE_PY=1

# check DESCRIPTION COMMAND...: runs COMMAND; on failure prints what failed and exits 1.
check() {
  local what=$1
  shift
  if "$@"; then
    PASSED=$((PASSED + 1))
  else
    echo "FAIL: $what" >&2
    echo "  command: $*" >&2
    [[ -s stderr.txt ]] && { echo "  last stderr:" >&2; sed 's/^/    /' stderr.txt | head -20 >&2; }
    echo "$PASSED passed, 1 failed" >&2
    exit 1
  fi
}

# py_check DESCRIPTION SCRIPT ARGS...: a python3 check, skipped (and counted as such) without python3.
py_check() {
  local what=$1 script=$2
  shift 2
  if [[ $HAVE_PY -eq 0 ]]; then
    SKIPPED=$((SKIPPED + 1))
    return 0
  fi
  check "$what" python3 -c "$script" "$@"
}

# run ARGS...: runs the binary with stdout in stdout.txt, stderr in stderr.txt; sets RC.
run() {
  RC=0
  "$BIN" "$@" >stdout.txt 2>stderr.txt || RC=$?
}

# run_stdin FILE ARGS...: same, with FILE on stdin.
run_stdin() {
  local file=$1
  shift
  RC=0
  "$BIN" "$@" <"$file" >stdout.txt 2>stderr.txt || RC=$?
}

rc_is() { [[ $RC -eq $1 ]]; }
same_file() { cmp -s "$1" "$2"; }
is_empty() { [[ ! -s $1 ]]; }
has_text() { grep -qF -- "$2" "$1"; }
lines_of() { grep -c '' "$1" || true; }
line_count_is() { [[ $(lines_of "$2") -eq $1 ]]; }

# The value of string field KEY of the record with id ID in a JSONL file (compact output).
field_of() {
  local id=$1 key=$2 file=$3
  grep -F "{\"id\":\"$id\"," "$file" | sed -n "s/.*\"$key\":\"\\([^\"]*\\)\".*/\\1/p"
}
same_field() { [[ -n $(field_of "$1" "$3" "$4") && $(field_of "$1" "$3" "$4") == "$(field_of "$2" "$3" "$4")" ]]; }
field_is() { [[ $(field_of "$1" "$2" "$4") == "$3" ]]; }
ids_of() { sed -n 's/^{ *"id": *"\([^"]*\)".*/\1/p' "$1"; }
same_ids() { [[ "$(ids_of "$1")" == "$(ids_of "$2")" ]]; }

# ---------------------------------------------------------------------------------------------
# Input: 8 articles. a1 and a3 are near-duplicates (a3 published earlier: 09:00Z vs 09:15Z);
# a8 follows the same story in other words; the rest are unrelated. Six articles carry the same
# two boilerplate lines (>= the default --boilerplate-min-docs of 5).
BP='\nRelated Articles\nLeave a Reply'
BODY_A='The city council of Westbrook voted on Tuesday evening to approve a new budget of 42 million dollars for the coming year, after a long debate about road repairs, school funding and the future of the old harbour bridge. Mayor Elena Vasquez said the plan would keep taxes flat while hiring twelve new teachers. Opposition members argued the bridge repairs were delayed again and warned of rising costs next spring.'
BODY_B=${BODY_A/Tuesday evening/Tuesday night}
BODY_B=${BODY_B/twelve new teachers/12 new teachers}
cat >in.jsonl <<EOF
{"id":"a1","title":"Westbrook council approves budget","text":"$BODY_A$BP","source":"Daily Post","published":"2026-03-04T09:15:00Z"}
{"id":"a2","title":"Mars rover finds ancient lake bed","text":"Scientists operating the Perseverance rover reported layered rocks that suggest a lake once filled the Jezero crater billions of years ago, raising hopes of finding traces of microbial life in samples.$BP","source":"Science Now","published":"2026-03-02"}
{"id":"a3","title":"Westbrook council approves budget","text":"$BODY_B$BP","source":"Westbrook Herald","published":"2026-03-04T11:00:00+02:00"}
{"id":"a4","title":"Football: Rovers beat United 3-1","text":"Rovers came from behind to beat United 3-1 on Saturday with two late goals from their new striker, lifting the club to third place in the league table.$BP","source":"Sports Daily"}
{"id":"a5","title":"Recipe: slow cooked lentil soup","text":"Soak the lentils overnight, then simmer them with carrots, celery, onions and a bay leaf for two hours. Season with cumin and lemon juice before serving with warm bread.$BP","source":"Kitchen"}
{"id":"a6","title":"Stock markets rally on rate hopes","text":"Global stock markets rallied on Friday as investors bet that central banks would cut interest rates before the summer, with technology shares leading the gains in Asia and Europe.","source":"Money Wire"}
{"id":"a7","title":"Heavy snow closes mountain passes","text":"Heavy snow closed three mountain passes in the northern province overnight, stranding hundreds of trucks and forcing the cancellation of school buses across the valley.$BP","source":"Weather Desk"}
{"id":"a8","title":"Westbrook budget vote draws criticism","text":"Critics of the Westbrook budget approved by the city council on Tuesday said Mayor Elena Vasquez ignored the harbour bridge, which engineers say needs urgent repairs costing 42 million dollars.","source":"Metro News"}
EOF
IDS_IN=$(sed -n 's/^{"id":"\([^"]*\)".*/\1/p' in.jsonl)

# Same records with the boilerplate lines removed.
sed 's/\\nRelated Articles\\nLeave a Reply//' in.jsonl >nobp.jsonl
# Same records under other field names.
sed -e 's/"id":/"doc_id":/' -e 's/"text":/"body":/' -e 's/"title":/"headline":/' \
  -e 's/"source":/"outlet":/' -e 's/"published":/"date":/' in.jsonl >mapped.jsonl
# A malformed 4th line between good ones.
BAD_LINE='{"id":"bad","text":"cut short'
{ sed -n 1,3p in.jsonl; printf '%s\n' "$BAD_LINE"; sed -n '4,$p' in.jsonl; } >bad.jsonl
# Gold labels for eval.
cat >gold.jsonl <<'EOF'
{"id":"a1","story":"budget","dup_group":"d1"}
{"id":"a2","story":"mars","dup_group":"d2"}
{"id":"a3","story":"budget","dup_group":"d1"}
{"id":"a4","story":"football","dup_group":"d4"}
{"id":"a5","story":"soup","dup_group":"d5"}
{"id":"a6","story":"markets","dup_group":"d6"}
{"id":"a7","story":"snow","dup_group":"d7"}
{"id":"a8","story":"budget","dup_group":"d8"}
EOF

# Validates a cluster/dedup JSONL output: one JSON object per line with exactly the keys given.
PY_RECORDS='
import json, sys
path, keys = sys.argv[1], sys.argv[2].split(",")
n = 0
for ln, line in enumerate(open(path, encoding="utf-8"), 1):
    rec = json.loads(line)
    assert isinstance(rec, dict), f"line {ln}: not an object"
    assert list(rec) == keys, f"line {ln}: keys {list(rec)} != {keys}"
    assert isinstance(rec["id"], str) and isinstance(rec["dup_group"], str), f"line {ln}: ids not strings"
    assert isinstance(rec["canonical"], bool), f"line {ln}: canonical not a bool"
    for k in ("dup_score", "story_score"):
        if k in rec:
            assert isinstance(rec[k], (int, float)) and 0 <= rec[k] <= 1, f"line {ln}: {k} = {rec[k]}"
    n += 1
assert n > 0, "no records"
'
# Every group has exactly one canonical member, and it is the article named by dup_group.
PY_GROUPS='
import json, sys, collections
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
by_id = {r["id"]: r for r in recs}
canon = collections.Counter(r["dup_group"] for r in recs if r["canonical"])
for r in recs:
    g = r["dup_group"]
    assert g in by_id and by_id[g]["canonical"] and by_id[g]["dup_group"] == g, f"{r} names a bad group"
    assert canon[g] == 1, f"group {g} has {canon[g]} canonical members"
    assert r["canonical"] == (r["id"] == g), f"{r}"
    if "story" in r:
        assert by_id[g]["story"] == r["story"], f"{r}: a dup group split over stories"
'
# A JSON file holding an object with the given keys.
PY_JSON_KEYS='
import json, sys
obj = json.load(open(sys.argv[1], encoding="utf-8"))
for k in sys.argv[2:]:
    assert k in obj, f"no key {k} in {sorted(obj)}"
'
KEYS_CLUSTER=id,dup_group,story,canonical,dup_score,story_score
KEYS_DEDUP=id,dup_group,canonical,dup_score

# ---------------------------------------------------------------------------------------------
# Usage and help

run --help
check "--help exits 0" rc_is 0
check "--help lists the commands" has_text stdout.txt cluster
run cluster --help
check "cluster --help exits 0" rc_is 0
check "cluster --help lists --id-field" has_text stdout.txt --id-field
run --version
check "--version exits 0" rc_is 0
run cluster --no-such-flag in.jsonl
check "an unknown flag exits 2" rc_is 2
check "an unknown flag is named" has_text stderr.txt no-such-flag
run frobnicate
check "an unknown command exits 2" rc_is 2
run
check "no command exits 2" rc_is 2
run cluster in.jsonl --format xml
check "a bad --format exits 2" rc_is 2
run cluster in.jsonl --dup-threshold 2
check "an out-of-range --dup-threshold exits 2" rc_is 2
run cluster in.jsonl --minhash minwise
check "an unknown --minhash scheme exits 2" rc_is 2
run cluster in.jsonl --rejects r.txt
check "--rejects without --on-error skip exits 2" rc_is 2
run cluster in.jsonl --summary -
check "--summary - without -o exits 2" rc_is 2
check "--summary - without -o says why" has_text stderr.txt "--summary - needs -o"
run cluster no-such-file.jsonl
check "a missing input exits 1" rc_is 1
check "a missing input is named" has_text stderr.txt no-such-file.jsonl

# ---------------------------------------------------------------------------------------------
# cluster

run cluster in.jsonl
check "cluster exits 0" rc_is 0
cp stdout.txt out.jsonl
check "cluster writes one line per record" line_count_is 8 out.jsonl
check "cluster keeps input order" [ "$(ids_of out.jsonl)" == "$IDS_IN" ]
py_check "cluster records are JSON with exactly the contract keys" "$PY_RECORDS" out.jsonl "$KEYS_CLUSTER"
py_check "cluster groups are consistent" "$PY_GROUPS" out.jsonl
if [[ $HAVE_PY -eq 0 ]]; then
  check "every line looks like a cluster record" [ "$(grep -cE '^\{"id":"[^"]*","dup_group":"[^"]*","story":"[^"]*","canonical":(true|false),"dup_score":[0-9.]+,"story_score":[0-9.]+\}$' out.jsonl)" -eq 8 ]
fi
check "near-duplicates share a dup group" same_field a1 a3 dup_group out.jsonl
check "the earliest published is canonical" field_is a1 dup_group a3 out.jsonl
check "the canonical is marked" has_text out.jsonl '{"id":"a3","dup_group":"a3","story":"a3","canonical":true,'
check "the re-post is marked" has_text out.jsonl '{"id":"a1","dup_group":"a3","story":"a3","canonical":false,'
check "near-duplicates share a story" same_field a1 a3 story out.jsonl
check "an unrelated article is its own dup group" field_is a2 dup_group a2 out.jsonl
check "an unrelated article is its own story" [ "$(grep -c '"story":"a2"' out.jsonl)" -eq 1 ]
check "shared boilerplate does not join stories" [ "$(field_of a5 story out.jsonl)" != "$(field_of a7 story out.jsonl)" ]
run cluster in.jsonl --minhash oph
check "cluster --minhash oph exits 0" rc_is 0
cp stdout.txt oph.jsonl
check "--minhash oph: near-duplicates share a dup group" field_is a1 dup_group a3 oph.jsonl
check "--minhash oph: an unrelated article is its own dup group" field_is a2 dup_group a2 oph.jsonl
run cluster nobp.jsonl
check "boilerplate lines change nothing" same_file stdout.txt out.jsonl

run_stdin in.jsonl cluster -
check "cluster - exits 0" rc_is 0
check "cluster - (stdin) equals the file run" same_file stdout.txt out.jsonl
run_stdin in.jsonl cluster
check "cluster with no INPUT reads stdin" same_file stdout.txt out.jsonl

run cluster in.jsonl -o o.jsonl
check "cluster -o exits 0" rc_is 0
check "cluster -o prints nothing on stdout" is_empty stdout.txt
check "cluster -o writes the records" same_file o.jsonl out.jsonl
check "cluster -o leaves no temporary file" [ "$(ls -a | grep -c '\.tmp')" -eq 0 ]

run cluster in.jsonl --format csv
check "--format csv exits 0" rc_is 0
check "--format csv header" [ "$(head -1 stdout.txt)" == "id,dup_group,story,canonical,dup_score,story_score" ]
check "--format csv has a row per record" line_count_is 9 stdout.txt
check "--format csv rows in input order" [ "$(sed 1d stdout.txt | cut -d, -f1)" == "$IDS_IN" ]
check "--format csv marks the re-post" has_text stdout.txt "a1,a3,a3,false,"
cp stdout.txt out.csv
py_check "--format csv rows equal the JSONL records" '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
recs = [json.loads(l) for l in open(sys.argv[2])]
assert len(rows) == len(recs)
for row, rec in zip(rows, recs):
    assert row["id"] == rec["id"] and row["dup_group"] == rec["dup_group"] and row["story"] == rec["story"], (row, rec)
    assert row["canonical"] == ("true" if rec["canonical"] else "false"), (row, rec)
    assert float(row["dup_score"]) == rec["dup_score"] and float(row["story_score"]) == rec["story_score"], (row, rec)
' out.csv out.jsonl

for t in 1 2 8; do
  run cluster in.jsonl --threads "$t"
  check "--threads $t exits 0" rc_is 0
  cp stdout.txt "threads$t.jsonl"
done
check "--threads 1 and 2 agree byte for byte" same_file threads1.jsonl threads2.jsonl
check "--threads 1 and 8 agree byte for byte" same_file threads1.jsonl threads8.jsonl
check "--threads 1 equals the default run" same_file threads1.jsonl out.jsonl

# A larger generated corpus (awk: no python needed) for thread-count determinism.
awk 'BEGIN {
  srand(7); nw = 400
  for (w = 0; w < nw; w++) word[w] = sprintf("w%03d%c", w, 97 + w % 26)
  for (i = 0; i < 600; i++) {
    if (i % 4 == 3) { src = int(rand() * i); body = text[src]; n = split(body, t, " ")
      for (k = 0; k < 3; k++) t[1 + int(rand() * n)] = word[int(rand() * nw)]
      body = t[1]; for (k = 2; k <= n; k++) body = body " " t[k]
    } else { body = ""; topic = int(rand() * 40)
      for (k = 0; k < 60; k++) body = body (k ? " " : "") word[(topic * 10 + int(rand() * 30)) % nw] }
    text[i] = body
    bp = (i % 3 == 0) ? "\\nSubscribe to our newsletter" : ""
    printf "{\"id\":\"g%d\",\"title\":\"Topic %d\",\"text\":\"%s%s\"}\n", i, i % 40, body, bp
  } }' >gen.jsonl
run cluster gen.jsonl --threads 1
check "generated corpus runs" rc_is 0
check "generated corpus: one line per record" line_count_is 600 stdout.txt
cp stdout.txt gen1.jsonl
check "generated corpus has re-posts" [ "$(grep -c '"canonical":false' gen1.jsonl)" -gt 50 ]
for t in 2 8; do
  run cluster gen.jsonl --threads "$t"
  check "generated corpus: --threads $t equals --threads 1" same_file stdout.txt gen1.jsonl
done
run dedup gen.jsonl --threads 8 --emit unique -o gen_unique8.jsonl
run dedup gen.jsonl --threads 1 --emit unique -o gen_unique1.jsonl
check "dedup --emit unique: threads agree" same_file gen_unique1.jsonl gen_unique8.jsonl

# ---------------------------------------------------------------------------------------------
# Field mapping

run cluster mapped.jsonl --id-field doc_id --text-field body --title-field headline --source-field outlet --time-field date
check "field mapping exits 0" rc_is 0
check "field mapping gives the same output" same_file stdout.txt out.jsonl
run cluster mapped.jsonl
check "unmapped field names exit 1" rc_is 1
check "unmapped field names: the message names file:line and the field" has_text stderr.txt 'mapped.jsonl:1: missing field "id"'

# ---------------------------------------------------------------------------------------------
# Bad input

run cluster bad.jsonl
check "a malformed line exits 1" rc_is 1
check "a malformed line is named file:LINE:" has_text stderr.txt "bad.jsonl:4:"
check "a failed run prints no records" is_empty stdout.txt

run cluster bad.jsonl --on-error skip --rejects rejects.tsv --stats stats.json -q
check "--on-error skip exits 0" rc_is 0
check "--on-error skip writes the good records" [ "$(ids_of stdout.txt)" == "$IDS_IN" ]
check "rejects file has one line" line_count_is 1 rejects.tsv
check "rejects file names file:line" [ "$(cut -f1 rejects.tsv)" == "bad.jsonl:4" ]
check "rejects file has a reason" [ -n "$(cut -f2 rejects.tsv)" ]
check "rejects file has the record verbatim" [ "$(cut -f3- rejects.tsv)" == "$BAD_LINE" ]
py_check "stats is JSON with the counts" "$PY_JSON_KEYS" stats.json records_read records_written records_rejected \
  candidate_pairs verified_edges largest_bucket dup_groups stories threads peak_rss_kb seconds
py_check "stats: read = written + rejected" '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["records_read"] == s["records_written"] + s["records_rejected"], s
assert (s["records_read"], s["records_written"], s["records_rejected"]) == (9, 8, 1), s
' stats.json
stat_num() { sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p" stats.json; }
check "stats: read = written + rejected (grep)" [ "$(stat_num records_read)" -eq $(($(stat_num records_written) + $(stat_num records_rejected))) ]

# A duplicate id is rejected too, and its record still goes verbatim to --rejects.
{ cat in.jsonl; sed -n 2p in.jsonl; } >dupid.jsonl
run cluster dupid.jsonl
check "a duplicate id exits 1" rc_is 1
check "a duplicate id is named" has_text stderr.txt 'dupid.jsonl:9: duplicate id "a2"'
run cluster dupid.jsonl --on-error skip --rejects dup_rejects.tsv -q
check "a duplicate id under skip exits 0" rc_is 0
check "a duplicate id under skip keeps the first" same_file stdout.txt out.jsonl
check "a duplicate id goes verbatim to --rejects" [ "$(cut -f3- dup_rejects.tsv)" == "$(sed -n 2p in.jsonl)" ]

# A failed run leaves an existing output untouched.
echo "previous content" >keep.jsonl
run cluster bad.jsonl -o keep.jsonl --stats keep_stats.json
check "a failed run with -o exits 1" rc_is 1
check "a failed run leaves the old output" [ "$(cat keep.jsonl)" == "previous content" ]
check "a failed run writes no stats" [ ! -e keep_stats.json ]
check "a failed run leaves no temporary file" [ "$(ls -a | grep -c '\.tmp')" -eq 0 ]

# ---------------------------------------------------------------------------------------------
# dedup

run dedup in.jsonl
check "dedup exits 0" rc_is 0
cp stdout.txt dedup.jsonl
check "dedup writes one line per record" line_count_is 8 dedup.jsonl
check "dedup assignments have no story key" [ "$(grep -c '"story' dedup.jsonl || true)" -eq 0 ]
py_check "dedup records are JSON with exactly the contract keys" "$PY_RECORDS" dedup.jsonl "$KEYS_DEDUP"
py_check "dedup groups are consistent" "$PY_GROUPS" dedup.jsonl
check "dedup groups equal cluster groups" [ "$(cut -d, -f1,2 dedup.jsonl)" == "$(cut -d, -f1,2 out.jsonl)" ]

run dedup in.jsonl --emit unique
check "dedup --emit unique exits 0" rc_is 0
cp stdout.txt unique.jsonl
# The expected output: the input lines of the canonical articles, in input order.
: >expected_unique.jsonl
for id in $(grep '"canonical":true' dedup.jsonl | sed 's/^{"id":"\([^"]*\)".*/\1/'); do
  grep -F "{\"id\":\"$id\"," in.jsonl >>expected_unique.jsonl
done
check "dedup --emit unique writes the canonical input lines verbatim" same_file unique.jsonl expected_unique.jsonl
check "dedup --emit unique leaves out the re-post" [ "$(grep -c '"id":"a1"' unique.jsonl || true)" -eq 0 ]
check "dedup --emit unique keeps the other 7" line_count_is 7 unique.jsonl
# From stdin the records are kept as read; from a file they are copied from it at the end.
run_stdin in.jsonl dedup - --emit unique
check "dedup --emit unique from stdin writes what it writes from the file" same_file stdout.txt unique.jsonl
run dedup in.jsonl --emit unique --format csv
check "dedup --emit unique --format csv exits 2" rc_is 2

# CRLF input: the same records; --emit unique writes each line as read, without its CR.
sed 's/$/\r/' in.jsonl >crlf.jsonl
run cluster crlf.jsonl
check "CRLF input gives the same output" same_file stdout.txt out.jsonl
run dedup crlf.jsonl --emit unique
check "CRLF input: --emit unique writes the lines without CR" same_file stdout.txt unique.jsonl

# ---------------------------------------------------------------------------------------------
# eval

run eval --gold gold.jsonl --pred out.jsonl
check "eval exits 0" rc_is 0
check "eval prints bcubed" has_text stdout.txt '"bcubed"'
cp stdout.txt eval_story.json
py_check "eval prints JSON metrics" "$PY_JSON_KEYS" eval_story.json bcubed pairwise items
run eval --gold gold.jsonl --pred out.jsonl --level dup
check "eval --level dup exits 0" rc_is 0
check "eval --level dup prints bcubed" has_text stdout.txt '"bcubed"'
cp stdout.txt eval_dup.json
py_check "eval --level dup: the dup groups are exact here" '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["items"] == 8 and r["bcubed"]["f1"] == 1, r
' eval_dup.json
run eval --gold gold.jsonl --pred out.jsonl -o eval_o.json
check "eval -o writes the file" same_file eval_o.json eval_story.json
check "eval -o prints nothing" is_empty stdout.txt
run eval --pred out.jsonl
check "eval without --gold exits 2" rc_is 2
run eval --gold gold.jsonl --pred out.jsonl --level topic
check "eval with a bad --level exits 2" rc_is 2

# ---------------------------------------------------------------------------------------------
# A folder of .txt files

mkdir txt
printf 'Westbrook council approves budget\n%s\n' "$BODY_A" >txt/c-budget.txt
printf '\nWestbrook council approves budget\n%s\n' "$BODY_B" >txt/a-budget.txt
printf 'Mars rover finds ancient lake bed\nScientists operating the rover reported layered rocks in the crater.\n' >txt/b-mars.txt
printf 'not an article\n' >txt/notes.md
run cluster txt
check "a .txt folder exits 0" rc_is 0
check "a .txt folder: one record per .txt file, sorted, id = stem" [ "$(ids_of stdout.txt | tr '\n' ' ')" == "a-budget b-mars c-budget " ]
check "a .txt folder: near-duplicate files share a dup group" same_field a-budget c-budget dup_group stdout.txt
check "a .txt folder: undated, the longest text is canonical" field_is a-budget dup_group c-budget stdout.txt
run dedup txt --emit unique
check "a .txt folder: --emit unique writes JSON records" has_text stdout.txt '{"id":"c-budget","title":"Westbrook council approves budget","text":"The city council'
check "a .txt folder: --emit unique writes the canonicals only" [ "$(ids_of stdout.txt | tr '\n' ' ')" == "b-mars c-budget " ]

# ---------------------------------------------------------------------------------------------
# --summary

run cluster in.jsonl -o with_summary.jsonl --summary summary.txt
check "--summary FILE exits 0" rc_is 0
check "--summary FILE keeps the records" same_file with_summary.jsonl out.jsonl
check "--summary counts" has_text summary.txt "8 articles read, 8 clustered, 0 rejected"
check "--summary shows the re-post" has_text summary.txt "[re-post of a3]"
check "--summary shows the headline" has_text summary.txt "Westbrook council approves budget"
run cluster in.jsonl -o with_summary2.jsonl --summary -
check "--summary - with -o exits 0" rc_is 0
check "--summary - with -o prints the summary" same_file stdout.txt summary.txt

# ---------------------------------------------------------------------------------------------
# The sample corpus shipped in the repository, when present

SAMPLE=$ROOT/datasets/sample
if [[ -f $SAMPLE/articles.jsonl ]]; then
  run cluster "$SAMPLE/articles.jsonl" -o sample_out.jsonl --stats sample_stats.json
  check "sample: cluster exits 0" rc_is 0
  check "sample: one record per input record" [ "$(lines_of sample_out.jsonl)" -eq "$(grep -c '[^[:space:]]' "$SAMPLE/articles.jsonl")" ]
  py_check "sample: records are well formed" "$PY_RECORDS" sample_out.jsonl "$KEYS_CLUSTER"
  py_check "sample: groups are consistent" "$PY_GROUPS" sample_out.jsonl
  run cluster "$SAMPLE/articles.jsonl" --threads 1
  check "sample: --threads 1 equals the default" same_file stdout.txt sample_out.jsonl
  # Golden run: any change of result on the sample shows here (tests/data/update-golden.sh).
  check "sample: output equals tests/data/sample.cluster.golden.jsonl" same_file sample_out.jsonl "$ROOT/tests/data/sample.cluster.golden.jsonl"
  if [[ -f $SAMPLE/gold.jsonl ]]; then
    for level in dup story; do
      run eval --gold "$SAMPLE/gold.jsonl" --pred sample_out.jsonl --level "$level"
      check "sample: eval --level $level exits 0" rc_is 0
      check "sample: eval --level $level prints bcubed" has_text stdout.txt '"bcubed"'
      cp stdout.txt "sample_eval_$level.json"
      py_check "sample: eval --level $level is JSON" "$PY_JSON_KEYS" "sample_eval_$level.json" bcubed pairwise
    done
    # --only scores a subset: two ids of one gold story, both predicted apart or together.
    head -n 3 "$SAMPLE/gold.jsonl" | sed -n 's/^{"id": *"\([^"]*\)".*/\1/p' >only.ids
    run eval --gold "$SAMPLE/gold.jsonl" --pred sample_out.jsonl --only only.ids
    check "sample: eval --only exits 0" rc_is 0
    check "sample: eval --only scores only the listed ids" has_text stdout.txt '"items": 3,'
  fi
  run quality "$SAMPLE/articles.jsonl" -q
  check "sample: quality exits 0" rc_is 0
  cp stdout.txt quality.json
  py_check "sample: quality is JSON" "$PY_JSON_KEYS" quality.json dup story
  # Banding 42 x 3 makes a pair at J = 0.5 a candidate with p = 1 - (1 - 0.5^3)^42 = 0.996, so a
  # pair just above the threshold may still be missed (the sample's 32-bit signatures miss one at J = 0.51).
  dup_recall=$(sed -n 's/.*"dup": {[^}]*"recall": \([0-9.]*\).*/\1/p' quality.json)
  check "sample: quality finds the dup pairs at the threshold (recall $dup_recall >= 0.99)" \
    awk -v r="$dup_recall" 'BEGIN { exit !(r != "" && r >= 0.99) }'
  run quality "$SAMPLE/articles.jsonl" -q --max-docs 10
  check "sample: quality refuses inputs over --max-docs" rc_is 2
else
  echo "note: $SAMPLE/articles.jsonl absent, sample checks skipped"
fi

[[ $SKIPPED -gt 0 ]] && echo "note: $SKIPPED JSON-structure checks skipped (no python3)"
echo "$PASSED passed, 0 failed"
