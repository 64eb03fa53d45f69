/* rcache.c - the rules' state over a store, with registries in memory. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rcache.h"
#include "rules_store.h"
#include "store.h"
#include "xmalloc.h"

enum { RC_ISSUER, RC_METHOD };

struct rc_ent {
	int	kind;
	int	dirty;			/* changed since the last flush */
	union {
		struct rules_issuer_state	issuer;
		struct rules_method_state	method;
	} u;
};

struct rcache {
	struct store_txn *txn;
	struct rc_ent	**slot;		/* open addressing, load <= 1/2 */
	size_t		  cap, n;
	int		  changed;	/* a put since rcache_begin */
	int		  absent_set;
	uint8_t		  absent[32];
};

static const char *
ent_id(const struct rc_ent *e)
{
	return e->kind == RC_ISSUER ? e->u.issuer.reg.id.s :
	    e->u.method.reg.id.s;
}

static size_t
hash_id(int kind, const char *id)
{
	uint64_t	h = 14695981039346656037ULL ^ (unsigned)kind;

	for (; *id != '\0'; id++)
		h = (h ^ (uint8_t)*id) * 1099511628211ULL;
	return (size_t)(h ^ h >> 29);
}

/* The slot of (kind, id), or the empty one where it would go. */
static size_t
find(const struct rcache *c, int kind, const char *id)
{
	size_t	i, mask = c->cap - 1;

	for (i = hash_id(kind, id) & mask; c->slot[i] != NULL;
	    i = (i + 1) & mask)
		if (c->slot[i]->kind == kind &&
		    strcmp(ent_id(c->slot[i]), id) == 0)
			break;
	return i;
}

static struct rc_ent *
lookup(const struct rcache *c, int kind, const char *id)
{
	return c->n == 0 ? NULL : c->slot[find(c, kind, id)];
}

static void
grow(struct rcache *c)
{
	struct rc_ent	**old = c->slot;
	size_t		  ocap = c->cap, i, j;

	c->cap = c->cap ? c->cap * 2 : 64;
	c->slot = xcalloc(c->cap, sizeof(*c->slot));
	for (i = 0; i < ocap; i++) {
		if (old[i] == NULL)
			continue;
		for (j = hash_id(old[i]->kind, ent_id(old[i])) & (c->cap - 1);
		    c->slot[j] != NULL; j = (j + 1) & (c->cap - 1))
			;
		c->slot[j] = old[i];
	}
	free(old);
}

/* The entry of (kind, id), created empty if new. */
static struct rc_ent *
insert(struct rcache *c, int kind, const char *id)
{
	struct rc_ent	*e;
	size_t		 i;

	if ((c->n + 1) * 2 > c->cap)
		grow(c);
	i = find(c, kind, id);
	if ((e = c->slot[i]) == NULL) {
		e = xcalloc(1, sizeof(*e));
		e->kind = kind;
		c->slot[i] = e;
		c->n++;
	}
	return e;
}

static void
drop_all(struct rcache *c)
{
	size_t	i;

	for (i = 0; i < c->cap; i++) {
		free(c->slot[i]);
		c->slot[i] = NULL;
	}
	c->n = 0;
}

struct rcache *
rcache_new(void)
{
	return xcalloc(1, sizeof(struct rcache));
}

void
rcache_free(struct rcache *c)
{
	if (c == NULL)
		return;
	drop_all(c);
	free(c->slot);
	free(c);
}

void
rcache_begin(struct rcache *c, struct store_txn *t)
{
	c->txn = t;
	c->changed = 0;
	c->absent_set = 0;
}

int
rcache_flush(struct rcache *c)
{
	size_t	i;
	int	rc;

	for (i = 0; i < c->cap && c->changed; i++) {
		struct rc_ent	*e = c->slot[i];

		if (e == NULL || !e->dirty)
			continue;
		if ((rc = rules_store_ops.issuer_put(c->txn, &e->u.issuer)) !=
		    LD_OK)
			return rc;
		e->dirty = 0;
	}
	return LD_OK;
}

void
rcache_abort(struct rcache *c)
{
	/* Which entries the transaction changed is not kept: the few
	 * registries are read again from the store. */
	if (c->changed)
		drop_all(c);
	c->changed = 0;
	c->absent_set = 0;
	c->txn = NULL;
}

void
rcache_dedup_absent(struct rcache *c, const uint8_t key[32])
{
	memcpy(c->absent, key, 32);
	c->absent_set = 1;
}

