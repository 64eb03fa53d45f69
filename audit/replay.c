/* replay.c - replay every rule of the log into the auditor's mirror. */
/*
 * Each leaf is appended to the mirror (leaf, hash, tree nodes) and then
 * rebuilt from its submitted part with the very rules ledgerd runs
 * (common/rules.c) on the mirror's own state. Equal bytes: the leaf is
 * honest. Otherwise a finding names the rule, and the leaf's own claims
 * are adopted so that replay goes on and only the point of divergence is
 * flagged. Totals for the report are summed here from the entries
 * themselves, never from the leaves' counters.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "day.h"
#include "err.h"
#include "finding.h"
#include "hex.h"
#include "json.h"
#include "log.h"
#include "replay.h"
#include "rules_store.h"
#include "sig.h"
#include "u64.h"
#include "xmalloc.h"

/* Record a finding (code, leaf index, related index or NO_INDEX) in the
 * replay's transaction, and count it. */
static void
add_finding(struct replay *r, const char *code, uint64_t index,
    uint64_t related, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
add_finding(struct replay *r, const char *code, uint64_t index,
    uint64_t related, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (finding_store(r->txn, code, index, related, msg) != LD_OK)
		log_warnx("cannot store a finding");
	r->findings++;
}

/*
 * Which running counter of leaf l differs from the replay's rebuilt leaf
 * (p, len): "totals.credited is 1560 in the leaf, 560 by the replay".
 */
static void
counter_diff(const struct entry_leaf *l, const uint8_t *p, size_t len, char *out,
    size_t outlen)
{
	static const char *const kinds[] = { "", "issuers", "methods",
	    "batches", "credits", "retirements", "reversals" };
	struct entry_leaf	 b;
	struct {
		const char	*name;
		uint64_t	 leaf, replay;
	} c[24];
	size_t		 n = 0, i;
	int		 k;

	if (codec_leaf_decode(p, len, &b) != LD_OK) {
		snprintf(out, outlen, "bytes differ from the replay's");
		return;
	}
#define CTR(nm, f)	do { c[n].name = (nm); c[n].leaf = l->f;	\
	c[n].replay = b.f; n++; } while (0)
	CTR("totals.credited", totals.credited);
	CTR("totals.retired", totals.retired);
	CTR("totals.reversed", totals.reversed);
	for (k = 1; k <= KIND_MAX; k++) {
		c[n].name = kinds[k];
		c[n].leaf = l->totals.count[k];
		c[n].replay = b.totals.count[k];
		n++;
	}
	if (l->kind >= KIND_CREDIT && b.kind == l->kind) {
		CTR("account.credited", u.e.acct.credited);
		CTR("account.retired", u.e.acct.retired);
		CTR("account.reversed", u.e.acct.reversed);
		CTR("account.prev", u.e.acct.prev);
		CTR("issuer.credited", u.e.iss.credited);
		CTR("issuer.retired", u.e.iss.retired);
		CTR("issuer.reversed", u.e.iss.reversed);
		CTR("issuer.prev", u.e.iss.prev);
	}
#undef CTR
	entry_leaf_free(&b);
	for (i = 0; i < n; i++)
		if (c[i].leaf != c[i].replay)
			break;
	if (i == n) {
		snprintf(out, outlen, "bytes differ from the replay's, "
		    "though every running counter agrees");
		return;
	}
	if (i >= 3 && i < 3 + KIND_MAX)
		snprintf(out, outlen, "totals count of %s is %llu in the leaf, "
		    "%llu by the replay", c[i].name,
		    (unsigned long long)c[i].leaf,
		    (unsigned long long)c[i].replay);
	else
		snprintf(out, outlen, "%s is %llu in the leaf, %llu by the "
		    "replay", c[i].name, (unsigned long long)c[i].leaf,
		    (unsigned long long)c[i].replay);
}

/* ---- aggregates ----------------------------------------------------------- */

static struct replay_agg *
agg_get(struct replay_aggs *a, const char *key)
{
	size_t	i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].key, key) == 0)
			return &a->v[i];
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->v = xreallocarray(a->v, a->cap, sizeof(*a->v));
	}
	memset(&a->v[a->n], 0, sizeof(a->v[0]));
	snprintf(a->v[a->n].key, sizeof(a->v[0].key), "%s", key);
	return &a->v[a->n++];
}

