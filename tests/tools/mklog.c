/* mklog.c - write a static log, honest or with one dishonest leaf, for tests. */
/*
 *	mklog --out DIR --origin ORIGIN --key-out KEYFILE --tamper MODE
 *
 * Builds a small ledger with the real rules (common/rules.c over a
 * temporary LMDB store), lays it out in DIR exactly as `ledgerd export`
 * does (DIR/checkpoint, DIR/tile/<L>/..., DIR/tile/entries/...) and signs
 * the checkpoint with a fresh log key whose vkey goes to KEYFILE. With
 * MODE other than "none", one thing is made dishonest, and everything
 * after it is built consistently on top of it (the log signs the dishonest
 * tree), so that an auditor replaying it finds exactly that one thing:
 *
 *	0	issuer city		1	method transit.bus.v1 (80 g,
 *	2	batch A (5 entries)		<= 239 g/event, <= 319 g/day,
 *						events from 2024-01-01, at
 *						most 30 days old)
 *	3	credit u-1 80 g, evidence E0	4	credit u-2 160 g
 *	5	credit u-1 80 g, evidence E2	6	retire u-1 100 g
 *	7	reverse 4			8	batch B (4 entries)
 *	9	credit u-3 80 g			10	X: the tampered entry
 *	11	credit u-3 80 g			12	retire u-3 40 g
 *
 * Modes and the leaf they break (the auditor's finding names it):
 *	counter-mismatch	10 claims 1000 g more in its totals
 *	counter-reversals	10 counts one reversal more in its totals
 *	counter-issuer		12 claims 1000 g more credited by its issuer
 *	over-cap-event		10 credits 240 g (cap 239: one gram over)
 *	over-cap-day		10 credits u-1 160 g more on a day it has 160
 *				(320 g, cap 319: one gram over)
 *	event-too-old		10 credits a ride 31 days before its leaf's
 *				day (30 allowed: one day over)
 *	before-method		10 credits a ride of 2023-12-31, the day
 *				before the method's valid_from
 *	factor-mismatch		10 credits 100 g for 1 ride of 80 g
 *	duplicate-dedup		10 reuses leaf 3's dedup key
 *	duplicate-evidence	10 reuses leaf 3's evidence hash
 *	overspent		10 retires 500 g from u-1 (balance 60)
 *	bad-reversal		10 reverses credit 4 again (reversed by 7)
 *	unknown-issuer		10 is an entry of issuer "ghost"
 *	unknown-method		10 credits under an unregistered method
 *	overflow		10 credits 2^62 units (units x 80 overflows)
 *	future-day		10 credits a ride of the day after it was logged
 *	chain-break		10's prev is not leaf 9's hash
 *	not-canonical		12 (the last leaf) has its version as cc 02
 *	old-version		13, after the log above, is a method leaf in
 *				the version 1 layout (finding not-canonical,
 *				naming both versions)
 *	future-time		12 was integrated in 2034 (the auditor's
 *				clock is before that)
 *	bad-signature		8's signature has one bit flipped
 *	unsigned-entry		10 credits u-4 160 g; batch 8 signed 80 g
 *	missing-entry		batch 8 signed 4 entries; the log holds 3
 *				(leaf 12 is not there)
 *	extension-line		(no leaf) the signed checkpoint carries an
 *				extension line after the root hash (and
 *				DIR/checkpoint.plain is one without it)
 * Every mode also writes DIR/receipt-3.tlog-proof, leaf 3's receipt
 * carrying DIR/checkpoint.
 *	weak-key		0 registers city with the identity point as its
 *				key; batches 2 and 8 carry the signature
 *				(R = identity, S = 0) that such a key
 *				"verifies" for any message
 * A leaf that breaks a rule is built as the rules would build it if the
 * check were skipped (its counters follow from the previous leaves), and
 * mklog checks that the real rules refuse it with exactly that rule.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "checkpoint.h"
#include "codec.h"
#include "entry.h"
#include "err.h"
#include "file.h"
#include "log.h"
#include "merkle.h"
#include "note.h"
#include "rules.h"
#include "rules_store.h"
#include "sig.h"
#include "store.h"
#include "tlog_proof.h"
#include "xmalloc.h"

#define DAY		19929u			/* 2024-07-25 */
#define T0		((uint64_t)DAY * 86400 + 8 * 3600)
#define X_INDEX		10			/* the tampered entry */
#define LAST_INDEX	12
#define VALID_FROM	19723u			/* 2024-01-01 */
#define MAX_AGE		30u
#define FUTURE_T	2033596800ULL		/* 2034-06-11T00:00:00Z */

