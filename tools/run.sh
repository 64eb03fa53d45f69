#!/bin/sh
# run.sh - make run: start ledgerd on its embedded default. The first run
# initialises ./var (LMDB, a generated log key, an admin token).
set -eu
B=${1:-build}
if [ ! -x "$B/bin/ledgerd" ]; then
	echo "run: ledgerd is not built yet (the server lands with issue 3)." >&2
	exit 1
fi
if [ ! -f var/log.key ]; then
	"$B/bin/ledgerd" init --data ./var --origin "${LEDGER_ORIGIN:-localhost/ledger}"
fi
exec "$B/bin/ledgerd" serve --data ./var --listen 127.0.0.1:8080
