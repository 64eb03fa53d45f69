/* t_rules.c - unit tests for common/rules.c over an in-memory state. */
/*
 * The rules module is pure: its state lives behind struct rules_ops, which
 * tests/fixture/memrules.c implements with plain arrays. Every call goes
 * through one harness that checks, after success, the leaf the rules
 * emitted (its hash, index, previous-leaf hash, time and per-kind counts
 * against the head) and, after a refusal, that the head, the state and
 * the output buffer are exactly as before. On top of that: each rule by
 * name, the running counters and prev chains in the leaves, a seeded
 * random run checked against an independent model, and batch signatures.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "codec.h"
#include "entry.h"
#include "err.h"
#include "hex.h"
#include "merkle.h"
#include "rules.h"
#include "sig.h"
#include "t.h"
#include "xmalloc.h"
#include "fixture/memrules.h"

#define DAY0		19929ULL			/* 2024-07-25 */
#define T0		(DAY0 * 86400 + 10 * 3600)	/* 10:00 UTC */

/* The in-memory state is tests/fixture/memrules.[ch]. */

/* ---- the harness ------------------------------------------------------------ */

struct ctx {
	struct memrules	m;
	struct rules	r;
	struct buf	out;
	struct entry_leaf	last;		/* the last appended leaf, decoded */
	uint64_t	ndedup;		/* dedup keys handed out */
};

static struct ctx *
ctx_new(void)
{
	struct ctx	*c = xcalloc(1, sizeof(*c));

	rules_init(&c->r, &memrules_ops, &c->m, NULL);
	return c;
}

static void
ctx_free(struct ctx *c)
{
	memrules_free(&c->m);
	entry_leaf_free(&c->last);
	buf_free(&c->out);
	free(c);
}

/* A fresh dedup key, never handed out before in this context. */
static void
new_dedup(struct ctx *c, uint8_t key[32])
{
	uint8_t	seed[16];

	memcpy(seed, "t_rules-dedup\0\0\0", 16);
	memcpy(seed + 8, &c->ndedup, 8);
	c->ndedup++;
	merkle_sha256(key, seed, sizeof(seed));
}

struct snap {
	struct memrules_state		*st;
	struct rules_head	 head;
	int			 failed;
};

static void
snap_take(struct ctx *c, struct snap *s, struct ld_error *e)
{
	s->st = xmemdup(&c->m.st, sizeof(c->m.st));
	s->head = c->r.head;
	s->failed = t_failed_checks;
	buf_reset(&c->out);
	buf_adds(&c->out, "pre");	/* the rules append after this */
	memset(e, 0, sizeof(*e));
	e->index = 12345;
}

/* Check the outcome of one rules_* call. */
static void
settle(struct ctx *c, struct snap *s, int rc, const struct ld_error *e,
    const uint8_t hash[32], int line)
{
	static const uint8_t	 zero[32];
	const uint8_t		*p;
	struct entry_leaf		 l;
	uint8_t			 h[32];
	size_t			 n;
	int			 k;

	T_ASSERT(c->out.len >= 3 && memcmp(c->out.p, "pre", 3) == 0);
	if (rc != LD_OK) {
		/* Refused: nothing changed, a reason is given. */
		T_ASSERT_EQ(e->code, rc);
		T_ASSERT(e->rule != NULL && e->rule[0] != '\0');
		T_ASSERT(e->msg[0] != '\0');
		T_ASSERT(memcmp(&c->r.head, &s->head, sizeof(s->head)) == 0);
		T_ASSERT(memcmp(&c->m.st, s->st, sizeof(c->m.st)) == 0);
		T_ASSERT_EQ(c->out.len, 3);
		goto done;
	}
	p = c->out.p + 3;
	n = c->out.len - 3;
	T_ASSERT(n > 0 && n <= LEAF_MAX);
	merkle_leaf_hash(h, p, n);
	T_ASSERT_MEM(h, hash, 32);
	if (codec_leaf_decode(p, n, &l) != LD_OK) {
		T_ASSERT(!"the rules emitted a leaf that does not decode");
		goto done;
	}
	/* Index, chain, time, totals and counts against the old head. */
	T_ASSERT_EQ(l.index, s->head.size);
	T_ASSERT_EQ(l.index, c->m.nleaves);
	T_ASSERT_EQ(c->r.head.size, s->head.size + 1);
	T_ASSERT_MEM(l.prev, s->head.prev, 32);
	if (c->m.nleaves == 0)
		T_ASSERT_MEM(l.prev, zero, 32);
	else {
		merkle_leaf_hash(h, c->m.leaf[c->m.nleaves - 1].p,
		    c->m.leaf[c->m.nleaves - 1].len);
		T_ASSERT_MEM(l.prev, h, 32);
	}
	T_ASSERT_MEM(c->r.head.prev, hash, 32);
	T_ASSERT(l.time >= s->head.time);
	T_ASSERT_EQ(c->r.head.time, l.time);
	for (k = 1; k <= KIND_MAX; k++)
		T_ASSERT_EQ(l.totals.count[k], s->head.totals.count[k] +
		    (k == l.kind));
	T_ASSERT_EQ(c->r.head.totals.credited, l.totals.credited);
	T_ASSERT_EQ(c->r.head.totals.retired, l.totals.retired);
	T_ASSERT_EQ(c->r.head.totals.reversed, l.totals.reversed);
	for (k = 1; k <= KIND_MAX; k++)
		T_ASSERT_EQ(c->r.head.totals.count[k], l.totals.count[k]);
	/* Grams totals only grow by the entry's grams. */
	T_ASSERT(l.totals.credited >= s->head.totals.credited);
	T_ASSERT(l.totals.retired >= s->head.totals.retired);
	T_ASSERT(l.totals.reversed >= s->head.totals.reversed);
	if (l.kind != KIND_CREDIT)
		T_ASSERT_EQ(l.totals.credited, s->head.totals.credited);
	if (l.kind != KIND_RETIRE)
		T_ASSERT_EQ(l.totals.retired, s->head.totals.retired);
	if (l.kind != KIND_REVERSE)
		T_ASSERT_EQ(l.totals.reversed, s->head.totals.reversed);
	if (c->m.nleaves < MEMRULES_MAX_LEAVES) {
		buf_add(&c->m.leaf[c->m.nleaves], p, n);
		c->m.nleaves++;
	} else
		T_ASSERT(!"test log full");
	entry_leaf_free(&c->last);
	c->last = l;
done:
	if (t_failed_checks != s->failed)
		fprintf(stderr, "  (in the call at line %d: rc %d, rule %s, %s)\n",
		    line, rc, e->rule[0] ? e->rule : "-", e->msg);
	free(s->st);
}

/* RFC 8032 section 7.1, tests 1 and 2: valid Ed25519 public keys. */
static const uint8_t	rfc8032_pub1[32] = {
	0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe,
	0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6,
	0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
};
static const uint8_t	rfc8032_pub2[32] = {
	0x3d, 0x40, 0x17, 0xc3, 0xe8, 0x43, 0x89, 0x5a, 0x92, 0xb7, 0x0a,
	0xa7, 0x4d, 0x1b, 0x7e, 0xbc, 0x9c, 0x98, 0x2c, 0xcf, 0x2e, 0xc4,
	0x96, 0x8c, 0xc0, 0xcd, 0x55, 0xf1, 0x2a, 0xf4, 0x66, 0x0c,
};

static int
issuer_(struct ctx *c, int line, uint64_t time, const char *id,
    const char *name, const uint8_t *pub, struct ld_error *e)
{
	struct entry_issuer	reg;
	struct snap		s;
	uint8_t			h[32];
	int			rc;

	memset(&reg, 0, sizeof(reg));
	STR_SET(reg.id, id, strlen(id));
	STR_SET(reg.name, name, strlen(name));
	if (pub == NULL)
		pub = rfc8032_pub1;
	memcpy(reg.pub, pub, 32);
	snap_take(c, &s, e);
	rc = rules_issuer(&c->r, time, &reg, &c->out, h, e);
	settle(c, &s, rc, e, h, line);
	return rc;
}

static int
method_(struct ctx *c, int line, uint64_t time, const char *id, uint64_t gpu,
    uint64_t max_event, uint64_t max_day, uint32_t valid_from,
    uint32_t max_age, struct ld_error *e)
{
	struct entry_method	m;
	struct snap		s;
	uint8_t			h[32];
	int			rc;

	memset(&m, 0, sizeof(m));
	STR_SET(m.id, id, strlen(id));
	STR_SET(m.activity, "a low-carbon action", 19);
	STR_SET(m.unit, "ride", 4);
	STR_SET(m.reference, "https://example.org/methods", 27);
	m.grams_per_unit = gpu;
	m.max_event = max_event;
	m.max_day = max_day;
	m.valid_from = valid_from;
	m.max_age = max_age;
	snap_take(c, &s, e);
	rc = rules_method(&c->r, time, &m, &c->out, h, e);
	settle(c, &s, rc, e, h, line);
	return rc;
}

static int
batch_(struct ctx *c, int line, uint64_t time, const char *issuer, uint32_t n,
    struct entry_dup_run *runs, uint32_t nruns, struct ld_error *e)
{
	struct entry_batch	b;
	struct snap		s;
	uint8_t			h[32];
	int			rc;

	memset(&b, 0, sizeof(b));
	STR_SET(b.issuer, issuer, strlen(issuer));
	b.n = n;
	memset(b.root, 0x11, 32);
	memset(b.sig, 0x22, 64);
	b.runs = runs;
	b.nruns = nruns;
	snap_take(c, &s, e);
	rc = rules_batch(&c->r, time, &b, &c->out, h, e);
	settle(c, &s, rc, e, h, line);
	if (rc == LD_OK) {
		T_ASSERT_EQ(c->r.head.batch_index, c->r.head.size - 1);
		T_ASSERT_EQ(c->r.head.batch_n, n);
		T_ASSERT_STR(c->r.head.batch_issuer, issuer);
	}
	return rc;
}

static int
entry_(struct ctx *c, int line, uint64_t time, const char *issuer,
    uint64_t batch, uint32_t pos, const struct entry_sub *sub, struct ld_error *e)
{
	struct snap	s;
	uint8_t		h[32];
	int		rc;

	snap_take(c, &s, e);
	rc = rules_entry(&c->r, time, issuer, batch, pos, sub, &c->out, h, e);
	settle(c, &s, rc, e, h, line);
	if (rc == LD_OK) {
		/* The leaf carries the entry as given. */
		T_ASSERT_EQ(c->last.kind, sub->kind);
		T_ASSERT_STR(c->last.u.e.issuer.s, issuer);
		T_ASSERT_EQ(c->last.u.e.batch, batch);
		T_ASSERT_EQ(c->last.u.e.pos, pos);
		T_ASSERT_EQ(c->last.u.e.sub.day, sub->day);
		T_ASSERT_MEM(c->last.u.e.sub.dedup, sub->dedup, 32);
		T_ASSERT_EQ(c->last.time, time);
	}
	return rc;
}

