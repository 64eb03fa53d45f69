#!/bin/sh
# mutate.sh - mutation testing (make mutate): apply each deliberate bug of
# tools/mutants.txt, one at a time, to a scratch copy of the tree, build
# it, run the fast tests that guard that code, and print each verdict and
# the kill rate. A mutant is killed when a test fails; it survives when
# every test passes (then it needs a test, or a reason in mutants.txt).
#
#   sh tools/mutate.sh [PATTERN]	only the mutants whose id contains PATTERN
#
# mutants.txt: one mutant a line, fields separated by " | ":
#   id | file | exact text (must occur once) | replacement | tests
# (\n and \t in the text and the replacement stand for a newline and a tab)
# tests: space-separated names for tests/run.sh's TESTS (t_rules, append,
# audit, ...). Lines starting with # and blank lines are skipped; a line
# starting with "survives:" records why a known survivor is acceptable.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
only=${1:-}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ledger-mutate.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
mkdir -p "$scratch/main"
ln -s "$top/../shared" "$scratch/shared"
(cd "$top" && git ls-files -z | xargs -0 tar -cf - 2>/dev/null) |
    (cd "$scratch/main" && tar -xf -)
cd "$scratch/main" || exit 2
# The list as copied with the tree: edits made meanwhile do not mix in.
list=$scratch/main/tools/mutants.txt
echo "# mutate: building the unmutated copy in $scratch/main"
if ! make -j2 all </dev/null >"$scratch/build.log" 2>&1; then
	echo "mutate: the unmutated tree does not build:" >&2
	tail -20 "$scratch/build.log" >&2
	exit 2
fi
total=0
killed=0
survived=""
invalid=""
while IFS= read -r line; do
	case "$line" in ''|'#'*|survives:*) continue ;; esac
	id=$(printf '%s\n' "$line" | awk -F' [|] ' '{print $1}')
	file=$(printf '%s\n' "$line" | awk -F' [|] ' '{print $2}')
	from=$(printf '%s\n' "$line" | awk -F' [|] ' '{print $3}')
	to=$(printf '%s\n' "$line" | awk -F' [|] ' '{print $4}')
	tests=$(printf '%s\n' "$line" | awk -F' [|] ' '{print $5}')
	case "$id" in *"$only"*) ;; *) continue ;; esac
	n=$(FROM=$from perl -0777 -ne 'my $f = $ENV{FROM}; $f =~ s/\\n/\n/g; $f =~ s/\\t/\t/g;
	    my $c = () = /\Q$f\E/g; print $c' "$file")
	if [ "$n" != 1 ]; then
		printf 'INVALID  %-34s the text occurs %s times in %s\n' "$id" "$n" "$file"
		invalid="$invalid $id"
		continue
	fi
	cp "$file" "$scratch/orig"
	FROM=$from TO=$to perl -0777 -pi -e 'my ($f, $t) = ($ENV{FROM}, $ENV{TO});
	    for ($f, $t) { s/\\n/\n/g; s/\\t/\t/g; } s/\Q$f\E/$t/' "$file"
	total=$((total + 1))
	start=$(date +%s)
	if ! make -j2 all </dev/null >"$scratch/m.log" 2>&1; then
		verdict="INVALID"
		invalid="$invalid $id"
		total=$((total - 1))
	else
		verdict="SURVIVED"
		for t in $tests; do
			if ! TESTS=$t sh tests/run.sh </dev/null >>"$scratch/m.log" 2>&1; then
				verdict="KILLED"
				break
			fi
		done
	fi
	cp "$scratch/orig" "$file"
	touch "$file"
	case $verdict in
	KILLED) killed=$((killed + 1)) ;;
	SURVIVED) survived="$survived $id" ;;
	esac
	printf '%-8s %-34s %-22s (%ss, tests: %s)\n' "$verdict" "$id" "$file" \
	    "$(( $(date +%s) - start ))" "$tests"
done <"$list"
make -j2 all >/dev/null 2>&1
echo "# mutate: $killed of $total killed ($(( total ? killed * 100 / total : 0 ))%)${survived:+; survived:$survived}${invalid:+; invalid:$invalid}"
[ -z "$invalid" ] && [ "$total" -gt 0 ] && [ $((killed * 100)) -ge $((total * 95)) ]
