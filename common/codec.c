/* codec.c - canonical msgpack for leaves, submissions and replies. */
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "buf.h"
#include "codec.h"
#include "err.h"
#include "xmalloc.h"

#define MAX_DEPTH	8

/* ---- writing ---------------------------------------------------------- */

static int
buf_write_cb(void *data, const char *p, size_t len)
{
	buf_add(data, p, len);
	return 0;
}

#define PK(b)	msgpack_packer pk; msgpack_packer_init(&pk, (b), buf_write_cb)

void
codec_put_map(struct buf *b, uint32_t n)
{
	PK(b);
	msgpack_pack_map(&pk, n);
}

void
codec_put_array(struct buf *b, uint32_t n)
{
	PK(b);
	msgpack_pack_array(&pk, n);
}

void
codec_put_str(struct buf *b, const char *s, size_t len)
{
	PK(b);
	msgpack_pack_str(&pk, len);
	msgpack_pack_str_body(&pk, s, len);
}

void
codec_put_cstr(struct buf *b, const char *s)
{
	codec_put_str(b, s, strlen(s));
}

void
codec_put_u64(struct buf *b, uint64_t v)
{
	PK(b);
	msgpack_pack_uint64(&pk, v);
}

void
codec_put_i64(struct buf *b, int64_t v)
{
	PK(b);
	msgpack_pack_int64(&pk, v);
}

void
codec_put_bin(struct buf *b, const void *p, size_t len)
{
	PK(b);
	msgpack_pack_bin(&pk, len);
	msgpack_pack_bin_body(&pk, p, len);
}

void
codec_put_bool(struct buf *b, int v)
{
	PK(b);
	if (v)
		msgpack_pack_true(&pk);
	else
		msgpack_pack_false(&pk);
}

void
codec_put_nil(struct buf *b)
{
	PK(b);
	msgpack_pack_nil(&pk);
}

/* An index that may be NO_INDEX, written as nil. */
static void
codec_put_index(struct buf *b, uint64_t v)
{
	if (v == NO_INDEX)
		codec_put_nil(b);
	else
		codec_put_u64(b, v);
}

int
codec_sub_encode(const struct entry_sub *s, struct buf *b)
{
	switch (s->kind) {
	case KIND_CREDIT:
		codec_put_array(b, 8);
		codec_put_u64(b, s->kind);
		codec_put_str(b, s->account.s, s->account.len);
		codec_put_str(b, s->method.s, s->method.len);
		codec_put_u64(b, s->units);
		codec_put_u64(b, s->grams);
		codec_put_u64(b, s->day);
		codec_put_bin(b, s->dedup, 32);
		if (s->has_evidence)
			codec_put_bin(b, s->evidence, 32);
		else
			codec_put_nil(b);
		return LD_OK;
	case KIND_RETIRE:
		codec_put_array(b, 6);
		codec_put_u64(b, s->kind);
		codec_put_str(b, s->account.s, s->account.len);
		codec_put_u64(b, s->grams);
		codec_put_str(b, s->text.s, s->text.len);
		codec_put_u64(b, s->day);
		codec_put_bin(b, s->dedup, 32);
		return LD_OK;
	case KIND_REVERSE:
		codec_put_array(b, 5);
		codec_put_u64(b, s->kind);
		codec_put_u64(b, s->target);
		codec_put_str(b, s->text.s, s->text.len);
		codec_put_u64(b, s->day);
		codec_put_bin(b, s->dedup, 32);
		return LD_OK;
	default:
		return LD_EINVAL;
	}
}

static void
totals_encode(const struct entry_totals *t, struct buf *b)
{
	int	k;

	codec_put_array(b, 3 + KIND_MAX);
	codec_put_u64(b, t->credited);
	codec_put_u64(b, t->retired);
	codec_put_u64(b, t->reversed);
	for (k = 1; k <= KIND_MAX; k++)
		codec_put_u64(b, t->count[k]);
}

