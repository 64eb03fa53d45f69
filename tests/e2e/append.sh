#!/bin/sh
# append.sh - the durable append path end to end: init, registration,
# signed submissions, receipts, idempotent retries, conflicts, rules,
# atomic batches, restart.
. tests/e2e/lib.sh
e2e_begin append

D=$T/log
init_log "$D" example.org/carbon/2026 || { not_ok "init"; e2e_end; }
case "$VKEY" in
example.org/carbon/2026+[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]+A*) ok "init prints a signed-note vkey" ;;
*) not_ok "init prints a signed-note vkey" "$VKEY" ;;
esac
expect_eq "log key is mode 0600" "$(stat -c %a "$D/log.key")" 600
expect_eq "admin token is mode 0600" "$(stat -c %a "$D/admin.token")" 600
expect_eq "vkey prints the same key" "$("$LEDGERD" vkey --data "$D")" "$VKEY"
expect_rc "init twice is refused" 1 "$LEDGERD" init --data "$D" --origin x.org/y

chmod 644 "$D/log.key"
expect_rc "serve refuses a key readable by others" 1 "$LEDGERD" serve --data "$D" --listen 127.0.0.1:0
msg=$("$LEDGERD" serve --data "$D" --listen 127.0.0.1:0 2>&1)
case "$msg" in *"chmod 600"*) ok "the refusal says how to fix it" ;; *) not_ok "the refusal says how to fix it" "$msg" ;; esac
chmod 600 "$D/log.key"

start_server "$D" || { not_ok "server starts"; e2e_end; }
ok "server starts on a free loopback port"
out=$("$LEDGERD" serve --data "$D" --listen 127.0.0.1:0 2>&1); rc=$?
case "$rc:$out" in 1:*"already being served"*) ok "a second ledgerd on the same data dir is refused" ;; *) not_ok "a second ledgerd on the same data dir is refused" "$rc $out" ;; esac

cd "$T"
"$LEDGER" keygen --id luzhou --out luzhou.key >luzhou.vkey
expect_eq "issuer key is mode 0600" "$(stat -c %a luzhou.key)" 600
"$LEDGER" keygen --id bank --out bank.key >bank.vkey
cat >bus.json <<'J'
{"id":"transit.bus.v1","activity":"public transport ride","unit":"ride","grams_per_unit":80,"max_grams_per_event":80,"max_grams_per_account_day":400,"valid_from":"2024-01-01","max_event_age_days":36500,"reference":"Luzhou Green Bud Points programme, 2024"}
J
cat >plate.json <<'J'
{"id":"food.plate.v1","activity":"empty plate","unit":"meal","grams_per_unit":144,"max_grams_per_event":144,"max_grams_per_account_day":432,"valid_from":"2024-01-01","max_event_age_days":36500,"reference":"Luzhou Green Bud Points programme, 2024"}
J

expect_rc "admin without a token is refused" 1 sh -c "echo 00 > bad.token; '$LEDGER' admin add-issuer --server $URL --token-file bad.token --vkey '$(cat luzhou.vkey)' --name Luzhou"
check "register issuer luzhou" "$LEDGER" admin add-issuer --server "$URL" --token-file "$TOKEN" --vkey "$(cat luzhou.vkey)" --name "Luzhou Green Bud Points"
check "register issuer bank" "$LEDGER" admin add-issuer --server "$URL" --token-file "$TOKEN" --vkey "$(cat bank.vkey)" --name "A Bank"
# Weak issuer keys: the identity point (anyone can "sign" for it), a point
# of order 8, and y = p (not canonical); each with a correct key ID.
wvkey() {	# wvkey NAME HEX64: a vkey text for that public key
	raw=$({ printf '\001'; printf '%s' "$2" | tr a-f A-F | basenc --base16 -d; } | base64 -w0)
	id=$({ printf '%s\n\001' "$1"; printf '%s' "$2" | tr a-f A-F | basenc --base16 -d; } | sha256sum | cut -c1-8)
	printf '%s+%s+%s\n' "$1" "$id" "$raw"
}
size0=$(curl -s "$URL/checkpoint" | sed -n 2p)
for pub in 0100000000000000000000000000000000000000000000000000000000000000 \
    c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a \
    edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f; do
	out=$("$LEDGER" admin add-issuer --server "$URL" --token-file "$TOKEN" --vkey "$(wvkey weak "$pub")" --name Weak 2>&1); rc=$?
	case "$rc:$out" in 1:*"holds a weak Ed25519 public key"*) ok "ledgerd refuses to register weak key ${pub%"${pub#????????}"}..., saying why" ;;
	*) not_ok "ledgerd refuses weak key $pub" "$rc $out" ;; esac
