#!/bin/sh
# faults.sh - hostile and unlucky conditions: a full disk (507, nothing
# half-written, recovery), malformed, truncated and oversized bodies,
# field limits, u64 overflow (422), slow and idle clients, the
# connection limit, admin calls without the token, an I/O error on commit
# (500, nothing signed; tests/tools/failio.c).
. tests/e2e/lib.sh
e2e_begin faults
cd "$T"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

D=$T/log
init_log "$D" example.org/faults || { not_ok init; e2e_end; }
start_server "$D" --max-conns 12000 || { not_ok server; e2e_end; }
"$LEDGER" keygen --id city --out city.key >city.vkey
cat >m.json <<'J'
{"id":"bus","activity":"ride","unit":"ride","grams_per_unit":80,"max_grams_per_event":80,"max_grams_per_account_day":100000000,"valid_from":"2024-01-01","max_event_age_days":36500,"reference":"faults"}
J
cat >big.json <<'J'
{"id":"big","activity":"huge","unit":"thing","grams_per_unit":4611686018427387904,"max_grams_per_event":9223372036854775807,"max_grams_per_account_day":9223372036854775807,"valid_from":"2024-01-01","max_event_age_days":36500,"reference":"overflow test"}
J
"$LEDGER" admin add-issuer --server "$URL" --token-file "$TOKEN" --vkey "$(cat city.vkey)" --name City >/dev/null
"$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" m.json >/dev/null
"$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" big.json >/dev/null
size0=$(curl -s "$URL/checkpoint" | sed -n 2p)

# Admin without or with a wrong token.
expect_eq "admin call without a token is 401" "$(code -X POST -d '{}' "$URL/v1/admin/methods")" 401
expect_eq "admin call with a wrong token is 401" "$(code -X POST -H "Authorization: Bearer $(printf '%064d' 0)" -d '{}' "$URL/v1/admin/methods")" 401
# Every byte of the token is compared: one differing only in its first,
# or only in its last byte is refused; the token itself is accepted.
tok=$(cat "$TOKEN")
flip() { case "$1" in 0) echo 1 ;; *) echo 0 ;; esac; }
first=$(printf '%s' "$tok" | cut -c1); last=$(printf '%s' "$tok" | cut -c64)
tok_first=$(flip "$first")$(printf '%s' "$tok" | cut -c2-64)
tok_last=$(printf '%s' "$tok" | cut -c1-63)$(flip "$last")
sed 's/"id":"bus"/"id":"tokbus"/' m.json >mtok.json
expect_eq "a token differing only in its first byte is 401" "$(code -X POST -H "Authorization: Bearer $tok_first" --data-binary @mtok.json "$URL/v1/admin/methods")" 401
expect_eq "a token differing only in its last byte is 401" "$(code -X POST -H "Authorization: Bearer $tok_last" --data-binary @mtok.json "$URL/v1/admin/methods")" 401
expect_eq "the token itself is accepted" "$(code -X POST -H "Authorization: Bearer $tok" --data-binary @mtok.json "$URL/v1/admin/methods")" 200
size0=$(curl -s "$URL/checkpoint" | sed -n 2p)

# Admin calls from a peer that is not loopback: the server still listens on
# 127.0.0.1 only, and curl connects from one of this host's own other
# addresses (the peer address is then not 127.x).
SRC=$(ip -4 -o addr show scope global 2>/dev/null | awk '{sub("/.*", "", $4); print $4; exit}')
if [ -n "$SRC" ] && [ "$(code --interface "$SRC" "$URL/checkpoint")" = 200 ]; then
	tok=$(cat "$TOKEN")
	body=$(curl -s --interface "$SRC" -X POST -H "Authorization: Bearer $tok" --data-binary @m.json "$URL/v1/admin/methods")
	case "$body" in *'"rule":"admin-remote"'*) ok "from $SRC, an admin call with the right token is refused (admin-remote)" ;;
	*) not_ok "a non-loopback admin call is refused" "$body" ;; esac
	expect_eq "... while reads from $SRC are served" "$(code --interface "$SRC" "$URL/v1/totals")" 200
	stop_server
	start_server "$D" --admin-remote
	sed 's/"id":"bus"/"id":"bus2"/' m.json >m2.json
	expect_eq "with --admin-remote, the call from $SRC without the token is 401" "$(code --interface "$SRC" -X POST --data-binary @m2.json "$URL/v1/admin/methods")" 401
	expect_eq "with --admin-remote and the token, it is accepted" "$(code --interface "$SRC" -X POST -H "Authorization: Bearer $tok" --data-binary @m2.json "$URL/v1/admin/methods")" 200
	stop_server
	start_server "$D" --max-conns 12000
	size0=$(curl -s "$URL/checkpoint" | sed -n 2p)
