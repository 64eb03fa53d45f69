/* ovl.c - an in-memory overlay of small keyed values, for deferred indexes. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "ovl.h"
#include "util.h"

#define CHUNK_SIZE	(1u << 20)

struct ovl_chunk {
	struct ovl_chunk	*next;
	size_t			 used, size;
	_Alignas(16) uint8_t	 mem[];
};

static uint32_t
hash_key(unsigned db, const uint8_t *k, size_t klen)
{
	uint32_t	h = 2166136261u ^ db;
	size_t		i;

	for (i = 0; i < klen; i++)
		h = (h ^ k[i]) * 16777619u;
	return h ^ (h >> 15);
}

void
ovl_init(struct ovl *o)
{
	memset(o, 0, sizeof(*o));
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

	for (c = o->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	for (c = o->spare; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(o->slot);
	ovl_init(o);
}

static void *
alloc_ent(struct ovl *o, size_t n)
{
	struct ovl_chunk	*c = o->chunks;
	void			*p;

	n = (n + 15) & ~(size_t)15;
	if (c == NULL || c->size - c->used < n) {
		size_t	size = n > CHUNK_SIZE ? n : CHUNK_SIZE;

		if ((c = o->spare) != NULL && c->size >= n)
			o->spare = c->next;
		else {
			c = xmalloc(sizeof(*c) + size);
			c->size = size;
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

static void
grow(struct ovl *o)
{
	size_t		 cap = o->cap ? o->cap * 2 : 1024, i;
	struct ovl_ent	**slot = xcalloc(cap, sizeof(*slot)), *e;

	for (e = o->head; e != NULL; e = e->next) {
		for (i = e->hash & (cap - 1); slot[i] != NULL;
		    i = (i + 1) & (cap - 1))
			;
		slot[i] = e;
	}
	free(o->slot);
	o->slot = slot;
	o->cap = cap;
}

/* The slot holding (db, k), or the empty slot where it would go. */
static size_t
find(const struct ovl *o, unsigned db, const uint8_t *k, size_t klen,
    uint32_t h)
{
	size_t		 i;
	struct ovl_ent	*e;

	for (i = h & (o->cap - 1); (e = o->slot[i]) != NULL;
	    i = (i + 1) & (o->cap - 1))
		if (e->hash == h && e->db == db && e->klen == klen &&
		    memcmp(e->data, k, klen) == 0)
			break;
	return i;
}

struct ovl_ent *
ovl_get(const struct ovl *o, unsigned db, const void *k, size_t klen)
{
	if (o->n == 0 || klen > 255)
		return NULL;
	return o->slot[find(o, db, k, klen, hash_key(db, k, klen))];
}

static int
put_hashed(struct ovl *o, unsigned db, const void *k, size_t klen,
    const void *v, size_t vlen, uint64_t cseq, uint32_t h)
{
	size_t		 i;
	struct ovl_ent	*e;

	if (klen > 255 || vlen > 255 || db > 255)
		return LD_EINVAL;
	if ((o->n + 1) * 2 > o->cap)
		grow(o);
	i = find(o, db, k, klen, h);
	if ((e = o->slot[i]) != NULL) {
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
	o->slot[i] = e;
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
	    hash_key(db, k, klen));
}

int
ovl_merge(struct ovl *to, const struct ovl *from, uint64_t cseq)
{
	const struct ovl_ent	*e;
	int			 rc;

	for (e = from->head; e != NULL; e = e->next)
		if ((rc = put_hashed(to, e->db, OVL_KEY(e), e->klen,
		    OVL_VAL(e), e->vlen, cseq, e->hash)) != LD_OK)
			return rc;
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
