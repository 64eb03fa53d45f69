/* seq.c - the sequencer: group commit of submissions on its own thread. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "err.h"
#include "export.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "merkle.h"
#include "rcache.h"
#include "receipt.h"
#include "rules.h"
#include "rules_store.h"
#include "seq.h"
#include "store.h"

/* What a job produced, kept until its reply is built after the commit. */
struct job_result {
	int		 err;		/* LD_OK or why it was refused */
	const char	*rule;
	char		 msg[256];
	long		 pos;		/* position in the batch, or -1 */
	uint64_t	 err_index;	/* conflicting leaf, or NO_INDEX */
	/* Leaves appended: [start, start + nleaves). */
	uint64_t	 start;
	uint32_t	 nleaves;
	struct buf	 leaves;	/* concatenated leaf bytes */
	size_t		*offs;		/* nleaves + 1 offsets into leaves */
	uint8_t		 left[MERKLE_MAX_LEVELS][32];
	size_t		 nleft;
	/* Per submitted position: its leaf index and whether it was a dup. */
	uint64_t	*index;
	uint8_t		*dup;
	uint32_t	 n;
	int		 duplicate;	/* admin: identical registration */
};

struct seq {
	struct ledgerd		*ld;
	pthread_t		 thr;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct job		*head, **tail;
	size_t			 queued;	/* entries */
	int			 draining, stop, busy, started;
	/* The verifier stage in front of the sequencer (same mutex). */
	pthread_t		 vthr;
	pthread_cond_t		 vcv;
	struct job		*vhead, **vtail;
	size_t			 vqueued;
	int			 vstop, vbusy, vstarted;

	/* Writer state: the sequencer thread only. */
	struct rcache		*rc;		/* the rules' state (arg) */
	struct rules		 rules;
	struct merkle_tree	 tree;
	struct buf		 scratch;
	uint64_t		 exported;	/* size in the export dir */
};

static void	 job_free(struct job *);

