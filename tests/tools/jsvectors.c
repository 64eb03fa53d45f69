/* jsvectors.c - the C verdicts the JavaScript library must reproduce. */
/*
 *	jsvectors leaves			> leaves.json
 *	jsvectors merkle MAXSIZE		> merkle.json
 *	jsvectors policy			> policy.json
 *	jsvectors receipts VKEY|--policy FILE RECEIPT... > receipts.json
 *
 * Writes JSON vectors for tests/e2e/js.sh and tests/js/verify.test.mjs, each
 * with the C code's verdict: "leaves" every leaf kind (codec_leaf_encode)
 * and every single-bit flip of each, with codec_leaf_decode's verdict and
 * the fields it decoded; "merkle" inclusion and consistency proofs of
 * every index and size pair up to MAXSIZE (merkle_prove_*), each also
 * tampered (a flipped bit, a hash more or less, another index or size),
 * with merkle_verify_*'s verdict; "policy" checkpoints signed by a log
 * and cosigned by witnesses, policies over them (some invalid) and
 * receipts of a small log of canonical leaves under them, with
 * policy_parse's and trust_open's verdicts; "receipts" each receipt file
 * and every single-bit flip of it, with client_verify_receipt's verdict
 * (what `ledger verify` says) as a string of 0 and 1, one per bit.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "checkpoint.h"
#include "client.h"
#include "codec.h"
#include "entry.h"
#include "err.h"
#include "file.h"
#include "merkle.h"
#include "note.h"
#include "policy.h"
#include "sig.h"
#include "tlog_proof.h"
#include "trust.h"
#include "xmalloc.h"

#define CS(b)	((const char *)(b).p)
#define SET_CSTR(f, s)	STR_SET(f, s, strlen(s))

static void	pjstr(const char *, size_t);

static void
phex(const void *p, size_t n)
{
	const uint8_t	*b = p;
	size_t		 i;

	putchar('"');
	for (i = 0; i < n; i++)
		printf("%02x", b[i]);
	putchar('"');
}

/* A JSON string of arbitrary bytes, as hex. */
static void
kv_hex(const char *k, const void *p, size_t n)
{
	printf("\"%s\":", k);
	phex(p, n);
	putchar(',');
}

static void
kv_u64(const char *k, uint64_t v)
{
	printf("\"%s\":\"%" PRIu64 "\",", k, v);
}

static void
kv_idx(const char *k, uint64_t v)
{
	if (v == NO_INDEX)
		printf("\"%s\":\"nil\",", k);
	else
		kv_u64(k, v);
}

