/* core.c - the ledger writer: admission, the rules, appending, the group
 * commit and its proofs. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "core.h"
#include "cp.h"
#include "err.h"
#include "export.h"
#include "log.h"
#include "merkle.h"
#include "metrics.h"
#include "rcache.h"
#include "rules.h"
#include "rules_store.h"
#include "store.h"
#include "xmalloc.h"

struct core {
	struct ledgerd		*ld;
	/* The writer's state: one thread at a time (the sequencer's). */
	struct rcache		*rc;		/* the rules' state (arg) */
	struct rules		 rules;
	struct merkle_tree	 tree;
	struct buf		 scratch;
	uint64_t		 exported;	/* size in the export dir */
};

static int
fail_res(struct core_result *r, int err, const char *rule, long pos,
    uint64_t index, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void
fail_va(struct core_result *r, int err, const char *rule, long pos,
    uint64_t index, const char *fmt, va_list ap)
{
	r->err.code = err;
	snprintf(r->err.rule, sizeof(r->err.rule), "%s",
	    rule != NULL ? rule : "");
	r->err.pos = pos;
	r->err.index = index;
	vsnprintf(r->err.msg, sizeof(r->err.msg), fmt, ap);
}

static int
fail_res(struct core_result *r, int err, const char *rule, long pos,
    uint64_t index, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	fail_va(r, err, rule, pos, index, fmt, ap);
	va_end(ap);
	return err;
}

int
core_job_fail(struct core_job *j, int err, const char *rule, long pos,
    uint64_t index, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	fail_va(&j->res, err, rule, pos, index, fmt, ap);
	va_end(ap);
	return err;
}

/* Append one leaf the rules built: store it, its hash and tree nodes. */
static int
append_leaf(struct core *c, struct store_txn *txn, const uint8_t *p,
    size_t len, const uint8_t hash[32], struct core_result *r)
{
	struct merkle_node	nodes[MERKLE_MAX_LEVELS];
	uint64_t		index = c->tree.size;
	size_t			n, i;
	int			rc;

	if ((rc = store_leaf_put(txn, index, p, len)) != LD_OK ||
	    (c->ld->leafhash_index &&
	    (rc = store_leafhash_put(txn, hash, index)) != LD_OK))
		return rc;
	if (merkle_tree_append(&c->tree, hash, nodes, &n) != MERKLE_OK)
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

/* Map a rules error into the job's result. */
static int
rules_fail(struct core_result *r, const struct ld_error *e, long pos)
{
	return fail_res(r, e->code, e->rule, pos, e->index, "%s", e->msg);
}

/* Positions of a 32-byte key within the batch: a small open hash set. */
static long
batch_seen(uint32_t *slots, size_t nslots, const struct entry_sub *subs, uint32_t i)
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
run_submit(struct core *c, struct store_txn *txn, struct core_job *j, uint64_t now,
    struct core_result *r)
{
	struct codec_batch	*b = &j->batch;
	struct rules_issuer_state	 ist;
	struct ld_error	 e;
	struct entry_leaf		 bl;
	uint8_t			 root[32], h[32];
	uint32_t		*slots, i, ndup = 0;
	uint64_t		 idx;
	long			 prev;
	size_t			 nslots = 2 * (size_t)b->n + 1;
	int			 rc;

	r->n = b->n;
	r->index = xcalloc(b->n, sizeof(uint64_t));
	r->dup = xcalloc(b->n, 1);
	r->offs = xcalloc((size_t)b->n + 2, sizeof(size_t));
	if (rules_issuer_find(&c->rules, b->issuer.s, &ist, &e) != LD_OK)
		return rules_fail(r, &e, -1);
	if (j->verified)
		memcpy(root, j->root, 32);
	else {
		rules_batch_root(b->subs, b->n, root);
		j->sig_ok = rules_batch_verify(c->ld->origin, &ist.reg, b->n,
		    root, b->sig) == LD_OK;
	}
	if (!j->sig_ok)
		return fail_res(r, LD_EBADSIG, "bad-signature", -1, NO_INDEX,
		    "the batch signature does not verify with issuer %s's key "
		    "(signed message: ledger-batch/v1, origin %s)", b->issuer.s,
		    c->ld->origin);
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
		rc = rules_entry_logged(&c->rules, b->issuer.s, &b->subs[i],
		    &idx, &e);
		if (rc == LD_ENOTFOUND)
			continue;
		if (rc != LD_OK) {		/* a conflict, or the store */
			free(slots);
			return rules_fail(r, &e, i);
		}
		r->index[i] = idx;
		r->dup[i] = 1;
		ndup++;
	}
	free(slots);
	r->start = c->tree.size;
	if (ndup == b->n)
		return LD_OK;			/* a pure retry: nothing new */

	/* The batch leaf, with the duplicates as runs. */
	memset(&bl, 0, sizeof(bl));
	bl.kind = KIND_BATCH;
	STR_SET(bl.u.batch.issuer, b->issuer.s, b->issuer.len);
	bl.u.batch.n = b->n;
	memcpy(bl.u.batch.root, root, 32);
	memcpy(bl.u.batch.sig, b->sig, 64);
	bl.u.batch.runs = xcalloc(ndup + 1, sizeof(struct entry_dup_run));
	for (i = 0; i < b->n; i++) {
		struct entry_dup_run *d;

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
	r->nleft = merkle_tree_frontier(&c->tree, r->left);
	r->start = c->tree.size;
	buf_reset(&c->scratch);
	rc = rules_batch(&c->rules, now, &bl.u.batch, &c->scratch, h, &e);
	free(bl.u.batch.runs);
	if (rc != LD_OK)
		return e.code == LD_ETOOBIG ? fail_res(r, LD_ETOOBIG,
		    "too-many-duplicates", -1, NO_INDEX, "the batch repeats "
		    "too many logged entries to describe in one leaf; resubmit "
		    "only the new ones") : rules_fail(r, &e, -1);
	if ((rc = append_leaf(c, txn, c->scratch.p, c->scratch.len, h, r)))
		return fail_res(r, rc, "store", -1, NO_INDEX, "store: %s",
		    ld_strerror(rc));
	for (i = 0; i < b->n; i++) {
		if (r->dup[i])
			continue;
		/* Looked up above, in this transaction: absent. */
		rcache_dedup_absent(c->rc, b->subs[i].dedup);
		buf_reset(&c->scratch);
		rc = rules_entry(&c->rules, now, b->issuer.s, r->start, i,
		    &b->subs[i], &c->scratch, h, &e);
		if (rc != LD_OK)
			return rules_fail(r, &e, i);
		r->index[i] = c->tree.size;
		if ((rc = append_leaf(c, txn, c->scratch.p, c->scratch.len, h,
		    r)) != LD_OK)
			return fail_res(r, rc, "store", i, NO_INDEX,
			    "store: %s", ld_strerror(rc));
	}
	return LD_OK;
}

/* Register an issuer or method; an identical repeat is a duplicate. */
static int
run_admin(struct core *c, struct store_txn *txn, struct core_job *j, uint64_t now,
    struct core_result *r)
{
	struct ld_error	e;
	uint64_t	idx;
	uint8_t		h[32];
	int		rc;

	r->n = 1;
	r->index = xcalloc(1, sizeof(uint64_t));
	r->dup = xcalloc(1, 1);
	r->offs = xcalloc(3, sizeof(size_t));
	buf_reset(&c->scratch);
	r->nleft = merkle_tree_frontier(&c->tree, r->left);
	r->start = c->tree.size;
	if (j->kind == CORE_ISSUER) {
		rc = rules_issuer_logged(&c->rules, &j->issuer, &idx, &e);
		if (rc == LD_OK) {
			r->index[0] = idx;
			r->dup[0] = r->duplicate = 1;
			return LD_OK;
		}
		if (rc != LD_ENOTFOUND)
			return rules_fail(r, &e, -1);
		rc = rules_issuer(&c->rules, now, &j->issuer, &c->scratch, h,
		    &e);
	} else {
		rc = rules_method_logged(&c->rules, &j->method, &idx, &e);
		if (rc == LD_OK) {
			r->index[0] = idx;
			r->dup[0] = r->duplicate = 1;
			return LD_OK;
		}
		if (rc != LD_ENOTFOUND)
			return rules_fail(r, &e, -1);
		rc = rules_method(&c->rules, now, &j->method, &c->scratch, h,
		    &e);
	}
	if (rc != LD_OK)
		return rules_fail(r, &e, -1);
	r->index[0] = c->tree.size;
	if ((rc = append_leaf(c, txn, c->scratch.p, c->scratch.len, h, r)))
		return fail_res(r, rc, "store", -1, NO_INDEX, "store: %s",
		    ld_strerror(rc));
	return LD_OK;
}

/* Persist the chain head in the group's transaction. */
static int
save_head(struct core *c, struct store_txn *txn)
{
	return rules_store_head_put(txn, &c->rules.head);
}

/* ---- the group commit ------------------------------------------------- */

static uint64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Free what a result holds and zero it. */
static void
result_reset(struct core_result *r)
{
	buf_free(&r->leaves);
	free(r->offs);
	free(r->index);
	free(r->dup);
	if (r->cp != NULL)
		cp_put(r->cp);
	buf_free(&r->dup_leaves);
	free(r->dup_offs);
	buf_free(&r->dup_paths);
	free(r->dup_npath);
	memset(r, 0, sizeof(*r));
}

/*
 * After the commit: what the receipts need from the store, read in rt at
 * cp->size (a reference to cp is taken). LD_ECORRUPT if the tree or a
 * logged leaf cannot be read.
 */
static int
result_receipts(struct core_result *r, struct store_txn *rt, struct cp *cp)
{
	struct merkle_proof	 p;
	const uint8_t		*lp;
	size_t			 len;
	uint32_t		 i, k = 0;

	if (r->nleaves > 0 && merkle_span_right(store_node_fn, rt,
	    r->start + r->nleaves, cp->size, r->right, &r->nright) !=
	    MERKLE_OK)
		return LD_ECORRUPT;
	for (i = 0; i < r->n; i++)
		r->ndups += r->dup[i];
	r->dup_offs = xcalloc((size_t)r->ndups + 1, sizeof(size_t));
	r->dup_npath = xcalloc((size_t)r->ndups + 1, sizeof(size_t));
	for (i = 0; i < r->n; i++) {
		if (!r->dup[i])
			continue;
		if (store_leaf_get(rt, r->index[i], &lp, &len) != LD_OK ||
		    core_prove(rt, r->index[i], cp->size, &p) != LD_OK)
			return LD_ECORRUPT;
		buf_add(&r->dup_leaves, lp, len);
		r->dup_offs[k + 1] = r->dup_leaves.len;
		buf_add(&r->dup_paths, p.path, p.n * 32);
		r->dup_npath[k++] = p.n;
	}
	r->cp = cp_ref(cp);
	return LD_OK;
}

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
void
core_group(struct core *c, struct core_job *jobs)
{
	struct ledgerd		*ld = c->ld;
	struct store_txn	*txn = NULL, *rt = NULL;
	struct rules_head	 g_head = c->rules.head;
	struct merkle_tree	*g_tree;
	struct core_job		*j, *next;
	struct cp		*cp = NULL;
	uint8_t			 root[32];
	uint64_t		 now = (uint64_t)time(NULL), t0 = now_us();
	uint64_t		 before = c->tree.size;
	uint64_t		 appended[KIND_MAX + 1];
	unsigned		 k;
	int			 rc = LD_OK, again;

	if (now < c->rules.head.time)
		now = c->rules.head.time;
	g_tree = xmalloc(sizeof(*g_tree));
	*g_tree = c->tree;
	for (j = jobs; j; j = j->next)
		result_reset(&j->res);
	do {
		again = 0;
		if ((rc = store_begin(ld->store, 0, &txn)) != LD_OK)
			goto fail_all;
		rcache_begin(c->rc, txn);
		for (j = jobs; j; j = j->next) {
			if (j->res.err.code != LD_OK)
				continue;	/* refused in an earlier run */
			result_reset(&j->res);
			if (j->kind == CORE_SUBMIT) {
				store_txn_hints(txn, j->hints);
				rc = run_submit(c, txn, j, now, &j->res);
				store_txn_hints(txn, NULL);
			} else
				rc = run_admin(c, txn, j, now, &j->res);
			if (rc == LD_OK)
				continue;
			if (store_failure(rc))
				goto fail_all;
			/* Refused: drop what it wrote, run the rest again. */
			rcache_abort(c->rc);
			store_abort(txn);
			txn = NULL;
			c->rules.head = g_head;
			c->tree = *g_tree;
			again = 1;
			break;
		}
	} while (again);
	if ((c->tree.size != before && (rc = save_head(c, txn)) != LD_OK) ||
	    (rc = rcache_flush(c->rc)) != LD_OK)
		goto fail_all;
	rc = store_commit(txn);
	txn = NULL;
	if (rc != LD_OK)
		goto fail_all;
	/* Durable. Now the new size may be signed and answered. */
	if (c->tree.size != before) {
		merkle_tree_root(&c->tree, root);
		cp_set(ld, cp_sign(ld, c->tree.size, root));
	}
	memset(appended, 0, sizeof(appended));
	for (k = 1; k <= KIND_MAX; k++)
		appended[k] = c->rules.head.totals.count[k] -
		    g_head.totals.count[k];
	metrics_commit(ld, now_us() - t0, c->tree.size - before, appended);
	cp = cp_get(ld);
	if (store_begin(ld->store, 1, &rt) != LD_OK)
		rt = NULL;
	for (j = jobs; j; j = next) {
		next = j->next;
		if (j->res.err.code == LD_OK && rt == NULL)
			fail_res(&j->res, LD_ESYS, "store", -1, NO_INDEX,
			    "cannot read the store");
		else if (j->res.err.code == LD_OK &&
		    result_receipts(&j->res, rt, cp) != LD_OK)
			fail_res(&j->res, LD_ECORRUPT, "store", -1, NO_INDEX,
			    "cannot read the tree");
		if (j->res.err.code != LD_OK)
			atomic_fetch_add(&ld->m_submit_rejects, 1);
		j->done(j->arg, j);
	}
	store_abort(rt);
	/* After the replies: keep the static copy current. */
	if (ld->export_dir != NULL && c->tree.size != before &&
	    (rc = export_tree(ld->store, cp, ld->export_dir,
	    &c->exported)) != LD_OK)
		log_warnx("export to %s: %s", ld->export_dir, ld_strerror(rc));
	cp_put(cp);
	free(g_tree);
	return;
fail_all:
	/* Nothing of the group is durable: roll the writer state back. */
	rcache_abort(c->rc);
	store_abort(txn);
	c->rules.head = g_head;
	c->tree = *g_tree;
	log_warnx("group commit failed: %s", ld_strerror(rc));
	for (j = jobs; j; j = next) {
		next = j->next;
		if (j->res.err.code == LD_OK || rc == LD_EFULL)
			fail_res(&j->res, rc, rc == LD_EFULL ? "disk-full" :
			    "store", -1, NO_INDEX, "%s; nothing was appended",
			    rc == LD_EFULL ? "the disk is full" :
			    ld_strerror(rc));
		j->done(j->arg, j);
	}
	free(g_tree);
}

uint64_t
core_size(const struct core *c)
{
	return c->tree.size;
}

int
core_prove(struct store_txn *t, uint64_t index, uint64_t size,
    struct merkle_proof *p)
{
	return merkle_prove_inclusion(store_node_fn, t, index, size, p) ==
	    MERKLE_OK ? LD_OK : LD_ECORRUPT;
}

struct core_job *
core_job_new(enum core_kind kind, core_done_fn *done, void *arg)
{
	struct core_job	*j = xcalloc(1, sizeof(*j));

	j->kind = kind;
	j->done = done;
	j->arg = arg;
	j->res.err.pos = -1;
	j->res.err.index = NO_INDEX;
	return j;
}

void
core_job_free(struct core_job *j)
{
	if (j == NULL)
		return;
	store_hints_free(j->hints);
	codec_batch_free(&j->batch);
	result_reset(&j->res);
	free(j);
}

size_t
core_job_size(const struct core_job *j)
{
	return j->kind == CORE_SUBMIT ? j->batch.n : 1;
}

int
core_open(struct ledgerd *ld, struct core **out)
{
	struct core		*c = xcalloc(1, sizeof(*c));
	struct store_txn	*t;
	struct rules_head	 head;
	uint8_t			 root[32];
	int			 rc;

	c->ld = ld;
	c->rc = rcache_new();
	if ((rc = store_begin(ld->store, 1, &t)) != LD_OK)
		goto fail;
	rc = rules_store_head_get(t, &head);
	if (rc == LD_OK) {
		rules_init(&c->rules, &rcache_ops, c->rc, &head);
		rc = store_tree(t, head.size, &c->tree);
	} else if (rc == LD_ENOTFOUND) {
		rules_init(&c->rules, &rcache_ops, c->rc, NULL);
		merkle_tree_init(&c->tree);
		rc = LD_OK;
	} else
		rc = LD_ECORRUPT;
	store_abort(t);
	if (rc != LD_OK)
		goto fail;
	merkle_tree_root(&c->tree, root);
	cp_set(ld, cp_sign(ld, c->tree.size, root));
	*out = c;
	return LD_OK;
fail:
	core_free(c);
	return rc;
}

void
core_free(struct core *c)
{
	if (c == NULL)
		return;
	buf_free(&c->scratch);
	rcache_free(c->rc);
	free(c);
}

/* ---- admission ahead of the group (the verifier thread) ----------------- */

/*
 * The B-tree lookups the sequencer will make for a batch's entries (dedup
 * key, daily sum, account), made here in the verifier's read transaction
 * so that the sequencer finds them answered (store.h, hints).
 */
static struct store_hints *
make_hints(struct store_txn *t, const struct codec_batch *b)
{
	struct store_hints	*hs = store_hints_new(t, 3 * (size_t)b->n);
	uint32_t		 i;

	for (i = 0; i < b->n; i++)
		if (rules_store_hint_sub(hs, b->issuer.s, &b->subs[i]) != LD_OK)
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

struct core_keys {
	struct vkey	 keys[VKEYS];
	unsigned	 next;		/* the slot replaced next */
};

static const struct sig_key *
vkey_get(struct core_keys *ck, const struct entry_issuer *iss)
{
	struct vkey	*c = ck->keys, *v;
	unsigned	 i;

	for (i = 0; i < VKEYS; i++)
		if (c[i].k != NULL && strcmp(c[i].id, iss->id.s) == 0 &&
		    memcmp(c[i].pub, iss->pub, 32) == 0)
			return c[i].k;
	v = &c[ck->next];
	ck->next = (ck->next + 1) % VKEYS;
	sig_key_free(v->k);
	v->k = NULL;
	if (sig_key_from_pub(iss->id.s, SIG_TYPE_ED25519, iss->pub, &v->k) !=
	    LD_OK)
		return NULL;
	snprintf(v->id, sizeof(v->id), "%s", iss->id.s);
	memcpy(v->pub, iss->pub, 32);
	return v->k;
}


struct core_keys *
core_keys_new(void)
{
	return xcalloc(1, sizeof(struct core_keys));
}

void
core_keys_free(struct core_keys *ck)
{
	unsigned	i;

	if (ck == NULL)
		return;
	for (i = 0; i < VKEYS; i++)
		sig_key_free(ck->keys[i].k);
	free(ck);
}

void
core_verify(struct ledgerd *ld, struct core_keys *ck, struct store_txn *t,
    struct core_job *j)
{
	struct rules_issuer_state	 ist;
	const struct sig_key	*k;

	if (j->kind != CORE_SUBMIT || t == NULL ||
	    rules_store_ops.issuer_get(t, j->batch.issuer.s, &ist) != LD_OK)
		return;
	rules_batch_root(j->batch.subs, j->batch.n, j->root);
	k = vkey_get(ck, &ist.reg);
	j->sig_ok = k != NULL && rules_batch_verify_key(ld->origin, &ist.reg, k,
	    j->batch.n, j->root, j->batch.sig) == LD_OK;
	j->verified = 1;
	if (j->sig_ok)
		j->hints = make_hints(t, &j->batch);
}
