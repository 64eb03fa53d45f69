/* fetch.c - a small HTTP/1.1 client over libevent for the CLIs. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "buf.h"
#include "err.h"
#include "fetch.h"
#include "log.h"
#include "tls.h"
#include "u64.h"
#include "xmalloc.h"

struct slot {
	struct fetch			*f;
	struct evhttp_connection	*conn;
	struct evhttp_connection	*dead;	/* freed outside callbacks */
	int				 busy;
	int				 closed; /* conn closed: make anew */
	fetch_done_fn			*done;
	void				*arg;
	/* The request in flight: its body limit and how it failed. */
	size_t				 max_body;
	int				 failed;
	enum evhttp_request_error	 fail;
	int				 chunked;
	int				 clen_over;
	uint64_t			 clen;
	char				 why[TLS_WHY_MAX]; /* a refused cert */
};

struct fetch {
	struct event_base	*base;
	char			*url;
	char			 host[256];
	char			 hosthdr[272];	/* Host: header value */
	int			 port;
	int			 https;
	struct tls_ctx		*tls;
	char			 prefix[512];
	int			 timeout;
	size_t			 max_body;
	struct slot		 slots[FETCH_MAX_INFLIGHT];
	size_t			 inflight;
	size_t			 completed;
};

/* Split http[s]://host[:port][/prefix] into f's host, port and prefix. */
static int
parse_url(struct fetch *f, const char *url)
{
	const char	*p, *slash, *colon, *h, *hend;
	uint64_t	 port;
	size_t		 hlen;

	if (strncmp(url, "http://", 7) == 0) {
		p = url + 7;
		port = 80;
	} else if (strncmp(url, "https://", 8) == 0) {
		p = url + 8;
		port = 443;
		f->https = 1;
	} else
		return LD_EINVAL;
	slash = strchr(p, '/');
	if (slash == NULL)
		slash = p + strlen(p);
	if (*p == '[') {		/* [IPv6] */
		h = p + 1;
		hend = memchr(h, ']', (size_t)(slash - h));
		if (hend == NULL)
			return LD_EINVAL;
		colon = hend + 1 < slash ? hend + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return LD_EINVAL;
	} else {
		h = p;
		colon = memchr(p, ':', (size_t)(slash - p));
		hend = colon ? colon : slash;
	}
	hlen = (size_t)(hend - h);
	if (hlen == 0 || hlen >= sizeof(f->host))
		return LD_EINVAL;
	if (colon != NULL && (u64_parse(colon + 1, (size_t)(slash - colon - 1),
	    &port) != LD_OK || port == 0 || port > 65535))
		return LD_EINVAL;
	if (strlen(slash) >= sizeof(f->prefix))
		return LD_EINVAL;
	memcpy(f->host, h, hlen);
	f->host[hlen] = '\0';
	if (strchr(f->host, '/') != NULL || strchr(f->host, '@') != NULL ||
	    (*p == '[' && !tls_host_is_ip(f->host)))
		return LD_EINVAL;
	f->port = (int)port;
	snprintf(f->hosthdr, sizeof(f->hosthdr), "%s%s%s", *p == '[' ? "[" :
	    "", f->host, *p == '[' ? "]" : "");
	if (port != (f->https ? 443 : 80))
		snprintf(f->hosthdr + strlen(f->hosthdr), sizeof(f->hosthdr) -
		    strlen(f->hosthdr), ":%d", f->port);
	snprintf(f->prefix, sizeof(f->prefix), "%s", slash);
	/* No trailing slash: paths are appended as "/checkpoint". */
	hlen = strlen(f->prefix);
	while (hlen > 0 && f->prefix[hlen - 1] == '/')
		f->prefix[--hlen] = '\0';
	return LD_OK;
}