static int
fail_res(struct job_result *r, int err, const char *rule, long pos,
    uint64_t index, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int
fail_res(struct job_result *r, int err, const char *rule, long pos,
    uint64_t index, const char *fmt, ...)
{
	va_list	ap;

	r->err = err;
	r->rule = rule;
	r->pos = pos;
	r->err_index = index;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return err;
}

/* Append one leaf the rules built: store it, its hash and tree nodes. */
static int
append_leaf(struct seq *s, struct store_txn *txn, const uint8_t *p,
    size_t len, const uint8_t hash[32], struct job_result *r)
{
	struct merkle_node	nodes[MERKLE_MAX_LEVELS];
	uint64_t		index = s->tree.size;
	size_t			n, i;
	int			rc;

	if ((rc = store_leaf_put(txn, index, p, len)) != LD_OK ||
	    (s->ld->leafhash_index &&
	    (rc = store_leafhash_put(txn, hash, index)) != LD_OK))
		return rc;
	if (merkle_tree_append(&s->tree, hash, nodes, &n) != MERKLE_OK)
		return LD_EOVERFLOW;
	for (i = 0; i < n; i++)
		if ((rc = store_node_put(txn, nodes[i].level, nodes[i].index,
		    nodes[i].hash)) != LD_OK)
			return rc;
	if (r != NULL) {
		if (r->nleaves == 0)
			r->offs[0] = r->leaves.len;
		buf_add(&r->leaves, p, len);
		r->nleaves++;
		r->offs[r->nleaves] = r->leaves.len;
	}
	return LD_OK;
}

/* Whether the stored leaf at index holds exactly this submission. */
static int
same_entry(struct store_txn *txn, uint64_t index, const char *issuer,
    const struct sub *sub, struct buf *tmp, int *same)
{
	const uint8_t	*p;
	size_t		 len;
	struct leaf	 l;
	size_t		 mark;
	int		 rc;

	*same = 0;
	if ((rc = store_leaf_get(txn, index, &p, &len)) != LD_OK)
		return rc;
	if (codec_leaf_decode(p, len, &l) != LD_OK)
		return LD_ECORRUPT;
	if (l.kind < KIND_CREDIT || strcmp(l.u.e.issuer.s, issuer) != 0) {
		leaf_free(&l);
		return LD_OK;
	}
	buf_reset(tmp);
	codec_sub_encode(&l.u.e.sub, tmp);
	mark = tmp->len;
	codec_sub_encode(sub, tmp);
	*same = tmp->len == 2 * mark &&
	    memcmp(tmp->p, tmp->p + mark, mark) == 0;
	leaf_free(&l);
	return LD_OK;
}

/* Map a rules error into the job's result. */
static int
rules_fail(struct job_result *r, const struct rules_err *e, long pos)
{
	return fail_res(r, e->code, e->rule, pos, e->index, "%s", e->msg);
}

/* Positions of a 32-byte key within the batch: a small open hash set. */
static long
batch_seen(uint32_t *slots, size_t nslots, const struct sub *subs, uint32_t i)
{
	uint64_t	w[4], h;

	/* Mix all 32 bytes: keys need not be uniform in any one part. */
	memcpy(w, subs[i].dedup, 32);
	h = (w[0] ^ w[1] * 0x9e3779b97f4a7c15ULL ^ w[2] * 0xbf58476d1ce4e5b9ULL ^
	    w[3] * 0x94d049bb133111ebULL);
	h ^= h >> 31;
	for (h %= nslots;; h = (h + 1) % nslots) {
		if (slots[h] == 0) {
			slots[h] = i + 1;
			return -1;
		}
		if (memcmp(subs[slots[h] - 1].dedup, subs[i].dedup, 32) == 0)
			return (long)slots[h] - 1;
	}
}

static int
run_submit(struct seq *s, struct store_txn *txn, struct job *j, uint64_t now,
    struct job_result *r)
{
	struct batch_req	*b = &j->batch;
	struct issuer_state	 ist;
	struct rules_err	 e;
	struct leaf		 bl;
	uint8_t			 root[32], h[32];
	uint32_t		*slots, i, ndup = 0;
	uint64_t		 idx;
	long			 prev;
	size_t			 nslots = 2 * (size_t)b->n + 1;
	int			 rc, same;

	r->n = b->n;
	r->index = xcalloc(b->n, sizeof(uint64_t));
	r->dup = xcalloc(b->n, 1);
	r->offs = xcalloc((size_t)b->n + 2, sizeof(size_t));
	rc = s->rules.ops->issuer_get(s->rc, b->issuer.s, &ist);
	if (rc == LD_ENOTFOUND)
		return fail_res(r, LD_EAUTH, "unknown-issuer", -1, NO_INDEX,
		    "issuer %s is not registered", b->issuer.s);
	if (rc != LD_OK)
		return fail_res(r, rc, "store", -1, NO_INDEX, "store: %s",
		    ld_strerror(rc));
	if (j->verified)
		memcpy(root, j->root, 32);
	else {
		rules_batch_root(b->subs, b->n, root);
		j->sig_ok = rules_batch_verify(s->ld->origin, &ist.reg, b->n,
		    root, b->sig) == LD_OK;
	}
	if (!j->sig_ok)
		return fail_res(r, LD_EBADSIG, "bad-signature", -1, NO_INDEX,
		    "the batch signature does not verify with issuer %s's key "
		    "(signed message: ledger-batch/v1, origin %s)", b->issuer.s,
		    s->ld->origin);
	/* Duplicates: already in the log (idempotent) or repeated here. */
	slots = xcalloc(nslots, sizeof(uint32_t));
	for (i = 0; i < b->n; i++) {
		prev = batch_seen(slots, nslots, b->subs, i);
		if (prev >= 0) {
			free(slots);
			return fail_res(r, LD_EINVAL, "repeated-dedup", i,
			    NO_INDEX, "dedup key repeated at positions %ld "
			    "and %u of the batch", prev, i);
		}
		rc = s->rules.ops->dedup_get(s->rc, b->subs[i].dedup, &idx);
		if (rc == LD_ENOTFOUND)
			continue;
		if (rc == LD_OK)
			rc = same_entry(txn, idx, b->issuer.s, &b->subs[i],
			    &s->scratch, &same);
		if (rc != LD_OK) {
			free(slots);
			return fail_res(r, rc, "store", i, NO_INDEX,
			    "store: %s", ld_strerror(rc));
		}
		if (!same) {
			free(slots);
			return fail_res(r, LD_EEXIST, "duplicate-dedup", i, idx,
			    "dedup key already used by a different entry, "
			    "index %llu", (unsigned long long)idx);
		}
		r->index[i] = idx;
		r->dup[i] = 1;
		ndup++;
	}
	free(slots);
	r->start = s->tree.size;
	if (ndup == b->n)
		return LD_OK;			/* a pure retry: nothing new */

	/* The batch leaf, with the duplicates as runs. */
	memset(&bl, 0, sizeof(bl));
	bl.kind = KIND_BATCH;
	STR_SET(bl.u.batch.issuer, b->issuer.s, b->issuer.len);
	bl.u.batch.n = b->n;
	memcpy(bl.u.batch.root, root, 32);
	memcpy(bl.u.batch.sig, b->sig, 64);
	bl.u.batch.runs = xcalloc(ndup + 1, sizeof(struct dup_run));
	for (i = 0; i < b->n; i++) {
		struct dup_run *d;

		if (!r->dup[i])
			continue;
		if (bl.u.batch.nruns > 0) {
			d = &bl.u.batch.runs[bl.u.batch.nruns - 1];
			if (d->pos + d->count == i &&
			    d->index + d->count == r->index[i]) {
				d->count++;
				continue;
			}
		}
		d = &bl.u.batch.runs[bl.u.batch.nruns++];
		d->pos = i;
		d->count = 1;
		d->index = r->index[i];
	}
	r->nleft = merkle_tree_frontier(&s->tree, r->left);
	r->start = s->tree.size;
	buf_reset(&s->scratch);
	rc = rules_batch(&s->rules, now, &bl.u.batch, &s->scratch, h, &e);
	free(bl.u.batch.runs);
	if (rc != LD_OK)
		return e.code == LD_ETOOBIG ? fail_res(r, LD_ETOOBIG,
		    "too-many-duplicates", -1, NO_INDEX, "the batch repeats "
		    "too many logged entries to describe in one leaf; resubmit "
		    "only the new ones") : rules_fail(r, &e, -1);
	if ((rc = append_leaf(s, txn, s->scratch.p, s->scratch.len, h, r)))
		return fail_res(r, rc, "store", -1, NO_INDEX, "store: %s",
		    ld_strerror(rc));
	for (i = 0; i < b->n; i++) {
		if (r->dup[i])
			continue;
		/* Looked up above, in this transaction: absent. */
		rcache_dedup_absent(s->rc, b->subs[i].dedup);
		buf_reset(&s->scratch);
		rc = rules_entry(&s->rules, now, b->issuer.s, r->start, i,
		    &b->subs[i], &s->scratch, h, &e);
		if (rc != LD_OK)
			return rules_fail(r, &e, i);
		r->index[i] = s->tree.size;
		if ((rc = append_leaf(s, txn, s->scratch.p, s->scratch.len, h,
		    r)) != LD_OK)
			return fail_res(r, rc, "store", i, NO_INDEX,
			    "store: %s", ld_strerror(rc));
	}
	return LD_OK;
}

/* Register an issuer or method; an identical repeat is a duplicate. */
static int
run_admin(struct seq *s, struct store_txn *txn, struct job *j, uint64_t now,
    struct job_result *r)
{
	struct issuer_state	ist;
	struct method_state	mst;
	struct rules_err	e;
	uint8_t			h[32];
	int			rc;

	r->n = 1;
	r->index = xcalloc(1, sizeof(uint64_t));
	r->dup = xcalloc(1, 1);
	r->offs = xcalloc(3, sizeof(size_t));
	buf_reset(&s->scratch);
	r->nleft = merkle_tree_frontier(&s->tree, r->left);
	r->start = s->tree.size;
	if (j->kind == JOB_ISSUER) {
		if (s->rules.ops->issuer_get(s->rc, j->issuer.id.s, &ist) ==
		    LD_OK && memcmp(&ist.reg, &j->issuer,
		    sizeof(j->issuer)) == 0) {
			r->index[0] = ist.reg_index;
			r->dup[0] = r->duplicate = 1;
			return LD_OK;
		}
		rc = rules_issuer(&s->rules, now, &j->issuer, &s->scratch, h,
		    &e);
	} else {
		if (s->rules.ops->method_get(s->rc, j->method.id.s, &mst) ==
		    LD_OK && memcmp(&mst.reg, &j->method,
		    sizeof(j->method)) == 0) {
			r->index[0] = mst.reg_index;
			r->dup[0] = r->duplicate = 1;
			return LD_OK;
		}
		rc = rules_method(&s->rules, now, &j->method, &s->scratch, h,
		    &e);
	}
	if (rc != LD_OK)
		return rules_fail(r, &e, -1);
	r->index[0] = s->tree.size;
	if ((rc = append_leaf(s, txn, s->scratch.p, s->scratch.len, h, r)))
		return fail_res(r, rc, "store", -1, NO_INDEX, "store: %s",
		    ld_strerror(rc));
	return LD_OK;
}

/* Persist the chain head in the group's transaction. */
static int
save_head(struct seq *s, struct store_txn *txn)
{
	return rules_store_head_put(txn, &s->rules.head);
}

/* ---- replies ---------------------------------------------------------- */

static void
reply_error(struct seq *s, struct job *j)
{
	struct job_result	*r = j->res;
	struct buf		 b = { 0 };

	api_error_body(&b, j->json, r->err, r->rule, r->msg, r->pos,
	    r->err_index);
	http_reply_async(s->ld->http, j->req, api_status(r->err), j->json ?
	    "application/json" : "application/msgpack", &b,
	    r->err == LD_EBUSY ? 1 : 0);
}

/* Inclusion proof of index in the tree of cp->size, from the store. */
static int
store_proof(struct store_txn *rt, uint64_t index, uint64_t size,
    struct merkle_proof *p)
{
	return merkle_prove_inclusion(store_node_fn, rt, index, size, p) ==
	    MERKLE_OK ? LD_OK : LD_ECORRUPT;
}

static void
reply_msgpack(struct seq *s, struct job *j, struct cp *cp,
    struct store_txn *rt)
{
	struct job_result	*r = j->res;
	struct merkle_proof	 p;
	uint8_t			 right[MERKLE_SPAN_MAX_RIGHT][32];
	struct buf		 b = { 0 };
	const uint8_t		*lp;
	size_t			 nright = 0, len, k;
	uint32_t		 i, ndups = 0;

	if (r->nleaves > 0 && merkle_span_right(store_node_fn, rt,
	    r->start + r->nleaves, cp->size, right, &nright) != MERKLE_OK) {
		fail_res(r, LD_ECORRUPT, "store", -1, NO_INDEX,
		    "cannot read the tree");
		reply_error(s, j);
		return;
	}
	for (i = 0; i < r->n; i++)
		ndups += r->dup[i];
	cw_map(&b, 9);
	cw_cstr(&b, "checkpoint");
	cw_str(&b, cp->text, cp->len);
	cw_cstr(&b, "size");
	cw_u64(&b, cp->size);
	cw_cstr(&b, "start");
	cw_u64(&b, r->start);
	cw_cstr(&b, "leaves");
	cw_array(&b, r->nleaves);
	for (i = 0; i < r->nleaves; i++)
		cw_bin(&b, r->leaves.p + r->offs[i], r->offs[i + 1] -
		    r->offs[i]);
	cw_cstr(&b, "left");
	cw_array(&b, r->nleaves ? (uint32_t)r->nleft : 0);
	for (k = 0; r->nleaves && k < r->nleft; k++)
		cw_bin(&b, r->left[k], 32);
	cw_cstr(&b, "right");
	cw_array(&b, (uint32_t)nright);
	for (k = 0; k < nright; k++)
		cw_bin(&b, right[k], 32);
	cw_cstr(&b, "entries");
	cw_array(&b, r->n);
	for (i = 0; i < r->n; i++) {
		cw_array(&b, 2);
		cw_u64(&b, r->index[i]);
		cw_bool(&b, r->dup[i]);
	}
	/* Each duplicate with its own leaf and proof. */
	cw_cstr(&b, "dups");
	cw_array(&b, ndups);
	for (i = 0; i < r->n; i++) {
		if (!r->dup[i])
			continue;
		cw_array(&b, 3);
		cw_u64(&b, r->index[i]);
		if (store_leaf_get(rt, r->index[i], &lp, &len) != LD_OK ||
		    store_proof(rt, r->index[i], cp->size, &p) != LD_OK) {
			len = 0;
			p.n = 0;
			lp = NULL;
		}
		cw_bin(&b, lp, len);
		cw_array(&b, (uint32_t)p.n);
		for (k = 0; k < p.n; k++)
			cw_bin(&b, p.path[k], 32);
	}
	cw_cstr(&b, "duplicate");
	cw_bool(&b, r->duplicate);
	http_reply_async(s->ld->http, j->req, 200, "application/msgpack", &b,
	    0);
}

static void
reply_json(struct seq *s, struct job *j, struct cp *cp, struct store_txn *rt)
{
	struct job_result	*r = j->res;
	struct receipt_span	 rs;
	struct merkle_proof	 p;
	uint8_t			 right[MERKLE_SPAN_MAX_RIGHT][32], h[32];
	const uint8_t		**lv = NULL, *lp;
	size_t			*ll = NULL, nright = 0, len;
	struct jv		*o = jv_obj(), *arr = jv_arr(), *e;
	struct buf		 b = { 0 }, rec = { 0 };
	uint32_t		 i;
	int			 have_span = 0;

	if (r->nleaves > 0) {
		lv = xcalloc(r->nleaves, sizeof(*lv));
		ll = xcalloc(r->nleaves, sizeof(*ll));
		for (i = 0; i < r->nleaves; i++) {
			lv[i] = r->leaves.p + r->offs[i];
			ll[i] = r->offs[i + 1] - r->offs[i];
		}
		if (merkle_span_right(store_node_fn, rt, r->start + r->nleaves,
		    cp->size, right, &nright) == MERKLE_OK &&
		    receipt_span_init(&rs, cp->text, cp->len, cp->size,
		    r->start, lv, ll, r->nleaves,
		    (const uint8_t (*)[32])r->left, r->nleft,
		    (const uint8_t (*)[32])right, nright) == LD_OK)
			have_span = 1;
	}
	jv_set(o, "checkpoint", jv_strn(cp->text, cp->len));
	jv_set(o, "size", jv_u64(cp->size));
	for (i = 0; i < r->n; i++) {
		e = jv_obj();
		jv_set(e, "index", jv_u64(r->index[i]));
		buf_reset(&rec);
		if (!r->dup[i] && have_span) {
			uint64_t k = r->index[i] - r->start;

			merkle_leaf_hash(h, lv[k], ll[k]);
			receipt_span_get(&rs, r->index[i], lv[k], ll[k], &rec);
		} else if (store_leaf_get(rt, r->index[i], &lp, &len) ==
		    LD_OK && store_proof(rt, r->index[i], cp->size, &p) ==
		    LD_OK) {
			merkle_leaf_hash(h, lp, len);
			tlog_proof_format(lp, len, r->index[i], &p, cp->text,
			    cp->len, &rec);
		}
		jv_set(e, "leaf_hash", jv_hex(h, 32));
		jv_set(e, "duplicate", jv_bool(r->dup[i]));
		jv_set(e, "receipt", jv_strn((const char *)rec.p, rec.len));
		jv_push(arr, e);
	}
	jv_set(o, "entries", arr);
	jv_render_json(o, &b);
	buf_addc(&b, '\n');
	jv_free(o);
	if (have_span)
		receipt_span_free(&rs);
	free(lv);
	free(ll);
	buf_free(&rec);
	http_reply_async(s->ld->http, j->req, 200, "application/json", &b, 0);
}

/* ---- the group commit ------------------------------------------------- */

static uint64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void	result_free(struct job_result *);

/* Whether an error is the store's (the group fails) or the job's own. */
static int
store_failure(int rc)
{
	return rc == LD_EFULL || rc == LD_ESYS || rc == LD_ECORRUPT;
}

/*
 * One group: every job in one write transaction. Jobs run optimistically
 * in the shared transaction (nested transactions cost more than they
 * save); when one is refused, the transaction is dropped and the group
 * re-run without it, so a refused batch leaves no trace. Each re-run
 * refuses at least one more job, so this ends.
 */
static void
run_group(struct seq *s, struct job *jobs)
{
	struct ledgerd		*ld = s->ld;
	struct store_txn	*txn = NULL, *rt = NULL;
	struct rules_head	 g_head = s->rules.head;
	struct merkle_tree	*g_tree;
	struct job		*j;
	struct cp		*cp = NULL;
	uint8_t			 root[32];
	uint64_t		 now = (uint64_t)time(NULL), t0 = now_us(), dt;
	uint64_t		 before = s->tree.size;
	unsigned		 bucket;
	int			 rc = LD_OK, again;

	if (now < s->rules.head.time)
		now = s->rules.head.time;
	g_tree = xmalloc(sizeof(*g_tree));
	*g_tree = s->tree;
	for (j = jobs; j; j = j->next)
		j->res = xcalloc(1, sizeof(struct job_result));
	do {
		again = 0;
		if ((rc = store_begin(ld->store, 0, &txn)) != LD_OK)
			goto fail_all;
		rcache_begin(s->rc, txn);
		for (j = jobs; j; j = j->next) {
			if (j->res->err != LD_OK)
				continue;	/* refused in an earlier run */
			result_free(j->res);
			j->res = xcalloc(1, sizeof(struct job_result));
			if (j->kind == JOB_SUBMIT) {
				store_txn_hints(txn, j->hints);
				rc = run_submit(s, txn, j, now, j->res);
				store_txn_hints(txn, NULL);
			} else
				rc = run_admin(s, txn, j, now, j->res);
			if (rc == LD_OK)
				continue;
			if (store_failure(rc))
				goto fail_all;
			/* Refused: drop what it wrote, run the rest again. */
			rcache_abort(s->rc);
			store_abort(txn);
			txn = NULL;
			s->rules.head = g_head;
			s->tree = *g_tree;
			again = 1;
			break;
		}
	} while (again);
	if ((s->tree.size != before && (rc = save_head(s, txn)) != LD_OK) ||
	    (rc = rcache_flush(s->rc)) != LD_OK)
		goto fail_all;
	rc = store_commit(txn);
	txn = NULL;
	if (rc != LD_OK)
		goto fail_all;
	/* Durable. Now the new size may be signed and answered. */
	if (s->tree.size != before) {
		merkle_tree_root(&s->tree, root);
		ledgerd_cp_set(ld, ledgerd_cp_sign(ld, s->tree.size, root));
	}
	dt = now_us() - t0;
	bucket = dt ? 64 - (unsigned)__builtin_clzll(dt) : 0;
	atomic_fetch_add(&ld->m_commit_us_hist[bucket < 24 ? bucket : 24], 1);
	atomic_fetch_add(&ld->m_commit_us_sum, dt);
	atomic_fetch_add(&ld->m_commits, 1);
	for (bucket = 1; bucket <= KIND_MAX; bucket++)
		atomic_fetch_add(&ld->m_appended[bucket],
		    s->rules.head.totals.count[bucket] -
		    g_head.totals.count[bucket]);
	atomic_fetch_add(&ld->m_commit_entries, s->tree.size - before);
	dt = s->tree.size - before;
	bucket = dt ? 64 - (unsigned)__builtin_clzll(dt) : 0;
	atomic_fetch_add(&ld->m_commit_size_hist[bucket < 16 ? bucket : 16], 1);
	cp = ledgerd_cp_get(ld);
	if (store_begin(ld->store, 1, &rt) != LD_OK)
		rt = NULL;
	for (j = jobs; j; j = j->next) {
		if (j->res->err != LD_OK || rt == NULL) {
			if (j->res->err == LD_OK)
				fail_res(j->res, LD_ESYS, "store", -1,
				    NO_INDEX, "cannot read the store");
			atomic_fetch_add(&ld->m_submit_rejects, 1);
			reply_error(s, j);
		} else if (j->json)
			reply_json(s, j, cp, rt);
		else
			reply_msgpack(s, j, cp, rt);
	}
	store_abort(rt);
	/* After the replies: keep the static copy current. */
	if (ld->export_dir != NULL && s->tree.size != before &&
	    (rc = export_tree(ld->store, cp, ld->export_dir,
	    &s->exported)) != LD_OK)
		log_warnx("export to %s: %s", ld->export_dir, ld_strerror(rc));
	ledgerd_cp_put(cp);
	free(g_tree);
	return;
fail_all:
	/* Nothing of the group is durable: roll the writer state back. */
	rcache_abort(s->rc);
	store_abort(txn);
	s->rules.head = g_head;
	s->tree = *g_tree;
	log_warnx("group commit failed: %s", ld_strerror(rc));
	for (j = jobs; j; j = j->next) {
		if (j->res->err == LD_OK || rc == LD_EFULL)
			fail_res(j->res, rc, rc == LD_EFULL ? "disk-full" :
			    "store", -1, NO_INDEX, "%s; nothing was appended",
			    rc == LD_EFULL ? "the disk is full" :
			    ld_strerror(rc));
		reply_error(s, j);
	}
	free(g_tree);
}

static void
result_free(struct job_result *r)
{
	if (r == NULL)
		return;
	buf_free(&r->leaves);
	free(r->offs);
	free(r->index);
	free(r->dup);
	free(r);
}

static void
job_free(struct job *j)
{
	store_hints_free(j->hints);
	batch_req_free(&j->batch);
	result_free(j->res);
	free(j);
}

/*
 * The B-tree lookups the sequencer will make for a batch's entries (dedup
 * key, daily sum, account), made here in the verifier's read transaction
 * so that the sequencer finds them answered (store.h, hints).
 */
static struct store_hints *
make_hints(struct store_txn *t, const struct batch_req *b)
{
	struct store_hints	*hs = store_hints_new(t, 3 * (size_t)b->n);
	uint32_t		 i;

	for (i = 0; i < b->n; i++)
		if (rules_store_hint_sub(hs, b->issuer.s, &b->subs[i]) !=
		    LD_OK)
			break;
	store_hints_done(hs);
	return hs;
}

/*
 * The verifier's issuer keys: making an EVP key from the raw 32 bytes
 * costs 2-10 % of a verification. Keyed by id and key bytes, so a key
 * is never used for another issuer; VKEYS slots, replaced in turn.
 */
#define VKEYS	16

struct vkey {
	char		 id[ID_MAX + 1];
	uint8_t		 pub[32];
	struct sig_key	*k;
};

static const struct sig_key *
vkey_get(struct vkey *c, unsigned *next, const struct issuer_reg *iss)
{
	struct vkey	*v;
	unsigned	 i;

	for (i = 0; i < VKEYS; i++)
		if (c[i].k != NULL && strcmp(c[i].id, iss->id.s) == 0 &&
		    memcmp(c[i].pub, iss->pub, 32) == 0)
			return c[i].k;
	v = &c[*next];
	*next = (*next + 1) % VKEYS;
	sig_key_free(v->k);
	v->k = NULL;
	if (sig_key_from_pub(iss->id.s, SIG_TYPE_ED25519, iss->pub, &v->k) !=
	    LD_OK)
		return NULL;
	snprintf(v->id, sizeof(v->id), "%s", iss->id.s);
	memcpy(v->pub, iss->pub, 32);
	return v->k;
}

/*
 * The verifier thread: batch roots and issuer signatures, off both the
 * event loop and the sequencer. A job whose issuer is not yet registered
 * goes on unverified; the sequencer then checks it itself.
 */
static void *
verify_main(void *arg)
{
	struct seq		*s = arg;
	struct job		*jobs, *j, *next;
	struct store_txn	*t;
	struct issuer_state	 ist;
	struct vkey		 keys[VKEYS];
	const struct sig_key	*k;
	unsigned		 knext = 0, i;

	memset(keys, 0, sizeof(keys));
	pthread_setname_np(pthread_self(), "ledgerd-verify");
	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (s->vhead == NULL && !s->vstop)
			pthread_cond_wait(&s->vcv, &s->mu);
		if (s->vhead == NULL && s->vstop) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		jobs = s->vhead;
		s->vhead = NULL;
		s->vtail = &s->vhead;
		s->vbusy = 1;
		pthread_mutex_unlock(&s->mu);
		if (store_begin(s->ld->store, 1, &t) != LD_OK)
			t = NULL;
		for (j = jobs; j; j = next) {
			next = j->next;
			if (t != NULL && rules_store_ops.issuer_get(t,
			    j->batch.issuer.s, &ist) == LD_OK) {
				rules_batch_root(j->batch.subs, j->batch.n,
				    j->root);
				k = vkey_get(keys, &knext, &ist.reg);
				j->sig_ok = k != NULL &&
				    rules_batch_verify_key(s->ld->origin,
				    &ist.reg, k, j->batch.n, j->root,
				    j->batch.sig) == LD_OK;
				j->verified = 1;
				if (j->sig_ok)
					j->hints = make_hints(t, &j->batch);
			}
			/* On to the sequencer at once: it may be idle. */
			pthread_mutex_lock(&s->mu);
			j->next = NULL;
			*s->tail = j;
			s->tail = &j->next;
			s->vqueued -= j->batch.n;
			s->queued += j->batch.n;
			if (next == NULL)
				s->vbusy = 0;
			pthread_cond_signal(&s->cv);
			pthread_mutex_unlock(&s->mu);
		}
		store_abort(t);
	}
	for (i = 0; i < VKEYS; i++)
		sig_key_free(keys[i].k);
	return NULL;
}

