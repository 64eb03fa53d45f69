#!/bin/sh
# crash.sh - kill -9 ledgerd at random moments under concurrent load, 20
# times. After every restart: every acknowledged entry is present with the
# same index and leaf, and every checkpoint ever served (polled, or inside
# a receipt) is consistent with the latest one.
. tests/e2e/lib.sh
e2e_begin crash
ROUNDS=${CRASH_ROUNDS:-20}

D=$T/log
init_log "$D" example.org/crash || { not_ok init; e2e_end; }
start_server "$D" || { not_ok server; e2e_end; }
cd "$T"
mkdir -p cps
"$LEDGER" keygen --id city --out city.key >city.vkey
cat >m.json <<'J'
{"id":"transit.bus.v1","activity":"ride","unit":"ride","grams_per_unit":80,"max_grams_per_event":80,"max_grams_per_account_day":100000000,"valid_from":"2024-01-01","max_event_age_days":36500,"reference":"crash test"}
J
"$LEDGER" admin add-issuer --server "$URL" --token-file "$TOKEN" --vkey "$(cat city.vkey)" --name City >/dev/null
"$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" m.json >/dev/null

# Poll /checkpoint into cps/ (every distinct one served) until told to stop.
poll() {
	while [ ! -f stop-poll ]; do
		curl -s --max-time 1 -o cps/poll.tmp "http://127.0.0.1:$PORT/checkpoint" &&
		    [ -s cps/poll.tmp ] && mv cps/poll.tmp "cps/$(md5sum <cps/poll.tmp | cut -c1-16)"
		sleep 0.03
	done
}

clients_ok=1
midload=0
seed=$$
for r in $(seq 1 "$ROUNDS"); do
	for k in 1 2 3; do
		credits 1500 50 2024-07-01 "r$r-c$k" >"in-$r-$k.jsonl"
	done
	size0=$(curl -s "http://127.0.0.1:$PORT/checkpoint" | sed -n 2p)
	rm -f stop-poll
	poll &
	POLL=$!
	pids=""
	for k in 1 2 3; do
		"$LEDGER" submit --server "$URL" --key city.key --batch 40 \
		    --inflight 2 --receipts "rc-$r-$k.jsonl" "in-$r-$k.jsonl" \
		    >"out-$r-$k" 2>&1 &
		pids="$pids $!"
	done
	# The kill comes once a random part (1 to 4,000) of the round's
	# 4,500 credits is in the log, whatever the machine's speed.
	seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
	want=$(( ${size0:-0} + 1 + seed % 4000 ))
	i=0
	while [ $i -lt 1000 ]; do
		size=$(curl -s --max-time 1 "http://127.0.0.1:$PORT/checkpoint" | sed -n 2p)
		[ "${size:-0}" -ge "$want" ] && break
		sleep 0.01
		i=$((i + 1))
	done
	for p in $pids; do
		kill -0 "$p" 2>/dev/null && { midload=$((midload + 1)); break; }
	done
	kill -KILL "$SERVER_PID"
	wait "$SERVER_PID" 2>/dev/null
	touch stop-poll
	wait "$POLL"
	# The same port, so the clients' retries reach the new process.
	"$LEDGERD" serve --data "$D" --listen "127.0.0.1:$PORT" >>"$D.log" 2>&1 &
	SERVER_PID=$!
	E2E_PIDS="$E2E_PIDS $SERVER_PID"
	i=0; while [ $i -lt 100 ] && ! curl -s -o /dev/null "$URL/healthz"; do sleep 0.05; i=$((i+1)); done
	for p in $pids; do
		wait "$p" || clients_ok=0
	done
done
[ "$midload" -ge $((ROUNDS / 2)) ] && ok "$midload of $ROUNDS kills hit clients mid-submission" ||
    not_ok "kills hit clients mid-submission" "only $midload of $ROUNDS"
expect_eq "every client finished despite $ROUNDS kill -9s (retries are safe)" "$clients_ok" 1
[ "$clients_ok" = 1 ] || cat out-* | grep -v '^submitted' | head -5

# Every acknowledged entry: resubmitting gives the same index and leaf.
cat rc-*.jsonl | jq -c '[.index,.leaf_hash]' | sort >acked
cat in-*.jsonl >all.jsonl
out=$("$LEDGER" submit --server "$URL" --key city.key --json --receipts again.jsonl all.jsonl)
expect_eq "nothing acknowledged was lost: all $(wc -l <all.jsonl) are duplicates" "$(printf '%s\n' "$out" | jq -c '[.new,.duplicates]')" "[0,$(wc -l <all.jsonl)]"
jq -c '[.index,.leaf_hash]' again.jsonl | sort >present
expect_eq "each acknowledged entry has its index and leaf" "$(comm -23 acked present | wc -l)" 0
expect_eq "no index holds two entries" "$(jq .index again.jsonl | sort | uniq -d | wc -l)" 0
expect_eq "indexes are dense: 0..size-1 minus registrations and batch leaves" \
    "$(jq .index again.jsonl | sort -n | tail -1)" "$(( $(curl -s "$URL/checkpoint" | sed -n 2p) - 1 ))"

# Every checkpoint ever served is consistent with the latest one.
# Extract each receipt's checkpoint (the note after the blank line).
for f in rc-*.jsonl; do
	jq -c '.receipt | split("\n\n") | .[1:] | join("\n\n")' "$f"
done | sort -u >receipt-cps
while read -r line; do
	printf '%s' "$line" | jq -j . >"cps/receipt-$(printf '%s' "$line" | md5sum | cut -c1-16)"
done <receipt-cps
n=$(ls cps | wc -l)
set --
for c in cps/*; do set -- "$@" --since "$c"; done
check "all $n checkpoints seen are consistent with the latest" "$LEDGER" checkpoint --server "$URL" --vkey "$VKEY" "$@"
[ "$n" -gt "$ROUNDS" ] && ok "checkpoints were collected across the crashes ($n)" || not_ok "checkpoints were collected" "$n"
out=$("$AUDIT" sync --log "$URL" --vkey "$VKEY" --state "$T/audit" --json)
expect_eq "after all the crashes ledger-audit sync verifies the log and finds nothing" "$(printf '%s\n' "$out" | jq -c '[.ok, .findings]')" "[true,0]"
stop_server
e2e_end