else
	echo "# SKIP admin from a non-loopback peer: this host has no other address"
fi

# Malformed, truncated, corrupted and oversized bodies.
expect_eq "malformed JSON body is 400" "$(code -X POST -H 'Content-Type: application/json' -d '{"issuer":' "$URL/v1/submit")" 400
expect_eq "an unknown content type is 400" "$(code -X POST -H 'Content-Type: text/plain' -d 'x' "$URL/v1/submit")" 400
credits 3 3 2024-07-01 ok | sed 's/"transit.bus.v1"/"bus"/' >ok.jsonl
printf '{"issuer":"city","entries":[%s],"signature":"%s"}' "$(paste -sd, ok.jsonl | sed 's/"time":"\([0-9-]*\)T[^"]*"/"day":"\1"/g')" "$(head -c 64 /dev/zero | base64 -w0)" >unsigned.json
body=$(curl -s -X POST -H 'Content-Type: application/json' --data-binary @unsigned.json "$URL/v1/submit")
expect_eq "a JSON batch with a bad signature is 401 bad-signature" "$(printf '%s' "$body" | jq -r .rule)" bad-signature
head -c 100 unsigned.json >trunc.json
expect_eq "a truncated body is 400" "$(code -X POST -H 'Content-Type: application/json' --data-binary @trunc.json "$URL/v1/submit")" 400
printf '\x93\xa4city\x91\xc1\xc4\x40' >bad.msgpack
expect_eq "a corrupted msgpack body is 400" "$(code -X POST -H 'Content-Type: application/msgpack' --data-binary @bad.msgpack "$URL/v1/submit")" 400
awk 'BEGIN { printf "{\"issuer\":\"city\",\"entries\":["; for (i = 0; i < 10001; i++) printf "%s{}", i ? "," : ""; printf "],\"signature\":\"\"}" }' >toomany.json
expect_eq "a batch of 10,001 entries is 413" "$(code -X POST -H 'Content-Type: application/json' --data-binary @toomany.json "$URL/v1/submit")" 413
head -c 34000000 /dev/zero >huge.bin
expect_eq "a 34 MB body is 413" "$(code -X POST -H 'Content-Type: application/msgpack' --data-binary @huge.bin "$URL/v1/submit")" 413
long=$(printf '%065d' 7)
sed "s/\"u-0\"/\"$long\"/" unsigned.json >longacct.json
body=$(curl -s -X POST -H 'Content-Type: application/json' --data-binary @longacct.json "$URL/v1/submit")
expect_eq "a 65-byte account is 400 at its position" "$(printf '%s' "$body" | jq -c '[.error,.position]')" '["malformed",0]'
expect_eq "nothing above was appended" "$(curl -s "$URL/checkpoint" | sed -n 2p)" "$size0"

# u64 overflow: units x factor, and a running counter.
printf '{"kind":"credit","account":"u-1","method":"big","units":4,"grams":1,"day":"2024-07-01","dedup":"%s"}\n' "$(dedup ov1)" >ov1.jsonl
out=$("$LEDGER" submit --server "$URL" --key city.key ov1.jsonl 2>&1); rc=$?
case "$rc:$out" in 1:*overflow*) ok "units x factor past 2^64 is refused (overflow)" ;; *) not_ok "units x factor past 2^64 is refused" "$out" ;; esac
printf '{"kind":"credit","account":"u-1","method":"big","units":1,"grams":4611686018427387904,"day":"2024-07-01","dedup":"%s"}\n' "$(dedup ov2)" >ov2.jsonl
printf '{"kind":"credit","account":"u-2","method":"big","units":1,"grams":4611686018427387904,"day":"2024-07-01","dedup":"%s"}\n' "$(dedup ov3)" >>ov2.jsonl
printf '{"kind":"credit","account":"u-3","method":"big","units":1,"grams":4611686018427387904,"day":"2024-07-01","dedup":"%s"}\n' "$(dedup ov4)" >>ov2.jsonl
printf '{"kind":"credit","account":"u-4","method":"big","units":1,"grams":4611686018427387904,"day":"2024-07-01","dedup":"%s"}\n' "$(dedup ov5)" >>ov2.jsonl
out=$("$LEDGER" submit --server "$URL" --key city.key ov2.jsonl 2>&1)
case "$out" in *"line 4"*overflow*) ok "the log's credited total past 2^64 is refused at the 4th credit" ;; *) not_ok "the log's credited total past 2^64 is refused" "$out" ;; esac
body=$(curl -s -X POST -H 'Content-Type: application/json' --data-binary @unsigned.json "$URL/v1/submit" -o /dev/null -w '%{http_code}')
expect_eq "the refusals left no trace" "$(curl -s "$URL/checkpoint" | sed -n 2p)" "$size0"

