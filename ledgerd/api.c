/* api.c - the write routes (submit, admin) and the checkpoint. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "buf.h"
#include "codec.h"
#include "core.h"
#include "cp.h"
#include "err.h"
#include "form.h"
#include "hex.h"
#include "httpd.h"
#include "json.h"
#include "log.h"
#include "parse.h"
#include "reply.h"
#include "seq.h"
#include "wipe.h"
#include "witness.h"
#include "xmalloc.h"

/* Reply with an error now (loop thread). */
void
api_fail(struct httpd_req *req, int json, int err, const char *rule,
    long pos, const char *fmt, ...)
{
	struct buf	b = { 0 };
	char		msg[512];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reply_error_body(&b, json, err, rule, msg, pos, NO_INDEX);
	if (err == LD_EBUSY)
		httpd_set_header(req, "Retry-After", "1");
	httpd_reply(req, reply_status(err), json ? "application/json" :
	    "application/msgpack", b.p, b.len);
	buf_free(&b);
}

/* Whether the request body is JSON (else msgpack); -1 if neither. */
static int
body_is_json(struct httpd_req *req)
{
	const char	*ct = httpd_header(req, "Content-Type");

	if (ct == NULL || strncmp(ct, "application/msgpack", 19) == 0 ||
	    strncmp(ct, "application/x-msgpack", 21) == 0)
		return 0;
	if (strncmp(ct, "application/json", 16) == 0)
		return 1;
	return -1;
}

/* A request waiting for the sequencer (the argument of api_done). */
struct api_wait {
	struct httpd	*http;
	struct httpd_req *req;
	int		 json;		/* reply in JSON */
	struct core_job	*job;		/* finished, to answer */
};

static void *
api_wait_new(struct ledgerd *ld, struct httpd_req *req, int json)
{
	struct api_wait	*w = xcalloc(1, sizeof(*w));

	w->http = ld->http;
	w->req = req;
	w->json = json;
	return w;
}

/* On the event loop: render the finished job's reply and send it. */
static void
api_answer(void *arg)
{
	struct api_wait	*w = arg;
	struct buf	 b = { 0 };
	const char	*ctype;
	int		 status;

	status = reply_job(w->job, w->json, &b, &ctype);
	if (w->job->res.err.code == LD_EBUSY)
		httpd_set_header(w->req, "Retry-After", "1");
	httpd_reply(w->req, status, ctype, b.p, b.len);
	buf_free(&b);
	core_job_free(w->job);
	free(w);
}

/*
 * A job is finished (on the sequencer's or the parser's thread): hand it
 * to the event loop, which answers it.
 */
static void
api_done(void *arg, struct core_job *j)
{
	struct api_wait	*w = arg;

	w->job = j;
	httpd_call(w->http, api_answer, w);
}

static void
enqueue(struct ledgerd *ld, struct httpd_req *req, struct core_job *j,
    int json)
{
	j->done = api_done;
	j->arg = api_wait_new(ld, req, json);
	if (seq_push(ld->seq, j) != LD_OK) {
		free(j->arg);
		api_fail(req, json, LD_EBUSY, "queue-full", -1,
		    "the submission queue is full or the server is stopping; "
		    "retry after a second");
		core_job_free(j);
	}
}

/*
 * A submission: the headers are checked here, the body is parsed on the
 * parser thread (parse.h), which answers or queues the batch.
 */
void
api_submit(struct ledgerd *ld, struct httpd_req *req, const char *path)
{
	struct httpd_body	*body;
	int			 json = body_is_json(req);

	(void)path;
	if (json < 0) {
		api_fail(req, 1, LD_EINVAL, "content-type", -1,
		    "Content-Type must be application/msgpack or "
		    "application/json");
		return;
	}
	if (httpd_body_take(req, LEDGERD_MAX_BODY, &body) != LD_OK) {
		api_fail(req, json || httpd_wants_json(req), LD_ETOOBIG,
		    "body-size", -1, "the body is over %u bytes",
		    LEDGERD_MAX_BODY);
		return;
	}
	parser_push(ld->parser, body, json, api_done, api_wait_new(ld, req,
	    json || httpd_wants_json(req)));
}

/* Admin calls: loopback only (unless configured) and the bearer token. */
static int
admin_ok(struct ledgerd *ld, struct httpd_req *req)
{
	const char	*auth = httpd_header(req, "Authorization");
	uint8_t		 tok[32] = { 0 };
	int		 good;

	if (!ld->admin_remote && !httpd_peer_loopback(req)) {
		api_fail(req, 1, LD_EAUTH, "admin-remote", -1,
		    "admin calls are accepted from loopback only "
		    "(serve --admin-remote to allow others)");
		return 0;
	}
	good = auth != NULL && strncmp(auth, "Bearer ", 7) == 0 &&
	    hex_decode(tok, 32, auth + 7, strlen(auth + 7)) == LD_OK;
	/* Compare always, in constant time. */
	good &= sig_ct_equal(tok, ld->token, 32);
	wipe_secure(tok, sizeof(tok));
	if (!good) {
		api_fail(req, 1, LD_EAUTH, "admin-token", -1,
		    "missing or wrong admin token (Authorization: Bearer "
		    "<the hex token in DATA/admin.token>)");
		return 0;
	}
	return 1;
}

static void
admin(struct ledgerd *ld, struct httpd_req *req, enum core_kind kind)
{
	struct core_job	*j;
	struct buf	 body = { 0 };
	struct json	*doc = NULL;
	const char	*why = "malformed";
	char		 err[160];
	int		 json = 1, rc;

	if (!admin_ok(ld, req))
		return;
	if (httpd_body(req, &body, 64 * 1024) != LD_OK) {
		api_fail(req, json, LD_ETOOBIG, "body-size", -1,
		    "admin bodies are at most 64 KiB");
		return;
	}
	if (json_parse((const char *)body.p, body.len, &doc, err,
	    sizeof(err)) != LD_OK) {
		api_fail(req, json, LD_EINVAL, "json", -1,
		    "body is not JSON: %s", err);
		buf_free(&body);
		return;
	}
	buf_free(&body);
	j = core_job_new(kind, NULL, NULL);
	if (kind == CORE_ISSUER)
		rc = form_issuer_from_json(doc, &j->issuer, &why);
	else
		rc = form_method_from_json(doc, &j->method, &why);
	json_free(doc);
	if (rc != LD_OK) {
		api_fail(req, json, rc, kind == CORE_ISSUER ? "issuer" :
		    "method", -1, "%s", why);
		core_job_free(j);
		return;
	}
	enqueue(ld, req, j, json);
}

void
api_issuers(struct ledgerd *ld, struct httpd_req *req, const char *path)
{
	(void)path;
	admin(ld, req, CORE_ISSUER);
}

void
api_methods(struct ledgerd *ld, struct httpd_req *req, const char *path)
{
	(void)path;
	admin(ld, req, CORE_METHOD);
}

void
api_checkpoint(struct ledgerd *ld, struct httpd_req *req, const char *path)
{
	struct cp	*cp = NULL;

	(void)path;
	/* With witnesses: the newest checkpoint the quorum cosigned. */
	if (ld->wit != NULL)
		cp = witness_checkpoint(ld->wit);
	if (cp == NULL)
		cp = cp_get(ld);
	httpd_set_header(req, "Access-Control-Allow-Origin", "*");
	httpd_reply(req, 200, "text/plain; charset=utf-8", cp->text, cp->len);
	cp_put(cp);
}
