#!/bin/sh
# dishonest.sh - our clients against a dishonest server: nginx in front of
# a real ledgerd rewrites or replays answers. ledger account refuses
# another account's genuine chain and (with --state) an older chain;
# ledger checkpoint --state calls a consistent older checkpoint stale and
# an inconsistent one a fork ("the log shrank").
. tests/e2e/lib.sh
e2e_begin dishonest

if ! command -v nginx >/dev/null 2>&1; then
	echo "# SKIP: nginx is not installed (make deps installs nginx-light)"
	ok "skipped: no nginx"
	e2e_end
fi

L=$T/log
init_log "$L" example.org/dishonest || { not_ok init; e2e_end; }
start_server "$L" || { not_ok "ledgerd starts"; e2e_end; }
cd "$T"
"$LEDGER" keygen --id city --out city.key >city.vkey
cat >bus.json <<'J'
{"id":"transit.bus.v1","activity":"public transport ride","unit":"ride","grams_per_unit":80,"max_grams_per_event":80,"max_grams_per_account_day":400,"valid_from":"2024-01-01","max_event_age_days":36500,"reference":"test"}
J
"$LEDGER" admin add-issuer --server "$URL" --token-file "$TOKEN" --vkey "$(cat city.vkey)" --name City >/dev/null
"$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" bus.json >/dev/null
credits 20 4 2024-07-01 a >c1.jsonl
check "submit 20 credits over 4 accounts" "$LEDGER" submit --server "$URL" --key city.key c1.jsonl
curl -s -H 'Accept: application/json' "$URL/v1/accounts/city/u-1?limit=1000" >old-u1.json
curl -s "$URL/checkpoint" >old-checkpoint
OLDSIZE=$(sed -n 2p old-checkpoint)
# nginx's workers run as another user: let them read the replayed files.
chmod a+rx "$T"
chmod a+r old-u1.json old-checkpoint

# nginx: /swap/ answers u-1's queries with u-2's genuine chain; /old/
# replays the first page of u-1 and the checkpoint saved above.
nginx_servers() {
	cat <<N
	server {
		listen 127.0.0.1:$1;
		location /swap/ {
			rewrite ^/swap/v1/accounts/city/u-1\$ /v1/accounts/city/u-2 break;
			rewrite ^/swap(/.*)\$ \$1 break;
			proxy_pass http://127.0.0.1:$PORT;
		}
		location = /old/v1/accounts/city/u-1 {
			default_type application/json;
			alias $T/old-u1.json;
		}
		location = /old/checkpoint {
			default_type text/plain;
			alias $T/old-checkpoint;
		}
		location /old/ {
			proxy_pass http://127.0.0.1:$PORT/;
		}
	}
N
}
if ! nginx_start liar; then
	not_ok "nginx starts" "$(cat liar.start liar.err 2>/dev/null)"
	e2e_end
fi
NGINX_PID=$(cat liar.pid)
N=http://127.0.0.1:$NPORT

# 1. Another account's genuine, fully proven chain.
check "through the honest path u-1 verifies" "$LEDGER" account --server "$N/old" --vkey "$VKEY" --issuer city u-2
out=$("$LEDGER" account --server "$N/swap" --vkey "$VKEY" --issuer city u-1 2>&1)
expect_eq "u-2's chain served for u-1 is refused: exit 1" "$?" 1
case "$out" in *"is not an entry of city account u-1"*"another account's records"*) ok "the refusal says whose entry it is" ;; *) not_ok "the refusal says whose entry it is" "$out" ;; esac
check "the same proxy serves u-2 honestly" "$LEDGER" account --server "$N/swap" --vkey "$VKEY" --issuer city u-2

# 2. Rollback: the state remembers the newest entry verified.
S=$T/user-state
check "account --state at the first size" "$LEDGER" account --server "$URL" --vkey "$VKEY" --issuer city --state "$S" u-1
credits 8 4 2024-07-02 b >c2.jsonl
check "8 more credits, 2 of them u-1's" "$LEDGER" submit --server "$URL" --key city.key c2.jsonl
out=$("$LEDGER" account --server "$URL" --vkey "$VKEY" --issuer city --state "$S" --json u-1)
expect_eq "account --state after growth: exit 0, 12 entries, state moves on" "$? $(printf '%s\n' "$out" | jq -c '[.verified, (.entries|length)]') $(jq .index "$S/accounts/city~u-1")" "0 [true,7] $(curl -s -H 'Accept: application/json' "$URL/v1/accounts/city/u-1" | jq .last)"
check "the old page alone still verifies without state (a single query cannot tell)" "$LEDGER" account --server "$N/old" --vkey "$VKEY" --issuer city u-1
out=$("$LEDGER" account --server "$N/old" --vkey "$VKEY" --issuer city --state "$S" u-1 2>&1)
expect_eq "the old page with --state: exit 1" "$?" 1
case "$out" in *"rollback: the server's newest entry of the account is"*"newer entries are hidden"*) ok "the refusal says rollback" ;; *) not_ok "the refusal says rollback" "$out" ;; esac
expect_eq "the state still holds the newest entry" "$(jq .index "$S/accounts/city~u-1")" "$(curl -s -H 'Accept: application/json' "$URL/v1/accounts/city/u-1" | jq .last)"
out=$("$LEDGER" account --server "$URL" --vkey "$VKEY" --issuer city --state "$S" u-1)
case "$out" in *"no rollback against the state directory"*"not verified here: that each credit obeys its methodology"*) ok "account says what it verified and what not" ;; *) not_ok "account says what it verified and what not" "$out" ;; esac
expect_eq "account --state also keeps the checkpoint" "$(sed -n 2p "$S/checkpoint")" "$(curl -s "$URL/checkpoint" | sed -n 2p)"

