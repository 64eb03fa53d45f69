#!/bin/sh
# policy.sh - clients under a C2SP tlog-policy (--policy FILE): ledger
# checkpoint, verify, account, totals, receipt --refresh and ledger-audit
# sync accept only checkpoints signed by the policy's log and cosigned by
# its quorum. No witness runs here: tests/tools/cosign appends
# cosignature/v1 lines made with keys from `ledger keygen --witness` to the
# real ledgerd's checkpoint, and nginx serves that file as /checkpoint in
# front of the real ledgerd (every other route is proxied).
. tests/e2e/lib.sh
e2e_begin policy

if ! command -v nginx >/dev/null 2>&1; then
	echo "# SKIP: nginx is not installed (make deps installs nginx-light)"
	ok "skipped: no nginx"
	e2e_end
fi
COSIGN=$(cd "$B/tests" && pwd)/cosign

L=$T/log
init_log "$L" example.org/policy || { not_ok init; e2e_end; }
start_server "$L" || { not_ok "ledgerd starts"; e2e_end; }
cd "$T"
chmod a+rx "$T"
"$LEDGER" keygen --id city --out city.key >city.vkey
cat >bus.json <<'J'
{"id":"transit.bus.v1","activity":"public transport ride","unit":"ride","grams_per_unit":80,"max_grams_per_event":80,"max_grams_per_account_day":400,"valid_from":"2024-01-01","max_event_age_days":36500,"reference":"test"}
J
"$LEDGER" admin add-issuer --server "$URL" --token-file "$TOKEN" --vkey "$(cat city.vkey)" --name City >/dev/null
"$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" bus.json >/dev/null
credits 12 3 2024-07-01 a >c1.jsonl
check "submit 12 credits with receipts" "$LEDGER" submit --server "$URL" --key city.key --receipts r1.jsonl c1.jsonl
"$LEDGER" receipt --server "$URL" 3 >r3.tlog-proof

# Witness keys: three witnesses, one auditor cosigner, one stranger.
for w in w1 w2 w3 w4; do
	"$LEDGER" keygen --witness --id "witness.example/$w" --out "$w.key" >/dev/null
done
"$LEDGER" keygen --witness --id audit.ngo.example/replayed --out aud.key >/dev/null
wline() { echo "witness $1 $(cat "$1.key.vkey")"; }
{ echo "log $VKEY"; wline w1; wline w2; wline w3
  echo "group g 2 w1 w2 w3"; echo "quorum g"; } >p23.policy
{ echo "log $VKEY"; wline w1; wline w3
  echo "group g13 all w1 w3"; echo "quorum g13"; } >p13.policy
{ echo "# the log signature alone"; echo "log $VKEY"; echo "quorum none"; } >none.policy
{ echo "log $VKEY"; wline w1; wline w2; wline w3
  echo "witness ngo $(cat aud.key.vkey)"
  echo "group g 2 w1 w2 w3"; echo "group g-and-ngo all g ngo"
  echo "quorum g-and-ngo"; } >aud.policy

