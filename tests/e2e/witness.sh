#!/bin/sh
# witness.sh - ledger-audit witness (C2SP tlog-witness) end to end: every
# status from requests built by hand, a real log's checkpoints cosigned in
# sequence with its consistency proofs, a fork refused also after a
# restart; then ledgerd --witness-policy with three witnesses.
. tests/e2e/lib.sh
e2e_begin witness
cd "$T"

hex2bin() { tr a-f A-F | basenc --base16 -d; }
b64key() {	# b64key KEYTEXT: the base64 after "[PRIVATE+KEY+]NAME+ID+"
	sed 's/^PRIVATE+KEY+//; s/^[^+]*+[^+]*+//' <<K
$1
K
}

# note_sign SKEYFILE TEXTFILE: TEXTFILE signed as a note by the log key in
# SKEYFILE (openssl, not our code), for checkpoints ledgerd never signs.
note_sign() {
	k=$(head -1 "$1")
	name=$(echo "$k" | cut -d+ -f3); id=$(echo "$k" | cut -d+ -f4)
	{ printf 302e020100300506032b657004220420 | hex2bin
	  b64key "$k" | base64 -d | tail -c 32; } >sign.der
	openssl pkeyutl -sign -rawin -inkey sign.der -keyform DER -in "$2" \
	    -out sign.sig || return 1
	cat "$2"; echo
	printf '— %s %s\n' "$name" "$({ printf %s "$id" | hex2bin; cat sign.sig; } | base64 -w0)"
	rm -f sign.der sign.sig
}

# cosig_check VKEY TEXTFILE LINE: LINE is a cosignature/v1 line of the
# witness key VKEY over the note text in TEXTFILE, with a non-zero
# timestamp; checked with openssl (not our code). Prints the timestamp.
cosig_check() {
	vk=$1; line=$3
	name=$(echo "$vk" | cut -d+ -f1); id=$(echo "$vk" | cut -d+ -f2)
	case "$line" in "— $name "*) ;; *) echo "not a line of $name: $line"; return 1 ;; esac
	printf %s "${line#"— $name "}" | base64 -d >cs.bin 2>/dev/null || { echo "bad base64"; return 1; }
	[ "$(wc -c <cs.bin)" = 76 ] || { echo "not 76 bytes"; return 1; }
	[ "$(head -c 4 cs.bin | od -An -tx1 | tr -d ' \n')" = "$id" ] || { echo "key ID is not $id"; return 1; }
	ts=$(tail -c +5 cs.bin | head -c 8 | od -An -tu8 --endian=big | tr -d ' ')
	[ "$ts" != 0 ] || { echo "timestamp 0"; return 1; }
	tail -c 64 cs.bin >cs.sig
	{ printf 'cosignature/v1\ntime %s\n' "$ts"; cat "$2"; } >cs.msg
	b64key "$vk" | base64 -d >cs.pub
	[ "$(head -c 1 cs.pub | od -An -tx1 | tr -d ' ')" = 04 ] || { echo "not a cosigner key"; return 1; }
	{ printf 302a300506032b6570032100 | hex2bin; tail -c 32 cs.pub; } >cs.der
	openssl pkeyutl -verify -rawin -pubin -inkey cs.der -keyform DER \
	    -sigfile cs.sig -in cs.msg >/dev/null 2>&1 || { echo "signature does not verify"; return 1; }
	echo "$ts"
}

# note_text FILE: the text of a signed note (up to the blank line).
note_text() { sed '/^$/,$d' "$1"; }

# start_witness NAME [PORT]: ledger-audit witness with NAME.key,
# NAME.policy and NAME.state on 127.0.0.1:PORT (a free one if none);
# sets WPID and WPORT.
start_witness() {
	wn=$1
	for try in 1 2 3 4 5 6 7 8; do
		WPORT=${2:-$((10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 22768))}
		: >"$wn.log"
		"$AUDIT" witness --listen "127.0.0.1:$WPORT" --key "$wn.key" \
		    --policy "$wn.policy" --state "$wn.state" 2>>"$wn.log" &
		WPID=$!
		E2E_PIDS="$E2E_PIDS $WPID"
		i=0
		while [ $i -lt 200 ]; do
			grep -q "listening on 127.0.0.1:$WPORT" "$wn.log" && return 0
			kill -0 "$WPID" 2>/dev/null || break
			sleep 0.05; i=$((i + 1))
		done
		grep -q "cannot listen" "$wn.log" || break
		[ -z "${2:-}" ] || break
	done
	echo "# witness $wn did not start:"; cat "$wn.log"
	return 1
}

