/* rules.c - the ledger's rules: validation and running counters, pure. */
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "codec.h"
#include "day.h"
#include "err.h"
#include "merkle.h"
#include "rules.h"
#include "sig.h"
#include "u64.h"

/* A state store failure: not a rule, the caller aborts. */
static int
fail_store(struct ld_error *e, int code)
{
	return ld_error_set(e, code, "store", NO_INDEX, "state store: %s",
	    ld_strerror(code));
}

void
rules_init(struct rules *r, const struct rules_ops *ops, void *arg,
    const struct rules_head *head)
{
	r->ops = ops;
	r->arg = arg;
	if (head != NULL)
		r->head = *head;
	else {
		memset(&r->head, 0, sizeof(r->head));
		r->head.batch_index = NO_INDEX;
	}
}

/* Common leaf header fields and time check. */
static int
leaf_start(struct rules *r, uint64_t time, uint8_t kind, struct entry_leaf *l,
    struct ld_error *e)
{
	memset(l, 0, sizeof(*l));
	if (time < r->head.time)
		return ld_error_set(e, LD_ERULE, "time-order", NO_INDEX,
		    "integration time %llu is before the previous leaf's %llu",
		    (unsigned long long)time,
		    (unsigned long long)r->head.time);
	if (r->head.size == NO_INDEX)
		return ld_error_set(e, LD_EOVERFLOW, "overflow", NO_INDEX,
		    "the log is full");
	l->kind = kind;
	l->index = r->head.size;
	l->time = time;
	memcpy(l->prev, r->head.prev, 32);
	l->totals = r->head.totals;
	if (u64_add(l->totals.count[kind], 1, &l->totals.count[kind]))
		return ld_error_set(e, LD_EOVERFLOW, "overflow", NO_INDEX,
		    "entry counter overflows");
	return LD_OK;
}

/* Encode l, hash it and advance the head. */
static int
leaf_finish(struct rules *r, const struct entry_leaf *l, struct buf *out,
    uint8_t leaf_hash[32], struct ld_error *e)
{
	size_t	start = out->len;
	int	rc;

	if ((rc = codec_leaf_encode(l, out)) != LD_OK)
		return ld_error_set(e, rc, "leaf-size", NO_INDEX,
		    "the entry does not fit in one leaf (%d bytes max)",
		    LEAF_MAX);
	merkle_leaf_hash(leaf_hash, out->p + start, out->len - start);
	memcpy(r->head.prev, leaf_hash, 32);
	r->head.size++;
	r->head.time = l->time;
	r->head.totals = l->totals;
	return LD_OK;
}

int
rules_issuer_find(struct rules *r, const char *id,
    struct rules_issuer_state *st, struct ld_error *e)
{
	int	rc = r->ops->issuer_get(r->arg, id, st);

	if (rc == LD_ENOTFOUND)
		return ld_error_set(e, LD_EAUTH, "unknown-issuer", NO_INDEX,
		    "issuer %s is not registered", id);
	return rc == LD_OK ? LD_OK : fail_store(e, rc);
}

/* The leaf using dedup key: LD_OK with *index, LD_ENOTFOUND, or a store
 * error (in e). */
static int
dedup_find(struct rules *r, const uint8_t key[32], uint64_t *index,
    struct ld_error *e)
{
	int	rc = r->ops->dedup_get(r->arg, key, index);

	return rc == LD_OK || rc == LD_ENOTFOUND ? rc : fail_store(e, rc);
}

int
rules_entry_logged(struct rules *r, const char *issuer,
    const struct entry_sub *s, uint64_t *index, struct ld_error *e)
{
	struct entry_leaf	 l;
	struct buf		 b = { 0 };
	const uint8_t		*p;
	size_t			 len, mark;
	int			 rc, same;

	if ((rc = dedup_find(r, s->dedup, index, e)) != LD_OK)
		return rc;
	if ((rc = r->ops->leaf_get(r->arg, *index, &p, &len)) != LD_OK)
		return fail_store(e, rc);
	if (codec_leaf_decode(p, len, &l) != LD_OK)
		return fail_store(e, LD_ECORRUPT);
	/* The same issuer's entry with the same encoding: a retry. */
	same = l.kind >= KIND_CREDIT && strcmp(l.u.e.issuer.s, issuer) == 0;
	if (same) {
		codec_sub_encode(&l.u.e.sub, &b);
		mark = b.len;
		codec_sub_encode(s, &b);
		same = b.len == 2 * mark && memcmp(b.p, b.p + mark, mark) == 0;
		buf_free(&b);
	}
	entry_leaf_free(&l);
	if (same)
		return LD_OK;
	return ld_error_set(e, LD_EEXIST, "duplicate-dedup", *index,
	    "dedup key already used by a different entry, index %llu",
	    (unsigned long long)*index);
}