# 10,000 idle connections, and the server still serves.
HOLDC=$(cd "$OLDPWD" && pwd)/$B/tests/holdconns
[ -x "$HOLDC" ] || HOLDC=$BIN/../tests/holdconns
"$HOLDC" "$PORT" 10000 6 "$T/idle-open" >idle.out 2>&1 &
IDLE=$!
i=0; while [ ! -f idle-open ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
[ -f idle-open ] && ok "10,000 idle connections are open" || not_ok "10,000 idle connections are open" "$(cat idle.out)"
sleep 0.6
expect_eq "with them open, /checkpoint still answers" "$(code --max-time 5 "$URL/checkpoint")" 200
conns=$(curl -s "$URL/metrics" | sed -n 's/^ledger_http_open_connections //p')
[ "${conns:-0}" -ge 10000 ] && ok "metrics count the open connections ($conns)" || not_ok "metrics count the open connections" "$conns"
wait "$IDLE"
stop_server

# The connection limit: at --max-conns the listener stops accepting.
start_server "$D" --max-conns 50
"$HOLDC" "$PORT" 60 3 "$T/hold-open" >hold.out 2>&1 &
HOLD=$!
sleep 1
expect_eq "at the connection limit new connections wait (no reply within 1 s)" "$(code --max-time 1 "$URL/healthz")" 000
kill "$HOLD" 2>/dev/null; wait "$HOLD" 2>/dev/null
sleep 0.8
expect_eq "below the limit it accepts again" "$(curl -s --max-time 3 "$URL/metrics" | sed -n 's/^ledger_http_accepting //p')" 1
stop_server

# Slow-loris clients (headers, or a body, at a byte a second) are closed
# at the request timeout, and others are served meanwhile.
start_server "$D" --request-timeout 2
slow() {	# slow NAME PREFIX: send PREFIX, then a byte a second
	t0=$(date +%s%N)
	( printf '%b' "$2"; i=0; while [ $i -lt 20 ]; do printf 'X'; sleep 1; i=$((i+1)); done ) |
	    timeout 25 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; cat >&3 & cat <&3 >/dev/null"
	echo $(( ($(date +%s%N) - t0) / 1000000 )) >"$1.ms"
}
slow slow-head 'GET /checkpoint HTTP/1.1\r\nHost: x\r\n' &
SLOW1=$!
slow slow-body 'POST /v1/submit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n' &
SLOW2=$!
sleep 0.3
t0=$(date +%s%N)
n=0; for i in 1 2 3 4 5 6 7 8 9 10; do [ "$(code "$URL/checkpoint")" = 200 ] && n=$((n+1)); done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_eq "beside two slow clients, 10 requests are answered" "$n" 10
[ "$ms" -lt 2000 ] && ok "... in ${ms} ms" || not_ok "requests beside slow clients are not slowed" "${ms} ms"
wait "$SLOW1" "$SLOW2"
for f in slow-head slow-body; do
	ms=$(cat $f.ms)
	[ "$ms" -ge 1500 ] && [ "$ms" -lt 8000 ] && ok "$f: closed after $ms ms (request timeout 2 s)" ||
	    not_ok "$f: closed at the request timeout" "$ms ms"
done
expect_eq "metrics count the timeouts" "$(curl -s "$URL/metrics" | sed -n 's/^ledger_http_request_timeouts_total //p')" 2
# An idle keep-alive connection is closed after the same timeout.
t0=$(date +%s%N)
timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' >&3; cat <&3 >/dev/null"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -ge 1500 ] && [ "$ms" -lt 8000 ] && ok "an idle keep-alive connection is closed after $ms ms" ||
    not_ok "an idle keep-alive connection is closed at the timeout" "$ms ms"
stop_server

# An I/O error on commit (tests/tools/failio.c makes LMDB's data file fail
# while $T/ctl/eio exists): the group gets 500 and nothing is signed; the
# next commit works; a restart serves a consistent checkpoint in which the
# refused entries are absent and the accepted ones present.
FAILIO=$BIN/../tests/failio.so
preload() {	# preload NAME=VALUE... CMD...: run CMD with failio.so preloaded
	env LD_PRELOAD="$FAILIO" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@"
}
body_of() {	# body_of FILE: the body of the first POST /v1/submit a client wrote
	off=$(grep -abo -m1 'POST /v1/submit' "$1" | cut -d: -f1)
	hlen=$(tail -c +$((off + 1)) "$1" | sed '/^\r$/q' | wc -c)
	blen=$(tail -c +$((off + 1)) "$1" | sed '/^\r$/q' | sed -n 's/^content-length: *\([0-9]*\).*/\1/Ip')
	tail -c +$((off + hlen + 1)) "$1" | head -c "$blen"
}
replay() {	# replay BODY: POST it as ledger did; prints the status, body in BODY.out
	curl -s -o "$1.out" -w '%{http_code}' -H 'Content-Type: application/msgpack' \
	    -H 'Accept: application/json' --data-binary @"$1" "$URL/v1/submit"
}
for x in ok disk sync meta after qa qb qc; do
	credits 3 3 2024-07-03 "io-$x" | sed 's/"transit.bus.v1"/"bus"/' >"io-$x.jsonl"
done
# Batches ledger signs, captured from a twin of the log (same origin,
# issuer and methods), to be replayed to the log with curl.
cp -a "$D" twin
start_server twin
for x in disk sync meta qa qb qc; do
	preload FAILIO_TEE="$T/io-$x.req" "$LEDGER" submit --server "$URL" --key city.key "io-$x.jsonl" >/dev/null
	body_of "io-$x.req" >"io-$x.body"
done
stop_server
mkdir -p ctl
LEDGERD_ENV="LD_PRELOAD=$FAILIO FAILIO_CTL=$T/ctl ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
start_server "$D"
LEDGERD_ENV=
check "under failio.so a submission is accepted and its receipts verify" "$LEDGER" submit --server "$URL" --key city.key --vkey "$VKEY" --receipts io-ok-r.jsonl io-ok.jsonl
curl -s "$URL/checkpoint" >io-cp1
for x in disk sync; do
	# disk: every write and sync fails (a data page write comes first);
	# sync: only fdatasync, after the pages were written.
	if [ $x = disk ]; then : >ctl/eio; what="every write"; else echo fdatasync >ctl/eio; what=fdatasync; fi
	rm -f ctl/hit
	expect_eq "$x: an I/O error on commit ($what) answers 500" "$(replay "io-$x.body")" 500
	rm -f ctl/eio
	[ -f ctl/hit ] && ok "$x: the injected fault is what failed the commit" || not_ok "$x: the fault was injected" "$(ls ctl)"
	expect_eq "$x: the error body names the store and says nothing was appended" \
	    "$(jq -c '[.error, .rule, (.message | endswith("nothing was appended"))]' "io-$x.body.out")" '["internal","store",true]'
	expect_eq "$x: the checkpoint is unchanged (the same signed note)" "$(curl -s "$URL/checkpoint")" "$(cat io-cp1)"
done
out=$("$LEDGER" submit --server "$URL" --key city.key --vkey "$VKEY" --json --receipts io-after-r.jsonl io-after.jsonl)
expect_eq "with the fault gone, the next submission is appended" "$(printf '%s\n' "$out" | jq -c '[.new, .duplicates]')" '[3,0]'
curl -s "$URL/checkpoint" >io-cp2
expect_eq "... and signed: 3 entries and a batch leaf more" "$(sed -n 2p io-cp2)" "$(( $(sed -n 2p io-cp1) + 4 ))"
# The meta page write is LMDB's commit point; after it fails, LMDB
# refuses every transaction (MDB_PANIC) until the process restarts.
echo meta >ctl/eio; rm -f ctl/hit
expect_eq "meta: a failed meta page write answers 500" "$(replay io-meta.body)" 500
rm -f ctl/eio
[ -f ctl/hit ] && ok "meta: the injected fault is what failed the commit" || not_ok "meta: the fault was injected" "$(ls ctl)"
expect_eq "meta: the checkpoint is unchanged (the same signed note)" "$(curl -s "$URL/checkpoint")" "$(cat io-cp2)"
expect_eq "meta: with the fault gone, LMDB still refuses until a restart: 500" "$(replay io-meta.body)" 500
case $(code "$URL/healthz") in 500|503) ok "meta: /healthz is not 200, so a monitor sees it" ;;
*) not_ok "meta: /healthz reports the unusable store" "$(code "$URL/healthz")" ;; esac
expect_eq "meta: still nothing new is signed" "$(curl -s "$URL/checkpoint")" "$(cat io-cp2)"
stop_server
start_server "$D"
expect_eq "after a restart the same checkpoint is served" "$(curl -s "$URL/checkpoint")" "$(cat io-cp2)"
check "it is consistent with every checkpoint served before" "$LEDGER" checkpoint --server "$URL" --vkey "$VKEY" --since io-cp1 --since io-cp2
cat io-disk.jsonl io-sync.jsonl io-meta.jsonl >io-refused.jsonl
out=$("$LEDGER" submit --server "$URL" --key city.key --json io-refused.jsonl)
expect_eq "the 9 refused entries are absent (resubmitted, all are new)" "$(printf '%s\n' "$out" | jq -c '[.new, .duplicates]')" '[9,0]'
cat io-ok.jsonl io-after.jsonl >io-acked.jsonl
out=$("$LEDGER" submit --server "$URL" --key city.key --json --receipts io-again.jsonl io-acked.jsonl)
expect_eq "the 6 accepted entries are present (all duplicates)" "$(printf '%s\n' "$out" | jq -c '[.new, .duplicates]')" '[0,6]'
expect_eq "... with the index and leaf of their receipts" "$(jq -c '[.index, .leaf_hash]' io-again.jsonl)" "$(cat io-ok-r.jsonl io-after-r.jsonl | jq -c '[.index, .leaf_hash]')"
stop_server