#define ISSUER(c, ...)	issuer_((c), __LINE__, __VA_ARGS__)
/* A method covering events from 2024-01-01 up to 30 days old. */
#define VALID0		19723U				/* 2024-01-01 */
#define AGE0		30U
#define METHOD(c, t, id, gpu, me, md, e) \
	method_((c), __LINE__, (t), (id), (gpu), (me), (md), VALID0, AGE0, (e))
/* The same with its own event dates. */
#define METHOD_D(c, ...) method_((c), __LINE__, __VA_ARGS__)
#define BATCH(c, ...)	batch_((c), __LINE__, __VA_ARGS__)
#define ENTRY(c, ...)	entry_((c), __LINE__, __VA_ARGS__)

/* An entry of the open batch at the next position. */
static uint32_t	next_pos;

#define OPEN(c, ...)	(next_pos = 0, batch_((c), __LINE__, __VA_ARGS__))
#define PUT(c, time, issuer, sub, e) entry_((c), __LINE__, (time), (issuer), \
	(c)->r.head.batch_index, next_pos++, (sub), (e))

static void
ok_(int line, int rc, const struct ld_error *e)
{
	if (rc != LD_OK) {
		t_failed_checks++;
		fprintf(stderr, "line %d: refused (%d, %s): %s\n", line, rc,
		    e->rule[0] ? e->rule : "-", e->msg);
	}
}

static void
refused_(int line, int rc, const struct ld_error *e, int code,
    const char *rule, uint64_t index)
{
	if (rc != code || e->code != code || e->rule[0] == '\0' ||
	    strcmp(e->rule, rule) != 0 || e->index != index) {
		t_failed_checks++;
		fprintf(stderr, "line %d: got rc %d rule %s index %" PRIu64
		    " (\"%s\"); want rc %d rule %s index %" PRIu64 "\n", line,
		    rc, e->rule[0] ? e->rule : "-", e->index, e->msg, code,
		    rule,
		    index);
	}
}

#define OK(rc, e)	ok_(__LINE__, (rc), (e))
#define REFUSED(rc, e, code, rule, index) \
	refused_(__LINE__, (rc), (e), (code), (rule), (index))

static void
credit(struct ctx *c, struct entry_sub *s, const char *account, const char *method,
    uint64_t units, uint64_t grams, uint32_t day)
{
	memset(s, 0, sizeof(*s));
	s->kind = KIND_CREDIT;
	STR_SET(s->account, account, strlen(account));
	STR_SET(s->method, method, strlen(method));
	s->units = units;
	s->grams = grams;
	s->day = day;
	new_dedup(c, s->dedup);
}

static void
retire(struct ctx *c, struct entry_sub *s, const char *account, uint64_t grams,
    uint32_t day)
{
	memset(s, 0, sizeof(*s));
	s->kind = KIND_RETIRE;
	STR_SET(s->account, account, strlen(account));
	s->grams = grams;
	STR_SET(s->text, "Shenzhen Metro", 14);
	s->day = day;
	new_dedup(c, s->dedup);
}

static void
reverse(struct ctx *c, struct entry_sub *s, uint64_t target, uint32_t day)
{
	memset(s, 0, sizeof(*s));
	s->kind = KIND_REVERSE;
	s->target = target;
	STR_SET(s->text, "duplicate report", 16);
	s->day = day;
	new_dedup(c, s->dedup);
}

/* The account's counters in the last leaf. */
static void
expect_acct(const struct ctx *c, uint64_t cr, uint64_t re, uint64_t rv,
    uint64_t prev, int line)
{
	const struct entry_account_ctr	*a = &c->last.u.e.acct;

	if (a->credited != cr || a->retired != re || a->reversed != rv ||
	    a->prev != prev) {
		t_failed_checks++;
		fprintf(stderr, "line %d: account [%" PRIu64 " %" PRIu64 " %"
		    PRIu64 " prev %" PRIu64 "], want [%" PRIu64 " %" PRIu64
		    " %" PRIu64 " prev %" PRIu64 "]\n", line, a->credited,
		    a->retired, a->reversed, a->prev, cr, re, rv, prev);
	}
}

static void
expect_iss(const struct ctx *c, uint64_t cr, uint64_t re, uint64_t rv,
    uint64_t prev, int line)
{
	const struct entry_issuer_ctr	*a = &c->last.u.e.iss;

	if (a->credited != cr || a->retired != re || a->reversed != rv ||
	    a->prev != prev) {
		t_failed_checks++;
		fprintf(stderr, "line %d: issuer [%" PRIu64 " %" PRIu64 " %"
		    PRIu64 " prev %" PRIu64 "], want [%" PRIu64 " %" PRIu64
		    " %" PRIu64 " prev %" PRIu64 "]\n", line, a->credited,
		    a->retired, a->reversed, a->prev, cr, re, rv, prev);
	}
}

static void
expect_totals(const struct ctx *c, uint64_t cr, uint64_t re, uint64_t rv,
    int line)
{
	const struct entry_totals	*t = &c->last.totals;

	if (t->credited != cr || t->retired != re || t->reversed != rv) {
		t_failed_checks++;
		fprintf(stderr, "line %d: totals [%" PRIu64 " %" PRIu64 " %"
		    PRIu64 "], want [%" PRIu64 " %" PRIu64 " %" PRIu64 "]\n",
		    line, t->credited, t->retired, t->reversed, cr, re, rv);
	}
}

#define ACCT(c, ...)	expect_acct((c), __VA_ARGS__, __LINE__)
#define ISS(c, ...)	expect_iss((c), __VA_ARGS__, __LINE__)
#define TOTALS(c, ...)	expect_totals((c), __VA_ARGS__, __LINE__)

/* The usual start: two issuers, two methods, a batch of A open. */
static struct ctx *
setup(void)
{
	struct ctx		*c = ctx_new();
	struct ld_error	 e;

	OK(ISSUER(c, T0, "luzhou-green", "Luzhou Green Bud Points", NULL, &e),
	    &e);					/* 0 */
	OK(ISSUER(c, T0, "shenzhen-metro", "Shenzhen Metro", NULL, &e),
	    &e);					/* 1 */
	OK(METHOD(c, T0, "transit-bus", 80, 800, 1600, &e), &e);	/* 2 */
	OK(METHOD(c, T0, "empty-plate", 144, 144, 288, &e), &e);	/* 3 */
	OK(OPEN(c, T0, "luzhou-green", 100, NULL, 0, &e), &e);	/* 4 */
	return c;
}

/* ---- registrations ---------------------------------------------------------- */

static void
test_issuer_registration(void)
{
	struct ctx		*c = ctx_new();
	struct ld_error	 e;
	struct rules_issuer_state	 st;
	uint8_t			 pub[32];
	char			 id65[66];

	memcpy(pub, rfc8032_pub2, 32);
	OK(ISSUER(c, T0, "luzhou-green", "Luzhou Green Bud Points \xe6\xb3\xb8",
	    pub, &e), &e);
	T_ASSERT_EQ(c->last.kind, KIND_ISSUER);
	T_ASSERT_EQ(c->last.index, 0);
	T_ASSERT_EQ(c->last.time, T0);
	T_ASSERT_STR(c->last.u.issuer.id.s, "luzhou-green");
	T_ASSERT_STR(c->last.u.issuer.name.s,
	    "Luzhou Green Bud Points \xe6\xb3\xb8");
	T_ASSERT_MEM(c->last.u.issuer.pub, pub, 32);
	T_ASSERT_EQ(c->last.totals.count[KIND_ISSUER], 1);
	/* Its state: registered at 0, no entries yet. */
	T_ASSERT_EQ(memrules_ops.issuer_get(&c->m, "luzhou-green", &st), LD_OK);
	T_ASSERT_EQ(st.reg_index, 0);
	T_ASSERT_EQ(st.ctr.credited, 0);
	T_ASSERT_EQ(st.ctr.retired, 0);
	T_ASSERT_EQ(st.ctr.reversed, 0);
	T_ASSERT_EQ(st.ctr.prev, NO_INDEX);
	T_ASSERT_MEM(st.reg.pub, pub, 32);

	/* A duplicate, even with another name or key, points at index 0. */
	REFUSED(ISSUER(c, T0, "luzhou-green", "Luzhou Green Bud Points", NULL,
	    &e), &e, LD_EEXIST, "duplicate-issuer", 0);
	REFUSED(ISSUER(c, T0 + 5, "luzhou-green", "Other", pub, &e), &e,
	    LD_EEXIST, "duplicate-issuer", 0);
	/* Ids are case-sensitive: another issuer. */
	OK(ISSUER(c, T0, "Luzhou-Green", "Luzhou Green (upper)", NULL, &e),
	    &e);
	T_ASSERT_EQ(c->last.index, 1);
	T_ASSERT_EQ(c->last.totals.count[KIND_ISSUER], 2);
	REFUSED(ISSUER(c, T0, "Luzhou-Green", "x", NULL, &e), &e, LD_EEXIST,
	    "duplicate-issuer", 1);

	/* Weak keys: the identity, a point of order 8, y = p, no point. */
	memset(pub, 0, 32);
	pub[0] = 0x01;
	REFUSED(ISSUER(c, T0, "newcomer", "x", pub, &e), &e, LD_EINVAL,
	    "weak-key", NO_INDEX);
	T_ASSERT(strstr(e.msg, "small order") != NULL);
	T_ASSERT_EQ(hex_decode(pub, 32, "c7176a703d4dd84fba3c0b760d10670f2a"
	    "2053fa2c39ccc64ec7fd7792ac037a", 64), LD_OK);
	REFUSED(ISSUER(c, T0, "newcomer", "x", pub, &e), &e, LD_EINVAL,
	    "weak-key", NO_INDEX);
	memset(pub, 0xff, 32);
	pub[0] = 0xed;
	pub[31] = 0x7f;
	REFUSED(ISSUER(c, T0, "newcomer", "x", pub, &e), &e, LD_EINVAL,
	    "weak-key", NO_INDEX);
	T_ASSERT(strstr(e.msg, "not canonical") != NULL);
	memset(pub, 0xab, 32);
	REFUSED(ISSUER(c, T0, "newcomer", "x", pub, &e), &e, LD_EINVAL,
	    "weak-key", NO_INDEX);
	memcpy(pub, rfc8032_pub2, 32);

	/* Invalid ids and names. */
	REFUSED(ISSUER(c, T0, "", "x", NULL, &e), &e, LD_EINVAL, "issuer-id",
	    NO_INDEX);
	REFUSED(ISSUER(c, T0, "luzhou green", "x", NULL, &e), &e, LD_EINVAL,
	    "issuer-id", NO_INDEX);
	REFUSED(ISSUER(c, T0, "a/b", "x", NULL, &e), &e, LD_EINVAL,
	    "issuer-id", NO_INDEX);
	REFUSED(ISSUER(c, T0, "a:b", "x", NULL, &e), &e, LD_EINVAL,
	    "issuer-id", NO_INDEX);
	REFUSED(ISSUER(c, T0, "a+b", "x", NULL, &e), &e, LD_EINVAL,
	    "issuer-id", NO_INDEX);
	memset(id65, 'i', 64);
	id65[64] = '\0';
	OK(ISSUER(c, T0, id65, "sixty-four", NULL, &e), &e);
	id65[64] = 'i';
	id65[65] = '\0';
	REFUSED(ISSUER(c, T0, id65, "x", NULL, &e), &e, LD_EINVAL,
	    "issuer-id", NO_INDEX);
	REFUSED(ISSUER(c, T0, "newcomer", "", NULL, &e), &e, LD_EINVAL,
	    "issuer-name", NO_INDEX);
	REFUSED(ISSUER(c, T0, "newcomer", "tab\there", NULL, &e), &e,
	    LD_EINVAL, "issuer-name", NO_INDEX);
	REFUSED(ISSUER(c, T0, "newcomer", "bad \xff utf-8", NULL, &e), &e,
	    LD_EINVAL, "issuer-name", NO_INDEX);
	T_ASSERT_EQ(memrules_ops.issuer_get(&c->m, "newcomer", &st),
	    LD_ENOTFOUND);
	T_ASSERT_EQ(c->r.head.size, 3);
	ctx_free(c);
}

