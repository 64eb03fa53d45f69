/* claim.c - what the mirror holds for an issuer, recomputed from the entries. */
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "codec.h"
#include "err.h"
#include "json.h"
#include "u64.h"

struct scan {
	struct store_txn	*t;
	const char		*issuer;
	uint64_t		 until, size;
	struct json		*out;
};

/* Whether leaf index is the issuer's (or a methodology's) and logged by
 * until; an unreadable leaf touches everything. */
static int
touches_leaf(const struct scan *s, uint64_t index)
{
	const uint8_t	*p;
	size_t		 len;
	struct entry_leaf	 l;
	int		 r;

	if (index >= s->size)
		return 0;
	if (store_leaf_get(s->t, index, &p, &len) != LD_OK ||
	    codec_leaf_decode(p, len, &l) != LD_OK)
		return 1;
	if (l.time > s->until)
		r = 0;
	else if (l.kind == KIND_ISSUER)
		r = strcmp(l.u.issuer.id.s, s->issuer) == 0;
	else if (l.kind == KIND_METHOD)
		r = 1;
	else if (l.kind == KIND_BATCH)
		r = strcmp(l.u.batch.issuer.s, s->issuer) == 0;
	else
		r = strcmp(l.u.e.issuer.s, s->issuer) == 0;
	entry_leaf_free(&l);
	return r;
}

static int
collect(void *arg, const char *key, size_t klen, const uint8_t *v,
    size_t vlen)
{
	struct scan	*s = arg;
	struct json	*f = NULL;
	uint64_t	 index, related;
	int		 hit;

	(void)key;
	(void)klen;
	if (json_parse((const char *)v, vlen, &f, NULL, 0) != LD_OK)
		return 0;
	if (json_get_u64(json_get(f, "index"), &index) != LD_OK)
		hit = 1;	/* log-wide: a fork */
	else
		hit = touches_leaf(s, index) ||
		    (json_get_u64(json_get(f, "related"), &related) == LD_OK &&
		    touches_leaf(s, related));
	if (hit)
		json_push(s->out, f);
	else
		json_free(f);
	return 0;
}

int
claim_sum(struct store_txn *t, uint64_t size, const char *issuer,
    uint64_t until, struct claim_sum *out)
{
	struct scan	 s = { t, issuer, until, size, NULL };
	const uint8_t	*p;
	size_t		 len;
	struct entry_leaf	 l, c;
	uint64_t	 i;
	int		 rc = LD_OK;

	memset(out, 0, sizeof(*out));
	out->last = NO_INDEX;
	out->findings = s.out = json_arr();
	for (i = 0; i < size && rc == LD_OK; i++) {
		if (store_leaf_get(t, i, &p, &len) != LD_OK)
			return LD_ECORRUPT;
		if (codec_leaf_decode(p, len, &l) != LD_OK)
			continue;	/* a not-canonical finding says so */
		if (l.kind >= KIND_CREDIT && l.time <= until &&
		    strcmp(l.u.e.issuer.s, issuer) == 0) {
			if (l.kind == KIND_CREDIT) {
				rc = u64_add(out->credited, l.u.e.sub.grams,
				    &out->credited);
				out->entries++;
				out->last = i;
			} else if (l.kind == KIND_REVERSE &&
			    l.u.e.sub.target < i && store_leaf_get(t,
			    l.u.e.sub.target, &p, &len) == LD_OK &&
			    codec_leaf_decode(p, len, &c) == LD_OK) {
				if (c.kind == KIND_CREDIT &&
				    strcmp(c.u.e.issuer.s, issuer) == 0) {
					rc = u64_add(out->reversed,
					    c.u.e.sub.grams, &out->reversed);
					out->entries++;
					out->last = i;
				}
				entry_leaf_free(&c);
			}
		}
		entry_leaf_free(&l);
	}
	if (rc != LD_OK)
		return rc;
	out->net = out->credited >= out->reversed ?
	    out->credited - out->reversed : 0;
	return store_meta_each(t, "finding/", collect, &s);
}

void
claim_sum_free(struct claim_sum *c)
{
	json_free(c->findings);
	c->findings = NULL;
}
