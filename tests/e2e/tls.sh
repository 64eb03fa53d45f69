#!/bin/sh
# tls.sh - https end to end: nginx terminates TLS (a CA and certificates
# made here) in front of ledgerd; ledger submit, account, checkpoint and
# ledger-audit sync go through it with --cacert. Refused: the system store
# (which does not know the CA), a certificate for another name, an IP the
# certificate does not name, TLS to a plain port, the admin token over
# plain http to a non-loopback host. Also the auditor's body limit: a
# proxy serving an entry bundle over the tlog-tiles maximum, declared
# (Content-Length) or streamed (chunked), fails the sync with a clear
# error and leaves the mirror untouched.
. tests/e2e/lib.sh
e2e_begin tls

if ! command -v nginx >/dev/null 2>&1; then
	echo "# SKIP: install nginx-light (make deps)"
	ok "skipped: no nginx"
	e2e_end
fi
init_log "$T/log" example.org/tls || { not_ok init; e2e_end; }
start_server "$T/log" || { not_ok server; e2e_end; }
cd "$T"

# A private CA, a certificate for localhost (and 127.0.0.1) and one for
# another name, both signed by it.
ossl() { openssl "$@" >>openssl.log 2>&1; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout ca.key -out ca.crt -days 2 -subj "/CN=ledger e2e test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"
cert() {	# cert NAME CN SAN
	ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	    -keyout "$1.key" -out "$1.csr" -subj "/CN=$2"
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$3" >"$1.ext"
	ossl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
	    -days 2 -out "$1.crt" -extfile "$1.ext"
}
cert good localhost "DNS:localhost,IP:127.0.0.1"
cert other other.example "DNS:other.example"
check "openssl made the CA and both certificates" \
    openssl verify -CAfile ca.crt good.crt other.crt

# TLS in front of ledgerd, with the right certificate and with another's.
tls_server() {	# tls_server CERT PORT
	cat <<N
	server {
		listen 127.0.0.1:$2 ssl;
		ssl_certificate $T/$1.crt;
		ssl_certificate_key $T/$1.key;
		location / {
			proxy_pass http://127.0.0.1:$PORT;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_buffering off;
		}
	}
N
}
nginx_servers() { tls_server good "$1"; }
nginx_start good || { not_ok "nginx (TLS) starts" "$(cat good.start good.err 2>/dev/null)"; e2e_end; }
GPORT=$NPORT
nginx_servers() { tls_server other "$1"; }
nginx_start other || { not_ok "nginx (other name) starts" "$(cat other.start other.err 2>/dev/null)"; e2e_end; }
OPORT=$NPORT
S=https://localhost:$GPORT

# The admin token: over plain http only to loopback; refused for any other
# host before a connection is tried (192.0.2.1 is TEST-NET-1).
"$LEDGER" keygen --id city --out city.key >city.vkey
cat >bus.json <<'J'
{"id":"transit.bus.v1","activity":"public transport ride","unit":"ride","grams_per_unit":80,"max_grams_per_event":80,"max_grams_per_account_day":400,"valid_from":"2024-01-01","max_event_age_days":36500,"reference":"test"}
J
out=$("$LEDGER" admin add-issuer --server http://192.0.2.1:1 --token-file "$TOKEN" --vkey "$(cat city.vkey)" --name City 2>&1); rc=$?
expect_eq "admin token to a non-loopback http host: usage error (2)" "$rc" 2
case "$out" in *"refusing to send the admin token to http://192.0.2.1:1 over plain http"*) ok "... with a clear error" ;; *) not_ok "... with a clear error" "$out" ;; esac
out=$("$LEDGER" admin add-issuer --server http://[2001:db8::1]:8080 --token-file "$TOKEN" --vkey "$(cat city.vkey)" --name City 2>&1); rc=$?
expect_eq "... nor to a non-loopback IPv6 one" "$rc:$(echo "$out" | grep -c refusing)" 2:1
check "admin over https (with --cacert) registers the issuer" \
    "$LEDGER" admin add-issuer --server "$S" --cacert ca.crt --token-file "$TOKEN" --vkey "$(cat city.vkey)" --name City
check "admin over plain http to 127.0.0.1 is allowed" \
    "$LEDGER" admin add-method --server "$URL" --token-file "$TOKEN" bus.json

# Submit, account and checkpoint through TLS.
credits 300 60 2024-07-01 a >c1.jsonl
check "ledger submit over https" "$LEDGER" submit --server "$S" --cacert ca.crt --key city.key --batch 100 --receipts r.jsonl c1.jsonl
SIZE=$(curl -s "$URL/checkpoint" | sed -n 2p)
expect_eq "the log holds 2 registrations + 3 batches + 300 credits" "$SIZE" 305
expect_eq "300 receipts came back" "$(wc -l <r.jsonl)" 300
acct=$("$LEDGER" account --server "$S" --cacert ca.crt --vkey "$VKEY" --issuer city --json u-3 2>&1)
expect_eq "ledger account over https: 5 rides, 400 g, verified" "$(printf '%s' "$acct" | jq -c '[(.entries|length), .balance_grams, .verified, .checkpoint_size]' 2>&1)" "[5,400,true,305]"
check "ledger checkpoint over https to the IP the certificate names" \
    "$LEDGER" checkpoint --server "https://127.0.0.1:$GPORT" --cacert ca.crt --vkey "$VKEY"

# ledger-audit sync through TLS.
out=$("$AUDIT" sync --log "$S" --cacert ca.crt --vkey "$VKEY" --state st --json 2>&1)
expect_eq "ledger-audit sync over https mirrors all 305 entries, no findings" "$(printf '%s' "$out" | jq -c '[.ok, .size, .findings]' 2>&1)" "[true,305,0]"

# Refusals: each exits 3 (network) with the reason.
refused() {	# refused DESCRIPTION WANT-TEXT COMMAND...
	d=$1; want=$2; shift 2
	out=$("$@" 2>&1); rc=$?
	case "$rc:$out" in 3:*"$want"*) ok "$d" ;; *) not_ok "$d" "exit $rc, want 3 and \"$want\": $out" ;; esac
}
refused "without --cacert the system store does not know the CA" \
    "unable to get local issuer certificate" \
    "$LEDGER" checkpoint --server "$S" --vkey "$VKEY"
