#!/bin/sh
# lint.sh - each outside library is included by one module only; no include
# cycle among the files of one folder; no source file outside tests/ over
# MAX_LINES lines; below the route layer nothing in ledgerd/ includes the
# HTTP layer's header; store.h includes no rules header (the store keeps
# bytes, rules_store.c gives them meaning); the auditor's finding codes are
# exactly those docs/auditors.md documents, and every rule of
# common/rules.c is mapped to one of them. POSIX sh and awk only. Run from the top of the tree.
set -u

# Known violations, reported as warnings (not failures) until the branch
# that removes them lands; the lead empties this list after merging.
# One KIND:WHAT per line (size:FILE, cycle:FOLDER, http:FILE), then a
# comment saying until when. An entry nothing matches any more is printed
# as a note to remove it.
LINT_ALLOW="
"
# Files longer than this (outside tests/) are split along their jobs.
MAX_LINES=900
# The folders whose files must not include each other in a cycle.
CYCLE_DIRS="merkle common ledgerd client audit"
# The HTTP layer and the route layer on top of it: the only files of
# ledgerd/ that may include common/httpd.h (the engine below the routes,
# the sequencer and the parsers, gets requests and replies as plain data).
HTTP_INCLUDERS="ledgerd/main.c ledgerd/route.c \
ledgerd/api.c ledgerd/read.c ledgerd/parse.c"

rc=0
allowed_used=""
# violation KIND WHAT MESSAGE: a failure, or a warning if allow-listed.
violation() {
	if printf '%s\n' "$LINT_ALLOW" | sed 's/#.*//' | tr -d ' \t' |
	    grep -qxF "$1:$2"; then
		echo "lint: warning (allowed for now, $1:$2): $3" >&2
		allowed_used="$allowed_used $1:$2"
	else
		echo "lint: $3" >&2
		rc=1
	fi
}
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
check 'event2/' common/httpd.c common/conn.c common/fetch.c
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
# ledgerd's layers: below the route layer (the core, the sequencer, the
# renderers, metrics, export) nothing includes the HTTP layer's header.
for f in ledgerd/core.[ch] ledgerd/seq.[ch] ledgerd/reply.[ch] \
    ledgerd/metrics.[ch] ledgerd/export.[ch] ledgerd/query.[ch] \
    ledgerd/cp.c ledgerd/ledgerd.h; do
	[ -e "$f" ] || continue
	if grep -qE '^#include "(httpd|route|api|read|parse)\.h"' "$f"; then
		echo "lint: $f is below the route layer and includes $(grep -oE '^#include "(httpd|route|api|read|parse)\.h"' "$f" | head -1 | cut -d'"' -f2)" >&2
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

