#!/usr/bin/env bash
# Runs every libFuzzer harness of a SOCSIM_FUZZ build for SECONDS_EACH seconds, JOBS harnesses at
# a time (default 1), each on a work copy of its seed corpus and regressions under
# BUILD_DIR/fuzz-work/<name>/ (kept between runs, so coverage accumulates; FRESH=1 starts over; the
# repository is never written), with its dictionary, a 10 s timeout per input, a 2048 MB memory
# limit and leak detection. Prints each harness's executions (libFuzzer's final stats), time and
# findings, and the total; exits 1 on any crash, hang, leak, out-of-memory or sanitizer report,
# naming the reproducer (replay it with BUILD_DIR/tests/fuzz/fuzz_<name> FILE). SEED=N fixes
# libFuzzer's random seed (the same mutations in the same order, so a short run repeats itself);
# unset or 0, each run draws its own (printed in the harness's log).
#   tests/fuzz/run_fuzzers.sh /work/build-fuzz 30 2
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS_EACH [JOBS]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
jobs=${3:-1}
here=$(cd "$(dirname "$0")" && pwd)
supp=$(cd "$here/../sanitizers" && pwd)
bin=$build/tests/fuzz
work=$build/fuzz-work
names=()
for exe in "$bin"/fuzz_*; do
  name=${exe##*/fuzz_}
  case $name in *_replay) continue ;; esac
  [ -x "$exe" ] && [ -f "$here/dict/$name.dict" ] && names+=("$name")
done
if [ ${#names[@]} -eq 0 ]; then
  echo "run_fuzzers: no fuzz_<name> executables in $bin (configure with -DSOCSIM_FUZZ=ON, build" \
    "the target fuzzers)" >&2
  exit 2
fi
export ASAN_OPTIONS="detect_leaks=1:suppressions=$supp/asan.supp"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp"

# One harness: fuzz in its work directory, then write "execs seconds status" to its result file.
run_one() {
  local name=$1 dir=$work/$1
  [ "${FRESH:-0}" = 1 ] && rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  rm -f "$dir"/artifacts/* "$dir/result"
  cp -n "$here/corpus/$name"/* "$dir/corpus/" 2>/dev/null || true
  [ -d "$here/regressions/$name" ] && cp -n "$here/regressions/$name"/* "$dir/corpus/" || true
  local start end rc=0
  start=$(date +%s)
  (cd "$dir" && nice -n 10 "$bin/fuzz_$name" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -detect_leaks=1 -print_final_stats=1 -seed="${SEED:-0}" \
    -dict="$here/dict/$name.dict" \
    -artifact_prefix="$dir/artifacts/" corpus >"$dir/log" 2>&1) || rc=$?
  end=$(date +%s)
  local execs
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  local status=ok
  if [ "$rc" -ne 0 ] || ls "$dir"/artifacts/{crash,leak,timeout,oom}-* >/dev/null 2>&1; then
    status=FINDING
  fi
  echo "${execs:-0} $((end - start)) $status" >"$dir/result"
}

running=0
for name in "${names[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  echo "run_fuzzers: fuzz_$name for ${seconds}s"
  run_one "$name" &
  running=$((running + 1))
done
wait || true

total=0
failed=0
printf '%-18s %14s %8s  %s\n' harness executions seconds result
for name in "${names[@]}"; do
  read -r execs secs status <"$work/$name/result" || { execs=0 secs=0 status=FINDING; }
  total=$((total + execs))
  printf '%-18s %14s %8s  %s\n' "$name" "$execs" "$secs" "$status"
  if [ "$status" != ok ]; then
    failed=1
    for f in "$work/$name"/artifacts/*; do
      [ -e "$f" ] && echo "  reproducer: $f (replay: $bin/fuzz_$name $f)"
    done
    echo "  log: $work/$name/log"
    grep -m3 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$work/$name/log" | sed 's/^/  /' || true
  fi
done
printf '%-18s %14s\n' total "$total"
exit "$failed"