/* The fields of a decoded leaf, every value a string (text as hex). */
static void
dump_leaf(const struct entry_leaf *l)
{
	const struct entry_sub	*s = &l->u.e.sub;
	uint32_t		 i;

	printf("{\"kind\":\"%s\",", entry_kind_name(l->kind));
	kv_u64("index", l->index);
	kv_u64("time", l->time);
	kv_hex("prev", l->prev, 32);
	switch (l->kind) {
	case KIND_ISSUER:
		kv_hex("id", l->u.issuer.id.s, l->u.issuer.id.len);
		kv_hex("name", l->u.issuer.name.s, l->u.issuer.name.len);
		kv_hex("key", l->u.issuer.pub, 32);
		break;
	case KIND_METHOD:
		kv_hex("id", l->u.method.id.s, l->u.method.id.len);
		kv_hex("activity", l->u.method.activity.s,
		    l->u.method.activity.len);
		kv_hex("unit", l->u.method.unit.s, l->u.method.unit.len);
		kv_u64("g", l->u.method.grams_per_unit);
		kv_u64("max_event", l->u.method.max_event);
		kv_u64("max_day", l->u.method.max_day);
		kv_u64("valid_from", l->u.method.valid_from);
		kv_u64("max_age", l->u.method.max_age);
		kv_hex("reference", l->u.method.reference.s,
		    l->u.method.reference.len);
		break;
	case KIND_BATCH:
		kv_hex("issuer", l->u.batch.issuer.s, l->u.batch.issuer.len);
		kv_u64("n", l->u.batch.n);
		kv_hex("root", l->u.batch.root, 32);
		kv_hex("sig", l->u.batch.sig, 64);
		printf("\"runs\":\"");
		for (i = 0; i < l->u.batch.nruns; i++)
			printf("%" PRIu32 ":%" PRIu32 ":%" PRIu64 ";",
			    l->u.batch.runs[i].pos, l->u.batch.runs[i].count,
			    l->u.batch.runs[i].index);
		printf("\",");
		break;
	default:
		kv_hex("issuer", l->u.e.issuer.s, l->u.e.issuer.len);
		kv_u64("batch", l->u.e.batch);
		kv_u64("pos", l->u.e.pos);
		if (s->kind != KIND_REVERSE)
			kv_hex("account", s->account.s, s->account.len);
		if (s->kind == KIND_CREDIT) {
			kv_hex("method", s->method.s, s->method.len);
			kv_u64("units", s->units);
		}
		if (s->kind != KIND_REVERSE)
			kv_u64("grams", s->grams);
		if (s->kind == KIND_REVERSE)
			kv_u64("target", s->target);
		if (s->kind != KIND_CREDIT)
			kv_hex("text", s->text.s, s->text.len);
		kv_u64("day", s->day);
		kv_hex("dedup", s->dedup, 32);
		if (s->kind == KIND_CREDIT) {
			if (s->has_evidence)
				kv_hex("evidence", s->evidence, 32);
			else
				printf("\"evidence\":\"nil\",");
		}
		kv_u64("acct_credited", l->u.e.acct.credited);
		kv_u64("acct_retired", l->u.e.acct.retired);
		kv_u64("acct_reversed", l->u.e.acct.reversed);
		kv_idx("acct_prev", l->u.e.acct.prev);
		kv_u64("iss_credited", l->u.e.iss.credited);
		kv_u64("iss_retired", l->u.e.iss.retired);
		kv_u64("iss_reversed", l->u.e.iss.reversed);
		kv_idx("iss_prev", l->u.e.iss.prev);
		break;
	}
	printf("\"totals\":\"%" PRIu64 ",%" PRIu64 ",%" PRIu64,
	    l->totals.credited, l->totals.retired, l->totals.reversed);
	for (i = 1; i <= KIND_MAX; i++)
		printf(",%" PRIu64, l->totals.count[i]);
	printf("\"}");
}

static void
fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t	i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* Leaf number i of a small valid set: every kind, integers of every
 * width, text of every str header, nil and non-nil optionals. */
static int
sample_leaf(int i, struct entry_leaf *l)
{
	static struct entry_dup_run	runs[2] = { { 0, 2, 5 }, { 3, 1, 300 } };
	static const uint64_t	big[] = { 0, 127, 128, 255, 256, 65535,
		65536, 4294967295ULL, 4294967296ULL, UINT64_MAX - 1 };
	struct entry_sub	*s = &l->u.e.sub;
	char			 text[300];
	uint64_t		 v = big[i % 10];

	memset(l, 0, sizeof(*l));
	memset(text, 'x', sizeof(text));
	l->index = v;
	l->time = 1719820873 + (uint64_t)i;
	fill(l->prev, 32, (uint8_t)i);
	l->totals.credited = v;
	l->totals.retired = big[(i + 3) % 10];
	l->totals.reversed = big[(i + 5) % 10];
	l->totals.count[1] = 1;
	l->totals.count[2] = 2;
	l->totals.count[3] = big[(i + 1) % 10];
	l->totals.count[4] = 300;
	l->totals.count[5] = 70000;
	l->totals.count[6] = 0;
	switch (i % 8) {
	case 0:
		l->kind = KIND_ISSUER;
		STR_SET(l->u.issuer.id, "city", 4);
		SET_CSTR(l->u.issuer.name, "City of \xe5\x8c\x97\xe4\xba\xac "
		    "transit programme with a longer name");
		fill(l->u.issuer.pub, 32, 9);
		break;
	case 1:
		l->kind = KIND_METHOD;
		STR_SET(l->u.method.id, "transit.bus.v1", 14);
		STR_SET(l->u.method.activity, "public transport ride", 21);
		STR_SET(l->u.method.unit, "ride", 4);
		l->u.method.grams_per_unit = 80;
		l->u.method.max_event = 200;
		l->u.method.max_day = 70000;
		l->u.method.valid_from = 19723;
		l->u.method.max_age = 36500;
		STR_SET(l->u.method.reference, text, 300);
		break;
	case 2:
		l->kind = KIND_BATCH;
		STR_SET(l->u.batch.issuer, "city", 4);
		l->u.batch.n = 12;
		fill(l->u.batch.root, 32, 3);
		fill(l->u.batch.sig, 64, 4);
		l->u.batch.nruns = i == 2 ? 0 : 2;
		l->u.batch.runs = runs;
		break;
	case 3:
	case 6:
		l->kind = KIND_CREDIT;
		s->kind = KIND_CREDIT;
		STR_SET(s->account, "u-1:a~b", 7);
		STR_SET(s->method, "transit.bus.v1", 14);
		s->units = 1;
		s->grams = 80 + v % 1000;
		s->has_evidence = i % 8 == 6;
		fill(s->evidence, 32, 5);
		break;
	case 4:
	case 7:
		l->kind = KIND_RETIRE;
		s->kind = KIND_RETIRE;
		STR_SET(s->account, "u-2", 3);
		s->grams = 1000000;
		if (i % 8 == 4)
			SET_CSTR(s->text, "Acme Ltd \xe2\x80\x94 2024 report");
		else
			STR_SET(s->text, text, 256);
		break;
	default:
		l->kind = KIND_REVERSE;
		s->kind = KIND_REVERSE;
		s->target = big[(i + 2) % 10];
		STR_SET(s->text, "double counted", 14);
		break;
	}
	if (l->kind >= KIND_CREDIT) {
		STR_SET(l->u.e.issuer, "city", 4);
		l->u.e.batch = v / 2;
		l->u.e.pos = (uint32_t)(v & 0xffff);
		s->day = 19905;
		fill(s->dedup, 32, 6);
		l->u.e.acct.credited = v;
		l->u.e.acct.retired = 3;
		l->u.e.acct.reversed = 0;
		l->u.e.acct.prev = i % 2 ? NO_INDEX : v / 3;
		l->u.e.iss.credited = 400;
		l->u.e.iss.retired = 0;
		l->u.e.iss.reversed = 1;
		l->u.e.iss.prev = i % 3 ? NO_INDEX : 7;
	}
	return LD_OK;
}

