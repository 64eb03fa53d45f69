/* api.c - HTTP routes: request parsing, the error table, replies. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "codec.h"
#include "err.h"
#include "form.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "parse.h"
#include "read.h"
#include "seq.h"

/* The one table from error codes to HTTP statuses. */
static const struct {
	int		 err;
	int		 status;
	const char	*name;
} status_table[] = {
	{ LD_OK,	200, "ok" },
	{ LD_EINVAL,	400, "malformed" },
	{ LD_EAUTH,	401, "unauthorized" },
	{ LD_EBADSIG,	401, "bad-signature" },
	{ LD_ENOTFOUND,	404, "not-found" },
	{ LD_EEXIST,	409, "conflict" },
	{ LD_ETOOBIG,	413, "too-large" },
	{ LD_ERULE,	422, "rule" },
	{ LD_EOVERFLOW,	422, "overflow" },
	{ LD_EBADPROOF,	422, "bad-proof" },
	{ LD_EBUSY,	503, "busy" },
	{ LD_EFULL,	507, "disk-full" },
	{ LD_ECORRUPT,	500, "corrupt" },
	{ LD_ESYS,	500, "internal" },
};

int
api_status(int err)
{
	size_t	i;

	for (i = 0; i < sizeof(status_table) / sizeof(status_table[0]); i++)
		if (status_table[i].err == err)
			return status_table[i].status;
	return 500;
}

const char *
api_error_name(int err)
{
	size_t	i;

	for (i = 0; i < sizeof(status_table) / sizeof(status_table[0]); i++)
		if (status_table[i].err == err)
			return status_table[i].name;
	return "internal";
}

void
api_error_body(struct buf *b, int json, int err, const char *rule,
    const char *msg, long pos, uint64_t index)
{
	struct jv	*o = jv_obj();

	jv_set(o, "error", jv_str(api_error_name(err)));
	if (rule != NULL)
		jv_set(o, "rule", jv_str(rule));
	jv_set(o, "message", jv_str(msg));
	if (pos >= 0)
		jv_set(o, "position", jv_u64((uint64_t)pos));
	if (index != NO_INDEX)
		jv_set(o, "index", jv_u64(index));
	if (json) {
		jv_render_json(o, b);
		buf_addc(b, '\n');
	} else
		jv_render_msgpack(o, b);
	jv_free(o);
}

/* Reply with an error now (loop thread). */
void
api_fail(struct http_req *req, int json, int err, const char *rule,
    long pos, const char *fmt, ...)
{
	struct buf	b = { 0 };
	char		msg[512];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	api_error_body(&b, json, err, rule, msg, pos, NO_INDEX);
	if (err == LD_EBUSY)
		http_set_header(req, "Retry-After", "1");
	http_reply(req, api_status(err), json ? "application/json" :
	    "application/msgpack", b.p, b.len);
	buf_free(&b);
}

/* Whether the request body is JSON (else msgpack); -1 if neither. */
static int
body_is_json(struct http_req *req)
{
	const char	*ct = http_header(req, "Content-Type");

	if (ct == NULL || strncmp(ct, "application/msgpack", 19) == 0 ||
	    strncmp(ct, "application/x-msgpack", 21) == 0)
		return 0;
	if (strncmp(ct, "application/json", 16) == 0)
		return 1;
	return -1;
}

static void
enqueue(struct ledgerd *ld, struct http_req *req, struct job *j)
{
	int	rc;

	j->req = req;
	if ((rc = seq_push(ld->seq, j)) != LD_OK) {
		api_fail(req, j->json, LD_EBUSY, "queue-full", -1,
		    "the submission queue is full or the server is stopping; "
		    "retry after a second");
		batch_req_free(&j->batch);
		free(j);
	}
}

/*
 * A submission: the headers are checked here, the body is parsed on the
 * parser thread (parse.h), which answers or queues the batch.
 */
static void
api_submit(struct ledgerd *ld, struct http_req *req)
{
	struct http_body	*body;
	int			 json = body_is_json(req);

	if (json < 0) {
		api_fail(req, 1, LD_EINVAL, "content-type", -1,
		    "Content-Type must be application/msgpack or "
		    "application/json");
		return;
	}
	if (http_body_take(req, LEDGERD_MAX_BODY, &body) != LD_OK) {
		api_fail(req, json || http_wants_json(req), LD_ETOOBIG,
		    "body-size", -1, "the body is over %u bytes",
		    LEDGERD_MAX_BODY);
		return;
	}
	parser_push(ld->parser, req, body, json, json || http_wants_json(req));
}

