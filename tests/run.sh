#!/bin/sh
# run.sh - run every unit test binary and end-to-end script, sum their
# closing lines "N passed, N failed", print the total and exit non-zero
# on any failure. B names the build directory (default build).
# TESTS=pattern runs only the tests whose name matches.
set -u
B=${B:-build}
export B
LOGDIR=$B/test-logs
mkdir -p "$LOGDIR"
total_pass=0
total_fail=0
failed_names=""

run_one() {	# run_one NAME CMD...
	name=$1; shift
	case "$name" in *${TESTS:-}*) ;; *) return 0 ;; esac
	log=$LOGDIR/$name.log
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	line=$(grep -E '(^|: )[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=$(echo "$line" | sed -nE 's/.*(^|[: ])([0-9]+) passed, ([0-9]+) failed.*/\2/p')
	f=$(echo "$line" | sed -nE 's/.*(^|[: ])([0-9]+) passed, ([0-9]+) failed.*/\3/p')
	if [ -z "$p" ]; then
		# No closing line: the binary crashed or the script died.
		p=0; f=1
	fi
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [ "$f" != 0 ]; then
		failed_names="$failed_names $name"
		printf 'FAIL %-28s %4s passed, %3s failed  (%ss, log %s)\n' \
		    "$name" "$p" "$f" "$secs" "$log"
		grep -E 'not ok|check failed|FAIL|ERROR|Sanitizer|runtime error' \
		    "$log" | head -20 | sed 's/^/     /'
	else
		printf 'PASS %-28s %4s passed  (%ss)\n' "$name" "$p" "$secs"
	fi
}

for t in "$B"/tests/t_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t"
done
for t in tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	[ "$(basename "$t")" = lib.sh ] && continue
	run_one "$(basename "$t" .sh)" sh "$t"
done

if [ -n "$failed_names" ]; then
	echo "failed:$failed_names"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ] && [ "$total_pass" -gt 0 ]