int
rules_issuer_logged(struct rules *r, const struct entry_issuer *reg,
    uint64_t *index, struct ld_error *e)
{
	struct rules_issuer_state	st;
	int				rc;

	rc = r->ops->issuer_get(r->arg, reg->id.s, &st);
	if (rc != LD_OK)
		return rc == LD_ENOTFOUND ? rc : fail_store(e, rc);
	if (memcmp(&st.reg, reg, sizeof(*reg)) != 0)
		return LD_ENOTFOUND;	/* rules_issuer refuses it */
	*index = st.reg_index;
	return LD_OK;
}

int
rules_method_logged(struct rules *r, const struct entry_method *m,
    uint64_t *index, struct ld_error *e)
{
	struct rules_method_state	st;
	int				rc;

	rc = r->ops->method_get(r->arg, m->id.s, &st);
	if (rc != LD_OK)
		return rc == LD_ENOTFOUND ? rc : fail_store(e, rc);
	if (memcmp(&st.reg, m, sizeof(*m)) != 0)
		return LD_ENOTFOUND;	/* rules_method refuses it */
	*index = st.reg_index;
	return LD_OK;
}

int
rules_issuer(struct rules *r, uint64_t time, const struct entry_issuer *reg,
    struct buf *out, uint8_t leaf_hash[32], struct ld_error *e)
{
	struct rules_issuer_state	st;
	struct entry_leaf		l;
	const char		*why;
	int			rc;

	if (entry_valid_id(reg->id.s, reg->id.len) != LD_OK)
		return ld_error_set(e, LD_EINVAL, "issuer-id", NO_INDEX,
		    "issuer id must be 1..64 of [A-Za-z0-9._-]");
	if (entry_valid_text(reg->name.s, reg->name.len, TEXT_MAX) != LD_OK)
		return ld_error_set(e, LD_EINVAL, "issuer-name", NO_INDEX,
		    "name must be 1..256 bytes of UTF-8 text");
	if (sig_pub_check(reg->pub, &why) != LD_OK)
		return ld_error_set(e, LD_EINVAL, "weak-key", NO_INDEX,
		    "issuer %s's public key is %s: a weak Ed25519 key (of "
		    "small order, anyone can make its signatures; not "
		    "canonical or not a point, verifiers disagree on it)",
		    reg->id.s, why);
	rc = r->ops->issuer_get(r->arg, reg->id.s, &st);
	if (rc == LD_OK)
		return ld_error_set(e, LD_EEXIST, "duplicate-issuer", st.reg_index,
		    "issuer %s is already registered at index %llu",
		    reg->id.s, (unsigned long long)st.reg_index);
	if (rc != LD_ENOTFOUND)
		return fail_store(e, rc);
	if ((rc = leaf_start(r, time, KIND_ISSUER, &l, e)) != LD_OK)
		return rc;
	l.u.issuer = *reg;
	memset(&st, 0, sizeof(st));
	st.reg = *reg;
	st.reg_index = l.index;
	st.ctr.prev = NO_INDEX;
	if ((rc = r->ops->issuer_put(r->arg, &st)) != LD_OK)
		return fail_store(e, rc);
	return leaf_finish(r, &l, out, leaf_hash, e);
}

int
rules_method(struct rules *r, uint64_t time, const struct entry_method *m,
    struct buf *out, uint8_t leaf_hash[32], struct ld_error *e)
{
	struct rules_method_state	st;
	struct entry_leaf		l;
	int			rc;