static int
agg_load_one(void *arg, const char *key, size_t klen, const uint8_t *v,
    size_t vlen)
{
	struct replay_aggs	*a = arg;
	struct replay_agg	*g;
	char		 k[sizeof(g->key)];
	const char	*slash = memchr(key + 4, '/', klen - 4);

	if (slash == NULL || vlen != 4 * sizeof(uint64_t) ||
	    (size_t)(key + klen - slash - 1) >= sizeof(k))
		return 0;
	memcpy(k, slash + 1, (size_t)(key + klen - slash - 1));
	k[key + klen - slash - 1] = '\0';
	g = agg_get(a, k);
	g->credited = u64_le_get(v);
	g->retired = u64_le_get(v + 8);
	g->reversed = u64_le_get(v + 16);
	g->entries = u64_le_get(v + 24);
	return 0;
}

static int
agg_save(struct store_txn *t, const char *prefix, const struct replay_aggs *a)
{
	char	*key;
	uint8_t	 b[32];
	size_t	 i;
	int	 rc = LD_OK;

	for (i = 0; i < a->n && rc == LD_OK; i++) {
		key = xasprintf("%s%s", prefix, a->v[i].key);
		u64_le_put(b, a->v[i].credited);
		u64_le_put(b + 8, a->v[i].retired);
		u64_le_put(b + 16, a->v[i].reversed);
		u64_le_put(b + 24, a->v[i].entries);
		rc = store_meta_put(t, key, b, sizeof(b));
		free(key);
	}
	return rc;
}

/* Sum an entry into the aggregates (from the entry, not its counters). */
static void
agg_entry(struct replay *r, const struct entry_leaf *l, const char *activity,
    uint64_t grams)
{
	struct replay_agg	*g[4];
	char		 mon[16], day[16];
	int		 i, n = 0;

	g[n++] = agg_get(&r->by_issuer, l->u.e.issuer.s);
	if (l->kind == KIND_CREDIT) {
		g[n++] = agg_get(&r->by_method, l->u.e.sub.method.s);
		if (activity != NULL)
			g[n++] = agg_get(&r->by_activity, activity);
	}
	day_format(day, sizeof(day), l->u.e.sub.day);
	snprintf(mon, sizeof(mon), "%.7s", day);
	g[n++] = agg_get(&r->by_month, mon);
	for (i = 0; i < n; i++) {
		g[i]->entries++;
		if (l->kind == KIND_CREDIT)
			g[i]->credited += grams;
		else if (l->kind == KIND_RETIRE)
			g[i]->retired += grams;
		else
			g[i]->reversed += grams;
	}
}

/* ---- batches ---------------------------------------------------------- */

static void
batch_close(struct replay *r, uint64_t at)
{
	struct replay_batch	*b = &r->batch;
	struct merkle_tree	 t;
	uint8_t			 root[32];
	uint32_t		 i;

	if (b->index == NO_INDEX)
		return;
	if (b->filled != b->n)
		add_finding(r, "bad-signature", b->index, at, "batch %llu "
		    "signed %u entries but only %u are in the log before "
		    "entry %llu", (unsigned long long)b->index, b->n,
		    b->filled, (unsigned long long)at);
	else {
		merkle_tree_init(&t);
		for (i = 0; i < b->n; i++)
			merkle_tree_append(&t, b->hashes[i], NULL, NULL);
		merkle_tree_root(&t, root);
		if (memcmp(root, b->root, 32) != 0)
			add_finding(r, "bad-signature", b->index, NO_INDEX,
			    "the entries of batch %llu are not the ones issuer "
			    "%s signed (root mismatch)",
			    (unsigned long long)b->index, b->issuer);
	}
	free(b->hashes);
	free(b->have);
	memset(b, 0, sizeof(*b));
	b->index = NO_INDEX;
}

/* Fill position pos of the open batch with a submitted entry's hash. */
static void
batch_fill(struct replay *r, uint32_t pos, const struct entry_sub *s,
    uint64_t index)
{
	struct replay_batch	*b = &r->batch;

	if (b->index == NO_INDEX || pos >= b->n || b->have[pos]) {
		add_finding(r, "chain-break", index, b->index, "entry %llu "
		    "claims position %u of batch %llu, which is not open or "
		    "already filled", (unsigned long long)index, pos,
		    (unsigned long long)b->index);
		return;
	}
	buf_reset(&r->scratch);
	codec_sub_encode(s, &r->scratch);
	merkle_leaf_hash(b->hashes[pos], r->scratch.p, r->scratch.len);
	b->have[pos] = 1;
	b->filled++;
}

