#!/bin/sh
# submit.sh - ledger submit is safe with files: an existing receipts file
# survives a run that fails before sending anything; a receipts path that
# names the input (also through a symlink, another path or a hard link)
# is refused before anything is written; SIGINT and SIGTERM stop the
# sending, finish the batches in flight, write their receipts in whole
# lines and print the --skip to resume with, and a resume continues the
# receipts file: 200,000 credits, interrupted twice, give every receipt
# exactly once, each verifying.
. tests/e2e/lib.sh
e2e_begin submit

D=$T/log
init_log "$D" example.org/carbon/submit || { not_ok "init"; e2e_end; }
start_server "$D" || { not_ok "server starts"; e2e_end; }
cd "$T"
"$LEDGER" keygen --id luzhou --out luzhou.key >luzhou.vkey
cat >bus.json <<'J'
{"id":"transit.bus.v1","activity":"public transport ride","unit":"ride","grams_per_unit":80,"max_grams_per_event":80,"max_grams_per_account_day":400,"valid_from":"2024-01-01","max_event_age_days":36500,"reference":"Luzhou Green Bud Points programme, 2024"}
J
check "register issuer" "$LEDGER" admin add-issuer --server "$URL" --token-file "$TOKEN" --vkey "$(cat luzhou.vkey)" --name Luzhou
check "register method" "$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" bus.json
sub() { "$LEDGER" submit --server "$URL" --key luzhou.key --quiet "$@"; }
size() { curl -s "$URL/checkpoint" | sed -n 2p; }

# --- an existing receipts file survives a run that sends nothing --------
credits 10 10 2024-07-01 keep >keep.jsonl
check "a first run writes receipts" sub --receipts r.jsonl keep.jsonl
sum=$(md5sum <r.jsonl)
{ echo '{"kind":"credit",'; sed 1d keep.jsonl; } >bad1.jsonl
expect_rc "a run refused on line 1 exits 1" 1 sub --receipts r.jsonl bad1.jsonl
expect_eq "... and leaves the receipts file as it was" "$(md5sum <r.jsonl)" "$sum"
expect_rc "a run that cannot reach the server exits 3" 3 "$LEDGER" submit --server http://127.0.0.1:1 --key luzhou.key --receipts r.jsonl keep.jsonl
expect_eq "... and leaves the receipts file as it was" "$(md5sum <r.jsonl)" "$sum"
credits 6 1 2024-07-02 cap >cap.jsonl	# 6 rides of one account a day: over the 400 g cap
expect_rc "a batch the server refuses whole exits 1" 1 sub --receipts r.jsonl cap.jsonl
expect_eq "... and leaves the receipts file as it was" "$(md5sum <r.jsonl)" "$sum"
expect_eq "no temporary file is left beside it" "$(ls | grep -c '^r\.jsonl\.')" 0
check "a successful run replaces it" sub --receipts r.jsonl --batch 3 keep.jsonl
expect_eq "... with one receipt per line" "$(jq -r .line r.jsonl | tr '\n' ' ')" "1 2 3 4 5 6 7 8 9 10 "
expect_eq "... all duplicates now" "$(jq -r .duplicate r.jsonl | sort -u)" true

# --- a receipts path that names the input is refused --------------------
cp keep.jsonl in.jsonl
sum=$(md5sum <in.jsonl)
mkdir sub; ln -s ../in.jsonl sub/link.jsonl; ln in.jsonl hard.jsonl
n0=$(size)
for r in in.jsonl ./sub/../in.jsonl "$T/in.jsonl" sub/link.jsonl hard.jsonl; do
	out=$(sub --receipts "$r" in.jsonl 2>&1); rc=$?
	case "$rc:$out" in
	"2:ledger submit: --receipts $r is the input file: give another file") ok "--receipts $r (the input) is refused, exit 2" ;;
	*) not_ok "--receipts $r (the input) is refused, exit 2" "exit $rc: $out" ;;
	esac
	expect_eq "... and the input is untouched" "$(md5sum <in.jsonl)" "$sum"
done
out=$(sub --receipts hard.jsonl - <in.jsonl 2>&1); rc=$?
expect_eq "stdin redirected from the receipts file is refused too" "$rc:$out" "2:ledger submit: --receipts hard.jsonl is the input file: give another file"
expect_eq "nothing was sent" "$(size)" "$n0"
ln -s r.jsonl rlink.jsonl
check "a receipts symlink to another file is followed" sub --receipts rlink.jsonl keep.jsonl
expect_eq "... the link stays a link" "$(readlink rlink.jsonl)" r.jsonl
expect_eq "... and its target holds the receipts" "$(wc -l <r.jsonl)" 10

