#!/usr/bin/env bash
# Builds the libFuzzer targets named as arguments (stream-id, config, demuxer) and runs each for
# FUZZ_SECONDS on its committed seed corpus (fuzz/corpus/<target>, never written to). What the
# runs add to the corpus is kept in .build-fuzz/corpus/<target>, so later runs start from it;
# crash, hang (FUZZ_TIMEOUT, 60 s) and out-of-memory inputs go to .build-fuzz/findings/<target>/.
# Exits 1 if any target found something.
set -euo pipefail
seconds=${FUZZ_SECONDS:-60}
# One input taking longer than this is a hang. libFuzzer measures wall-clock time, so the bound
# leaves room for a loaded machine: at 10 s, runs starved of CPU reported inputs that take 30 ms.
timeout=${FUZZ_TIMEOUT:-60}
swift=${SWIFT:-swift}
scratch=.build-fuzz
flags=(-c release --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING)
bin=$("$swift" build "${flags[@]}" --show-bin-path)
failed=0
for target in "$@"; do
  nice "$swift" build "${flags[@]}" --product "fuzz-$target" 2>&1 | grep -E "error|warning: unused" || true
  corpus=$scratch/corpus/$target
  findings=$scratch/findings/$target
  log=$scratch/fuzz-$target.log
  mkdir -p "$corpus" "$findings"
  status=0
  nice "$bin/fuzz-$target" -max_total_time="$seconds" -timeout="$timeout" -print_final_stats=1 \
    -artifact_prefix="$findings/" "$corpus" "fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  stat() { sed -n "s/^stat::$1: *//p" "$log"; }
  runs=$(stat number_of_executed_units)
  rate=$(stat average_exec_per_sec)
  echo "fuzz-$target: ${runs:-0} executions (${rate:-0}/s), $(stat new_units_added) new inputs," \
    "corpus $(ls "$corpus" | wc -l) in $corpus"
  if [ "$status" -ne 0 ]; then
    failed=1
    echo "fuzz-$target: FOUND (exit $status), see $log:" >&2
    grep -E "^==[0-9]+==ERROR|^SUMMARY|Fatal error|artifact_prefix|Test unit written" "$log" >&2 || tail -20 "$log" >&2
  else
    echo "fuzz-$target: no findings"
  fi
done
exit "$failed"
