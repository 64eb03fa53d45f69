#!/bin/sh
# lint.sh - each outside library is included by one module only.
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
[ $rc = 0 ] && echo "lint: ok"
exit $rc
