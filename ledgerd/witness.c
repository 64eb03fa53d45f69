/* witness.c - ledgerd as a C2SP tlog-witness client: checkpoints sent to
 * the witnesses of a policy, their cosignatures collected and served. */
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "b64.h"
#include "buf.h"
#include "cp.h"
#include "err.h"
#include "fetch.h"
#include "log.h"
#include "merkle.h"
#include "note.h"
#include "policy.h"
#include "sig.h"
#include "store.h"
#include "tlog_witness.h"
#include "witness.h"
#include "xmalloc.h"

/* Why a request did not end in a verified cosignature (metric labels). */
enum reason {
	R_NET,		/* no HTTP answer (refused, timed out, reset) */
	R_400, R_403, R_404, R_409, R_422, R_5XX, R_OTHER,
	R_BADCOSIG,	/* a 200 whose lines do not verify */
	R_AHEAD,	/* the witness cosigned a size beyond this log's */
	R_STORE,	/* no proof from the store */
	R_MAX
};
static const char *const reason_names[R_MAX] = {
	"transport", "400", "403", "404", "409", "422", "5xx", "other",
	"bad-cosignature", "witness-ahead", "store",
};

#define LAT_BUCKETS	14	/* 1 ms .. 8.192 s, doubling; then +Inf */

/* One witness of the policy and its thread. */
struct peer {
	struct witness		*w;
	size_t			 idx;		/* in the policy */
	const char		*name;		/* the policy's */
	const struct sig_key	*key;
	struct fetch		*f;		/* its thread only */
	pthread_t		 thr;
	int			 started;
	/* its thread only */
	int64_t			 known;		/* size it cosigned; -1 unknown */
	uint64_t		 gen;		/* the round it finished */
	int			 failing;	/* the last attempt failed */
	/* metrics: its thread writes, /metrics reads */
	_Atomic uint64_t	 cosigned;
	_Atomic uint64_t	 fails[R_MAX];
	_Atomic uint64_t	 lat_hist[LAT_BUCKETS + 1];
	_Atomic uint64_t	 lat_us_sum;
};

/* A checkpoint sent, and the verified line of each witness that cosigned
 * it (NULL: none yet). */
struct cand {
	struct cp	*cp;
	char		*line[POLICY_MAX_WITNESSES];
};

struct witness {
	struct ledgerd		*ld;
	struct policy		*p;
	size_t			 n;
	struct peer		*peers;
	pthread_t		 ticker;
	int			 ticker_started;
	/* under mu */
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;		/* a new round, or stop */
	int			 stop;
	struct cp		*round;		/* the checkpoint to send */
	uint64_t		 gen;		/* rounds started */
	uint64_t		 round_ms;	/* when the round started */
	struct cand		 cands[WITNESS_CANDIDATES];
	struct cp		*served;	/* meets the quorum, or NULL */
};

static uint64_t
mono_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Wait on w->cv (mu held) for at most ms milliseconds. */
static void
wait_ms(struct witness *w, uint64_t ms)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	(void)pthread_cond_timedwait(&w->cv, &w->mu, &ts);
}

/* ---- the collected cosignatures ------------------------------------- */

static void
cand_clear(struct witness *w, struct cand *c)
{
	size_t	i;

	for (i = 0; i < w->n; i++) {
		free(c->line[i]);
		c->line[i] = NULL;
	}
	cp_put(c->cp);
	c->cp = NULL;
}

/*
 * The newest candidate whose note with its lines meets the quorum, if
 * newer than the one served, becomes the served checkpoint (mu held).
 */
