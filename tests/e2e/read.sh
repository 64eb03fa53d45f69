#!/bin/sh
# read.sh - the read path end to end: checkpoint, tiles, entry bundles,
# proofs, entries, receipts, lookups, accounts, totals, registries,
# strict query parsing, an independent Go verifier (golang.org/x/mod
# sumdb/tlog + note), and the static export served by nginx.
. tests/e2e/lib.sh
e2e_begin read

D=$T/log
# With the optional index of leaf hashes (lookups by leaf hash below).
"$LEDGERD" init --data "$D" --origin example.org/read --leaf-hash-index \
    >"$D.vkey" 2>/dev/null || { not_ok init; e2e_end; }
VKEY=$(cat "$D.vkey")
TOKEN=$D/admin.token
start_server "$D" --export-dir "$T/live-export" || { not_ok "server"; e2e_end; }
cd "$T"
"$LEDGER" keygen --id city --out city.key >city.vkey
cat >bus.json <<'J'
{"id":"transit.bus.v1","activity":"public transport ride","unit":"ride","grams_per_unit":80,"max_grams_per_event":80,"max_grams_per_account_day":400,"valid_from":"2024-01-01","max_event_age_days":36500,"reference":"test"}
J
"$LEDGER" admin add-issuer --server "$URL" --token-file "$TOKEN" --vkey "$(cat city.vkey)" --name City >/dev/null
"$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" bus.json >/dev/null
{ credits 300 60 2024-07-01 a; credits 300 60 2024-07-02 b; credits 70 60 2024-07-03 c; } >credits.jsonl
check "submit 670 credits" "$LEDGER" submit --server "$URL" --key city.key --batch 200 --receipts r.jsonl credits.jsonl
SIZE=$(curl -s "$URL/checkpoint" | sed -n 2p)
expect_eq "size: 2 registrations + 4 batch leaves + 670 credits" "$SIZE" 676

J='Accept: application/json'
hdr=$(curl -s -D - -o cp.txt "$URL/checkpoint" | tr -d '\r')
case "$hdr" in *"Cache-Control: no-store"*"Access-Control-Allow-Origin: *"*|*"Access-Control-Allow-Origin: *"*"Cache-Control: no-store"*) ok "checkpoint: no-store and CORS" ;; *) not_ok "checkpoint: no-store and CORS" "$hdr" ;; esac
expect_eq "checkpoint has three body lines then a signature" "$(sed -n 1p cp.txt)|$(sed -n 4p cp.txt)|$(sed -n 5p cp.txt | cut -d" " -f1,2)" "example.org/read||— example.org/read"
check "ledger checkpoint verifies it" "$LEDGER" checkpoint --server "$URL" --vkey "$VKEY"

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# The route table answers 405 for a known path and another method, with
# the route's methods in Allow; an unknown path is 404.
expect_eq "POST /checkpoint is 405 with Allow: GET, HEAD" "$(curl -s -D - -o /dev/null -X POST "$URL/checkpoint" | tr -d '\r' | sed -n 's/^Allow: //p') $(code -X POST "$URL/checkpoint")" "GET, HEAD 405"
expect_eq "GET /v1/submit is 405 with Allow: POST" "$(curl -s -D - -o /dev/null "$URL/v1/submit" | tr -d '\r' | sed -n 's/^Allow: //p') $(curl -s "$URL/v1/submit" | jq -r '.error + " " + .rule')" "POST method-not-allowed method"
expect_eq "POST on a read prefix (/tile/0/000) is 405" "$(code -X POST "$URL/tile/0/000")" 405
expect_eq "an unknown path is 404 (route)" "$(code "$URL/v1/nope") $(curl -s "$URL/v1/nope" | jq -r .rule)" "404 route"
expect_eq "full level-0 tile is 8192 bytes" "$(curl -s "$URL/tile/0/001" | wc -c)" 8192
expect_eq "partial level-0 tile of width 164" "$(curl -s "$URL/tile/0/002.p/164" | wc -c)" 5248
expect_eq "level-1 partial tile of width 2" "$(curl -s "$URL/tile/1/000.p/2" | wc -c)" 64
expect_eq "partial of an older size is served" "$(code "$URL/tile/0/002.p/100")" 200
hdr=$(curl -s -D - -o /dev/null "$URL/tile/0/000" | tr -d '\r')
case "$hdr" in *"Cache-Control: public, max-age=31536000, immutable"*) ok "tiles are immutable" ;; *) not_ok "tiles are immutable" "$hdr" ;; esac
expect_eq "a tile beyond the tree is 404" "$(code "$URL/tile/0/003")" 404
# The route table's cache policy is for 200s: an error is not immutable.
hdr=$(curl -s -D - -o /dev/null "$URL/tile/0/003" | tr -d '\r')
case "$hdr" in *"Cache-Control"*) not_ok "a 404 tile carries no Cache-Control" "$hdr" ;; *) ok "a 404 tile carries no Cache-Control" ;; esac
hdr=$(curl -s -D - -o /dev/null "$URL/v1/receipt/10" | tr -d '\r')
case "$hdr" in *"HTTP/1.1 200"*"Cache-Control: no-store"*) ok "a receipt is no-store" ;; *) not_ok "a receipt is no-store" "$hdr" ;; esac
expect_eq "a partial wider than the tree is 404" "$(code "$URL/tile/0/002.p/165")" 404
expect_eq "a level beyond the tree is 404" "$(code "$URL/tile/2/000.p/1")" 404
for p in tile/0/3 tile/0/0003 tile/00/000 tile/0/000.p/0 tile/0/000.p/256 tile/0/x000/001 tile/x/000 tile/0/000.p/07 tile/entries/1; do
	expect_eq "malformed /$p is 400" "$(code "$URL/$p")" 400