static const char *const modes[] = { "none", "counter-mismatch",
    "counter-reversals", "counter-issuer",
    "over-cap-event", "over-cap-day", "factor-mismatch", "duplicate-dedup",
    "duplicate-evidence", "overspent", "bad-reversal", "unknown-issuer",
    "unknown-method", "overflow", "future-day", "chain-break",
    "not-canonical", "bad-signature", "unsigned-entry", "event-too-old",
    "before-method", "future-time", "old-version", "weak-key",
    "extension-line", "missing-entry", NULL };

/* The identity point's encoding: the weak key, and R of its forgery. */
static const uint8_t	identity[32] = { 1 };

struct gen {
	struct store		*st;
	struct store_txn	*txn;
	struct rules		 r;
	struct merkle_tree	 tree;
	struct sig_key		*log, *iss;
	const char		*origin, *mode;
	uint64_t		 time;
	struct buf		 out;
};

static int
is(const struct gen *g, const char *mode)
{
	return strcmp(g->mode, mode) == 0;
}

static void
h32(uint8_t out[32], const char *s)
{
	merkle_sha256(out, s, strlen(s));
}

/* Append the final leaf bytes: store them, grow the tree, chain on them. */
static void
append(struct gen *g, const uint8_t *p, size_t len)
{
	struct merkle_node	nodes[MERKLE_MAX_LEVELS];
	uint8_t			hash[32];
	uint64_t		index = g->tree.size;
	size_t			n, i;

	merkle_leaf_hash(hash, p, len);
	if (store_leaf_put(g->txn, index, p, len) != LD_OK ||
	    merkle_tree_append(&g->tree, hash, nodes, &n) != MERKLE_OK)
		fatalx("cannot append leaf %llu", (unsigned long long)index);
	for (i = 0; i < n; i++)
		if (store_node_put(g->txn, nodes[i].level, nodes[i].index,
		    nodes[i].hash) != LD_OK)
			fatalx("cannot store a node");
	/* The next leaf chains to these bytes, whatever they are. */
	memcpy(g->r.head.prev, hash, 32);
	g->r.head.size = index + 1;
}

/* Re-encode a decoded leaf into g->out. */
static void
reencode(struct gen *g, const struct entry_leaf *l)
{
	buf_reset(&g->out);
	if (codec_leaf_encode(l, &g->out) != LD_OK)
		fatalx("cannot encode leaf %llu", (unsigned long long)l->index);
}

/* The issuer leaf the rules would build for reg without their checks. */
static void
forge_issuer(struct gen *g, const struct entry_issuer *reg)
{
	struct rules_issuer_state	st;
	struct entry_leaf		l;

	memset(&l, 0, sizeof(l));
	l.kind = KIND_ISSUER;
	l.index = g->r.head.size;
	l.time = g->time;
	memcpy(l.prev, g->r.head.prev, 32);
	l.totals = g->r.head.totals;
	l.totals.count[KIND_ISSUER]++;
	l.u.issuer = *reg;
	reencode(g, &l);
	g->r.head.time = l.time;
	g->r.head.totals = l.totals;
	append(g, g->out.p, g->out.len);
	memset(&st, 0, sizeof(st));
	st.reg = *reg;
	st.reg_index = l.index;
	st.ctr.prev = NO_INDEX;
	if (rules_store_ops.issuer_put(g->txn, &st) != LD_OK)
		fatalx("cannot store the issuer");
}

