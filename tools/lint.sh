#!/bin/sh
# lint.sh - each outside library is included by one module only; the
# auditor's finding codes are exactly those docs/auditors.md documents,
# and every rule of common/rules.c is mapped to one of them.
set -u
rc=0
check() {	# check HEADER-REGEX ALLOWED-FILES...
	pat=$1; shift
	found=$(grep -lE "#include <($pat)" merkle/*.c common/*.c ledgerd/*.c \
	    client/*.c audit/*.c 2>/dev/null | sort)
	for f in $found; do
		ok=0
		for a in "$@"; do [ "$f" = "$a" ] && ok=1; done
		if [ $ok = 0 ]; then
			echo "lint: $f includes <$pat> (only $* may)" >&2
			rc=1
		fi
	done
}
check 'lmdb\.h' common/store.c
check 'event2/' ledgerd/http.c ledgerd/conn.c common/fetch.c
check 'msgpack\.h' common/codec.c
check 'jansson\.h' common/json.c
# TLS (common/tls.c) is OpenSSL too; fetch.c gets SSL objects from it.
check 'openssl/' merkle/hash.c common/sig.c common/tls.c

# No include cycle among the files of one folder: X.c or X.h including
# Y.h (Y.c or Y.h in the same folder) is an arrow X -> Y; tsort finds loops.
for d in merkle common ledgerd client audit; do
	[ -d "$d" ] || continue
	edges=$(for f in "$d"/*.c "$d"/*.h; do
		[ -e "$f" ] || continue
		x=$(basename "$f"); x=${x%.*}
		grep -oE '^#include "[a-z0-9_]+\.h"' "$f" | sed 's/.*"\(.*\)\.h"/\1/' |
		while read -r y; do
			[ "$y" != "$x" ] && { [ -e "$d/$y.h" ] || [ -e "$d/$y.c" ]; } &&
			    echo "$x $y"
		done
	done | sort -u)
	if ! printf '%s\n' "$edges" | tsort >/dev/null 2>"${TMPDIR:-/tmp}/lint-tsort.$$"; then
		echo "lint: include cycle in $d/ (X -> Y: X includes Y.h):" >&2
		grep -v 'input contains a loop' "${TMPDIR:-/tmp}/lint-tsort.$$" |
		    sed 's/^tsort: /lint:   /' >&2
		rc=1
	fi
	rm -f "${TMPDIR:-/tmp}/lint-tsort.$$"
done
# ledgerd's layers: below the route layer (the core, the sequencer, the
# renderers, metrics, export) nothing includes the HTTP layer's header.
for f in ledgerd/core.[ch] ledgerd/seq.[ch] ledgerd/reply.[ch] \
    ledgerd/metrics.[ch] ledgerd/export.[ch] ledgerd/query.[ch] \
    ledgerd/cp.c ledgerd/ledgerd.h; do
	[ -e "$f" ] || continue
	if grep -qE '^#include "(http|route|api|read|parse)\.h"' "$f"; then
		echo "lint: $f is below the route layer and includes $(grep -oE '^#include "(http|route|api|read|parse)\.h"' "$f" | head -1 | cut -d'"' -f2)" >&2
		rc=1
	fi
done

# Finding codes: audit/finding.c's finding_codes[] against the codes
# documented under "## Findings" in docs/auditors.md (**`code`** or a
# table row | `code` |).
src=$(sed -n '/^const char \*const finding_codes\[\] = {/,/NULL/p' audit/finding.c |
    grep -oE '"[a-z-]+"' | tr -d '"' | sort -u)
doc=$(sed -n '/^## Findings/,/^## [^#]/p' docs/auditors.md |
    grep -oE '^\*\*`[a-z-]+`\*\*|^\| `[a-z-]+` \|' | grep -oE '[a-z-]+' | sort -u)
if [ -z "$src" ] || [ "$src" != "$doc" ]; then
	echo "lint: finding codes differ between audit/finding.c and docs/auditors.md:" >&2
	printf '%s\n' "$src" >"${TMPDIR:-/tmp}/lint-src.$$"
	printf '%s\n' "$doc" >"${TMPDIR:-/tmp}/lint-doc.$$"
	diff "${TMPDIR:-/tmp}/lint-src.$$" "${TMPDIR:-/tmp}/lint-doc.$$" | sed 's/^/lint:   /' >&2
	rm -f "${TMPDIR:-/tmp}/lint-src.$$" "${TMPDIR:-/tmp}/lint-doc.$$"
	rc=1
fi
# Every rule name common/rules.c fails with has a row in rule_codes
# ("store", the state store failing, stops a replay: no finding).
for r in $(grep -oE 'fail\(e, LD_[A-Z]+, "[a-z-]+"' common/rules.c |
    grep -oE '"[a-z-]+"' | tr -d '"' | grep -vx store | sort -u); do
	grep -q "{ \"$r\", \"" audit/finding.c || {
		echo "lint: rule $r of common/rules.c has no finding code in audit/finding.c" >&2
		rc=1
	}
done
[ $rc = 0 ] && echo "lint: ok"
exit $rc
