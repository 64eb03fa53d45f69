#!/bin/sh
# lint.sh - tools/lint.sh as a test: module boundaries, the auditor's
# finding codes exactly as docs/auditors.md documents them, and the
# architecture checks (include cycles, file size, the HTTP layer), each
# seen to fail on a violation planted in a scratch copy of the tree.
. tests/e2e/lib.sh
e2e_begin lint
cd "$(dirname "$0")/../.." || exit 1
check "tools/lint.sh" sh tools/lint.sh

TOP=$(pwd)
# fresh: a scratch copy of what lint.sh reads, in $T/tree.
fresh() {
	rm -rf "$T/tree"
	mkdir -p "$T/tree"
	cp -R merkle common ledgerd client audit docs tools "$T/tree" || exit 1
}
# lint_in WANT_RC PATTERN DESCRIPTION: lint.sh in the scratch copy exits
# WANT_RC and prints a line matching PATTERN (grep -E).
lint_in() {
	out=$(cd "$T/tree" && sh tools/lint.sh 2>&1); rc=$?
	if [ "$rc" = "$1" ] && printf '%s\n' "$out" | grep -qE "$2"; then
		ok "$3"
	else
		not_ok "$3" "exit $rc (want $1), want a line matching $2:
$out"
	fi
}
# add_line FILE LINE: insert LINE after the first #include of FILE.
add_line() {
	awk -v l="$2" '{ print } /^#include/ && !d { print l; d = 1 }' \
	    "$T/tree/$1" >"$T/tree/$1.new" && mv "$T/tree/$1.new" "$T/tree/$1"
}

# allow FILE-ENTRY: add KIND:WHAT to the copy's LINT_ALLOW.
allow() {
	awk -v e="$1" '{ print } /^LINT_ALLOW="$/ { print e "\t# test" }' \
	    "$T/tree/tools/lint.sh" >"$T/tree/tools/lint.sh.new" &&
	    mv "$T/tree/tools/lint.sh.new" "$T/tree/tools/lint.sh"
}

# Known violations in LINT_ALLOW are warnings, not failures.
fresh
awk '{ print } END { for (i = NR; i < 950; i++) print "/* pad */" }' \
    client/input.c >"$T/tree/client/input.c"
allow size:client/input.c
lint_in 0 '^lint: warning \(allowed for now, size:client/input\.c\)' \
    "allow-listed violations are warnings"

# (a) include cycles among one folder's files.
fresh
add_line common/codec.h '#include "json.h"'
lint_in 1 '^lint: include cycle in common/: codec -> json -> codec ' \
    "a two-file include cycle (codec.h -> json.h, json.c -> codec.h) fails"
fresh
add_line audit/finding.h '#include "claim.h"'
add_line audit/claim.c '#include "replay.h"'
lint_in 1 '^lint: include cycle in audit/: claim -> replay -> finding -> claim ' \
    "a three-file include cycle in audit/ fails"
fresh
add_line common/codec.h '#include "codec.h"'
lint_in 0 '^lint: ok' "a file including its own header is no cycle"

# (b) no source file outside tests/ over 900 lines.
fresh
n=$(wc -l <client/input.c)
while [ "$n" -lt 900 ]; do echo "/* pad */" >>"$T/tree/client/input.c"; n=$((n + 1)); done
lint_in 0 '^lint: ok' "a file of exactly 900 lines passes"
echo "/* pad */" >>"$T/tree/client/input.c"
lint_in 1 '^lint: client/input\.c has 901 lines \(more than 900\)' \
    "a file of 901 lines fails"
fresh
mkdir -p "$T/tree/tests/unit"
awk 'BEGIN { for (i = 0; i < 2000; i++) print "/* long test */" }' \
    >"$T/tree/tests/unit/t_long.c"
lint_in 0 '^lint: ok' "tests/ is exempt from the size limit"

# (c) below the route layer nothing includes common/httpd.h.
fresh
add_line ledgerd/export.c '#include "httpd.h"'
lint_in 1 "^lint: ledgerd/export\\.c includes the HTTP layer's common/httpd\\.h" \
    "ledgerd/export.c including httpd.h fails"
fresh
add_line ledgerd/seq.h '#include "httpd.h"'
lint_in 1 "^lint: ledgerd/seq\\.h includes the HTTP layer's common/httpd\\.h" \
    "a header below the routes (seq.h) including httpd.h fails"
# An allow-list entry whose violation is gone is reported, not failed.
fresh
allow http:ledgerd/export.c
lint_in 0 '^lint: note: http:ledgerd/export\.c is allowed .* no longer occurs' \
    "a stale allow-list entry is noted"
e2e_end