done
expect_eq "... and appends nothing" "$(curl -s "$URL/checkpoint" | sed -n 2p)" "$size0"
expect_rc "a client refuses a weak log vkey" 2 "$LEDGER" totals --server "$URL" --vkey "$(wvkey weak 0100000000000000000000000000000000000000000000000000000000000000)"
check "register method bus" "$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" bus.json
check "register method plate" "$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" plate.json
out=$("$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" bus.json)
expect_eq "re-registering an identical method is idempotent" "$out" "already registered (identical) at index 2"
sed 's/"grams_per_unit":80/"grams_per_unit":90/' bus.json >bus2.json
expect_rc "a new factor under an old method id is refused" 1 "$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" bus2.json

# 1,200 credits over 3 days and 60 accounts (5 rides a day each at most).
{ credits 400 80 2024-07-01 a; credits 400 80 2024-07-02 b; credits 400 80 2024-07-03 c; } >credits.jsonl
check "submit 1,200 credits in batches of 250" "$LEDGER" submit --server "$URL" --key luzhou.key --batch 250 --receipts r1.jsonl credits.jsonl
expect_eq "one receipt per input line" "$(wc -l <r1.jsonl)" 1200
check "every receipt verifies offline" "$LEDGER" verify --vkey "$VKEY" r1.jsonl
size1=$(curl -s "$URL/checkpoint" | sed -n 2p)
expect_eq "checkpoint size: 4 registrations + 5 batch leaves + 1,200 credits" "$size1" 1209

out=$("$LEDGER" submit --server "$URL" --key luzhou.key --batch 300 --json --receipts r2.jsonl credits.jsonl)
expect_eq "resubmission appends nothing" "$(printf '%s\n' "$out" | jq -c '[.new,.duplicates]')" "[0,1200]"
expect_eq "duplicates get their original index and leaf" "$(jq -c '[.index,.leaf_hash]' r2.jsonl | sort | md5sum)" "$(jq -c '[.index,.leaf_hash]' r1.jsonl | sort | md5sum)"
expect_eq "duplicates are marked" "$(jq -r .duplicate r2.jsonl | sort -u)" true
expect_eq "checkpoint unchanged by the retry" "$(curl -s "$URL/checkpoint" | sed -n 2p)" "$size1"
lh=$(head -n 1 r1.jsonl | jq -r .leaf_hash)
expect_eq "no leaf-hash index unless init asked for one: 404 that says so" "$(curl -s -o lh.json -w '%{http_code}' -H 'Accept: application/json' "$URL/v1/lookup?leaf_hash=$lh") $(jq -r .message lh.json | cut -d'(' -f1)" "404 this log keeps no index of leaf hashes "
check "duplicate receipts verify" "$LEDGER" verify --vkey "$VKEY" r2.jsonl

# ledger verify compares a receipts line's own fields with its receipt.
out=$("$LEDGER" verify --vkey "$VKEY" r1.jsonl)
expect_eq "verify ends with the tally" "$(printf '%s\n' "$out" | tail -1)" "1200 verified, 0 failed"
expect_eq "... and says what it checked, with which key" "$(printf '%s\n' "$out" | tail -2 | head -1)" "checked: each receipt's checkpoint signature by $VKEY and its inclusion proof at the checkpoint's size"
expect_eq "--quiet prints only the tally when all pass" "$("$LEDGER" verify --quiet --vkey "$VKEY" r1.jsonl)" "1200 verified, 0 failed"
# One tampered field per line (lines 1..9 of r1.jsonl), line 10 intact.
L2=$(sed -n 2p r1.jsonl)
head -10 r1.jsonl | jq -c --argjson r2 "$L2" '
	if input_line_number == 1 then .index += 1
	elif input_line_number == 2 then .leaf_hash = ("0" * 64)
	elif input_line_number == 3 then .index = $r2.index | .leaf_hash = $r2.leaf_hash
	elif input_line_number == 4 then .duplicate = "no"
	elif input_line_number == 5 then .line = 0
	elif input_line_number == 6 then .batch = 7
	elif input_line_number == 7 then del(.leaf_hash)
	elif input_line_number == 8 then .receipt = ($r2.receipt)
	elif input_line_number == 9 then .leaf_hash = (.leaf_hash | ascii_upcase | .[0:63])
	else . end' >tampered.jsonl