static void
leaf_vector(const uint8_t *p, size_t len, int *first)
{
	struct entry_leaf	l;
	int			ok;

	ok = codec_leaf_decode(p, len, &l) == LD_OK;
	printf("%s{\"hex\":", *first ? "" : ",\n");
	*first = 0;
	phex(p, len);
	printf(",\"ok\":%s", ok ? "true" : "false");
	if (ok) {
		printf(",\"fields\":");
		dump_leaf(&l);
		entry_leaf_free(&l);
	}
	putchar('}');
}

static int
cmd_leaves(void)
{
	static const char *const bad[] = {
		"9702" "cc01",		/* a uint in a longer form */
		"",			/* empty */
		"c0",			/* not an array */
	};
	struct entry_leaf	l;
	struct buf		b = { 0 };
	uint8_t			*q;
	size_t			 i, bit;
	int			 n, first = 1;

	printf("[\n");
	for (n = 0; n < 24; n++) {
		sample_leaf(n, &l);
		buf_reset(&b);
		if (codec_leaf_encode(&l, &b) != LD_OK) {
			fprintf(stderr, "jsvectors: sample %d does not encode\n",
			    n);
			return 1;
		}
		leaf_vector(b.p, b.len, &first);
		q = xmalloc(b.len + 1);
		/* Every single-bit flip of the first 8 samples (every kind). */
		for (bit = 0; n < 8 && bit < b.len * 8; bit++) {
			memcpy(q, b.p, b.len);
			q[bit / 8] ^= (uint8_t)(1 << (bit % 8));
			leaf_vector(q, b.len, &first);
		}
		/* A byte more, a byte less. */
		memcpy(q, b.p, b.len);
		q[b.len] = 0;
		leaf_vector(q, b.len + 1, &first);
		leaf_vector(q, b.len - 1, &first);
		/* The version 1 leaf: the same with a 1. */
		memcpy(q, b.p, b.len);
		q[1] = 1;
		leaf_vector(q, b.len, &first);
		free(q);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t	raw[64];
		size_t	k, m = strlen(bad[i]) / 2;

		for (k = 0; k < m; k++)
			sscanf(bad[i] + 2 * k, "%2hhx", &raw[k]);
		leaf_vector(raw, m, &first);
	}
	printf("\n]\n");
	buf_free(&b);
	return 0;
}

/* ---- merkle ---------------------------------------------------------- */

struct nodes {
	uint8_t		(*h[MERKLE_MAX_LEVELS])[32];
	uint64_t	 n[MERKLE_MAX_LEVELS];
};

