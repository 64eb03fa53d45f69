/* tls.h - TLS client contexts and connections for fetch (via OpenSSL). */
/*
 * The OpenSSL side of https in fetch.c: a context holding the trusted
 * roots, and per connection an SSL object set up to verify the server's
 * certificate chain and that the certificate names the host asked for.
 * fetch.c hands the SSL to libevent's bufferevent_openssl, which owns it.
 *
 * Contract. A tls_ctx is reference-counted by OpenSSL: each SSL made from
 * it holds a reference, so the caller may free its own while SSLs live.
 * Once made it is only read: SSLs may be made from it on several threads
 * at once; each SSL is used by one thread at a time. cacert and host are
 * not kept (why is: see tls_ssl_new).
 */
#ifndef TLS_H
#define TLS_H

#include <stddef.h>

#define TLS_WHY_MAX	256

struct tls_ctx;		/* opaque: an SSL_CTX with the trusted roots */
struct ssl_st;		/* OpenSSL's SSL, opaque outside tls.c */

/*
 * A client context trusting only the PEM CA certificates in cacert, or,
 * when cacert is NULL, the system's default store. TLS 1.2 or later,
 * peer verification on. LD_EINVAL with a reason in err (errlen bytes)
 * when cacert cannot be read or holds no certificate (or the system store
 * cannot be loaded), LD_ESYS when OpenSSL cannot make a context; *out is
 * NULL on failure, else the caller's (tls_ctx_free).
 */
int	tls_ctx_new(const char *cacert, char *err, size_t errlen,
	    struct tls_ctx **out);
/* Drop the caller's reference (SSL objects made from it keep theirs);
 * NULL is a no-op. */
void	tls_ctx_free(struct tls_ctx *);

/*
 * A new client SSL for host, a DNS name or an IP literal: the chain must
 * verify to a trusted root and the certificate must name host (as a DNS
 * subjectAltName, no partial wildcards; an IP literal as an IP address
 * subjectAltName). DNS names are also sent as SNI. why (TLS_WHY_MAX
 * bytes, cleared here) receives the reason when a certificate is refused
 * during the handshake; it must outlive the SSL. NULL on failure (out of
 * memory, or a host OpenSSL cannot take). The SSL is the caller's until
 * handed to a bufferevent (BEV_OPT_CLOSE_ON_FREE), which then frees it.
 */
struct ssl_st *tls_ssl_new(struct tls_ctx *, const char *host, char *why);

/* Free an SSL that was never handed to a bufferevent; NULL is a no-op. */
void	tls_ssl_free(struct ssl_st *);

/*
 * OpenSSL's text for an error code as bufferevent_get_openssl_error
 * returns them, into buf; 0 (and "") if code is not an OpenSSL error
 * (libevent also queues bare SSL_ERROR_* values there). buf (len bytes)
 * is always NUL-terminated when len > 0. Any thread.
 */
int	tls_err_string(unsigned long code, char *buf, size_t len);

/* 1 if host is an IPv4 or IPv6 literal (no brackets). */
int	tls_host_is_ip(const char *host);

#endif /* TLS_H */
