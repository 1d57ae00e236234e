#!/usr/bin/env bash
# CI gates beyond scripts/test.sh (.ci/run calls this after it): sanitizers over the tests, and
# the fuzzers. Any failure fails the script.
#
#   bash scripts/ci-gates.sh [asan] [tsan] [fuzz]      (no argument: all three, in this order)
#
#   asan  clang, RelWithDebInfo, AddressSanitizer + UndefinedBehaviorSanitizer (UB aborts), with
#         libFuzzer coverage so that the same build gives the fuzz targets: the whole ctest suite
#         (which replays the fuzz seeds and past crashes too).
#   tsan  clang, RelWithDebInfo, ThreadSanitizer: the tests of the parallel paths (oneTBB stages):
#         io (parallel parsing), pipeline, lsh, cluster, and the CLI end to end (1, 2 and 8
#         threads byte-identical); against a TSan build of oneTBB made from the Debian source of
#         the installed libtbb-dev (apt-get source), so that no suppression is needed.
#   fuzz  each libFuzzer target (fuzz_jsonl, fuzz_text, fuzz_index, fuzz_journal) for SAMESTORY_FUZZ_SECONDS
#         (default 60), all at once, from a copy of its seed corpus in tests/fuzz/corpus/; a
#         crash prints its input (base64): add it to tests/fuzz/regressions/<target>/ and as a
#         unit test.
#
# Build folders: build-asan/ and build-tsan/ (git ignores build*/). Needs clang-14,
# libclang-rt-14-dev (sanitizer and libFuzzer runtimes), llvm-14 (symbolizer) and dpkg-dev
# (apt-get source): installed through scripts/install-deps.sh.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."

export SAMESTORY_EXTRA_PACKAGES="clang-14 libclang-rt-14-dev llvm-14 dpkg-dev xz-utils ${SAMESTORY_EXTRA_PACKAGES:-}"
bash scripts/install-deps.sh

CXX=${SAMESTORY_CLANG:-clang++-14}
JOBS=$(nproc)
FUZZ_SECONDS=${SAMESTORY_FUZZ_SECONDS:-60}
WERROR=OFF
[[ "${CI:-}" == "true" ]] && WERROR=ON
SYMBOLIZER=$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)
export ASAN_SYMBOLIZER_PATH=$SYMBOLIZER TSAN_SYMBOLIZER_PATH=$SYMBOLIZER
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