int
codec_leaf_encode(const struct entry_leaf *l, struct buf *b)
{
	size_t		start = b->len;
	uint32_t	i;

	switch (l->kind) {
	case KIND_ISSUER:
	case KIND_METHOD:
	case KIND_BATCH:
		codec_put_array(b, 7);
		break;
	case KIND_CREDIT:
	case KIND_RETIRE:
	case KIND_REVERSE:
		codec_put_array(b, 12);
		break;
	default:
		return LD_EINVAL;
	}
	codec_put_u64(b, LEAF_VERSION);
	codec_put_u64(b, l->kind);
	codec_put_u64(b, l->index);
	codec_put_u64(b, l->time);
	codec_put_bin(b, l->prev, 32);
	switch (l->kind) {
	case KIND_ISSUER:
		codec_put_array(b, 3);
		codec_put_str(b, l->u.issuer.id.s, l->u.issuer.id.len);
		codec_put_str(b, l->u.issuer.name.s, l->u.issuer.name.len);
		codec_put_bin(b, l->u.issuer.pub, 32);
		break;
	case KIND_METHOD:
		codec_put_array(b, 9);
		codec_put_str(b, l->u.method.id.s, l->u.method.id.len);
		codec_put_str(b, l->u.method.activity.s,
		    l->u.method.activity.len);
		codec_put_str(b, l->u.method.unit.s, l->u.method.unit.len);
		codec_put_u64(b, l->u.method.grams_per_unit);
		codec_put_u64(b, l->u.method.max_event);
		codec_put_u64(b, l->u.method.max_day);
		codec_put_u64(b, l->u.method.valid_from);
		codec_put_u64(b, l->u.method.max_age);
		codec_put_str(b, l->u.method.reference.s,
		    l->u.method.reference.len);
		break;
	case KIND_BATCH:
		codec_put_array(b, 5);
		codec_put_str(b, l->u.batch.issuer.s, l->u.batch.issuer.len);
		codec_put_u64(b, l->u.batch.n);
		codec_put_bin(b, l->u.batch.root, 32);
		codec_put_bin(b, l->u.batch.sig, 64);
		codec_put_array(b, l->u.batch.nruns);
		for (i = 0; i < l->u.batch.nruns; i++) {
			codec_put_array(b, 3);
			codec_put_u64(b, l->u.batch.runs[i].pos);
			codec_put_u64(b, l->u.batch.runs[i].count);
			codec_put_u64(b, l->u.batch.runs[i].index);
		}
		break;
	default:
		codec_put_str(b, l->u.e.issuer.s, l->u.e.issuer.len);
		codec_put_u64(b, l->u.e.batch);
		codec_put_u64(b, l->u.e.pos);
		if (codec_sub_encode(&l->u.e.sub, b) != LD_OK ||
		    l->u.e.sub.kind != l->kind)
			goto bad;
		codec_put_array(b, 4);
		codec_put_u64(b, l->u.e.acct.credited);
		codec_put_u64(b, l->u.e.acct.retired);
		codec_put_u64(b, l->u.e.acct.reversed);
		codec_put_index(b, l->u.e.acct.prev);
		codec_put_array(b, 4);
		codec_put_u64(b, l->u.e.iss.credited);
		codec_put_u64(b, l->u.e.iss.retired);
		codec_put_u64(b, l->u.e.iss.reversed);
		codec_put_index(b, l->u.e.iss.prev);
		break;
	}
	totals_encode(&l->totals, b);
	if (b->len - start > LEAF_MAX) {
		b->len = start;
		return LD_ETOOBIG;
	}
	return LD_OK;
bad:
	b->len = start;
	return LD_EINVAL;
}

/* ---- reading ------------------------------------------------------------ */

/* Read a k-byte big-endian length at *off. */
static int
be_read(const uint8_t *p, size_t len, size_t *off, int k, uint64_t *v)
{
	int	j;

	if (len - *off < (size_t)k)
		return -1;
	*v = 0;
	for (j = 0; j < k; j++)
		*v = *v << 8 | p[*off + (size_t)j];
	*off += (size_t)k;
	return 0;
}

/*
 * What a pre-pass lets msgpack-c build: at most depth levels below the
 * top and objects objects in all (each costs msgpack-c one 24-byte
 * msgpack_object in its zone; strings and bins point into the input).
 */
struct mp_limits {
	int		depth;
	uint64_t	objects;
};