done
# Entry bundles: length-prefixed leaves whose hashes are the tile's.
curl -s "$URL/tile/entries/000" >b0
curl -s "$URL/tile/0/000" >t0
first_len=$(od -An -tu1 -N2 b0 | awk '{print $1*256+$2}')
h=$(tail -c +3 b0 | head -c "$first_len" | { printf '\000'; cat; } | sha256sum | cut -d' ' -f1)
expect_eq "the first bundled entry hashes to the first tile hash" "$h" "$(head -c 32 t0 | od -An -tx1 | tr -d ' \n')"

# Proofs and bad queries.
p=$(curl -s -H "$J" "$URL/v1/proof/inclusion?index=100&size=676")
expect_eq "inclusion proof has ceil(log2 676) hashes" "$(printf '%s\n' "$p" | jq '.proof|length')" 10
expect_eq "size defaults to the checkpoint" "$(curl -s -H "$J" "$URL/v1/proof/inclusion?index=100" | jq .size)" 676
expect_eq "consistency proof 300 -> 676" "$(curl -s -H "$J" "$URL/v1/proof/consistency?old=300&new=676" | jq '.proof|length')" 9
for q in "index=abc" "index=-1" "index=99999999999999999999" "index=5x" "index=676" "index=5&size=0" "index=5&bogus=1" "index=5&index=6" "" "index=05"; do
	expect_eq "inclusion ?$q is 400" "$(code "$URL/v1/proof/inclusion?$q")" 400
done
expect_eq "inclusion at a size beyond the tree is 404" "$(code "$URL/v1/proof/inclusion?index=1&size=677")" 404
for q in "old=10&new=5" "old=x&new=5" "old=1" "old=1&new=2&x=3"; do
	expect_eq "consistency ?$q is 400" "$(code "$URL/v1/proof/consistency?$q")" 400
done
expect_eq "consistency beyond the tree is 404" "$(code "$URL/v1/proof/consistency?old=1&new=1000")" 404