static int
node_get(void *arg, unsigned level, uint64_t index, uint8_t out[32])
{
	struct nodes	*s = arg;

	if (level >= MERKLE_MAX_LEVELS || index >= s->n[level])
		return 1;
	memcpy(out, s->h[level][index], 32);
	return 0;
}

static void
pproof(const struct merkle_proof *p)
{
	size_t	i;

	printf("\"proof\":[");
	for (i = 0; i < p->n; i++) {
		if (i)
			putchar(',');
		phex(p->path[i], 32);
	}
	putchar(']');
}

static int	mfirst = 1;

static void
incl(uint64_t i, uint64_t n, const uint8_t leaf[32], const uint8_t root[32],
    const struct merkle_proof *p, const char *what)
{
	int	ok = merkle_verify_inclusion(i, n, leaf, p, root) == MERKLE_OK;

	printf("%s{\"t\":\"inclusion\",\"what\":\"%s\",\"index\":\"%" PRIu64
	    "\",\"size\":\"%" PRIu64 "\",\"leaf\":", mfirst ? "" : ",\n", what,
	    i, n);
	mfirst = 0;
	phex(leaf, 32);
	printf(",\"root\":");
	phex(root, 32);
	putchar(',');
	pproof(p);
	printf(",\"ok\":%s}", ok ? "true" : "false");
}

static void
cons(uint64_t m, uint64_t n, const uint8_t r1[32], const uint8_t r2[32],
    const struct merkle_proof *p, const char *what)
{
	int	ok = merkle_verify_consistency(m, n, r1, r2, p) == MERKLE_OK;

	printf(",\n{\"t\":\"consistency\",\"what\":\"%s\",\"size1\":\"%" PRIu64
	    "\",\"size2\":\"%" PRIu64 "\",\"root1\":", what, m, n);
	phex(r1, 32);
	printf(",\"root2\":");
	phex(r2, 32);
	putchar(',');
	pproof(p);
	printf(",\"ok\":%s}", ok ? "true" : "false");
}

static int
cmd_merkle(uint64_t max)
{
	struct nodes		 s;
	struct merkle_tree	 t;
	struct merkle_node	 out[MERKLE_MAX_LEVELS];
	struct merkle_proof	 p, q;
	uint8_t			 (*roots)[32], (*leaves)[32], x[32];
	uint64_t		 i, m, n;
	size_t			 k, c, j;
	char			 d[16];

	memset(&s, 0, sizeof(s));
	for (k = 0; k < MERKLE_MAX_LEVELS; k++)
		s.h[k] = xcalloc(max + 1, 32);
	roots = xcalloc(max + 1, 32);
	leaves = xcalloc(max + 1, 32);
	merkle_tree_init(&t);
	for (i = 0; i < max; i++) {
		int l = snprintf(d, sizeof(d), "leaf %" PRIu64, i);

		merkle_leaf_hash(leaves[i], d, (size_t)l);
		merkle_tree_append(&t, leaves[i], out, &c);
		for (k = 0; k < c; k++)
			memcpy(s.h[out[k].level][s.n[out[k].level]++],
			    out[k].hash, 32);
		merkle_tree_root(&t, roots[i + 1]);
	}
	merkle_empty_root(roots[0]);
	printf("[\n");
	for (n = 1; n <= max; n++) {
		/* Every index of the small trees, a few of the larger. */
		for (i = 0; i < n; i += n <= 40 ? 1 : n / 7 + 1) {
			if (merkle_prove_inclusion(node_get, &s, i, n, &p) !=
			    MERKLE_OK)
				return 1;
			incl(i, n, leaves[i], roots[n], &p, "honest");
			for (j = 0; j < p.n; j++) {
				q = p;
				q.path[j][j % 32] ^= (uint8_t)(1 << (j % 8));
				incl(i, n, leaves[i], roots[n], &q, "bit");
			}
			if (p.n > 0) {
				q = p;
				q.n--;
				incl(i, n, leaves[i], roots[n], &q, "short");
			}
			q = p;
			memcpy(q.path[q.n++], leaves[0], 32);
			incl(i, n, leaves[i], roots[n], &q, "long");
			incl(i + 1, n, leaves[i], roots[n], &p, "index+1");
			if (i > 0)
				incl(i - 1, n, leaves[i], roots[n], &p,
				    "index-1");
			incl(i, n + 1, leaves[i], roots[n], &p, "size+1");
			incl(i, n - 1, leaves[i], roots[n], &p, "size-1");
			incl(i, n, leaves[i], roots[n - 1], &p, "old root");
		}
	}
	for (n = 1; n <= max; n++)
		for (m = 0; m <= n; m += n <= 40 ? 1 : n / 5 + 1) {
			if (merkle_prove_consistency(node_get, &s, m, n, &p) !=
			    MERKLE_OK)
				return 1;
			cons(m, n, roots[m], roots[n], &p, "honest");
			for (j = 0; j < p.n; j++) {
				q = p;
				q.path[j][31 - j % 32] ^= (uint8_t)(0x80 >>
				    (j % 8));
				cons(m, n, roots[m], roots[n], &q, "bit");
			}
			if (p.n > 0) {
				q = p;
				q.n--;
				cons(m, n, roots[m], roots[n], &q, "short");
			}
			q = p;
			memcpy(q.path[q.n++], leaves[0], 32);
			cons(m, n, roots[m], roots[n], &q, "long");
			cons(n, m, roots[n], roots[m], &p, "swapped");
			if (m > 0)
				cons(m - 1, n, roots[m], roots[n], &p,
				    "size1-1");
			cons(m, n + 1, roots[m], roots[n], &p, "size2+1");
			memcpy(x, roots[m], 32);
			x[0] ^= 1;
			cons(m, n, x, roots[n], &p, "root1");
		}
	printf("\n]\n");
	for (k = 0; k < MERKLE_MAX_LEVELS; k++)
		free(s.h[k]);
	free(roots);
	free(leaves);
	return 0;
}