static void
issuer(struct gen *g, const char *id, const char *name, struct sig_key *k)
{
	struct entry_issuer	reg;
	struct ld_error	e;
	uint8_t			h[32];

	memset(&reg, 0, sizeof(reg));
	STR_SET(reg.id, id, strlen(id));
	STR_SET(reg.name, name, strlen(name));
	memcpy(reg.pub, sig_key_pub(k), 32);
	if (is(g, "weak-key"))
		memcpy(reg.pub, identity, 32);
	buf_reset(&g->out);
	if (rules_issuer(&g->r, g->time, &reg, &g->out, h, &e) == LD_OK) {
		append(g, g->out.p, g->out.len);
		return;
	}
	if (!is(g, "weak-key") || strcmp(e.rule, "weak-key") != 0)
		fatalx("issuer: %s: %s", e.rule, e.msg);
	forge_issuer(g, &reg);
}

static void
method(struct gen *g, const char *id, uint64_t gpu, uint64_t max_event,
    uint64_t max_day)
{
	struct entry_method	m;
	struct ld_error	e;
	uint8_t			h[32];

	memset(&m, 0, sizeof(m));
	STR_SET(m.id, id, strlen(id));
	STR_SET(m.activity, "public transport ride", 21);
	STR_SET(m.unit, "ride", 4);
	STR_SET(m.reference, "mklog test methodology", 22);
	m.grams_per_unit = gpu;
	m.max_event = max_event;
	m.max_day = max_day;
	m.valid_from = VALID_FROM;
	m.max_age = MAX_AGE;
	buf_reset(&g->out);
	if (rules_method(&g->r, g->time, &m, &g->out, h, &e) != LD_OK)
		fatalx("method: %s: %s", e.rule, e.msg);
	append(g, g->out.p, g->out.len);
}

static struct entry_sub
credit(const char *account, const char *meth, uint64_t units, uint64_t grams,
    const char *dedup, const char *evidence)
{
	struct entry_sub	s;

	memset(&s, 0, sizeof(s));
	s.kind = KIND_CREDIT;
	STR_SET(s.account, account, strlen(account));
	STR_SET(s.method, meth, strlen(meth));
	s.units = units;
	s.grams = grams;
	s.day = DAY;
	h32(s.dedup, dedup);
	if (evidence != NULL) {
		s.has_evidence = 1;
		h32(s.evidence, evidence);
	}
	return s;
}

static struct entry_sub
retire(const char *account, uint64_t grams, const char *dedup)
{
	struct entry_sub	s;

	memset(&s, 0, sizeof(s));
	s.kind = KIND_RETIRE;
	STR_SET(s.account, account, strlen(account));
	s.grams = grams;
	STR_SET(s.text, "Green Bud Points marketplace", 28);
	s.day = DAY;
	h32(s.dedup, dedup);
	return s;
}

static struct entry_sub
reverse(uint64_t target, const char *dedup)
{
	struct entry_sub	s;

	memset(&s, 0, sizeof(s));
	s.kind = KIND_REVERSE;
	s.target = target;
	STR_SET(s.text, "ride cancelled", 14);
	s.day = DAY;
	h32(s.dedup, dedup);
	return s;
}

/*
 * The leaf the rules would build for s if they skipped their checks, and
 * the state it leaves (what an auditor adopts from a leaf it flags).
 */
