#!/bin/sh
# audit.sh - ledger-audit end to end: dishonest logs built by mklog (one
# per finding code) served as static tiles by nginx; then real ledgerd
# logs: an honest sync, a resumed sync, a fork (a copied data dir that
# grows differently), tampered tiles and entry bundles, reports (Markdown,
# self-contained HTML), verify-claim, cross-log double claims and receipts.
. tests/e2e/lib.sh
e2e_begin audit

MKLOG=$(cd "$B/tests" && pwd)/mklog
WWW=$T/www
mkdir -p "$WWW"
J='Accept: application/json'

# start_nginx: serve $WWW read-only on a free loopback port; sets NURL.
start_nginx() {
	mkdir -p "$T/nginx-tmp"
	echo probe >"$WWW/probe"
	for try in 1 2 3 4 5 6 7 8 9 10; do
		NPORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
		cat >"$T/nginx.conf" <<N
daemon off;
user root;
pid $T/nginx.pid;
error_log $T/nginx.err;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $T/nginx-tmp;
	proxy_temp_path $T/nginx-tmp;
	fastcgi_temp_path $T/nginx-tmp;
	uwsgi_temp_path $T/nginx-tmp;
	scgi_temp_path $T/nginx-tmp;
	server {
		listen 127.0.0.1:$NPORT;
		root $WWW;
		location / { default_type application/octet-stream; }
	}
}
N
		nginx -c "$T/nginx.conf" -p "$T" 2>"$T/nginx.start" &
		NPID=$!
		i=0
		while [ $i -lt 50 ] && kill -0 "$NPID" 2>/dev/null; do
			if [ "$(curl -s "http://127.0.0.1:$NPORT/probe")" = probe ]; then
				E2E_PIDS="$E2E_PIDS $NPID"
				NURL=http://127.0.0.1:$NPORT
				return 0
			fi
			sleep 0.05
			i=$((i + 1))
		done
		kill "$NPID" 2>/dev/null
		wait "$NPID" 2>/dev/null
	done
	return 1
}

# flip FILE OFFSET: xor one byte of FILE with 0x01, in place.
flip() {
	v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((v ^ 1)))" |
	    dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# findings STATE: the findings as [[code, index, related], ...].
findings() {
	"$AUDIT" report --state "$1" --json | jq -c '[.findings[] | [.code, .index, .related]]'
}
entries() {
	"$AUDIT" report --state "$1" --json | jq .entries
}

if ! command -v nginx >/dev/null 2>&1; then
	echo "# SKIP static logs: install nginx-light (make deps DEPS_EXTRA=nginx-light)"
	NURL=
elif ! start_nginx; then
	not_ok "nginx starts" "$(cat "$T/nginx.start" "$T/nginx.err" 2>/dev/null)"
	NURL=
fi

# ---- 1. Dishonest logs, one finding each --------------------------------
# mode | the findings as [code, index, related] (see tests/tools/mklog.c)
if [ -n "$NURL" ]; then
	while IFS='|' read -r mode want; do
		[ -n "$mode" ] || continue
		if ! "$MKLOG" --out "$WWW/$mode" --origin example.org/mklog \
		    --key-out "$T/$mode.vkey" --tamper "$mode" </dev/null >/dev/null 2>"$T/mklog.err"; then
			not_ok "mklog $mode" "$(cat "$T/mklog.err")"
			continue
		fi
		S=$T/st-$mode
		out=$("$AUDIT" sync --log "$NURL/$mode" --vkey "$T/$mode.vkey" --state "$S" --json </dev/null 2>&1)
		rc=$?
		if [ "$mode" = none ]; then
			expect_eq "static honest log: sync exits 0, ok, 13 entries" "$rc $(printf '%s\n' "$out" | jq -c '[.ok, .size, .findings]')" '0 [true,13,0]'
			expect_eq "static honest log: no findings" "$(findings "$S")" '[]'
			continue
		fi
		expect_eq "$mode: sync exits 1 and reports 1 finding" "$rc $(printf '%s\n' "$out" | jq -c '[.ok, .findings]')" '1 [false,1]'
		code=$(printf '%s\n' "$want" | jq -c '[.[][0]] | unique')
		expect_eq "$mode: the finding codes are exactly $code" "$("$AUDIT" report --state "$S" --json | jq -c '[.findings[].code] | unique')" "$code"
		expect_eq "$mode: the finding names $(printf '%s\n' "$want" | jq -r '.[0] | "entry \(.[1])" + if .[2] then " (related \(.[2]))" else "" end')" "$(findings "$S")" "$want"
	done <<'M'