	if (entry_valid_id(m->id.s, m->id.len) != LD_OK)
		return ld_error_set(e, LD_EINVAL, "method-id", NO_INDEX,
		    "method id must be 1..64 of [A-Za-z0-9._-]");
	if (entry_valid_text(m->activity.s, m->activity.len, TEXT_MAX) ||
	    entry_valid_text(m->unit.s, m->unit.len, TEXT_MAX) ||
	    entry_valid_text(m->reference.s, m->reference.len, REFERENCE_MAX))
		return ld_error_set(e, LD_EINVAL, "method-text", NO_INDEX,
		    "activity, unit (1..256) and reference (1..1024) must be "
		    "UTF-8 text");
	if (m->grams_per_unit == 0 || m->max_event == 0 || m->max_day == 0)
		return ld_error_set(e, LD_EINVAL, "method-factor", NO_INDEX,
		    "grams_per_unit and both caps must be positive");
	rc = r->ops->method_get(r->arg, m->id.s, &st);
	if (rc == LD_OK)
		return ld_error_set(e, LD_EEXIST, "duplicate-method", st.reg_index,
		    "method %s is already registered at index %llu (a new "
		    "factor needs a new id)", m->id.s,
		    (unsigned long long)st.reg_index);
	if (rc != LD_ENOTFOUND)
		return fail_store(e, rc);
	if ((rc = leaf_start(r, time, KIND_METHOD, &l, e)) != LD_OK)
		return rc;
	l.u.method = *m;
	st.reg = *m;
	st.reg_index = l.index;
	if ((rc = r->ops->method_put(r->arg, &st)) != LD_OK)
		return fail_store(e, rc);
	return leaf_finish(r, &l, out, leaf_hash, e);
}

int
rules_batch(struct rules *r, uint64_t time, const struct entry_batch *b,
    struct buf *out, uint8_t leaf_hash[32], struct ld_error *e)
{
	struct rules_issuer_state	st;
	struct entry_leaf		l;
	uint64_t		dups = 0, end;
	uint32_t		i, next = 0;
	int			rc;

	if ((rc = rules_issuer_find(r, b->issuer.s, &st, e)) != LD_OK)
		return rc;
	if (b->n == 0 || b->n > BATCH_MAX)
		return ld_error_set(e, LD_EINVAL, "batch-size", NO_INDEX,
		    "a batch holds 1..%d entries", BATCH_MAX);
	for (i = 0; i < b->nruns; i++) {
		const struct entry_dup_run *d = &b->runs[i];

		if (d->count == 0 || d->pos < next || d->pos >= b->n ||
		    d->count > b->n - d->pos ||
		    u64_add(d->index, d->count, &end) || end > r->head.size)
			return ld_error_set(e, LD_EINVAL, "batch-runs", NO_INDEX,
			    "duplicate run %u is out of order or range", i);
		next = d->pos + d->count;
		dups += d->count;
	}
	if (dups >= b->n)
		return ld_error_set(e, LD_EINVAL, "batch-runs", NO_INDEX,
		    "a batch leaf needs at least one new entry");
	if ((rc = leaf_start(r, time, KIND_BATCH, &l, e)) != LD_OK)
		return rc;
	l.u.batch = *b;
	rc = leaf_finish(r, &l, out, leaf_hash, e);
	if (rc == LD_OK) {
		r->head.batch_index = l.index;
		r->head.batch_n = b->n;
		memcpy(r->head.batch_issuer, b->issuer.s, b->issuer.len + 1);
	}
	return rc;
}

void
rules_day_key(const char *issuer, const char *account, const char *method,
    uint32_t day, uint8_t key[16])
{
	struct buf	b = { 0 };
	uint8_t		h[32], d[4];

	buf_add(&b, "ledger-day", 11);		/* with its NUL */
	buf_add(&b, issuer, strlen(issuer) + 1);
	buf_add(&b, account, strlen(account) + 1);
	buf_add(&b, method, strlen(method) + 1);
	d[0] = (uint8_t)(day >> 24);
	d[1] = (uint8_t)(day >> 16);
	d[2] = (uint8_t)(day >> 8);
	d[3] = (uint8_t)day;
	buf_add(&b, d, 4);
	merkle_sha256(h, b.p, b.len);
	/* The day first: a day's sums sit together in the store's B-tree,
	 * and the days being credited (mostly today's) stay few pages. */
	memcpy(key, d, 4);
	memcpy(key + 4, h, 12);
	buf_free(&b);
}

