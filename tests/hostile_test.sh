#!/usr/bin/env bash
# The hostile-input matrix of docs/errors.md, end to end through the samestory binary.
#
#   bash tests/hostile_test.sh path/to/samestory [repo-root]
#
# Every case runs under --on-error fail (exit code, the exact "file:line: reason" message, no
# output touched) and under --on-error skip (the exact rejects file, and --stats accounting:
# read = written + rejected, written = output lines, rejected = rejects lines, read = the
# non-blank lines of the input). Then: output safety under SIGKILL and SIGINT, shuffled input,
# and byte-identical output for 1, 2 and 8 threads. Inputs are generated in a temporary folder
# (the big ones on the fly); nothing needs python. Prints "N passed, 0 failed" at the end and
# exits 1 at the first failure.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 SAMESTORY_BINARY [REPO_ROOT]" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "${2:-$(dirname "$0")/..}" && pwd)
[[ -x $BIN ]] || { echo "not an executable: $BIN" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/samestory-hostile.XXXXXX")
BG_PID=
cleanup() {
  if [[ -n $BG_PID ]]; then kill -9 "$BG_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "FAIL: $0: line $LINENO: unexpected error ($PASSED passed)" >&2' ERR
cd "$TMP"
export LC_ALL=C

PASSED=0
# check DESCRIPTION COMMAND...: runs COMMAND; on failure says what failed and exits 1.
check() {
  local what=$1
  shift
  if "$@"; then
    PASSED=$((PASSED + 1))
  else
    echo "FAIL: $what" >&2
    echo "  command: $*" >&2
    [[ -s stderr.txt ]] && { echo "  last stderr:" >&2; head -c 2000 stderr.txt | sed 's/^/    /' >&2; }
    echo "$PASSED passed, 1 failed" >&2
    exit 1
  fi
}

# run ARGS...: the binary with stdout in stdout.txt and stderr in stderr.txt; sets RC.
run() {
  RC=0
  "$BIN" "$@" >stdout.txt 2>stderr.txt || RC=$?
}
rc_is() { [[ $RC -eq $1 ]]; }
is_empty() { [[ ! -s $1 ]]; }
same_file() { cmp -s "$1" "$2"; }
lines_of() { grep -a -c '' "$1" || true; }
# Lines holding something besides spaces, tabs and CR: the records the reader counts.
records_in() {
  if [[ -d $1 ]]; then
    find "$1" -maxdepth 1 -name '*.txt' -type f | grep -c '' || true
  else
    grep -a -c -v -E $'^(\xEF\xBB\xBF)?[ \t\r]*$' "$1" || true
  fi
}
stat_num() { sed -n "s/^ *\"$1\": *\([0-9]*\).*/\1/p" stats.json; }
no_temporaries() { [[ $(ls -a | grep -c '\.tmp') -eq 0 ]]; }
# The rejects-file line of record N of FILE: "FILE:N<TAB>REASON<TAB>record", the record verbatim
# but for a BOM or the CR of CRLF; of a record over --max-article-bytes ("prefix"), its first
# 4096 bytes.
reject_line() {
  local file=$1 line=$2 reason=$3 mode=${4:-line}
  printf '%s:%s\t%s\t' "$file" "$line" "$reason"
  if [[ $mode == prefix ]]; then
    { sed -n "${line}p" "$file" || true; } | head -c 4096  # sed dies of SIGPIPE
    printf '\n'
  else
    sed -n "${line}p" "$file" | sed -e $'s/^\xEF\xBB\xBF//' -e $'s/\r$//'
    # sed prints the last line without a newline when the file has none.
    [[ $line -eq $(lines_of "$file") && $(tail -c 1 "$file" | wc -l) -eq 0 ]] && printf '\n'
  fi
  return 0
}

# accounting NAME INPUT: the --stats counts of the last skip run agree with its files.
accounting() {
  local name=$1 input=$2
  local read written rejected
  read=$(stat_num records_read)
  written=$(stat_num records_written)
  rejected=$(stat_num records_rejected)
  check "$name: stats: records_read = records_written + records_rejected" [ "$read" -eq $((written + rejected)) ]
  check "$name: stats: records_written = output lines" [ "$written" -eq "$(lines_of out.jsonl)" ]
  check "$name: stats: records_rejected = rejects lines" [ "$rejected" -eq "$(lines_of rejects.tsv)" ]
  check "$name: stats: records_read = non-blank input lines" [ "$read" -eq "$(records_in "$input")" ]
}

# expect_reject NAME LINE REASON [prefix]: NAME.jsonl (or the folder NAME) has one bad record,
# at LINE, and good ones around it.
expect_reject() {
  local name=$1 line=$2 reason=$3 mode=${4:-line}
  local input=$name.jsonl
  [[ -d $name ]] && input=$name
  echo "previous output" >out.jsonl
  rm -f stats.json rejects.tsv
  run cluster "$input" -o out.jsonl --stats stats.json
  check "$name: fail: exit 1" rc_is 1
  check "$name: fail: the message names file:line and the reason" \
    [ "$(cat stderr.txt)" == "samestory: $input:$line: $reason" ]
  check "$name: fail: the old output is intact" [ "$(cat out.jsonl)" == "previous output" ]
  check "$name: fail: no stats written" [ ! -e stats.json ]
  check "$name: fail: nothing on stdout" is_empty stdout.txt
  check "$name: fail: no temporary left" no_temporaries
  run cluster "$input" --on-error skip --rejects rejects.tsv --stats stats.json -o out.jsonl -q
  check "$name: skip: exit 0" rc_is 0
  check "$name: skip: quiet" is_empty stderr.txt
  if [[ -d $input ]]; then
    printf '%s:%s\t%s\t%s\n' "$input" "$line" "$reason" "$(ls "$input" | grep '\.txt$' | sed -n "${line}p")" >want.tsv
  else
    reject_line "$input" "$line" "$reason" "$mode" >want.tsv
  fi
  check "$name: skip: rejects file is file:line<TAB>reason<TAB>record" same_file rejects.tsv want.tsv
  check "$name: skip: one reject" [ "$(stat_num records_rejected)" -eq 1 ]
  check "$name: skip: the good records are written" [ "$(lines_of out.jsonl)" -eq $(($(records_in "$input") - 1)) ]
  accounting "$name" "$input"
}

# expect_accept NAME N: NAME.jsonl (or the folder NAME) is accepted whole, N records, in both modes.
expect_accept() {
  local name=$1 n=$2
  local input=$name.jsonl
  [[ -d $name ]] && input=$name
  rm -f stats.json rejects.tsv out.jsonl
  run cluster "$input" -o out.jsonl
  check "$name: fail: exit 0" rc_is 0
  check "$name: fail: $n records" [ "$(lines_of out.jsonl)" -eq "$n" ]
  cp out.jsonl out_fail.jsonl
  run cluster "$input" --on-error skip --rejects rejects.tsv --stats stats.json -o out.jsonl -q
  check "$name: skip: exit 0" rc_is 0
  check "$name: skip: same output as fail" same_file out.jsonl out_fail.jsonl
  check "$name: skip: a rejects file" [ -e rejects.tsv ]
  check "$name: skip: empty rejects file" is_empty rejects.tsv
  check "$name: skip: nothing rejected" [ "$(stat_num records_rejected)" -eq 0 ]
  accounting "$name" "$input"
}

G1='{"id":"g1","title":"Harbour bridge repairs approved","text":"The council of Westbrook approved repairs to the old harbour bridge on Tuesday, at a cost of 42 million dollars."}'
G2='{"id":"g2","title":"Snow closes mountain passes","text":"Heavy snow closed three mountain passes in the northern province overnight, stranding hundreds of trucks."}'
G3='{"id":"g3","title":"Lentil soup","text":"Soak the lentils overnight, then simmer them with carrots, celery and a bay leaf for two hours."}'
# case NAME BYTES: NAME.jsonl = G1, BYTES (printf %b: a line or more, newline included), G2.
case_file() { { printf '%s\n' "$G1"; printf '%b' "$2"; printf '%s\n' "$G2"; } >"$1.jsonl"; }

# ---------------------------------------------------------------------------------------------
# Broken JSON

case_file invalid_json '{"id":"x" "text":"y"}\n'
expect_reject invalid_json 2 "invalid JSON: The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc."
case_file not_an_object '[1,2,3]\n'
expect_reject not_an_object 2 "record is an array, expected a JSON object"
case_file trailing_content '{"id":"x","text":"y"} {"id":"z"}\n'
expect_reject trailing_content 2 "invalid JSON: trailing content after the record"
# A truncated last line (a feed cut mid-write): no newline at the end of the file.
{ printf '%s\n%s\n' "$G1" "$G2"; printf '{"id":"t","text":"cut sh'; } >truncated_last.jsonl
expect_reject truncated_last 3 "invalid JSON: A string is opened, but never closed."
# Invalid JSON inside a field samestory does not read is still invalid JSON.
case_file invalid_unknown_field '{"id":"x","text":"y","meta":{"ok":tru}}\n'
expect_reject invalid_unknown_field 2 "invalid JSON: Problem while parsing an atom starting with the letter 't'"
case_file bad_number '{"id":"x","text":"y","score":01}\n'
expect_reject bad_number 2 "invalid JSON: Problem while parsing a number"

# ---------------------------------------------------------------------------------------------
# Encodings and bytes

case_file utf8_text '{"id":"u","text":"caf\xE9 au lait"}\n'
expect_reject utf8_text 2 "invalid UTF-8 at column 22"
case_file utf8_id '{"id":"b\xFF","text":"x"}\n'
expect_reject utf8_id 2 "invalid UTF-8 at column 9"
case_file nul_in_string '{"id":"n","text":"x\0y"}\n'
expect_reject nul_in_string 2 "NUL byte at column 20"
# The zeros a crash leaves at the end of a file.
{ printf '%s\n%s\n' "$G1" "$G2"; head -c 4096 /dev/zero; } >nul_block.jsonl
expect_reject nul_block 3 "NUL byte at column 1"
# An escaped NUL is a character like any other (dropped by normalisation).
case_file nul_escaped '{"id":"e","text":"x\\u0000y"}\n'
expect_accept nul_escaped 3
# A BOM on the first line, and on a later one (files concatenated with cat).
{ printf '\xEF\xBB\xBF%s\n%s\n' "$G1" "$G2"; printf '\xEF\xBB\xBF%s\n' "$G3"; } >bom.jsonl
expect_accept bom 3
run dedup bom.jsonl --emit unique
check "bom: --emit unique writes the records without their BOM" \
  [ "$(cat stdout.txt)" == "$(printf '%s\n%s\n%s' "$G1" "$G2" "$G3")" ]
# CRLF line endings, and blank lines (not records).
printf '%s\r\n\r\n%s\r\n   \r\n%s\r\n' "$G1" "$G2" "$G3" >crlf.jsonl
expect_accept crlf 3
run cluster crlf.jsonl --stats stats.json
check "crlf: blank lines are not read" [ "$(stat_num records_read)" -eq 3 ]
printf '%s\n%s\n%s\n' "$G1" "$G2" "$G3" >lf.jsonl
run cluster lf.jsonl
cp stdout.txt lf_out.jsonl
run cluster crlf.jsonl
check "crlf: same output as LF" same_file stdout.txt lf_out.jsonl

# ---------------------------------------------------------------------------------------------
# Size

# A 100 MB text field: rejected at the default --max-article-bytes (8 MiB) without being held.
{ printf '%s\n' "$G1"; printf '{"id":"big","text":"'; head -c 100000000 /dev/zero | tr '\0' 'a'; printf '"}\n'; printf '%s\n' "$G2"; } >huge_field.jsonl
expect_reject huge_field 2 "record is over --max-article-bytes (8388608 bytes)" prefix
check "huge_field: peak RSS stays below the record's size" [ "$(stat_num peak_rss_kb)" -lt 97656 ]
rm huge_field.jsonl
# A 10 MB line with no newline at the end of the file.
{ printf '%s\n%s\n' "$G1" "$G2"; head -c 10000000 /dev/zero | tr '\0' 'y'; } >huge_last_line.jsonl
expect_reject huge_last_line 3 "record is over --max-article-bytes (8388608 bytes)" prefix
# A lower limit applies to every record.
printf '{"id":"l","text":"%0300d"}\n' 0 >limit.jsonl
run cluster limit.jsonl --max-article-bytes 200
check "limit: a 318-byte record over --max-article-bytes 200 exits 1" rc_is 1
check "limit: message" [ "$(cat stderr.txt)" == "samestory: limit.jsonl:1: record is over --max-article-bytes (200 bytes)" ]
# A single 1 MB token.
{ printf '%s\n' "$G1"; printf '{"id":"tok","text":"'; head -c 1000000 /dev/zero | tr '\0' 'x'; printf '"}\n'; printf '%s\n' "$G2"; } >one_token.jsonl
expect_accept one_token 3
# Deep nesting: 1024 levels pass, deeper is refused (and a megabyte of '[' does not crash).
nest() { printf '{"id":"d","text":"x","z":'; head -c $(($1 - 1)) /dev/zero | tr '\0' '['; head -c $(($1 - 1)) /dev/zero | tr '\0' ']'; printf '}\n'; }
{ printf '%s\n' "$G1"; nest 1024; printf '%s\n' "$G2"; } >nested_1024.jsonl
expect_accept nested_1024 3
{ printf '%s\n' "$G1"; nest 1025; printf '%s\n' "$G2"; } >nested_1025.jsonl
expect_reject nested_1025 2 "record is nested deeper than 1024 levels"
{ printf '%s\n' "$G1"; printf '{"id":"d","text":"x","z":'; head -c 1000000 /dev/zero | tr '\0' '['; printf '}\n'; printf '%s\n' "$G2"; } >nested_deep.jsonl
expect_reject nested_deep 2 "record is nested deeper than 1024 levels"

# ---------------------------------------------------------------------------------------------
# Fields

case_file missing_id '{"text":"x"}\n'
expect_reject missing_id 2 'missing field "id"'
case_file missing_text '{"id":"x"}\n'
expect_reject missing_text 2 'missing field "text"'
case_file null_text '{"id":"x","text":null}\n'
expect_reject null_text 2 'missing field "text"'
case_file text_number '{"id":"x","text":42}\n'
expect_reject text_number 2 'field "text" is a number, expected string'
case_file id_object '{"id":{"v":1},"text":"x"}\n'
expect_reject id_object 2 'field "id" is an object, expected string or number'
case_file id_array '{"id":["a"],"text":"x"}\n'
expect_reject id_array 2 'field "id" is an array, expected string or number'
case_file id_bool '{"id":true,"text":"x"}\n'
expect_reject id_bool 2 'field "id" is a boolean, expected string or number'
case_file id_null '{"id":null,"text":"x"}\n'
expect_reject id_null 2 'field "id" is null, expected string or number'
case_file id_empty '{"id":"","text":"x"}\n'
expect_reject id_empty 2 'field "id" is empty'
case_file id_twice '{"id":"a","text":"x","id":"b"}\n'
expect_reject id_twice 2 'field "id" appears twice'
# Numeric ids are kept as written.
case_file numeric_ids '{"id":12,"text":"twelve"}\n{"id":-7,"text":"minus seven"}\n{"id":1.5e3,"text":"fifteen hundred"}\n{"id":1e400,"text":"too big for a double"}\n'
expect_accept numeric_ids 6
check "numeric_ids: kept as their decimal text" \
  [ "$(sed -n 's/^{"id":"\([^"]*\)".*/\1/p' out.jsonl | tr '\n' ' ')" == "g1 12 -7 1.5e3 1e400 g2 " ]
# Duplicate ids: the later record is rejected, the first kept; 12 and "12" are the same id.
case_file duplicate_id "$G1"'\n'
expect_reject duplicate_id 2 'duplicate id "g1" (first seen at line 1)'
run dedup duplicate_id.jsonl --emit unique --on-error skip -q
check "duplicate_id: the first record is the one kept" [ "$(head -1 stdout.txt)" == "$G1" ]
case_file duplicate_numeric_id '{"id":12,"text":"a"}\n{"id":"12","text":"b"}\n'
expect_reject duplicate_numeric_id 3 'duplicate id "12" (first seen at line 2)'
# An id with a newline: the reason stays on one line of the rejects file.
case_file duplicate_id_newline '{"id":"a\\nb","text":"x"}\n{"id":"a\\nb","text":"y"}\n'
expect_reject duplicate_id_newline 3 'duplicate id "a\nb" (first seen at line 2)'
# Empty and white-space-only text: accepted, each its own dup group, counted as empty.
case_file empty_text '{"id":"e1","text":""}\n{"id":"e2","text":"  \\t\\n  "}\n'
expect_accept empty_text 4
check "empty_text: counted in empty_articles" [ "$(stat_num empty_articles)" -eq 2 ]
check "empty_text: each is its own dup group" grep -qF '{"id":"e2","dup_group":"e2",' out.jsonl
# Unknown fields: ignored, and kept by dedup --emit unique, which writes records verbatim.
UNKNOWN='{"tags":["a","b"],"id":"k","meta":{"n":1,"deep":[null,true,1e400]},"text":"Kept as is, \u00e9 and all.","x":"\ud83d\ude00"}'
printf '%s\n' "$G1" "$UNKNOWN" "$G2" >unknown_fields.jsonl
expect_accept unknown_fields 3
run dedup unknown_fields.jsonl --emit unique
check "unknown_fields: dedup --emit unique exits 0" rc_is 0
check "unknown_fields: --emit unique keeps the record byte for byte" [ "$(sed -n 2p stdout.txt)" == "$UNKNOWN" ]
# published.
case_file published_bad '{"id":"p","text":"x","published":"yesterday"}\n'
expect_reject published_bad 2 'field "published" is not an ISO 8601 date or time: "yesterday"'
case_file published_range '{"id":"p","text":"x","published":1e300}\n'
expect_reject published_range 2 'field "published" is out of range (years 0000 to 9999)'
case_file published_ok '{"id":"p1","text":"x","published":"2026-03-04"}\n{"id":"p2","text":"y","published":1772615700}\n{"id":"p3","text":"z","published":null}\n'
expect_accept published_ok 5

# ---------------------------------------------------------------------------------------------
# Whole inputs

: >empty.jsonl
expect_accept empty 0
check "empty: the output file exists" [ -e out.jsonl ]
check "empty: the output is empty" is_empty out.jsonl
printf '\n  \n\r\n' >blank.jsonl
expect_accept blank 0
# stdin: the name in messages is <stdin>.
RC=0
"$BIN" cluster - <invalid_json.jsonl >stdout.txt 2>stderr.txt || RC=$?
check "stdin: exit 1" rc_is 1
check "stdin: the message names <stdin>" grep -qF 'samestory: <stdin>:2: invalid JSON' stderr.txt
# A folder with binary files: .txt files are articles (one with a NUL is rejected as binary),
# other files are ignored.
mkdir binary_folder
printf 'Harbour bridge\nThe council approved repairs to the old harbour bridge.\n' >binary_folder/a-good.txt
{ printf 'PNG\n'; head -c 3000 /dev/urandom; printf '\0\0'; } >binary_folder/b-binary.txt
printf 'Caf\xE9 news\nA Latin-1 file is read as Windows-1252.\n' >binary_folder/c-latin1.txt
head -c 3000 /dev/urandom >binary_folder/image.png
printf '\0\1\2' >binary_folder/data.bin
expect_reject binary_folder 2 "b-binary.txt is a binary file (NUL byte)"
check "binary_folder: Latin-1 is decoded" grep -qF '{"id":"c-latin1",' out.jsonl

# ---------------------------------------------------------------------------------------------
# Outputs that are not files: written in place, never renamed over.

run cluster duplicate_id.jsonl --on-error skip
cp stdout.txt plain.jsonl
RC=0
"$BIN" cluster duplicate_id.jsonl --on-error skip -q -o /dev/stdout --rejects /dev/stderr >stdout.txt 2>stderr.txt || RC=$?
check "devices: exit 0" rc_is 0
check "devices: -o /dev/stdout writes the records to stdout" same_file stdout.txt plain.jsonl
check "devices: --rejects /dev/stderr writes the rejects to stderr" \
  [ "$(cat stderr.txt)" == "$(reject_line duplicate_id.jsonl 2 'duplicate id "g1" (first seen at line 1)')" ]
mkfifo stats.fifo
cat stats.fifo >fifo_stats.json &
run cluster duplicate_id.jsonl --on-error skip -q -o /dev/null --stats stats.fifo
wait $!
check "devices: --stats into a FIFO" grep -q '"records_rejected": 1' fifo_stats.json
check "devices: the FIFO is still a FIFO" [ -p stats.fifo ]

# ---------------------------------------------------------------------------------------------
# Output safety: a run killed with SIGKILL or interrupted with SIGINT leaves the old output.

awk -v n=4000 -v len=100 -v seed=3 'BEGIN {
  srand(seed); nw = 2000
  for (w = 0; w < nw; w++) word[w] = sprintf("w%04d%c%c", w, 97 + w % 26, 97 + int(w / 26) % 26)
  for (i = 0; i < n; i++) {
    if (i % 4 == 3) {
      src = int(rand() * i); body = text[src]; m = split(body, t, " ")
      for (k = 0; k < 3; k++) t[1 + int(rand() * m)] = word[int(rand() * nw)]
      body = t[1]; for (k = 2; k <= m; k++) body = body " " t[k]
    } else {
      body = ""; topic = int(rand() * 200)
      for (k = 0; k < len; k++) body = body (k ? " " : "") word[(topic * 10 + int(rand() * 30)) % nw]
    }
    text[i] = body
    # Distinct times: the canonical of a group is then the same in any input order (on a tie
    # of time and length it is the first in input, by design).
    printf "{\"id\":\"n%d\",\"title\":\"Topic %d\",\"source\":\"s%d\",\"published\":\"2026-03-%02dT%02d:%02d:%02dZ\",\"text\":\"%s\"}\n",
      i, i % 200, i % 7, 1 + i % 28, int(i / 3600) % 24, int(i / 60) % 60, i % 60, body
  } }' >corpus.jsonl

mkdir safe
# 1, 2 and 8 threads: byte-identical; the 2-thread run is timed for the kills below.
start=$(date +%s%N)
run cluster corpus.jsonl --threads 2 -o safe/threads2.jsonl
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
check "corpus: exit 0" rc_is 0
check "corpus: one record per article" [ "$(lines_of safe/threads2.jsonl)" -eq 4000 ]
check "corpus: has re-posts" [ "$(grep -c '"canonical":false' safe/threads2.jsonl)" -gt 500 ]
for t in 1 8; do
  run cluster corpus.jsonl --threads "$t" -o safe/threads$t.jsonl
  check "corpus: --threads $t equals --threads 2 byte for byte" same_file safe/threads$t.jsonl safe/threads2.jsonl
done
rm safe/threads1.jsonl safe/threads8.jsonl

# kill_run SIGNAL DELAY_MS: starts a run writing -o over an existing file, sends SIGNAL after
# DELAY_MS (earlier if the run is over by then), and checks that the old file is intact and
# nothing was left beside it.
kill_run() {
  local sig=$1 delay=$2
  echo "previous output" >safe/out.jsonl
  echo "previous stats" >safe/stats.json
  local before
  before=$(ls -a safe)
  # Background jobs of a script ignore SIGINT: restore its default action for the run.
  env --default-signal=INT "$BIN" cluster corpus.jsonl --threads 2 -o safe/out.jsonl --stats safe/stats.json \
    >/dev/null 2>stderr.txt &
  BG_PID=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  local status=0
  kill -"$sig" "$BG_PID" 2>/dev/null || true
  wait "$BG_PID" || status=$?
  # The signal can also land after the output was committed (in the process's teardown, slow
  # under sanitizers): the whole new output is then in place, which is as correct as the old one.
  if [[ $status -eq 0 ]] || { [[ -s safe/out.jsonl ]] && cmp -s safe/out.jsonl safe/threads2.jsonl; }; then
    # The run was over before the signal (faster than the timed one): try again, earlier.
    BG_PID=
    check "kill -$sig: a run that committed first wrote the whole output" same_file safe/out.jsonl safe/threads2.jsonl
    check "kill -$sig: a run still going within $((${3:-0} + 1)) tries" [ "${3:-0}" -lt 2 ]
    kill_run "$sig" $((delay / 2)) $((${3:-0} + 1))
    return
  fi
  local leftover
  leftover=$(ls -a safe | grep -v -x -F "$before" | grep -v -x "out.jsonl.tmp-$BG_PID" | grep -v -x "stats.json.tmp-$BG_PID" || true)
  BG_PID=
  local want=137
  [[ $sig == INT ]] && want=130
  check "kill -$sig after ${delay} ms: the run died of the signal" [ "$status" -eq "$want" ]
  check "kill -$sig after ${delay} ms: the old output is intact" [ "$(cat safe/out.jsonl)" == "previous output" ]
  check "kill -$sig after ${delay} ms: the old stats are intact" [ "$(cat safe/stats.json)" == "previous stats" ]
  check "kill -$sig after ${delay} ms: no partial file beside them" [ -z "$leftover" ]
  # With O_TMPFILE (Linux) the temporaries have no name: nothing at all is left.
  ls -a safe | grep -q '\.tmp-' && echo "note: a named temporary was left (no O_TMPFILE here)"
  rm -f safe/*.tmp-*
}
if [[ $elapsed_ms -lt 1000 ]]; then
  echo "note: the corpus ran in ${elapsed_ms} ms; the kills are timed within it"
fi
kill_run KILL $((elapsed_ms * 2 / 5))
kill_run KILL $((elapsed_ms * 9 / 10))
kill_run INT $((elapsed_ms * 3 / 5))
# An undisturbed run replaces the old output with the whole of it.
run cluster corpus.jsonl --threads 2 -o safe/out.jsonl --stats safe/stats.json
check "a completed run replaces the old output" same_file safe/out.jsonl safe/threads2.jsonl
check "a completed run leaves no temporary" [ "$(ls -a safe | grep -c '\.tmp')" -eq 0 ]

# ---------------------------------------------------------------------------------------------
# Shuffled input: the same partition into dup groups and into stories (group and story ids are
# article ids chosen by a content rule, so the comparison is of member sets).

# partition FILE FIELD: one line per group (its sorted member ids), the lines sorted.
partition() {
  sed -n 's/^{"id":"\([^"]*\)","dup_group":"\([^"]*\)","story":"\([^"]*\)".*/\1 \2 \3/p' "$1" |
    awk -v k="$2" '{ print $k, $1 }' | sort |
    awk '{ if ($1 != g) { if (NR > 1) print line; g = $1; line = $2 } else line = line " " $2 } END { if (NR) print line }' |
    sort
}
SAMPLE=$ROOT/datasets/sample/articles.jsonl
if [[ -f $SAMPLE ]]; then
  run cluster "$SAMPLE" -o sample.jsonl
  check "sample: exit 0" rc_is 0
  for seed in 1 2; do
    shuf --random-source=<(yes "$seed") "$SAMPLE" >shuffled.jsonl
    check "shuffle $seed: the order changed" [ "$(head -c 300 shuffled.jsonl)" != "$(head -c 300 "$SAMPLE")" ]
    run cluster shuffled.jsonl -o shuffled_out.jsonl
    check "shuffle $seed: exit 0" rc_is 0
    check "shuffle $seed: same dup-group partition" [ "$(partition sample.jsonl 2)" == "$(partition shuffled_out.jsonl 2)" ]
    check "shuffle $seed: same story partition" [ "$(partition sample.jsonl 3)" == "$(partition shuffled_out.jsonl 3)" ]
  done
  check "sample: several dup groups with re-posts" [ "$(partition sample.jsonl 2 | grep -c ' ')" -gt 10 ]
else
  echo "note: $SAMPLE absent, shuffle checks skipped"
fi
# The generated corpus, shuffled, too.
shuf --random-source=<(yes 3) corpus.jsonl >corpus_shuffled.jsonl
run cluster corpus_shuffled.jsonl -o corpus_shuffled_out.jsonl
check "corpus shuffled: same dup-group partition" [ "$(partition safe/threads2.jsonl 2)" == "$(partition corpus_shuffled_out.jsonl 2)" ]
# The story stage works in content-hash order, so ties (many equal salient-term weights and
# shared-term counts here) break the same way whatever the input order.
check "corpus shuffled: same story partition" [ "$(partition safe/threads2.jsonl 3)" == "$(partition corpus_shuffled_out.jsonl 3)" ]

echo "$PASSED passed, 0 failed"
