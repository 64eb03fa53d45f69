/* fetch.c - a small HTTP/1.1 client over libevent for the CLIs. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "err.h"
#include "fetch.h"
#include "log.h"

struct slot {
	struct fetch			*f;
	struct evhttp_connection	*conn;
	struct evhttp_connection	*dead;	/* freed outside callbacks */
	int				 busy;
	fetch_done_fn			*done;
	void				*arg;
};

struct fetch {
	struct event_base	*base;
	char			*url;
	char			 host[256];
	int			 port;
	char			 prefix[512];
	int			 timeout;
	struct slot		 slots[FETCH_MAX_INFLIGHT];
	size_t			 inflight;
	size_t			 completed;
};

int
fetch_open(const char *url, int timeout_secs, struct fetch **out)
{
	struct fetch	*f;
	const char	*p, *slash, *colon;
	uint64_t	 port = 80;
	size_t		 hlen;

	if (strncmp(url, "http://", 7) != 0)
		return LD_EINVAL;
	p = url + 7;
	slash = strchr(p, '/');
	if (slash == NULL)
		slash = p + strlen(p);
	colon = memchr(p, ':', (size_t)(slash - p));
	hlen = (size_t)((colon ? colon : slash) - p);
	if (hlen == 0 || hlen >= 256)
		return LD_EINVAL;
	if (colon != NULL && (parse_u64(colon + 1, (size_t)(slash - colon - 1),
	    &port) != LD_OK || port == 0 || port > 65535))
		return LD_EINVAL;
	if (strlen(slash) >= 512)
		return LD_EINVAL;
	signal(SIGPIPE, SIG_IGN);
	f = xcalloc(1, sizeof(*f));
	memcpy(f->host, p, hlen);
	f->port = (int)port;
	snprintf(f->prefix, sizeof(f->prefix), "%s", slash);
	/* No trailing slash: paths are appended as "/checkpoint". */
	hlen = strlen(f->prefix);
	while (hlen > 0 && f->prefix[hlen - 1] == '/')
		f->prefix[--hlen] = '\0';
	f->url = xstrdup(url);
	f->timeout = timeout_secs > 0 ? timeout_secs : 60;
	if ((f->base = event_base_new()) == NULL)
		fatalx("libevent: event_base_new failed");
	*out = f;
	return LD_OK;
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
	event_base_free(f->base);
	free(f->url);
	free(f);
}

const char *
fetch_url(struct fetch *f)
{
	return f->url;
}

size_t
fetch_inflight(struct fetch *f)
{
	return f->inflight;
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
		snprintf(resp.error, sizeof(resp.error),
		    "cannot reach %s:%d (connection refused, reset or timed "
		    "out)", f->host, f->port);
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
		if (ra != NULL && parse_u64(ra, strlen(ra), &v) == LD_OK &&
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
	if (s->dead != NULL) {
		evhttp_connection_free(s->dead);
		s->dead = NULL;
	}
	if (s->conn == NULL) {
		s->conn = evhttp_connection_base_new(f->base, NULL, f->host,
		    (uint16_t)f->port);
		if (s->conn == NULL)
			return LD_ENET;
		evhttp_connection_set_timeout(s->conn, f->timeout);
		evhttp_connection_set_max_body_size(s->conn, 256u << 20);
	}
	s->f = f;
	s->done = done;
	s->arg = arg;
	if ((req = evhttp_request_new(on_response, s)) == NULL)
		fatalx("out of memory (evhttp_request_new)");
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", f->host);
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
