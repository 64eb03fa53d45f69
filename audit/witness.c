/* witness.c - ledger-audit witness: the C2SP tlog-witness HTTP server. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "attest.h"
#include "buf.h"
#include "cli.h"
#include "err.h"
#include "file.h"
#include "httpd.h"
#include "log.h"
#include "policy.h"
#include "sig.h"
#include "tlog_witness.h"
#include "wipe.h"
#include "witness.h"
#include "witness_core.h"
#include "witness_state.h"
#include "xmalloc.h"

/* Limits of the witness's listener: small bodies, few connections. */
#define WITNESS_MAX_CONNS	1024
#define WITNESS_TIMEOUT		30
#define WITNESS_MAX_HEADERS	(16u << 10)
#define WITNESS_MAX_BUFFERED	(64ull * TLOG_WITNESS_MAX_BODY)

/* What every request reads: set before the loop runs, then read-only. */
struct witness {
	struct policy		*policy;
	struct sig_key		*key;
	struct witness_state	*state;
	struct httpd		*http;
	/* --replay: per log line of the policy, its mirror and worker. */
	int			 replay;
	struct attest_opts	 aopts[POLICY_MAX_LOGS];
	struct attest_worker	*workers[POLICY_MAX_LOGS];
};

/* A request waiting for its log's replay (worker thread, then loop). */
struct replay_job {
	struct witness		*w;
	struct httpd_req	*req;
	struct buf		 body;
	enum attest_verdict	 verdict;
	uint64_t		 size;
	struct buf		 codes;
	char			 error[640];
};

