#!/bin/sh
# bounded.sh - bounded cost per request: bodies whose structure no batch
# can have are refused before the parsers allocate (peak RSS asserted
# from /proc), two Content-Length headers are refused, the cap on bytes
# held across connections answers 503 with Retry-After, and account
# pages stop at their byte bound.
. tests/e2e/lib.sh
e2e_begin bounded
cd "$T"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
MP='Content-Type: application/msgpack'
JS='Content-Type: application/json'
# hwm: the server's peak resident set, in KiB.
hwm() { sed -n 's/^VmHWM:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$SERVER_PID/status"; }

D=$T/log
init_log "$D" example.org/bounded || { not_ok init; e2e_end; }
start_server "$D" || { not_ok server; e2e_end; }

# The largest body allowed (32 MiB) holding as many objects as it can:
# one array of 1-byte integers (msgpack), "[0,0,...]" (JSON). Before the
# pre-passes, msgpack-c made a 24-byte object per byte (859 MB peak).
MAX=$((32 * 1024 * 1024))
awk -v n=$((MAX - 5)) 'BEGIN { printf "%c%c%c%c%c", 221, int(n / 16777216) % 256, int(n / 65536) % 256, int(n / 256) % 256, n % 256 }' >many.mp
head -c $((MAX - 5)) /dev/zero >>many.mp
expect_eq "the many-object msgpack body is the largest allowed" "$(wc -c <many.mp)" $MAX
{ printf '['; head -c $((MAX / 2 - 2)) /dev/zero | tr '\0' '0' | sed 's/0/0,/g'; printf '0]'; } >many.json
body=$(curl -s -H "$MP" -H 'Accept: application/json' --data-binary @many.mp "$URL/v1/submit")
expect_eq "32 MiB of msgpack objects is 413 before msgpack-c allocates" "$(printf '%s' "$body" | jq -r '.error + " " + .rule')" "too-large batch"
body=$(curl -s -H "$JS" --data-binary @many.json "$URL/v1/submit")
expect_eq "32 MiB of JSON values is 413 before Jansson allocates" "$(printf '%s' "$body" | jq -r '.error + " " + .rule')" "too-large batch-size"
# Under valgrind or a sanitizer the RSS is the tool's, not ledgerd's.
if [ -n "${LEDGERD_WRAP:-}" ] || grep -q __asan_init "$LEDGERD"; then
	echo "# SKIP peak RSS: ledgerd runs under a memory tool"
else
	peak=$(hwm)
	# The body is held twice at most (libevent's buffer and the copy the
	# parser reads), plus the server's own few MiB.
	if [ "$peak" -lt $((3 * MAX / 1024)) ]; then
		ok "peak RSS $peak KiB is under 3 x the 32 MiB body"
	else
		not_ok "peak RSS $peak KiB is under 3 x the 32 MiB body"
	fi
fi

# Within the limits, a body that is not [issuer, [entries], signature]
# is still refused (the pre-pass's answer is not the decoder's).
printf '\000' >zero.mp
expect_eq "a msgpack body of one integer is 400" "$(code -H "$MP" --data-binary @zero.mp "$URL/v1/submit")" 400
printf '\223\000\000\000' >three.mp
expect_eq "a msgpack array of three integers is 400" "$(code -H "$MP" --data-binary @three.mp "$URL/v1/submit")" 400

# Nesting no batch has, and strings longer than any field.
{ awk 'BEGIN { for (i = 0; i < 100; i++) printf "%c", 145 }'; printf '\000'; } >deep.mp
body=$(curl -s -H "$MP" -H 'Accept: application/json' --data-binary @deep.mp "$URL/v1/submit")
expect_eq "msgpack nested 100 deep is 400" "$(printf '%s' "$body" | jq -r .error)" malformed
case "$body" in *"nests deeper"*) ok "... saying it nests deeper than a batch" ;; *) not_ok "... saying it nests deeper than a batch" "$body" ;; esac
awk 'BEGIN { for (i = 0; i < 100; i++) printf "["; for (i = 0; i < 100; i++) printf "]" }' >deep.json
expect_eq "JSON nested 100 deep is 400" "$(code -H "$JS" --data-binary @deep.json "$URL/v1/submit")" 400
{ printf '{"issuer":"'; head -c 4000 /dev/zero | tr '\0' a; printf '","entries":[],"signature":""}'; } >longstr.json
expect_eq "a JSON string longer than any field is 413" "$(code -H "$JS" --data-binary @longstr.json "$URL/v1/submit")" 413
awk 'BEGIN { printf "{\"issuer\":\"city\",\"entries\":["; for (i = 0; i < 10001; i++) printf "%s{\"kind\":\"credit\",\"x\":1,\"y\":2,\"z\":3,\"a\":4,\"b\":5,\"c\":6,\"d\":7,\"e\":8,\"f\":9}", i ? "," : ""; printf "],\"signature\":\"\"}" }' >tokens.json
expect_eq "10,001 entries of 10 members is 413" "$(code -H "$JS" --data-binary @tokens.json "$URL/v1/submit")" 413