# serve ARGS...: the log's current checkpoint, cosigned by cosign ARGS
# (none: as the log signed it), is what nginx answers for /checkpoint.
serve() {
	curl -s "$URL/checkpoint" >plain.cp
	if [ $# -eq 0 ]; then cp plain.cp served.cp
	else "$COSIGN" "$@" <plain.cp >served.cp; fi
	chmod a+r served.cp
}
# front NAME FILE PORT [LOCATIONS]: an nginx answering /checkpoint with
# FILE (and LOCATIONS, nginx text) and every other route from the
# ledgerd on PORT; sets F to its URL.
front() {
	FRONT_FILE=$2; FRONT_PORT=$3; FRONT_EXTRA=${4:-}
	nginx_servers() {
		cat <<N
	server {
		listen 127.0.0.1:$1;
		location = /checkpoint {
			default_type text/plain;
			alias $T/$FRONT_FILE;
		}
		$FRONT_EXTRA
		location / {
			proxy_pass http://127.0.0.1:$FRONT_PORT;
		}
	}
N
	}
	if ! nginx_start "$1"; then
		not_ok "nginx $1 starts" "$(cat "$1.start" "$1.err" 2>/dev/null)"
		e2e_end
	fi
	F=http://127.0.0.1:$NPORT
}
serve w1.key w2.key
front witnessed served.cp "$PORT"
N=$F
SIZE=$(sed -n 2p served.cp)

# 1. ledger checkpoint: 2 of 3, a missing witness, a bad line, none.
out=$("$LEDGER" checkpoint --server "$N" --policy p23.policy 2>&1); rc=$?
case "$rc:$out" in "0:example.org/policy: size $SIZE, root "*": checkpoint signed by example.org/policy and cosigned by w1, w2 (policy p23.policy: quorum g needs 2 of {w1, w2, w3})") ok "2-of-3 accepts a checkpoint cosigned by w1 and w2, and says so" ;;
*) not_ok "2-of-3 accepts a checkpoint cosigned by w1 and w2" "$rc $out" ;; esac
out=$("$LEDGER" checkpoint --server "$N" --policy p13.policy 2>&1); rc=$?
case "$rc:$out" in 1:*"does not satisfy p13.policy: quorum g13 needs all of {w1, w3}; cosigned by w1; missing w3"*) ok "a policy naming w3, which did not cosign, refuses it with the names (exit 1)" ;;
*) not_ok "a policy naming w3 refuses it with the names" "$rc $out" ;; esac
expect_eq "the JSON names the policy, quorum and cosigners" "$("$LEDGER" checkpoint --server "$N" --policy p23.policy --json | jq -c '[.size, .trust.policy, .trust.quorum, .trust.quorum_met, .trust.cosigned_by]')" "[$SIZE,\"p23.policy\",\"g\",true,[\"w1\",\"w2\"]]"
expect_rc "--vkey that is the policy's log key: accepted" 0 "$LEDGER" checkpoint --server "$N" --policy p23.policy --vkey "$VKEY"
"$LEDGER" keygen --id other --out other.key >other.vkey
out=$("$LEDGER" checkpoint --server "$N" --policy p23.policy --vkey "$(cat other.vkey)" 2>&1); rc=$?
case "$rc:$out" in 2:*"is not a log of p23.policy"*) ok "--vkey that is not the policy's log key: usage error (exit 2)" ;;
*) not_ok "--vkey that is not the policy's log key: usage error" "$rc $out" ;; esac
serve w1.key w2.key w3.key --bad
out=$("$LEDGER" checkpoint --server "$N" --policy p23.policy 2>&1); rc=$?
case "$rc:$out" in 1:*"cosignature of witness w3"*"does not verify"*) ok "a bad cosignature line of a listed witness refuses the checkpoint, though 2 good ones remain (exit 1)" ;;
*) not_ok "a bad cosignature line of a listed witness refuses the checkpoint" "$rc $out" ;; esac
serve w1.key w2.key w4.key --bad
expect_rc "a bad line of a key the policy does not list is ignored" 0 "$LEDGER" checkpoint --server "$N" --policy p23.policy
NOW=$(date +%s)
serve --time 0 w1.key --time "$NOW" w2.key w3.key
out=$("$LEDGER" checkpoint --server "$N" --policy p23.policy 2>&1); rc=$?
case "$rc:$out" in 0:*"cosigned by w2, w3 ("*) ok "a zero-timestamp cosignature is not counted (w2, w3 meet the quorum)" ;;
*) not_ok "a zero-timestamp cosignature is not counted" "$rc $out" ;; esac
serve --time 0 w2.key --time "$NOW" w1.key
out=$("$LEDGER" checkpoint --server "$N" --policy p23.policy 2>&1); rc=$?
case "$rc:$out" in 1:*"cosigned by w1; missing w2 (timestamp 0, not counted), w3"*) ok "... and alone it leaves the quorum unmet, named" ;;
*) not_ok "... and alone it leaves the quorum unmet" "$rc $out" ;; esac
serve
out=$("$LEDGER" checkpoint --server "$N" --policy none.policy 2>&1); rc=$?
case "$rc:$out" in "0:"*"checkpoint signed by example.org/policy (policy none.policy: quorum none: no cosignature needed)") ok "quorum none accepts the log signature alone" ;;
*) not_ok "quorum none accepts the log signature alone" "$rc $out" ;; esac
out=$("$LEDGER" checkpoint --server "$N" --policy p23.policy 2>&1); rc=$?
case "$rc:$out" in 1:*"cosigned by none; missing w1, w2, w3"*) ok "2-of-3 refuses the log signature alone" ;;
*) not_ok "2-of-3 refuses the log signature alone" "$rc $out" ;; esac