static void
reply_text(struct httpd_req *req, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A plain-text answer: one line saying why. */
static void
reply_text(struct httpd_req *req, int status, const char *fmt, ...)
{
	char	line[512];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	httpd_reply(req, status, "text/plain; charset=utf-8", line, (size_t)n);
}

/* Clock seconds, never 0 (witness_core refuses 0). */
static uint64_t
now_secs(void)
{
	time_t	t = time(NULL);

	return t <= 0 ? 1 : (uint64_t)t;
}

static void	answer(struct witness *, struct httpd_req *, struct buf *);

/* On the loop: the replay ended; cosign, or say why not. */
static void
replay_answer(void *arg)
{
	struct replay_job	*j = arg;

	switch (j->verdict) {
	case ATTEST_CLEAN:
		log_info("replay: size %llu mirrored and replayed, no finding",
		    (unsigned long long)j->size);
		answer(j->w, j->req, &j->body);
		break;
	case ATTEST_FINDINGS:
		log_warnx("replay: size %llu refused: %s",
		    (unsigned long long)j->size, j->error);
		httpd_reply(j->req, 422, "text/plain; charset=utf-8",
		    j->codes.p, j->codes.len);
		break;
	default:
		log_info("replay: size %llu not cosigned: %s",
		    (unsigned long long)j->size, j->error);
		httpd_set_header(j->req, "Retry-After", "1");
		reply_text(j->req, 503, "%s", j->error);
		break;
	}
	buf_free(&j->body);
	buf_free(&j->codes);
	free(j);
}

/* On the worker's thread: keep the result, answer on the loop. */
static void
replay_done(void *arg, const struct attest_result *res)
{
	struct replay_job	*j = arg;

	j->verdict = res->verdict;
	j->size = res->size;
	buf_add(&j->codes, res->codes.p, res->codes.len);
	snprintf(j->error, sizeof(j->error), "%s", res->error);
	httpd_call(j->w->http, replay_answer, j);
}

/*
 * --replay: a request the witness would cosign goes to its log's worker
 * first; returns 1 if it took the request (answered now or later), 0 to
 * let the witness answer it as usual (a refusal: 400, 403, 404, 409,
 * 422, or 500).
 */
static int
replay_first(struct witness *w, struct httpd_req *req, struct buf *body)
{
	struct tlog_witness_req		 rq;
	struct witness_state_rec	 cur;
	struct witness_core_reply	 r;
	struct replay_job		*j;
	struct buf			 next = { 0 };
	const char			*cp;
	uint64_t			 busy;
	long				 li;
	int				 took = 0;

	memset(&cur, 0, sizeof(cur));
	memset(&r, 0, sizeof(r));
	if (tlog_witness_req_parse((const char *)body->p, body->len, &rq) !=
	    LD_OK)
		return 0;
	if ((li = policy_log_find(w->policy, rq.cp.origin, 0)) < 0 ||
	    witness_state_read(w->state, rq.cp.origin, &cur) != LD_OK ||
	    witness_core_decide(w->policy, w->key, &rq, &cur, now_secs(), &r,
	    &next) != LD_OK || r.status != 200)
		goto out;
	/* The log line whose key signed it (key rotation: several). */
	for (; li >= 0; li = policy_log_find(w->policy, rq.cp.origin,
	    (size_t)li + 1)) {
		const struct sig_key *k = policy_log_key(w->policy, (size_t)li);

		if (note_verify(&rq.note, &k, 1, NULL) == LD_OK)
			break;
	}
	if (li < 0)
		goto out;
	took = 1;
	if ((busy = attest_worker_busy(w->workers[li])) != 0) {
		httpd_set_header(req, "Retry-After", "1");
		reply_text(req, 503, "replaying the log up to size %llu; this "
		    "auditor cosigns nothing it has not replayed: retry",
		    (unsigned long long)busy);
		goto out;
	}
	cp = memmem(body->p, body->len, "\n\n", 2);
	j = xcalloc(1, sizeof(*j));
	j->w = w;
	j->req = req;
	j->body = *body;
	memset(body, 0, sizeof(*body));
	if (attest_worker_submit(w->workers[li], cp + 2, (size_t)((const char *)
	    j->body.p + j->body.len - (cp + 2)), replay_done, j) != LD_OK) {
		*body = j->body;
		free(j);
		httpd_set_header(req, "Retry-After", "1");
		reply_text(req, 503, "the replay is busy; retry");
	}
out:
	witness_core_reply_free(&r);
	witness_state_rec_free(&cur);
	tlog_witness_req_free(&rq);
	buf_free(&next);
	return took;
}

/* POST /add-checkpoint. */
static void
add_checkpoint(struct witness *w, struct httpd_req *req)
{
	struct buf	body = { 0 };
	int		rc;

	if ((rc = httpd_body(req, &body, TLOG_WITNESS_MAX_BODY)) != LD_OK) {
		reply_text(req, rc == LD_ETOOBIG ? 413 : 400, "the body is "
		    "over %u bytes or unreadable",
		    (unsigned)TLOG_WITNESS_MAX_BODY);
		buf_free(&body);
		return;
	}
	if (!w->replay || !replay_first(w, req, &body))
		answer(w, req, &body);
	buf_free(&body);
}

/* Decide, persist and answer (the witness as C2SP says). */
static void
answer(struct witness *w, struct httpd_req *req, struct buf *body)
{
	struct witness_core_reply	r;
	int				rc;

	rc = witness_core_add(w->policy, w->key, w->state,
	    body->p != NULL ? (const char *)body->p : "", body->len,
	    now_secs(), &r);
	if (r.status == 200 || r.status == 409)
		httpd_reply(req, r.status, r.content_type, r.body.p,
		    r.body.len);
	else
		reply_text(req, r.status, "%s", r.why);
	if (r.status == 200)
		log_debug("add-checkpoint: 200 %s", r.why);
	else
		log_info("add-checkpoint: %d %s%s%s", r.status, r.why,
		    rc != LD_OK ? ": " : "", rc != LD_OK ? ld_strerror(rc) : "");
	witness_core_reply_free(&r);
}

/* GET /<64 hex>/checkpoint: the latest checkpoint cosigned for a log. */
static void
monitor(struct witness *w, struct httpd_req *req, const char *hash,
    size_t len)
{
	struct buf	b = { 0 };
	int		rc;

	rc = witness_core_latest(w->policy, w->state, hash, len, &b);
	if (rc == LD_OK)
		httpd_reply(req, 200, "text/plain; charset=utf-8", b.p, b.len);
	else if (rc == LD_ENOTFOUND)
		reply_text(req, 404, "no checkpoint cosigned for a log of "
		    "that origin hash");
	else {
		log_warnx("monitoring read: %s", ld_strerror(rc));
		reply_text(req, 500, "the witness state cannot be read");
	}
	buf_free(&b);
}

static void
handle(void *ctx, struct httpd_req *req)
{
	static const char	suffix[] = "/checkpoint";
	struct witness		*w = ctx;
	const char		*m = httpd_method(req), *path = httpd_path(req);
	size_t			 len, slen = sizeof(suffix) - 1;
	int			 get = strcmp(m, "GET") == 0 ||
				    strcmp(m, "HEAD") == 0;

	if (path == NULL) {
		reply_text(req, 400, "the path does not decode");
		return;
	}
	if (httpd_header_count(req, "Content-Length") > 1) {
		httpd_set_header(req, "Connection", "close");
		reply_text(req, 400, "more than one Content-Length header");
		return;
	}
	len = strlen(path);
	if (strcmp(path, "/add-checkpoint") == 0) {
		if (strcmp(m, "POST") == 0)
			add_checkpoint(w, req);
		else {
			httpd_set_header(req, "Allow", "POST");
			reply_text(req, 405, "%s takes POST, not %s", path, m);
		}
		return;
	}
	if (len == 1 + WITNESS_STATE_NAME_LEN + slen &&
	    strcmp(path + len - slen, suffix) == 0 &&
	    memchr(path + 1, '/', WITNESS_STATE_NAME_LEN) == NULL) {
		if (get)
			monitor(w, req, path + 1, WITNESS_STATE_NAME_LEN);
		else {
			httpd_set_header(req, "Allow", "GET, HEAD");
			reply_text(req, 405, "%s takes GET, not %s", path, m);
		}
		return;
	}
	reply_text(req, 404, "no route for %s %s", m, path);
}

static const struct httpd_hooks witness_hooks = { handle, NULL, NULL, NULL };

/* The cosigner key from a file others cannot read; NULL (logged) if not. */
static struct sig_key *
load_key(const char *path)
{
	struct sig_key	*k = NULL;
	mode_t		 mode;
	size_t		 len;
	char		*s;
	int		 rc;

	if (file_mode_too_open(path, &mode)) {
		log_warnx("%s is mode %04o; a private key must not be readable "
		    "by others: chmod 600 %s", path, (unsigned)mode, path);
		return NULL;
	}
	if ((rc = file_read(path, 4096, &s, &len)) != LD_OK) {
		log_warnx("--key %s: %s", path, ld_strerror(rc));
		return NULL;
	}
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (sig_key_from_skey(s, len, &k) != LD_OK)
		log_warnx("--key %s is not a signed-note private key", path);
	else if (sig_key_type(k) != SIG_TYPE_COSIGN) {
		log_warnx("--key %s is not a cosignature/v1 key (type 0x04): "
		    "make one with ledger keygen --witness --id NAME", path);
		sig_key_free(k);
		k = NULL;
	}
	wipe_secure(s, len);
	free(s);
	return k;
}

/*
 * One witness per state directory: two processes would each run the
 * compare-and-set under their own mutex and could both cosign a fork.
 * Hold an exclusive lock on DIR/witness.lock while serving; -1 (logged)
 * if another process holds it.
 */
static int
lock_state(const char *dir)
{
	char	*path = xasprintf("%s/witness.lock", dir);
	int	 fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		log_warn("%s", path);
	else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		log_warnx("--state %s is in use by another witness (%s is "
		    "locked)", dir, path);
		close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

/*
 * --replay: a mirror and a worker per log line of the policy, each
 * mirror in DIR/replay/<hex SHA-256 of the log's vkey>. LD_EINVAL
 * (logged) for a log line without a URL.
 */
static int
replay_start(struct witness *w, const struct witness_opts *o)
{
	char	 name[WITNESS_STATE_NAME_LEN + 1], *dir;
	size_t	 i;

	dir = xasprintf("%s/replay", o->state);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		log_warn("--replay: cannot create %s", dir);
		free(dir);
		return LD_ESYS;
	}
	free(dir);
	for (i = 0; i < policy_nlogs(w->policy); i++) {
		if (policy_log_url(w->policy, i) == NULL) {
			log_warnx("--replay: the policy's log line for %s has "
			    "no URL: an auditor cosigner mirrors each log "
			    "from its tiles (log <vkey> <url>)",
			    policy_log_origin(w->policy, i));
			return LD_EINVAL;
		}
		w->aopts[i].vkey = sig_vkey(policy_log_key(w->policy, i));
		witness_state_name(w->aopts[i].vkey, name);
		w->aopts[i].state = xasprintf("%s/replay/%s", o->state, name);
		w->aopts[i].url = policy_log_url(w->policy, i);
		w->aopts[i].cacert = o->cacert;
		w->aopts[i].mapsize = 0;
		if (attest_worker_start(&w->aopts[i], &w->workers[i]) !=
		    LD_OK) {
			log_warnx("--replay: cannot start a worker thread");
			return LD_ESYS;
		}
	}
	w->replay = 1;
	return LD_OK;
}

int
witness_serve(const struct witness_opts *o)
{
	struct httpd_config	 cfg;
	struct witness		 w;
	struct httpd		*h = NULL;
	struct ld_error		 e;
	struct buf		 logs = { 0 };
	const char		*colon;
	char			*vkey = NULL;
	size_t			 i;
	int			 rc, ret = CLI_EXIT_USAGE, lockfd = -1;

	memset(&w, 0, sizeof(w));
	memset(&e, 0, sizeof(e));
	if ((w.key = load_key(o->key)) == NULL)
		goto out;
	if (policy_load(o->policy, &w.policy, &e) != LD_OK) {
		log_warnx("--policy: %s", e.msg);
		goto out;
	}
	if (policy_nlogs(w.policy) == 0) {
		log_warnx("--policy %s lists no log: a witness cosigns the "
		    "logs of its policy's log lines", o->policy);
		goto out;
	}
	if ((rc = witness_state_open(o->state, &w.state)) != LD_OK) {
		log_warnx("--state %s: %s", o->state, rc == LD_ENOTFOUND ?
		    "no such directory (create it first)" :
		    "not a directory");
		goto out;
	}
	if ((lockfd = lock_state(o->state)) < 0) {
		ret = CLI_EXIT_FAIL;
		goto out;
	}
	if (o->replay && replay_start(&w, o) != LD_OK)
		goto out;
	memset(&cfg, 0, sizeof(cfg));
	cfg.listen = o->listen;
	cfg.max_conns = WITNESS_MAX_CONNS;
	cfg.request_timeout = WITNESS_TIMEOUT;
	cfg.io_timeout = WITNESS_TIMEOUT;
	cfg.max_buffered = WITNESS_MAX_BUFFERED;
	cfg.max_headers = WITNESS_MAX_HEADERS;
	cfg.max_body = TLOG_WITNESS_MAX_BODY;
	cfg.refusal_json = "{\"error\":\"the witness holds as many request "
	    "bodies as it may; retry after a second\"}";
	if ((rc = httpd_open(&cfg, &witness_hooks, &w, &h)) != LD_OK) {
		log_warnx("cannot listen on %s: %s", o->listen,
		    ld_strerror(rc));
		ret = rc == LD_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
		goto out;
	}
	w.http = h;
	for (i = 0; i < policy_nlogs(w.policy); i++)
		buf_printf(&logs, "%s%s", i > 0 ? ", " : "",
		    policy_log_origin(w.policy, i));
	vkey = sig_vkey(w.key);
	colon = strrchr(o->listen, ':');
	log_info("witness %s cosigning %zu log(s) (%.*s), state %s, "
	    "listening on %.*s:%d", vkey, policy_nlogs(w.policy),
	    (int)logs.len, (const char *)logs.p, o->state,
	    (int)(colon - o->listen), o->listen, httpd_port(h));
	ret = httpd_run(h) == LD_OK ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	log_info("stopped");
out:
	for (i = 0; i < POLICY_MAX_LOGS; i++) {
		attest_worker_stop(w.workers[i]);
		free((char *)w.aopts[i].state);
		free((char *)w.aopts[i].vkey);
	}
	httpd_free(h);
	free(vkey);
	buf_free(&logs);
	witness_state_close(w.state);
	if (lockfd >= 0)
		close(lockfd);
	policy_free(w.policy);
	sig_key_free(w.key);
	return ret;
}