none|[]
counter-mismatch|[["counter-mismatch",10,null]]
counter-reversals|[["counter-mismatch",10,null]]
counter-issuer|[["counter-mismatch",12,null]]
over-cap-event|[["over-cap-event",10,null]]
over-cap-day|[["over-cap-day",10,null]]
factor-mismatch|[["factor-mismatch",10,null]]
duplicate-dedup|[["duplicate-dedup",10,3]]
duplicate-evidence|[["duplicate-evidence",10,3]]
overspent|[["overspent",10,6]]
bad-reversal|[["bad-reversal",10,7]]
unknown-issuer|[["unknown-issuer",10,null]]
unknown-method|[["unknown-method",10,null]]
overflow|[["overflow",10,null]]
future-day|[["future-day",10,null]]
chain-break|[["chain-break",10,9]]
not-canonical|[["not-canonical",12,null]]
bad-signature|[["bad-signature",8,0]]
unsigned-entry|[["bad-signature",8,null]]
missing-entry|[["bad-signature",8,12]]
event-too-old|[["event-too-old",10,null]]
before-method|[["before-method",10,null]]
future-time|[["future-time",12,null]]
old-version|[["not-canonical",13,null]]
M
	# One gram, one day over: the messages say by how much.
	msg() { "$AUDIT" report --state "$T/st-$1" --json | jq -r '.findings[0].message'; }
	expect_eq "over-cap-event: a credit one gram over the event cap" "$(msg over-cap-event)" "leaf 10 breaks rule over-cap-event: 240 g is over the 239 g cap per event of transit.bus.v1"
	expect_eq "over-cap-day: one gram over the daily cap" "$(msg over-cap-day)" "leaf 10 breaks rule over-cap-day: the account's transit.bus.v1 credits for that day would be 320 g, over the 319 g daily cap"
	expect_eq "event-too-old: one day older than max_event_age_days" "$(msg event-too-old)" "leaf 10 breaks rule event-too-old: event day 2024-06-24 is 31 days before the integration day; transit.bus.v1 accepts events at most 30 days old"
	expect_eq "before-method: the day before valid_from" "$(msg before-method)" "leaf 10 breaks rule before-method: event day 2023-12-31 is before 2024-01-01, the first day transit.bus.v1 covers"
	expect_eq "old-version: the finding names both leaf format versions" "$(msg old-version)" "leaf 13 is of leaf format version 1; this auditor reads version 2 only"
	# A receipt for that version 1 leaf (its inclusion proof and signed
	# checkpoint are good): ledger verify names both versions too.
	hb() { perl -e 'print pack("H*", $ARGV[0])' "$1"; }
	lh() { dd if="$WWW/old-version/tile/0/000.p/14" bs=32 skip="$1" count=1 2>/dev/null | od -An -tx1 -v | tr -d ' \n'; }
	nh() { { printf '\001'; hb "$1"; hb "$2"; } | sha256sum | cut -c1-64; }
	leaf13=$(od -An -tu1 -v "$WWW/old-version/tile/entries/000.p/14" | awk '{ for (i = 1; i <= NF; i++) b[n++] = $i }
	    END { off = 0; for (k = 0; k < 14; k++) { len = b[off] * 256 + b[off + 1]; if (k == 13) for (j = 0; j < len; j++) printf "%02x", b[off + 2 + j]; off += 2 + len } }')
	m0=$(nh "$(nh "$(nh "$(lh 0)" "$(lh 1)")" "$(nh "$(lh 2)" "$(lh 3)")")" "$(nh "$(nh "$(lh 4)" "$(lh 5)")" "$(nh "$(lh 6)" "$(lh 7)")")")
	m8=$(nh "$(nh "$(lh 8)" "$(lh 9)")" "$(nh "$(lh 10)" "$(lh 11)")")
	{
		echo "c2sp.org/tlog-proof@v1"
		echo "extra $(hb "$leaf13" | base64 -w0)"
		echo "index 13"
		for h in "$(lh 12)" "$m8" "$m0"; do hb "$h" | base64 -w0; echo; done
		echo
		cat "$WWW/old-version/checkpoint"
	} >"$T/v1.tlog-proof"
	out=$("$LEDGER" verify --vkey "$T/old-version.vkey" "$T/v1.tlog-proof" 2>&1); rc=$?
	expect_eq "a receipt whose leaf is version 1: FAILED, naming both versions" "$rc $(printf '%s\n' "$out" | head -1)" "1 $T/v1.tlog-proof: FAILED: leaf: the leaf in the receipt is of leaf format version 1; this program reads version 2 only"
	# The auditor's clock (LEDGER_AUDIT_NOW, tests only): leaf 12 of
	# future-time is at 2033596800; 300 s of skew are allowed, 301 not.
	for now in 2033596500 2033596499; do
		rm -rf "$T/stc-$now"
		LEDGER_AUDIT_NOW=$now "$AUDIT" sync --log "$NURL/future-time" --vkey "$T/future-time.vkey" --state "$T/stc-$now" >/dev/null 2>&1
	done
	expect_eq "future-time: integrated 300 s after the auditor's clock is no finding" "$(findings "$T/stc-2033596500")" '[]'
	expect_eq "future-time: 301 s after it is one" "$(findings "$T/stc-2033596499")" '[["future-time",12,null]]'
	# The honest log, audited as of a minute before its last group
	# (08:02:00, leaves 8-12): one finding, for the group's first leaf.
	rm -rf "$T/stc-honest"
	LEDGER_AUDIT_NOW=1721894219 "$AUDIT" sync --log "$NURL/none" --vkey "$T/none.vkey" --state "$T/stc-honest" >/dev/null 2>&1
	expect_eq "a group integrated after the auditor's clock: one future-time finding, at its first leaf" "$(findings "$T/stc-honest")" '[["future-time",8,null]]'
	expect_eq "... whose message gives both times" "$("$AUDIT" report --state "$T/stc-honest" --json | jq -r '.findings[0].message')" "leaf 8's integration time 1721894520 is 301 s after the auditor's clock (1721894219; 300 s of skew allowed)"
	expect_rc "a LEDGER_AUDIT_NOW that is not UTC seconds is a usage error" 2 env LEDGER_AUDIT_NOW=yesterday "$AUDIT" sync --log "$NURL/none" --vkey "$T/none.vkey" --state "$T/stc-bad"
	# A counter-mismatch says which counter, the leaf's value and the
	# replay's.
	expect_eq "counter-mismatch names the counter and both values" "$(msg counter-mismatch)" "leaf 10's totals.credited is 1480 in the leaf, 480 by the replay"
	expect_eq "counter-reversals: the totals' reversal count (the leaf's last bytes)" "$(msg counter-reversals)" "leaf 10's totals count of reversals is 2 in the leaf, 1 by the replay"
	expect_eq "counter-issuer: the issuer's credited counter" "$(msg counter-issuer)" "leaf 12's issuer.credited is 1560 in the leaf, 560 by the replay"
	# verify-claim sums the entries it replayed, never a leaf's counters:
	# the honest log holds 560 - 160 reversed = 400 g for city.
	expect_eq "verify-claim on the honest static log: PASS at 400 g" "$("$AUDIT" verify-claim --state "$T/st-none" --issuer city --grams 400 --json | jq -c '[.verdict, .ledger_grams, (.findings|length)]')" '["PASS",400,0]'
	out=$("$AUDIT" verify-claim --state "$T/st-counter-issuer" --issuer city --grams 1400 --json)
	expect_eq "verify-claim of the figure the lying issuer counter says: INFLATED, exit 1, the replayed 400 g" "$? $(printf '%s\n' "$out" | jq -c '[.verdict, .ledger_grams, .inflated_by_grams]')" '1 ["INFLATED",400,1000]'
	out=$("$AUDIT" verify-claim --state "$T/st-counter-issuer" --issuer city --grams 400)
	expect_eq "verify-claim of the true figure while a finding touches the sums: exit 1" "$?" 1
	case "$out" in "NOT PASSED: city claims 400 g"*"finding counter-mismatch at entry 12"*) ok "verify-claim names the finding it will not pass over" ;; *) not_ok "verify-claim names the finding it will not pass over" "$out" ;; esac
	expect_eq "verify-claim: a finding in the whole log's totals touches city's sums (its leaf is city's)" "$("$AUDIT" verify-claim --state "$T/st-counter-mismatch" --issuer city --grams 1 --json | jq -c '[.verdict, [.findings[].code]]')" '["FINDINGS",["counter-mismatch"]]'
	# A weak issuer key (the identity point; tests/tools/mklog.c): the
	# registration is the finding, and each batch "signed" with it too.
	if "$MKLOG" --out "$WWW/weak-key" --origin example.org/mklog \
	    --key-out "$T/weak-key.vkey" --tamper weak-key </dev/null >/dev/null 2>"$T/mklog.err"; then
		out=$("$AUDIT" sync --log "$NURL/weak-key" --vkey "$T/weak-key.vkey" --state "$T/st-weak-key" --json </dev/null 2>&1)
		expect_eq "weak-key: sync exits 1, 3 findings" "$? $(printf '%s\n' "$out" | jq -c '[.ok, .findings]')" '1 [false,3]'
		expect_eq "weak-key: the registration and both batches named" "$(findings "$T/st-weak-key")" '[["weak-key",0,null],["bad-signature",2,0],["bad-signature",8,0]]'
		"$AUDIT" report --state "$T/st-weak-key" >"$T/weak-key.report" 2>&1
		case $(cat "$T/weak-key.report") in *"weak-key"*"of small order"*) ok "weak-key: the report says the key is of small order" ;;
		*) not_ok "weak-key: the report says the key is of small order" "$(cat "$T/weak-key.report")" ;; esac
	else
		not_ok "mklog weak-key" "$(cat "$T/mklog.err")"
	fi
	# A checkpoint signed by the log key with an extension line: this log
	# never writes them, so every client and the auditor refuse it.
	EXT="extension-line"
	if "$MKLOG" --out "$WWW/$EXT" --origin example.org/mklog \
	    --key-out "$T/$EXT.vkey" --tamper "$EXT" </dev/null >/dev/null 2>"$T/mklog.err"; then
		EXTMSG="the checkpoint carries extension lines; this log never writes them"
		out=$("$AUDIT" sync --log "$NURL/$EXT" --vkey "$T/$EXT.vkey" --state "$T/st-ext" 2>&1); rc=$?
		case "$rc:$out" in 1:*"$EXTMSG"*) ok "sync refuses a checkpoint with an extension line (exit 1, says so)" ;;
		*) not_ok "sync refuses a checkpoint with an extension line" "$rc $out" ;; esac
		expect_eq "... and keeps no checkpoint" "$(ls "$T/st-ext/checkpoint" 2>/dev/null)" ""
		out=$("$LEDGER" checkpoint --server "$NURL/$EXT" --vkey "$T/$EXT.vkey" 2>&1); rc=$?
		case "$rc:$out" in 1:*"$EXTMSG"*) ok "ledger checkpoint refuses it (exit 1, says so)" ;;
		*) not_ok "ledger checkpoint refuses it" "$rc $out" ;; esac
		out=$("$LEDGER" verify --vkey "$T/$EXT.vkey" "$WWW/$EXT/receipt-3.tlog-proof" 2>&1); rc=$?
		case "$rc:$out" in 1:*"FAILED: checkpoint-extensions: $EXTMSG"*"0 verified, 1 failed") ok "ledger verify fails a receipt carrying it" ;;
		*) not_ok "ledger verify fails a receipt carrying it" "$rc $out" ;; esac
		check "the receipt of an honest log (no extension line) verifies" "$LEDGER" verify --vkey "$T/none.vkey" "$WWW/none/receipt-3.tlog-proof"
		# The same log with the plain checkpoint: a mirror that holds
		# it refuses the receipt carrying the other one.
		cp -a "$WWW/$EXT" "$WWW/ext-plain"
		mv "$WWW/ext-plain/checkpoint.plain" "$WWW/ext-plain/checkpoint"
		check "the same log without the extension line syncs" "$AUDIT" sync --log "$NURL/ext-plain" --vkey "$T/$EXT.vkey" --state "$T/st-ext-plain"
		out=$("$AUDIT" check-receipt --state "$T/st-ext-plain" "$WWW/$EXT/receipt-3.tlog-proof" 2>&1); rc=$?
		case "$rc:$out" in 1:*"$EXTMSG"*) ok "check-receipt refuses a receipt whose checkpoint has an extension line" ;;
		*) not_ok "check-receipt refuses a receipt whose checkpoint has an extension line" "$rc $out" ;; esac
		cp "$WWW/$EXT/checkpoint" "$T/st-ext-plain/checkpoint"
		expect_eq "a report never shows a checkpoint with extension lines" "$("$AUDIT" report --state "$T/st-ext-plain" --json | jq -c .checkpoint)$("$AUDIT" report --state "$T/st-ext-plain" 2>&1 | grep -c extension)" "{}0"
	else
		not_ok "mklog $EXT" "$(cat "$T/mklog.err")"
	fi
	# The same findings when the mirror's deferred indexes are frozen and
	# flushed every 3 writes, so that the lookups made ahead (hints) are
	# dropped mid-replay and the B-trees answer.
	for mode in duplicate-dedup over-cap-day overspent bad-reversal; do
		rm -rf "$T/stf-$mode"
		LEDGER_INDEX_FLUSH=3 "$AUDIT" sync --log "$NURL/$mode" --vkey "$T/$mode.vkey" --state "$T/stf-$mode" >/dev/null 2>&1
		expect_eq "$mode, indexes flushed every 3 writes: the same findings" "$(findings "$T/stf-$mode")" "$(findings "$T/st-$mode")"
	done
	expect_rc "report exits 1 when the mirror holds a finding" 1 "$AUDIT" report --state "$T/st-overspent"
	expect_rc "a state dir belongs to one log key" 2 "$AUDIT" sync --log "$NURL/none" --vkey "$T/overspent.vkey" --state "$T/st-none"
	# A bundle the server cannot give (404): exit 3 naming it, nothing
	# kept; the same state syncs once it is back.
	cp -a "$WWW/none" "$WWW/gone"
	mv "$WWW/gone/tile/entries/000.p/13" "$T/bundle-13"
	out=$("$AUDIT" sync --log "$NURL/gone" --vkey "$T/none.vkey" --state "$T/st-gone" 2>&1); rc=$?
	case "$rc:$out" in 3:*"GET /tile/entries/000.p/13: HTTP 404"*) ok "a missing entry bundle: exit 3, the bundle and its status named" ;;
	*) not_ok "a missing entry bundle: exit 3 naming it" "$rc $out" ;; esac
	expect_eq "... and the mirror holds nothing" "$(entries "$T/st-gone")" 0
	mv "$T/bundle-13" "$WWW/gone/tile/entries/000.p/13"
	expect_eq "when it is back, the same state syncs all 13 entries" "$("$AUDIT" sync --log "$NURL/gone" --vkey "$T/none.vkey" --state "$T/st-gone" --json | jq -c '[.ok, .size, .findings]')" '[true,13,0]'