refused "a certificate for other.example is refused for localhost" \
    "TLS with localhost:$OPORT: certificate /CN=other.example refused: hostname mismatch" \
    "$LEDGER" checkpoint --server "https://localhost:$OPORT" --cacert ca.crt --vkey "$VKEY"
refused "... and by ledger submit, which sends nothing" "hostname mismatch" \
    "$LEDGER" submit --server "https://localhost:$OPORT" --cacert ca.crt --key city.key c1.jsonl
refused "... and by ledger account" "hostname mismatch" \
    "$LEDGER" account --server "https://localhost:$OPORT" --cacert ca.crt --vkey "$VKEY" --issuer city u-3
refused "... and for an IP it does not name" "IP address mismatch" \
    "$LEDGER" checkpoint --server "https://127.0.0.1:$OPORT" --cacert ca.crt --vkey "$VKEY"
refused "TLS to a plain http port fails as TLS" "TLS with 127.0.0.1:$PORT failed" \
    "$LEDGER" checkpoint --server "https://127.0.0.1:$PORT" --cacert ca.crt --vkey "$VKEY"
expect_eq "nothing was submitted through the refused connection" "$(curl -s "$URL/checkpoint" | sed -n 2p)" 305
out=$("$AUDIT" sync --log "https://localhost:$OPORT" --cacert ca.crt --vkey "$VKEY" --state st --json 2>&1); rc=$?
expect_eq "ledger-audit sync refuses the other name (exit 3)" "$rc:$(printf '%s' "$out" | jq -r .error | grep -c 'hostname mismatch')" 3:1
out=$("$LEDGER" checkpoint --server "$S" --cacert nosuch.pem --vkey "$VKEY" 2>&1); rc=$?
case "$rc:$out" in 2:*"nosuch.pem: cannot load CA certificates"*) ok "an unreadable --cacert is a usage error" ;; *) not_ok "an unreadable --cacert is a usage error" "exit $rc: $out" ;; esac
out=$("$LEDGER" checkpoint --server "$S" --cacert bus.json --vkey "$VKEY" 2>&1); rc=$?
case "$rc:$out" in 2:*"bus.json: cannot load CA certificates"*) ok "a --cacert holding no certificate is a usage error" ;; *) not_ok "a --cacert holding no certificate is a usage error" "exit $rc: $out" ;; esac