static void
update_served(struct witness *w)
{
	struct policy_result	 r;
	struct ld_error		 e;
	struct note		 n;
	struct buf		 b = { 0 };
	struct cand		*best;
	uint64_t		 above = 0;
	size_t			 i, k;
	int			 have_above = 0, met;

	for (;;) {
		best = NULL;
		for (i = 0; i < WITNESS_CANDIDATES; i++) {
			struct cand	*c = &w->cands[i];

			if (c->cp == NULL || (have_above && c->cp->size >=
			    above) || (w->served != NULL && c->cp->size <
			    w->served->size))
				continue;
			if (best == NULL || c->cp->size > best->cp->size)
				best = c;
		}
		if (best == NULL)
			break;
		b.len = 0;
		buf_add(&b, best->cp->text, best->cp->len);
		for (k = 0; k < w->n; k++)
			if (best->line[k] != NULL)
				buf_add(&b, best->line[k],
				    strlen(best->line[k]));
		met = note_parse((const char *)b.p, b.len, &n) == LD_OK &&
		    policy_check(w->p, &n, &r, &e) == LD_OK;
		note_free(&n);
		if (met) {
			if (w->served == NULL || w->served->len != b.len ||
			    memcmp(w->served->text, b.p, b.len) != 0) {
				cp_put(w->served);
				w->served = cp_with_text(best->cp,
				    (const char *)b.p, b.len);
			}
			break;
		}
		above = best->cp->size;
		have_above = 1;
	}
	buf_free(&b);
}

/* Keep line (taken over) as peer pr's cosignature of cp. */
static void
record(struct peer *pr, struct cp *cp, char *line)
{
	struct witness	*w = pr->w;
	struct cand	*c = NULL, *oldest = NULL;
	size_t		 i;

	pthread_mutex_lock(&w->mu);
	for (i = 0; i < WITNESS_CANDIDATES && c == NULL; i++)
		if (w->cands[i].cp != NULL && w->cands[i].cp->size == cp->size)
			c = &w->cands[i];
	for (i = 0; i < WITNESS_CANDIDATES && c == NULL; i++) {
		if (w->cands[i].cp == NULL) {
			c = &w->cands[i];
			break;
		}
		if (oldest == NULL || w->cands[i].cp->size < oldest->cp->size)
			oldest = &w->cands[i];
	}
	if (c == NULL && oldest->cp->size < cp->size) {
		cand_clear(w, oldest);
		c = oldest;
	}
	if (c == NULL) {
		/* Older than every checkpoint held: nothing to gain. */
		free(line);
		goto out;
	}
	if (c->cp == NULL)
		c->cp = cp_ref(cp);
	free(c->line[pr->idx]);
	c->line[pr->idx] = line;
	update_served(w);
out:
	pthread_mutex_unlock(&w->mu);
}

/* ---- one witness ------------------------------------------------------ */

static void
peer_fail(struct peer *pr, enum reason why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Count a failure; log it when the witness starts failing (then at
 * debug level until it cosigns again). */
static void
peer_fail(struct peer *pr, enum reason why, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	atomic_fetch_add(&pr->fails[why], 1);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!pr->failing)
		log_warnx("witness %s: %s (retrying; its cosignatures are "
		    "not collected meanwhile)", pr->name, msg);
	else
		log_debug("witness %s: %s", pr->name, msg);
}

static void
latency(struct peer *pr, uint64_t us)
{
	uint64_t	ms = us / 1000;
	int		k = 0;

	while (k < LAT_BUCKETS && ms >= (1ull << k))
		k++;
	atomic_fetch_add(&pr->lat_hist[k], 1);
	atomic_fetch_add(&pr->lat_us_sum, us);
}

static enum reason
status_reason(int status)
{
	switch (status) {
	case 400: return R_400;
	case 403: return R_403;
	case 404: return R_404;
	case 409: return R_409;
	case 422: return R_422;
	default: return status >= 500 && status <= 599 ? R_5XX : R_OTHER;
	}
}

/*
 * The witness's line for cp from a 200 body: a cosignature/v1 line of its
 * key that verifies over cp's text, with a timestamp that is not 0. NULL
 * (and *why) otherwise.
 */