# Entries, receipts, lookups.
e=$(curl -s -H "$J" "$URL/v1/entries/10")
expect_eq "entry 10 decodes with its counters" "$(printf '%s\n' "$e" | jq -r '.entry.kind, .entry.entry.grams, (.entry.totals.credited_grams > 0)' | tr '\n' ' ')" "credit 80 true "
expect_eq "entry leaf hash matches its base64 leaf" "$(printf '%s\n' "$e" | jq -r .leaf | base64 -d | { printf '\000'; cat; } | sha256sum | cut -d' ' -f1)" "$(printf '%s\n' "$e" | jq -r .leaf_hash)"
expect_eq "an entry beyond the tree is 404" "$(code "$URL/v1/entries/676")" 404
expect_eq "a malformed entry index is 400" "$(code "$URL/v1/entries/1e3")" 400
curl -s "$URL/v1/receipt/10" >r10.tlog-proof
check "GET /v1/receipt verifies offline" "$LEDGER" verify --vkey "$VKEY" r10.tlog-proof
dk=$(sed -n 5p credits.jsonl | jq -r .dedup)
idx5=$(sed -n 5p r.jsonl | jq .index)
expect_eq "lookup by dedup key" "$(curl -s -H "$J" "$URL/v1/lookup?dedup=$dk" | jq .index)" "$idx5"
lh=$(sed -n 5p r.jsonl | jq -r .leaf_hash)
expect_eq "lookup by leaf hash" "$(curl -s -H "$J" "$URL/v1/lookup?leaf_hash=$lh" | jq .index)" "$idx5"
expect_eq "lookup of an unknown key is 404" "$(code "$URL/v1/lookup?dedup=$(dedup nothing)")" 404
expect_eq "lookup with a short key is 400" "$(code "$URL/v1/lookup?dedup=abcd")" 400

# Accounts: pages newest first, a chain with no gaps, the balance.
n=0; cursor=""; prev_ok=1; last_prev=""
while :; do
	page=$(curl -s -H "$J" "$URL/v1/accounts/city/u-7?limit=4$cursor")
	for i in $(printf '%s\n' "$page" | jq -r '.entries[] | "\(.index):\(.entry.account.prev)"'); do
		idx=${i%%:*}; pv=${i#*:}
		[ -n "$last_prev" ] && [ "$last_prev" != "$idx" ] && prev_ok=0
		last_prev=$pv
		n=$((n + 1))
	done
	next=$(printf '%s\n' "$page" | jq -r .next_cursor)
	[ "$next" = null ] && break
	cursor="&cursor=$next"
done
expect_eq "account u-7 has 12 entries over the pages" "$n" 12
expect_eq "each entry's prev is the next one listed (no gaps)" "$prev_ok" 1
expect_eq "the chain ends at null" "$last_prev" null
expect_eq "account balance" "$(curl -s -H "$J" "$URL/v1/accounts/city/u-7" | jq .balance_grams)" 960
expect_eq "an unknown account is 404" "$(code "$URL/v1/accounts/city/u-nobody")" 404

out=$("$LEDGER" account --server "$URL" --vkey "$VKEY" --issuer city --json u-7)
expect_eq "ledger account: verified chain, recomputed balance" "$(printf '%s\n' "$out" | jq -c '[.verified, .balance_grams, (.entries|length)]')" "[true,960,12]"
expect_rc "ledger account of an unknown account exits 1" 1 "$LEDGER" account --server "$URL" --vkey "$VKEY" --issuer city u-nobody
expect_rc "ledger account with another log's key exits 1" 1 "$LEDGER" account --server "$URL" --vkey "$(cat city.vkey)" --issuer city u-7
expect_eq "ledger totals, verified" "$("$LEDGER" totals --server "$URL" --vkey "$VKEY" --json | jq -c '[.verified, .credited_grams, .entries.credit]')" "[true,53600,670]"
expect_eq "ledger totals --issuer, verified" "$("$LEDGER" totals --server "$URL" --vkey "$VKEY" --issuer city --json | jq -c '[.verified, .credited_grams]')" "[true,53600]"
t=$(curl -s -H "$J" "$URL/v1/totals")
expect_eq "totals: credited grams" "$(printf '%s\n' "$t" | jq .totals.credited_grams)" 53600
printf '%s\n' "$t" | jq -j .receipt >totals.tlog-proof
check "the totals' receipt verifies" "$LEDGER" verify --vkey "$VKEY" totals.tlog-proof
expect_eq "issuer totals" "$(curl -s -H "$J" "$URL/v1/issuers/city" | jq .credited_grams)" 53600
expect_eq "registries list the method with its index" "$(curl -s -H "$J" "$URL/v1/methods" | jq -c '.methods[0] | [.id, .index]')" '["transit.bus.v1",1]'
expect_eq "registries list the issuer with its vkey" "$(curl -s -H "$J" "$URL/v1/issuers" | jq -r '.issuers[0].vkey')" "$(cat city.vkey)"
expect_eq "healthz" "$(curl -s "$URL/healthz")" "ok 676"
case "$(curl -s "$URL/metrics")" in *"ledger_tree_size 676"*ledger_commit_seconds_bucket*) ok "metrics in Prometheus format" ;; *) not_ok "metrics in Prometheus format" ;; esac
curl -s "$URL/metrics" >metrics.txt
m() { sed -n "s/^$1 //p" metrics.txt; }
expect_eq "metrics: every commit is in the latency histogram (+Inf = count = commits)" \
    "$(m 'ledger_commit_seconds_bucket{le="+Inf"}') $(m ledger_commit_seconds_count)" "$(m ledger_commits_total) $(m ledger_commits_total)"