static void
forge_entry(struct gen *g, const char *iss, uint64_t batch, uint32_t pos,
    const struct entry_sub *s)
{
	const struct rules_ops	*ops = &rules_store_ops;
	struct rules_issuer_state	 ist;
	struct entry_account_ctr	 a;
	struct entry_leaf		 l, t;
	const uint8_t		*p;
	const char		*account = s->account.s;
	char			 acc[ACCOUNT_MAX + 1];
	uint8_t			 dk[16];
	uint64_t		 grams = s->grams, day = 0, v;
	size_t			 len;
	int			 known;

	memset(&l, 0, sizeof(l));
	l.kind = s->kind;
	l.index = g->r.head.size;
	l.time = g->time;
	memcpy(l.prev, g->r.head.prev, 32);
	l.totals = g->r.head.totals;
	l.totals.count[s->kind]++;
	STR_SET(l.u.e.issuer, iss, strlen(iss));
	l.u.e.batch = batch;
	l.u.e.pos = pos;
	l.u.e.sub = *s;
	known = ops->issuer_get(g->txn, iss, &ist) == LD_OK;
	if (!known) {
		memset(&ist, 0, sizeof(ist));
		ist.ctr.prev = NO_INDEX;
	}
	if (s->kind == KIND_REVERSE) {
		if (ops->leaf_get(g->txn, s->target, &p, &len) != LD_OK ||
		    codec_leaf_decode(p, len, &t) != LD_OK ||
		    t.kind != KIND_CREDIT)
			fatalx("forge: reversal target is not a credit");
		grams = t.u.e.sub.grams;
		snprintf(acc, sizeof(acc), "%s", t.u.e.sub.account.s);
		account = acc;
		entry_leaf_free(&t);
	}
	if (ops->account_get(g->txn, iss, account, &a) != LD_OK) {
		memset(&a, 0, sizeof(a));
		a.prev = NO_INDEX;
	}
	switch (s->kind) {
	case KIND_CREDIT:
		a.credited += grams;
		ist.ctr.credited += grams;
		l.totals.credited += grams;
		break;
	case KIND_RETIRE:
		a.retired += grams;
		ist.ctr.retired += grams;
		l.totals.retired += grams;
		break;
	default:
		a.reversed += grams;
		ist.ctr.reversed += grams;
		l.totals.reversed += grams;
		break;
	}
	l.u.e.acct = a;
	l.u.e.iss = ist.ctr;
	reencode(g, &l);
	g->r.head.time = l.time;
	g->r.head.totals = l.totals;
	append(g, g->out.p, g->out.len);
	/* The state, as adopting this leaf makes it. */
	if (ops->dedup_get(g->txn, s->dedup, &v) == LD_ENOTFOUND)
		ops->dedup_put(g->txn, s->dedup, l.index);
	if (s->kind == KIND_CREDIT) {
		rules_day_key(iss, account, s->method.s, s->day, dk);
		if (ops->day_get(g->txn, dk, &day) != LD_OK)
			day = 0;
		ops->day_put(g->txn, dk, day + grams < day ? UINT64_MAX :
		    day + grams);
	}
	if (s->kind == KIND_REVERSE)
		ops->reversal_put(g->txn, s->target, l.index);
	a.prev = l.index;
	ops->account_put(g->txn, iss, account, &a);
	if (known) {
		ist.ctr.prev = l.index;
		ops->issuer_put(g->txn, &ist);
	}
}

/* The tampered entry X: which rule it breaks, if it breaks one. */
static const char *
x_rule(const struct gen *g)
{
	static const char *const rule[] = { "over-cap-event", "over-cap-day",
	    "factor-mismatch", "duplicate-dedup", "overspent", "bad-reversal",
	    "unknown-issuer", "unknown-method", "overflow", "future-day",
	    "event-too-old", "before-method", NULL };
	size_t	i;

	for (i = 0; rule[i] != NULL; i++)
		if (is(g, rule[i]))
			return rule[i];
	return NULL;
}