out=$("$LEDGER" verify --vkey "$VKEY" tampered.jsonl); rc=$?
expect_eq "each tampered field fails its line (exit 1)" "$rc $(printf '%s\n' "$out" | tail -1)" "1 1 verified, 9 failed"
expect_eq "the failures name the field" "$(printf '%s\n' "$out" | grep FAILED | sed 's/: FAILED: \([^:]*\):.*/ \1/')" "tampered.jsonl:1 index
tampered.jsonl:2 leaf_hash
tampered.jsonl:3 index
tampered.jsonl:4 receipt-line
tampered.jsonl:5 receipt-line
tampered.jsonl:6 receipt-line
tampered.jsonl:7 receipt-line
tampered.jsonl:8 index
tampered.jsonl:9 receipt-line"
expect_eq "an unknown field is named" "$(printf '%s\n' "$out" | grep '^tampered.jsonl:6:')" 'tampered.jsonl:6: FAILED: receipt-line: not a receipts line: a field ledger submit does not write (this tool cannot check it): "batch"'
expect_eq "--quiet prints the failures and the tally" "$("$LEDGER" verify --quiet --vkey "$VKEY" tampered.jsonl | grep -vc FAILED) $("$LEDGER" verify --quiet --vkey "$VKEY" tampered.jsonl | wc -l)" "1 10"
expect_eq "--json: one object per receipt, the tally on stderr" "$("$LEDGER" verify --json --vkey "$VKEY" tampered.jsonl 2>tally.txt | jq -c '[.ok, .failed]' | sort | uniq -c | tr -s ' ') $(cat tally.txt)" " 3 [false,\"index\"]
 1 [false,\"leaf_hash\"]
 5 [false,\"receipt-line\"]
 1 [true,null] 1 verified, 9 failed"

# A conflicting dedup key: same key, a different entry.
head -1 credits.jsonl | sed 's/"u-0"/"u-9999"/' >conflict.jsonl
out=$("$LEDGER" submit --server "$URL" --key luzhou.key conflict.jsonl 2>&1); rc=$?
expect_eq "a reused dedup key with other content is refused (exit 1)" "$rc" 1
first=$(sed -n 1p r1.jsonl | jq .index)
case "$out" in *duplicate-dedup*"already used by a different entry, index $first"*) ok "the refusal names the existing index" ;; *) not_ok "the refusal names the existing index" "$out" ;; esac
# Another issuer claiming the same real-world event (double issuance).
check "bank submits a new credit" sh -c "credits 1 1 2024-07-01 bank | '$LEDGER' submit --server $URL --key bank.key -"
head -1 credits.jsonl >same-event.jsonl
expect_rc "another issuer cannot credit the same event" 1 "$LEDGER" submit --server "$URL" --key bank.key same-event.jsonl

size2=$(curl -s "$URL/checkpoint" | sed -n 2p)
# Inflation: over the per-event cap, a wrong factor, over the daily cap.
DK1=$(dedup over-cap-1)
printf '{"kind":"credit","account":"u-1","method":"transit.bus.v1","units":2,"grams":160,"time":"2024-07-05","dedup":"%s"}\n' "$DK1" >overcap.jsonl
out=$("$LEDGER" submit --server "$URL" --key luzhou.key overcap.jsonl 2>&1); rc=$?
expect_eq "a credit over the per-event cap is refused" "$rc" 1
case "$out" in *over-cap-event*) ok "the refusal names the rule over-cap-event" ;; *) not_ok "the refusal names the rule over-cap-event" "$out" ;; esac
printf '{"kind":"credit","account":"u-1","method":"transit.bus.v1","units":1,"grams":81,"time":"2024-07-05","dedup":"%s"}\n' "$DK1" >factor.jsonl
out=$("$LEDGER" submit --server "$URL" --key luzhou.key factor.jsonl 2>&1)
case "$out" in *factor-mismatch*) ok "grams != units x factor is refused" ;; *) not_ok "grams != units x factor is refused" "$out" ;; esac
credits 6 1 2024-07-06 day >day.jsonl
out=$("$LEDGER" submit --server "$URL" --key luzhou.key day.jsonl 2>&1)
case "$out" in *over-cap-day*"line 6"*|*"line 6"*over-cap-day*) ok "the 6th ride of a day is over the daily cap, at line 6" ;; *) not_ok "the 6th ride of a day is over the daily cap, at line 6" "$out" ;; esac
expect_eq "the rejected batch appended nothing (atomic)" "$(curl -s "$URL/checkpoint" | sed -n 2p)" "$size2"
head -5 day.jsonl >day5.jsonl
out=$("$LEDGER" submit --server "$URL" --key luzhou.key --json day5.jsonl)
expect_eq "its five valid entries alone are all new" "$(printf '%s\n' "$out" | jq .new)" 5

