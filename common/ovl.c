/* ovl.c - an in-memory overlay of small keyed values, for deferred indexes. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "err.h"
#include "log.h"
#include "ovl.h"
#include "xmalloc.h"

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

static void
pend_clear(struct ovl *o)
{
	o->pend = 0;
	o->pend_tail = NULL;
	o->pend_chunk = NULL;
	o->undo_len = 0;
	o->nundo = 0;
}

void
ovl_reset(struct ovl *o)
{
	struct ovl_chunk	*c, *next;

	pend_clear(o);
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

static void
free_chunks(struct ovl_chunk *c)
{
	struct ovl_chunk	*next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
}

void
ovl_clear(struct ovl *o)
{
	uint64_t	seed = o->seed;

	free_chunks(o->chunks);
	free_chunks(o->spare);
	free(o->slot);
	free(o->undo);
	ovl_init(o, seed);
}

void
ovl_swap(struct ovl *a, struct ovl *b)
{
	struct ovl	t = *a;

	*a = *b;
	*b = t;
	/* An empty list's tail points into the struct itself. */
	if (a->head == NULL)
		a->tail = &a->head;
	if (b->head == NULL)
		b->tail = &b->head;
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

/* Empty slot i, moving later entries of its probe run back (no
 * tombstones: lookups stay as short as they were). */
static void
slot_del(struct ovl *o, size_t i)
{
	size_t	mask = o->cap - 1, j = i, home;

	for (;;) {
		j = (j + 1) & mask;
		if (o->slot[j].e == NULL)
			break;
		home = o->slot[j].hash & mask;
		/* The entry at j may move to i unless its home lies
		 * cyclically in (i, j]. */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			o->slot[i] = o->slot[j];
			i = j;
		}
	}
	o->slot[i].e = NULL;
	o->slot[i].hash = 0;
}

struct ovl_ent *
ovl_get(const struct ovl *o, unsigned db, const void *k, size_t klen)
{
	if (o->n == 0 || klen > 255)
		return NULL;
	return o->slot[find(o, db, k, klen, hash_key(o->seed, db, k,
	    klen))].e;
}

static void
pend_begin(struct ovl *o, uint64_t cseq)
{
	pend_clear(o);
	o->pend = cseq;
	o->pend_tail = o->tail;
	o->pend_n = o->n;
	o->pend_bytes = o->bytes;
	o->pend_chunk = o->chunks;
	o->pend_used = o->chunks ? o->chunks->used : 0;
}

#define UNDO_SIZE(vlen)	((sizeof(struct ovl_undo) + (vlen) + 7) & ~(size_t)7)

static void
undo_push(struct ovl *o, struct ovl_ent *e)
{
	struct ovl_undo	*u;
	size_t		 n = UNDO_SIZE(e->vlen);

	if (o->undo_cap - o->undo_len < n) {
		o->undo_cap = o->undo_cap ? o->undo_cap * 2 : 65536;
		o->undo = xrealloc(o->undo, o->undo_cap);
	}
	u = (struct ovl_undo *)(void *)(o->undo + o->undo_len);
	u->e = e;
	u->ocseq = e->ocseq;
	memcpy(u->old, OVL_OLD(e), e->vlen);
	o->undo_len += n;
	o->nundo++;
}

int
ovl_write(struct ovl *o, unsigned db, const void *k, size_t klen,
    const void *v, size_t vlen, uint64_t cseq)
{
	size_t		 i;
	uint32_t	 h;
	struct ovl_ent	*e;

	if (klen > 255 || vlen > 255 || db > 255 || cseq == 0)
		return LD_EINVAL;
	if (o->pend != cseq)
		pend_begin(o, cseq);
	reserve(o, o->n + 1);
	h = hash_key(o->seed, db, k, klen);
	i = find(o, db, k, klen, h);
	if ((e = o->slot[i].e) != NULL) {
		if (e->vlen != vlen)
			return LD_EINVAL;
		if (e->cseq != cseq) {
			/* The first change in this commit: the committed
			 * value becomes the old one, the old one goes to
			 * the undo log. */
			undo_push(o, e);
			memcpy(OVL_OLD(e), OVL_VAL(e), vlen);
			e->ocseq = e->cseq;
			e->cseq = cseq;
		}
		memcpy(OVL_VAL(e), v, vlen);
		return LD_OK;
	}
	e = alloc_ent(o, sizeof(*e) + klen + 2 * vlen);
	e->next = NULL;
	e->cseq = e->first = cseq;
	e->ocseq = 0;
	e->hash = h;
	e->db = (uint8_t)db;
	e->klen = (uint8_t)klen;
	e->vlen = (uint8_t)vlen;
	memcpy(e->data, k, klen);
	memcpy(OVL_VAL(e), v, vlen);
	o->slot[i].hash = h;
	o->slot[i].e = e;
	*o->tail = e;
	o->tail = &e->next;
	o->n++;
	return LD_OK;
}