static void
entry(struct gen *g, const char *iss, uint64_t batch, uint32_t pos,
    const struct entry_sub *s, const char *breaks)
{
	struct ld_error	e;
	struct entry_leaf		l;
	uint8_t			h[32];
	uint64_t		t = g->time;
	int			rc;

	/* The last leaf integrated years ahead: the rules allow it (time
	 * only grows), an auditor's clock does not. */
	if (g->r.head.size == LAST_INDEX && is(g, "future-time"))
		t = FUTURE_T;
	buf_reset(&g->out);
	rc = rules_entry(&g->r, t, iss, batch, pos, s, &g->out, h, &e);
	if (breaks != NULL) {
		/* The real rules must refuse it, with exactly that rule. */
		if (rc == LD_OK || strcmp(e.rule, breaks) != 0)
			fatalx("entry %llu: expected rule %s to refuse it, got "
			    "%s", (unsigned long long)g->r.head.size, breaks,
			    rc == LD_OK ? "success" : e.rule);
		forge_entry(g, iss, batch, pos, s);
		return;
	}
	if (rc != LD_OK)
		fatalx("entry %llu: %s: %s", (unsigned long long)g->r.head.size,
		    e.rule, e.msg);
	if ((g->r.head.size - 1 == X_INDEX && (is(g, "counter-mismatch") ||
	    is(g, "counter-reversals") || is(g, "chain-break"))) ||
	    (g->r.head.size - 1 == LAST_INDEX && is(g, "counter-issuer"))) {
		if (codec_leaf_decode(g->out.p, g->out.len, &l) != LD_OK)
			fatalx("cannot decode leaf");
		if (is(g, "counter-mismatch") || is(g, "counter-reversals")) {
			if (is(g, "counter-mismatch"))
				l.totals.credited += 1000;
			else
				l.totals.count[KIND_REVERSE] += 1;
			/* Later leaves build on the inflated totals. */
			g->r.head.totals = l.totals;
		} else if (is(g, "counter-issuer"))
			l.u.e.iss.credited += 1000;
		else
			l.prev[0] ^= 0x01;
		reencode(g, &l);
		entry_leaf_free(&l);
	}
	if (g->r.head.size - 1 == LAST_INDEX && is(g, "not-canonical")) {
		/* The version as cc 02 instead of 02: same value, longer. */
		struct buf	b = { 0 };

		if (g->out.len < 2 || g->out.p[1] != LEAF_VERSION)
			fatalx("unexpected leaf");
		buf_add(&b, g->out.p, 1);
		buf_add(&b, "\xcc\x02", 2);
		buf_add(&b, g->out.p + 2, g->out.len - 2);
		buf_free(&g->out);
		g->out = b;
	}
	append(g, g->out.p, g->out.len);
}

/*
 * A method registration as a version 1 log wrote it: version 1, and the
 * registration array(7) without valid_from and max_event_age_days.
 */
static void
old_method(struct gen *g)
{
	struct buf	b = { 0 };
	struct entry_totals	t = g->r.head.totals;

	t.count[KIND_METHOD]++;
	codec_put_array(&b, 7);
	codec_put_u64(&b, 1);
	codec_put_u64(&b, KIND_METHOD);
	codec_put_u64(&b, g->r.head.size);
	codec_put_u64(&b, g->time);
	codec_put_bin(&b, g->r.head.prev, 32);
	codec_put_array(&b, 7);
	codec_put_cstr(&b, "bike.v1");
	codec_put_cstr(&b, "bike ride");
	codec_put_cstr(&b, "ride");
	codec_put_u64(&b, 120);
	codec_put_u64(&b, 240);
	codec_put_u64(&b, 480);
	codec_put_cstr(&b, "mklog test methodology");
	codec_put_array(&b, 3 + KIND_MAX);
	codec_put_u64(&b, t.credited);
	codec_put_u64(&b, t.retired);
	codec_put_u64(&b, t.reversed);
	codec_put_u64(&b, t.count[1]);
	codec_put_u64(&b, t.count[2]);
	codec_put_u64(&b, t.count[3]);
	codec_put_u64(&b, t.count[4]);
	codec_put_u64(&b, t.count[5]);
	codec_put_u64(&b, t.count[6]);
	append(g, b.p, b.len);
	buf_free(&b);
}