int
fetch_open(const char *url, const char *cacert, int timeout_secs,
    char *err, size_t errlen, struct fetch **out)
{
	struct fetch	*f;
	int		 rc;

	*out = NULL;
	f = xcalloc(1, sizeof(*f));
	if (parse_url(f, url) != LD_OK) {
		snprintf(err, errlen, "%s: expected http[s]://host[:port]"
		    "[/prefix]", url);
		rc = LD_EINVAL;
		goto out;
	}
	if (f->https && (rc = tls_ctx_new(cacert, err, errlen, &f->tls)) !=
	    LD_OK)
		goto out;
	signal(SIGPIPE, SIG_IGN);
	f->url = xstrdup(url);
	f->timeout = timeout_secs > 0 ? timeout_secs : 60;
	f->max_body = FETCH_MAX_BODY;
	if ((f->base = event_base_new()) == NULL)
		fatalx("libevent: event_base_new failed");
	*out = f;
	f = NULL;
	rc = LD_OK;
out:
	free(f);
	return rc;
}

void
fetch_close(struct fetch *f)
{
	int	i;

	if (f == NULL)
		return;
	for (i = 0; i < FETCH_MAX_INFLIGHT; i++) {
		if (f->slots[i].conn != NULL)
			evhttp_connection_free(f->slots[i].conn);
		if (f->slots[i].dead != NULL)
			evhttp_connection_free(f->slots[i].dead);
	}
	/* Runs the bufferevents' finalizers, which free their SSLs. */
	event_base_free(f->base);
	tls_ctx_free(f->tls);
	free(f->url);
	free(f);
}

const char *
fetch_url(struct fetch *f)
{
	return f->url;
}

int
fetch_confidential(struct fetch *f)
{
	struct in_addr	a4;
	struct in6_addr	a6;

	if (f->https || strcmp(f->host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, f->host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, f->host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) &&
		    a6.s6_addr[12] == 127);
	return 0;
}

void
fetch_set_max_body(struct fetch *f, size_t max)
{
	f->max_body = max;
}

size_t
fetch_inflight(struct fetch *f)
{
	return f->inflight;
}

/* Why the request on slot s failed, into resp->error. */
static void
failure(struct slot *s, struct fetch_resp *resp)
{
	struct fetch		*f = s->f;
	struct bufferevent	*bev;
	unsigned long		 e;
	char			 ssl[160] = "";

	if (s->clen_over) {
		snprintf(resp->error, sizeof(resp->error), "%s:%d answered "
		    "with a %llu-byte body (Content-Length), over this "
		    "request's limit of %zu bytes; not read", f->host, f->port,
		    (unsigned long long)s->clen, s->max_body);
		return;
	}
	if (s->failed && s->fail == EVREQ_HTTP_DATA_TOO_LONG) {
		snprintf(resp->error, sizeof(resp->error), "%s:%d sent a body "
		    "growing past this request's limit of %zu bytes%s; the "
		    "rest was not read", f->host, f->port, s->max_body,
		    s->chunked ? " (or malformed chunked encoding)" : "");
		return;
	}
	if (f->https && s->why[0] != '\0') {
		snprintf(resp->error, sizeof(resp->error), "TLS with %.100s:%d: "
		    "%.200s", f->host, f->port, s->why);
		return;
	}
	/* The last OpenSSL error libevent queued, if any. */
	if (f->https && s->conn != NULL &&
	    (bev = evhttp_connection_get_bufferevent(s->conn)) != NULL)
		while ((e = bufferevent_get_openssl_error(bev)) != 0)
			if (tls_err_string(e, ssl, sizeof(ssl)))
				break;
	if (ssl[0] != '\0') {
		snprintf(resp->error, sizeof(resp->error), "TLS with %.100s:%d "
		    "failed: %.200s", f->host, f->port, ssl);
		return;
	}
	if (s->failed && s->fail == EVREQ_HTTP_TIMEOUT) {
		snprintf(resp->error, sizeof(resp->error), "%s:%d timed out "
		    "(%d s)", f->host, f->port, f->timeout);
		return;
	}
	snprintf(resp->error, sizeof(resp->error), "cannot reach %s:%d "
	    "(connection refused, reset or timed out)", f->host, f->port);
}