# --- resuming continues the receipts file, and only where it can --------
sum=$(md5sum <r.jsonl)
out=$(sub --receipts r.jsonl --skip 4 keep.jsonl 2>&1); rc=$?
expect_eq "a resume that would repeat receipts is refused, exit 2" "$rc:$out" "2:ledger submit: r.jsonl already holds receipts up to input line 10: --skip 4 would repeat them (resume with --skip 10, or give another --receipts file)"
expect_eq "... and leaves the file as it was" "$(md5sum <r.jsonl)" "$sum"
head -c 100 r.jsonl >part.jsonl
out=$(sub --receipts part.jsonl --skip 4 keep.jsonl 2>&1); rc=$?
case "$rc:$out" in "2:"*"part.jsonl ends with a partial line"*) ok "a receipts file ending in half a line is refused, exit 2" ;;
*) not_ok "a receipts file ending in half a line is refused, exit 2" "exit $rc: $out" ;; esac
head -4 r.jsonl >r4.jsonl
check "resume with --skip 4 continues the file" sub --receipts r4.jsonl --skip 4 keep.jsonl
expect_eq "... to exactly the same receipts" "$(md5sum <r4.jsonl)" "$sum"

# --- SIGINT, SIGTERM, and the resume --------------------------------------
# 200,000 credits: 5 rides a day for each of 40,000 accounts.
credits 200000 40000 2024-08-01 big >big.jsonl
# interrupt SIG SKIP: submit big.jsonl from --skip SKIP in the background,
# send SIG once 10,000 more entries are in the log; sets rc, err, RESUME.
interrupt() {
	base=$(size)
	"$LEDGER" submit --server "$URL" --key luzhou.key --quiet --batch 1000 \
	    --inflight 4 --vkey "$VKEY" --receipts big-r.jsonl --skip "$2" \
	    big.jsonl 2>err.txt &
	pid=$!
	i=0
	while [ $i -lt 600 ] && [ "$(size)" -lt $((base + 10000)) ]; do
		sleep 0.05; i=$((i + 1))
	done
	kill -"$1" $pid
	wait $pid; rc=$?
	err=$(cat err.txt)
	RESUME=$(sed -n 's/.*Resume with --skip \([0-9]*\) .*/\1/p' err.txt)
}
interrupt INT 0
expect_eq "SIGINT: exit 130" "$rc" 130
case "$err" in *"SIGINT: stopped sending; the "*" entries sent are in the log ("*" new, 0 duplicates), their receipts in big-r.jsonl (whole lines). Resume with --skip $RESUME and the same --receipts file: it is continued.") ok "SIGINT: says what is in the log and how to resume" ;;
*) not_ok "SIGINT: says what is in the log and how to resume" "$err" ;; esac
n1=$(wc -l <big-r.jsonl)
case "$RESUME" in ''|0|200000) not_ok "SIGINT stopped mid-run" "skip '$RESUME'" ;; *) ok "SIGINT stopped mid-run, at line $RESUME" ;; esac
expect_eq "every line written is whole JSON, the last one too" "$(jq -r .line big-r.jsonl >/dev/null 2>&1 && tail -c 1 big-r.jsonl | od -An -c | tr -d ' ')" '\n'
expect_eq "... one receipt per line before the --skip" "$n1" "$RESUME"
expect_eq "... the last one for line --skip" "$(tail -1 big-r.jsonl | jq .line)" "$RESUME"
expect_eq "the log holds exactly what has receipts (no batch in flight lost)" "$(size)" "$((base + RESUME + RESUME / 1000))"
first=$RESUME
interrupt TERM "$first"
expect_eq "SIGTERM on the resume: exit 143" "$rc" 143
case "$RESUME" in ''|"$first"|200000) not_ok "SIGTERM stopped mid-run" "skip '$RESUME': $err" ;; *) ok "SIGTERM stopped mid-run, at line $RESUME" ;; esac
expect_eq "the file was continued to the new --skip" "$(wc -l <big-r.jsonl)" "$RESUME"
out=$(sub --batch 1000 --vkey "$VKEY" --receipts big-r.jsonl --skip "$RESUME" big.jsonl --json 2>&1); rc=$?
expect_eq "the last resume finishes, exit 0" "$rc:$(printf '%s' "$out" | jq -c '[.ok,.duplicates,.resume_skip]')" "0:[true,0,200000]"
expect_eq "receipts for lines 1..200000, each once, in order" "$(jq -r .line big-r.jsonl | awk '$1 != NR { bad++ } END { print NR, bad + 0 }')" "200000 0"
expect_eq "200000 distinct log indexes" "$(jq -r .index big-r.jsonl | sort -u | wc -l)" 200000
expect_eq "no receipt is a duplicate: nothing was sent twice" "$(jq -r .duplicate big-r.jsonl | sort -u)" false
out=$("$LEDGER" verify --vkey "$VKEY" big-r.jsonl 2>&1); rc=$?
case "$rc:$out" in 0:*200000*) ok "ledger verify: all 200000 receipts verify" ;; *) not_ok "ledger verify: all 200000 receipts verify" "exit $rc: $(printf '%s' "$out" | tail -3)" ;; esac
expect_eq "no temporary file is left" "$(ls | grep -c '\.tmp\.')" 0

e2e_end