/* Any object of at most LEAF_MAX bytes, and the replies clients read. */
static const struct mp_limits mp_any = { MAX_DEPTH, UINT64_MAX };
/*
 * A submission: [issuer, [entry, ...], signature], an entry an array of
 * at most 8 scalars: 3 levels, 3 + BATCH_MAX * 9 objects below the top.
 */
static const struct mp_limits mp_batch = { 3, CODEC_BATCH_OBJECTS };

/*
 * Walk one msgpack object without building it, checking that every
 * declared count is plausible (each element needs at least one byte),
 * the nesting within lim->depth and the number of objects within *left,
 * so that msgpack-c never allocates for a lie nor more than the limits.
 * -1 on a malformed object, -2 over the object count, -3 too deep.
 */
static int
mp_skip(const uint8_t *p, size_t len, size_t *off, int depth,
    const struct mp_limits *lim, uint64_t *left)
{
	uint64_t	n = 0, sz = 0, i;
	uint8_t		c;
	int		kv = 1, rc;

	if (*off >= len)
		return -1;
	if (depth > lim->depth)
		return -3;
	if (*left == 0)
		return -2;
	(*left)--;
	c = p[(*off)++];
#define NEED(k)	do { if (len - *off < (k)) return -1; } while (0)
#define BE(k)	do { if (be_read(p, len, off, (k), &sz) != 0) return -1; \
	} while (0)
	if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3)
		return 0;
	if ((c & 0xe0) == 0xa0) {
		sz = c & 0x1f;
		goto skip;
	}
	if ((c & 0xf0) == 0x90) {
		n = c & 0x0f;
		goto items;
	}
	if ((c & 0xf0) == 0x80) {
		n = c & 0x0f;
		kv = 2;
		goto items;
	}
	switch (c) {
	case 0xcc: case 0xd0: NEED(1); *off += 1; return 0;
	case 0xcd: case 0xd1: NEED(2); *off += 2; return 0;
	case 0xce: case 0xd2: case 0xca: NEED(4); *off += 4; return 0;
	case 0xcf: case 0xd3: case 0xcb: NEED(8); *off += 8; return 0;
	case 0xc4: case 0xd9: BE(1); goto skip;
	case 0xc5: case 0xda: BE(2); goto skip;
	case 0xc6: case 0xdb: BE(4); goto skip;
	case 0xdc: BE(2); n = sz; goto items;
	case 0xdd: BE(4); n = sz; goto items;
	case 0xde: BE(2); n = sz; kv = 2; goto items;
	case 0xdf: BE(4); n = sz; kv = 2; goto items;
	default:
		return -1;	/* ext types and the unused byte */
	}
skip:
	NEED(sz);
	*off += sz;
	return 0;
items:
	if (n * (uint64_t)kv > len - *off)
		return -1;
	if (n * (uint64_t)kv > *left)
		return -2;
	for (i = 0; i < n * (uint64_t)kv; i++)
		if ((rc = mp_skip(p, len, off, depth + 1, lim, left)) != 0)
			return rc;
	return 0;
#undef NEED
#undef BE
}

/*
 * Unpack exactly one object filling all of p, within lim: LD_EINVAL if
 * malformed or too deep, LD_ETOOBIG over the object count; *why (if not
 * NULL) gets the reason for the last two.
 */
static int
mp_unpack(const uint8_t *p, size_t len, const struct mp_limits *lim,
    msgpack_unpacked *u, const char **why)
{
	size_t		off = 0;
	uint64_t	left = lim->objects;
	int		rc;

	if ((rc = mp_skip(p, len, &off, 0, lim, &left)) != 0 && why != NULL) {
		if (rc == -2)
			*why = "the body holds more msgpack objects than a "
			    "batch of 10000 entries can";
		if (rc == -3)
			*why = "the body nests deeper than a batch [issuer, "
			    "[[field, ...], ...], signature]";
	}
	if (rc != 0)
		return rc == -2 ? LD_ETOOBIG : LD_EINVAL;
	if (off != len)
		return LD_EINVAL;
	off = 0;
	msgpack_unpacked_init(u);
	if (msgpack_unpack_next(u, (const char *)p, len, &off) !=
	    MSGPACK_UNPACK_SUCCESS || off != len) {
		msgpack_unpacked_destroy(u);
		return LD_EINVAL;
	}
	return LD_OK;
}