gates=("$@")
[[ ${#gates[@]} -eq 0 ]] && gates=(asan tsan fuzz)
summary=()

# configure DIR ARGS...: a clang build of samestory in DIR.
configure() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSAMESTORY_WARNINGS_AS_ERRORS=$WERROR "$@" >/dev/null
}

gate_asan() {
  configure build-asan -DSAMESTORY_BUILD_TESTS=ON -DSAMESTORY_FUZZ=ON -DSAMESTORY_SANITIZE=address,undefined
  cmake --build build-asan -j"$JOBS"
  ctest --test-dir build-asan --output-on-failure -j"$JOBS"
}

# as_root COMMAND...: runs COMMAND as root (through sudo when not root).
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# A ThreadSanitizer build of oneTBB, from the Debian source of the installed libtbb-dev: the
# packaged library is not instrumented, so TSan cannot see the synchronisation of its task
# scheduler and reports every hand-over of data between threads as a race. Built once into
# build-tsan/onetbb/ (about 15 s); SAMESTORY_TBB_TSAN_DIR may point at one built elsewhere.
tsan_tbb_dir() {
  if [[ -n ${SAMESTORY_TBB_TSAN_DIR:-} ]]; then
    echo "$SAMESTORY_TBB_TSAN_DIR"
    return
  fi
  local root=$PWD/build-tsan/onetbb
  local package version
  package=$(dpkg-query -W -f='${source:Package}' libtbb-dev)
  version=$(dpkg-query -W -f='${source:Version}' libtbb-dev)
  if [[ ! -f $root/$version/lib/cmake/TBB/TBBConfig.cmake ]]; then
    if ! grep -q '^Package:' <<<"$(apt-cache showsrc "$package" 2>/dev/null)"; then
      # The deb-src twin of every deb source, for `apt-get source`.
      local list=/etc/apt/sources.list.d/samestory-deb-src
      if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
        for f in /etc/apt/sources.list.d/*.sources; do
          [[ $f == "$list.sources" ]] || { sed 's/^Types: deb$/Types: deb-src/' "$f"; echo; }
        done | as_root tee "$list.sources" >/dev/null
      fi
      if [[ -f /etc/apt/sources.list ]] && grep -q '^deb ' /etc/apt/sources.list; then
        grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' | as_root tee "$list.list" >/dev/null
      fi
      as_root apt-get update -qq >&2
    fi
    rm -rf "$root/src" "$root/build"
    mkdir -p "$root/src"
    (cd "$root/src" && apt-get source -qq "$package=$version" >/dev/null 2>&1) ||
      { echo "ci-gates: cannot fetch the source of $package $version (apt-get source)" >&2; return 1; }
    local src
    src=$(find "$root/src" -mindepth 1 -maxdepth 1 -type d | head -1)
    cmake -S "$src" -B "$root/build" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DTBB_SANITIZE=thread -DTBB_TEST=OFF -DTBB_EXAMPLES=OFF -DTBB_STRICT=OFF -DTBBMALLOC_BUILD=OFF \
      -DCMAKE_INSTALL_PREFIX="$root/$version" >/dev/null
    cmake --build "$root/build" -j"$JOBS" >/dev/null
    cmake --install "$root/build" >/dev/null
    rm -rf "$root/src" "$root/build"
  fi
  echo "$root/$version"
}

gate_tsan() {
  local tbb
  tbb=$(tsan_tbb_dir)
  configure build-tsan -DSAMESTORY_BUILD_TESTS=ON -DSAMESTORY_SANITIZE=thread -DTBB_DIR="$tbb/lib/cmake/TBB"
  cmake --build build-tsan -j"$JOBS" --target samestory test_io test_pipeline test_lsh test_cluster
  # Not `ldd | grep -q`: under pipefail, grep leaving early kills ldd with SIGPIPE, and the
  # pipeline fails although the library was found (as on CI once).
  if ! grep -q "$tbb/lib/libtbb" <<<"$(ldd build-tsan/tests/test_lsh)"; then
    echo "ci-gates: the TSan tests do not load the instrumented oneTBB in $tbb" >&2
    return 1
  fi
  export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
  # ThreadSanitizer cannot map its shadow memory under a high mmap randomisation (newer kernels):
  # run without address-space randomisation when a probe fails.
  local prefix=()
  if ! build-tsan/tests/test_lsh --list-test-cases >/dev/null 2>&1; then
    echo "ci-gates: ThreadSanitizer probe failed; running without ASLR (setarch -R)" >&2
    prefix=(setarch "$(uname -m)" -R)
  fi
  "${prefix[@]}" ctest --test-dir build-tsan --output-on-failure -j"$JOBS" -R '^(io|pipeline|lsh|cluster|cli)$'
}

gate_fuzz() {
  if [[ ! -x build-asan/tests/fuzz/fuzz_jsonl ]]; then
    configure build-asan -DSAMESTORY_BUILD_TESTS=ON -DSAMESTORY_FUZZ=ON -DSAMESTORY_SANITIZE=address,undefined
  fi
  cmake --build build-asan -j"$JOBS" --target fuzz_jsonl fuzz_text fuzz_index fuzz_journal
  local work
  work=$(mktemp -d "${TMPDIR:-/tmp}/samestory-fuzz.XXXXXX")
  local pids=() names=()
  for name in fuzz_jsonl fuzz_text fuzz_index fuzz_journal; do
    mkdir -p "$work/$name/corpus"
    cp tests/fuzz/corpus/"$name"/* "$work/$name/corpus/"
    local dict=()
    [[ -f tests/fuzz/${name#fuzz_}.dict ]] && dict=(-dict="tests/fuzz/${name#fuzz_}.dict")
    # Leaks are not looked for here (a fuzzing run ends on a timer, not a clean exit).
    ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" build-asan/tests/fuzz/$name -max_total_time="$FUZZ_SECONDS" \
      -timeout=25 -rss_limit_mb=2560 -print_final_stats=1 "${dict[@]}" -artifact_prefix="$work/$name/" \
      "$work/$name/corpus" >"$work/$name/log" 2>&1 &
    pids+=($!)
    names+=("$name")
  done
  local failed=0
  for i in "${!pids[@]}"; do
    local name=${names[$i]} rc=0
    wait "${pids[$i]}" || rc=$?
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units)' "$work/$name/log" | tail -2 | sed "s/^/$name: /"
    if [[ $rc -ne 0 ]]; then
      failed=1
      echo "ci-gates: $name failed (exit $rc):" >&2
      tail -60 "$work/$name/log" >&2
      for crash in "$work/$name"/crash-* "$work/$name"/leak-* "$work/$name"/timeout-* "$work/$name"/oom-*; do
        [[ -e $crash ]] || continue
        echo "ci-gates: $name input $(basename "$crash") (base64):" >&2
        base64 -w 0 "$crash" >&2
        echo >&2
      done
    fi
  done
  rm -rf "$work"
  return $failed
}

for gate in "${gates[@]}"; do
  case $gate in
    asan | tsan | fuzz) ;;
    *) echo "ci-gates: unknown gate '$gate' (asan, tsan, fuzz)" >&2; exit 2 ;;
  esac
  echo "ci-gates: === $gate ===" >&2
  start=$SECONDS
  "gate_$gate"
  summary+=("$gate $((SECONDS - start))s")
done
echo "ci-gates: passed: ${summary[*]}" >&2