/* ---- receipts ----------------------------------------------------------- */

/* client_verify_receipt's verdict: what `ledger verify` says. */
static int
receipt_ok(const char *text, size_t len, const struct trust *t,
    const char **rule)
{
	struct ld_error	e;
	int		rc;

	memset(&e, 0, sizeof(e));
	rc = client_verify_receipt(text, len, t, NULL, NULL, &e);
	if (rule != NULL) {
		static char	r[sizeof(e.rule)];

		snprintf(r, sizeof(r), "%s", e.rule);
		*rule = r;
	}
	return rc == LD_OK;
}

/* {"receipt": base64, "ok", "rule", "flips": "0101..."}; flips is empty
 * unless flip. */
static void
receipt_vector(const char *text, size_t len, const struct trust *t,
    int flip)
{
	const char	*rule;
	char		*q, *b64;
	size_t		 bit;
	int		 ok;

	ok = receipt_ok(text, len, t, &rule);
	b64 = xmalloc(b64_encoded_len(len) + 1);
	b64_encode(b64, text, len);
	printf("{\"receipt\":\"%s\",\"ok\":%s,\"rule\":\"%s\",\"flips\":\"",
	    b64, ok ? "true" : "false", rule);
	free(b64);
	q = xmalloc(len + 1);
	for (bit = 0; flip && bit < len * 8; bit++) {
		memcpy(q, text, len);
		q[bit / 8] ^= (char)(1 << (bit % 8));
		putchar(receipt_ok(q, len, t, NULL) ? '1' : '0');
	}
	free(q);
	printf("\"}");
}

static int
cmd_receipts(int argc, char **argv)
{
	struct sig_key	*log = NULL;
	struct policy	*p = NULL;
	struct trust	 t;
	struct ld_error	 e = { 0 };
	char		*s;
	size_t		 len;
	int		 i, first = 2;

	if (argc >= 2 && strcmp(argv[0], "--policy") == 0) {
		if (policy_load(argv[1], &p, &e) != LD_OK) {
			fprintf(stderr, "jsvectors: %s\n", e.msg);
			return 1;
		}
		first = 2;
	} else if (argc >= 1) {
		if (sig_key_from_vkey(argv[0], strlen(argv[0]), &log) != LD_OK) {
			fprintf(stderr, "jsvectors: bad vkey\n");
			return 1;
		}
		first = 1;
	} else
		return 2;
	if (trust_init(&t, log, p, NULL, &e) != LD_OK) {
		fprintf(stderr, "jsvectors: %s\n", e.msg);
		return 1;
	}
	printf("[\n");
	for (i = first; i < argc; i++) {
		if (file_read(argv[i], 1 << 20, &s, &len) != LD_OK) {
			fprintf(stderr, "jsvectors: cannot read %s\n", argv[i]);
			return 1;
		}
		if (i > first)
			printf(",\n");
		receipt_vector(s, len, &t, 1);
		free(s);
	}
	printf("\n]\n");
	policy_free(p);
	sig_key_free(log);
	return 0;
}