# Retirements: within the balance only. u-7 has 15 rides = 1,200 g.
DKR=$(dedup retire-1)
printf '{"kind":"retire","account":"u-7","grams":1300,"beneficiary":"Green Conference 2024","time":"2024-07-10","dedup":"%s"}\n' "$DKR" >over.jsonl
out=$("$LEDGER" submit --server "$URL" --key luzhou.key over.jsonl 2>&1)
case "$out" in *overspent*) ok "retiring more than the balance is refused (overspent)" ;; *) not_ok "retiring more than the balance is refused (overspent)" "$out" ;; esac
printf '{"kind":"retire","account":"u-7","grams":1000,"beneficiary":"Green Conference 2024","time":"2024-07-10","dedup":"%s"}\n' "$DKR" >retire.jsonl
check "retiring within the balance" "$LEDGER" submit --server "$URL" --key luzhou.key --receipts rr.jsonl retire.jsonl
bal=$("$LEDGER" verify --vkey "$VKEY" --json rr.jsonl | jq '.leaf.account.balance_grams')
expect_eq "the receipt carries the new balance" "$bal" 200
out=$("$LEDGER" submit --server "$URL" --key bank.key retire.jsonl 2>&1)
case "$out" in *"duplicate-dedup"*) ok "another issuer cannot reuse the retirement's dedup key" ;; *) not_ok "another issuer cannot reuse the retirement's dedup key" "$out" ;; esac

# Reversal of a credit (own only, once), even below zero.
target=$(sed -n 8p r1.jsonl | jq .index)    # u-7's first credit
printf '{"kind":"reverse","target":%s,"reason":"duplicate ride","time":"2024-07-11","dedup":"%s"}\n' "$target" "$(dedup rev-1)" >rev.jsonl
out=$("$LEDGER" submit --server "$URL" --key bank.key rev.jsonl 2>&1)
case "$out" in *bad-reversal*) ok "an issuer cannot reverse another issuer's credit" ;; *) not_ok "an issuer cannot reverse another issuer's credit" "$out" ;; esac
check "the issuer reverses its own credit" "$LEDGER" submit --server "$URL" --key luzhou.key --receipts rv.jsonl rev.jsonl
expect_eq "the balance after the reversal" "$("$LEDGER" verify --vkey "$VKEY" --json rv.jsonl | jq '.leaf.account.balance_grams')" 120
printf '{"kind":"reverse","target":%s,"reason":"again","time":"2024-07-11","dedup":"%s"}\n' "$target" "$(dedup rev-2)" >rev2.jsonl
out=$("$LEDGER" submit --server "$URL" --key luzhou.key rev2.jsonl 2>&1)
case "$out" in *"already reversed"*) ok "a credit is reversed at most once" ;; *) not_ok "a credit is reversed at most once" "$out" ;; esac