fi

# ---- 2. A real log, copied at size N into a fork ------------------------
L=$T/log
init_log "$L" example.org/audit || { not_ok init; e2e_end; }
LVKEY=$VKEY
LTOKEN=$TOKEN
start_server "$L" || { not_ok "ledgerd starts"; e2e_end; }
cd "$T"
"$LEDGER" keygen --id city --out city.key >city.vkey
cat >bus.json <<'J'
{"id":"transit.bus.v1","activity":"public transport ride","unit":"ride","grams_per_unit":80,"max_grams_per_event":80,"max_grams_per_account_day":400,"valid_from":"2024-01-01","max_event_age_days":36500,"reference":"test"}
J
"$LEDGER" admin add-issuer --server "$URL" --token-file "$LTOKEN" --vkey "$(cat city.vkey)" --name City >/dev/null
"$LEDGER" admin add-method --server "$URL" --token-file "$LTOKEN" bus.json >/dev/null
credits 150 30 2024-07-01 first >c1.jsonl
check "submit 150 credits with receipts" "$LEDGER" submit --server "$URL" --key city.key --batch 200 --receipts r1.jsonl c1.jsonl
stop_server
expect_eq "ledgerd stops cleanly" "$?" 0
cp -a "$L" "$T/copy"
start_server "$L" || { not_ok "ledgerd restarts"; e2e_end; }
URL1=$URL
start_server "$T/copy" || { not_ok "the copy starts"; e2e_end; }
URL2=$URL
credits 3 3 2024-07-02 original >c2.jsonl
credits 5 5 2024-07-02 copy >c3.jsonl
check "3 credits into the original" "$LEDGER" submit --server "$URL1" --key city.key c2.jsonl
check "5 other credits into the copy" "$LEDGER" submit --server "$URL2" --key city.key c3.jsonl
expect_eq "sizes: original 157, copy 159" "$(curl -s "$URL1/checkpoint" | sed -n 2p) $(curl -s "$URL2/checkpoint" | sed -n 2p)" "157 159"