void
ovl_done(struct ovl *o)
{
	pend_clear(o);
}

void
ovl_undo(struct ovl *o)
{
	struct ovl_ent	*e;
	struct ovl_undo	*u;
	size_t		 off;

	if (o->pend == 0)
		return;
	for (off = 0; off < o->undo_len; off += UNDO_SIZE(u->e->vlen)) {
		u = (struct ovl_undo *)(void *)(o->undo + off);
		e = u->e;
		memcpy(OVL_VAL(e), OVL_OLD(e), e->vlen);
		e->cseq = e->ocseq;
		e->ocseq = u->ocseq;
		memcpy(OVL_OLD(e), u->old, e->vlen);
	}
	/* The entries it created: out of the table, the list, the memory. */
	for (e = *o->pend_tail; e != NULL; e = e->next)
		slot_del(o, find(o, e->db, OVL_KEY(e), e->klen, e->hash));
	*o->pend_tail = NULL;
	o->tail = o->pend_tail;
	o->n = o->pend_n;
	o->bytes = o->pend_bytes;
	while (o->chunks != o->pend_chunk) {
		struct ovl_chunk *c = o->chunks;

		o->chunks = c->next;
		c->next = o->spare;
		o->spare = c;
	}
	if (o->chunks != NULL)
		o->chunks->used = o->pend_used;
	pend_clear(o);
}

int
ovl_read(const struct ovl *o, unsigned db, const void *k, size_t klen,
    uint64_t snap, const struct ovl_ent **out, const uint8_t **v)
{
	const struct ovl_ent	*e = ovl_get(o, db, k, klen);

	if (e == NULL || e->first > snap)
		return 0;
	*out = e;
	if (e->cseq <= snap) {
		*v = OVL_VAL(e);
		return 1;
	}
	if (e->ocseq != 0 && e->ocseq <= snap) {
		*v = OVL_OLD(e);
		return 1;
	}
	return LD_ERETRY;
}

/* Visit the pending commit's entries: those it created, then those it
 * changed. */
static void
pend_each(const struct ovl *o, void (*fn)(void *, const struct ovl_ent *),
    void *arg)
{
	const struct ovl_ent	*e;
	const struct ovl_undo	*u;
	size_t			 off;

	if (o->pend == 0)
		return;
	for (e = *o->pend_tail; e != NULL; e = e->next)
		fn(arg, e);
	for (off = 0; off < o->undo_len; off += UNDO_SIZE(u->e->vlen)) {
		u = (const struct ovl_undo *)(const void *)(o->undo + off);
		fn(arg, u->e);
	}
}

static void
count_len(void *arg, const struct ovl_ent *e)
{
	*(size_t *)arg += 3 + (size_t)e->klen + e->vlen;
}

size_t
ovl_record_len(const struct ovl *o)
{
	size_t	n = 0;

	pend_each(o, count_len, &n);
	return n;
}

static void
put_record(void *arg, const struct ovl_ent *e)
{
	uint8_t	**out = arg, *p = *out;

	*p++ = e->db;
	*p++ = e->klen;
	*p++ = e->vlen;
	memcpy(p, e->data, (size_t)e->klen + e->vlen);
	*out = p + e->klen + e->vlen;
}

void
ovl_record(const struct ovl *o, uint8_t *out)
{
	pend_each(o, put_record, &out);
}

int
ovl_apply(struct ovl *o, const uint8_t *p, size_t len, uint64_t cseq)
{
	size_t	kl, vl;

	while (len > 0) {
		if (len < 3)
			goto bad;
		kl = p[1];
		vl = p[2];
		if (len - 3 < kl + vl ||
		    ovl_write(o, p[0], p + 3, kl, p + 3 + kl, vl, cseq) !=
		    LD_OK)
			goto bad;
		p += 3 + kl + vl;
		len -= 3 + kl + vl;
	}
	ovl_done(o);
	return LD_OK;
bad:
	ovl_undo(o);
	return LD_ECORRUPT;
}