# Every limit at its edge, through ledgerd and the CLI: the value itself
# is accepted, one gram or one day more refused. The server integrates
# now, so the days count back from today (not within a minute of midnight).
s=$((86400 - $(date -u +%s) % 86400))
[ "$s" -gt 60 ] || sleep $((s + 1))
TD=$(($(date -u +%s) / 86400))
ago() { date -u -d "@$(((TD - $1) * 86400))" +%F; }
# gcredit ACCOUNT METHOD GRAMS DAY KEY: a credit of 1 g per unit.
gcredit() {
	printf '{"kind":"credit","account":"%s","method":"%s","units":%s,"grams":%s,"day":"%s","dedup":"%s"}\n' "$1" "$2" "$3" "$3" "$4" "$(dedup "$5")"
}
# sub FILE: submit; prints the exit code and the output.
sub() { out=$("$LEDGER" submit --server "$URL" --key luzhou.key "$1" 2>&1); echo "$? $out"; }
printf '{"id":"gram.v1","activity":"test","unit":"gram","grams_per_unit":1,"max_grams_per_event":500,"max_grams_per_account_day":1000,"valid_from":"%s","max_event_age_days":30,"reference":"limits"}\n' "$(ago 5)" >gram.json
printf '{"id":"aged.v1","activity":"test","unit":"gram","grams_per_unit":1,"max_grams_per_event":500,"max_grams_per_account_day":1000,"valid_from":"2024-01-01","max_event_age_days":30,"reference":"limits"}\n' >aged.json
check "register gram.v1 (events from 5 days ago)" "$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" gram.json
check "register aged.v1 (events at most 30 days old)" "$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" aged.json
expect_eq "the method lists its event dates" "$(curl -s -H 'Accept: application/json' "$URL/v1/methods" | jq -c '.methods[] | select(.id == "gram.v1") | [.valid_from, .max_event_age_days]')" "[\"$(ago 5)\",30]"
jq -c 'del(.valid_from)' gram.json | sed 's/gram.v1/nodate.v1/' >nodate.json
out=$("$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" nodate.json 2>&1); rc=$?
case "$rc:$out" in 1:*valid_from*) ok "a method without valid_from is refused, naming it" ;; *) not_ok "a method without valid_from is refused, naming it" "$rc $out" ;; esac
jq -c 'del(.max_event_age_days)' gram.json | sed 's/gram.v1/noage.v1/' >noage.json
out=$("$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" noage.json 2>&1); rc=$?
case "$rc:$out" in 1:*max_event_age_days*) ok "a method without max_event_age_days is refused, naming it" ;; *) not_ok "a method without max_event_age_days is refused, naming it" "$rc $out" ;; esac
sed 's/"valid_from":"[0-9-]*"/"valid_from":"2024-02-30"/; s/gram.v1/baddate.v1/' gram.json >baddate.json
expect_rc "a method with an impossible valid_from is refused" 1 "$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" baddate.json
gcredit e-1 gram.v1 501 "$(ago 0)" ev1 >x.jsonl
case "$(sub x.jsonl)" in 1\ *over-cap-event*) ok "event cap + 1 g is refused (over-cap-event)" ;; *) not_ok "event cap + 1 g is refused" "$(sub x.jsonl)" ;; esac
gcredit e-1 gram.v1 500 "$(ago 0)" ev1 >x.jsonl
expect_eq "exactly the event cap is accepted" "$(sub x.jsonl | cut -c1)" 0
{ gcredit e-2 gram.v1 500 "$(ago 1)" d1; gcredit e-2 gram.v1 499 "$(ago 1)" d2; } >x.jsonl
expect_eq "999 g of a 1000 g daily cap are accepted" "$(sub x.jsonl | cut -c1)" 0
gcredit e-2 gram.v1 2 "$(ago 1)" d3 >x.jsonl
case "$(sub x.jsonl)" in 1\ *over-cap-day*) ok "daily cap + 1 g is refused (over-cap-day)" ;; *) not_ok "daily cap + 1 g is refused" "$(sub x.jsonl)" ;; esac
gcredit e-2 gram.v1 1 "$(ago 1)" d3 >x.jsonl
expect_eq "exactly the daily cap is accepted" "$(sub x.jsonl | cut -c1)" 0
gcredit e-2 gram.v1 1 "$(ago 1)" d4 >x.jsonl
case "$(sub x.jsonl)" in 1\ *over-cap-day*) ok "one gram more that day is refused" ;; *) not_ok "one gram more that day is refused" "$(sub x.jsonl)" ;; esac
gcredit e-3 aged.v1 1 "$(ago 31)" a1 >x.jsonl
case "$(sub x.jsonl)" in 1\ *event-too-old*"31 days before"*) ok "an event 31 days old is refused (event-too-old, max 30)" ;; *) not_ok "an event 31 days old is refused" "$(sub x.jsonl)" ;; esac
gcredit e-3 aged.v1 1 "$(ago 30)" a1 >x.jsonl
expect_eq "an event exactly 30 days old is accepted" "$(sub x.jsonl | cut -c1)" 0
gcredit e-4 gram.v1 1 "$(ago 6)" v1 >x.jsonl
case "$(sub x.jsonl)" in 1\ *before-method*"$(ago 6)"*) ok "the day before valid_from is refused (before-method)" ;; *) not_ok "the day before valid_from is refused" "$(sub x.jsonl)" ;; esac
gcredit e-4 gram.v1 1 "$(ago 5)" v1 >x.jsonl
expect_eq "valid_from itself is accepted" "$(sub x.jsonl | cut -c1)" 0
gcredit e-5 aged.v1 1 1970-01-01 old >x.jsonl
case "$(sub x.jsonl)" in 1\ *before-method*) ok "a credit dated 1970 is refused" ;; *) not_ok "a credit dated 1970 is refused" "$(sub x.jsonl)" ;; esac
gcredit e-5 gram.v1 1 "$(ago -1)" tomorrow >x.jsonl
case "$(sub x.jsonl)" in 1\ *future-day*) ok "a credit dated tomorrow is refused (future-day)" ;; *) not_ok "a credit dated tomorrow is refused" "$(sub x.jsonl)" ;; esac
expect_eq "the day did not change during these checks" "$(($(date -u +%s) / 86400))" "$TD"