# Two Content-Length headers: 400, and the connection is closed (the
# rest of the bytes are not read as another request).
reply=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; printf 'POST /v1/submit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' >&3; cat <&3" | tr -d '\r')
expect_eq "two Content-Length headers are 400" "$(printf '%s\n' "$reply" | head -1)" "HTTP/1.1 400 Bad Request"
expect_eq "... rule content-length" "$(printf '%s\n' "$reply" | tail -1 | jq -r .rule)" content-length
expect_eq "... and nothing after it is answered" "$(printf '%s\n' "$reply" | grep -c '^HTTP/')" 1
expect_eq "one Content-Length header is still served" "$(code -H "$JS" -d '{}' "$URL/v1/submit")" 400
stop_server

# The cap on request bodies: each body reserves its Content-Length when
# its headers arrive; one that would take the reservations past the cap
# is answered 503 at once.
start_server "$D" --max-buffered 1000000 || { not_ok server; e2e_end; }
head -c 300000 /dev/zero >z300k
metric() { curl -s "$URL/metrics" | sed -n "s/^$1 //p"; }
timeout 6 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; printf 'POST /v1/submit HTTP/1.1\r\nHost: x\r\nContent-Type: application/msgpack\r\nContent-Length: 900000\r\n\r\n' >&3; head -c 800000 /dev/zero >&3; sleep 3" &
HOLDER=$!
i=0
while [ $i -lt 100 ]; do
	held=$(metric ledger_http_buffered_bytes)
	[ "${held:-0}" -ge 800000 ] && break
	sleep 0.05; i=$((i + 1))
done
expect_eq "a client 800 kB into a 900 kB body is counted" "$([ "${held:-0}" -ge 800000 ] && echo yes)" yes
expect_eq "... and its whole body reserved" "$(metric ledger_http_reserved_bytes)" 900000
hdr=$(curl -s -D - -o refused.json -H "$MP" -H 'Accept: application/json' --data-binary @z300k "$URL/v1/submit" | tr -d '\r')
expect_eq "a 300 kB body past the 1 MB cap is 503" "$(printf '%s\n' "$hdr" | head -1)" "HTTP/1.1 503 Service Unavailable"
case "$hdr" in *"Retry-After: 1"*) ok "... with Retry-After" ;; *) not_ok "... with Retry-After" "$hdr" ;; esac
expect_eq "... and a JSON error busy/buffered" "$(jq -r '.error + " " + .rule' refused.json)" "busy buffered"
expect_eq "requests without a body are still answered" "$(code "$URL/healthz")" 200
expect_eq "a body that fits beside it is parsed (400, not 503)" "$(code -H "$MP" --data-binary @zero.mp "$URL/v1/submit")" 400
wait "$HOLDER" 2>/dev/null
i=0
while [ $i -lt 100 ]; do
	[ "$(metric ledger_http_reserved_bytes)" = 0 ] && break
	sleep 0.05; i=$((i + 1))
done
expect_eq "once the holder is gone, the 300 kB body is parsed (400)" "$(code -H "$MP" --data-binary @z300k "$URL/v1/submit")" 400
expect_eq "the refusal is counted" "$(metric ledger_http_buffered_refusals_total)" 1
big=$(code -H "$MP" --data-binary @many.mp "$URL/v1/submit")
expect_eq "a body larger than the cap alone is 503" "$big" 503
stop_server

# Account pages: at most 256 KiB of entries each, next_cursor goes on.
start_server "$D" || { not_ok server; e2e_end; }
"$LEDGER" keygen --id city --out city.key >city.vkey
cat >m.json <<'J'
{"id":"transit.bus.v1","activity":"ride","unit":"ride","grams_per_unit":80,"max_grams_per_event":80,"max_grams_per_account_day":100000000,"valid_from":"2024-01-01","max_event_age_days":36500,"reference":"bounded"}
J
"$LEDGER" admin add-issuer --server "$URL" --token-file "$TOKEN" --vkey "$(cat city.vkey)" --name City >/dev/null
"$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" m.json >/dev/null
credits 600 1 2024-07-01 page >c.jsonl
check "submit 600 credits to one account" "$LEDGER" submit --server "$URL" --key city.key --batch 600 c.jsonl
curl -s -H 'Accept: application/json' "$URL/v1/accounts/city/u-0?limit=1000" >p1.json
n1=$(jq '.entries | length' p1.json)
bytes=$(jq -c .entries p1.json | wc -c)
if [ "$n1" -gt 0 ] && [ "$n1" -lt 600 ] && [ "$(jq .next_cursor p1.json)" != null ]; then
	ok "a page of limit=1000 stops early ($n1 entries) with a next_cursor"
else
	not_ok "a page of limit=1000 stops early with a next_cursor" "$n1 entries"
fi
if [ "$bytes" -lt $((256 * 1024 + 16384)) ]; then
	ok "... its entries are $bytes bytes, under 256 KiB and one entry"
else
	not_ok "... its entries are under 256 KiB and one entry" "$bytes"
fi
n=0; cursor=""
while :; do
	page=$(curl -s -H 'Accept: application/json' "$URL/v1/accounts/city/u-0?limit=1000$cursor")
	n=$((n + $(printf '%s\n' "$page" | jq '.entries | length')))
	next=$(printf '%s\n' "$page" | jq -r .next_cursor)
	[ "$next" = null ] && break
	cursor="&cursor=$next"
done
expect_eq "following next_cursor gives all 600 entries" "$n" 600

e2e_end