/* Checks shared by every account entry: issuer, batch, day, dedup key. */
static int
entry_common(struct rules *r, uint64_t time, const char *issuer,
    uint64_t batch_index, uint32_t pos, const struct entry_sub *s,
    struct rules_issuer_state *ist, struct ld_error *e)
{
	const char	*why;
	uint64_t	 idx;
	int		 rc;

	if ((rc = rules_issuer_find(r, issuer, ist, e)) != LD_OK)
		return rc;
	if (r->head.batch_index == NO_INDEX ||
	    batch_index != r->head.batch_index || pos >= r->head.batch_n ||
	    strcmp(issuer, r->head.batch_issuer) != 0)
		return ld_error_set(e, LD_EINVAL, "batch-order", batch_index,
		    "entry is not part of the open batch");
	if (entry_sub_check(s, &why) != LD_OK)
		return ld_error_set(e, LD_EINVAL, "entry-fields", NO_INDEX, "%s", why);
	if (s->day > time / 86400)
		return ld_error_set(e, LD_ERULE, "future-day", NO_INDEX,
		    "event day %u is after the integration day %llu", s->day,
		    (unsigned long long)(time / 86400));
	rc = dedup_find(r, s->dedup, &idx, e);
	if (rc == LD_OK)
		return ld_error_set(e, LD_EEXIST, "duplicate-dedup", idx,
		    "dedup key already used by entry %llu",
		    (unsigned long long)idx);
	return rc == LD_ENOTFOUND ? LD_OK : rc;
}

static int
account_load(struct rules *r, const char *issuer, const char *account,
    struct entry_account_ctr *a, struct ld_error *e)
{
	int	rc = r->ops->account_get(r->arg, issuer, account, a);

	if (rc == LD_ENOTFOUND) {
		memset(a, 0, sizeof(*a));
		a->prev = NO_INDEX;
		return LD_OK;
	}
	return rc == LD_OK ? LD_OK : fail_store(e, rc);
}

/* Decode the credit a reversal targets and check it may be reversed. */
static int
reversal_target(struct rules *r, const char *issuer, const struct entry_sub *s,
    struct entry_leaf *t, struct ld_error *e)
{
	const uint8_t	*p;
	size_t		 len;
	uint64_t	 by;
	int		 rc;

	if (s->target >= r->head.size)
		return ld_error_set(e, LD_ERULE, "bad-reversal", NO_INDEX,
		    "target %llu is not in the log",
		    (unsigned long long)s->target);
	if ((rc = r->ops->leaf_get(r->arg, s->target, &p, &len)) != LD_OK)
		return fail_store(e, rc);
	if ((rc = codec_leaf_decode(p, len, t)) != LD_OK)
		return ld_error_set(e, LD_ECORRUPT, "store", s->target,
		    "stored leaf %llu does not decode",
		    (unsigned long long)s->target);
	if (t->kind != KIND_CREDIT) {
		entry_leaf_free(t);
		return ld_error_set(e, LD_ERULE, "bad-reversal", s->target,
		    "entry %llu is a %s, only credits can be reversed",
		    (unsigned long long)s->target, entry_kind_name(t->kind));
	}
	if (strcmp(t->u.e.issuer.s, issuer) != 0)
		return ld_error_set(e, LD_ERULE, "bad-reversal", s->target,
		    "credit %llu belongs to issuer %s",
		    (unsigned long long)s->target, t->u.e.issuer.s);
	rc = r->ops->reversal_get(r->arg, s->target, &by);
	if (rc == LD_OK)
		return ld_error_set(e, LD_ERULE, "bad-reversal", by,
		    "credit %llu was already reversed by entry %llu",
		    (unsigned long long)s->target, (unsigned long long)by);
	if (rc != LD_ENOTFOUND)
		return fail_store(e, rc);
	return LD_OK;
}

int
rules_entry(struct rules *r, uint64_t time, const char *issuer,
    uint64_t batch_index, uint32_t pos, const struct entry_sub *s,
    struct buf *out, uint8_t leaf_hash[32], struct ld_error *e)
{
	struct rules_issuer_state	 ist;
	struct rules_method_state	 mst;
	struct entry_account_ctr	 a;
	struct entry_leaf		 l, t;
	uint8_t			 dkey[16];
	uint64_t		 grams = 0, day = 0, prod, bal;
	const char		*account;
	char			 d1[16], d2[16];
	int			 rc;

