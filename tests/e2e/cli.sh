#!/bin/sh
# cli.sh - the command line of ledger and ledger-audit (common/cli.c):
# --help on stdout with exit 0, usage errors on stderr with exit 2, the
# short forms, options taken in command-line order, and the exit codes.
# No server: what is checked here happens before any request.
. tests/e2e/lib.sh
e2e_begin cli
cd "$T" || exit 1

# cli_case DESC WANT_RC WANT_STREAM TEXT CMD...: exit WANT_RC, TEXT in
# WANT_STREAM (out or err), and nothing on the other stream.
cli_case() {
	d=$1; want=$2; stream=$3; text=$4; shift 4
	"$@" >out.txt 2>err.txt; rc=$?
	if [ "$stream" = out ]; then in=out.txt; other=err.txt; else
		in=err.txt; other=out.txt; fi
	if [ "$rc" = "$want" ] && grep -qF -- "$text" "$in" && [ ! -s "$other" ]
	then ok "$d"; else
		not_ok "$d" "exit $rc (want $want), want \"$text\" on std$stream
stdout: $(head -3 out.txt)
stderr: $(head -3 err.txt)"
	fi
}

"$LEDGER" keygen --id cli --out cli.key >/dev/null 2>&1 || not_ok "keygen"
VK=$(cat cli.key.vkey)