static void
on_response(struct evhttp_request *req, void *arg)
{
	struct slot		*s = arg;
	struct fetch		*f = s->f;
	struct fetch_resp	 resp;
	const char		*ct, *ra;
	struct evbuffer		*eb;
	size_t			 len;
	uint64_t		 v;

	memset(&resp, 0, sizeof(resp));
	if (req == NULL || evhttp_request_get_response_code(req) == 0) {
		failure(s, &resp);
		/* Drop the connection (it may be half-dead), but not from
		 * inside its own callback: fetch_start frees it. */
		if (s->conn != NULL) {
			s->dead = s->conn;
			s->conn = NULL;
		}
	} else {
		resp.status = evhttp_request_get_response_code(req);
		ct = evhttp_find_header(evhttp_request_get_input_headers(req),
		    "Content-Type");
		if (ct != NULL)
			snprintf(resp.ctype, sizeof(resp.ctype), "%s", ct);
		ra = evhttp_find_header(evhttp_request_get_input_headers(req),
		    "Retry-After");
		if (ra != NULL && u64_parse(ra, strlen(ra), &v) == LD_OK &&
		    v < 3600)
			resp.retry_after = (int)v;
		eb = evhttp_request_get_input_buffer(req);
		len = evbuffer_get_length(eb);
		buf_reserve(&resp.body, len);
		evbuffer_copyout(eb, resp.body.p, len);
		resp.body.len = len;
	}
	s->busy = 0;
	f->inflight--;
	f->completed++;
	if (s->done != NULL)
		s->done(s->arg, &resp);
	fetch_resp_free(&resp);
}

static void
on_error(enum evhttp_request_error e, void *arg)
{
	struct slot	*s = arg;

	s->failed = 1;
	s->fail = e;
}

/* Headers are in: refuse a declared body over the limit before reading
 * any of it (libevent would wait for it otherwise). */
static int
on_headers(struct evhttp_request *req, void *arg)
{
	struct slot	*s = arg;
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char	*te, *cl;

	te = evhttp_find_header(h, "Transfer-Encoding");
	s->chunked = te != NULL && strcasecmp(te, "chunked") == 0;
	cl = evhttp_find_header(h, "Content-Length");
	if (!s->chunked && cl != NULL &&
	    u64_parse(cl, strlen(cl), &s->clen) == LD_OK &&
	    s->clen > s->max_body) {
		s->clen_over = 1;
		return -1;
	}
	return 0;
}

/* The peer closed an https connection: the next request makes a new
 * one with a fresh SSL rather than reconnecting the used one. */
static void
on_close(struct evhttp_connection *conn, void *arg)
{
	struct slot	*s = arg;

	(void)conn;
	s->closed = 1;
}

/* A new connection for slot s (https: over a fresh verifying SSL). */
static struct evhttp_connection *
connect_slot(struct fetch *f, struct slot *s)
{
	struct evhttp_connection	*conn;
	struct bufferevent		*bev;
	struct ssl_st			*ssl;

	if (!f->https)
		return evhttp_connection_base_new(f->base, NULL, f->host,
		    (uint16_t)f->port);
	if ((ssl = tls_ssl_new(f->tls, f->host, s->why)) == NULL)
		return NULL;
	/* CLOSE_ON_FREE: the bufferevent frees the SSL (and its fd). */
	bev = bufferevent_openssl_socket_new(f->base, -1, ssl,
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		tls_ssl_free(ssl);
		return NULL;
	}
	conn = evhttp_connection_base_bufferevent_new(f->base, NULL, bev,
	    f->host, (uint16_t)f->port);
	if (conn == NULL) {
		bufferevent_free(bev);
		return NULL;
	}
	evhttp_connection_set_closecb(conn, on_close, s);
	return conn;
}

