#!/bin/sh
# deps.sh - install the Debian 12 packages the build and the tests need.
# Quiet when everything is present. As root it runs apt-get; otherwise it
# prints the exact command and fails.
set -u

# Build: compiler, pkg-config and the five libraries. Tests: curl and jq
# drive the server from shell; Go's sumdb/tlog and nginx are independent
# clients in the read-path tests; Node.js runs the JavaScript library's
# tests (tests/e2e/js.sh; they need WebCrypto Ed25519, and skip saying so
# where this node lacks it).
PKGS="gcc make pkg-config libssl-dev liblmdb-dev libevent-dev libmsgpack-dev
libjansson-dev curl jq golang-go golang-golang-x-mod-dev nginx-light nodejs"
# Extra packages a caller may ask for (the fuzz and bench targets do).
PKGS="$PKGS ${DEPS_EXTRA:-}"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run as root:  $cmd" >&2
	exit 1
fi
echo "deps: installing$missing"
sh -c "$cmd" >build-deps.log 2>&1 || {
	echo "deps: apt-get failed; see build-deps.log" >&2
	tail -20 build-deps.log >&2
	exit 1
}
rm -f build-deps.log