static void *
seq_main(void *arg)
{
	struct seq	*s = arg;
	struct job	*jobs, *j, *next;

	pthread_setname_np(pthread_self(), "ledgerd-seq");
	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (s->head == NULL && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->head == NULL && s->stop) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		jobs = s->head;
		s->head = NULL;
		s->tail = &s->head;
		s->queued = 0;
		s->busy = 1;
		pthread_mutex_unlock(&s->mu);
		run_group(s, jobs);
		for (j = jobs; j; j = next) {
			next = j->next;
			job_free(j);
		}
		pthread_mutex_lock(&s->mu);
		s->busy = 0;
		pthread_mutex_unlock(&s->mu);
	}
	return NULL;
}

int
seq_start(struct ledgerd *ld, struct seq **out)
{
	struct seq		*s = xcalloc(1, sizeof(*s));
	struct store_txn	*t;
	struct rules_head	 head;
	uint8_t			 root[32];
	int			 rc;

	s->ld = ld;
	s->rc = rcache_new();
	s->tail = &s->head;
	s->vtail = &s->vhead;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	pthread_cond_init(&s->vcv, NULL);
	if ((rc = store_begin(ld->store, 1, &t)) != LD_OK)
		goto fail;
	rc = rules_store_head_get(t, &head);
	if (rc == LD_OK) {
		rules_init(&s->rules, &rcache_ops, s->rc, &head);
		rc = store_tree(t, head.size, &s->tree);
	} else if (rc == LD_ENOTFOUND) {
		rules_init(&s->rules, &rcache_ops, s->rc, NULL);
		merkle_tree_init(&s->tree);
		rc = LD_OK;
	} else
		rc = LD_ECORRUPT;
	store_abort(t);
	if (rc != LD_OK)
		goto fail;
	merkle_tree_root(&s->tree, root);
	ledgerd_cp_set(ld, ledgerd_cp_sign(ld, s->tree.size, root));
	if (pthread_create(&s->thr, NULL, seq_main, s) != 0) {
		rc = LD_ESYS;
		goto fail;
	}
	s->started = 1;
	if (pthread_create(&s->vthr, NULL, verify_main, s) != 0)
		fatalx("cannot start the verifier thread");
	s->vstarted = 1;
	*out = s;
	return LD_OK;
fail:
	rcache_free(s->rc);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	pthread_cond_destroy(&s->vcv);
	free(s);
	return rc;
}

