#!/bin/sh
# cosigner.sh - the auditor cosigner (ledger-audit witness --replay) end to
# end: it mirrors each log from its tiles up to the checkpoint it is asked
# to cosign and replays every rule first; it cosigns the honest log, answers
# 422 with the finding codes for logs with a planted violation (mklog's
# dishonest logs, served by nginx) and keeps the evidence, answers 503 with
# Retry-After when it cannot mirror, and cosigns a live ledgerd's
# checkpoints as its witness (ledgerd serve --witness-policy).
. tests/e2e/lib.sh
MKLOG=$(cd "$B/tests" && pwd)/mklog
POLICYCHECK=$(cd "$B/tests" && pwd)/policycheck
GOSRC=$(pwd)/tests/go
e2e_begin cosigner
cd "$T"

if ! command -v nginx >/dev/null 2>&1; then
	echo "# SKIP: install nginx-light (make deps)"
	e2e_end
fi

# The static logs: honest, and one planted violation in each other.
mkdir -p www
MODES="none over-cap-event counter-mismatch duplicate-dedup"
for m in $MODES; do
	"$MKLOG" --out "www/$m" --origin "example.org/mklog-$m" \
	    --key-out "$m.vkey" --tamper "$m" </dev/null >/dev/null 2>mklog.err ||
	    not_ok "mklog $m" "$(cat mklog.err)"
done
nginx_servers() {
	cat <<N
	server {
		listen 127.0.0.1:$1;
		root $T/www;
		location / { default_type application/octet-stream; }
	}
N
}
nginx_start www || { not_ok "nginx starts" "$(cat www.start www.err 2>/dev/null)"; e2e_end; }
WWW=http://127.0.0.1:$NPORT

# A port nothing listens on: a log the cosigner cannot read.
DEAD=$((10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 22768))
"$MKLOG" --out dead --origin example.org/mklog-dead --key-out dead.vkey \
    --tamper none </dev/null >/dev/null 2>mklog.err ||
    not_ok "mklog dead" "$(cat mklog.err)"

"$LEDGER" keygen --witness --id audit.ngo.example/replayed --out a.key >a.vkey ||
    not_ok "keygen --witness"
{ for m in $MODES; do echo "log $(cat "$m.vkey") $WWW/$m"; done
  echo "log $(cat dead.vkey) http://127.0.0.1:$DEAD"
  echo "quorum none"; } >a.policy
mkdir a.state

# start_cosigner: ledger-audit witness --replay on a free port (APORT).
start_cosigner() {
	for try in 1 2 3 4 5 6 7 8; do
		APORT=$((10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 22768))
		: >a.log
		"$AUDIT" witness --replay --listen "127.0.0.1:$APORT" --key a.key \
		    --policy a.policy --state a.state 2>>a.log &
		APID=$!
		E2E_PIDS="$E2E_PIDS $APID"
		i=0
		while [ $i -lt 200 ]; do
			grep -q "listening on 127.0.0.1:$APORT" a.log && return 0
			kill -0 "$APID" 2>/dev/null || break
			sleep 0.05; i=$((i + 1))
		done
		grep -q "cannot listen" a.log || break
	done
	cat a.log
	return 1
}
start_cosigner || { not_ok "the auditor cosigner starts"; e2e_end; }
ok "ledger-audit witness --replay starts"

# add CHECKPOINT_FILE: POST "old 0", no proof, the checkpoint; ST, add.out.
add() {
	{ echo "old 0"; echo; cat "$1"; } >add.req
	ST=$(curl -s -o add.out -D add.hdr -w '%{http_code}' --data-binary @add.req \
	    "http://127.0.0.1:$APORT/add-checkpoint")
}
hash_of() { printf %s "$1" | sha256sum | cut -c1-64; }

# 1. The honest log: mirrored, replayed, cosigned.
add www/none/checkpoint
expect_eq "the honest log is cosigned (200)" "$ST" 200
{ cat www/none/checkpoint; cat add.out; } >none.cosigned
printf 'log %s\nwitness auditor %s\nquorum auditor\n' "$(cat none.vkey)" "$(cat a.vkey)" >none.policy
check "its cosignature verifies under a policy requiring the auditor (policycheck)" \
    "$POLICYCHECK" none.policy none.cosigned
M=a.state/replay/$(hash_of "$(cat none.vkey)")
expect_eq "its mirror holds the log, every rule replayed, no finding" \
    "$("$AUDIT" report --state "$M" --json | jq -c '[.entries, (.findings | length)]')" '[13,0]'