static void
batch_open(struct replay *r, const struct entry_leaf *l)
{
	struct replay_batch	*b = &r->batch;
	struct rules_issuer_state	 ist;
	const uint8_t		*p;
	struct entry_leaf		 d;
	size_t			 len;
	uint32_t		 i, k;

	batch_close(r, l->index);
	b->index = l->index;
	snprintf(b->issuer, sizeof(b->issuer), "%s", l->u.batch.issuer.s);
	b->n = l->u.batch.n;
	memcpy(b->root, l->u.batch.root, 32);
	b->hashes = xcalloc(b->n ? b->n : 1, 32);
	b->have = xcalloc(b->n ? b->n : 1, 1);
	/* A weak key verifies nothing (rules_batch_verify refuses it):
	 * anyone can make a signature that "verifies" with it. */
	if (rules_store_ops.issuer_get(r->txn, b->issuer, &ist) == LD_OK &&
	    rules_batch_verify(r->origin, &ist.reg, b->n, b->root,
	    l->u.batch.sig) != LD_OK) {
		if (sig_pub_check(ist.reg.pub, NULL) != LD_OK)
			add_finding(r, "bad-signature", l->index,
			    ist.reg_index, "batch %llu is signed with issuer "
			    "%s's weak key (see the weak-key finding at entry "
			    "%llu): its signature proves nothing",
			    (unsigned long long)l->index, b->issuer,
			    (unsigned long long)ist.reg_index);
		else
			add_finding(r, "bad-signature", l->index,
			    ist.reg_index, "batch %llu's signature does not "
			    "verify with issuer %s's key",
			    (unsigned long long)l->index, b->issuer);
	}
	/* Entries that were already in the log when the batch came. */
	for (i = 0; i < l->u.batch.nruns; i++)
		for (k = 0; k < l->u.batch.runs[i].count; k++) {
			uint64_t idx = l->u.batch.runs[i].index + k;

			if (store_leaf_get(r->txn, idx, &p, &len) != LD_OK ||
			    codec_leaf_decode(p, len, &d) != LD_OK ||
			    d.kind < KIND_CREDIT ||
			    strcmp(d.u.e.issuer.s, b->issuer) != 0) {
				add_finding(r, "bad-signature", l->index, idx,
				    "batch %llu lists entry %llu as a duplicate"
				    " but it is not an entry of %s",
				    (unsigned long long)l->index,
				    (unsigned long long)idx, b->issuer);
				continue;
			}
			batch_fill(r, l->u.batch.runs[i].pos + k, &d.u.e.sub,
			    idx);
		}
}

/* ---- adopting a leaf's claims ---------------------------------------------- */

/* Make the state say what the leaf says, so replay can go on. */
static void
adopt(struct replay *r, const struct entry_leaf *l, const uint8_t hash[32])
{
	struct rules_issuer_state	 ist;
	struct rules_method_state	 mst;
	struct entry_account_ctr	 a;
	struct entry_leaf		 t;
	const uint8_t		*p;
	const char		*account;
	uint8_t			 dk[16];
	uint64_t		 v, day;
	size_t			 len;
	void			*txn = r->txn;

	r->rules.head.size = l->index + 1;
	memcpy(r->rules.head.prev, hash, 32);
	if (l->time > r->rules.head.time)
		r->rules.head.time = l->time;
	r->rules.head.totals = l->totals;
	switch (l->kind) {
	case KIND_ISSUER:
		if (rules_store_ops.issuer_get(txn, l->u.issuer.id.s, &ist) ==
		    LD_ENOTFOUND) {
			memset(&ist, 0, sizeof(ist));
			ist.reg = l->u.issuer;
			ist.reg_index = l->index;
			ist.ctr.prev = NO_INDEX;
			rules_store_ops.issuer_put(txn, &ist);
		}
		return;
	case KIND_METHOD:
		if (rules_store_ops.method_get(txn, l->u.method.id.s, &mst) ==
		    LD_ENOTFOUND) {
			mst.reg = l->u.method;
			mst.reg_index = l->index;
			rules_store_ops.method_put(txn, &mst);
		}
		return;
	case KIND_BATCH:
		r->rules.head.batch_index = l->index;
		r->rules.head.batch_n = l->u.batch.n;
		snprintf(r->rules.head.batch_issuer,
		    sizeof(r->rules.head.batch_issuer), "%s",
		    l->u.batch.issuer.s);
		return;
	default:
		break;
	}
	if (rules_store_ops.dedup_get(txn, l->u.e.sub.dedup, &v) ==
	    LD_ENOTFOUND)
		rules_store_ops.dedup_put(txn, l->u.e.sub.dedup, l->index);
	account = l->u.e.sub.account.s;
	if (l->kind == KIND_REVERSE) {
		account = NULL;
		if (store_leaf_get(txn, l->u.e.sub.target, &p, &len) == LD_OK &&
		    codec_leaf_decode(p, len, &t) == LD_OK) {
			if (t.kind == KIND_CREDIT) {
				static char acc[ACCOUNT_MAX + 1];

				snprintf(acc, sizeof(acc), "%s",
				    t.u.e.sub.account.s);
				account = acc;
			}
			entry_leaf_free(&t);
		}
		rules_store_ops.reversal_put(txn, l->u.e.sub.target, l->index);
	}
	if (l->kind == KIND_CREDIT) {
		rules_day_key(l->u.e.issuer.s, account, l->u.e.sub.method.s,
		    l->u.e.sub.day, dk);
		if (rules_store_ops.day_get(txn, dk, &day) != LD_OK)
			day = 0;
		day = day + l->u.e.sub.grams < day ? UINT64_MAX :
		    day + l->u.e.sub.grams;
		rules_store_ops.day_put(txn, dk, day);
	}
	if (account != NULL) {
		a = l->u.e.acct;
		a.prev = l->index;
		rules_store_ops.account_put(txn, l->u.e.issuer.s, account, &a);
	}
	if (rules_store_ops.issuer_get(txn, l->u.e.issuer.s, &ist) == LD_OK) {
		ist.ctr = l->u.e.iss;
		ist.ctr.prev = l->index;
		rules_store_ops.issuer_put(txn, &ist);
	}
}