# add OLD PROOFHEX_FILE CHECKPOINT_FILE PORT: POST a hand-built request;
# the status in ST, the body in add.out, the Content-Type in CT.
add() {
	{ echo "old $1"
	  while read -r h; do [ -n "$h" ] && printf %s "$h" | hex2bin | base64 -w0 && echo; done <"$2"
	  echo; cat "$3"; } >add.req
	ST=$(curl -s -o add.out -D add.hdr -w '%{http_code}' --data-binary @add.req \
	    "http://127.0.0.1:$4/add-checkpoint")
	CT=$(sed -n 's/^[Cc]ontent-[Tt]ype: *\([^;\r]*\).*/\1/p' add.hdr | tr -d '\r')
}

# proof URL OLD NEW >FILE: the log's consistency proof, one hex hash a line.
proof() {
	curl -s -H 'Accept: application/json' "$1/v1/proof/consistency?old=$2&new=$3" | jq -r '.proof[]'
}

# ---- 1. The witness and its statuses -------------------------------------
L=$T/log
init_log "$L" example.org/witnessed || { not_ok init; e2e_end; }
LVKEY=$VKEY
LTOKEN=$TOKEN
start_server "$L" || { not_ok "ledgerd starts"; e2e_end; }
LURL=$URL
LPID=$SERVER_PID
"$LEDGER" keygen --id city --out city.key >city.vkey
cat >bus.json <<'J'
{"id":"transit.bus.v1","activity":"public transport ride","unit":"ride","grams_per_unit":80,"max_grams_per_event":80,"max_grams_per_account_day":400,"valid_from":"2024-01-01","max_event_age_days":36500,"reference":"test"}
J
"$LEDGER" admin add-issuer --server "$LURL" --token-file "$LTOKEN" --vkey "$(cat city.vkey)" --name City >/dev/null
"$LEDGER" admin add-method --server "$LURL" --token-file "$LTOKEN" bus.json >/dev/null

for w in w1 w2 w3; do
	"$LEDGER" keygen --witness --id "witness.example/$w" --out $w.key >$w.vkey 2>/dev/null ||
	    not_ok "keygen --witness $w"
	mkdir $w.state
	printf 'log %s\nquorum none\n' "$LVKEY" >$w.policy
done
"$LEDGER" keygen --id city2 --out notwitness.key >/dev/null
mkdir bad.state
printf 'log %s\nquorum none\n' "$LVKEY" >bad.policy
cp notwitness.key bad.key
expect_rc "witness refuses a key that is not a cosigner key: exit 2" 2 \
    "$AUDIT" witness --listen 127.0.0.1:0 --key bad.key --policy bad.policy --state bad.state
out=$("$AUDIT" witness --listen 127.0.0.1:0 --key bad.key --policy bad.policy --state bad.state 2>&1)
case "$out" in *"not a cosignature/v1 key (type 0x04)"*) ok "... saying which key type it needs" ;; *) not_ok "... saying which key type" "$out" ;; esac
cp w1.key bad.key; chmod 644 bad.key
out=$("$AUDIT" witness --listen 127.0.0.1:0 --key bad.key --policy bad.policy --state bad.state 2>&1); rc=$?
case "$rc:$out" in 2:*"chmod 600"*) ok "witness refuses a key others can read: exit 2, says chmod 600" ;; *) not_ok "witness refuses a key others can read" "$rc $out" ;; esac
chmod 600 bad.key
expect_rc "witness refuses a missing state dir: exit 2" 2 \
    "$AUDIT" witness --listen 127.0.0.1:0 --key bad.key --policy bad.policy --state nosuch.state
printf 'witness W %s\nquorum none\n' "$(cat w2.vkey)" >bad.policy
out=$("$AUDIT" witness --listen 127.0.0.1:0 --key bad.key --policy bad.policy --state bad.state 2>&1); rc=$?
case "$rc:$out" in 2:*"lists no log"*) ok "witness refuses a policy without logs: exit 2" ;; *) not_ok "witness refuses a policy without logs" "$rc $out" ;; esac
expect_rc "witness without --state: usage, exit 2" 2 \
    "$AUDIT" witness --listen 127.0.0.1:0 --key bad.key --policy bad.policy

start_witness w1 || { not_ok "witness w1 starts"; e2e_end; }
W1PORT=$WPORT; W1PID=$WPID
line=$(grep "listening on" w1.log)
case "$line" in *"witness $(cat w1.vkey) cosigning 1 log(s) (example.org/witnessed)"*"listening on 127.0.0.1:$W1PORT") ok "startup line names the vkey, the log and the address" ;; *) not_ok "startup line" "$line" ;; esac