# Usage errors: exit 2, the file and the line named.
out=$("$LEDGER" checkpoint --server "$N" --policy nosuch.policy 2>&1); rc=$?
case "$rc:$out" in 2:*"--policy: nosuch.policy"*) ok "a missing policy file: exit 2, named" ;; *) not_ok "a missing policy file: exit 2" "$rc $out" ;; esac
printf 'log %s\nquorum g\n' "$VKEY" >bad.policy
out=$("$LEDGER" verify --policy bad.policy r3.tlog-proof 2>&1); rc=$?
case "$rc:$out" in 2:*"bad.policy"*"line 2"*) ok "a bad policy file: exit 2, with its line" ;; *) not_ok "a bad policy file: exit 2, with its line" "$rc $out" ;; esac
expect_rc "verify with neither --vkey nor --policy: exit 2" 2 "$LEDGER" verify r3.tlog-proof
expect_rc "receipt --refresh without files: exit 2" 2 "$LEDGER" receipt --refresh --server "$N" --policy p23.policy
expect_rc "ledger-audit sync with a bad policy: exit 2" 2 "$AUDIT" sync --log "$N" --policy bad.policy --state sync0
expect_rc "ledger-audit sync with neither --vkey nor --policy: exit 2" 2 "$AUDIT" sync --log "$N" --state sync0

# 2. --state and --since under a policy: the stored checkpoint must meet
# it too.
expect_rc "checkpoint --state with the key alone" 0 "$LEDGER" checkpoint --server "$N" --vkey "$VKEY" --state keystate
serve w1.key w2.key
out=$("$LEDGER" checkpoint --server "$N" --policy p23.policy --state keystate 2>&1); rc=$?
case "$rc:$out" in 1:*"the state's checkpoint"*"does not satisfy p23.policy"*"use another --state DIR"*) ok "a state checkpoint that is not cosigned is refused under the policy" ;;
*) not_ok "a state checkpoint that is not cosigned is refused under the policy" "$rc $out" ;; esac
expect_rc "checkpoint --state under the policy" 0 "$LEDGER" checkpoint --server "$N" --policy p23.policy --state polstate
expect_eq "the state keeps the cosigned checkpoint" "$(grep -c 'witness.example/w' polstate/checkpoint)" 2
out=$("$LEDGER" checkpoint --server "$N" --policy p23.policy --since plain.cp 2>&1); rc=$?
case "$rc:$out" in 1:*"plain.cp: the checkpoint of size"*"does not satisfy"*) ok "--since a checkpoint that is not cosigned: refused under the policy" ;;
*) not_ok "--since a checkpoint that is not cosigned: refused" "$rc $out" ;; esac

