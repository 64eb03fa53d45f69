#!/bin/sh
# run.sh - run every benchmark and print one table (make bench).
# BENCH_QUICK=1 gives the short smoke run CI uses (it must work; no timing
# is asserted anywhere).
set -u
B=${B:-build}
echo "# ledger benchmarks on $(uname -m), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "| measurement | rate | limit (same run) | limit rate | ratio |"
echo "|---|---|---|---|---|"
rc=0
rounds=3
[ "${BENCH_QUICK:-0}" = 1 ] && rounds=1
for b in "$B"/bench/b_*; do
	[ -x "$b" ] || continue
	"$b" "$rounds" || { echo "bench: $b failed" >&2; rc=1; }
done
exit $rc