/* ---- the replay --------------------------------------------------------- */

int
replay_load(struct replay *r, struct store_txn *t, const char *origin)
{
	struct rules_head	 head;
	const uint8_t		*p;
	size_t			 len;
	int			 rc;

	memset(r, 0, sizeof(*r));
	r->txn = t;
	r->origin = origin;
	r->batch.index = NO_INDEX;
	if (rules_store_head_get(t, &head) == LD_OK)
		rules_init(&r->rules, &rules_store_ops, t, &head);
	else
		rules_init(&r->rules, &rules_store_ops, t, NULL);
	if ((rc = store_tree(t, r->rules.head.size, &r->tree)) != LD_OK)
		return rc;
	if (store_meta_get(t, "audit/accounts", &p, &len) == LD_OK &&
	    len == 8)
		r->accounts = u64_le_get(p);
	if (store_meta_get(t, "audit/findings", &p, &len) == LD_OK &&
	    len == 8)
		r->findings_total = u64_le_get(p);
	store_meta_each(t, "agg/iss/", agg_load_one, &r->by_issuer);
	store_meta_each(t, "agg/mth/", agg_load_one, &r->by_method);
	store_meta_each(t, "agg/act/", agg_load_one, &r->by_activity);
	store_meta_each(t, "agg/mon/", agg_load_one, &r->by_month);
	/* An open batch spans chunks: rebuild it from the mirror, unless it
	 * was closed (checked) at the end of an earlier sync. */
	if (store_meta_get(t, "audit/batch-closed", &p, &len) == LD_OK &&
	    len == 8) {
		uint64_t closed;

		closed = u64_le_get(p);
		if (closed == r->rules.head.batch_index)
			return LD_OK;
	}
	if (r->rules.head.batch_index != NO_INDEX) {
		uint64_t	i, bi = r->rules.head.batch_index;
		struct entry_leaf	l;

		if (store_leaf_get(t, bi, &p, &len) == LD_OK &&
		    codec_leaf_decode(p, len, &l) == LD_OK) {
			struct replay tmp = *r;

			batch_open(r, &l);
			entry_leaf_free(&l);
			for (i = bi + 1; i < r->rules.head.size; i++)
				if (store_leaf_get(t, i, &p, &len) == LD_OK &&
				    codec_leaf_decode(p, len, &l) == LD_OK) {
					if (l.kind >= KIND_CREDIT &&
					    l.u.e.batch == bi)
						batch_fill(r, l.u.e.pos,
						    &l.u.e.sub, i);
					entry_leaf_free(&l);
				}
			r->findings = tmp.findings;
		}
	}
	return LD_OK;
}