/* ---- verifier keys -------------------------------------------------------- */

/* name+id+base64(type || pub), the ID computed unless id_xor changes it. */
static void
vkey_vector(const char *name, uint8_t type, const uint8_t pub[32],
    uint32_t id_xor, int upper, const char *tail, int *first)
{
	struct sig_key	*k = NULL;
	uint8_t		 raw[33];
	char		 b[45], text[400];
	uint32_t	 id;
	int		 ok;

	raw[0] = type;
	memcpy(raw + 1, pub, 32);
	b64_encode(b, raw, 33);
	id = sig_compute_id(name, strlen(name), type, pub) ^ id_xor;
	snprintf(text, sizeof(text), upper ? "%s+%08X+%s%s" : "%s+%08x+%s%s",
	    name, id, b, tail);
	ok = sig_key_from_vkey(text, strlen(text), &k) == LD_OK;
	sig_key_free(k);
	printf("%s\n{\"text\":", *first ? "" : ",");
	*first = 0;
	pjstr(text, strlen(text));
	printf(",\"ok\":%s}", ok ? "true" : "false");
}

static void
vkeys(const uint8_t good[32])
{
	/* y = 1 (the identity), y = 0, y = p - 1, y = p, y = 2^255 - 1,
	 * an order-8 point, and x = 0 with the sign bit set. */
	static const char *const weak[] = {
		"0100000000000000000000000000000000000000000000000000000000000000",
		"0000000000000000000000000000000000000000000000000000000000000000",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
		"0100000000000000000000000000000000000000000000000000000000000080",
		"0200000000000000000000000000000000000000000000000000000000000000",
	};
	uint8_t		pub[32];
	size_t		i, k;
	int		first = 1;

	printf("\"vkeys\":[");
	vkey_vector("example.org/ok", 1, good, 0, 0, "", &first);
	vkey_vector("witness.example/ok", 4, good, 0, 0, "", &first);
	vkey_vector("example.org/ok", 2, good, 0, 0, "", &first);
	vkey_vector("example.org/ok", 1, good, 1, 0, "", &first);
	vkey_vector("example.org/ok", 1, good, 0, 1, "", &first);
	vkey_vector("example.org/ok", 1, good, 0, 0, "\n", &first);
	vkey_vector("example.org/ok", 1, good, 0, 0, "AAAA", &first);
	vkey_vector("with space", 1, good, 0, 0, "", &first);
	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		for (k = 0; k < 32; k++)
			sscanf(weak[i] + 2 * k, "%2hhx", &pub[k]);
		vkey_vector("example.org/weak", 1, pub, 0, 0, "", &first);
	}
	printf("],\n");
}

/* ---- policies ------------------------------------------------------------ */

#define NW	4

/* The checkpoint note of size n (leaves of sample kinds, index = position)
 * signed by log and cosigned by the witnesses whose bit is set in mask
 * (bit NW: a zero timestamp for witness 0; bit NW+1: spoil witness 1's
 * line by signing another text). */
static void
signed_cp(const char *origin, const uint8_t root[32], uint64_t n,
    const struct sig_key *log, struct sig_key *const *w, unsigned mask,
    struct buf *out)
{
	struct buf	text = { 0 }, other = { 0 }, line = { 0 };
	char		r[45];
	int		i;

	b64_encode(r, root, 32);
	buf_printf(&text, "%s\n%" PRIu64 "\n%s\n", origin, n, r);
	buf_printf(&other, "%s\n%" PRIu64 "\n%s\n", origin, n + 1, r);
	buf_reset(out);
	if (note_sign(CS(text), text.len, log, out) != LD_OK)
		abort();
	for (i = 0; i < NW; i++) {
		if (!(mask & (1u << i)))
			continue;
		buf_reset(&line);
		if (note_cosign(i == 1 && (mask & (1u << (NW + 1))) ?
		    CS(other) : CS(text), text.len, w[i],
		    i == 0 && (mask & (1u << NW)) ? 0 : 1719820873 + (uint64_t)i,
		    &line) != LD_OK)
			abort();
		buf_add(out, line.p, line.len);
	}
	buf_free(&text);
	buf_free(&other);
	buf_free(&line);
}

