/* rules_store.c - the rules' state and chain head kept in a store. */
/*
 * Byte layouts in rules_store.h. Encoders write fields one by one, so
 * the stored bytes do not depend on the compiler's struct layout, its
 * padding or the machine's byte order.
 */
#include <string.h>

#include "err.h"
#include "rules_store.h"
#include "store.h"

_Static_assert(ID_MAX + 1 + ACCOUNT_MAX <= STORE_HINT_KEY_MAX,
    "an account key must fit a deferred table's key");
_Static_assert(RULES_STORE_ACCOUNT_LEN <= STORE_HINT_VAL_MAX,
    "an account's counters must fit a deferred table's value");

/* ---- encoding ------------------------------------------------------------ */

struct enc {
	uint8_t	*p;
	size_t	 n;
};

static void
put_le(struct enc *e, uint64_t v, unsigned width)
{
	unsigned	i;

	for (i = 0; i < width; i++)
		e->p[e->n++] = (uint8_t)(v >> (8 * i));
}

static void
put_bytes(struct enc *e, const void *p, size_t len)
{
	memcpy(e->p + e->n, p, len);
	e->n += len;
}

static void
put_str(struct enc *e, const char *s, uint16_t len, size_t max)
{
	if (len > max)
		len = (uint16_t)max;
	put_le(e, len, 2);
	put_bytes(e, s, len);
}

#define PUT_STR(e, f)	put_str((e), (f).s, (f).len, sizeof((f).s) - 1)

struct dec {
	const uint8_t	*p;
	size_t		 len, off;
	int		 bad;
};

static uint64_t
get_le(struct dec *d, unsigned width)
{
	uint64_t	v = 0;
	unsigned	i;

	if (d->bad || d->len - d->off < width) {
		d->bad = 1;
		return 0;
	}
	for (i = 0; i < width; i++)
		v |= (uint64_t)d->p[d->off + i] << (8 * i);
	d->off += width;
	return v;
}

static void
get_bytes(struct dec *d, void *out, size_t len)
{
	if (d->bad || d->len - d->off < len) {
		d->bad = 1;
		return;
	}
	memcpy(out, d->p + d->off, len);
	d->off += len;
}

static void
get_str(struct dec *d, char *s, uint16_t *len, size_t max)
{
	uint64_t	n = get_le(d, 2);

	if (n > max) {
		d->bad = 1;
		n = 0;
	}
	get_bytes(d, s, (size_t)n);
	if (d->bad)
		n = 0;
	s[n] = '\0';
	*len = (uint16_t)n;
}

#define GET_STR(d, f)	get_str((d), (f).s, &(f).len, sizeof((f).s) - 1)

/* LD_OK if d read its whole input and nothing was wrong. */
static int
dec_end(const struct dec *d)
{
	return !d->bad && d->off == d->len ? LD_OK : LD_ECORRUPT;
}

size_t
rules_store_issuer_encode(const struct rules_issuer_state *st,
    uint8_t out[RULES_STORE_ISSUER_MAX])
{
	struct enc	e = { out, 0 };

	PUT_STR(&e, st->reg.id);
	PUT_STR(&e, st->reg.name);
	put_bytes(&e, st->reg.pub, 32);
	put_le(&e, st->reg_index, 8);
	put_le(&e, st->ctr.credited, 8);
	put_le(&e, st->ctr.retired, 8);
	put_le(&e, st->ctr.reversed, 8);
	put_le(&e, st->ctr.prev, 8);
	return e.n;
}

int
rules_store_issuer_decode(const uint8_t *p, size_t len,
    struct rules_issuer_state *st)
{
	struct dec	d = { p, len, 0, 0 };

	memset(st, 0, sizeof(*st));
	GET_STR(&d, st->reg.id);
	GET_STR(&d, st->reg.name);
	get_bytes(&d, st->reg.pub, 32);
	st->reg_index = get_le(&d, 8);
	st->ctr.credited = get_le(&d, 8);
	st->ctr.retired = get_le(&d, 8);
	st->ctr.reversed = get_le(&d, 8);
	st->ctr.prev = get_le(&d, 8);
	return dec_end(&d);
}