int
replay_leaf(struct replay *r, uint64_t index, const uint8_t *p, size_t len,
    const uint8_t hash[32], const struct entry_leaf *lp)
{
	struct merkle_node	 nodes[MERKLE_MAX_LEVELS];
	struct ld_error	 e;
	struct rules_method_state	 mst;
	struct entry_account_ctr	 a;
	struct entry_leaf		 l;
	uint8_t			 h2[32];
	uint64_t		 v;
	size_t			 n, i, start;
	const char		*activity = NULL;
	int			 rc, new_account = 0, broken = 0;

	/* No leaf-hash index: nothing in the auditor looks a leaf up by
	 * its hash, and it was a quarter of the deferred index writes. */
	if ((rc = store_leaf_put(r->txn, index, p, len)) != LD_OK)
		return rc;
	merkle_tree_append(&r->tree, hash, nodes, &n);
	for (i = 0; i < n; i++)
		if ((rc = store_node_put(r->txn, nodes[i].level,
		    nodes[i].index, nodes[i].hash)) != LD_OK)
			return rc;
	if (lp == NULL) {
		if (codec_leaf_version(p, len, &v) == LD_OK &&
		    v != LEAF_VERSION)
			add_finding(r, "not-canonical", index, NO_INDEX,
			    "leaf %llu is of leaf format version %llu; this "
			    "auditor reads version %d only",
			    (unsigned long long)index, (unsigned long long)v,
			    LEAF_VERSION);
		else
			add_finding(r, "not-canonical", index, NO_INDEX,
			    "leaf %llu is not a canonical encoding of any "
			    "entry", (unsigned long long)index);
		/* Its batch cannot be checked further: the finding says why. */
		free(r->batch.hashes);
		free(r->batch.have);
		memset(&r->batch, 0, sizeof(r->batch));
		r->batch.index = NO_INDEX;
		r->rules.head.size = index + 1;
		memcpy(r->rules.head.prev, hash, 32);
		return LD_OK;
	}
	l = *lp;	/* a shallow copy: the caller's to free */
	if (l.time > r->now && l.time - r->now > REPLAY_CLOCK_SKEW &&
	    l.time != r->future_last) {
		add_finding(r, "future-time", index, NO_INDEX, "leaf %llu's "
		    "integration time %llu is %llu s after the auditor's clock "
		    "(%llu; %d s of skew allowed)", (unsigned long long)index,
		    (unsigned long long)l.time,
		    (unsigned long long)(l.time - r->now),
		    (unsigned long long)r->now, REPLAY_CLOCK_SKEW);
		r->future_last = l.time;
	}
	if ((broken = l.index != index ||
	    memcmp(l.prev, r->rules.head.prev, 32) != 0))
		add_finding(r, "chain-break", index, index ? index - 1 :
		    NO_INDEX, "leaf %llu %s", (unsigned long long)index,
		    l.index != index ? "carries another index" :
		    "does not chain to the previous leaf's hash");
	if (l.kind != KIND_BATCH && l.kind < KIND_CREDIT)
		batch_close(r, index);
	if (l.kind == KIND_BATCH)
		batch_open(r, &l);
	else if (l.kind >= KIND_CREDIT) {
		if (l.u.e.batch != r->batch.index)
			batch_close(r, index);
		batch_fill(r, l.u.e.pos, &l.u.e.sub, index);
		if (l.kind == KIND_CREDIT) {
			if (rules_store_ops.method_get(r->txn,
			    l.u.e.sub.method.s, &mst) == LD_OK)
				activity = mst.reg.activity.s;
		}
		if (l.kind != KIND_REVERSE && rules_store_account(r->txn,
		    l.u.e.issuer.s, l.u.e.sub.account.s, &a) == LD_ENOTFOUND)
			new_account = 1;
	}
	/* Rebuild the leaf with the rules, from its submitted part. */
	buf_reset(&r->scratch);
	{
		struct rules_head saved = r->rules.head;

		/* Rebuild on the chain as it is, so one break is one finding. */
		r->rules.head.size = index;
		switch (l.kind) {
		case KIND_ISSUER:
			rc = rules_issuer(&r->rules, l.time, &l.u.issuer,
			    &r->scratch, h2, &e);
			break;
		case KIND_METHOD:
			rc = rules_method(&r->rules, l.time, &l.u.method,
			    &r->scratch, h2, &e);
			break;
		case KIND_BATCH:
			rc = rules_batch(&r->rules, l.time, &l.u.batch,
			    &r->scratch, h2, &e);
			break;
		default:
			rc = rules_entry(&r->rules, l.time, l.u.e.issuer.s,
			    l.u.e.batch, l.u.e.pos, &l.u.e.sub, &r->scratch,
			    h2, &e);
			break;
		}
		if (rc != LD_OK)
			r->rules.head = saved;
	}
	start = 0;
	if (rc != LD_OK && strcmp(e.rule, "store") == 0)
		return rc;	/* the mirror's own store failed: no finding */
	if (rc != LD_OK) {
		add_finding(r, finding_code(e.rule), index, e.index,
		    "leaf %llu breaks rule %s: %s", (unsigned long long)index,
		    e.rule, e.msg);
		adopt(r, &l, hash);
	} else if (r->scratch.len - start != len ||
	    memcmp(r->scratch.p + start, p, len) != 0) {
		/* The rules agree, the leaf does not: its counters lie. */
		if (!broken) {
			char	what[256];

			counter_diff(&l, r->scratch.p, r->scratch.len, what,
			    sizeof(what));
			add_finding(r, "counter-mismatch", index, NO_INDEX,
			    "leaf %llu's %s", (unsigned long long)index, what);
		}
		adopt(r, &l, hash);
	}
	/* Keep the chain on the real leaf hash, whatever happened. */
	memcpy(r->rules.head.prev, hash, 32);
	r->rules.head.size = index + 1;
	if (l.kind >= KIND_CREDIT) {
		agg_entry(r, &l, activity, l.kind == KIND_REVERSE ?
		    0 : l.u.e.sub.grams);
		if (l.kind == KIND_REVERSE && store_leaf_get(r->txn,
		    l.u.e.sub.target, &p, &n) == LD_OK) {
			struct entry_leaf t;

			if (codec_leaf_decode(p, n, &t) == LD_OK) {
				struct replay_agg *g = agg_get(&r->by_issuer,
				    l.u.e.issuer.s);

				if (t.kind == KIND_CREDIT)
					g->reversed += t.u.e.sub.grams;
				entry_leaf_free(&t);
			}
		}
		r->accounts += new_account;
	}
	/* The same evidence credited twice is suspicious: flag it. */
	if (l.kind == KIND_CREDIT && l.u.e.sub.has_evidence) {
		char		 key[3 + 64 + 1];
		const uint8_t	*vp;
		uint8_t		 vb[8];
		size_t		 vl;

		memcpy(key, "ev/", 3);
		hex_encode(key + 3, l.u.e.sub.evidence, 32);
		if (store_meta_get(r->txn, key, &vp, &vl) == LD_OK && vl == 8) {
			v = u64_le_get(vp);
			add_finding(r, "duplicate-evidence", index, v,
			    "entry %llu credits evidence already credited by "
			    "entry %llu", (unsigned long long)index,
			    (unsigned long long)v);
		} else {
			u64_le_put(vb, index);
			store_meta_put(r->txn, key, vb, 8);
		}
	}
	return LD_OK;
}