F=$T/st-fork
expect_rc "sync the original: exit 0" 0 "$AUDIT" sync --log "$URL1" --vkey "$LVKEY" --state "$F"
out=$("$AUDIT" sync --log "$URL2" --vkey "$LVKEY" --state "$F" --json)
expect_eq "sync the copy with the same state and key: exit 1, fork" "$? $(printf '%s\n' "$out" | jq -c '[.ok, .fork]')" '1 [false,true]'
expect_eq "the finding is fork" "$("$AUDIT" report --state "$F" --json | jq -c '[.findings[].code]')" '["fork"]'
expect_eq "both signed checkpoints are kept as evidence" "$(ls "$F/evidence" | tr '\n' ' ')" "checkpoint-157-a checkpoint-159-b "
expect_eq "evidence a is the original's checkpoint" "$(cat "$F/evidence/checkpoint-157-a")" "$(curl -s "$URL1/checkpoint")"
expect_eq "evidence b is the copy's checkpoint" "$(cat "$F/evidence/checkpoint-159-b")" "$(curl -s "$URL2/checkpoint")"
expect_eq "the fork leaves the mirror at 157 entries" "$(entries "$F")" 157
expect_eq "the fork leaves the verified checkpoint in place" "$(sed -n 2p "$F/checkpoint")" 157
F2=$T/st-fork2
expect_rc "sync the copy (159) into a new mirror: exit 0" 0 "$AUDIT" sync --log "$URL2" --vkey "$LVKEY" --state "$F2"
out=$("$AUDIT" sync --log "$URL1" --vkey "$LVKEY" --state "$F2" --json)
expect_eq "an older checkpoint that is not a prefix of the mirror: exit 1, fork, not stale" "$? $(printf '%s\n' "$out" | jq -c '[.ok, .fork, .stale]')" '1 [false,true,false]'
case "$(printf '%s\n' "$out" | jq -r .error)" in "the log forked (it shrank)"*) ok "the fork says the log shrank" ;; *) not_ok "the fork says the log shrank" "$out" ;; esac
expect_eq "the shrunk fork is a stored finding" "$(findings "$F2")" '[["fork",null,null]]'