static char *
cosig_line(struct peer *pr, const struct cp *cp, const struct buf *body,
    const char **why)
{
	const struct sig_key	*keys[1] = { pr->key };
	const char		*end;
	struct note		 n;
	struct buf		 line = { 0 };
	uint8_t			 raw[4 + NOTE_SIG_MAX];
	char			*b64;
	size_t			 i, k, nv = 0, tlen;
	uint64_t		 ts = 0;
	int			 found = 0;
	char			*ret = NULL;

	end = memmem(cp->text, cp->len, "\n\n", 2);
	tlen = end != NULL ? (size_t)(end - cp->text) + 1 : cp->len;
	if (tlog_witness_resp_parse(cp->text, tlen, body->p != NULL ?
	    (const char *)body->p : "", body->len, &n) != LD_OK) {
		*why = "the body is not signature lines";
		return NULL;
	}
	if (note_verify(&n, keys, 1, &nv) != LD_OK || nv != 1) {
		*why = "no line of its key verifies";
		goto out;
	}
	for (i = 0; i < n.nsigs && !found; i++) {
		struct note_sig	*s = &n.sigs[i];

		if (strcmp(s->name, sig_key_name(pr->key)) != 0 ||
		    s->id != sig_key_id(pr->key) || s->len != 72)
			continue;
		found = 1;
		for (ts = 0, k = 0; k < 8; k++)
			ts = ts << 8 | s->sig[k];
		raw[0] = (uint8_t)(s->id >> 24);
		raw[1] = (uint8_t)(s->id >> 16);
		raw[2] = (uint8_t)(s->id >> 8);
		raw[3] = (uint8_t)s->id;
		memcpy(raw + 4, s->sig, s->len);
		b64 = xmalloc(b64_encoded_len(4 + s->len) + 1);
		b64_encode(b64, raw, 4 + s->len);
		buf_printf(&line, "\xe2\x80\x94 %s %s\n", s->name, b64);
		free(b64);
	}
	if (!found) {
		*why = "no cosignature/v1 line of its key";
		goto out;
	}
	if (ts == 0) {
		*why = "a cosignature with timestamp 0";
		goto out;
	}
	ret = xstrdup(buf_cstr(&line));
out:
	buf_free(&line);
	note_free(&n);
	return ret;
}