expect_eq "metrics: and in the group-size histogram, whose sum is the leaves committed" \
    "$(m 'ledger_commit_leaves_bucket{le="+Inf"}') $(m ledger_commit_leaves_sum)" "$(m ledger_commits_total) $(m ledger_commit_entries_total)"
awk -v c="$(m ledger_commits_total)" '$1 == "ledger_commit_seconds_sum" { ok = $2 > 0 && $2 < c * 10 } END { exit !ok }' metrics.txt &&
    ok "metrics: the commit seconds' sum is positive and plausible" || not_ok "metrics: commit seconds sum" "$(grep commit_seconds_sum metrics.txt)"
lb=$(m 'ledger_store_table_bytes{table="leaves"}')
[ "${lb:-0}" -ge $((676 * 100)) ] && ok "metrics: the leaves table holds at least 100 bytes per leaf ($lb)" || not_ok "metrics: leaves table bytes" "$lb"
expect_eq "metrics: a table_bytes line for each of 13 tables and the free pages" "$(grep -c '^ledger_store_table_bytes{' metrics.txt)" 14

# The independent Go check (Debian's golang-go + golang-golang-x-mod-dev).
if command -v go >/dev/null 2>&1 && [ -d /usr/share/gocode/src/golang.org/x/mod/sumdb/tlog ]; then
	export GOCACHE=$T/gocache GO111MODULE=off GOPATH=/usr/share/gocode
	if go build -o tlogcheck "$OLDPWD/tests/go/tlogcheck.go" 2>gobuild.err; then
		check "Go sumdb/tlog + note verify the live log" ./tlogcheck "$URL" "$VKEY"
	else
		not_ok "the Go verifier builds" "$(cat gobuild.err)"
	fi
else
	echo "# SKIP Go check: install golang-go golang-golang-x-mod-dev (make deps DEPS_EXTRA=...)"
fi

# Static export, served by nginx, verified by the same clients.
check "ledgerd export" "$LEDGERD" export --data "$D" --out "$T/export"
expect_eq "the export holds the checkpoint" "$(cat "$T/export/checkpoint")" "$(cat cp.txt)"
expect_eq "the live export is current too" "$(sed -n 2p "$T/live-export/checkpoint")" 676
expect_eq "stale partial tiles are gone once full" "$(ls "$T/live-export/tile/0" | grep -c '\.p$')" 1
if command -v nginx >/dev/null 2>&1; then
	# nginx_start returns once nginx has bound its port (daemon on),
	# retrying a port that is taken; serving in the background and
	# polling raced its bind and picked ports that could be in use.
	nginx_servers() {
		cat <<N
	server {
		listen 127.0.0.1:$1;
		root $T/export;
		location / { default_type application/octet-stream; add_header Cache-Control "public, max-age=31536000, immutable"; }
		location = /checkpoint { default_type text/plain; add_header Cache-Control no-store; }
	}
N
	}
	nginx_start export || not_ok "nginx starts" "$(cat export.start export.err 2>/dev/null)"
	expect_eq "nginx serves the exported checkpoint" "$(code "http://127.0.0.1:$NPORT/checkpoint")" 200
	expect_eq "nginx serves the same tiles" "$(curl -s "http://127.0.0.1:$NPORT/tile/0/001" | md5sum)" "$(curl -s "$URL/tile/0/001" | md5sum)"
	if [ -x ./tlogcheck ]; then
		check "Go sumdb/tlog verifies the nginx mirror" ./tlogcheck "http://127.0.0.1:$NPORT" "$VKEY"
	fi
else
	echo "# SKIP nginx: install nginx-light (make deps DEPS_EXTRA=nginx-light)"
fi
stop_server
e2e_end