static void
test_method_registration(void)
{
	struct ctx		*c = ctx_new();
	struct ld_error	 e;
	struct rules_method_state	 st;

	OK(METHOD(c, T0, "transit-bus", 80, 800, 1600, &e), &e);
	T_ASSERT_EQ(c->last.kind, KIND_METHOD);
	T_ASSERT_STR(c->last.u.method.id.s, "transit-bus");
	T_ASSERT_EQ(c->last.u.method.grams_per_unit, 80);
	T_ASSERT_EQ(c->last.u.method.max_event, 800);
	T_ASSERT_EQ(c->last.u.method.max_day, 1600);
	T_ASSERT_EQ(c->last.u.method.valid_from, VALID0);
	T_ASSERT_EQ(c->last.u.method.max_age, AGE0);
	T_ASSERT_STR(c->last.u.method.unit.s, "ride");
	T_ASSERT_EQ(c->last.totals.count[KIND_METHOD], 1);
	T_ASSERT_EQ(memrules_ops.method_get(&c->m, "transit-bus", &st), LD_OK);
	T_ASSERT_EQ(st.reg_index, 0);
	T_ASSERT_EQ(st.reg.grams_per_unit, 80);
	T_ASSERT_EQ(st.reg.valid_from, VALID0);
	T_ASSERT_EQ(st.reg.max_age, AGE0);

	OK(METHOD(c, T0, "empty-plate", 144, 144, 288, &e), &e);
	T_ASSERT_EQ(c->last.index, 1);
	/* A new factor needs a new id. */
	REFUSED(METHOD(c, T0, "transit-bus", 90, 900, 1800, &e), &e,
	    LD_EEXIST, "duplicate-method", 0);
	REFUSED(METHOD(c, T0, "empty-plate", 144, 144, 288, &e), &e,
	    LD_EEXIST, "duplicate-method", 1);
	REFUSED(METHOD(c, T0, "", 80, 800, 1600, &e), &e, LD_EINVAL,
	    "method-id", NO_INDEX);
	REFUSED(METHOD(c, T0, "transit bus", 80, 800, 1600, &e), &e, LD_EINVAL,
	    "method-id", NO_INDEX);
	REFUSED(METHOD(c, T0, "zero", 0, 800, 1600, &e), &e, LD_EINVAL,
	    "method-factor", NO_INDEX);
	REFUSED(METHOD(c, T0, "zero", 80, 0, 1600, &e), &e, LD_EINVAL,
	    "method-factor", NO_INDEX);
	REFUSED(METHOD(c, T0, "zero", 80, 800, 0, &e), &e, LD_EINVAL,
	    "method-factor", NO_INDEX);
	/* Issuers and methods are separate registries. */
	OK(ISSUER(c, T0, "transit-bus", "An issuer named like a method", NULL,
	    &e), &e);
	T_ASSERT_EQ(c->last.totals.count[KIND_ISSUER], 1);
	T_ASSERT_EQ(c->last.totals.count[KIND_METHOD], 2);
	T_ASSERT_EQ(c->r.head.size, 3);
	ctx_free(c);
}

static void
test_method_text(void)
{
	struct ctx		*c = ctx_new();
	struct ld_error	 e;
	struct entry_method	 m;
	struct snap		 s;
	uint8_t			 h[32];
	int			 rc;

	memset(&m, 0, sizeof(m));
	STR_SET(m.id, "m", 1);
	STR_SET(m.activity, "x", 1);
	STR_SET(m.unit, "", 0);		/* empty unit */
	STR_SET(m.reference, "y", 1);
	m.grams_per_unit = m.max_event = m.max_day = 1;
	snap_take(c, &s, &e);
	rc = rules_method(&c->r, T0, &m, &c->out, h, &e);
	settle(c, &s, rc, &e, h, __LINE__);
	REFUSED(rc, &e, LD_EINVAL, "method-text", NO_INDEX);
	STR_SET(m.unit, "kg", 2);
	STR_SET(m.reference, "line\nbreak", 10);
	snap_take(c, &s, &e);
	rc = rules_method(&c->r, T0, &m, &c->out, h, &e);
	settle(c, &s, rc, &e, h, __LINE__);
	REFUSED(rc, &e, LD_EINVAL, "method-text", NO_INDEX);
	STR_SET(m.reference, "ok", 2);
	snap_take(c, &s, &e);
	rc = rules_method(&c->r, T0, &m, &c->out, h, &e);
	settle(c, &s, rc, &e, h, __LINE__);
	OK(rc, &e);
	ctx_free(c);
}

/* ---- batches ---------------------------------------------------------------- */

static void
test_batch_leaf(void)
{
	struct ctx		*c = setup();
	struct ld_error	 e;
	struct entry_dup_run		 runs[3];
	struct entry_sub		 s;

	/* setup left the batch at index 4 open. */
	T_ASSERT_EQ(c->r.head.batch_index, 4);
	T_ASSERT_EQ(c->last.kind, KIND_BATCH);
	T_ASSERT_STR(c->last.u.batch.issuer.s, "luzhou-green");
	T_ASSERT_EQ(c->last.u.batch.n, 100);
	T_ASSERT_EQ(c->last.u.batch.nruns, 0);
	T_ASSERT_EQ(c->last.totals.count[KIND_BATCH], 1);

	REFUSED(BATCH(c, T0, "nobody", 3, NULL, 0, &e), &e, LD_EAUTH,
	    "unknown-issuer", NO_INDEX);
	REFUSED(BATCH(c, T0, "luzhou-green", 0, NULL, 0, &e), &e, LD_EINVAL,
	    "batch-size", NO_INDEX);
	REFUSED(BATCH(c, T0, "luzhou-green", BATCH_MAX + 1, NULL, 0, &e), &e,
	    LD_EINVAL, "batch-size", NO_INDEX);
	/* The open batch is still index 4. */
	T_ASSERT_EQ(c->r.head.batch_index, 4);

	/* Duplicate runs: in order, in range, pointing into the log. */
	runs[0] = (struct entry_dup_run){ 0, 2, 1 };
	runs[1] = (struct entry_dup_run){ 3, 1, 4 };
	OK(BATCH(c, T0, "luzhou-green", 5, runs, 2, &e), &e);
	T_ASSERT_EQ(c->last.index, 5);
	T_ASSERT_EQ(c->last.u.batch.nruns, 2);
	T_ASSERT(c->last.u.batch.runs != NULL &&
	    c->last.u.batch.runs[1].pos == 3 &&
	    c->last.u.batch.runs[1].count == 1 &&
	    c->last.u.batch.runs[1].index == 4);
	T_ASSERT_EQ(c->last.totals.count[KIND_BATCH], 2);
	T_ASSERT_EQ(c->r.head.batch_index, 5);
	T_ASSERT_EQ(c->r.head.batch_n, 5);

	runs[0] = (struct entry_dup_run){ 0, 0, 1 };		/* empty run */
	REFUSED(BATCH(c, T0, "luzhou-green", 5, runs, 1, &e), &e, LD_EINVAL,
	    "batch-runs", NO_INDEX);
	runs[0] = (struct entry_dup_run){ 2, 1, 1 };		/* out of order */
	runs[1] = (struct entry_dup_run){ 1, 1, 2 };
	REFUSED(BATCH(c, T0, "luzhou-green", 5, runs, 2, &e), &e, LD_EINVAL,
	    "batch-runs", NO_INDEX);
	runs[0] = (struct entry_dup_run){ 0, 2, 1 };		/* overlapping */
	runs[1] = (struct entry_dup_run){ 1, 1, 2 };
	REFUSED(BATCH(c, T0, "luzhou-green", 5, runs, 2, &e), &e, LD_EINVAL,
	    "batch-runs", NO_INDEX);
	runs[0] = (struct entry_dup_run){ 5, 1, 1 };		/* pos >= n */
	REFUSED(BATCH(c, T0, "luzhou-green", 5, runs, 1, &e), &e, LD_EINVAL,
	    "batch-runs", NO_INDEX);
	runs[0] = (struct entry_dup_run){ 3, 3, 1 };		/* past n */
	REFUSED(BATCH(c, T0, "luzhou-green", 5, runs, 1, &e), &e, LD_EINVAL,
	    "batch-runs", NO_INDEX);
	runs[0] = (struct entry_dup_run){ 0, 1, 6 };		/* not in the log */
	REFUSED(BATCH(c, T0, "luzhou-green", 5, runs, 1, &e), &e, LD_EINVAL,
	    "batch-runs", NO_INDEX);
	runs[0] = (struct entry_dup_run){ 0, 1, UINT64_MAX };	/* index overflow */
	REFUSED(BATCH(c, T0, "luzhou-green", 5, runs, 1, &e), &e, LD_EINVAL,
	    "batch-runs", NO_INDEX);
	runs[0] = (struct entry_dup_run){ 0, 5, 0 };		/* all duplicates */
	REFUSED(BATCH(c, T0, "luzhou-green", 5, runs, 1, &e), &e, LD_EINVAL,
	    "batch-runs", NO_INDEX);
	runs[0] = (struct entry_dup_run){ 0, 4, 0 };		/* one new: fine */
	OK(BATCH(c, T0, "luzhou-green", 5, runs, 1, &e), &e);
	T_ASSERT_EQ(c->r.head.batch_index, 6);

	/* Entries must belong to the open batch. */
	credit(c, &s, "alice", "transit-bus", 1, 80, DAY0);
	REFUSED(ENTRY(c, T0, "luzhou-green", 5, 0, &s, &e), &e, LD_EINVAL,
	    "batch-order", 5);
	REFUSED(ENTRY(c, T0, "luzhou-green", 6, 5, &s, &e), &e, LD_EINVAL,
	    "batch-order", 6);
	REFUSED(ENTRY(c, T0, "shenzhen-metro", 6, 0, &s, &e), &e, LD_EINVAL,
	    "batch-order", 6);
	REFUSED(ENTRY(c, T0, "nobody", 6, 0, &s, &e), &e, LD_EAUTH,
	    "unknown-issuer", NO_INDEX);
	OK(ENTRY(c, T0, "luzhou-green", 6, 4, &s, &e), &e);
	T_ASSERT_EQ(c->last.u.e.batch, 6);
	T_ASSERT_EQ(c->last.u.e.pos, 4);
	ctx_free(c);
}