# ---- 3. The honest log: sync, reports, claims, receipts ------------------
S=$T/st-honest
out=$("$AUDIT" sync --log "$URL1" --vkey "$LVKEY" --state "$S" --json)
expect_eq "honest ledgerd log: exit 0, 157 entries, 0 findings" "$? $(printf '%s\n' "$out" | jq -c '[.ok, .size, .findings]')" '0 [true,157,0]'
expect_eq "report: 157 entries, no findings" "$("$AUDIT" report --state "$S" --json | jq -c '[.entries, (.findings | length)]')" '[157,0]'

# Ledger export as it was at 157, for the tamper tests below.
"$LEDGERD" export --data "$L" --out "$WWW/e1" >/dev/null 2>&1

# More entries (crossing the first full tile), a retirement and a reversal.
tgt=$(sed -n 2p r1.jsonl | jq .index)
{
	credits 200 40 2024-07-03 more
	printf '{"kind":"retire","account":"u-1","grams":100,"beneficiary":"Green Conference","time":"2024-07-10","dedup":"%s"}\n' "$(dedup retire-1)"
	printf '{"kind":"reverse","target":%s,"reason":"duplicate ride","time":"2024-07-11","dedup":"%s"}\n' "$tgt" "$(dedup reverse-1)"
} >c4.jsonl
check "submit 200 credits, a retirement and a reversal" "$LEDGER" submit --server "$URL1" --key city.key --batch 250 c4.jsonl
out=$("$AUDIT" sync --log "$URL1" --vkey "$LVKEY" --state "$S")
rc=$?
case "$out" in
"verified 360 entries (203 new)"*"0 findings (0 new)"*) ok "the resumed sync verifies only the 203 new entries" ;;
*) not_ok "the resumed sync verifies only the 203 new entries" "$out" ;;
esac
expect_eq "resumed sync exits 0" "$rc" 0
expect_eq "report after the resumed sync: 360 entries, no findings" "$("$AUDIT" report --state "$S" --json | jq -c '[.entries, (.findings | length)]')" '[360,0]'
expect_eq "a sync with nothing new is a no-op" "$("$AUDIT" sync --log "$URL1" --vkey "$LVKEY" --state "$S" --json | jq -c '[.ok, .previous_size, .size]')" '[true,360,360]'