static int
get_u64(const msgpack_object *o, uint64_t *v)
{
	if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return LD_EINVAL;
	*v = o->via.u64;
	return LD_OK;
}

static int
get_u32(const msgpack_object *o, uint32_t *v)
{
	uint64_t	x;

	if (get_u64(o, &x) != LD_OK || x > UINT32_MAX)
		return LD_EINVAL;
	*v = (uint32_t)x;
	return LD_OK;
}

static int
get_bin(const msgpack_object *o, uint8_t *out, size_t n)
{
	if (o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != n)
		return LD_EINVAL;
	memcpy(out, o->via.bin.ptr, n);
	return LD_OK;
}

static int
get_str(const msgpack_object *o, char *dst, uint16_t *dlen, size_t max)
{
	if (o->type != MSGPACK_OBJECT_STR)
		return LD_EINVAL;
	return entry_str_set(dst, dlen, max, o->via.str.ptr, o->via.str.size);
}

#define GET_STR(o, f)	get_str((o), (f).s, &(f).len, sizeof((f).s) - 1)

static const msgpack_object *
arr(const msgpack_object *o, uint32_t n)
{
	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != n)
		return NULL;
	return o->via.array.ptr;
}

/* Decode a submitted entry; why gets the first problem. */
static int
sub_decode(const msgpack_object *o, struct entry_sub *s, const char **why)
{
	const msgpack_object	*a;
	uint64_t		 kind;

	memset(s, 0, sizeof(*s));
	*why = "entry is not an array of the right length";
	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < 1 ||
	    get_u64(&o->via.array.ptr[0], &kind) != LD_OK) {
		*why = "entry must be an array starting with its kind";
		return LD_EINVAL;
	}
	s->kind = (uint8_t)(kind <= 255 ? kind : 0);
	switch (kind) {
	case KIND_CREDIT:
		if ((a = arr(o, 8)) == NULL)
			return LD_EINVAL;
		*why = "bad credit field types";
		if (GET_STR(&a[1], s->account) || GET_STR(&a[2], s->method) ||
		    get_u64(&a[3], &s->units) || get_u64(&a[4], &s->grams) ||
		    get_u32(&a[5], &s->day) || get_bin(&a[6], s->dedup, 32))
			return LD_EINVAL;
		if (a[7].type == MSGPACK_OBJECT_NIL)
			s->has_evidence = 0;
		else if (get_bin(&a[7], s->evidence, 32) == LD_OK)
			s->has_evidence = 1;
		else
			return LD_EINVAL;
		break;
	case KIND_RETIRE:
		if ((a = arr(o, 6)) == NULL)
			return LD_EINVAL;
		*why = "bad retire field types";
		if (GET_STR(&a[1], s->account) || get_u64(&a[2], &s->grams) ||
		    GET_STR(&a[3], s->text) || get_u32(&a[4], &s->day) ||
		    get_bin(&a[5], s->dedup, 32))
			return LD_EINVAL;
		break;
	case KIND_REVERSE:
		if ((a = arr(o, 5)) == NULL)
			return LD_EINVAL;
		*why = "bad reverse field types";
		if (get_u64(&a[1], &s->target) || GET_STR(&a[2], s->text) ||
		    get_u32(&a[3], &s->day) || get_bin(&a[4], s->dedup, 32))
			return LD_EINVAL;
		break;
	default:
		*why = "unknown entry kind (issuers submit credit, retire, reverse)";
		return LD_EINVAL;
	}
	return entry_sub_check(s, why);
}

static int
totals_decode(const msgpack_object *o, struct entry_totals *t)
{
	const msgpack_object	*a;
	int			 k;

	if ((a = arr(o, 3 + KIND_MAX)) == NULL ||
	    get_u64(&a[0], &t->credited) || get_u64(&a[1], &t->retired) ||
	    get_u64(&a[2], &t->reversed))
		return LD_EINVAL;
	t->count[0] = 0;
	for (k = 1; k <= KIND_MAX; k++)
		if (get_u64(&a[2 + k], &t->count[k]))
			return LD_EINVAL;
	return LD_OK;
}