# A full submission queue: with the commit stalled in fdatasync
# ($T/ctl/stall) and --queue-max 5, batch qa is in the sequencer, qb (3
# entries) waits in the queue and qc (3 more) is refused with 503 and
# Retry-After; nothing is lost: when the disk answers again qa and qb are
# appended, and qc is accepted on its retry.
queued() { curl -s --max-time 3 "$URL/metrics" | sed -n 's/^ledger_queue_entries //p'; }
waitfor() {	# waitfor CMD...: up to 10 s for CMD to succeed
	i=0; while [ $i -lt 200 ] && ! "$@"; do sleep 0.05; i=$((i + 1)); done; "$@"
}
LEDGERD_ENV="LD_PRELOAD=$FAILIO FAILIO_CTL=$T/ctl ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
start_server "$D" --queue-max 5
LEDGERD_ENV=
cp0=$(curl -s "$URL/checkpoint" | sed -n 2p)
rm -f ctl/stalled; : >ctl/stall
replay io-qa.body >io-qa.code &
qa=$!
waitfor test -f ctl/stalled && ok "queue: batch qa's commit is stalled in fdatasync" || not_ok "queue: the commit stalls" "$(ls ctl)"
replay io-qb.body >io-qb.code &
qb=$!
waitfor test "$(queued)" = 3
expect_eq "queue: batch qb waits in the queue (3 entries)" "$(queued)" 3
st=$(curl -s -D io-qc.hdr -o io-qc.out -w '%{http_code}' -H 'Content-Type: application/msgpack' \
    -H 'Accept: application/json' --data-binary @io-qc.body "$URL/v1/submit")