expect_rc "report --md" 0 "$AUDIT" report --state "$S" --md report.md
case "$(cat report.md)" in
*"| credited g | retired g | reversed g | entries |"*"|---|---:|---:|---:|---:|"*"| city | 28240 | 100 | 80 | 355 |"*) ok "the Markdown report has tables" ;;
*) not_ok "the Markdown report has tables" "$(cat report.md)" ;;
esac
expect_rc "report --html" 0 "$AUDIT" report --state "$S" --html report.html
expect_eq "the HTML report draws inline SVG" "$(grep -c '<svg' report.html | awk '{print ($1 > 0)}')" 1
expect_eq "the HTML report links nothing but the SVG namespace" "$(grep -oE 'https?://[^"'\'' <>)]*' report.html | sort -u | grep -vx 'http://www.w3.org/2000/svg')" ""
expect_eq "the HTML report loads nothing" "$(grep -ciE '<(script|link|img|iframe)|src=|@import|url\(' report.html)" 0

# verify-claim: the issuer's credits net of reversals, 28,160 g.
held=$(curl -s -H "$J" "$URL1/v1/issuers/city" | jq '.credited_grams - .reversed_grams')
expect_eq "the server agrees: 353 credits x 80 g - 80 g reversed" "$held" 28160
out=$("$AUDIT" verify-claim --state "$S" --issuer city --grams 28160)
expect_eq "verify-claim of the exact total: PASS, exit 0" "$? $(printf '%s\n' "$out" | head -1 | cut -d: -f1)" "0 PASS"
out=$("$AUDIT" verify-claim --state "$S" --issuer city --grams 27000)
expect_eq "verify-claim of less: PASS" "$? $(printf '%s\n' "$out" | head -1 | cut -d: -f1)" "0 PASS"
out=$("$AUDIT" verify-claim --state "$S" --issuer city --grams 28505)
expect_eq "verify-claim of 345 g more: INFLATED by 345 g, exit 1" "$? $(printf '%s\n' "$out" | head -1 | cut -d: -f1)" "1 INFLATED by 345 g"
expect_eq "verify-claim --json" "$("$AUDIT" verify-claim --state "$S" --issuer city --grams 28505 --json | jq -c '[.verdict, .ledger_grams, .inflated_by_grams, .index]')" '["INFLATED",28160,345,359]'
printf '%s\n' "$out" | sed -n '/^c2sp.org\/tlog-proof@v1$/,$p' >claim.tlog-proof
check "verify-claim's proof is a receipt of the issuer's last entry" "$LEDGER" verify --vkey "$LVKEY" claim.tlog-proof
expect_eq "verify-claim --until before any entry holds 0 g" "$("$AUDIT" verify-claim --state "$S" --issuer city --grams 1 --until 2024-01-01 --json | jq -c '[.verdict, .ledger_grams]')" '["INFLATED",0]'
expect_rc "verify-claim of an unknown issuer fails" 1 "$AUDIT" verify-claim --state "$S" --issuer nobody --grams 1