# 3. A consistent older checkpoint is stale; the state keeps the newer.
C=$T/cp-state
check "checkpoint --state at the current size" "$LEDGER" checkpoint --server "$URL" --vkey "$VKEY" --state "$C"
NEWSIZE=$(sed -n 2p "$C/checkpoint")
out=$("$LEDGER" checkpoint --server "$N/old" --vkey "$VKEY" --state "$C")
expect_eq "an older consistent checkpoint: exit 0" "$?" 0
case "$out" in *"stale: older than size $NEWSIZE seen before, and consistent with it"*) ok "it says stale" ;; *) not_ok "it says stale" "$out" ;; esac
expect_eq "the state keeps the newer checkpoint" "$(sed -n 2p "$C/checkpoint")" "$NEWSIZE"
expect_eq "stale in JSON" "$("$LEDGER" checkpoint --server "$N/old" --vkey "$VKEY" --state "$C" --json | jq -c '[.size, .stale]')" "[$OLDSIZE,true]"

# 4. Older checkpoints that are not stale. A copy of the data dir grown
# differently: its smaller checkpoint served in front of the original
# (which can give the proof from that size) is proven inconsistent,
# "the log shrank"; the copy itself cannot prove its checkpoint either
# way: unproven, not a fork, nothing kept as evidence.
stop_server
cp -a "$L" "$T/copy"
cp -a "$L" "$T/frozen"
start_server "$L" || { not_ok "ledgerd restarts"; e2e_end; }
URL1=$URL
start_server "$T/copy" || { not_ok "the copy starts"; e2e_end; }
URL2=$URL
start_server "$T/frozen" || { not_ok "the frozen copy starts"; e2e_end; }
URL3=$URL
credits 6 6 2024-07-03 orig >c3.jsonl
credits 3 3 2024-07-03 copy >c4.jsonl
check "6 credits into the original" "$LEDGER" submit --server "$URL1" --key city.key c3.jsonl
check "3 other credits into the copy" "$LEDGER" submit --server "$URL2" --key city.key c4.jsonl
curl -s "$URL2/checkpoint" >forked-checkpoint
chmod a+r forked-checkpoint
nginx_servers() {
	cat <<N
	server {
		listen 127.0.0.1:$1;
		location = /checkpoint {
			default_type text/plain;
			alias $T/forked-checkpoint;
		}
		location / {
			proxy_pass http://127.0.0.1:${URL1##*:};
		}
	}
N
}
nginx_start forked || not_ok "the second nginx starts" "$(cat forked.start forked.err 2>/dev/null)"
check "checkpoint --state sees the original" "$LEDGER" checkpoint --server "$URL1" --vkey "$VKEY" --state "$C"
out=$("$LEDGER" checkpoint --server "http://127.0.0.1:$NPORT" --vkey "$VKEY" --state "$C" 2>&1)
expect_eq "the copy's smaller checkpoint, proven against the original: exit 1" "$?" 1
case "$out" in *"the log shrank"*"not consistent"*) ok "it says the log shrank" ;; *) not_ok "it says the log shrank" "$out" ;; esac
expect_eq "the fork's checkpoint is kept as evidence" "$(ls "$C" | grep -c '^fork-')" 1
out=$("$LEDGER" checkpoint --server "$URL3" --vkey "$VKEY" --state "$C" 2>&1)
expect_eq "an honest copy that lags and cannot prove it: exit 1 (not verified)" "$?" 1
case "$out" in *"unproven"*"not evidence of a fork"*) ok "it says unproven, not shrank" ;; *) not_ok "it says unproven, not shrank" "$out" ;; esac
expect_eq "nothing more is kept as evidence" "$(ls "$C" | grep -c '^fork-')" 1
out=$("$LEDGER" checkpoint --server "$URL2" --vkey "$VKEY" --state "$C" 2>&1)
expect_eq "the copy itself (it cannot prove its checkpoint either way): unproven" "$? $(printf '%s\n' "$out" | grep -c unproven)" "1 1"

# 5. An account of several pages (1,000 entries a page at most) verifies
# across them, its balance compared with the newest page's.
cat >step.json <<'J'
{"id":"step.v1","activity":"walking","unit":"step","grams_per_unit":1,"max_grams_per_event":1,"max_grams_per_account_day":100000,"valid_from":"2024-01-01","max_event_age_days":36500,"reference":"test"}
J
"$LEDGER" admin add-method --server "$URL1" --token-file "$TOKEN" step.json >/dev/null
awk 'BEGIN { for (i = 0; i < 2100; i++) printf "{\"kind\":\"credit\",\"account\":\"walker\",\"method\":\"step.v1\",\"units\":1,\"grams\":1,\"time\":\"2024-07-04\",\"dedup\":\"%064x\"}\n", i + 1 }' >steps.jsonl
check "2,100 credits of 1 g into one account" "$LEDGER" submit --server "$URL1" --key city.key steps.jsonl
expect_eq "an account of three pages verifies: 2,100 entries, 2,100 g" "$("$LEDGER" account --server "$URL1" --vkey "$VKEY" --issuer city --json walker | jq -c '[.verified, (.entries|length), .balance_grams]')" "[true,2100,2100]"

kill "$NGINX_PID" 2>/dev/null
e2e_end