static void
test_no_open_batch(void)
{
	struct ctx		*c = ctx_new();
	struct ld_error	 e;
	struct entry_sub		 s;

	OK(ISSUER(c, T0, "luzhou-green", "Luzhou", NULL, &e), &e);
	OK(METHOD(c, T0, "transit-bus", 80, 800, 1600, &e), &e);
	T_ASSERT_EQ(c->r.head.batch_index, NO_INDEX);
	credit(c, &s, "alice", "transit-bus", 1, 80, DAY0);
	REFUSED(ENTRY(c, T0, "luzhou-green", 0, 0, &s, &e), &e, LD_EINVAL,
	    "batch-order", 0);
	REFUSED(ENTRY(c, T0, "luzhou-green", NO_INDEX, 0, &s, &e), &e,
	    LD_EINVAL, "batch-order", NO_INDEX);
	ctx_free(c);
}

/* ---- credits ----------------------------------------------------------------- */

static void
test_credit_counters(void)
{
	struct ctx		*c = setup();
	struct ld_error	 e;
	struct entry_account_ctr	 a;
	struct rules_issuer_state	 st;
	struct entry_sub		 s;

	/* 5: the first credit of alice and of the issuer: prevs are nil. */
	credit(c, &s, "alice", "transit-bus", 3, 240, DAY0);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);
	T_ASSERT_EQ(c->last.index, 5);
	T_ASSERT_STR(c->last.u.e.sub.account.s, "alice");
	T_ASSERT_STR(c->last.u.e.sub.method.s, "transit-bus");
	T_ASSERT_EQ(c->last.u.e.sub.units, 3);
	T_ASSERT_EQ(c->last.u.e.sub.grams, 240);
	ACCT(c, 240, 0, 0, NO_INDEX);
	ISS(c, 240, 0, 0, NO_INDEX);
	TOTALS(c, 240, 0, 0);
	T_ASSERT_EQ(c->last.totals.count[KIND_CREDIT], 1);
	/* The state now points at leaf 5. */
	T_ASSERT_EQ(memrules_ops.account_get(&c->m,
	    "luzhou-green", "alice", &a), LD_OK);
	T_ASSERT(a.credited == 240 && a.retired == 0 && a.reversed == 0 &&
	    a.prev == 5);
	T_ASSERT_EQ(memrules_ops.issuer_get(&c->m, "luzhou-green", &st), LD_OK);
	T_ASSERT(st.ctr.credited == 240 && st.ctr.prev == 5 &&
	    st.reg_index == 0);

	/* 6: bob, same issuer: bob's chain starts, the issuer's goes on. */
	credit(c, &s, "bob", "empty-plate", 1, 144, DAY0);
	s.has_evidence = 1;
	memset(s.evidence, 0xee, 32);
	OK(PUT(c, T0 + 1, "luzhou-green", &s, &e), &e);
	T_ASSERT_EQ(c->last.u.e.sub.has_evidence, 1);
	T_ASSERT_MEM(c->last.u.e.sub.evidence, s.evidence, 32);
	ACCT(c, 144, 0, 0, NO_INDEX);
	ISS(c, 384, 0, 0, 5);
	TOTALS(c, 384, 0, 0);

	/* 7: alice again. */
	credit(c, &s, "alice", "transit-bus", 10, 800, DAY0);
	OK(PUT(c, T0 + 2, "luzhou-green", &s, &e), &e);
	ACCT(c, 1040, 0, 0, 5);
	ISS(c, 1184, 0, 0, 6);
	TOTALS(c, 1184, 0, 0);

	/* 8, 9: the other issuer's alice is another account. */
	OK(OPEN(c, T0 + 3, "shenzhen-metro", 10, NULL, 0, &e), &e);
	credit(c, &s, "alice", "transit-bus", 1, 80, DAY0);
	OK(PUT(c, T0 + 3, "shenzhen-metro", &s, &e), &e);
	T_ASSERT_EQ(c->last.index, 9);
	ACCT(c, 80, 0, 0, NO_INDEX);
	ISS(c, 80, 0, 0, NO_INDEX);
	TOTALS(c, 1264, 0, 0);
	T_ASSERT_EQ(c->last.totals.count[KIND_CREDIT], 4);
	T_ASSERT_EQ(c->last.totals.count[KIND_BATCH], 2);
	T_ASSERT_EQ(c->last.totals.count[KIND_ISSUER], 2);
	T_ASSERT_EQ(c->last.totals.count[KIND_METHOD], 2);
	T_ASSERT_EQ(memrules_ops.account_get(&c->m,
	    "luzhou-green", "alice", &a), LD_OK);
	T_ASSERT(a.credited == 1040 && a.prev == 7);
	T_ASSERT_EQ(memrules_ops.account_get(&c->m,
	    "shenzhen-metro", "alice", &a), LD_OK);
	T_ASSERT(a.credited == 80 && a.prev == 9);
	ctx_free(c);
}

static void
test_credit_rules(void)
{
	struct ctx		*c = setup();
	struct ld_error	 e;
	struct entry_sub		 s, first;

	credit(c, &first, "alice", "transit-bus", 3, 240, DAY0);
	OK(PUT(c, T0, "luzhou-green", &first, &e), &e);		/* 5 */

	/* grams must be units x grams_per_unit. */
	credit(c, &s, "alice", "transit-bus", 3, 250, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "factor-mismatch", NO_INDEX);
	credit(c, &s, "alice", "transit-bus", 3, 239, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "factor-mismatch", NO_INDEX);
	credit(c, &s, "alice", "empty-plate", 1, 80, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "factor-mismatch", NO_INDEX);

	/* The cap per event: 800 g is fine, 880 g is not. */
	credit(c, &s, "alice", "transit-bus", 11, 880, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "over-cap-event", NO_INDEX);
	credit(c, &s, "carol", "empty-plate", 2, 288, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "over-cap-event", NO_INDEX);

	/* The daily cap per account, method and day: 1600 g of bus. */
	credit(c, &s, "alice", "transit-bus", 10, 800, DAY0);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);		/* 1040 */
	credit(c, &s, "alice", "transit-bus", 8, 640, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "over-cap-day", NO_INDEX);
	credit(c, &s, "alice", "transit-bus", 7, 560, DAY0);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);		/* 1600 */
	credit(c, &s, "alice", "transit-bus", 1, 80, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "over-cap-day", NO_INDEX);
	/* Another day, account, method or issuer has its own sum. */
	credit(c, &s, "alice", "transit-bus", 10, 800, DAY0 - 1);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);
	credit(c, &s, "bob", "transit-bus", 10, 800, DAY0);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);
	credit(c, &s, "alice", "empty-plate", 1, 144, DAY0);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);
	credit(c, &s, "alice", "empty-plate", 1, 144, DAY0);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);		/* 288 */
	credit(c, &s, "alice", "empty-plate", 1, 144, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "over-cap-day", NO_INDEX);
	/* Refused credits did not count towards the day: still at 1600. */
	credit(c, &s, "alice", "transit-bus", 1, 80, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "over-cap-day", NO_INDEX);
	ACCT(c, 240 + 800 + 560 + 800 + 144 + 144, 0, 0, 10);

	/* An unknown method. */
	credit(c, &s, "alice", "cycling", 1, 80, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "unknown-method", NO_INDEX);

	/* A dedup key is used once, whatever else the entry says. */
	credit(c, &s, "zoe", "transit-bus", 1, 80, DAY0);
	memcpy(s.dedup, first.dedup, 32);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_EEXIST,
	    "duplicate-dedup", 5);
	REFUSED(PUT(c, T0, "luzhou-green", &first, &e), &e, LD_EEXIST,
	    "duplicate-dedup", 5);
	retire(c, &s, "alice", 1, DAY0);
	memcpy(s.dedup, first.dedup, 32);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_EEXIST,
	    "duplicate-dedup", 5);
	/* A refused entry does not use up its key. */
	credit(c, &s, "zoe", "transit-bus", 1, 81, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "factor-mismatch", NO_INDEX);
	s.grams = 80;
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);

	/* Not after the integration day: today is fine, tomorrow is not. */
	credit(c, &s, "zoe", "transit-bus", 1, 80, DAY0 + 1);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "future-day", NO_INDEX);
	REFUSED(PUT(c, DAY0 * 86400 + 86399, "luzhou-green", &s, &e), &e,
	    LD_ERULE, "future-day", NO_INDEX);
	OK(PUT(c, (DAY0 + 1) * 86400, "luzhou-green", &s, &e), &e);
	retire(c, &s, "zoe", 1, DAY0 + 2);
	REFUSED(PUT(c, (DAY0 + 1) * 86400, "luzhou-green", &s, &e), &e,
	    LD_ERULE, "future-day", NO_INDEX);
	reverse(c, &s, 5, DAY0 + 2);
	REFUSED(PUT(c, (DAY0 + 1) * 86400, "luzhou-green", &s, &e), &e,
	    LD_ERULE, "future-day", NO_INDEX);

	/* Fields are checked: units 0, a bad account. */
	credit(c, &s, "zoe", "transit-bus", 0, 0, DAY0);
	REFUSED(PUT(c, (DAY0 + 1) * 86400, "luzhou-green", &s, &e), &e,
	    LD_EINVAL, "entry-fields", NO_INDEX);
	credit(c, &s, "zoe bob", "transit-bus", 1, 80, DAY0);
	REFUSED(PUT(c, (DAY0 + 1) * 86400, "luzhou-green", &s, &e), &e,
	    LD_EINVAL, "entry-fields", NO_INDEX);
	retire(c, &s, "zoe", 1, DAY0);
	s.text.len = 0;
	s.text.s[0] = '\0';
	REFUSED(PUT(c, (DAY0 + 1) * 86400, "luzhou-green", &s, &e), &e,
	    LD_EINVAL, "entry-fields", NO_INDEX);
	credit(c, &s, "zoe", "transit-bus", 1, 80, DAY0);
	s.kind = KIND_BATCH;
	REFUSED(PUT(c, (DAY0 + 1) * 86400, "luzhou-green", &s, &e), &e,
	    LD_EINVAL, "entry-fields", NO_INDEX);
	ctx_free(c);
}

/*
 * Every limit at its edge: the value itself is accepted, one more (one
 * gram, one day) is refused. An off-by-one in any comparison fails here.
 */