static int
index_decode(const msgpack_object *o, uint64_t *v)
{
	if (o->type == MSGPACK_OBJECT_NIL) {
		*v = NO_INDEX;
		return LD_OK;
	}
	if (get_u64(o, v) != LD_OK || *v == NO_INDEX)
		return LD_EINVAL;
	return LD_OK;
}

static int
ctr_decode(const msgpack_object *o, uint64_t *c, uint64_t *r, uint64_t *v,
    uint64_t *prev)
{
	const msgpack_object	*a;

	if ((a = arr(o, 4)) == NULL || get_u64(&a[0], c) ||
	    get_u64(&a[1], r) || get_u64(&a[2], v) || index_decode(&a[3], prev))
		return LD_EINVAL;
	return LD_OK;
}

static int
leaf_body_decode(const msgpack_object *o, struct entry_leaf *l)
{
	const msgpack_object	*a, *b;
	const char		*why;
	uint64_t		 v, kind;
	uint32_t		 i;

	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < 5)
		return LD_EINVAL;
	a = o->via.array.ptr;
	if (get_u64(&a[0], &v) || v != LEAF_VERSION || get_u64(&a[1], &kind) ||
	    kind < 1 || kind > KIND_MAX)
		return LD_EINVAL;
	l->kind = (uint8_t)kind;
	if (arr(o, kind <= KIND_BATCH ? 7 : 12) == NULL ||
	    get_u64(&a[2], &l->index) || get_u64(&a[3], &l->time) ||
	    get_bin(&a[4], l->prev, 32))
		return LD_EINVAL;
	switch (kind) {
	case KIND_ISSUER:
		if ((b = arr(&a[5], 3)) == NULL ||
		    GET_STR(&b[0], l->u.issuer.id) ||
		    GET_STR(&b[1], l->u.issuer.name) ||
		    get_bin(&b[2], l->u.issuer.pub, 32))
			return LD_EINVAL;
		break;
	case KIND_METHOD:
		if ((b = arr(&a[5], 9)) == NULL ||
		    GET_STR(&b[0], l->u.method.id) ||
		    GET_STR(&b[1], l->u.method.activity) ||
		    GET_STR(&b[2], l->u.method.unit) ||
		    get_u64(&b[3], &l->u.method.grams_per_unit) ||
		    get_u64(&b[4], &l->u.method.max_event) ||
		    get_u64(&b[5], &l->u.method.max_day) ||
		    get_u32(&b[6], &l->u.method.valid_from) ||
		    get_u32(&b[7], &l->u.method.max_age) ||
		    GET_STR(&b[8], l->u.method.reference))
			return LD_EINVAL;
		break;
	case KIND_BATCH:
		if ((b = arr(&a[5], 5)) == NULL ||
		    GET_STR(&b[0], l->u.batch.issuer) ||
		    get_u32(&b[1], &l->u.batch.n) ||
		    get_bin(&b[2], l->u.batch.root, 32) ||
		    get_bin(&b[3], l->u.batch.sig, 64) ||
		    b[4].type != MSGPACK_OBJECT_ARRAY ||
		    b[4].via.array.size > BATCH_MAX)
			return LD_EINVAL;
		l->u.batch.nruns = b[4].via.array.size;
		l->u.batch.runs = xcalloc(l->u.batch.nruns + 1,
		    sizeof(struct entry_dup_run));
		for (i = 0; i < l->u.batch.nruns; i++) {
			const msgpack_object *r = arr(&b[4].via.array.ptr[i], 3);

			if (r == NULL ||
			    get_u32(&r[0], &l->u.batch.runs[i].pos) ||
			    get_u32(&r[1], &l->u.batch.runs[i].count) ||
			    get_u64(&r[2], &l->u.batch.runs[i].index))
				return LD_EINVAL;
		}
		break;
	default:
		if (GET_STR(&a[5], l->u.e.issuer) ||
		    get_u64(&a[6], &l->u.e.batch) ||
		    get_u32(&a[7], &l->u.e.pos) ||
		    sub_decode(&a[8], &l->u.e.sub, &why) != LD_OK ||
		    l->u.e.sub.kind != kind ||
		    ctr_decode(&a[9], &l->u.e.acct.credited,
		    &l->u.e.acct.retired, &l->u.e.acct.reversed,
		    &l->u.e.acct.prev) ||
		    ctr_decode(&a[10], &l->u.e.iss.credited,
		    &l->u.e.iss.retired, &l->u.e.iss.reversed,
		    &l->u.e.iss.prev))
			return LD_EINVAL;
		break;
	}
	return totals_decode(&a[kind <= KIND_BATCH ? 6 : 11], &l->totals);
}