# keygen --witness: a cosignature/v1 key (vkey type 0x04) named by a key
# name, its vkey printed and written beside it; bad names refused.
if "$LEDGER" keygen --witness --id witness.example.org/w1 --out w1.key \
    >w1.out 2>w1.err && [ ! -s w1.err ] &&
    grep -qxE 'witness\.example\.org/w1\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}' \
    w1.out && cmp -s w1.out w1.key.vkey &&
    [ "$(sed "s/^[^+]*+[^+]*+//" w1.out | base64 -d | od -An -tx1 -N1 | tr -d ' ')" = 04 ] &&
    [ "$(stat -c %a w1.key)" = 600 ] &&
    grep -q "^PRIVATE+KEY+witness.example.org/w1+$(cut -d+ -f2 w1.out)+" w1.key
then ok "keygen --witness: a type 0x04 vkey printed and in FILE.vkey, key 0600"
else not_ok "keygen --witness" "$(cat w1.out w1.err)"; fi
[ "$(sed "s/^[^+]*+[^+]*+//" cli.key.vkey | base64 -d | od -An -tx1 -N1 | tr -d ' ')" = 01 ] &&
    ok "keygen without --witness: a type 0x01 vkey" ||
    not_ok "keygen without --witness: type 0x01"
cli_case "keygen --witness --id with a space: exit 2" 2 err \
    "ledger: --id of a witness key must be a key name" \
    "$LEDGER" keygen --witness --id "w 1" --out w2.key
cli_case "keygen --witness --id with a +: exit 2" 2 err \
    "ledger: --id of a witness key must be a key name" \
    "$LEDGER" keygen --witness --id "w+1" --out w2.key
cli_case "keygen --id with a / (an issuer id): exit 2" 2 err \
    "ledger: --id must be 1..64 of" \
    "$LEDGER" keygen --id witness.example.org/w1 --out w2.key
cli_case "keygen --witness refuses to overwrite: exit 1" 1 err \
    "exists (refusing to overwrite a key)" \
    "$LEDGER" keygen --witness --id witness.example.org/w1 --out w1.key
NOSERVER=http://127.0.0.1:1

# Every command of ledger: --help and -h, an unknown option.
for c in keygen submit verify checkpoint get receipt account totals; do
	cli_case "ledger $c --help: stdout, exit 0" 0 out "usage: ledger $c " \
	    "$LEDGER" $c --help
	cli_case "ledger $c -h: stdout, exit 0" 0 out "usage: ledger $c " \
	    "$LEDGER" $c -h
	cli_case "ledger $c --bogus: stderr, exit 2" 2 err \
	    "unrecognized option '--bogus'" "$LEDGER" $c --bogus
done
cli_case "ledger admin add-issuer --help: stdout, exit 0" 0 out \
    "usage: ledger admin add-issuer" "$LEDGER" admin add-issuer --help
cli_case "ledger admin with no subcommand: usage, exit 2" 2 err \
    "usage: ledger admin add-issuer" "$LEDGER" admin
cli_case "ledger --help: the commands on stdout, exit 0" 0 out \
    "exit codes: 0 ok, 1 verification failed or rejected, 2 usage, 3 network" \
    "$LEDGER" --help
cli_case "ledger alone: usage, exit 2" 2 err "usage: ledger COMMAND" "$LEDGER"
cli_case "ledger bogus: unknown command, exit 2" 2 err \
    "ledger: unknown command bogus" "$LEDGER" bogus

# Usage errors of options and operands.
cli_case "a missing option argument: exit 2" 2 err \
    "option '--server' requires an argument" "$LEDGER" get --server
cli_case "a missing operand: usage, exit 2" 2 err "usage: ledger get " \
    "$LEDGER" get --server "$NOSERVER"
cli_case "a missing required option: usage, exit 2" 2 err \
    "usage: ledger verify " "$LEDGER" verify r.tlog-proof
cli_case "--server required" 2 err "ledger: --server URL is required" \
    "$LEDGER" submit --key cli.key in.jsonl
cli_case "--batch 0 refused, exit 2" 2 err "ledger submit: --batch is 1..10000" \
    "$LEDGER" submit --server "$NOSERVER" --key cli.key --batch 0 in.jsonl
cli_case "--inflight 17 refused, exit 2" 2 err "ledger submit: --inflight is 1..16" \
    "$LEDGER" submit --server "$NOSERVER" --key cli.key --inflight 17 in.jsonl
cli_case "a bad --vkey: exit 2" 2 err "--vkey nokey is neither a verifier key" \
    "$LEDGER" verify --vkey nokey r.tlog-proof
cli_case "options in order: a bad --vkey before --help is the error" 2 err \
    "--vkey nokey is neither" "$LEDGER" submit --vkey nokey --help
cli_case "options in order: --help before a bad --vkey is help" 0 out \
    "usage: ledger submit " "$LEDGER" submit --help --vkey nokey
cli_case "an unreadable --cacert: exit 2" 2 err "cannot load CA certificates" \
    "$LEDGER" get --server https://127.0.0.1:1 --cacert nosuch.pem 5

# Short forms and unique prefixes still work; exit 1 and 3.
cli_case "verify -k -q: a missing receipt fails, exit 1" 1 out \
    "0 verified, 1 failed" "$LEDGER" verify -k "$VK" -q nosuch.tlog-proof
cli_case "verify --vk (a prefix): exit 1" 1 out "0 verified, 1 failed" \
    "$LEDGER" verify --vk "$VK" --q nosuch.tlog-proof
"$LEDGER" verify --vkey "$VK" --json nosuch.tlog-proof >out.txt 2>err.txt
rc=$?
if [ "$rc" = 1 ] && grep -qF '"ok":false' out.txt &&
    grep -qF "0 verified, 1 failed" err.txt; then
	ok "verify --json: the failure as JSON, the tally on stderr, exit 1"
else
	not_ok "verify --json: the failure as JSON, the tally on stderr, exit 1" \
	    "exit $rc: $(cat out.txt err.txt)"
fi
cli_case "get -s -j with no server: exit 3" 3 err "cannot reach 127.0.0.1:1" \
    "$LEDGER" get -s "$NOSERVER" -j 5

# ledger-audit: every command takes --help; usage errors exit 2.
for c in sync report verify-claim cross check-receipt; do
	cli_case "ledger-audit $c --help: stdout, exit 0" 0 out \
	    "ledger-audit $c --" "$AUDIT" $c --help
	cli_case "ledger-audit $c --bogus: stderr, exit 2" 2 err \
	    "unrecognized option '--bogus'" "$AUDIT" $c --bogus
done
cli_case "ledger-audit --help: stdout, exit 0" 0 out \
    "exit: 0 every check passed" "$AUDIT" --help
cli_case "ledger-audit alone: usage, exit 2" 2 err "usage: ledger-audit sync" \
    "$AUDIT"
cli_case "ledger-audit sync without --state: usage, exit 2" 2 err \
    "usage: ledger-audit sync" "$AUDIT" sync --log "$NOSERVER" --vkey "$VK"
cli_case "ledger-audit --grams abc: usage, exit 2" 2 err \
    "usage: ledger-audit sync" "$AUDIT" verify-claim -s st -i x --grams abc
cli_case "ledger-audit: 17 --state refused, exit 2" 2 err \
    "usage: ledger-audit sync" "$AUDIT" cross -s 1 -s 2 -s 3 -s 4 -s 5 \
    -s 6 -s 7 -s 8 -s 9 -s 10 -s 11 -s 12 -s 13 -s 14 -s 15 -s 16 -s 17
cli_case "ledger-audit sync -l -k -s with no server: exit 3" 3 err \
    "cannot reach 127.0.0.1:1" "$AUDIT" sync -l "$NOSERVER" -k cli.key.vkey \
    -s st
e2e_end