# 3. ledger verify: commit-time receipts are not cosigned; --refresh
# moves them onto the cosigned checkpoint.
out=$("$LEDGER" verify --policy p23.policy r1.jsonl r3.tlog-proof 2>&1); rc=$?
case "$rc:$out" in 1:*"r1.jsonl:1: FAILED: quorum-not-met: "*"missing w1, w2, w3"*"0 verified, 13 failed"*) ok "commit-time receipts fail verify --policy, naming the missing witnesses" ;;
*) not_ok "commit-time receipts fail verify --policy" "$rc $out" ;; esac
expect_rc "... and pass under quorum none" 0 "$LEDGER" verify --policy none.policy r1.jsonl r3.tlog-proof
cp r1.jsonl r1.orig
out=$("$LEDGER" receipt --refresh r1.jsonl r3.tlog-proof --server "$N" --policy p23.policy 2>&1); rc=$?
case "$rc:$out" in "0:"*"r1.jsonl:1: refreshed: checkpoint size "*" -> $SIZE"*"r1.jsonl: written (12 receipts refreshed)"*"13 refreshed, 0 already current, 0 not refreshed; onto the checkpoint of size $SIZE signed by example.org/policy and cosigned by w1, w2 (policy p23.policy: quorum g needs 2 of {w1, w2, w3})") ok "receipt --refresh refreshes all 13 and says onto what" ;;
*) not_ok "receipt --refresh refreshes all 13" "$rc $out" ;; esac
out=$("$LEDGER" verify --policy p23.policy r1.jsonl r3.tlog-proof 2>&1); rc=$?
case "$rc:$out" in 0:*"r1.jsonl:1: OK in example.org/policy at size $SIZE (index and leaf_hash match); checkpoint signed by example.org/policy and cosigned by w1, w2 (policy p23.policy: quorum g needs 2 of {w1, w2, w3}): index"*"its cosignatures under policy p23.policy (quorum g needs 2 of {w1, w2, w3})"*"13 verified, 0 failed") ok "the refreshed receipts verify offline under the policy, saying by whom" ;;
*) not_ok "the refreshed receipts verify offline under the policy" "$rc $out" ;; esac
expect_rc "... and still with the log key alone" 0 "$LEDGER" verify --vkey "$VKEY" r1.jsonl r3.tlog-proof
expect_eq "the receipts lines keep their index and leaf_hash" "$(jq -c '[.line, .index, .leaf_hash]' r1.jsonl | sha256sum)" "$(jq -c '[.line, .index, .leaf_hash]' r1.orig | sha256sum)"
expect_eq "verify --json names the cosigners" "$("$LEDGER" verify --policy p23.policy --json r3.tlog-proof 2>/dev/null | jq -c '[.ok, .trust.cosigned_by]')" '[true,["w1","w2"]]'
out=$("$LEDGER" receipt --refresh r1.jsonl --server "$N" --policy p23.policy 2>&1); rc=$?
case "$rc:$out" in 0:*"12 already current"*) ok "a second refresh finds them current" ;; *) not_ok "a second refresh finds them current" "$rc $out" ;; esac
serve w1.key
cp r1.orig r1b.jsonl
out=$("$LEDGER" receipt --refresh r1b.jsonl --server "$N" --policy p23.policy 2>&1); rc=$?
case "$rc:$out" in 1:*"nothing refreshed"*"missing w2, w3"*) ok "refresh refuses a server checkpoint below the quorum (exit 1)" ;;
*) not_ok "refresh refuses a server checkpoint below the quorum" "$rc $out" ;; esac
expect_eq "... and leaves the file unchanged" "$(cmp r1b.jsonl r1.orig && echo same)" same
serve w1.key w2.key