/* Send cp to pr's witness; 1 if its cosignature was collected. */
static int
send_one(struct peer *pr, struct cp *cp)
{
	struct ledgerd		*ld = pr->w->ld;
	struct merkle_proof	 mp;
	struct store_txn	*t;
	struct fetch_resp	 resp;
	struct buf		 body = { 0 };
	const char		*why = "";
	char			*line;
	uint64_t		 old, t0, ws;
	int			 attempt, rc, done = 0;

	memset(&resp, 0, sizeof(resp));
	for (attempt = 0; attempt < 3 && !done; attempt++) {
		old = pr->known < 0 ? 0 : (uint64_t)pr->known;
		if (old > cp->size) {
			peer_fail(pr, R_AHEAD, "it cosigned size %llu, beyond this "
			    "log's %llu", (unsigned long long)old,
			    (unsigned long long)cp->size);
			pr->known = -1;
			break;
		}
		mp.n = 0;
		if (old > 0 && old < cp->size && (store_begin(ld->store, 1,
		    &t) != LD_OK || (rc = merkle_prove_consistency(store_node_fn,
		    t, old, cp->size, &mp), store_abort(t), rc) != MERKLE_OK)) {
			peer_fail(pr, R_STORE, "no consistency proof %llu -> %llu "
			    "from the store", (unsigned long long)old,
			    (unsigned long long)cp->size);
			break;
		}
		body.len = 0;
		if (tlog_witness_req_format(old, (const uint8_t (*)[32])mp.path,
		    mp.n, cp->text, cp->len, &body) != LD_OK) {
			peer_fail(pr, R_STORE, "cannot format the request");
			break;
		}
		fetch_resp_free(&resp);
		t0 = mono_us();
		rc = fetch_post(pr->f, "/add-checkpoint", "text/plain", NULL,
		    NULL, body.p, body.len, &resp);
		latency(pr, mono_us() - t0);
		if (rc != LD_OK) {
			peer_fail(pr, R_NET, "%s", resp.error);
			break;
		}
		if (resp.status == 409) {
			atomic_fetch_add(&pr->fails[R_409], 1);
			if (tlog_witness_size_parse(resp.body.p != NULL ?
			    (const char *)resp.body.p : "", resp.body.len,
			    &ws) != LD_OK || ws == old) {
				peer_fail(pr, R_OTHER, "a 409 without a new size");
				break;
			}
			log_debug("witness %s: at size %llu (409)", pr->name,
			    (unsigned long long)ws);
			pr->known = (int64_t)ws;
			continue;
		}
		if (resp.status != 200) {
			peer_fail(pr, status_reason(resp.status), "%d for size %llu "
			    "from %llu: %.*s", resp.status,
			    (unsigned long long)cp->size,
			    (unsigned long long)old,
			    (int)(resp.body.len > 200 ? 200 : resp.body.len),
			    resp.body.p != NULL ? (const char *)resp.body.p :
			    "");
			break;
		}
		if ((line = cosig_line(pr, cp, &resp.body, &why)) == NULL) {
			peer_fail(pr, R_BADCOSIG, "a 200 for size %llu, but %s",
			    (unsigned long long)cp->size, why);
			break;
		}
		pr->known = (int64_t)cp->size;
		atomic_store(&pr->cosigned, cp->size);
		if (pr->failing)
			log_info("witness %s: cosigning again, at size %llu",
			    pr->name, (unsigned long long)cp->size);
		record(pr, cp, line);
		done = 1;
	}
	if (attempt == 3 && !done)
		peer_fail(pr, R_409, "its size changed at each try");
	fetch_resp_free(&resp);
	buf_free(&body);
	pr->failing = !done;
	return done;
}

/* A witness's thread: each new round's checkpoint, retried on failure
 * after a backoff. */