credits 10 10 2024-07-01 a >c1.jsonl
check "10 credits" "$LEDGER" submit --server "$LURL" --key city.key c1.jsonl
curl -s "$LURL/checkpoint" >cp1
N1=$(sed -n 2p cp1)
: >empty

# 404: an origin the policy does not list (a real signature by its log key).
init_log "$T/other" other.example/log >/dev/null
{ echo other.example/log; sed -n '2,3p' cp1; } >other.txt
note_sign "$T/other/log.key" other.txt >other.cp
add 0 empty other.cp "$W1PORT"
expect_eq "unknown origin: 404" "$ST" 404
# 403: the origin's name, another key; a tampered root under the real key.
init_log "$T/imp" example.org/witnessed >/dev/null
note_text cp1 >cp1.txt
note_sign "$T/imp/log.key" cp1.txt >imp.cp
add 0 empty imp.cp "$W1PORT"
expect_eq "no signature by the log's key: 403" "$ST" 403
{ sed -n 1,2p cp1; echo "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="; sed -n '4,$p' cp1; } >bad.cp
add 0 empty bad.cp "$W1PORT"
expect_eq "a log signature that does not verify: 403" "$ST" 403
# 400: old > size, and a malformed body.
add $((N1 + 1)) empty cp1 "$W1PORT"
expect_eq "old > size: 400" "$ST" 400
printf 'old 01\n\n' >bad.req; cat cp1 >>bad.req
expect_eq "old with a leading zero: 400" "$(curl -s -o /dev/null -w '%{http_code}' --data-binary @bad.req "http://127.0.0.1:$W1PORT/add-checkpoint")" 400
# 422: a size-0 checkpoint whose root is not the empty tree's (signed with
# the real log key: ledgerd never signs one), and a proof with old 0.
printf 'example.org/witnessed\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n' >zero.txt
note_sign "$L/log.key" zero.txt >zero.cp
add 0 empty zero.cp "$W1PORT"
expect_eq "size 0 with a root other than SHA-256(\"\"): 422" "$ST" 422
proof "$LURL" 1 "$N1" >p1
add 0 p1 cp1 "$W1PORT"
expect_eq "old 0 with a non-empty proof: 422" "$ST" 422
# 200: the first cosignature, from old 0.
add 0 empty cp1 "$W1PORT"
expect_eq "a good checkpoint from old 0: 200" "$ST" 200
expect_eq "... as text/plain" "$CT" text/plain
note_text cp1 >cp1.txt
if out=$(cosig_check "$(cat w1.vkey)" cp1.txt "$(cat add.out)") && [ "$(wc -l <add.out)" = 1 ]; then
	ok "... one cosignature/v1 line of w1's key that verifies (openssl), timestamp $out"
else not_ok "the 200's cosignature verifies" "$out $(cat add.out)"; fi
# 409: old is not the size the witness cosigned.
add 0 empty cp1 "$W1PORT"
expect_eq "old 0 after a cosignature at $N1: 409" "$ST" 409
expect_eq "... text/x.tlog.size" "$CT" text/x.tlog.size
expect_eq "... body is the witness's size" "$(cat add.out)" "$N1"
# Sizes in sequence, each with the log's own consistency proof.
prev=$N1
good=0
for i in 1 2 3 4; do
	credits $((i * 3)) 7 2024-07-1$i "seq$i" >cs.jsonl
	"$LEDGER" submit --server "$LURL" --key city.key cs.jsonl >/dev/null || not_ok "submit $i"
	curl -s "$LURL/checkpoint" >cpn
	n=$(sed -n 2p cpn)
	proof "$LURL" "$prev" "$n" >pn
	add "$prev" pn cpn "$W1PORT"
	note_text cpn >cpn.txt
	[ "$ST" = 200 ] && [ "$n" -gt "$prev" ] && cosig_check "$(cat w1.vkey)" cpn.txt "$(cat add.out)" >/dev/null && good=$((good + 1))
	prev=$n