	if ((rc = entry_common(r, time, issuer, batch_index, pos, s, &ist,
	    e)) != LD_OK)
		return rc;
	if ((rc = leaf_start(r, time, s->kind, &l, e)) != LD_OK)
		return rc;
	account = s->account.s;
	switch (s->kind) {
	case KIND_CREDIT:
		rc = r->ops->method_get(r->arg, s->method.s, &mst);
		if (rc == LD_ENOTFOUND)
			return ld_error_set(e, LD_ERULE, "unknown-method", NO_INDEX,
			    "method %s is not registered", s->method.s);
		if (rc != LD_OK)
			return fail_store(e, rc);
		/* The method covers event days from valid_from, and up to
		 * max_age days back from the integration day (entry_common
		 * made sure the day is not after it). */
		if (s->day < mst.reg.valid_from) {
			day_format(d1, sizeof(d1), s->day);
			day_format(d2, sizeof(d2), mst.reg.valid_from);
			return ld_error_set(e, LD_ERULE, "before-method", NO_INDEX,
			    "event day %s is before %s, the first day %s "
			    "covers", d1, d2, mst.reg.id.s);
		}
		if (time / 86400 - s->day > mst.reg.max_age) {
			day_format(d1, sizeof(d1), s->day);
			return ld_error_set(e, LD_ERULE, "event-too-old", NO_INDEX,
			    "event day %s is %llu days before the integration "
			    "day; %s accepts events at most %u days old", d1,
			    (unsigned long long)(time / 86400 - s->day),
			    mst.reg.id.s, mst.reg.max_age);
		}
		if (__builtin_mul_overflow(s->units, mst.reg.grams_per_unit,
		    &prod))
			return ld_error_set(e, LD_EOVERFLOW, "overflow", NO_INDEX,
			    "units x grams_per_unit overflows");
		if (prod != s->grams)
			return ld_error_set(e, LD_ERULE, "factor-mismatch", NO_INDEX,
			    "grams %llu != units %llu x %llu g per %s",
			    (unsigned long long)s->grams,
			    (unsigned long long)s->units,
			    (unsigned long long)mst.reg.grams_per_unit,
			    mst.reg.unit.s);
		if (s->grams > mst.reg.max_event)
			return ld_error_set(e, LD_ERULE, "over-cap-event", NO_INDEX,
			    "%llu g is over the %llu g cap per event of %s",
			    (unsigned long long)s->grams,
			    (unsigned long long)mst.reg.max_event,
			    mst.reg.id.s);
		rules_day_key(issuer, account, s->method.s, s->day, dkey);
		rc = r->ops->day_get(r->arg, dkey, &day);
		if (rc == LD_ENOTFOUND)
			day = 0;
		else if (rc != LD_OK)
			return fail_store(e, rc);
		if (u64_add(day, s->grams, &day))
			return ld_error_set(e, LD_EOVERFLOW, "overflow", NO_INDEX,
			    "daily sum overflows");
		if (day > mst.reg.max_day)
			return ld_error_set(e, LD_ERULE, "over-cap-day", NO_INDEX,
			    "the account's %s credits for that day would be "
			    "%llu g, over the %llu g daily cap", mst.reg.id.s,
			    (unsigned long long)day,
			    (unsigned long long)mst.reg.max_day);
		grams = s->grams;
		if ((rc = account_load(r, issuer, account, &a, e)) != LD_OK)
			return rc;
		if (u64_add(a.credited, grams, &a.credited) ||
		    u64_add(ist.ctr.credited, grams, &ist.ctr.credited) ||
		    u64_add(l.totals.credited, grams, &l.totals.credited))
			return ld_error_set(e, LD_EOVERFLOW, "overflow", NO_INDEX,
			    "credited grams overflow");
		break;
	case KIND_RETIRE:
		grams = s->grams;
		if ((rc = account_load(r, issuer, account, &a, e)) != LD_OK)
			return rc;
		/* Balance: credited - retired - reversed, never negative. */
		if (a.retired > UINT64_MAX - a.reversed ||
		    a.credited < a.retired + a.reversed)
			bal = 0;
		else
			bal = a.credited - a.retired - a.reversed;
		if (grams > bal)
			return ld_error_set(e, LD_ERULE, "overspent", a.prev,
			    "retiring %llu g needs a balance of at least that; "
			    "the account has %llu g", (unsigned long long)grams,
			    (unsigned long long)bal);
		if (u64_add(a.retired, grams, &a.retired) ||
		    u64_add(ist.ctr.retired, grams, &ist.ctr.retired) ||
		    u64_add(l.totals.retired, grams, &l.totals.retired))
			return ld_error_set(e, LD_EOVERFLOW, "overflow", NO_INDEX,
			    "retired grams overflow");
		break;
	case KIND_REVERSE:
		if ((rc = reversal_target(r, issuer, s, &t, e)) != LD_OK)
			return rc;
		/* The account entry is the credit's account. */
		grams = t.u.e.sub.grams;
		if ((rc = account_load(r, issuer, t.u.e.sub.account.s, &a,
		    e)) != LD_OK)
			return rc;
		account = NULL;
		if (u64_add(a.reversed, grams, &a.reversed) ||
		    u64_add(ist.ctr.reversed, grams, &ist.ctr.reversed) ||
		    u64_add(l.totals.reversed, grams, &l.totals.reversed))
			return ld_error_set(e, LD_EOVERFLOW, "overflow", NO_INDEX,
			    "reversed grams overflow");
		break;
	default:
		return ld_error_set(e, LD_EINVAL, "entry-fields", NO_INDEX,
		    "unknown entry kind");
	}
	/* Counters in the leaf; the state then points at this leaf. */
	STR_SET(l.u.e.issuer, issuer, strlen(issuer));
	l.u.e.batch = batch_index;
	l.u.e.pos = pos;
	l.u.e.sub = *s;
	l.u.e.acct = a;
	l.u.e.iss = ist.ctr;
	if ((rc = leaf_finish(r, &l, out, leaf_hash, e)) != LD_OK)
		return rc;
	a.prev = l.index;
	ist.ctr.prev = l.index;
	if ((s->kind == KIND_CREDIT &&
	    (rc = r->ops->day_put(r->arg, dkey, day)) != LD_OK) ||
	    (rc = r->ops->dedup_put(r->arg, s->dedup, l.index)) != LD_OK ||
	    (rc = r->ops->account_put(r->arg, issuer,
	    account ? account : t.u.e.sub.account.s, &a)) != LD_OK ||
	    (rc = r->ops->issuer_put(r->arg, &ist)) != LD_OK ||
	    (s->kind == KIND_REVERSE &&
	    (rc = r->ops->reversal_put(r->arg, s->target, l.index)) != LD_OK))
		return fail_store(e, rc);
	return LD_OK;
}