expect_eq "queue: batch qc, over --queue-max 5, is refused 503 queue-full" "$st $(jq -r .rule io-qc.out)" "503 queue-full"
grep -qi '^retry-after: *[0-9]' io-qc.hdr && ok "queue: ... with Retry-After" || not_ok "queue: 503 carries Retry-After" "$(cat io-qc.hdr)"
expect_eq "queue: nothing is signed while the commit is stalled" "$(curl -s "$URL/checkpoint" | sed -n 2p)" "$cp0"
rm -f ctl/stall
wait $qa $qb
expect_eq "queue: when fdatasync returns, qa and qb are acknowledged" "$(cat io-qa.code) $(cat io-qb.code)" "200 200"
expect_eq "queue: qc is accepted on its retry" "$(replay io-qc.body)" 200
expect_eq "queue: the log grew by the 3 batches (9 entries and 3 batch leaves)" "$(curl -s "$URL/checkpoint" | sed -n 2p)" "$((cp0 + 12))"
stop_server

# A full disk: 507, nothing half-written, recovery when space returns.
if mkdir -p small && mount -t tmpfs -o size=3m tmpfs small 2>/dev/null; then
	init_log small/log example.org/full >/dev/null 2>&1
	start_server small/log --map-size 1073741824
	"$LEDGER" admin add-issuer --server "$URL" --token-file small/log/admin.token --vkey "$(cat city.vkey)" --name City >/dev/null
	"$LEDGER" admin add-method --server "$URL" --token-file small/log/admin.token m.json >/dev/null
	credits 30000 3000 2024-07-02 full | sed 's/"transit.bus.v1"/"bus"/' >full.jsonl
	out=$("$LEDGER" submit --server "$URL" --key city.key --batch 1000 --receipts full-r.jsonl full.jsonl 2>&1); rc=$?
	case "$rc:$out" in 3:*"disk is full"*) ok "a full disk gives 507 (exit 3, 'the disk is full')" ;; *) not_ok "a full disk gives 507" "$rc $out" ;; esac
	size=$(curl -s "$URL/checkpoint" | sed -n 2p)
	expect_eq "no partial batch: whole batches of 1 + 1,000 leaves after 2 registrations" "$(( (size - 2) % 1001 ))" 0
	inlog=$(( (size - 2) / 1001 * 1000 ))
	[ "$(wc -l <full-r.jsonl)" -le "$inlog" ] && ok "every receipted entry is among them" || not_ok "every receipted entry is among them"
	mount -o remount,size=64m small
	out=$("$LEDGER" submit --server "$URL" --key city.key --batch 1000 --json full.jsonl)
	expect_eq "when space returns, submission resumes; nothing is lost or doubled" "$(printf '%s\n' "$out" | jq -c '[.new + .duplicates, .duplicates]')" "[30000,$inlog]"
	stop_server
	umount small
else
	echo "# SKIP full disk: cannot mount a tmpfs here (needs root)"
fi
e2e_end