# Tampering with a receipt is detected.
sed -n 1p r1.jsonl | jq -j .receipt >one.tlog-proof
check "a single .tlog-proof file verifies" "$LEDGER" verify --vkey "$VKEY" one.tlog-proof
sed '3s/^./X/' one.tlog-proof >bad1.tlog-proof
expect_rc "a tampered receipt fails (exit 1)" 1 "$LEDGER" verify --vkey "$VKEY" bad1.tlog-proof
expect_rc "a receipt checked with another key fails" 1 "$LEDGER" verify --vkey "$(cat luzhou.vkey)" one.tlog-proof

# A bad line stops the submission with its line number; fixing it and
# resuming with --skip appends the rest exactly once.
credits 30 30 2024-07-12 resume >resume.jsonl
sed -i '17s/"grams":80/"grams":"eighty"/' resume.jsonl
out=$("$LEDGER" submit --server "$URL" --key luzhou.key --batch 10 resume.jsonl 2>&1); rc=$?
case "$rc:$out" in 1:*"line 17"*"resume with --skip 10"*) ok "a bad line stops at its line number, with how to resume" ;; *) not_ok "a bad line stops at its line number" "$rc $out" ;; esac
sed -i '17s/"grams":"eighty"/"grams":80/' resume.jsonl
out=$("$LEDGER" submit --server "$URL" --key luzhou.key --batch 10 --skip 10 --json resume.jsonl)
expect_eq "resuming with --skip 10 appends the other 20" "$(printf '%s\n' "$out" | jq -c '[.new,.duplicates]')" "[20,0]"
out=$("$LEDGER" submit --server "$URL" --key luzhou.key --json resume.jsonl)
expect_eq "then the whole file is all duplicates" "$(printf '%s\n' "$out" | jq -c '[.new,.duplicates]')" "[0,30]"

# CSV input with a header row, and stdin.
{ echo "account,method,units,grams,time,dedup,evidence"
  i=0; while [ $i -lt 5 ]; do
	echo "c-$i,food.plate.v1,1,144,2024-07-13T12:00:00+08:00,$(dedup csv-$i),$(dedup ev-$i)"
	i=$((i + 1)); done; } >plates.csv
out=$("$LEDGER" submit --server "$URL" --key luzhou.key --json --receipts csv-r.jsonl - <plates.csv)
expect_eq "CSV credits from stdin are appended" "$(printf '%s\n' "$out" | jq .new)" 5
expect_eq "a CSV time's UTC day is what is recorded" "$("$LEDGER" verify --vkey "$VKEY" --json csv-r.jsonl | head -1 | jq -r .leaf.entry.day)" 2024-07-13
printf 'account,method,units,grams,time,dedup\nc-9,food.plate.v1,1,144,2024-07-13,nothex\n' >badcsv.csv
expect_rc "a bad CSV field is refused before sending (exit 1)" 1 "$LEDGER" submit --server "$URL" --key luzhou.key badcsv.csv

# Restart keeps everything; SIGTERM drains and exits 0.
cp1=$(curl -s "$URL/checkpoint")
stop_server; rc=$?
expect_eq "SIGTERM stops ledgerd with exit 0" "$rc" 0
start_server "$D" || not_ok "restart"
expect_eq "the checkpoint after a restart is the same" "$(curl -s "$URL/checkpoint")" "$cp1"
out=$("$LEDGER" submit --server "$URL" --key luzhou.key --json --receipts r3.jsonl credits.jsonl)
expect_eq "after a restart every entry is still there" "$(printf '%s\n' "$out" | jq -c '[.new,.duplicates]')" "[0,1200]"
expect_eq "with the same indexes and leaves" "$(jq -c '[.index,.leaf_hash]' r3.jsonl | sort | md5sum)" "$(jq -c '[.index,.leaf_hash]' r1.jsonl | sort | md5sum)"
stop_server
e2e_end