int
codec_leaf_decode(const uint8_t *p, size_t len, struct entry_leaf *l)
{
	msgpack_unpacked	u;
	struct buf		b = { 0 };
	int			rc;

	memset(l, 0, sizeof(*l));
	if (len == 0 || len > LEAF_MAX)
		return LD_EINVAL;
	if ((rc = mp_unpack(p, len, &mp_any, &u, NULL)) != LD_OK)
		return rc;
	rc = leaf_body_decode(&u.data, l);
	msgpack_unpacked_destroy(&u);
	/* Canonical: re-encoding gives the very same bytes. */
	if (rc == LD_OK && (codec_leaf_encode(l, &b) != LD_OK ||
	    b.len != len || memcmp(b.p, p, len) != 0))
		rc = LD_EINVAL;
	buf_free(&b);
	if (rc != LD_OK)
		entry_leaf_free(l);
	return rc;
}

int
codec_leaf_version(const uint8_t *p, size_t len, uint64_t *v)
{
	size_t		off = 1;
	uint64_t	n;

	if (len < 2)
		return LD_EINVAL;
	/* The array header: fixarray, array16 or array32. */
	if ((p[0] & 0xf0) == 0x90)
		n = p[0] & 0x0f;
	else if (p[0] == 0xdc || p[0] == 0xdd) {
		if (be_read(p, len, &off, p[0] == 0xdc ? 2 : 4, &n) != 0)
			return LD_EINVAL;
	} else
		return LD_EINVAL;
	if (n == 0 || off >= len)
		return LD_EINVAL;
	/* Its first element, an unsigned integer in any form. */
	if (p[off] <= 0x7f) {
		*v = p[off];
		return LD_OK;
	}
	if (p[off] < 0xcc || p[off] > 0xcf)
		return LD_EINVAL;
	off++;
	return be_read(p, len, &off, 1 << (p[off - 1] - 0xcc), v) == 0 ?
	    LD_OK : LD_EINVAL;
}

int
codec_batch_decode(const uint8_t *p, size_t len, struct codec_batch *r,
    long *bad_pos, const char **why)
{
	msgpack_unpacked	 u;
	const msgpack_object	*a, *e;
	uint32_t		 i, n;
	int			 rc = LD_EINVAL;

	memset(r, 0, sizeof(*r));
	*bad_pos = -1;
	*why = "body is not a msgpack array [issuer, [entries], signature]";
	if ((rc = mp_unpack(p, len, &mp_batch, &u, why)) != LD_OK)
		return rc;
	rc = LD_EINVAL;
	if ((a = arr(&u.data, 3)) == NULL)
		goto done;
	if (GET_STR(&a[0], r->issuer) ||
	    entry_valid_id(r->issuer.s, r->issuer.len) != LD_OK) {
		*why = "issuer must be 1..64 of [A-Za-z0-9._-]";
		goto done;
	}
	if (get_bin(&a[2], r->sig, 64) != LD_OK) {
		*why = "signature must be 64 bytes (bin)";
		goto done;
	}
	if (a[1].type != MSGPACK_OBJECT_ARRAY) {
		*why = "entries must be an array";
		goto done;
	}
	n = a[1].via.array.size;
	if (n == 0 || n > BATCH_MAX) {
		*why = "a batch holds 1..10000 entries";
		rc = n ? LD_ETOOBIG : LD_EINVAL;
		goto done;
	}
	e = a[1].via.array.ptr;
	r->subs = xcalloc(n, sizeof(struct entry_sub));
	for (i = 0; i < n; i++) {
		if (sub_decode(&e[i], &r->subs[i], why) != LD_OK) {
			*bad_pos = i;
			goto done;
		}
	}
	r->n = n;
	rc = LD_OK;
done:
	msgpack_unpacked_destroy(&u);
	if (rc != LD_OK)
		codec_batch_free(r);
	return rc;
}