size_t
rules_store_method_encode(const struct rules_method_state *st,
    uint8_t out[RULES_STORE_METHOD_MAX])
{
	struct enc	e = { out, 0 };

	PUT_STR(&e, st->reg.id);
	PUT_STR(&e, st->reg.activity);
	PUT_STR(&e, st->reg.unit);
	put_le(&e, st->reg.grams_per_unit, 8);
	put_le(&e, st->reg.max_event, 8);
	put_le(&e, st->reg.max_day, 8);
	put_le(&e, st->reg.valid_from, 4);
	put_le(&e, st->reg.max_age, 4);
	PUT_STR(&e, st->reg.reference);
	put_le(&e, st->reg_index, 8);
	return e.n;
}

int
rules_store_method_decode(const uint8_t *p, size_t len,
    struct rules_method_state *st)
{
	struct dec	d = { p, len, 0, 0 };

	memset(st, 0, sizeof(*st));
	GET_STR(&d, st->reg.id);
	GET_STR(&d, st->reg.activity);
	GET_STR(&d, st->reg.unit);
	st->reg.grams_per_unit = get_le(&d, 8);
	st->reg.max_event = get_le(&d, 8);
	st->reg.max_day = get_le(&d, 8);
	st->reg.valid_from = (uint32_t)get_le(&d, 4);
	st->reg.max_age = (uint32_t)get_le(&d, 4);
	GET_STR(&d, st->reg.reference);
	st->reg_index = get_le(&d, 8);
	return dec_end(&d);
}

void
rules_store_account_encode(const struct entry_account_ctr *a,
    uint8_t out[RULES_STORE_ACCOUNT_LEN])
{
	struct enc	e = { out, 0 };

	put_le(&e, a->credited, 8);
	put_le(&e, a->retired, 8);
	put_le(&e, a->reversed, 8);
	put_le(&e, a->prev, 8);
}

int
rules_store_account_decode(const uint8_t *p, size_t len,
    struct entry_account_ctr *a)
{
	struct dec	d = { p, len, 0, 0 };

	a->credited = get_le(&d, 8);
	a->retired = get_le(&d, 8);
	a->reversed = get_le(&d, 8);
	a->prev = get_le(&d, 8);
	return dec_end(&d);
}

size_t
rules_store_head_encode(const struct rules_head *h,
    uint8_t out[RULES_STORE_HEAD_MAX])
{
	struct enc	e = { out, 0 };
	size_t		i, n = strnlen(h->batch_issuer, ID_MAX);

	put_le(&e, h->size, 8);
	put_bytes(&e, h->prev, 32);
	put_le(&e, h->time, 8);
	put_le(&e, h->totals.credited, 8);
	put_le(&e, h->totals.retired, 8);
	put_le(&e, h->totals.reversed, 8);
	for (i = 0; i <= KIND_MAX; i++)
		put_le(&e, h->totals.count[i], 8);
	put_le(&e, h->batch_index, 8);
	put_le(&e, h->batch_n, 4);
	put_str(&e, h->batch_issuer, (uint16_t)n, ID_MAX);
	return e.n;
}

int
rules_store_head_decode(const uint8_t *p, size_t len, struct rules_head *h)
{
	struct dec	d = { p, len, 0, 0 };
	uint16_t	n;
	size_t		i;

	memset(h, 0, sizeof(*h));
	h->size = get_le(&d, 8);
	get_bytes(&d, h->prev, 32);
	h->time = get_le(&d, 8);
	h->totals.credited = get_le(&d, 8);
	h->totals.retired = get_le(&d, 8);
	h->totals.reversed = get_le(&d, 8);
	for (i = 0; i <= KIND_MAX; i++)
		h->totals.count[i] = get_le(&d, 8);
	h->batch_index = get_le(&d, 8);
	h->batch_n = (uint32_t)get_le(&d, 4);
	get_str(&d, h->batch_issuer, &n, ID_MAX);
	return dec_end(&d);
}

int
rules_store_head_get(struct store_txn *t, struct rules_head *h)
{
	const uint8_t	*p;
	size_t		 len;
	int		 rc;

	if ((rc = store_meta_get(t, "head", &p, &len)) != LD_OK)
		return rc;
	return rules_store_head_decode(p, len, h);
}