static void *
peer_main(void *arg)
{
	struct peer	*pr = arg;
	struct witness	*w = pr->w;
	struct cp	*cp;
	uint64_t	 gen, now, retry_at = 0, backoff = 0;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		now = mono_us() / 1000;
		if (w->round == NULL || pr->gen == w->gen || now < retry_at) {
			wait_ms(w, now < retry_at && retry_at - now < 1000 ?
			    retry_at - now : 1000);
			continue;
		}
		cp = cp_ref(w->round);
		gen = w->gen;
		pthread_mutex_unlock(&w->mu);
		if (send_one(pr, cp)) {
			pr->gen = gen;
			backoff = 0;
			retry_at = 0;
		} else {
			backoff = backoff == 0 ? 1000 : backoff * 2;
			if (backoff > WITNESS_BACKOFF_MAX_S * 1000)
				backoff = WITNESS_BACKOFF_MAX_S * 1000;
			retry_at = mono_us() / 1000 + backoff;
		}
		cp_put(cp);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* The rounds: a newer checkpoint, at most one round per WITNESS_ROUND_MS. */
static void *
ticker_main(void *arg)
{
	struct witness	*w = arg;
	struct cp	*cp;
	uint64_t	 now;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		cp = cp_get(w->ld);
		now = mono_us() / 1000;
		if (cp != NULL && (w->round == NULL ||
		    (cp->size > w->round->size &&
		    now - w->round_ms >= WITNESS_ROUND_MS))) {
			cp_put(w->round);
			w->round = cp;
			w->gen++;
			w->round_ms = now;
			pthread_cond_broadcast(&w->cv);
		} else
			cp_put(cp);
		wait_ms(w, 50);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* ---- the module --------------------------------------------------------- */

/* Whether p lists this log: its origin with its key. */
static int
lists_log(const struct policy *p, const struct ledgerd *ld)
{
	long	i;

	for (i = policy_log_find(p, ld->origin, 0); i >= 0;
	    i = policy_log_find(p, ld->origin, (size_t)i + 1))
		if (memcmp(sig_key_pub(policy_log_key(p, (size_t)i)),
		    sig_key_pub(ld->key), 32) == 0)
			return 1;
	return 0;
}

int
witness_start(struct ledgerd *ld, const char *path, struct witness **out,
    struct ld_error *e)
{
	struct witness		*w;
	struct policy		*p = NULL;
	struct peer		*pr;
	pthread_condattr_t	 ca;
	char			 err[384];
	const char		*url;
	size_t			 i;
	int			 rc;

	*out = NULL;
	if ((rc = policy_load(path, &p, e)) != LD_OK)
		return rc;
	if (!lists_log(p, ld)) {
		policy_free(p);
		return ld_error_set(e, LD_EINVAL, "policy", NO_INDEX, "%s does "
		    "not list this log (origin %s with this ledgerd's key): "
		    "add the line \"log <vkey>\" (ledgerd vkey prints it)",
		    path, ld->origin);
	}
	if (policy_nwitnesses(p) == 0) {
		policy_free(p);
		return ld_error_set(e, LD_EINVAL, "policy", NO_INDEX, "%s "
		    "lists no witness", path);
	}
	w = xcalloc(1, sizeof(*w));
	w->ld = ld;
	w->p = p;
	w->n = policy_nwitnesses(p);
	w->peers = xcalloc(w->n, sizeof(*w->peers));
	for (i = 0; i < w->n; i++) {
		pr = &w->peers[i];
		pr->w = w;
		pr->idx = i;
		pr->name = policy_witness_name(p, i);
		pr->key = policy_witness_key(p, i);
		pr->known = -1;
		if ((url = policy_witness_url(p, i)) == NULL) {
			rc = ld_error_set(e, LD_EINVAL, "policy", NO_INDEX,
			    "%s: witness %s has no URL (its submission "
			    "prefix: \"witness NAME VKEY URL\")", path,
			    pr->name);
			goto fail;
		}
		if (fetch_open(url, NULL, WITNESS_TIMEOUT_S, err, sizeof(err),
		    &pr->f) != LD_OK) {
			rc = ld_error_set(e, LD_EINVAL, "policy", NO_INDEX,
			    "%s: witness %s: %s", path, pr->name, err);
			goto fail;
		}
		fetch_set_max_body(pr->f, TLOG_WITNESS_MAX_RESP);
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&w->ticker, NULL, ticker_main, w) != 0)
		fatalx("cannot start the witness thread");
	w->ticker_started = 1;
	for (i = 0; i < w->n; i++) {
		if (pthread_create(&w->peers[i].thr, NULL, peer_main,
		    &w->peers[i]) != 0)
			fatalx("cannot start a witness thread");
		w->peers[i].started = 1;
	}
	*out = w;
	return LD_OK;
fail:
	for (i = 0; i < w->n; i++)
		fetch_close(w->peers[i].f);
	free(w->peers);
	free(w);
	policy_free(p);
	return rc;
}

void
witness_stop(struct witness *w)
{
	size_t	i;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (w->ticker_started)
		pthread_join(w->ticker, NULL);
	for (i = 0; i < w->n; i++) {
		if (w->peers[i].started)
			pthread_join(w->peers[i].thr, NULL);
		fetch_close(w->peers[i].f);
	}
	for (i = 0; i < WITNESS_CANDIDATES; i++)
		cand_clear(w, &w->cands[i]);
	cp_put(w->round);
	cp_put(w->served);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w->peers);
	policy_free(w->p);
	free(w);
}

struct cp *
witness_checkpoint(struct witness *w)
{
	struct cp	*cp;

	pthread_mutex_lock(&w->mu);
	cp = w->served != NULL ? cp_ref(w->served) : NULL;
	pthread_mutex_unlock(&w->mu);
	return cp;
}