# The auditor's body limit. The tlog-tiles maximum bundle is 256 * (2 +
# 65535) = 16777472 bytes. A proxy serves the log, except that entry
# bundles are one byte over it (declared by Content-Length) under /cl,
# and a chunked stream of 32 MiB under /chunked.
credits 200 60 2024-07-02 b >c2.jsonl
check "200 more credits" "$LEDGER" submit --server "$URL" --key city.key --batch 100 c2.jsonl
head -c 16777473 /dev/zero >big.bundle
nginx_servers() {
	cat <<N
	server {
		listen 127.0.0.1:$1;
		location /cl/ { proxy_pass http://127.0.0.1:$PORT/; }
		location /cl/tile/entries/ {
			default_type application/octet-stream;
			root $T;
			rewrite ^ /big.bundle break;
		}
		location /chunked/ { proxy_pass http://127.0.0.1:$PORT/; }
		location /chunked/tile/entries/ {
			default_type application/octet-stream;
			echo_duplicate 1048576 "................................";
		}
	}
N
}
NGINX_MAIN="load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;"
nginx_start big || { not_ok "nginx (bundles) starts" "$(cat big.start big.err 2>/dev/null)"; e2e_end; }
NGINX_MAIN=
B=http://127.0.0.1:$NPORT
expect_eq "the proxy declares the oversized bundle" "$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$B/cl/tile/entries/001.p/249")" "200 16777473"
expect_eq "the proxy streams the chunked one" "$(curl -s -D - -o /dev/null "$B/chunked/tile/entries/001.p/249" | tr -d '\r' | grep -ci '^transfer-encoding: chunked')" 1
before=$(cat st/checkpoint; "$AUDIT" report --state st --json | jq -c '[.entries, (.findings|length)]')
for mode in cl chunked; do
	case $mode in
	cl) want="answered with a 16777473-byte body (Content-Length), over this request's limit of 16777472 bytes; not read" ;;
	chunked) want="sent a body growing past this request's limit of 16777472 bytes" ;;
	esac
	out=$("$AUDIT" sync --log "$B/$mode" --vkey "$VKEY" --state st --json 2>&1); rc=$?
	err=$(printf '%s' "$out" | jq -r .error 2>&1)
	echo "# $mode: $err"
	case "$rc:$err" in "3:GET /tile/entries/"*"$want"*) ok "$mode: an oversized bundle fails the sync, clearly" ;; *) not_ok "$mode: an oversized bundle fails the sync, clearly" "exit $rc: $out" ;; esac
	expect_eq "$mode: the mirror is untouched" "$(cat st/checkpoint; "$AUDIT" report --state st --json | jq -c '[.entries, (.findings|length)]')" "$before"
done
out=$("$AUDIT" sync --log "$S" --cacert ca.crt --vkey "$VKEY" --state st --json 2>&1)
expect_eq "the honest log (over https) then syncs to 507" "$(printf '%s' "$out" | jq -c '[.ok, .size, .findings]' 2>&1)" "[true,507,0]"
stop_server
e2e_end