static void
test_boundaries(void)
{
	struct ctx		*c = setup();
	struct ld_error	 e;
	struct entry_sub		 s;
	uint64_t		 tend = DAY0 * 86400 + 86399;	/* 23:59:59 */

	/* 1 g per unit, so that grams can be any number. */
	OK(METHOD(c, T0, "gram", 1, 500, 1000, &e), &e);	/* 5 */
	OK(OPEN(c, T0, "luzhou-green", 100, NULL, 0, &e), &e);	/* 6 */

	/* The cap per event: exactly 500 g accepted, 501 g refused. */
	credit(c, &s, "dan", "gram", 501, 501, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "over-cap-event", NO_INDEX);
	credit(c, &s, "dan", "gram", 500, 500, DAY0);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);
	T_ASSERT_EQ(c->last.u.e.sub.grams, 500);

	/* The daily cap: 500 + 499 + 1 = exactly 1000 g accepted; one gram
	 * more refused, whether in one credit of 2 g or of 1 g after. */
	credit(c, &s, "dan", "gram", 499, 499, DAY0);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);
	credit(c, &s, "dan", "gram", 2, 2, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "over-cap-day", NO_INDEX);
	credit(c, &s, "dan", "gram", 1, 1, DAY0);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);
	ACCT(c, 1000, 0, 0, 8);
	credit(c, &s, "dan", "gram", 1, 1, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "over-cap-day", NO_INDEX);

	/* max_event_age_days = 30: an event exactly 30 days before the
	 * integration day is accepted (to the day's last second), 31 days is
	 * refused. */
	credit(c, &s, "erin", "gram", 1, 1, DAY0 - AGE0 - 1);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "event-too-old", NO_INDEX);
	REFUSED(PUT(c, tend, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "event-too-old", NO_INDEX);
	credit(c, &s, "erin", "gram", 1, 1, DAY0 - AGE0);
	OK(PUT(c, tend, "luzhou-green", &s, &e), &e);
	T_ASSERT_EQ(c->last.u.e.sub.day, DAY0 - AGE0);
	/* The same event day integrated one day later is 31 days old. */
	credit(c, &s, "erin", "gram", 1, 1, DAY0 - AGE0);
	REFUSED(PUT(c, tend + 1, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "event-too-old", NO_INDEX);

	/* The event day is never after the integration day (future-day):
	 * the integration day itself is accepted, the next day is not. */
	credit(c, &s, "erin", "gram", 1, 1, DAY0 + 2);
	REFUSED(PUT(c, (DAY0 + 2) * 86400 - 1, "luzhou-green", &s, &e), &e,
	    LD_ERULE, "future-day", NO_INDEX);
	OK(PUT(c, (DAY0 + 2) * 86400, "luzhou-green", &s, &e), &e);

	/* valid_from: that day accepted, the day before refused, even
	 * well inside the age window. */
	OK(METHOD_D(c, (DAY0 + 2) * 86400, "late", 1, 500, 1000, DAY0 - 5,
	    AGE0, &e), &e);
	OK(OPEN(c, (DAY0 + 2) * 86400, "luzhou-green", 100, NULL, 0, &e), &e);
	credit(c, &s, "fay", "late", 1, 1, DAY0 - 6);
	REFUSED(PUT(c, (DAY0 + 2) * 86400, "luzhou-green", &s, &e), &e,
	    LD_ERULE, "before-method", NO_INDEX);
	credit(c, &s, "fay", "late", 1, 1, DAY0 - 5);
	OK(PUT(c, (DAY0 + 2) * 86400, "luzhou-green", &s, &e), &e);
	ctx_free(c);
}

/* The event dates a method states, and what they stop. */
static void
test_event_dates(void)
{
	struct ctx		*c = setup();
	struct ld_error	 e;
	struct entry_sub		 s;
	uint64_t		 t = T0;
	uint32_t		 d, accepted = 0;

	/* The registration carries both, and they are in the leaf. */
	OK(METHOD_D(c, t, "bike", 400, 400, 400, DAY0 - 365, 0, &e), &e);
	T_ASSERT_EQ(c->last.u.method.valid_from, DAY0 - 365);
	T_ASSERT_EQ(c->last.u.method.max_age, 0);
	/* The extremes are valid: from day 0 (1970) and any age. */
	OK(METHOD_D(c, t, "history", 400, 400, 400, 0, UINT32_MAX, &e), &e);
	T_ASSERT_EQ(c->last.u.method.max_age, UINT32_MAX);
	/* valid_from may lie after the registration. */
	OK(METHOD_D(c, t, "next-year", 400, 400, 400, DAY0 + 365, 30, &e),
	    &e);
	OK(OPEN(c, t, "luzhou-green", 1000, NULL, 0, &e), &e);

	/* A credit dated 1970 (day 0) is refused by an ordinary method ... */
	credit(c, &s, "gus", "transit-bus", 1, 80, 0);
	REFUSED(PUT(c, t, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "before-method", NO_INDEX);
	/* ... and too old once valid_from is no bar: the first failing
	 * check is reported, valid_from before age. */
	credit(c, &s, "gus", "transit-bus", 1, 80, VALID0 - 1);
	REFUSED(PUT(c, t, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "before-method", NO_INDEX);
	credit(c, &s, "gus", "transit-bus", 1, 80, VALID0);
	REFUSED(PUT(c, t, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "event-too-old", NO_INDEX);
	/* A method that brings its history accepts it. */
	credit(c, &s, "gus", "history", 1, 400, 0);
	OK(PUT(c, t, "luzhou-green", &s, &e), &e);
	/* Age 0: only events of the integration day itself. */
	credit(c, &s, "gus", "bike", 1, 400, DAY0 - 1);
	REFUSED(PUT(c, t, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "event-too-old", NO_INDEX);
	credit(c, &s, "gus", "bike", 1, 400, DAY0);
	OK(PUT(c, t, "luzhou-green", &s, &e), &e);
	/* A method not yet in force refuses today's events. */
	credit(c, &s, "gus", "next-year", 1, 400, DAY0);
	REFUSED(PUT(c, t, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "before-method", NO_INDEX);

	/* The attack: 120 kg spread as 400 g over 300 past days into one
	 * account beside the 1600 g daily cap. Only the last 31 days (the
	 * integration day and 30 before it) get in. */
	for (d = 0; d < 300; d++) {
		credit(c, &s, "hal", "transit-bus", 5, 400,
		    (uint32_t)DAY0 - d);
		if (PUT(c, t, "luzhou-green", &s, &e) == LD_OK)
			accepted++;
		else
			REFUSED(LD_ERULE, &e, LD_ERULE, d > DAY0 - VALID0 ?
			    "before-method" : d > AGE0 ? "event-too-old" : "-",
			    NO_INDEX);
	}
	T_ASSERT_EQ(accepted, AGE0 + 1);
	ACCT(c, (AGE0 + 1) * 400, 0, 0, c->last.u.e.acct.prev);

	/* Retirements and reversals are not a method's events: an old
	 * day is fine for them (the credit they act on was checked). */
	retire(c, &s, "hal", 400, 0);
	OK(PUT(c, t, "luzhou-green", &s, &e), &e);
	reverse(c, &s, c->last.u.e.acct.prev, VALID0 - 1000);
	OK(PUT(c, t, "luzhou-green", &s, &e), &e);
	ctx_free(c);
}

static void
test_credit_overflow(void)
{
	struct ctx		*c = ctx_new();
	struct ld_error	 e;
	struct entry_sub		 s;

	OK(ISSUER(c, T0, "luzhou-green", "Luzhou", NULL, &e), &e);
	OK(METHOD(c, T0, "transit-bus", 80, UINT64_MAX, UINT64_MAX, &e), &e);
	OK(METHOD(c, T0, "big", 1, UINT64_MAX, UINT64_MAX, &e), &e);
	OK(OPEN(c, T0, "luzhou-green", 100, NULL, 0, &e), &e);

	/* units x grams_per_unit does not fit. */
	credit(c, &s, "alice", "transit-bus", UINT64_MAX / 80 + 1, 80, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_EOVERFLOW,
	    "overflow", NO_INDEX);
	credit(c, &s, "alice", "transit-bus", UINT64_MAX / 80,
	    UINT64_MAX / 80 * 80, DAY0);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);
	ACCT(c, UINT64_MAX / 80 * 80, 0, 0, NO_INDEX);

	/* The credited grams of the log would overflow. */
	credit(c, &s, "carol", "big", 16, 16, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_EOVERFLOW,
	    "overflow", NO_INDEX);
	credit(c, &s, "carol", "big", 15, 15, DAY0);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);
	TOTALS(c, UINT64_MAX, 0, 0);
	ISS(c, UINT64_MAX, 0, 0, 4);
	/* Now any credit overflows: the daily sum first, then the totals. */
	credit(c, &s, "alice", "transit-bus", 1, 80, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_EOVERFLOW,
	    "overflow", NO_INDEX);
	credit(c, &s, "dave", "big", 1, 1, DAY0 - 1);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_EOVERFLOW,
	    "overflow", NO_INDEX);
	/* Retirements still work. */
	retire(c, &s, "alice", UINT64_MAX / 80 * 80, DAY0);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);
	ACCT(c, UINT64_MAX / 80 * 80, UINT64_MAX / 80 * 80, 0, 4);
	TOTALS(c, UINT64_MAX, UINT64_MAX / 80 * 80, 0);
	ctx_free(c);
}

/* ---- retirements and reversals ------------------------------------------------ */

static void
test_retire_and_reverse(void)
{
	struct ctx		*c = setup();
	struct ld_error	 e;
	struct entry_account_ctr	 a;
	struct entry_sub		 s;
	int64_t			 bal;

	credit(c, &s, "alice", "transit-bus", 5, 400, DAY0);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);		/* 5 */
	credit(c, &s, "alice", "transit-bus", 4, 320, DAY0);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);		/* 6 */
	credit(c, &s, "bob", "empty-plate", 1, 144, DAY0);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);		/* 7 */

	/* Over the balance of 720: refused, pointing at alice's last leaf. */
	retire(c, &s, "alice", 721, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE, "overspent",
	    6);
	retire(c, &s, "nobody", 1, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE, "overspent",
	    NO_INDEX);
	/* The other issuer's alice has nothing. */
	OK(OPEN(c, T0, "shenzhen-metro", 10, NULL, 0, &e), &e);	/* 8 */
	retire(c, &s, "alice", 1, DAY0);
	REFUSED(PUT(c, T0, "shenzhen-metro", &s, &e), &e, LD_ERULE,
	    "overspent", NO_INDEX);
	credit(c, &s, "alice", "transit-bus", 1, 80, DAY0);
	OK(PUT(c, T0, "shenzhen-metro", &s, &e), &e);		/* 9 */
	OK(OPEN(c, T0, "luzhou-green", 100, NULL, 0, &e), &e);	/* 10 */

	/* Within the balance. */
	retire(c, &s, "alice", 500, DAY0);
	OK(PUT(c, T0 + 10, "luzhou-green", &s, &e), &e);	/* 11 */
	T_ASSERT_EQ(c->last.kind, KIND_RETIRE);
	T_ASSERT_STR(c->last.u.e.sub.account.s, "alice");
	T_ASSERT_STR(c->last.u.e.sub.text.s, "Shenzhen Metro");
	T_ASSERT_EQ(c->last.u.e.sub.grams, 500);
	ACCT(c, 720, 500, 0, 6);
	ISS(c, 864, 500, 0, 7);
	TOTALS(c, 944, 500, 0);
	T_ASSERT_EQ(c->last.totals.count[KIND_RETIRE], 1);
	retire(c, &s, "alice", 221, DAY0);
	REFUSED(PUT(c, T0 + 10, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "overspent", 11);
	retire(c, &s, "alice", 220, DAY0);			/* to zero */
	OK(PUT(c, T0 + 10, "luzhou-green", &s, &e), &e);	/* 12 */
	ACCT(c, 720, 720, 0, 11);
	ISS(c, 864, 720, 0, 11);
	retire(c, &s, "alice", 1, DAY0);
	REFUSED(PUT(c, T0 + 10, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "overspent", 12);

	/* Reverse alice's credit 5 after she retired everything. */
	reverse(c, &s, 5, DAY0);
	OK(PUT(c, T0 + 20, "luzhou-green", &s, &e), &e);	/* 13 */
	T_ASSERT_EQ(c->last.kind, KIND_REVERSE);
	T_ASSERT_EQ(c->last.u.e.sub.target, 5);
	T_ASSERT_STR(c->last.u.e.sub.text.s, "duplicate report");
	/* The counters are the credit's account's: alice. */
	ACCT(c, 720, 720, 400, 12);
	ISS(c, 864, 720, 400, 12);
	TOTALS(c, 944, 720, 400);
	T_ASSERT_EQ(c->last.totals.count[KIND_REVERSE], 1);
	T_ASSERT_EQ(memrules_ops.account_get(&c->m,
	    "luzhou-green", "alice", &a), LD_OK);
	T_ASSERT(a.credited == 720 && a.retired == 720 && a.reversed == 400 &&
	    a.prev == 13);
	/* The balance is now negative, and nothing more can be retired. */
	T_ASSERT_EQ(entry_account_balance(&a, &bal), LD_OK);
	T_ASSERT_EQ((uint64_t)bal, (uint64_t)(int64_t)-400);
	T_ASSERT(bal == -400);
	T_ASSERT_EQ(entry_account_balance(&c->last.u.e.acct, &bal), LD_OK);
	T_ASSERT(bal == -400);
	retire(c, &s, "alice", 1, DAY0);
	REFUSED(PUT(c, T0 + 20, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "overspent", 13);
	/* More credits first pay back the debt. */
	credit(c, &s, "alice", "transit-bus", 5, 400, DAY0);
	OK(PUT(c, T0 + 20, "luzhou-green", &s, &e), &e);	/* 14 */
	retire(c, &s, "alice", 1, DAY0);
	REFUSED(PUT(c, T0 + 20, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "overspent", 14);
	credit(c, &s, "alice", "transit-bus", 1, 80, DAY0 - 1);
	OK(PUT(c, T0 + 20, "luzhou-green", &s, &e), &e);	/* 15 */
	retire(c, &s, "alice", 81, DAY0);
	REFUSED(PUT(c, T0 + 20, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "overspent", 15);
	retire(c, &s, "alice", 80, DAY0);
	OK(PUT(c, T0 + 20, "luzhou-green", &s, &e), &e);	/* 16 */
	ACCT(c, 1200, 800, 400, 15);
	/*
	 * A reversal does not lower the day sum (protocol.md 5.4): alice's
	 * bus credits on DAY0 are 400 + 320 + 400 = 1120 g, the reversed 400
	 * included, so 560 g more is over the 1600 g cap, 480 g is not.
	 */
	credit(c, &s, "alice", "transit-bus", 7, 560, DAY0);
	REFUSED(PUT(c, T0 + 20, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "over-cap-day", NO_INDEX);

	/* At most once. */
	reverse(c, &s, 5, DAY0);
	REFUSED(PUT(c, T0 + 20, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "bad-reversal", 13);
	/* Only credits: not a retirement, reversal, batch or registration. */
	reverse(c, &s, 11, DAY0);
	REFUSED(PUT(c, T0 + 20, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "bad-reversal", 11);
	reverse(c, &s, 13, DAY0);
	REFUSED(PUT(c, T0 + 20, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "bad-reversal", 13);
	reverse(c, &s, 4, DAY0);
	REFUSED(PUT(c, T0 + 20, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "bad-reversal", 4);
	reverse(c, &s, 0, DAY0);
	REFUSED(PUT(c, T0 + 20, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "bad-reversal", 0);
	reverse(c, &s, 2, DAY0);
	REFUSED(PUT(c, T0 + 20, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "bad-reversal", 2);
	/* Only the issuer's own credits. */
	reverse(c, &s, 9, DAY0);
	REFUSED(PUT(c, T0 + 20, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "bad-reversal", 9);
	/* Only what is in the log. */
	reverse(c, &s, c->r.head.size, DAY0);
	REFUSED(PUT(c, T0 + 20, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "bad-reversal", NO_INDEX);
	reverse(c, &s, UINT64_MAX, DAY0);
	REFUSED(PUT(c, T0 + 20, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "bad-reversal", NO_INDEX);

	/* bob's credit 7: bob's counters, the issuer's chain. */
	reverse(c, &s, 7, DAY0);
	OK(PUT(c, T0 + 30, "luzhou-green", &s, &e), &e);	/* 17 */
	ACCT(c, 144, 0, 144, 7);
	ISS(c, 1344, 800, 544, 16);
	TOTALS(c, 1424, 800, 544);
	T_ASSERT_EQ(memrules_ops.account_get(&c->m, "luzhou-green", "bob", &a),
	    LD_OK);
	T_ASSERT(a.reversed == 144 && a.prev == 17);
	T_ASSERT_EQ(entry_account_balance(&a, &bal), LD_OK);
	T_ASSERT(bal == 0);
	/* The other issuer reverses its own credit 9. */
	OK(OPEN(c, T0 + 40, "shenzhen-metro", 10, NULL, 0, &e), &e);
	reverse(c, &s, 9, DAY0);
	OK(PUT(c, T0 + 40, "shenzhen-metro", &s, &e), &e);	/* 19 */
	ACCT(c, 80, 0, 80, 9);
	ISS(c, 80, 0, 80, 9);
	TOTALS(c, 1424, 800, 624);
	T_ASSERT_EQ(c->last.totals.count[KIND_REVERSE], 3);
	T_ASSERT_EQ(c->last.totals.count[KIND_RETIRE], 3);
	T_ASSERT_EQ(c->last.totals.count[KIND_CREDIT], 6);
	T_ASSERT_EQ(c->last.totals.count[KIND_BATCH], 4);
	ctx_free(c);
}

/* ---- time, head, limits ------------------------------------------------------- */

static void
test_time_order(void)
{
	struct ctx		*c = setup();
	struct ld_error	 e;
	struct entry_sub		 s;

	credit(c, &s, "alice", "transit-bus", 1, 80, DAY0);
	OK(PUT(c, T0 + 100, "luzhou-green", &s, &e), &e);
	/* Equal time is fine, earlier is not, for every kind. */
	credit(c, &s, "alice", "transit-bus", 1, 80, DAY0);
	OK(PUT(c, T0 + 100, "luzhou-green", &s, &e), &e);
	credit(c, &s, "alice", "transit-bus", 1, 80, DAY0);
	REFUSED(PUT(c, T0 + 99, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "time-order", NO_INDEX);
	retire(c, &s, "alice", 1, DAY0);
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "time-order", NO_INDEX);
	reverse(c, &s, 5, 0);
	REFUSED(PUT(c, 0, "luzhou-green", &s, &e), &e, LD_ERULE,
	    "time-order", NO_INDEX);
	REFUSED(ISSUER(c, T0 + 99, "late", "Late", NULL, &e), &e, LD_ERULE,
	    "time-order", NO_INDEX);
	REFUSED(METHOD(c, T0 + 99, "late", 1, 1, 1, &e), &e, LD_ERULE,
	    "time-order", NO_INDEX);
	REFUSED(BATCH(c, T0 + 99, "luzhou-green", 1, NULL, 0, &e), &e,
	    LD_ERULE, "time-order", NO_INDEX);
	OK(ISSUER(c, T0 + 101, "late", "Late", NULL, &e), &e);
	T_ASSERT_EQ(c->r.head.time, T0 + 101);
	ctx_free(c);
}

static void
test_head_restore_and_limits(void)
{
	struct ctx		*c = setup(), *d;
	struct rules_head	 head;
	struct ld_error	 e;
	struct entry_sub		 s;
	uint64_t		 i;

	credit(c, &s, "alice", "transit-bus", 1, 80, DAY0);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);
	head = c->r.head;

	/* A second rules over a copy of the state and the head carries on. */
	d = ctx_new();
	memcpy(&d->m.st, &c->m.st, sizeof(d->m.st));
	for (i = 0; i < c->m.nleaves; i++)
		buf_add(&d->m.leaf[i], c->m.leaf[i].p, c->m.leaf[i].len);
	d->m.nleaves = c->m.nleaves;
	d->ndedup = c->ndedup;
	rules_init(&d->r, &memrules_ops, &d->m, &head);
	T_ASSERT(memcmp(&d->r.head, &head, sizeof(head)) == 0);
	credit(d, &s, "alice", "transit-bus", 2, 160, DAY0);
	OK(entry_(d, __LINE__, T0 + 1, "luzhou-green", 4, 1, &s, &e), &e);
	T_ASSERT_EQ(d->last.index, 6);
	ACCT(d, 240, 0, 0, 5);
	ISS(d, 240, 0, 0, 5);
	ctx_free(d);

	/* An empty head: size 0, no batch, zero prev. */
	d = ctx_new();
	T_ASSERT_EQ(d->r.head.size, 0);
	T_ASSERT_EQ(d->r.head.batch_index, NO_INDEX);
	T_ASSERT_EQ(d->r.head.time, 0);
	ctx_free(d);

	/* A full log refuses everything. */
	head.size = NO_INDEX;
	rules_init(&c->r, &memrules_ops, &c->m, &head);
	REFUSED(ISSUER(c, T0, "late", "Late", NULL, &e), &e, LD_EOVERFLOW,
	    "overflow", NO_INDEX);
	/* A per-kind counter that would overflow. */
	head.size = 6;
	head.totals.count[KIND_METHOD] = UINT64_MAX;
	rules_init(&c->r, &memrules_ops, &c->m, &head);
	REFUSED(METHOD(c, T0, "late", 1, 1, 1, &e), &e, LD_EOVERFLOW,
	    "overflow", NO_INDEX);
	ctx_free(c);
}

/* ---- a random run against a model --------------------------------------------- */

#define NACC	4
#define NDAYS	16		/* day slots from DAY0 - 4 */

struct model {
	uint64_t	acct[2][NACC][3];	/* credited retired reversed */
	uint64_t	acct_prev[2][NACC];
	uint64_t	iss[2][3];
	uint64_t	iss_prev[2];
	uint64_t	tot[3];
	uint64_t	day[2][NACC][2][NDAYS];	/* issuer acct method day */
	struct {
		uint8_t		kind;
		int		issuer;
		int		acct;
		uint64_t	grams;
		uint64_t	reversed_by;
	} leaf[MEMRULES_MAX_LEAVES];
	struct {
		uint8_t		key[32];
		uint64_t	index;
	} used[MEMRULES_MAX_DEDUP];
	size_t		nused;
};

static const char *const	m_issuers[2] = { "luzhou-green",
	    "shenzhen-metro" };
static const char *const	m_accounts[NACC] = { "alice", "bob",
	    "wx:oABC~1", "d.e_f-9" };
static const char *const	m_methods[2] = { "transit-bus", "empty-plate" };
static const uint64_t		m_gpu[2] = { 80, 144 };
static const uint64_t		m_max_event[2] = { 800, 144 };
static const uint64_t		m_max_day[2] = { 1600, 288 };
static const uint32_t		m_max_age[2] = { 30, 1 };

enum outcome {
	O_OK, O_FUTURE, O_DEDUP, O_UNKNOWN_METHOD, O_TOO_OLD, O_FACTOR,
	O_CAP_EVENT, O_CAP_DAY, O_OVERSPENT, O_BAD_REVERSAL, O_NOUTCOMES
};

static const char *const	o_rule[O_NOUTCOMES] = { NULL, "future-day",
	    "duplicate-dedup", "unknown-method", "event-too-old", "factor-mismatch",
    "over-cap-event", "over-cap-day", "overspent", "bad-reversal" };

static void
test_random_against_model(void)
{
	struct ctx		*c = ctx_new();
	struct model		*mo = xcalloc(1, sizeof(*mo));
	struct ld_error	 e;
	struct entry_account_ctr	 a;
	struct entry_sub		 s;
	uint64_t		 time = T0, today, want_index, bal, grams;
	uint64_t		 seen[O_NOUTCOMES] = { 0 };
	uint32_t		 pos = 0, n = 0;
	int			 step, bi = 0, ai, mi, rc, fault, di;
	enum outcome		 want;
	uint64_t		 k, target;

	memset(mo->acct_prev, 0xff, sizeof(mo->acct_prev));
	memset(mo->iss_prev, 0xff, sizeof(mo->iss_prev));
	for (k = 0; k < 2; k++) {
		OK(ISSUER(c, time, m_issuers[k], "An issuer", NULL, &e), &e);
		mo->leaf[c->last.index].kind = KIND_ISSUER;
		OK(METHOD_D(c, time, m_methods[k], m_gpu[k], m_max_event[k],
		    m_max_day[k], VALID0, m_max_age[k], &e), &e);
		mo->leaf[c->last.index].kind = KIND_METHOD;
	}
	for (step = 0; step < 700; step++) {
		time += t_rand_below(400);
		today = time / 86400;
		if (pos == n || t_rand_below(20) == 0) {
			bi = (int)t_rand_below(2);
			n = 1 + (uint32_t)t_rand_below(40);
			pos = 0;
			OK(BATCH(c, time, m_issuers[bi], n, NULL, 0, &e), &e);
			mo->leaf[c->last.index].kind = KIND_BATCH;
			mo->leaf[c->last.index].issuer = bi;
			continue;
		}
		ai = (int)t_rand_below(NACC);
		mi = (int)t_rand_below(2);
		di = (int)t_rand_below(3);		/* today - di */
		fault = (int)t_rand_below(20);
		k = t_rand_below(100);
		want = O_OK;
		want_index = NO_INDEX;
		if (k < 60) {
			uint64_t units = 1 + t_rand_below(mi == 0 ? 12 : 2);

			credit(c, &s, m_accounts[ai], m_methods[mi], units,
			    units * m_gpu[mi], (uint32_t)(today - (uint64_t)di));
			if (fault == 2)
				s.grams++;
			if (fault == 3)
				STR_SET(s.method, "cycling", 7);
		} else if (k < 85) {
			bal = mo->acct[bi][ai][0] - mo->acct[bi][ai][1] -
			    mo->acct[bi][ai][2];
			if (mo->acct[bi][ai][0] < mo->acct[bi][ai][1] +
			    mo->acct[bi][ai][2])
				bal = 0;
			retire(c, &s, m_accounts[ai], 1 + t_rand_below(bal +
			    200), (uint32_t)(today - (uint64_t)di));
		} else {
			reverse(c, &s, t_rand_below(c->r.head.size + 2),
			    (uint32_t)(today - (uint64_t)di));
		}
		if (fault == 0)
			s.day = (uint32_t)(today + 1);
		if (fault == 1 && mo->nused > 0) {
			size_t u = t_rand_below(mo->nused);

			memcpy(s.dedup, mo->used[u].key, 32);
		}

		/* What the rules must say, in their order of checks. */
		if (s.day > today)
			want = O_FUTURE;
		else {
			size_t	u;

			for (u = 0; u < mo->nused; u++)
				if (memcmp(mo->used[u].key, s.dedup, 32) == 0)
					break;
			if (u < mo->nused) {
				want = O_DEDUP;
				want_index = mo->used[u].index;
			}
		}
		di = (int)(s.day - (DAY0 - 4));		/* the day's slot */
		if (want == O_OK && (di < 0 || di >= NDAYS)) {
			T_ASSERT(!"day out of the model's range");
			break;
		}
		if (want == O_OK && s.kind == KIND_CREDIT) {
			if (fault == 3)
				want = O_UNKNOWN_METHOD;
			else if (today - s.day > m_max_age[mi])
				want = O_TOO_OLD;
			else if (s.grams != s.units * m_gpu[mi])
				want = O_FACTOR;
			else if (s.grams > m_max_event[mi])
				want = O_CAP_EVENT;
			else if (mo->day[bi][ai][mi][di] + s.grams >
			    m_max_day[mi])
				want = O_CAP_DAY;
		} else if (want == O_OK && s.kind == KIND_RETIRE) {
			bal = mo->acct[bi][ai][0] - mo->acct[bi][ai][1] -
			    mo->acct[bi][ai][2];
			if (mo->acct[bi][ai][0] < mo->acct[bi][ai][1] +
			    mo->acct[bi][ai][2])
				bal = 0;
			if (s.grams > bal) {
				want = O_OVERSPENT;
				want_index = mo->acct_prev[bi][ai];
			}
		} else if (want == O_OK && s.kind == KIND_REVERSE) {
			target = s.target;
			if (target >= c->r.head.size) {
				want = O_BAD_REVERSAL;
				want_index = NO_INDEX;
			} else if (mo->leaf[target].kind != KIND_CREDIT ||
			    mo->leaf[target].issuer != bi) {
				want = O_BAD_REVERSAL;
				want_index = target;
			} else if (mo->leaf[target].reversed_by != 0) {
				want = O_BAD_REVERSAL;
				want_index = mo->leaf[target].reversed_by;
			} else
				ai = mo->leaf[target].acct;
		}

		rc = ENTRY(c, time, m_issuers[bi], c->r.head.batch_index,
		    pos++, &s, &e);
		seen[want]++;
		if (want != O_OK) {
			REFUSED(rc, &e, want == O_DEDUP ? LD_EEXIST : LD_ERULE,
			    o_rule[want], want_index);
			continue;
		}
		OK(rc, &e);
		if (rc != LD_OK)
			continue;

		/* Accepted: advance the model and compare the leaf. */
		grams = s.kind == KIND_REVERSE ? mo->leaf[s.target].grams :
		    s.grams;
		k = s.kind == KIND_CREDIT ? 0 : s.kind == KIND_RETIRE ? 1 : 2;
		ACCT(c, mo->acct[bi][ai][0] + (k == 0 ? grams : 0),
		    mo->acct[bi][ai][1] + (k == 1 ? grams : 0),
		    mo->acct[bi][ai][2] + (k == 2 ? grams : 0),
		    mo->acct_prev[bi][ai]);
		mo->acct[bi][ai][k] += grams;
		ISS(c, mo->iss[bi][0] + (k == 0 ? grams : 0),
		    mo->iss[bi][1] + (k == 1 ? grams : 0),
		    mo->iss[bi][2] + (k == 2 ? grams : 0), mo->iss_prev[bi]);
		mo->iss[bi][k] += grams;
		mo->tot[k] += grams;
		TOTALS(c, mo->tot[0], mo->tot[1], mo->tot[2]);
		mo->acct_prev[bi][ai] = c->last.index;
		mo->iss_prev[bi] = c->last.index;
		if (s.kind == KIND_CREDIT)
			mo->day[bi][ai][mi][di] += s.grams;
		if (s.kind == KIND_REVERSE)
			mo->leaf[s.target].reversed_by = c->last.index;
		mo->leaf[c->last.index].kind = s.kind;
		mo->leaf[c->last.index].issuer = bi;
		mo->leaf[c->last.index].acct = ai;
		mo->leaf[c->last.index].grams = grams;
		memcpy(mo->used[mo->nused].key, s.dedup, 32);
		mo->used[mo->nused++].index = c->last.index;
	}

	/* The state agrees with the model, balances included. */
	for (bi = 0; bi < 2; bi++)
		for (ai = 0; ai < NACC; ai++) {
			int64_t	b;

			if (mo->acct_prev[bi][ai] == NO_INDEX) {
				T_ASSERT_EQ(memrules_ops.account_get(&c->m,
				    m_issuers[bi], m_accounts[ai], &a), LD_ENOTFOUND);
				continue;
			}
			T_ASSERT_EQ(memrules_ops.account_get(&c->m,
			    m_issuers[bi], m_accounts[ai], &a), LD_OK);
			T_ASSERT_EQ(a.credited, mo->acct[bi][ai][0]);
			T_ASSERT_EQ(a.retired, mo->acct[bi][ai][1]);
			T_ASSERT_EQ(a.reversed, mo->acct[bi][ai][2]);
			T_ASSERT_EQ(a.prev, mo->acct_prev[bi][ai]);
			T_ASSERT_EQ(entry_account_balance(&a, &b), LD_OK);
			T_ASSERT(b == (int64_t)mo->acct[bi][ai][0] -
			    (int64_t)mo->acct[bi][ai][1] -
			    (int64_t)mo->acct[bi][ai][2]);
		}
	T_ASSERT_EQ(c->r.head.totals.credited, mo->tot[0]);
	T_ASSERT_EQ(c->r.head.totals.retired, mo->tot[1]);
	T_ASSERT_EQ(c->r.head.totals.reversed, mo->tot[2]);

	/* Walk the whole log: indexes and the hash chain. */
	for (k = 0; k < c->m.nleaves; k++) {
		struct entry_leaf	l;
		uint8_t		h[32];

		T_ASSERT_EQ(codec_leaf_decode(c->m.leaf[k].p, c->m.leaf[k].len,
		    &l), LD_OK);
		T_ASSERT_EQ(l.index, k);
		if (k > 0) {
			merkle_leaf_hash(h, c->m.leaf[k - 1].p,
			    c->m.leaf[k - 1].len);
			T_ASSERT_MEM(l.prev, h, 32);
		}
		T_ASSERT_EQ(l.kind, mo->leaf[k].kind);
		entry_leaf_free(&l);
	}

	/* Every path was taken (else the run proves little). */
	for (k = 0; k < O_NOUTCOMES; k++)
		if (seen[k] == 0) {
			fprintf(stderr, "outcome %s never happened\n",
			    k ? o_rule[k] : "ok");
			T_ASSERT(0);
		}
	ctx_free(c);
	free(mo);
}

/* ---- signatures and keys ------------------------------------------------------- */

static void
test_batch_signature(void)
{
	static const char	 origin[] = "ledger.example.org/carbon/2026";
	struct ctx		*c = ctx_new();
	struct sig_key		*k = NULL, *other = NULL;
	struct entry_issuer	 reg;
	struct buf		 msg = { 0 }, enc = { 0 };
	struct entry_sub		 subs[3];
	uint8_t			 root[32], root2[32], h[3][32], want[32];
	uint8_t			 sig[64], bad[64];
	char			 b64[48], *text;
	int			 i;

	T_ASSERT_EQ(sig_keygen("luzhou-green", SIG_TYPE_ED25519, &k), LD_OK);
	T_ASSERT_EQ(sig_keygen("luzhou-green", SIG_TYPE_ED25519, &other),
	    LD_OK);
	if (k == NULL || other == NULL)
		goto out;
	memset(&reg, 0, sizeof(reg));
	STR_SET(reg.id, "luzhou-green", 12);
	STR_SET(reg.name, "Luzhou", 6);
	memcpy(reg.pub, sig_key_pub(k), 32);

	credit(c, &subs[0], "alice", "transit-bus", 3, 240, DAY0);
	retire(c, &subs[1], "alice", 100, DAY0);
	reverse(c, &subs[2], 7, DAY0);

	/* The root is RFC 6962 MTH over the entries' encodings. */
	for (i = 0; i < 3; i++) {
		buf_reset(&enc);
		T_ASSERT_EQ(codec_sub_encode(&subs[i], &enc), LD_OK);
		merkle_leaf_hash(h[i], enc.p, enc.len);
	}
	merkle_node_hash(want, h[0], h[1]);
	merkle_node_hash(want, want, h[2]);
	rules_batch_root(subs, 3, root);
	T_ASSERT_MEM(root, want, 32);
	rules_batch_root(subs, 1, root2);
	T_ASSERT_MEM(root2, h[0], 32);

	/* The message, byte for byte. */
	rules_batch_message(origin, "luzhou-green", 3, root, &msg);
	b64_encode(b64, root, 32);
	text = xasprintf("ledger-batch/v1\n%s\nluzhou-green\n3\n%s\n", origin,
	    b64);
	T_ASSERT_EQ(msg.len, strlen(text));
	T_ASSERT(msg.len == strlen(text) && memcmp(msg.p, text, msg.len) == 0);
	free(text);

	T_ASSERT_EQ(sig_sign(k, msg.p, msg.len, sig), LD_OK);
	T_ASSERT_EQ(rules_batch_verify(origin, &reg, 3, root, sig), LD_OK);
	/* Another origin, count, entry, signature or key: refused. */
	T_ASSERT_EQ(rules_batch_verify("ledger.example.org/carbon/2025", &reg,
	    3, root, sig), LD_EBADSIG);
	T_ASSERT_EQ(rules_batch_verify("", &reg, 3, root, sig), LD_EBADSIG);
	T_ASSERT_EQ(rules_batch_verify(origin, &reg, 2, root, sig),
	    LD_EBADSIG);
	subs[1].grams = 101;
	rules_batch_root(subs, 3, root2);
	T_ASSERT(memcmp(root2, root, 32) != 0);
	T_ASSERT_EQ(rules_batch_verify(origin, &reg, 3, root2, sig),
	    LD_EBADSIG);
	subs[1].grams = 100;
	rules_batch_root(subs, 3, root2);
	T_ASSERT_MEM(root2, root, 32);
	/* Swapping two entries changes the root. */
	{
		struct entry_sub	t[3];

		t[0] = subs[1];
		t[1] = subs[0];
		t[2] = subs[2];
		rules_batch_root(t, 3, root2);
		T_ASSERT_EQ(rules_batch_verify(origin, &reg, 3, root2, sig),
		    LD_EBADSIG);
	}
	for (i = 0; i < 64; i += 9) {
		memcpy(bad, sig, 64);
		bad[i] ^= 0x01;
		T_ASSERT_EQ(rules_batch_verify(origin, &reg, 3, root, bad),
		    LD_EBADSIG);
	}
	memcpy(reg.pub, sig_key_pub(other), 32);
	T_ASSERT_EQ(rules_batch_verify(origin, &reg, 3, root, sig),
	    LD_EBADSIG);
	/* The issuer id is in the message: same key, other id, refused. */
	memcpy(reg.pub, sig_key_pub(k), 32);
	STR_SET(reg.id, "luzhou-green2", 13);
	T_ASSERT_EQ(rules_batch_verify(origin, &reg, 3, root, sig),
	    LD_EBADSIG);
	STR_SET(reg.id, "luzhou-green", 12);
	T_ASSERT_EQ(rules_batch_verify(origin, &reg, 3, root, sig), LD_OK);
	/* With a kept key (ledgerd's verifier): the same answers. */
	T_ASSERT_EQ(rules_batch_verify_key(origin, &reg, k, 3, root, sig),
	    LD_OK);
	T_ASSERT_EQ(rules_batch_verify_key(origin, &reg, k, 3, root, bad),
	    LD_EBADSIG);
	T_ASSERT_EQ(rules_batch_verify_key(origin, &reg, other, 3, root, sig),
	    LD_EBADSIG);
out:
	sig_key_free(k);
	sig_key_free(other);
	buf_free(&msg);
	buf_free(&enc);
	ctx_free(c);
}

static void
test_day_key(void)
{
	struct buf	b = { 0 };
	uint8_t		k1[16], k2[16], h[32];

	/* day32be || SHA-256("ledger-day\0" issuer\0 account\0 method\0
	 * day32be)[:12] */
	rules_day_key("luzhou-green", "alice", "transit-bus", 19929, k1);
	buf_add(&b, "ledger-day\0luzhou-green\0alice\0transit-bus\0"
	    "\x00\x00\x4d\xd9", 46);
	merkle_sha256(h, b.p, b.len);
	T_ASSERT_MEM(k1, "\x00\x00\x4d\xd9", 4);
	T_ASSERT_MEM(k1 + 4, h, 12);
	rules_day_key("luzhou-green", "alice", "transit-bus", 19929, k2);
	T_ASSERT_MEM(k1, k2, 16);
	/* Each part matters, and the NULs keep the parts apart. */
	rules_day_key("luzhou-green", "alice", "transit-bus", 19930, k2);
	T_ASSERT(memcmp(k1, k2, 16) != 0);
	rules_day_key("luzhou-green", "bob", "transit-bus", 19929, k2);
	T_ASSERT(memcmp(k1, k2, 16) != 0);
	rules_day_key("luzhou-green", "alice", "empty-plate", 19929, k2);
	T_ASSERT(memcmp(k1, k2, 16) != 0);
	rules_day_key("shenzhen-metro", "alice", "transit-bus", 19929, k2);
	T_ASSERT(memcmp(k1, k2, 16) != 0);
	rules_day_key("luzhou-greena", "lice", "transit-bus", 19929, k2);
	T_ASSERT(memcmp(k1, k2, 16) != 0);
	buf_free(&b);
}

/* ---- admission: what the log already holds --------------------------------- */

static void
test_admission_lookups(void)
{
	struct ctx			*c = setup();
	struct ld_error			 e;
	struct rules_issuer_state	 st;
	struct entry_sub		 s, other;
	struct entry_issuer		 reg;
	struct entry_method		 m;
	struct rules_method_state	 mst;
	uint64_t			 idx = 0;

	/* The issuer: found, or refused as unknown (once, for all). */
	T_ASSERT_EQ(rules_issuer_find(&c->r, "luzhou-green", &st, &e), LD_OK);
	T_ASSERT_EQ(st.reg_index, 0);
	T_ASSERT_EQ(rules_issuer_find(&c->r, "ghost", &st, &e), LD_EAUTH);
	T_ASSERT_STR(e.rule, "unknown-issuer");
	T_ASSERT_EQ(e.index, NO_INDEX);

	/* A new entry, then the very same one again: a retry at 5. */
	credit(c, &s, "alice", "transit-bus", 3, 240, DAY0);
	T_ASSERT_EQ(rules_entry_logged(&c->r, "luzhou-green", &s, &idx, &e),
	    LD_ENOTFOUND);
	OK(PUT(c, T0, "luzhou-green", &s, &e), &e);		/* 5 */
	idx = 0;
	T_ASSERT_EQ(rules_entry_logged(&c->r, "luzhou-green", &s, &idx, &e),
	    LD_OK);
	T_ASSERT_EQ(idx, 5);
	/* Its key with other fields: a conflict naming the logged entry. */
	other = s;
	other.units = 4;
	other.grams = 320;
	T_ASSERT_EQ(rules_entry_logged(&c->r, "luzhou-green", &other, &idx,
	    &e), LD_EEXIST);
	T_ASSERT_STR(e.rule, "duplicate-dedup");
	T_ASSERT_EQ(e.index, 5);
	T_ASSERT_EQ(idx, 5);
	/* The same fields from another issuer: a conflict too. */
	T_ASSERT_EQ(rules_entry_logged(&c->r, "shenzhen-metro", &s, &idx, &e),
	    LD_EEXIST);
	T_ASSERT_EQ(e.index, 5);
	/* And rules_entry refuses the repeat with the same rule. */
	REFUSED(PUT(c, T0, "luzhou-green", &s, &e), &e, LD_EEXIST,
	    "duplicate-dedup", 5);

	/* Registrations: the identical one is logged; another is not. */
	T_ASSERT_EQ(memrules_ops.issuer_get(&c->m, "shenzhen-metro", &st),
	    LD_OK);
	reg = st.reg;
	T_ASSERT_EQ(rules_issuer_logged(&c->r, &reg, &idx, &e), LD_OK);
	T_ASSERT_EQ(idx, 1);
	reg.name.s[0] = 'X';
	T_ASSERT_EQ(rules_issuer_logged(&c->r, &reg, &idx, &e),
	    LD_ENOTFOUND);
	T_ASSERT_EQ(memrules_ops.method_get(&c->m, "empty-plate", &mst),
	    LD_OK);
	m = mst.reg;
	T_ASSERT_EQ(rules_method_logged(&c->r, &m, &idx, &e), LD_OK);
	T_ASSERT_EQ(idx, 3);
	m.grams_per_unit++;
	T_ASSERT_EQ(rules_method_logged(&c->r, &m, &idx, &e), LD_ENOTFOUND);
	STR_SET(m.id, "never", 5);
	T_ASSERT_EQ(rules_method_logged(&c->r, &m, &idx, &e), LD_ENOTFOUND);
	ctx_free(c);
}

int
main(int argc, char **argv)
{
	static const struct t_case	cases[] = {
		T_CASE(test_issuer_registration),
		T_CASE(test_method_registration),
		T_CASE(test_method_text),
		T_CASE(test_batch_leaf),
		T_CASE(test_no_open_batch),
		T_CASE(test_credit_counters),
		T_CASE(test_credit_rules),
		T_CASE(test_boundaries),
		T_CASE(test_event_dates),
		T_CASE(test_credit_overflow),
		T_CASE(test_retire_and_reverse),
		T_CASE(test_time_order),
		T_CASE(test_head_restore_and_limits),
		T_CASE(test_random_against_model),
		T_CASE(test_batch_signature),
		T_CASE(test_day_key),
		T_CASE(test_admission_lookups),
	};

	return t_main(argc, argv, "t_rules", cases, T_NCASES(cases));
}
