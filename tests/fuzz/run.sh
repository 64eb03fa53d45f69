#!/bin/sh
# run.sh - run libFuzzer targets one after another and sum the results.
#
#   sh tests/fuzz/run.sh BUILDDIR FUZZER...
#
# Each target NAME (binary f_NAME) runs FUZZTIME seconds (default 60) on a
# scratch copy of its seed corpus tests/fuzz/corpus/NAME, in
# BUILDDIR/corpus/NAME, with tests/fuzz/NAME.dict if there is one. New
# inputs and crash artifacts go to BUILDDIR only: the committed corpus is
# never written. A target passes if libFuzzer exits 0 (no crash, invariant
# violation, timeout, leak or out-of-memory). FUZZ=pattern runs only the
# targets whose name contains it. Logs are in BUILDDIR/logs/NAME.log.
# Prints one line per target and "N passed, N failed"; exits non-zero on
# any failure.
set -u
FB=$1
shift
T=${FUZZTIME:-60}
SEEDS=tests/fuzz/corpus
pass=0
fail=0
mkdir -p "$FB/logs"

for bin in "$@"; do
	name=${bin##*/f_}
	case "$name" in *${FUZZ:-}*) ;; *) continue ;; esac
	work=$FB/corpus/$name
	art=$FB/artifacts/$name
	log=$FB/logs/$name.log
	rm -rf "$work"
	mkdir -p "$work" "$art"
	[ -d "$SEEDS/$name" ] && cp "$SEEDS/$name"/* "$work"/ 2>/dev/null
	nseeds=$(ls "$work" | wc -l)
	dict=""
	[ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
	before=$(ls "$art" | wc -l)
	start=$(date +%s)
	# One job, one process: -max_total_time bounds the wall time.
	"$bin" -max_total_time="$T" -timeout=25 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$art/" $dict "$work" \
	    >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	if [ -z "$execs" ]; then
		# Stopped by a finding: the last "#N" status line.
		execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
	fi
	ncorpus=$(ls "$work" | wc -l)
	after=$(ls "$art" | wc -l)
	if [ "$rc" = 0 ] && [ "$after" = "$before" ]; then
		pass=$((pass + 1))
		result=ok
	else
		fail=$((fail + 1))
		result="FAIL (exit $rc)"
	fi
	printf '%-12s %-14s %10s execs %5ss  corpus %d -> %d  %s\n' \
	    "f_$name" "$result" "${execs:-?}" "$secs" "$nseeds" "$ncorpus" \
	    "$log"
	if [ "$result" != ok ]; then
		grep -E 'ERROR: |SUMMARY: |runtime error|invariant|Test unit written' \
		    "$log" | head -8 | sed 's/^/     /'
	fi
done

echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
