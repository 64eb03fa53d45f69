#!/bin/sh
# run-valgrind.sh - the server end-to-end tests with ledgerd under valgrind
# (LEDGERD_WRAP), faults.sh included for the connection sweep. kill -9
# and load tests are left out: they test crashes
# and speed, not memory. Prints "N passed, N failed".
set -u
B=${B:-build}
export B LEDGERD_WRAP LEDGER_MAP_SIZE
pass=0; fail=0
for t in append read faults; do
	log=$B/test-logs/valgrind-$t.log
	mkdir -p "$B/test-logs"
	sh "tests/e2e/$t.sh" >"$log" 2>&1
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	p=$(echo "$line" | sed -nE 's/.* ([0-9]+) passed, ([0-9]+) failed.*/\1/p')
	f=$(echo "$line" | sed -nE 's/.* ([0-9]+) passed, ([0-9]+) failed.*/\2/p')
	[ -z "$p" ] && { p=0; f=1; }
	for v in "$B"/test-logs/vg-*.log; do
		[ -s "$v" ] || continue
		f=$((f + 1))
		echo "valgrind found errors or leaks in ledgerd ($v):"
		head -30 "$v"
		mv "$v" "$v.$t"
	done
	echo "valgrind $t: $p passed, $f failed"
	pass=$((pass + p)); fail=$((fail + f))
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