/*
 * At a signed checkpoint every batch is complete (a batch is appended in
 * one commit): check the last one now rather than when a next leaf comes.
 */
void
replay_finish(struct replay *r)
{
	uint64_t	bi = r->batch.index;
	uint8_t		b[8];

	if (bi == NO_INDEX)
		return;
	batch_close(r, r->rules.head.size);
	u64_le_put(b, bi);
	store_meta_put(r->txn, "audit/batch-closed", b, 8);
}

int
replay_save(struct replay *r)
{
	uint8_t		a[8], f[8];
	int		rc;

	u64_le_put(a, r->accounts);
	u64_le_put(f, r->findings_total + r->findings);
	if ((rc = rules_store_head_put(r->txn, &r->rules.head)) != LD_OK ||
	    (rc = store_meta_put(r->txn, "audit/accounts", a, 8)) != LD_OK ||
	    (rc = store_meta_put(r->txn, "audit/findings", f, 8)) != LD_OK ||
	    (rc = agg_save(r->txn, "agg/iss/", &r->by_issuer)) != LD_OK ||
	    (rc = agg_save(r->txn, "agg/mth/", &r->by_method)) != LD_OK ||
	    (rc = agg_save(r->txn, "agg/act/", &r->by_activity)) != LD_OK ||
	    (rc = agg_save(r->txn, "agg/mon/", &r->by_month)) != LD_OK)
		return rc;
	return LD_OK;
}

void
replay_free(struct replay *r)
{
	free(r->batch.hashes);
	free(r->batch.have);
	free(r->by_issuer.v);
	free(r->by_method.v);
	free(r->by_activity.v);
	free(r->by_month.v);
	buf_free(&r->scratch);
}