static int
rc_issuer_get(void *arg, const char *id, struct rules_issuer_state *out)
{
	struct rcache	*c = arg;
	struct rc_ent	*e;
	int		 rc;

	if ((e = lookup(c, RC_ISSUER, id)) == NULL) {
		if ((rc = rules_store_ops.issuer_get(c->txn, id, out)) != LD_OK)
			return rc;
		e = insert(c, RC_ISSUER, id);
		e->u.issuer = *out;
		return LD_OK;
	}
	*out = e->u.issuer;
	return LD_OK;
}

static int
rc_issuer_put(void *arg, const struct rules_issuer_state *st)
{
	struct rcache	*c = arg;
	struct rc_ent	*e = insert(c, RC_ISSUER, st->reg.id.s);

	e->u.issuer = *st;
	e->dirty = 1;
	c->changed = 1;
	return LD_OK;
}

static int
rc_method_get(void *arg, const char *id, struct rules_method_state *out)
{
	struct rcache	*c = arg;
	struct rc_ent	*e;
	int		 rc;

	if ((e = lookup(c, RC_METHOD, id)) == NULL) {
		if ((rc = rules_store_ops.method_get(c->txn, id, out)) != LD_OK)
			return rc;
		e = insert(c, RC_METHOD, id);
		e->u.method = *out;
		return LD_OK;
	}
	*out = e->u.method;
	return LD_OK;
}

static int
rc_method_put(void *arg, const struct rules_method_state *st)
{
	struct rcache	*c = arg;
	int		 rc;

	/* Registrations are rare: written through. */
	if ((rc = rules_store_ops.method_put(c->txn, st)) != LD_OK)
		return rc;
	insert(c, RC_METHOD, st->reg.id.s)->u.method = *st;
	c->changed = 1;
	return LD_OK;
}

static int
rc_dedup_get(void *arg, const uint8_t key[32], uint64_t *index)
{
	struct rcache	*c = arg;

	if (c->absent_set && memcmp(c->absent, key, 32) == 0) {
		c->absent_set = 0;
		return LD_ENOTFOUND;
	}
	return rules_store_ops.dedup_get(c->txn, key, index);
}

static int
rc_dedup_put(void *arg, const uint8_t key[32], uint64_t index)
{
	struct rcache	*c = arg;

	c->absent_set = 0;
	return rules_store_ops.dedup_put(c->txn, key, index);
}

/* The rest goes straight to the store. */
static int
rc_account_get(void *arg, const char *issuer, const char *account,
    struct entry_account_ctr *a)
{
	return rules_store_ops.account_get(((struct rcache *)arg)->txn, issuer,
	    account, a);
}

static int
rc_account_put(void *arg, const char *issuer, const char *account,
    const struct entry_account_ctr *a)
{
	return rules_store_ops.account_put(((struct rcache *)arg)->txn, issuer,
	    account, a);
}

static int
rc_day_get(void *arg, const uint8_t key[16], uint64_t *grams)
{
	return rules_store_ops.day_get(((struct rcache *)arg)->txn, key, grams);
}

static int
rc_day_put(void *arg, const uint8_t key[16], uint64_t grams)
{
	return rules_store_ops.day_put(((struct rcache *)arg)->txn, key, grams);
}

static int
rc_leaf_get(void *arg, uint64_t index, const uint8_t **p, size_t *len)
{
	return rules_store_ops.leaf_get(((struct rcache *)arg)->txn, index, p,
	    len);
}

static int
rc_reversal_get(void *arg, uint64_t credit, uint64_t *by)
{
	return rules_store_ops.reversal_get(((struct rcache *)arg)->txn,
	    credit, by);
}

static int
rc_reversal_put(void *arg, uint64_t credit, uint64_t by)
{
	return rules_store_ops.reversal_put(((struct rcache *)arg)->txn,
	    credit, by);
}

const struct rules_ops rcache_ops = {
	.issuer_get = rc_issuer_get,
	.issuer_put = rc_issuer_put,
	.method_get = rc_method_get,
	.method_put = rc_method_put,
	.account_get = rc_account_get,
	.account_put = rc_account_put,
	.dedup_get = rc_dedup_get,
	.dedup_put = rc_dedup_put,
	.day_get = rc_day_get,
	.day_put = rc_day_put,
	.leaf_get = rc_leaf_get,
	.reversal_get = rc_reversal_get,
	.reversal_put = rc_reversal_put,
};