/* A signed batch of issuer city and its entries. */
static void
batch(struct gen *g, const struct entry_sub *subs, uint32_t n, uint32_t x_pos,
    int flip)
{
	struct entry_batch	b;
	struct ld_error	e;
	struct buf		msg = { 0 };
	uint8_t			h[32];
	uint64_t		bi;
	uint32_t		i;

	memset(&b, 0, sizeof(b));
	STR_SET(b.issuer, "city", 4);
	b.n = n;
	rules_batch_root(subs, n, b.root);
	rules_batch_message(g->origin, "city", n, b.root, &msg);
	if (is(g, "weak-key")) {
		/* [0]B = R + [k]A for any k: "signed" without a key. */
		memset(b.sig, 0, sizeof(b.sig));
		memcpy(b.sig, identity, 32);
	} else if (sig_sign(g->iss, msg.p, msg.len, b.sig) != LD_OK)
		fatalx("cannot sign the batch");
	buf_free(&msg);
	if (flip)
		b.sig[17] ^= 0x04;
	buf_reset(&g->out);
	if (rules_batch(&g->r, g->time, &b, &g->out, h, &e) != LD_OK)
		fatalx("batch: %s: %s", e.rule, e.msg);
	bi = g->r.head.size - 1;
	append(g, g->out.p, g->out.len);
	for (i = 0; i < n; i++) {
		struct entry_sub	other = subs[i];

		/* The batch's last entry left out of the log. */
		if (i == n - 1 && x_pos != UINT32_MAX &&
		    is(g, "missing-entry"))
			break;
		/* An entry the issuer did not sign, valid by every rule. */
		if (i == x_pos && is(g, "unsigned-entry")) {
			other.units = 2;
			other.grams = 160;
		}
		entry(g, i == x_pos && is(g, "unknown-issuer") ? "ghost" :
		    "city", bi, i, &other, i == x_pos ? x_rule(g) : NULL);
	}
}

static void
build(struct gen *g)
{
	struct entry_sub	a[5], b[4], x;

	g->time = T0;
	issuer(g, "city", "City Green Points", g->iss);
	method(g, "transit.bus.v1", 80, 239, 319);
	g->time = T0 + 60;
	a[0] = credit("u-1", "transit.bus.v1", 1, 80, "a0", "ev-a0");
	a[1] = credit("u-2", "transit.bus.v1", 2, 160, "a1", NULL);
	a[2] = credit("u-1", "transit.bus.v1", 1, 80, "a2", "ev-a2");
	a[3] = retire("u-1", 100, "a3");
	a[4] = reverse(4, "a4");
	batch(g, a, 5, UINT32_MAX, 0);
	/* X, the entry at leaf 10 (position 1 of batch B). */
	x = credit("u-4", "transit.bus.v1", 1, 80, "b1", NULL);
	if (is(g, "over-cap-event"))
		x = credit("u-4", "transit.bus.v1", 3, 240, "b1", NULL);
	else if (is(g, "over-cap-day"))
		x = credit("u-1", "transit.bus.v1", 2, 160, "b1", NULL);
	else if (is(g, "factor-mismatch"))
		x = credit("u-4", "transit.bus.v1", 1, 100, "b1", NULL);
	else if (is(g, "duplicate-dedup"))
		x = credit("u-4", "transit.bus.v1", 1, 80, "a0", NULL);
	else if (is(g, "duplicate-evidence"))
		x = credit("u-4", "transit.bus.v1", 1, 80, "b1", "ev-a0");
	else if (is(g, "overspent"))
		x = retire("u-1", 500, "b1");
	else if (is(g, "bad-reversal"))
		x = reverse(4, "b1");
	else if (is(g, "unknown-method"))
		x = credit("u-4", "bike.v1", 1, 80, "b1", NULL);
	else if (is(g, "overflow"))
		x = credit("u-4", "transit.bus.v1", 1ULL << 62, 80, "b1", NULL);
	else if (is(g, "future-day")) {
		x = credit("u-4", "transit.bus.v1", 1, 80, "b1", NULL);
		x.day = DAY + 1;
	} else if (is(g, "event-too-old")) {
		x = credit("u-4", "transit.bus.v1", 1, 80, "b1", NULL);
		x.day = DAY - MAX_AGE - 1;
	} else if (is(g, "before-method")) {
		x = credit("u-4", "transit.bus.v1", 1, 80, "b1", NULL);
		x.day = VALID_FROM - 1;
	}
	g->time = T0 + 120;
	b[0] = credit("u-3", "transit.bus.v1", 1, 80, "b0", NULL);
	b[1] = x;
	b[2] = credit("u-3", "transit.bus.v1", 1, 80, "b2", NULL);
	b[3] = retire("u-3", 40, "b3");
	batch(g, b, 4, 1, is(g, "bad-signature"));
	if (is(g, "old-version"))
		old_method(g);
}

