# lib.sh - helpers for end-to-end tests: a private ledgerd, checks, cleanup.
# Sourced by tests/e2e/*.sh. Each script calls e2e_begin NAME, runs checks
# with ok/check/expect_*, and ends with e2e_end (prints "NAME: N passed,
# N failed" and exits non-zero on failure). Servers listen on 127.0.0.1
# on a port the kernel picks and are killed on exit.

B=${B:-build}
BIN=$(cd "$B/bin" && pwd)
LEDGERD=$BIN/ledgerd
LEDGER=$BIN/ledger
AUDIT=$BIN/ledger-audit
E2E_PASS=0
E2E_FAIL=0
E2E_PIDS=""

e2e_begin() {
	E2E_NAME=$1
	T=$(mktemp -d "${TMPDIR:-/tmp}/ledger-e2e-$1.XXXXXX")
	trap e2e_cleanup EXIT INT TERM
	echo "# $E2E_NAME in $T"
}

e2e_cleanup() {
	for p in $E2E_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	sleep 0.2
	for p in $E2E_PIDS; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	[ "${KEEP:-0}" = 1 ] || rm -rf "$T"
}

ok() {		# ok DESCRIPTION: record a pass
	E2E_PASS=$((E2E_PASS + 1))
	echo "ok - $1"
}

not_ok() {	# not_ok DESCRIPTION [DETAIL]
	E2E_FAIL=$((E2E_FAIL + 1))
	echo "not ok - $1"
	[ -n "${2:-}" ] && printf "%s\n" "$2" | head -20 | sed 's/^/#   /'
	return 0
}

check() {	# check DESCRIPTION COMMAND...: pass if the command succeeds
	d=$1; shift
	if out=$("$@" 2>&1); then ok "$d"; else not_ok "$d" "$out"; fi
}

expect_eq() {	# expect_eq DESCRIPTION GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1" "got: $2
want: $3"; fi
}

expect_rc() {	# expect_rc DESCRIPTION WANT_RC COMMAND...
	d=$1; want=$2; shift 2
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" = "$want" ]; then ok "$d"; else
		not_ok "$d" "exit $rc, want $want: $out"; fi
}

# start_server DIR [ARGS...]: start ledgerd serve on a free port; sets PORT,
# URL and SERVER_PID. The data dir must be initialised.
start_server() {
	dir=$1; shift
	log=$dir.log
	: >"$log"
	# LEDGERD_WRAP runs the server under a tool (make check-valgrind);
	# LEDGERD_ENV adds NAME=VALUE words to its environment (faults.sh).
	env ${LEDGERD_ENV:-} ${LEDGERD_WRAP:-} "$LEDGERD" serve --data "$dir" \
	    --listen 127.0.0.1:0 "$@" >>"$log" 2>&1 &
	SERVER_PID=$!
	E2E_PIDS="$E2E_PIDS $SERVER_PID"
	i=0
	PORT=
	while [ $i -lt 400 ]; do
		PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | tail -1)
		[ -n "$PORT" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	if [ -z "$PORT" ]; then
		echo "# ledgerd did not start:"; cat "$log"
		return 1
	fi
	URL=http://127.0.0.1:$PORT
}

# stop_server: SIGTERM and wait; returns ledgerd's exit status.
stop_server() {
	kill -TERM "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID"
}

# init_log DIR ORIGIN: init a data dir, sets VKEY and TOKEN.
init_log() {
	"$LEDGERD" init --data "$1" --origin "$2" >"$1.vkey" 2>/dev/null ||
	    return 1
	VKEY=$(cat "$1.vkey")
	TOKEN=$1/admin.token
}

# credits N ACCOUNTS DAY PREFIX: N JSONL credits of 80 g on transit.bus.v1,
# with dedup keys unique to PREFIX (a hash of it, then a counter).
credits() {
	n=$1; accts=$2; day=$3
	h=$(printf %s "$4" | sha256sum | cut -c1-48)
	awk -v n="$n" -v a="$accts" -v d="$day" -v h="$h" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "{\"kind\":\"credit\",\"account\":\"u-%d\",\"method\":\"transit.bus.v1\",\"units\":1,\"grams\":80,\"time\":\"%sT08:01:13Z\",\"dedup\":\"%s%016x\"}\n", i % a, d, h, i
	}'
}

# dedup TEXT: a 64-hex dedup key derived from TEXT.
dedup() {
	printf %s "$1" | sha256sum | cut -d' ' -f1
}

e2e_end() {
	echo "$E2E_NAME: $E2E_PASS passed, $E2E_FAIL failed"
	[ "$E2E_FAIL" = 0 ]
	exit $?
}

# nginx_start NAME: start an nginx whose http{} servers the caller's
# function nginx_servers PORT prints, on a free loopback port; sets NPORT.
# NGINX_MAIN adds lines to the main context (load_module).
# nginx runs with "daemon on", so the command returns only once the port
# is bound (or binding failed); a port another program holds is retried
# with another one. Ports come from 10000-32767, below the kernel's
# ephemeral range, where listeners on port 0 and client sockets live.
nginx_start() {
	name=$1
	mkdir -p "$T/nginx-tmp"
	for try in 1 2 3 4 5 6 7 8; do
		NPORT=$((10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 22768))
		{
			cat <<N
daemon on;
user root;
${NGINX_MAIN:-}
pid $T/$name.pid;
error_log $T/$name.err;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $T/nginx-tmp;
	proxy_temp_path $T/nginx-tmp;
	fastcgi_temp_path $T/nginx-tmp;
	uwsgi_temp_path $T/nginx-tmp;
	scgi_temp_path $T/nginx-tmp;
N
			nginx_servers "$NPORT"
			echo "}"
		} >"$T/$name.conf"
		rm -f "$T/$name.pid"
		if nginx -e "$T/$name.err" -c "$T/$name.conf" -p "$T" \
		    2>"$T/$name.start"; then
			# The daemon writes its pid file just after the command
			# returns: wait for it (bounded) to stop it at the end.
			i=0
			while [ ! -s "$T/$name.pid" ] && [ $i -lt 200 ]; do
				sleep 0.05; i=$((i + 1))
			done
			[ -s "$T/$name.pid" ] || return 1
			E2E_PIDS="$E2E_PIDS $(cat "$T/$name.pid")"
			return 0
		fi
		grep -q "in use" "$T/$name.start" "$T/$name.err" 2>/dev/null ||
		    return 1
	done
	return 1
}