int
codec_batch_encode(const struct codec_batch *r, struct buf *b)
{
	uint32_t	i;
	int		rc;

	codec_put_array(b, 3);
	codec_put_str(b, r->issuer.s, r->issuer.len);
	codec_put_array(b, r->n);
	for (i = 0; i < r->n; i++)
		if ((rc = codec_sub_encode(&r->subs[i], b)) != LD_OK)
			return rc;
	codec_put_bin(b, r->sig, 64);
	return LD_OK;
}

void
codec_batch_free(struct codec_batch *r)
{
	free(r->subs);
	r->subs = NULL;
	r->n = 0;
}

/* ---- generic reader for replies ------------------------------------------ */

struct codec_tree {
	msgpack_unpacked	u;
};

struct codec_obj {
	msgpack_object		o;	/* codec_obj pointers are msgpack_objects */
};

int
codec_tree_parse(const uint8_t *p, size_t len, struct codec_tree **out,
    const struct codec_obj **root)
{
	struct codec_tree	*c = xcalloc(1, sizeof(*c));

	if (mp_unpack(p, len, &mp_any, &c->u, NULL) != LD_OK) {
		free(c);
		return LD_EINVAL;
	}
	*out = c;
	*root = (const struct codec_obj *)&c->u.data;
	return LD_OK;
}

void
codec_tree_free(struct codec_tree *c)
{
	if (c == NULL)
		return;
	msgpack_unpacked_destroy(&c->u);
	free(c);
}

const struct codec_obj *
codec_get(const struct codec_obj *m, const char *key)
{
	size_t		i, klen = strlen(key);
	const msgpack_object_kv *kv;

	if (m == NULL || m->o.type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (i = 0; i < m->o.via.map.size; i++) {
		kv = &m->o.via.map.ptr[i];
		if (kv->key.type == MSGPACK_OBJECT_STR &&
		    kv->key.via.str.size == klen &&
		    memcmp(kv->key.via.str.ptr, key, klen) == 0)
			return (const struct codec_obj *)&kv->val;
	}
	return NULL;
}

size_t
codec_len(const struct codec_obj *a)
{
	if (a == NULL)
		return 0;
	if (a->o.type == MSGPACK_OBJECT_ARRAY)
		return a->o.via.array.size;
	if (a->o.type == MSGPACK_OBJECT_MAP)
		return a->o.via.map.size;
	return 0;
}

const struct codec_obj *
codec_at(const struct codec_obj *a, size_t i)
{
	if (a == NULL || a->o.type != MSGPACK_OBJECT_ARRAY ||
	    i >= a->o.via.array.size)
		return NULL;
	return (const struct codec_obj *)&a->o.via.array.ptr[i];
}

int
codec_get_u64(const struct codec_obj *o, uint64_t *v)
{
	if (o == NULL)
		return LD_EINVAL;
	return get_u64(&o->o, v);
}

int
codec_get_bool(const struct codec_obj *o, int *v)
{
	if (o == NULL || o->o.type != MSGPACK_OBJECT_BOOLEAN)
		return LD_EINVAL;
	*v = o->o.via.boolean;
	return LD_OK;
}

int
codec_get_bytes(const struct codec_obj *o, const uint8_t **p, size_t *len)
{
	if (o == NULL)
		return LD_EINVAL;
	if (o->o.type == MSGPACK_OBJECT_STR) {
		*p = (const uint8_t *)o->o.via.str.ptr;
		*len = o->o.via.str.size;
	} else if (o->o.type == MSGPACK_OBJECT_BIN) {
		*p = (const uint8_t *)o->o.via.bin.ptr;
		*len = o->o.via.bin.size;
	} else
		return LD_EINVAL;
	return LD_OK;
}

int
codec_is_nil(const struct codec_obj *o)
{
	return o != NULL && o->o.type == MSGPACK_OBJECT_NIL;
}