/* mkdir -p the parents of path. */
static void
mkparents(const char *path)
{
	char	*d = xstrdup(path), *s;

	for (s = strchr(d + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(d, 0755) != 0 && errno != EEXIST)
			fatal("mkdir %s", d);
		*s = '/';
	}
	free(d);
}

/* One tile (hashes or an entry bundle) as ledgerd export writes it. */
static void
write_tile(struct gen *g, const char *dir, int level, uint64_t n, unsigned w)
{
	struct merkle_tile	 tile = { level, n, w };
	struct buf		 b = { 0 };
	char			 rel[MERKLE_TILE_PATH_MAX], *path;
	const uint8_t		*p;
	uint8_t			 h[32], lp[2];
	size_t			 len;
	unsigned		 i;

	if (merkle_tile_path(&tile, rel, sizeof(rel)) != MERKLE_OK)
		fatalx("bad tile");
	for (i = 0; i < w; i++) {
		if (level == MERKLE_TILE_ENTRIES) {
			if (store_leaf_get(g->txn, n * 256 + i, &p, &len) !=
			    LD_OK)
				fatalx("no leaf");
			lp[0] = (uint8_t)(len >> 8);
			lp[1] = (uint8_t)len;
			buf_add(&b, lp, 2);
			buf_add(&b, p, len);
		} else {
			if (store_node_get(g->txn, 8 * (unsigned)level,
			    n * 256 + i, h) != LD_OK)
				fatalx("no node");
			buf_add(&b, h, 32);
		}
	}
	path = xasprintf("%s/%s", dir, rel);
	mkparents(path);
	if (file_write(path, b.p, b.len, 0644, 0) != LD_OK)
		fatalx("cannot write %s", path);
	free(path);
	buf_free(&b);
}

static void
write_log(struct gen *g, const char *dir)
{
	struct checkpoint	 c;
	struct merkle_proof	 proof;
	struct buf		 text = { 0 }, note = { 0 };
	const uint8_t		*lp;
	size_t			 len;
	uint64_t		 size = g->tree.size, full, k;
	unsigned		 partial, levels;
	char			*path;
	int			 level;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		fatal("mkdir %s", dir);
	levels = merkle_tile_levels(size);
	for (level = MERKLE_TILE_ENTRIES; level < (int)levels; level++) {
		merkle_tile_count(size, level < 0 ? 0 : (unsigned)level,
		    &full, &partial);
		for (k = 0; k < full; k++)
			write_tile(g, dir, level, k, MERKLE_TILE_WIDTH);
		if (partial > 0)
			write_tile(g, dir, level, full, partial);
	}
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", g->origin);
	c.size = size;
	merkle_tree_root(&g->tree, c.root);
	checkpoint_format(&c, &text);
	if (is(g, "extension-line")) {
		/* The same checkpoint without it, for a mirror to hold. */
		if (note_sign((char *)text.p, text.len, g->log, &note) !=
		    LD_OK)
			fatalx("cannot sign the checkpoint");
		path = xasprintf("%s/checkpoint.plain", dir);
		if (file_write(path, note.p, note.len, 0644, 0) != LD_OK)
			fatalx("cannot write %s", path);
		free(path);
		buf_reset(&note);
		buf_printf(&text, "extension: a line this log never writes\n");
	}
	if (note_sign((char *)text.p, text.len, g->log, &note) != LD_OK)
		fatalx("cannot sign the checkpoint");
	path = xasprintf("%s/checkpoint", dir);
	if (file_write(path, note.p, note.len, 0644, 0) != LD_OK)
		fatalx("cannot write %s", path);
	free(path);
	/* A receipt of leaf 3 (a credit) carrying that checkpoint. */
	if (store_leaf_get(g->txn, 3, &lp, &len) != LD_OK ||
	    merkle_prove_inclusion(store_node_fn, g->txn, 3, size, &proof) !=
	    MERKLE_OK)
		fatalx("cannot prove leaf 3");
	buf_reset(&text);
	tlog_proof_format(lp, len, 3, &proof, (char *)note.p, note.len, &text);
	path = xasprintf("%s/receipt-3.tlog-proof", dir);
	if (file_write(path, text.p, text.len, 0644, 0) != LD_OK)
		fatalx("cannot write %s", path);
	free(path);
	buf_free(&text);
	buf_free(&note);
}