int
rules_store_head_put(struct store_txn *t, const struct rules_head *h)
{
	uint8_t	b[RULES_STORE_HEAD_MAX];

	return store_meta_put(t, "head", b, rules_store_head_encode(h, b));
}

/* ---- the rules' state ---------------------------------------------------- */

static int
st_issuer_get(void *arg, const char *id, struct rules_issuer_state *out)
{
	const uint8_t	*p;
	size_t		 len;
	int		 rc;

	if ((rc = store_state_view(arg, STORE_ISSUERS, id, strlen(id), &p,
	    &len)) != LD_OK)
		return rc;
	return rules_store_issuer_decode(p, len, out);
}

static int
st_issuer_put(void *arg, const struct rules_issuer_state *st)
{
	uint8_t	b[RULES_STORE_ISSUER_MAX];

	return store_state_put(arg, STORE_ISSUERS, st->reg.id.s,
	    st->reg.id.len, b, rules_store_issuer_encode(st, b));
}

static int
st_method_get(void *arg, const char *id, struct rules_method_state *out)
{
	const uint8_t	*p;
	size_t		 len;
	int		 rc;

	if ((rc = store_state_view(arg, STORE_METHODS, id, strlen(id), &p,
	    &len)) != LD_OK)
		return rc;
	return rules_store_method_decode(p, len, out);
}

static int
st_method_put(void *arg, const struct rules_method_state *st)
{
	uint8_t	b[RULES_STORE_METHOD_MAX];

	return store_state_put(arg, STORE_METHODS, st->reg.id.s,
	    st->reg.id.len, b, rules_store_method_encode(st, b));
}

/* Account key: issuer NUL account. */
static size_t
account_key(char k[ID_MAX + 1 + ACCOUNT_MAX], const char *issuer,
    const char *account)
{
	size_t	il = strlen(issuer), al = strlen(account);

	if (il > ID_MAX)
		il = ID_MAX;
	if (al > ACCOUNT_MAX)
		al = ACCOUNT_MAX;
	memcpy(k, issuer, il);
	k[il] = '\0';
	memcpy(k + il + 1, account, al);
	return il + 1 + al;
}

static int
st_account_get(void *arg, const char *issuer, const char *account,
    struct entry_account_ctr *out)
{
	char	k[ID_MAX + 1 + ACCOUNT_MAX];
	size_t	n = account_key(k, issuer, account);
	uint8_t	v[RULES_STORE_ACCOUNT_LEN];
	int	rc;

	if ((rc = store_state_get(arg, STORE_ACCOUNTS, k, n, v,
	    sizeof(v))) != LD_OK)
		return rc;
	return rules_store_account_decode(v, sizeof(v), out);
}

static int
st_account_put(void *arg, const char *issuer, const char *account,
    const struct entry_account_ctr *a)
{
	char	k[ID_MAX + 1 + ACCOUNT_MAX];
	size_t	n = account_key(k, issuer, account);
	uint8_t	v[RULES_STORE_ACCOUNT_LEN];

	rules_store_account_encode(a, v);
	return store_state_put(arg, STORE_ACCOUNTS, k, n, v, sizeof(v));
}

static int
st_dedup_get(void *arg, const uint8_t key[32], uint64_t *index)
{
	return store_state_get_u64(arg, STORE_DEDUP, key, 32, index);
}

static int
st_dedup_put(void *arg, const uint8_t key[32], uint64_t index)
{
	return store_state_put_u64(arg, STORE_DEDUP, key, 32, index);
}

static int
st_day_get(void *arg, const uint8_t key[16], uint64_t *grams)
{
	return store_state_get_u64(arg, STORE_DAYS, key, 16, grams);
}

static int
st_day_put(void *arg, const uint8_t key[16], uint64_t grams)
{
	return store_state_put_u64(arg, STORE_DAYS, key, 16, grams);
}

static int
st_leaf_get(void *arg, uint64_t index, const uint8_t **p, size_t *len)
{
	return store_leaf_get(arg, index, p, len);
}