done
expect_eq "4 checkpoints in sequence, each from the last cosigned size with ledgerd's proof: 4 cosigned" "$good" 4
cp cpn cp2; N2=$prev
# 422: a proof that does not verify; 409 again for a stale old.
credits 5 5 2024-07-03 more >cm.jsonl
"$LEDGER" submit --server "$LURL" --key city.key cm.jsonl >/dev/null
curl -s "$LURL/checkpoint" >cp3
N3=$(sed -n 2p cp3)
proof "$LURL" "$N2" "$N3" | sed '1s/^./0/; 1s/^00/11/' >pbad
add "$N2" pbad cp3 "$W1PORT"
expect_eq "a consistency proof with a wrong hash: 422" "$ST" 422
proof "$LURL" "$N1" "$N3" >pold
add "$N1" pold cp3 "$W1PORT"
expect_eq "a valid proof from an older cosigned size: 409 with $N2" "$ST $(cat add.out)" "409 $N2"
add "$N2" empty cp2 "$W1PORT"
expect_eq "the same checkpoint again (old == size, empty proof): 200" "$ST" 200
# The monitoring read.
H=$(printf %s example.org/witnessed | sha256sum | cut -d' ' -f1)
curl -s -o mon.out -w '%{http_code}' "http://127.0.0.1:$W1PORT/$H/checkpoint" >mon.st
note_text mon.out >mon.txt
if [ "$(cat mon.st)" = 200 ] && cmp -s mon.txt cpn.txt && grep -q "^— example.org/witnessed " mon.out &&
    cosig_check "$(cat w1.vkey)" mon.txt "$(grep '^— witness.example/w1 ' mon.out)" >/dev/null; then
	ok "GET /<sha256 origin>/checkpoint: the latest cosigned checkpoint, log signature and cosignature"
else not_ok "monitoring read" "$(cat mon.st) $(cat mon.out)"; fi
H2=$(printf %s other.example/log | sha256sum | cut -d' ' -f1)
expect_eq "monitoring read of an origin not in the policy: 404" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$W1PORT/$H2/checkpoint")" 404
expect_eq "an unknown path: 404" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$W1PORT/add-checkpoint/x")" 404
expect_eq "GET /add-checkpoint: 405" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$W1PORT/add-checkpoint")" 405
head -c 300000 /dev/zero | tr '\0' a >big.req
expect_eq "a body over TLOG_WITNESS_MAX_BODY: 413" "$(curl -s -o /dev/null -w '%{http_code}' --data-binary @big.req "http://127.0.0.1:$W1PORT/add-checkpoint")" 413

# ---- 2. A fork: a copy of the data dir at size N grown differently -------
# The witness cosigned the original at N2... N3 is not cosigned: cosign it.
proof "$LURL" "$N2" "$N3" >p23
add "$N2" p23 cp3 "$W1PORT"
expect_eq "the original at $N3: 200" "$ST" 200
kill -TERM "$LPID"; wait "$LPID"
cp -a "$L" "$T/fork"
start_server "$L" || { not_ok "ledgerd restarts"; e2e_end; }
LURL=$URL; LPID=$SERVER_PID
start_server "$T/fork" || { not_ok "the fork starts"; e2e_end; }
FURL=$URL; FPID=$SERVER_PID
credits 4 4 2024-07-04 orig >co.jsonl
credits 9 9 2024-07-04 fork >cf.jsonl
check "4 credits into the original" "$LEDGER" submit --server "$LURL" --key city.key co.jsonl
check "9 other credits into the fork" "$LEDGER" submit --server "$FURL" --key city.key cf.jsonl
curl -s "$LURL/checkpoint" >cpo; NO=$(sed -n 2p cpo)
curl -s "$FURL/checkpoint" >cpf; NF=$(sed -n 2p cpf)
proof "$LURL" "$N3" "$NO" >po
add "$N3" po cpo "$W1PORT"
expect_eq "the original grown to $NO: 200" "$ST" 200
fork_refused() {	# fork_refused WHEN
	proof "$FURL" "$N3" "$NF" >pf
	add "$N3" pf cpf "$W1PORT"
	expect_eq "$1: the fork at $NF from $N3 (its own valid proof): 409 with $NO" "$ST $(cat add.out)" "409 $NO"
	proof "$FURL" "$NO" "$NF" >pf
	add "$NO" pf cpf "$W1PORT"
	expect_eq "$1: the fork at $NF from $NO (the fork's proof): 422" "$ST" 422
	add 0 empty cpf "$W1PORT"
	expect_eq "$1: the fork from old 0: 409" "$ST" 409
}
fork_refused "before a restart"
kill -TERM "$W1PID"; wait "$W1PID"
expect_eq "SIGTERM stops the witness: exit 0" "$?" 0
start_witness w1 "$W1PORT" || { not_ok "witness w1 restarts"; e2e_end; }
W1PID=$WPID
fork_refused "after a restart"
add "$NO" empty cpo "$W1PORT"
expect_eq "after a restart the original at $NO is still cosigned" "$ST" 200
kill -0 "$W1PID" && ok "the witness is still running after every request above"
kill -TERM "$FPID"; wait "$FPID" 2>/dev/null

e2e_end