# 4. ledger totals and ledger account: the answer's checkpoint is the
# log's newest, not cosigned; it is proved a prefix of the cosigned one.
curl -s -H 'Accept: application/json' "$URL/v1/totals" >old-totals.json
chmod a+r old-totals.json
OLDSIZE=$(sed -n 2p plain.cp)
credits 3 3 2024-07-02 b >c2.jsonl
check "3 more credits (the served cosigned checkpoint is now older)" "$LEDGER" submit --server "$URL" --key city.key c2.jsonl
out=$("$LEDGER" totals --server "$N" --policy p23.policy 2>&1); rc=$?
case "$rc:$out" in 1:*"newest cosigned checkpoint (size $SIZE) does not cover it yet"*) ok "totals: a cosigned checkpoint older than the answer's: not verified (exit 1)" ;;
*) not_ok "totals: a cosigned checkpoint older than the answer's: not verified" "$rc $out" ;; esac
serve w1.key w2.key
SIZE2=$(sed -n 2p served.cp)
out=$("$LEDGER" totals --server "$N" --policy p23.policy 2>&1); rc=$?
case "$rc:$out" in 0:*"checkpoint signed by example.org/policy, the same tree (same size and root) as the checkpoint signed by example.org/policy and cosigned by w1, w2"*"not proved here: that the counters add up; an auditor's replay of the log recomputes them") ok "totals under 2-of-3: proved against the cosigned checkpoint, counters not replayed" ;;
*) not_ok "totals under 2-of-3" "$rc $out" ;; esac
# An older answer (a cache) in front of the newer cosigned checkpoint.
front oldtotals served.cp "$PORT" "location = /v1/totals { default_type application/json; alias $T/old-totals.json; }"
out=$("$LEDGER" totals --server "$F" --policy p23.policy 2>&1); rc=$?
case "$rc:$out" in 0:*"at size $OLDSIZE (inclusion proof verified against the checkpoint signed by example.org/policy, a prefix (consistency proof verified) of the checkpoint of size $SIZE2 signed by example.org/policy and cosigned by w1, w2"*) ok "totals: an older answer is proved a prefix of the cosigned checkpoint" ;;
*) not_ok "totals: an older answer is proved a prefix of the cosigned checkpoint" "$rc $out" ;; esac
out=$("$LEDGER" totals --server "$N" --policy aud.policy 2>&1); rc=$?
case "$rc:$out" in 1:*"cosigned by w1, w2; missing w3, ngo"*) ok "totals under a policy requiring the auditor: refused without its cosignature" ;;
*) not_ok "totals under a policy requiring the auditor: refused without it" "$rc $out" ;; esac
serve w1.key w3.key aud.key
out=$("$LEDGER" totals --server "$N" --policy aud.policy 2>&1); rc=$?
case "$rc:$out" in 0:*"replayed: the counters were replayed by ngo (audit.ngo.example/replayed) at size $SIZE2"*) ok "totals under the auditor's policy: replayed by ngo at that size" ;;
*) not_ok "totals: replayed by ngo" "$rc $out" ;; esac
expect_eq "totals --json: replayed_by and the size" "$("$LEDGER" totals --server "$N" --policy aud.policy --json | jq -c '[.replayed_by, .replayed_at_size, .trust.cosigned_by]')" "[\"ngo (audit.ngo.example/replayed)\",$SIZE2,[\"w1\",\"w3\",\"ngo\"]]"
out=$("$LEDGER" totals --server "$N" --policy aud.policy --issuer city 2>&1); rc=$?
case "$rc:$out" in 0:*"city: credited 1200 g"*"replayed by ngo"*) ok "issuer totals under the auditor's policy" ;;
*) not_ok "issuer totals under the auditor's policy" "$rc $out" ;; esac
out=$("$LEDGER" account --server "$N" --policy aud.policy --issuer city u-1 2>&1); rc=$?
case "$rc:$out" in 0:*"balance 400 g"*"cosigned by w1, w3, ngo (policy aud.policy: quorum g-and-ngo needs all of {g (2 of {w1, w2, w3}), ngo})"*"replayed: the counters were replayed by ngo (audit.ngo.example/replayed) at size $SIZE2"*) ok "account under the auditor's policy: verified against the cosigned checkpoint, replayed by ngo" ;;
*) not_ok "account under the auditor's policy" "$rc $out" ;; esac
out=$("$LEDGER" account --server "$N" --policy p23.policy --issuer city u-1 2>&1); rc=$?
case "$rc:$out" in 0:*"cosigned by w1, w3"*"not verified here: that each credit obeys its methodology"*) ok "account under 2-of-3 (the auditor not in the policy): rules not replayed" ;;
*) not_ok "account under 2-of-3: rules not replayed" "$rc $out" ;; esac
expect_rc "account --state under the policy" 0 "$LEDGER" account --server "$N" --policy aud.policy --issuer city --state acstate u-1
expect_eq "... keeps the cosigned checkpoint" "$(grep -c 'audit.ngo.example/replayed' acstate/checkpoint)" 1
serve w1.key w2.key
out=$("$LEDGER" account --server "$N" --policy p13.policy --issuer city u-1 2>&1); rc=$?
case "$rc:$out" in 1:*"FAILED: "*"missing w3"*) ok "account under a policy the cosigned checkpoint misses: refused, naming w3 (exit 1)" ;;
*) not_ok "account under a policy the cosigned checkpoint misses: refused" "$rc $out" ;; esac

# 5. ledger-audit sync --policy.
out=$("$AUDIT" sync --log "$N" --policy p13.policy --state sync1 2>&1); rc=$?
case "$rc:$out" in 1:*"does not satisfy p13.policy"*"missing w3"*) ok "sync --policy refuses a checkpoint below the quorum (exit 1)" ;;
*) not_ok "sync --policy refuses a checkpoint below the quorum" "$rc $out" ;; esac
expect_eq "... and keeps no checkpoint" "$(ls sync1/checkpoint 2>/dev/null)" ""
out=$("$AUDIT" sync --log "$N" --policy p23.policy --state sync2 2>&1); rc=$?
case "$rc:$out" in "0:verified $SIZE2 entries ($SIZE2 new)"*"0 findings (0 new); checkpoint of size $SIZE2 signed by example.org/policy and cosigned by w1, w2 (policy p23.policy: quorum g needs 2 of {w1, w2, w3})") ok "sync --policy verifies and says by whom" ;;
*) not_ok "sync --policy verifies and says by whom" "$rc $out" ;; esac
expect_eq "sync --json names the cosigners" "$("$AUDIT" sync --log "$N" --policy p23.policy --state sync2 --json | jq -c '[.ok, .size, .trust.cosigned_by]')" "[true,$SIZE2,[\"w1\",\"w2\"]]"
expect_rc "sync with a --vkey not the policy's: usage error" 2 "$AUDIT" sync --log "$N" --policy p23.policy --vkey "$(cat other.vkey)" --state sync3