/* A witness name as a Prometheus label value (\ " and newline escaped). */
static void
label(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_add(out, "\\", 1);
		buf_add(out, s, 1);
	}
}

void
witness_metrics(struct witness *w, struct buf *out)
{
	struct peer	*pr;
	uint64_t	 cum, v, sum, served;
	size_t		 i;
	int		 k;

	pthread_mutex_lock(&w->mu);
	served = w->served != NULL ? w->served->size : 0;
	pthread_mutex_unlock(&w->mu);
	buf_printf(out, "# HELP ledger_witness_served_size The size of the "
	    "checkpoint /checkpoint serves with the quorum's cosignatures "
	    "(0: none yet).\n# TYPE ledger_witness_served_size gauge\n"
	    "ledger_witness_served_size %llu\n", (unsigned long long)served);
	buf_printf(out, "# HELP ledger_witness_cosigned_size The size of the "
	    "latest checkpoint each witness cosigned (0: none yet).\n"
	    "# TYPE ledger_witness_cosigned_size gauge\n");
	for (i = 0; i < w->n; i++) {
		pr = &w->peers[i];
		buf_printf(out, "ledger_witness_cosigned_size{witness=\"");
		label(out, pr->name);
		buf_printf(out, "\"} %llu\n", (unsigned long long)
		    atomic_load(&pr->cosigned));
	}
	buf_printf(out, "# HELP ledger_witness_failures_total Requests to a "
	    "witness that did not give a cosignature, by status (transport: "
	    "no answer).\n# TYPE ledger_witness_failures_total counter\n");
	for (i = 0; i < w->n; i++)
		for (k = 0; k < R_MAX; k++) {
			pr = &w->peers[i];
			if ((v = atomic_load(&pr->fails[k])) == 0)
				continue;
			buf_printf(out, "ledger_witness_failures_total{"
			    "witness=\"");
			label(out, pr->name);
			buf_printf(out, "\",status=\"%s\"} %llu\n",
			    reason_names[k], (unsigned long long)v);
		}
	buf_printf(out, "# HELP ledger_witness_request_seconds The time of "
	    "each add-checkpoint request, by witness.\n"
	    "# TYPE ledger_witness_request_seconds histogram\n");
	for (i = 0; i < w->n; i++) {
		pr = &w->peers[i];
		for (k = 0, cum = 0; k <= LAT_BUCKETS; k++) {
			cum += atomic_load(&pr->lat_hist[k]);
			buf_printf(out, "ledger_witness_request_seconds_bucket{"
			    "witness=\"");
			label(out, pr->name);
			if (k < LAT_BUCKETS)
				buf_printf(out, "\",le=\"%g\"} %llu\n",
				    (double)(1ull << k) / 1e3,
				    (unsigned long long)cum);
			else
				buf_printf(out, "\",le=\"+Inf\"} %llu\n",
				    (unsigned long long)cum);
		}
		sum = atomic_load(&pr->lat_us_sum);
		buf_printf(out, "ledger_witness_request_seconds_count{"
		    "witness=\"");
		label(out, pr->name);
		buf_printf(out, "\"} %llu\nledger_witness_request_seconds_sum{"
		    "witness=\"", (unsigned long long)cum);
		label(out, pr->name);
		buf_printf(out, "\"} %llu.%06llu\n",
		    (unsigned long long)(sum / 1000000),
		    (unsigned long long)(sum % 1000000));
	}
}

void
witness_describe(struct witness *w, struct buf *out)
{
	size_t	i;

	buf_printf(out, "witnesses ");
	for (i = 0; i < w->n; i++)
		buf_printf(out, "%s%s <%s>", i > 0 ? ", " : "",
		    w->peers[i].name, policy_witness_url(w->p, i));
	buf_printf(out, " (quorum %s)", policy_quorum(w->p));
}