expect_eq "the witness state keeps the cosigned checkpoint (monitoring read)" \
    "$(curl -s "http://127.0.0.1:$APORT/$(hash_of example.org/mklog-none)/checkpoint" | sed -n 2p)" 13

# 2. Planted violations: 422 with the finding codes, never a cosignature.
for m in over-cap-event counter-mismatch duplicate-dedup; do
	add "www/$m/checkpoint"
	expect_eq "$m: refused with 422" "$ST" 422
	case "$(cat add.out)" in
	*"$m 1"*) ok "$m: the body names the finding code ($(tr '\n' ' ' <add.out))" ;;
	*) not_ok "$m: the body names the finding code" "$(cat add.out)" ;;
	esac
	grep -q '^—' add.out && not_ok "$m: no cosignature line in the refusal" "$(cat add.out)"
	expect_eq "$m: nothing cosigned for that log (monitoring read 404)" \
	    "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$APORT/$(hash_of "example.org/mklog-$m")/checkpoint")" 404
	M=a.state/replay/$(hash_of "$(cat "$m.vkey")")
	expect_eq "$m: the evidence is kept in its mirror" \
	    "$("$AUDIT" report --state "$M" --json | jq -r '[.findings[].code] | join(",")')" "$m"
	# Asked again: the same refusal (the finding stays).
	add "www/$m/checkpoint"
	expect_eq "$m: refused again" "$ST" 422
done

# 3. A log it cannot read: 503 with Retry-After, nothing cosigned.
add dead/checkpoint
expect_eq "an unreadable log: 503" "$ST" 503
grep -qi '^Retry-After: 1' add.hdr && ok "503 carries Retry-After" ||
    not_ok "503 carries Retry-After" "$(cat add.hdr)"
expect_eq "an unreadable log: nothing cosigned" \
    "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$APORT/$(hash_of example.org/mklog-dead)/checkpoint")" 404

# 4. The witness's own checks come first: a bad log signature is 403.
awk '/^— / { c = substr($3, 20, 1); $3 = substr($3, 1, 19) (c == "A" ? "B" : "A") substr($3, 21) } { print }' \
    www/over-cap-event/checkpoint >bad.cp
add bad.cp
expect_eq "a checkpoint whose log signature fails: 403, before any replay" "$ST" 403

# 5. A live ledgerd with the auditor cosigner as its witness.
D=$T/live
init_log "$D" example.org/live || { not_ok "init"; e2e_end; }
LVKEY=$VKEY
LTOKEN=$TOKEN
start_server "$D" || { not_ok "ledgerd starts"; e2e_end; }
LURL=$URL
"$LEDGER" keygen --id city --out city.key >city.vkey
cat >bus.json <<'J'
{"id":"transit.bus.v1","activity":"public transport ride","unit":"ride","grams_per_unit":80,"max_grams_per_event":80,"max_grams_per_account_day":400,"valid_from":"2024-01-01","max_event_age_days":36500,"reference":"test"}
J
"$LEDGER" admin add-issuer --server "$LURL" --token-file "$LTOKEN" --vkey "$(cat city.vkey)" --name City >/dev/null
"$LEDGER" admin add-method --server "$LURL" --token-file "$LTOKEN" bus.json >/dev/null
credits 10 10 2024-07-01 a >c1.jsonl
check "10 credits" "$LEDGER" submit --server "$LURL" --key city.key c1.jsonl
kill "$APID" 2>/dev/null; wait "$APID" 2>/dev/null
{ for m in $MODES; do echo "log $(cat "$m.vkey") $WWW/$m"; done
  echo "log $LVKEY $LURL"; echo "quorum none"; } >a.policy
start_cosigner || { not_ok "the auditor cosigner restarts"; e2e_end; }
# Three plain witnesses beside it.
for w in w1 w2 w3; do
	"$LEDGER" keygen --witness --id "witness.example/$w" --out $w.key >$w.vkey ||
	    not_ok "keygen --witness $w"
	mkdir $w.state
	printf 'log %s\nquorum none\n' "$LVKEY" >$w.policy
	for try in 1 2 3 4 5 6 7 8; do
		p=$((10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 22768))
		: >$w.log
		"$AUDIT" witness --listen "127.0.0.1:$p" --key $w.key \
		    --policy $w.policy --state $w.state 2>>$w.log &
		E2E_PIDS="$E2E_PIDS $!"
		i=0
		while [ $i -lt 200 ] && ! grep -q "listening on" $w.log; do
			kill -0 $! 2>/dev/null || break
			sleep 0.05; i=$((i + 1))
		done
		grep -q "listening on" $w.log && break
	done
	eval "${w}PORT=$p"