# 6. A forked log: refresh proves the cosigned checkpoint inconsistent
# with the receipt's and leaves the receipt unchanged.
stop_server
cp -a "$L" "$T/copy"
start_server "$L" || { not_ok "ledgerd restarts"; e2e_end; }
URL1=$URL; PORT1=$PORT
start_server "$T/copy" || { not_ok "the copy starts"; e2e_end; }
URL2=$URL; PORT2=$PORT
credits 2 2 2024-07-03 orig >c3.jsonl
credits 5 5 2024-07-03 copy >c4.jsonl
check "2 credits into the original, with receipts" "$LEDGER" submit --server "$URL1" --key city.key --receipts r3.jsonl c3.jsonl
check "5 other credits into the copy" "$LEDGER" submit --server "$URL2" --key city.key c4.jsonl
curl -s "$URL2/checkpoint" | "$COSIGN" w1.key w2.key >forked.cp
chmod a+r forked.cp
front forked forked.cp "$PORT2"
FORKED=$F
cp r3.jsonl r3.orig
out=$("$LEDGER" receipt --refresh r3.jsonl --server "$FORKED" --policy p23.policy 2>&1); rc=$?
case "$rc:$out" in 1:*"r3.jsonl:1: NOT REFRESHED: fork: "*"not consistent"*"0 refreshed, 0 already current, 2 not refreshed"*) ok "refresh refuses a cosigned checkpoint of a forked log (exit 1)" ;;
*) not_ok "refresh refuses a cosigned checkpoint of a forked log" "$rc $out" ;; esac
expect_eq "... and the receipts are unchanged" "$(cmp r3.jsonl r3.orig && echo same)" same
curl -s "$URL1/checkpoint" | "$COSIGN" w1.key w2.key >orig.cp
chmod a+r orig.cp
front original orig.cp "$PORT1"
out=$("$LEDGER" receipt --refresh r3.jsonl --server "$F" --policy p23.policy 2>&1); rc=$?
case "$rc:$out" in 0:*"2 refreshed"*) ok "the original's cosigned checkpoint refreshes them" ;;
*) not_ok "the original's cosigned checkpoint refreshes them" "$rc $out" ;; esac
expect_rc "... and they verify under the policy" 0 "$LEDGER" verify --policy p23.policy r3.jsonl
# The fork's answers (pages, receipts) in front of the original's larger
# cosigned checkpoint: the answer's checkpoint is not proved a prefix of
# the cosigned one, so nothing is verified.
credits 6 6 2024-07-04 orig2 >c5.jsonl
check "6 more credits into the original (now larger than the copy)" "$LEDGER" submit --server "$URL1" --key city.key c5.jsonl
curl -s "$URL1/checkpoint" | "$COSIGN" w1.key w2.key >orig2.cp
chmod a+r orig2.cp
front mixed orig2.cp "$PORT2"
out=$("$LEDGER" totals --server "$F" --policy p23.policy 2>&1); rc=$?
case "$rc:$out" in 1:*FAILED*) ok "totals: the fork's receipt is not covered by the original's cosigned checkpoint (exit 1)" ;;
*) not_ok "totals: the fork's receipt is not covered by the original's cosigned checkpoint" "$rc $out" ;; esac
out=$("$LEDGER" account --server "$F" --policy p23.policy --issuer city u-1 2>&1); rc=$?
case "$rc:$out" in 1:*FAILED*) ok "account: the fork's pages are not covered either (exit 1)" ;;
*) not_ok "account: the fork's pages are not covered either" "$rc $out" ;; esac

e2e_end
