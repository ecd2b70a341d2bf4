#!/usr/bin/env bash
# Builds the test suite under one sanitizer (address or thread) in .build-asan or .build-tsan
# and runs it, the `sluice` processes the integration tests start included. Every process
# writes its reports to <build>/reports/ instead of its standard error, where the server's
# would be lost in the tests' captured logs; any report, or a failing test, fails the run.
set -euo pipefail
sanitizer=$1
swift=${SWIFT:-swift}
case "$sanitizer" in
  address) scratch=.build-asan ;;
  thread) scratch=.build-tsan ;;
  *) echo "usage: $0 address|thread" >&2; exit 2 ;;
esac
flags=(--sanitize="$sanitizer" --scratch-path "$scratch")
here=$(pwd)
reports=$here/$scratch/reports
nice "$swift" build --build-tests "${flags[@]}" 2>&1 | grep -E "error|warning: unused" || true
rm -rf "$reports"
mkdir -p "$reports"
export SLUICE_BINARY
SLUICE_BINARY=$("$swift" build "${flags[@]}" --show-bin-path)/sluice
# Leaks are checked in the `sluice` processes, not in the test runner (sanitizers/<binary>.asan
# turns them off there): Foundation's Process, FileHandle and URLSession, which the tests drive
# ffmpeg, sluice and curl with, never free what they hold, nor does XCTest's runner.
export ASAN_OPTIONS="log_path=$reports/asan include_if_exists=$here/sanitizers/%b.asan"
export TSAN_OPTIONS="log_path=$reports/tsan suppressions=$here/sanitizers/tsan.supp print_suppressions=0"
# Skipped: what the sanitizer changes, not what Sluice does. Its allocator replaces glibc's
# malloc, so mallinfo2 and mallopt see nothing, and its shadow memory and quarantine are
# resident, which a 96 MiB budget over a 72 MiB process cannot absorb. And code runs several
# times slower, past the wall-clock bounds of three tests: 300 callers connecting at once (they
# time out in libsrt's handshake), a garbage publisher dropped within 8 s, and an 8 s publisher
# that must outlast 60 HTTP requests.
skips=(
  residentSizeFollowsTouchedMemory arenaLimitIsAccepted
  aSmallBudgetAdmitsItsFirstPublisherAndRefusesOnlyWhatCannotFit
  callersArrivingTogetherNeverExceedTheStreamLimit bytesThatAreNotAStreamAreDropped
  healthMemoryAndMetricsOnlyRead
)
status=0
"$swift" test --skip-build "${flags[@]}" "${skips[@]/#/--skip=}" || status=$?
if [ -n "$(ls -A "$reports")" ]; then
  echo "$sanitizer sanitizer: reports in $reports:" >&2
  grep -h -E "^(SUMMARY|WARNING: ThreadSanitizer)" "$reports"/* | sort | uniq -c >&2
  status=1
fi
[ "$status" -eq 0 ] && echo "$sanitizer sanitizer: clean"
exit "$status"
