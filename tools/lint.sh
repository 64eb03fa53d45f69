#!/bin/sh
# lint.sh - each outside library is included by one module only; store.h
# includes no rules header (the store keeps bytes, rules_store.c gives
# them meaning); the
# auditor's finding codes are exactly those docs/auditors.md documents,
# and every rule of common/rules.c is mapped to one of them.
set -u
rc=0
check() {	# check HEADER-REGEX ALLOWED-FILES...
	pat=$1; shift
	found=$(grep -lE "#include <($pat)" merkle/*.[ch] common/*.[ch] \
	    ledgerd/*.[ch] client/*.[ch] audit/*.[ch] 2>/dev/null | sort)
	for f in $found; do
		ok=0
		for a in "$@"; do [ "$f" = "$a" ] && ok=1; done
		if [ $ok = 0 ]; then
			echo "lint: $f includes <$pat> (only $* may)" >&2
			rc=1
		fi
	done
}
# The store module: its three parts and their private header.
check 'lmdb\.h' common/store.c common/store_index.c common/store_tree.c \
    common/store_priv.h
check 'event2/' ledgerd/http.c ledgerd/conn.c common/fetch.c
check 'msgpack\.h' common/codec.c
check 'jansson\.h' common/json.c
# TLS (common/tls.c) is OpenSSL too; fetch.c gets SSL objects from it.
check 'openssl/' merkle/hash.c common/sig.c common/tls.c

# The store knows bytes, not rules: store.h includes no rules header
# (rules.h, rules_store.h), directly or through another of ours.
if grep -nE '#include "rules[a-z_]*\.h"' common/store.h >&2 ||
    printf '#include "store.h"\n' | ${CC:-cc} -E -dM -Icommon -Imerkle \
    -x c - 2>/dev/null | grep -qE '#define (RULES_H|RULES_STORE_H|ENTRY_H)'
then
	echo "lint: common/store.h includes a rules header" >&2
	rc=1
fi

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
