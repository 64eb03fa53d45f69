/* ovl.c - an in-memory overlay of small keyed values, for deferred indexes. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "err.h"
#include "log.h"
#include "ovl.h"
#include "util.h"

#define HUGE_SIZE	(2u << 20)
#define CHUNK_SIZE	HUGE_SIZE

struct ovl_chunk {
	struct ovl_chunk	*next;
	size_t			 used, size;
	_Alignas(16) uint8_t	 mem[];
};

/*
 * Eight bytes at a time, mixed by multiplication (the constants are
 * splitmix64's), from the overlay's seed: keys chosen by an issuer
 * cannot be made to collide without knowing it.
 */
static uint32_t
hash_key(uint64_t seed, unsigned db, const uint8_t *k, size_t klen)
{
	uint64_t	h = seed ^ ((uint64_t)db << 8 | klen), w;
	size_t		i;

	for (i = 0; i + 8 <= klen; i += 8) {
		memcpy(&w, k + i, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
	}
	if (i < klen) {
		w = 0;
		memcpy(&w, k + i, klen - i);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
	}
	h *= 0x94d049bb133111ebULL;
	return (uint32_t)(h ^ h >> 32);
}

/* Memory the size of a huge page or more is asked to be backed by them:
 * the table and the entries are read at random, and 4 KiB pages would
 * cost a TLB miss on almost every lookup. */
static void *
big_alloc(size_t n, int zero)
{
	void	*p;

	if (n < HUGE_SIZE)
		return zero ? xcalloc(1, n) : xmalloc(n);
	n = (n + HUGE_SIZE - 1) & ~(size_t)(HUGE_SIZE - 1);
	if ((p = aligned_alloc(HUGE_SIZE, n)) == NULL)
		fatalx("out of memory (%zu bytes)", n);
	(void)madvise(p, n, MADV_HUGEPAGE);
	if (zero)
		memset(p, 0, n);
	return p;
}

void
ovl_init(struct ovl *o, uint64_t seed)
{
	memset(o, 0, sizeof(*o));
	o->seed = seed;
	o->tail = &o->head;
}

void
ovl_reset(struct ovl *o)
{
	struct ovl_chunk	*c, *next;

	if (o->chunks == NULL)
		return;
	/* Keep the chunks for the next entries. */
	for (c = o->chunks->next; c != NULL; c = next) {
		next = c->next;
		c->next = o->spare;
		o->spare = c;
	}
	o->chunks->next = NULL;
	o->chunks->used = 0;
	if (o->n > 0)
		memset(o->slot, 0, o->cap * sizeof(*o->slot));
	o->n = 0;
	o->bytes = 0;
	o->head = NULL;
	o->tail = &o->head;
}

void
ovl_clear(struct ovl *o)
{
	struct ovl_chunk	*c, *next;
	uint64_t		 seed = o->seed;

	for (c = o->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	for (c = o->spare; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(o->slot);
	ovl_init(o, seed);
}

static void *
alloc_ent(struct ovl *o, size_t n)
{
	struct ovl_chunk	*c = o->chunks;
	void			*p;

	n = (n + 15) & ~(size_t)15;
	if (c == NULL || c->size - c->used < n) {
		if ((c = o->spare) != NULL)
			o->spare = c->next;
		else {
			c = big_alloc(CHUNK_SIZE, 0);
			c->size = CHUNK_SIZE - sizeof(*c);
		}
		c->used = 0;
		c->next = o->chunks;
		o->chunks = c;
	}
	p = c->mem + c->used;
	c->used += n;
	o->bytes += n;
	return p;
}

/* Room for n entries at a load of at most one half. */
static void
reserve(struct ovl *o, size_t n)
{
	size_t		 cap = o->cap ? o->cap : 1024, i;
	struct ovl_slot	*slot;
	struct ovl_ent	*e;

	while (n * 2 > cap)
		cap *= 2;
	if (cap == o->cap)
		return;
	slot = big_alloc(cap * sizeof(*slot), 1);
	for (e = o->head; e != NULL; e = e->next) {
		for (i = e->hash & (cap - 1); slot[i].e != NULL;
		    i = (i + 1) & (cap - 1))
			;
		slot[i].hash = e->hash;
		slot[i].e = e;
	}
	free(o->slot);
	o->slot = slot;
	o->cap = cap;
}

/*
 * The slot holding (db, k), or the empty slot where it would go. The
 * hash is kept in the slot, so a probe past another key reads no entry.
 */
static size_t
find(const struct ovl *o, unsigned db, const uint8_t *k, size_t klen,
    uint32_t h)
{
	size_t		 i, mask = o->cap - 1;
	struct ovl_ent	*e;

	for (i = h & mask; (e = o->slot[i].e) != NULL; i = (i + 1) & mask)
		if (o->slot[i].hash == h && e->db == db && e->klen == klen &&
		    memcmp(e->data, k, klen) == 0)
			break;
	return i;
}

struct ovl_ent *
ovl_get(const struct ovl *o, unsigned db, const void *k, size_t klen)
{
	if (o->n == 0 || klen > 255)
		return NULL;
	return o->slot[find(o, db, k, klen, hash_key(o->seed, db, k,
	    klen))].e;
}

static int
put_hashed(struct ovl *o, unsigned db, const void *k, size_t klen,
    const void *v, size_t vlen, uint64_t cseq, uint32_t h)
{
	size_t		 i;
	struct ovl_ent	*e;

	if (klen > 255 || vlen > 255 || db > 255)
		return LD_EINVAL;
	reserve(o, o->n + 1);
	i = find(o, db, k, klen, h);
	if ((e = o->slot[i].e) != NULL) {
		if (e->vlen != vlen)
			return LD_EINVAL;
		memcpy(OVL_VAL(e), v, vlen);
		e->cseq = cseq;
		return LD_OK;
	}
	e = alloc_ent(o, sizeof(*e) + klen + vlen);
	e->next = NULL;
	e->cseq = e->first = cseq;
	e->hash = h;
	e->db = (uint8_t)db;
	e->klen = (uint8_t)klen;
	e->vlen = (uint8_t)vlen;
	memcpy(e->data, k, klen);
	memcpy(e->data + klen, v, vlen);
	o->slot[i].hash = h;
	o->slot[i].e = e;
	*o->tail = e;
	o->tail = &e->next;
	o->n++;
	return LD_OK;
}

int
ovl_put(struct ovl *o, unsigned db, const void *k, size_t klen,
    const void *v, size_t vlen, uint64_t cseq)
{
	return put_hashed(o, db, k, klen, v, vlen, cseq,
	    hash_key(o->seed, db, k, klen));
}

/* Entries ahead of the one being merged whose slots are prefetched: the
 * table is large and read at random, so each lookup would otherwise wait
 * for memory in turn. */
#define MERGE_AHEAD	8

int
ovl_merge(struct ovl *to, const struct ovl *from, uint64_t cseq)
{
	const struct ovl_ent	*e, *ahead;
	int			 same = to->seed == from->seed, rc, i;

	reserve(to, to->n + from->n);
	for (ahead = from->head, i = 0; ahead != NULL && i < MERGE_AHEAD;
	    ahead = ahead->next, i++)
		if (same)
			__builtin_prefetch(&to->slot[ahead->hash &
			    (to->cap - 1)]);
	for (e = from->head; e != NULL; e = e->next) {
		if (ahead != NULL) {
			if (same)
				__builtin_prefetch(&to->slot[ahead->hash &
				    (to->cap - 1)]);
			ahead = ahead->next;
		}
		if ((rc = put_hashed(to, e->db, OVL_KEY(e), e->klen,
		    OVL_VAL(e), e->vlen, cseq, same ? e->hash :
		    hash_key(to->seed, e->db, OVL_KEY(e), e->klen))) != LD_OK)
			return rc;
	}
	return LD_OK;
}

size_t
ovl_record_len(const struct ovl *o)
{
	const struct ovl_ent	*e;
	size_t			 n = 0;

	for (e = o->head; e != NULL; e = e->next)
		n += 3 + e->klen + e->vlen;
	return n;
}

void
ovl_record(const struct ovl *o, uint8_t *out)
{
	const struct ovl_ent	*e;

	for (e = o->head; e != NULL; e = e->next) {
		*out++ = e->db;
		*out++ = e->klen;
		*out++ = e->vlen;
		memcpy(out, e->data, (size_t)e->klen + e->vlen);
		out += e->klen + e->vlen;
	}
}

int
ovl_apply(struct ovl *o, const uint8_t *p, size_t len, uint64_t cseq)
{
	size_t	kl, vl;
	int	rc;

	while (len > 0) {
		if (len < 3)
			return LD_ECORRUPT;
		kl = p[1];
		vl = p[2];
		if (len - 3 < kl + vl)
			return LD_ECORRUPT;
		if ((rc = ovl_put(o, p[0], p + 3, kl, p + 3 + kl, vl, cseq)) !=
		    LD_OK)
			return LD_ECORRUPT;
		p += 3 + kl + vl;
		len -= 3 + kl + vl;
	}
	return LD_OK;
}