# Size: no .c or .h outside tests/ (and the build trees) over MAX_LINES.
# One awk reads them all (a process per file is slow on a busy machine).
long=$(find . \( -path ./.git -o -path './build*' -o -path ./tests \) \
    -prune -o \( -name '*.c' -o -name '*.h' \) -print | sed 's|^\./||' |
    sort | xargs awk -v max="$MAX_LINES" '
	FNR == 1 && NR > 1 && n > max { print prev, n }
	{ prev = FILENAME; n = FNR }
	END { if (n > max) print prev, n }')
old_ifs=$IFS; IFS='
'
for l in $long; do
	f=${l% *}; n=${l##* }
	violation size "$f" \
	    "$f has $n lines (more than $MAX_LINES): split it along its jobs"
done
IFS=$old_ifs

# Include cycles: within one folder, X.c or X.h including "Y.h" (a header
# of the same folder) is an arrow X -> Y (X_priv.h is part of module X); a cycle X -> ... -> X among the
# folder's modules is reported once per strongly connected set, with one
# shortest cycle through its first module.
for d in $CYCLE_DIRS; do
	[ -d "$d" ] || continue
	set -- "$d"/*.c "$d"/*.h
	cycles=$(for f; do [ -f "$f" ] && echo "$f"; done | xargs awk '
	# The arrows: "X Y" for X.c or X.h including "Y.h" of the folder.
	# A private header X_priv.h belongs to module X.
	FNR == 1 {
		x = FILENAME; sub(/.*\//, "", x); sub(/\.[ch]$/, "", x)
		sub(/_priv$/, "", x)
	}
	/^[ \t]*#[ \t]*include[ \t]*"[^"\/]*\.h"/ {
		y = $0; sub(/^[^"]*"/, "", y); sub(/\.h".*/, "", y)
		f = y; sub(/_priv$/, "", y)
		if (y != x) print x, y, f
	}' | sort -u | while read -r x y f; do
		[ -f "$d/$f.h" ] && echo "$x $y"
	done | awk '
	{ if (!(($1, $2) in E)) { E[$1, $2] = 1; out[$1] = out[$1] " " $2 }
	  node[$1] = 1; node[$2] = 1 }
	# Tarjan: strongly connected components.
	function visit(v,    i, n, w, a) {
		idx[v] = lowl[v] = ++counter; stack[++sp] = v; on[v] = 1
		n = split(out[v], a, " ")
		for (i = 1; i <= n; i++) {
			w = a[i]
			if (!(w in idx)) {
				visit(w)
				if (lowl[w] < lowl[v]) lowl[v] = lowl[w]
			} else if (on[w] && idx[w] < lowl[v])
				lowl[v] = idx[w]
		}
		if (lowl[v] == idx[v]) {
			ncomp++
			do { w = stack[sp--]; on[w] = 0; comp[w] = ncomp } while (w != v)
		}
	}
	# A shortest path v -> ... -> v inside v s component (BFS).
	function cycle_of(v,    q, h, t, u, i, n, a, w, prev, seen, p, s) {
		h = 1; t = 0; n = split(out[v], a, " ")
		for (i = 1; i <= n; i++)
			if (comp[a[i]] == comp[v] && !(a[i] in seen)) {
				seen[a[i]] = 1; prev[a[i]] = v; q[++t] = a[i]
			}
		while (h <= t) {
			u = q[h++]
			if (u == v) break
			n = split(out[u], a, " ")
			for (i = 1; i <= n; i++) {
				w = a[i]
				if (comp[w] == comp[v] && !(w in seen)) {
					seen[w] = 1; prev[w] = u; q[++t] = w
				}
			}
		}
		s = v; p = prev[v]
		while (p != v) { s = p " -> " s; p = prev[p] }
		return v " -> " s
	}
	END {
		# Visit in sorted order for a stable report.
		nn = 0; for (v in node) names[++nn] = v
		for (i = 2; i <= nn; i++)
			for (j = i; j > 1 && names[j - 1] > names[j]; j--) {
				tmp = names[j]; names[j] = names[j - 1]; names[j - 1] = tmp
			}
		for (i = 1; i <= nn; i++)
			if (!(names[i] in idx)) visit(names[i])
		for (i = 1; i <= nn; i++) size[comp[names[i]]]++
		for (i = 1; i <= nn; i++) {
			c = comp[names[i]]
			if (size[c] < 2 || (c in done)) continue
			done[c] = 1; members = ""
			for (j = 1; j <= nn; j++)
				if (comp[names[j]] == c) members = members " " names[j]
			print cycle_of(names[i]) " (all of" members " are on cycles)"
		}
	}')
	[ -n "$cycles" ] || continue
	old_ifs=$IFS; IFS='
'
	for c in $cycles; do
		violation cycle "$d" "include cycle in $d/: $c"
	done
	IFS=$old_ifs
done

# The HTTP layer: only HTTP_INCLUDERS include common/httpd.h.
for f in ledgerd/*.c ledgerd/*.h; do
	[ -f "$f" ] || continue
	grep -q '^[ 	]*#[ 	]*include[ 	]*"httpd\.h"' "$f" || continue
	ok=0
	for a in $HTTP_INCLUDERS; do [ "$f" = "$a" ] && ok=1; done
	[ $ok = 1 ] || violation http "$f" "$f includes the HTTP layer's \
common/httpd.h (only HTTP_INCLUDERS in tools/lint.sh may: below the routes, \
requests and replies are plain data)"
done

# Allow-list entries that matched nothing: the violation is gone.
for a in $(printf '%s\n' "$LINT_ALLOW" | sed 's/#.*//' | tr -d ' \t'); do
	case " $allowed_used " in
	*" $a "*) ;;
	*) echo "lint: note: $a is allowed in tools/lint.sh but no" \
	    "longer occurs: remove it" >&2 ;;
	esac
done
[ $rc = 0 ] && echo "lint: ok"
exit $rc
