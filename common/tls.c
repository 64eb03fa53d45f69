/* tls.c - TLS client contexts and connections for fetch (via OpenSSL). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "tls.h"

struct tls_ctx {
	SSL_CTX	*ctx;
};

int
tls_host_is_ip(const char *host)
{
	unsigned char	a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

/*
 * Record why OpenSSL refused a certificate in the SSL's why buffer (its
 * app data), so fetch can say it: by the time the request fails, libevent
 * has reset the SSL and its verify result is gone. The first failure is
 * the one kept. The verdict itself is OpenSSL's (preverify_ok passes on).
 */
static int
verify_cb(int ok, X509_STORE_CTX *xs)
{
	SSL	*ssl;
	X509	*cert;
	char	*why, subj[160] = "?";
	int	 e;

	if (ok)
		return 1;
	ssl = X509_STORE_CTX_get_ex_data(xs,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	why = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
	if (why == NULL || why[0] != '\0')
		return 0;
	e = X509_STORE_CTX_get_error(xs);
	if ((cert = X509_STORE_CTX_get_current_cert(xs)) != NULL)
		X509_NAME_oneline(X509_get_subject_name(cert), subj,
		    sizeof(subj));
	snprintf(why, TLS_WHY_MAX, "certificate %s refused: %s", subj,
	    X509_verify_cert_error_string(e));
	return 0;
}

int
tls_ctx_new(const char *cacert, char *err, size_t errlen,
    struct tls_ctx **out)
{
	struct tls_ctx	*t;
	char		 why[200];

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		free(t);
		snprintf(err, errlen, "cannot make a TLS context");
		return LD_ESYS;
	}
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, verify_cb);
	ERR_clear_error();
	if (cacert != NULL ?
	    SSL_CTX_load_verify_locations(t->ctx, cacert, NULL) != 1 :
	    SSL_CTX_set_default_verify_paths(t->ctx) != 1) {
		if (!tls_err_string(ERR_peek_last_error(), why, sizeof(why)))
			why[0] = '\0';
		snprintf(err, errlen, "%s: cannot load CA certificates%s%s",
		    cacert != NULL ? cacert : "the system store",
		    why[0] ? ": " : "", why);
		ERR_clear_error();
		tls_ctx_free(t);
		return LD_EINVAL;
	}
	*out = t;
	return LD_OK;
}

void
tls_ctx_free(struct tls_ctx *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

struct ssl_st *
tls_ssl_new(struct tls_ctx *t, const char *host, char *why)
{
	SSL	*ssl;

	why[0] = '\0';
	if ((ssl = SSL_new(t->ctx)) == NULL)
		return NULL;
	SSL_set_app_data(ssl, why);
	if (tls_host_is_ip(host)) {
		/* No SNI for addresses (RFC 6066 section 3). */
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) !=
		    1)
			goto fail;
	} else {
		SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (SSL_set1_host(ssl, host) != 1 ||
		    SSL_set_tlsext_host_name(ssl, host) != 1)
			goto fail;
	}
	return ssl;
fail:
	ERR_clear_error();
	SSL_free(ssl);
	return NULL;
}

void
tls_ssl_free(struct ssl_st *ssl)
{
	SSL_free(ssl);
}

int
tls_err_string(unsigned long code, char *buf, size_t len)
{
	if (len > 0)
		buf[0] = '\0';
	if (code == 0 || (ERR_GET_LIB(code) == 0 && !ERR_SYSTEM_ERROR(code)))
		return 0;
	if (len > 0)
		ERR_error_string_n(code, buf, len);
	return 1;
}