# check-receipt: a receipt from ledger submit, then tampered.
sed -n 7p r1.jsonl | jq -j .receipt >ok.tlog-proof
out=$("$AUDIT" check-receipt --state "$S" ok.tlog-proof)
expect_eq "check-receipt OK for a receipt from ledger submit" "$? $(printf '%s\n' "$out" | cut -d' ' -f2)" "0 OK:"
sed '3s/^./X/' ok.tlog-proof >bad.tlog-proof
out=$("$AUDIT" check-receipt --state "$S" bad.tlog-proof)
expect_eq "check-receipt FAILED for a tampered receipt" "$? $(printf '%s\n' "$out" | cut -d' ' -f2)" "1 FAILED:"
out=$("$AUDIT" check-receipt --state "$S" ok.tlog-proof bad.tlog-proof)
expect_eq "check-receipt with one good and one bad receipt exits 1" "$?" 1

# ---- 4. Tampered tiles and entry bundles ----------------------------------
if [ -n "$NURL" ]; then
	"$LEDGERD" export --data "$L" --out "$WWW/e2" >/dev/null 2>&1
	expect_eq "exports at 157 and 360" "$(sed -n 2p "$WWW/e1/checkpoint") $(sed -n 2p "$WWW/e2/checkpoint")" "157 360"
	cp -a "$WWW/e2" "$WWW/bundle"
	cp -a "$WWW/e2" "$WWW/tile"
	cp -a "$WWW/e2" "$WWW/fulltile"
	cp -a "$WWW/e2" "$WWW/trailing"
	printf 'x' >>"$WWW/trailing/tile/entries/001.p/104"
	b=$WWW/bundle/tile/entries/001.p/104
	flip "$b" $(($(wc -c <"$b") / 2))
	# A partial hash tile (its hashes make the root) and a full one
	# (authenticated by the level-1 tile above it, not by the root).
	flip "$WWW/tile/tile/0/001.p/104" $((32 * 50 + 7))
	flip "$WWW/fulltile/tile/0/000" 100
	for what in bundle tile fulltile trailing; do
		ST=$T/st-$what
		expect_rc "$what: first sync the honest export at 157" 0 "$AUDIT" sync --log "$NURL/e1" --vkey "$LVKEY" --state "$ST"
		out=$("$AUDIT" sync --log "$NURL/$what" --vkey "$LVKEY" --state "$ST" --json)
		expect_eq "tampered $what: exit 1, root mismatch" "$? $(printf '%s\n' "$out" | jq -c '[.ok, .root_mismatch, .fork]')" '1 [false,true,false]'
		expect_eq "tampered $what: a transport fault the signed root caught is not stored as a finding" "$("$AUDIT" report --state "$ST" --json | jq -c '[.findings[].code]')" '[]'
		expect_eq "tampered $what: the mirror still holds 157 entries" "$(entries "$ST")" 157
		expect_eq "tampered $what: the verified checkpoint is still 157" "$(sed -n 2p "$ST/checkpoint")" 157
		out=$("$AUDIT" sync --log "$NURL/e2" --vkey "$LVKEY" --state "$ST" --json)
		expect_eq "tampered $what: the honest export then syncs: exit 0, no finding" "$? $(printf '%s\n' "$out" | jq -c '[.ok, .size, .new_findings, .findings]')" '0 [true,360,0,0]'
		expect_eq "tampered $what: the mirror then holds 360 entries" "$(entries "$ST")" 360
	done
	# A consistent older checkpoint (a lagging cache) is stale, not a
	# fork: no finding, exit status unchanged, the mirror untouched.
	ST=$T/st-trailing
	out=$("$AUDIT" sync --log "$NURL/e1" --vkey "$LVKEY" --state "$ST" --json)
	expect_eq "an older consistent checkpoint: exit 0, stale, no fork" "$? $(printf '%s\n' "$out" | jq -c '[.ok, .stale, .fork, .findings]')" '0 [true,true,false,0]'
	expect_eq "stale: nothing stored, the mirror keeps 360" "$(findings "$ST") $(entries "$ST") $(sed -n 2p "$ST/checkpoint")" "[] 360 360"
	out=$("$AUDIT" sync --log "$NURL/e1" --vkey "$LVKEY" --state "$ST")
	case "$out" in "stale: the log served checkpoint 157, older than checkpoint 360"*) ok "sync says stale in text" ;; *) not_ok "sync says stale in text" "$out" ;; esac
	out=$("$AUDIT" sync --log "$NURL/bundle" --vkey "$LVKEY" --state "$T/st-fresh" --json)
	expect_eq "a tampered bundle into a fresh mirror: exit 1, root mismatch" "$? $(printf '%s\n' "$out" | jq -c '[.root_mismatch]')" '1 [true]'
	expect_eq "a fresh mirror stays empty" "$(entries "$T/st-fresh")" 0
	expect_eq "the honest export syncs with 0 findings" "$("$AUDIT" sync --log "$NURL/e2" --vkey "$LVKEY" --state "$T/st-export" --json | jq -c '[.ok, .size, .findings]')" '[true,360,0]'
