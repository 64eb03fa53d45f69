#!/bin/sh
# run.sh - run every benchmark and print one table (make bench).
# BENCH_QUICK=1 gives the short smoke run CI uses (it must work; no timing
# is asserted anywhere). Each bench removes its scratch files and kills the
# servers it started, however it ends; BENCH_KEEP=1 keeps the files and
# BENCH_PERF=DIR records perf profiles of ledgerd (see docs/benchmarks.md).
set -u
B=${B:-build}
export B
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
echo "# ledger benchmarks on $(uname -m), $(nproc) cores (${model:-unknown CPU}), Linux $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo "| measurement | rate | limit (same run) | limit rate | ratio |"
echo "|---|---|---|---|---|"
rc=0
rounds=3
[ "${BENCH_QUICK:-0}" = 1 ] && rounds=1
start=$(date +%s)
for b in "$B"/bench/b_*; do
	[ -x "$b" ] || continue
	"$b" "$rounds" || { echo "bench: $b failed" >&2; rc=1; }
done
echo "# $(($(date +%s) - start)) s in all"
exit $rc