int
seq_push(struct seq *s, struct job *j)
{
	size_t	n = j->kind == JOB_SUBMIT ? j->batch.n : 1;

	pthread_mutex_lock(&s->mu);
	if (s->draining || (s->queued + s->vqueued > 0 &&
	    s->queued + s->vqueued + n > s->ld->queue_max)) {
		pthread_mutex_unlock(&s->mu);
		return LD_EBUSY;
	}
	j->next = NULL;
	if (j->kind == JOB_SUBMIT) {
		*s->vtail = j;
		s->vtail = &j->next;
		s->vqueued += n;
		pthread_cond_signal(&s->vcv);
	} else {
		*s->tail = j;
		s->tail = &j->next;
		s->queued += n;
		pthread_cond_signal(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return LD_OK;
}

void
seq_drain(struct seq *s)
{
	pthread_mutex_lock(&s->mu);
	s->draining = 1;
	pthread_mutex_unlock(&s->mu);
}

int
seq_idle(struct seq *s)
{
	int	idle;

	pthread_mutex_lock(&s->mu);
	idle = s->head == NULL && !s->busy && s->vhead == NULL && !s->vbusy;
	pthread_mutex_unlock(&s->mu);
	return idle;
}

size_t
seq_queued(struct seq *s)
{
	size_t	n;

	pthread_mutex_lock(&s->mu);
	n = s->queued + s->vqueued;
	pthread_mutex_unlock(&s->mu);
	return n;
}

void
seq_stop(struct seq *s)
{
	if (s == NULL)
		return;
	/* The verifier first: it hands everything it holds on. */
	pthread_mutex_lock(&s->mu);
	s->vstop = 1;
	s->draining = 1;
	pthread_cond_signal(&s->vcv);
	pthread_mutex_unlock(&s->mu);
	if (s->vstarted)
		pthread_join(s->vthr, NULL);
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (s->started)
		pthread_join(s->thr, NULL);
	buf_free(&s->scratch);
	rcache_free(s->rc);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	pthread_cond_destroy(&s->vcv);
	free(s);
}