int
fetch_start(struct fetch *f, const char *method, const char *path,
    const char *ctype, const char *accept, const char *auth,
    const void *body, size_t len, fetch_done_fn *done, void *arg)
{
	struct evhttp_request	*req;
	struct evkeyvalq	*h;
	struct slot		*s = NULL;
	char			*uri;
	int			 i, rc;

	for (i = 0; i < FETCH_MAX_INFLIGHT; i++)
		if (!f->slots[i].busy) {
			s = &f->slots[i];
			break;
		}
	if (s == NULL)
		return LD_EBUSY;
	s->f = f;
	if (s->dead != NULL) {
		evhttp_connection_free(s->dead);
		s->dead = NULL;
	}
	if (s->closed && s->conn != NULL) {
		evhttp_connection_free(s->conn);
		s->conn = NULL;
	}
	s->closed = 0;
	if (s->conn == NULL) {
		if ((s->conn = connect_slot(f, s)) == NULL)
			return LD_ENET;
		evhttp_connection_set_timeout(s->conn, f->timeout);
	}
	s->max_body = f->max_body;
	evhttp_connection_set_max_body_size(s->conn,
	    (ev_ssize_t)s->max_body);
	s->failed = s->chunked = s->clen_over = 0;
	s->clen = 0;
	s->done = done;
	s->arg = arg;
	if ((req = evhttp_request_new(on_response, s)) == NULL)
		fatalx("out of memory (evhttp_request_new)");
	evhttp_request_set_error_cb(req, on_error);
	evhttp_request_set_header_cb(req, on_headers);
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", f->hosthdr);
	evhttp_add_header(h, "User-Agent", "ledger/0.1");
	if (ctype != NULL)
		evhttp_add_header(h, "Content-Type", ctype);
	if (accept != NULL)
		evhttp_add_header(h, "Accept", accept);
	if (auth != NULL)
		evhttp_add_header(h, "Authorization", auth);
	if (body != NULL && len > 0)
		evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
	uri = xasprintf("%s%s", f->prefix, path);
	rc = evhttp_make_request(s->conn, req, strcmp(method, "POST") == 0 ?
	    EVHTTP_REQ_POST : EVHTTP_REQ_GET, uri);
	free(uri);
	if (rc != 0)
		return LD_ENET;	/* libevent freed req */
	s->busy = 1;
	f->inflight++;
	return LD_OK;
}

void
fetch_wait(struct fetch *f)
{
	size_t	done = f->completed;

	while (f->inflight > 0 && f->completed == done)
		event_base_loop(f->base, EVLOOP_ONCE);
}

struct sync_ctx {
	struct fetch_resp	*resp;
	int			 done;
};

static void
sync_done(void *arg, struct fetch_resp *resp)
{
	struct sync_ctx	*c = arg;

	*c->resp = *resp;
	memset(resp, 0, sizeof(*resp));	/* the body moves to the caller */
	c->done = 1;
}

static int
fetch_sync(struct fetch *f, const char *method, const char *path,
    const char *ctype, const char *accept, const char *auth,
    const void *body, size_t len, struct fetch_resp *resp)
{
	struct sync_ctx	c = { resp, 0 };
	int		rc;

	memset(resp, 0, sizeof(*resp));
	while ((rc = fetch_start(f, method, path, ctype, accept, auth, body,
	    len, sync_done, &c)) == LD_EBUSY)
		fetch_wait(f);
	if (rc != LD_OK) {
		snprintf(resp->error, sizeof(resp->error), "cannot send to %s",
		    f->url);
		return rc;
	}
	while (!c.done)
		fetch_wait(f);
	return resp->status == 0 ? LD_ENET : LD_OK;
}

int
fetch_get(struct fetch *f, const char *path, const char *accept,
    struct fetch_resp *resp)
{
	return fetch_sync(f, "GET", path, NULL, accept, NULL, NULL, 0, resp);
}

int
fetch_post(struct fetch *f, const char *path, const char *ctype,
    const char *accept, const char *auth, const void *body, size_t len,
    struct fetch_resp *resp)
{
	return fetch_sync(f, "POST", path, ctype, accept, auth, body, len,
	    resp);
}

void
fetch_resp_free(struct fetch_resp *r)
{
	buf_free(&r->body);
}
