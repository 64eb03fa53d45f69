#!/bin/sh
# js.sh - the JavaScript library (web/ledger-verify.mjs) gives the C
# code's verdicts. A real ledgerd on loopback gets an issuer, a method,
# credits, a retirement and a reversal through the real `ledger` CLI;
# `ledger receipt` fetches a receipt of each leaf kind, `ledger verify`
# accepts them. tests/tools/jsvectors then writes, with the C verdicts:
# those receipts and every single-bit flip of each (client_verify_receipt,
# what `ledger verify` runs), leaves of every kind and their bit flips,
# Merkle proofs at every size to 64 (honest and tampered), policies and
# cosigned checkpoints. node --test runs tests/js/verify.test.mjs over
# them and over the transparency-dev/merkle cases.
. tests/e2e/lib.sh
e2e_begin js

if ! command -v node >/dev/null 2>&1; then
	not_ok "node is installed (make deps installs nodejs)"
	e2e_end
fi
NODE_V=$(node --version)
echo "# node $NODE_V"
# Ed25519 in WebCrypto: Node.js 20 has it; an older node (Debian 12's 18)
# may not. Skipped, saying so, never passed silently.
if ! node --input-type=module -e '
import { ed25519Available } from "./web/ledger-verify.mjs";
process.exit(await ed25519Available() ? 0 : 1);' 2>/dev/null; then
	echo "# SKIP: node $NODE_V has no Ed25519 in WebCrypto (crypto.subtle); the JavaScript library needs it (Node.js 20 or later)"
	ok "skipped: no WebCrypto Ed25519 in node $NODE_V"
	e2e_end
fi
JSV=$(cd "$B/tests" && pwd)/jsvectors
SRC=$(pwd)
TD=$SRC/../shared/specs/testdata/transparency-dev-merkle
[ -d "$TD" ] || TD=/work/shared/specs/testdata/transparency-dev-merkle

L=$T/log
init_log "$L" example.org/js || { not_ok init; e2e_end; }
start_server "$L" || { not_ok "ledgerd starts"; e2e_end; }
cd "$T"
"$LEDGER" keygen --id city --out city.key >city.vkey
cat >bus.json <<'J'
{"id":"transit.bus.v1","activity":"public transport ride","unit":"ride","grams_per_unit":80,"max_grams_per_event":80,"max_grams_per_account_day":400,"valid_from":"2024-01-01","max_event_age_days":36500,"reference":"https://example.org/methods/bus"}
J
check "add issuer" "$LEDGER" admin add-issuer --server "$URL" --token-file "$TOKEN" --vkey "$(cat city.vkey)" --name "City 北京"
check "add method" "$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" bus.json
credits 5 2 2024-07-01 js >c1.jsonl
check "submit 5 credits" "$LEDGER" submit --server "$URL" --key city.key --receipts r1.jsonl c1.jsonl
# Leaves: 0 issuer, 1 method, 2 batch, 3..7 credits (u-0, u-1, ...).
printf '{"kind":"retire","account":"u-0","grams":80,"beneficiary":"Acme Ltd — report 2024","time":"2024-07-10","dedup":"%s"}\n' "$(dedup js-ret)" >ret.jsonl
check "submit a retirement" "$LEDGER" submit --server "$URL" --key city.key ret.jsonl
printf '{"kind":"reverse","target":4,"reason":"duplicate ride","time":"2024-07-11","dedup":"%s"}\n' "$(dedup js-rev)" >rev.jsonl
check "submit a reversal" "$LEDGER" submit --server "$URL" --key city.key rev.jsonl
# 8 batch, 9 retire, 10 batch, 11 reverse.
files=""
for i in 0 1 2 3 7 9 11; do
	if "$LEDGER" receipt --server "$URL" $i >r$i.tlog-proof 2>r$i.err; then
		files="$files r$i.tlog-proof"
	else
		not_ok "receipt of leaf $i" "$(cat r$i.err)"
	fi
done
# shellcheck disable=SC2086
check "ledger verify accepts the receipts" "$LEDGER" verify --vkey "$VKEY" $files
echo "$VKEY" >vkey
# shellcheck disable=SC2086
check "C vectors: receipts and their bit flips" sh -c "'$JSV' receipts '$VKEY' $files >receipts.json"
check "C vectors: leaves" sh -c "'$JSV' leaves >leaves.json"
check "C vectors: merkle proofs" sh -c "'$JSV' merkle 64 >merkle.json"
check "C vectors: policies" sh -c "'$JSV' policy >policy.json"
# The C side itself: every receipt accepted, some flips not.
expect_eq "C accepts every real receipt" \
    "$(grep -c '"ok":true' receipts.json)" 7

cd "$SRC"
JSV_DIR=$T JSV_TESTDATA=$TD node --test tests/js/ >"$T/node.out" 2>&1
rc=$?
cat "$T/node.out"
npass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$T/node.out")
nfail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$T/node.out")
expect_eq "node --test: no failure (exit $rc)" "$rc:${nfail:-?}" "0:0"
if [ "${npass:-0}" -ge 9 ]; then ok "node --test: $npass JavaScript tests pass"
else not_ok "node --test: $npass tests pass, want 9"; fi
e2e_end