void
rules_batch_message(const char *origin, const char *issuer, uint32_t n,
    const uint8_t root[32], struct buf *msg)
{
	char	b64[48];

	b64_encode(b64, root, 32);
	buf_printf(msg, "ledger-batch/v1\n%s\n%s\n%u\n%s\n", origin, issuer,
	    n, b64);
}

void
rules_batch_root(const struct entry_sub *subs, uint32_t n, uint8_t root[32])
{
	struct merkle_tree	t;
	struct buf		b = { 0 };
	uint8_t			h[32];
	uint32_t		i;

	merkle_tree_init(&t);
	for (i = 0; i < n; i++) {
		buf_reset(&b);
		codec_sub_encode(&subs[i], &b);
		merkle_leaf_hash(h, b.p, b.len);
		merkle_tree_append(&t, h, NULL, NULL);
	}
	merkle_tree_root(&t, root);
	buf_free(&b);
}

int
rules_batch_verify(const char *origin, const struct entry_issuer *iss,
    uint32_t n, const uint8_t root[32], const uint8_t sig[64])
{
	struct sig_key	*k;
	int		 rc;

	if (sig_key_from_pub(iss->id.s, SIG_TYPE_ED25519, iss->pub, &k) !=
	    LD_OK)
		return LD_EBADSIG;
	rc = rules_batch_verify_key(origin, iss, k, n, root, sig);
	sig_key_free(k);
	return rc;
}

int
rules_batch_verify_key(const char *origin, const struct entry_issuer *iss,
    const struct sig_key *key, uint32_t n, const uint8_t root[32],
    const uint8_t sig[64])
{
	struct buf	msg = { 0 };
	int		rc;

	rules_batch_message(origin, iss->id.s, n, root, &msg);
	rc = sig_verify(key, msg.p, msg.len, sig);
	buf_free(&msg);
	return rc;
}