/* Admin calls: loopback only (unless configured) and the bearer token. */
static int
admin_ok(struct ledgerd *ld, struct http_req *req)
{
	const char	*auth = http_header(req, "Authorization");
	uint8_t		 tok[32] = { 0 };
	int		 good;

	if (!ld->admin_remote && !http_peer_loopback(req)) {
		api_fail(req, 1, LD_EAUTH, "admin-remote", -1,
		    "admin calls are accepted from loopback only "
		    "(serve --admin-remote to allow others)");
		return 0;
	}
	good = auth != NULL && strncmp(auth, "Bearer ", 7) == 0 &&
	    hex_decode(tok, 32, auth + 7, strlen(auth + 7)) == LD_OK;
	/* Compare always, in constant time. */
	good &= sig_ct_equal(tok, ld->token, 32);
	secure_wipe(tok, sizeof(tok));
	if (!good) {
		api_fail(req, 1, LD_EAUTH, "admin-token", -1,
		    "missing or wrong admin token (Authorization: Bearer "
		    "<the hex token in DATA/admin.token>)");
		return 0;
	}
	return 1;
}

static void
api_admin(struct ledgerd *ld, struct http_req *req, enum job_kind kind)
{
	struct job	*j;
	struct buf	 body = { 0 };
	struct jv	*doc = NULL;
	const char	*why = "malformed";
	char		 err[160];
	int		 json = 1, rc;

	if (!admin_ok(ld, req))
		return;
	if (http_body(req, &body, 64 * 1024) != LD_OK) {
		api_fail(req, json, LD_ETOOBIG, "body-size", -1,
		    "admin bodies are at most 64 KiB");
		return;
	}
	if (jv_parse((const char *)body.p, body.len, &doc, err,
	    sizeof(err)) != LD_OK) {
		api_fail(req, json, LD_EINVAL, "json", -1,
		    "body is not JSON: %s", err);
		buf_free(&body);
		return;
	}
	buf_free(&body);
	j = xcalloc(1, sizeof(*j));
	j->kind = kind;
	j->json = json;
	if (kind == JOB_ISSUER)
		rc = form_issuer_from_json(doc, &j->issuer, &why);
	else
		rc = form_method_from_json(doc, &j->method, &why);
	jv_free(doc);
	if (rc != LD_OK) {
		api_fail(req, json, rc, kind == JOB_ISSUER ? "issuer" :
		    "method", -1, "%s", why);
		free(j);
		return;
	}
	enqueue(ld, req, j);
}

static void
api_checkpoint(struct ledgerd *ld, struct http_req *req)
{
	struct cp	*cp = ledgerd_cp_get(ld);

	http_set_header(req, "Cache-Control", "no-store");
	http_set_header(req, "Access-Control-Allow-Origin", "*");
	http_reply(req, 200, "text/plain; charset=utf-8", cp->text, cp->len);
	ledgerd_cp_put(cp);
}

void
api_handle(struct ledgerd *ld, struct http_req *req)
{
	const char	*m = http_method(req), *path = http_path(req);
	int		 post = strcmp(m, "POST") == 0;
	int		 get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;

	if (path == NULL) {
		api_fail(req, 1, LD_EINVAL, "path", -1, "the path does not "
		    "decode");
		return;
	}
	/*
	 * Two lengths make the body's end ambiguous (request smuggling
	 * through a proxy that reads the other one): refuse, and close.
	 */
	if (http_header_count(req, "Content-Length") > 1) {
		http_set_header(req, "Connection", "close");
		api_fail(req, 1, LD_EINVAL, "content-length", -1,
		    "more than one Content-Length header");
		return;
	}
	if (strcmp(path, "/v1/submit") == 0 && post)
		api_submit(ld, req);
	else if (strcmp(path, "/v1/admin/issuers") == 0 && post)
		api_admin(ld, req, JOB_ISSUER);
	else if (strcmp(path, "/v1/admin/methods") == 0 && post)
		api_admin(ld, req, JOB_METHOD);
	else if (strcmp(path, "/checkpoint") == 0 && get)
		api_checkpoint(ld, req);
	else if (get && read_handle(ld, req, path))
		;
	else
		api_fail(req, 1, LD_ENOTFOUND, "route", -1,
		    "no route for %s %s", m, path);
}