fi

# ---- 5. Cross-log double claims -------------------------------------------
X=$T/other
init_log "$X" example.org/other || { not_ok "init the second log"; e2e_end; }
XVKEY=$VKEY
start_server "$X" || { not_ok "the second ledgerd starts"; e2e_end; }
URLX=$URL
"$LEDGER" admin add-issuer --server "$URLX" --token-file "$X/admin.token" --vkey "$(cat city.vkey)" --name City >/dev/null
"$LEDGER" admin add-method --server "$URLX" --token-file "$X/admin.token" bus.json >/dev/null
{ sed -n 5p c1.jsonl; credits 2 2 2024-07-05 elsewhere; } >cx.jsonl
check "the same input line credited in a second log" "$LEDGER" submit --server "$URLX" --key city.key cx.jsonl
SX=$T/st-other
expect_rc "sync the second log: exit 0" 0 "$AUDIT" sync --log "$URLX" --vkey "$XVKEY" --state "$SX"
out=$("$AUDIT" cross --state "$S" --state "$SX" --json)
expect_eq "cross: exit 1 and one double claim" "$? $(printf '%s\n' "$out" | jq -c '[.pairs[] | [.kind, .a.index, .b.index]]')" "1 [[\"duplicate-dedup\",$(sed -n 5p r1.jsonl | jq .index),3]]"
out=$("$AUDIT" cross --state "$S" --state "$SX")
case "$out" in *"1 double claims across 2 logs"*) ok "cross prints the pair and a count" ;; *) not_ok "cross prints the pair and a count" "$out" ;; esac
if [ -n "$NURL" ]; then
	expect_rc "cross between unrelated logs: exit 0" 0 "$AUDIT" cross --state "$S" --state "$T/st-none"
fi
out=$("$AUDIT" check-receipt --state "$SX" ok.tlog-proof)
expect_eq "check-receipt of another log's receipt: FAILED" "$?" 1

stop_server
e2e_end