done
# The quorum: 2 of the three witnesses, and the auditor.
{ echo "log $LVKEY"
  for w in w1 w2 w3; do eval "echo witness $w \$(cat $w.vkey) http://127.0.0.1:\$${w}PORT"; done
  echo "witness auditor $(cat a.vkey) http://127.0.0.1:$APORT"
  echo "group witnesses 2 w1 w2 w3"
  echo "group replayed all witnesses auditor"
  echo "quorum replayed"; } >live.policy
# A policy that needs a fourth plain witness nobody runs.
"$LEDGER" keygen --witness --id witness.example/w4 --out w4.key >w4.vkey
{ echo "log $LVKEY"; echo "witness w4 $(cat w4.vkey)"; echo "quorum w4"; } >w4.policy
LPORT=$PORT
stop_server
# The same port: the cosigner's policy names this URL.
start_server "$D" --listen "127.0.0.1:$LPORT" --witness-policy "$T/live.policy" ||
    { not_ok "ledgerd --witness-policy starts"; e2e_end; }
credits 30 10 2024-07-02 b >c2.jsonl
check "30 more credits" "$LEDGER" submit --server "$URL" --key city.key c2.jsonl
i=0; sz=0
while [ $i -lt 400 ]; do
	curl -s "$URL/checkpoint" >live.cp
	sz=$(sed -n 2p live.cp)
	"$POLICYCHECK" live.policy live.cp >/dev/null 2>&1 && [ "$sz" -ge 44 ] && break
	sleep 0.1; i=$((i + 1))
done
check "ledgerd serves its checkpoint cosigned by 2 of 3 witnesses and the auditor after its replay (size $sz)" \
    "$POLICYCHECK" live.policy live.cp
out=$("$LEDGER" checkpoint --server "$URL" --policy "$T/live.policy" 2>&1); rc=$?
case "$rc:$out" in 0:*"size $sz"*"auditor"*"quorum replayed needs all of"*) ok "ledger checkpoint --policy accepts it and names the cosigners" ;; *) not_ok "ledger checkpoint --policy" "$rc $out" ;; esac
out=$("$LEDGER" checkpoint --server "$URL" --policy "$T/w4.policy" 2>&1); rc=$?
case "$rc:$out" in 1:*"missing w4"*) ok "a policy naming a witness that did not cosign refuses it, naming w4" ;; *) not_ok "ledger checkpoint --policy w4" "$rc $out" ;; esac
# The independent verifier (Go, no code of ours) checks all four lines.
if command -v go >/dev/null 2>&1 && [ -d /usr/share/gocode/src/golang.org/x/mod/sumdb/note ]; then
	export GOCACHE=$T/gocache GO111MODULE=off GOPATH=/usr/share/gocode
	if go build -o cosigcheck "$GOSRC/cosigcheck.go" 2>gobuild.err; then
		n=0
		for w in w1 w2 w3; do grep -q "^— witness.example/$w " live.cp && n=$((n + 1)); done
		[ "$n" -ge 2 ] && ok "at least 2 of the 3 witnesses' lines are served ($n)" || not_ok "witness lines served" "$(cat live.cp)"
		keys="$(cat a.vkey)"
		for w in w1 w2 w3; do grep -q "^— witness.example/$w " live.cp && keys="$keys $(cat $w.vkey)"; done
		# shellcheck disable=SC2086
		check "Go: the log signature (x/mod note) and every served cosignature/v1 line verify" \
		    ./cosigcheck live.cp "$LVKEY" $keys
	else
		not_ok "the Go verifier builds" "$(cat gobuild.err)"
	fi
else
	echo "# SKIP Go check: install golang-go golang-golang-x-mod-dev"
fi
out=$("$LEDGER" totals --server "$URL" --policy "$T/live.policy" 2>&1); rc=$?
case "$rc:$out" in 0:*"replayed: the counters were replayed by auditor (audit.ngo.example/replayed) at size $sz"*) ok "ledger totals --policy says the auditor replayed the counters at size $sz" ;; *) not_ok "ledger totals under the auditor's policy" "$rc $out" ;; esac
out=$("$LEDGER" account --server "$URL" --policy "$T/live.policy" --issuer city u-1 2>&1); rc=$?
case "$rc:$out" in 0:*"replayed by auditor"*) ok "ledger account --policy names the auditor's replay" ;; *) not_ok "ledger account under the auditor's policy" "$rc $out" ;; esac
M=a.state/replay/$(hash_of "$LVKEY")
expect_eq "the auditor's mirror replayed the live log up to that size, no finding" \
    "$("$AUDIT" report --state "$M" --json | jq -c --argjson n "$sz" '[.entries >= $n, (.findings | length)]')" '[true,0]'
e2e_end