/* The scratch store's directory, removed at exit. */
static char	*scratch;

static void
scratch_remove(void)
{
	char	*f;

	if (scratch == NULL)
		return;
	f = xasprintf("%s/data.mdb", scratch);
	unlink(f);
	free(f);
	f = xasprintf("%s/lock.mdb", scratch);
	unlink(f);
	free(f);
	rmdir(scratch);
	free(scratch);
	scratch = NULL;
}

static void
usage(void)
{
	size_t	i;

	fprintf(stderr, "usage: mklog --out DIR --origin ORIGIN --key-out "
	    "KEYFILE --tamper MODE\nmodes:");
	for (i = 0; modes[i] != NULL; i++)
		fprintf(stderr, " %s", modes[i]);
	fputc('\n', stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	struct gen	 g;
	char		*vkey, *f;
	const char	*tmp = getenv("TMPDIR");
	const char	*out = NULL, *keyout = NULL, *tamper = NULL;
	int		 i, known = 0;

	log_init("mklog", 1);
	memset(&g, 0, sizeof(g));
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--out") == 0)
			out = argv[i + 1];
		else if (strcmp(argv[i], "--origin") == 0)
			g.origin = argv[i + 1];
		else if (strcmp(argv[i], "--key-out") == 0)
			keyout = argv[i + 1];
		else if (strcmp(argv[i], "--tamper") == 0)
			tamper = argv[i + 1];
		else
			usage();
	}
	if (i != argc || out == NULL || g.origin == NULL || keyout == NULL)
		usage();
	g.mode = tamper != NULL ? tamper : "none";
	for (i = 0; modes[i] != NULL; i++)
		known |= strcmp(modes[i], g.mode) == 0;
	if (!known)
		usage();
	if (sig_keygen(g.origin, SIG_TYPE_ED25519, &g.log) != LD_OK ||
	    sig_keygen("city", SIG_TYPE_ED25519, &g.iss) != LD_OK)
		fatalx("cannot make keys (is %s a key name?)", g.origin);
	/* The rules' state: a scratch LMDB store, never committed. */
	f = xasprintf("%s/mklog.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	if (mkdtemp(f) == NULL)
		fatal("mkdtemp %s", f);
	scratch = f;
	atexit(scratch_remove);
	if (store_open(&g.st, scratch, 64ULL << 20, 0) != LD_OK ||
	    store_begin(g.st, 0, &g.txn) != LD_OK)
		fatalx("cannot open a scratch store in %s", scratch);
	rules_init(&g.r, &rules_store_ops, g.txn, NULL);
	merkle_tree_init(&g.tree);
	build(&g);
	write_log(&g, out);
	vkey = sig_vkey(g.log);
	f = xasprintf("%s\n", vkey);
	if (file_write(keyout, f, strlen(f), 0644, 0) != LD_OK)
		fatalx("cannot write %s", keyout);
	printf("%s: %llu leaves (%s)\n", out, (unsigned long long)g.tree.size,
	    g.mode);
	free(f);
	free(vkey);
	store_abort(g.txn);
	store_close(g.st);
	scratch_remove();
	sig_key_free(g.log);
	sig_key_free(g.iss);
	buf_free(&g.out);
	return 0;
}