static void
pjstr(const char *s, size_t len)
{
	char	*b = xmalloc(b64_encoded_len(len) + 1);

	b64_encode(b, s, len);
	printf("\"%s\"", b);
	free(b);
}

static int
cmd_policy(void)
{
	struct sig_key		*log, *log2, *w[NW];
	struct buf		 pol[16], leaf[5], cp = { 0 }, rcpt = { 0 };
	struct merkle_tree	 t;
	struct merkle_proof	 pr;
	struct nodes		 s;
	struct merkle_node	 out[MERKLE_MAX_LEVELS];
	struct entry_leaf	 l;
	uint8_t			 lh[5][32], root[32];
	char			*v[NW + 2], name[32];
	size_t			 c, k, np = 0, i;
	unsigned		 mask;
	int			 first = 1;

	if (sig_keygen("example.org/jslog", SIG_TYPE_ED25519, &log) != LD_OK ||
	    sig_keygen("example.org/other", SIG_TYPE_ED25519, &log2) != LD_OK)
		return 1;
	for (i = 0; i < NW; i++) {
		snprintf(name, sizeof(name), "witness.example/w%zu", i);
		if (sig_keygen(name, SIG_TYPE_COSIGN, &w[i]) != LD_OK)
			return 1;
		v[i] = sig_vkey(w[i]);
	}
	v[NW] = sig_vkey(log);
	v[NW + 1] = sig_vkey(log2);
	memset(pol, 0, sizeof(pol));
#define POL(...)	buf_printf(&pol[np++], __VA_ARGS__)
	POL("log %s\nwitness w0 %s\nwitness w1 %s\nwitness w2 %s\n"
	    "group g 2 w0 w1 w2\nquorum g\n", v[NW], v[0], v[1], v[2]);
	POL("# any one\nlog %s https://log.example\nwitness w0 %s\n"
	    "witness w3 %s\ngroup g any w0 w3\nquorum g\n", v[NW], v[0], v[3]);
	POL("log %s\n\t witness  w1 %s \nwitness w2 %s\nwitness w3 %s\n"
	    "group a all w1 w2\ngroup b 1 a w3\nquorum b\n", v[NW], v[1], v[2],
	    v[3]);
	POL("log %s\nquorum none\n", v[NW]);
	POL("log %s\nlog %s\nwitness w0 %s\nquorum w0\n", v[NW + 1], v[NW],
	    v[0]);
	POL("log %s\nwitness w0 %s\nquorum w0\n", v[NW + 1], v[0]);
	/* Invalid policies. */
	POL("log %s\nwitness w0 %s\nquorum w0", v[NW], v[0]);
	POL("log %s\nwitness w0 %s\nwitness w1 %s\nquorum w0\n", v[NW], v[0],
	    v[0]);
	POL("log %s\nwitness w0 %s\n", v[NW], v[0]);
	POL("log %s\nwitness w0 %s\ngroup g 3 w0\nquorum g\n", v[NW], v[0]);
	POL("log %s\nwitness w0 %s\nquorum w0\nquorum none\n", v[NW], v[0]);
	POL("log %s\nwitness w0 %s\nquorum w0\r\n", v[NW], v[0]);
	POL("log %s\nwitness w0 %s\ngroup g 1 w0\ngroup h 1 w0\nquorum g\n",
	    v[NW], v[0]);
	POL("log %s\nwitness none %s\nquorum none\n", v[NW], v[0]);
	POL("log %s\nwitness w0 %s\nquorum w0\n", v[0], v[NW]);
	POL("log %s\nwitness w0 %s\nfrobnicate\nquorum w0\n", v[NW], v[0]);
#undef POL

	/* A log of five canonical leaves, index = position. */
	memset(&s, 0, sizeof(s));
	for (k = 0; k < MERKLE_MAX_LEVELS; k++)
		s.h[k] = xcalloc(6, 32);
	merkle_tree_init(&t);
	for (i = 0; i < 5; i++) {
		sample_leaf((int)(i + 3), &l);
		/* Leaf 3 claims another index than its position: its
		 * receipt's inclusion holds, its leaf-index check fails. */
		l.index = i == 3 ? 7 : i;
		memset(&leaf[i], 0, sizeof(leaf[i]));
		if (codec_leaf_encode(&l, &leaf[i]) != LD_OK)
			return 1;
		merkle_leaf_hash(lh[i], leaf[i].p, leaf[i].len);
		merkle_tree_append(&t, lh[i], out, &c);
		for (k = 0; k < c; k++)
			memcpy(s.h[out[k].level][s.n[out[k].level]++],
			    out[k].hash, 32);
	}
	merkle_tree_root(&t, root);

	printf("{");
	vkeys(sig_key_pub(log));
	printf("\"policies\":[");
	for (i = 0; i < np; i++) {
		struct policy	*p = NULL;
		struct ld_error	 e = { 0 };
		int		 ok = policy_parse(CS(pol[i]), pol[i].len, &p,
				    &e) == LD_OK;

		printf("%s\n{\"text\":", i ? "," : "");
		pjstr(CS(pol[i]), pol[i].len);
		printf(",\"ok\":%s}", ok ? "true" : "false");
		policy_free(p);
	}
	printf("],\n\"log\":\"%s\",\"other\":\"%s\",\"checkpoints\":[", v[NW],
	    v[NW + 1]);
	/* Every cosigner set, with and without a zero time or a spoiled
	 * line, by the log and by another log. */
	for (mask = 0; mask < (1u << (NW + 2)); mask++) {
		for (k = 0; k < 2; k++) {
			signed_cp(k ? "example.org/other" : "example.org/jslog",
			    root, 5, k ? log2 : log, w, mask, &cp);
			printf("%s\n{\"note\":", first ? "" : ",");
			first = 0;
			pjstr(CS(cp), cp.len);
			printf(",\"verdicts\":[");
			for (i = 0; i < np; i++) {
				struct policy	*p = NULL;
				struct trust	 tr;
				struct trust_cp	 tc;
				struct ld_error	 e = { 0 };
				int		 ok = -1;

				if (policy_parse(CS(pol[i]), pol[i].len, &p,
				    NULL) == LD_OK) {
					ok = trust_init(&tr, NULL, p, NULL,
					    NULL) == LD_OK && trust_open(&tr,
					    CS(cp), cp.len, &tc, &e) == LD_OK;
					policy_free(p);
				}
				printf("%s%d", i ? "," : "", ok);
			}
			printf("]}");
		}
	}
	printf("],\n\"receipts\":[");
	/* Receipts of every leaf under the 2-of-3 policy, cosigned by w0
	 * and w2 (and a zero time on w0's line for the last one); bit flips
	 * of the first and the last. */
	first = 1;
	for (i = 0; i < 5; i++) {
		struct policy	*p = NULL;
		struct trust	 tr;

		if (merkle_prove_inclusion(node_get, &s, i, 5, &pr) !=
		    MERKLE_OK)
			return 1;
		signed_cp("example.org/jslog", root, 5, log, w,
		    i == 4 ? 0x15 : 0x05, &cp);
		buf_reset(&rcpt);
		tlog_proof_format(leaf[i].p, leaf[i].len, i, &pr, CS(cp), cp.len,
		    &rcpt);
		if (policy_parse(CS(pol[0]), pol[0].len, &p, NULL) != LD_OK ||
		    trust_init(&tr, NULL, p, NULL, NULL) != LD_OK)
			return 1;
		printf("%s\n", first ? "" : ",");
		first = 0;
		receipt_vector(CS(rcpt), rcpt.len, &tr, i == 0 || i == 4);
		policy_free(p);
	}
	printf("]}\n");
	for (k = 0; k < MERKLE_MAX_LEVELS; k++)
		free(s.h[k]);
	for (i = 0; i < np; i++)
		buf_free(&pol[i]);
	for (i = 0; i < 5; i++)
		buf_free(&leaf[i]);
	for (i = 0; i < NW + 2; i++)
		free(v[i]);
	for (i = 0; i < NW; i++)
		sig_key_free(w[i]);
	sig_key_free(log);
	sig_key_free(log2);
	buf_free(&cp);
	buf_free(&rcpt);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "leaves") == 0)
		return cmd_leaves();
	if (argc == 3 && strcmp(argv[1], "merkle") == 0)
		return cmd_merkle(strtoull(argv[2], NULL, 10));
	if (argc == 2 && strcmp(argv[1], "policy") == 0)
		return cmd_policy();
	if (argc >= 3 && strcmp(argv[1], "receipts") == 0)
		return cmd_receipts(argc - 2, argv + 2);
	fprintf(stderr, "usage: jsvectors leaves | merkle MAXSIZE | policy | "
	    "receipts VKEY|--policy FILE RECEIPT...\n");
	return 2;
}