/* A reversal's key: the credit's index, big-endian (numeric order). */
static void
reversal_key(uint8_t k[8], uint64_t credit)
{
	int	i;

	for (i = 7; i >= 0; i--) {
		k[i] = (uint8_t)credit;
		credit >>= 8;
	}
}

static int
st_reversal_get(void *arg, uint64_t credit, uint64_t *by)
{
	uint8_t	k[8];

	reversal_key(k, credit);
	return store_state_get_u64(arg, STORE_REVERSALS, k, 8, by);
}

static int
st_reversal_put(void *arg, uint64_t credit, uint64_t by)
{
	uint8_t	k[8];

	reversal_key(k, credit);
	return store_state_put_u64(arg, STORE_REVERSALS, k, 8, by);
}

const struct rules_ops rules_store_ops = {
	.issuer_get = st_issuer_get,
	.issuer_put = st_issuer_put,
	.method_get = st_method_get,
	.method_put = st_method_put,
	.account_get = st_account_get,
	.account_put = st_account_put,
	.dedup_get = st_dedup_get,
	.dedup_put = st_dedup_put,
	.day_get = st_day_get,
	.day_put = st_day_put,
	.leaf_get = st_leaf_get,
	.reversal_get = st_reversal_get,
	.reversal_put = st_reversal_put,
};

/* ---- walks and hints ----------------------------------------------------- */

struct issuer_visit {
	int	(*fn)(void *, const struct rules_issuer_state *);
	void	*arg;
};

struct method_visit {
	int	(*fn)(void *, const struct rules_method_state *);
	void	*arg;
};

static int
visit_issuer(void *arg, const uint8_t *k, size_t klen, const uint8_t *v,
    size_t vlen)
{
	struct issuer_visit	*iv = arg;
	struct rules_issuer_state	 st;

	(void)k;
	(void)klen;
	if (rules_store_issuer_decode(v, vlen, &st) != LD_OK)
		return LD_ECORRUPT;
	return iv->fn(iv->arg, &st);
}

static int
visit_method(void *arg, const uint8_t *k, size_t klen, const uint8_t *v,
    size_t vlen)
{
	struct method_visit	*mv = arg;
	struct rules_method_state	 st;

	(void)k;
	(void)klen;
	if (rules_store_method_decode(v, vlen, &st) != LD_OK)
		return LD_ECORRUPT;
	return mv->fn(mv->arg, &st);
}

int
rules_store_issuers(struct store_txn *t,
    int (*fn)(void *, const struct rules_issuer_state *), void *arg)
{
	struct issuer_visit	iv = { fn, arg };

	return store_state_each(t, STORE_ISSUERS, visit_issuer, &iv);
}

int
rules_store_methods(struct store_txn *t,
    int (*fn)(void *, const struct rules_method_state *), void *arg)
{
	struct method_visit	mv = { fn, arg };

	return store_state_each(t, STORE_METHODS, visit_method, &mv);
}

int
rules_store_account(struct store_txn *t, const char *issuer,
    const char *account, struct entry_account_ctr *out)
{
	return st_account_get(t, issuer, account, out);
}

int
rules_store_hint_account(struct store_hints *hs, const char *issuer,
    const char *account)
{
	char	k[ID_MAX + 1 + ACCOUNT_MAX];

	return store_hint(hs, STORE_ACCOUNTS, k,
	    account_key(k, issuer, account));
}

int
rules_store_hint_sub(struct store_hints *hs, const char *issuer,
    const struct entry_sub *sub)
{
	uint8_t	dk[16];
	int	rc;

	if ((rc = store_hint(hs, STORE_DEDUP, sub->dedup, 32)) != LD_OK)
		return rc;
	if (sub->kind == KIND_CREDIT) {
		rules_day_key(issuer, sub->account.s, sub->method.s, sub->day,
		    dk);
		if ((rc = store_hint(hs, STORE_DAYS, dk, 16)) != LD_OK)
			return rc;
	}
	/* A reversal's account is its target's, looked up by index. */
	if (sub->kind != KIND_REVERSE)
		rc = rules_store_hint_account(hs, issuer, sub->account.s);
	return rc;
}
