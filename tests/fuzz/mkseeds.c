/* mkseeds.c - write the valid seeds of tests/fuzz/corpus with the real encoders. */
/*
 * Not a fuzz target: a one-off generator, kept so the seeds can be
 * remade (docs/fuzzing.md gives the command). Keys are generated afresh,
 * so signatures differ from run to run; every seed is small.
 *
 *	mkseeds DIR	writes DIR/<target>/<seed>
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "checkpoint.h"
#include "codec.h"
#include "entry.h"
#include "err.h"
#include "form.h"
#include "json.h"
#include "merkle.h"
#include "note.h"
#include "sig.h"
#include "tlog_proof.h"
#include "wipe.h"
#include "xmalloc.h"

static const char	*outdir;

static void
die(const char *what)
{
	fprintf(stderr, "mkseeds: %s\n", what);
	exit(1);
}

static void
put(const char *target, const char *name, const void *p, size_t len)
{
	char	path[512];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		die("mkdir");
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	if ((f = fopen(path, "wb")) == NULL)
		die(path);
	if (len > 0 && fwrite(p, 1, len, f) != len)
		die("write");
	fclose(f);
}

static void
puts_(const char *target, const char *name, const char *s)
{
	put(target, name, s, strlen(s));
}

static void
putb(const char *target, const char *name, const struct buf *b)
{
	put(target, name, b->p, b->len);
}

static void
fill(uint8_t *p, size_t n, uint8_t start)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(start + i);
}

#define SET(f, s)	do { if (STR_SET((f), (s), strlen(s)) != LD_OK) \
	die("STR_SET"); } while (0)

static void
credit(struct entry_sub *s, uint8_t seed, int ev)
{
	memset(s, 0, sizeof(*s));
	s->kind = KIND_CREDIT;
	SET(s->account, "user:7f3a~01");
	SET(s->method, "transit-bus");
	s->units = 4;
	s->grams = 320;
	s->day = 19929;
	fill(s->dedup, 32, seed);
	s->has_evidence = (uint8_t)ev;
	if (ev)
		fill(s->evidence, 32, 0x40);
}

static void
retire(struct entry_sub *s, uint8_t seed)
{
	memset(s, 0, sizeof(*s));
	s->kind = KIND_RETIRE;
	SET(s->account, "user:7f3a~01");
	s->grams = 200;
	SET(s->text, "Wuhan \xe5\xb0\x8f\xe5\xad\xa6");	/* UTF-8 */
	s->day = 19930;
	fill(s->dedup, 32, seed);
}

static void
reverse(struct entry_sub *s, uint8_t seed)
{
	memset(s, 0, sizeof(*s));
	s->kind = KIND_REVERSE;
	s->target = 1234;
	SET(s->text, "duplicate ticket");
	s->day = 19931;
	fill(s->dedup, 32, seed);
}

static void
totals(struct entry_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->credited = 1520;
	t->retired = 200;
	t->reversed = 80;
	for (int k = 1; k <= KIND_MAX; k++)
		t->count[k] = (uint64_t)k * 300;
	t->count[6] = UINT64_MAX;	/* a 9-byte integer */
}

/* ---- leaves -------------------------------------------------------------- */

static void
leaf_seeds(void)
{
	struct entry_leaf	 l;
	struct entry_dup_run	 runs[2] = { { 0, 2, 17 }, { 5, 1, 90000 } };
	struct buf	 b = { 0 };

	memset(&l, 0, sizeof(l));
	l.kind = KIND_CREDIT;
	l.index = 1234;
	l.time = 1721894473;
	fill(l.prev, 32, 0);
	SET(l.u.e.issuer, "luzhou-green");
	l.u.e.batch = 1200;
	l.u.e.pos = 7;
	credit(&l.u.e.sub, 0xd0, 1);
	l.u.e.acct.credited = 1520;
	l.u.e.acct.prev = 1100;
	l.u.e.iss.credited = 99999;
	l.u.e.iss.prev = NO_INDEX;
	totals(&l.totals);
	l.totals.count[6] = 6;
	if (codec_leaf_encode(&l, &b) != LD_OK)
		die("leaf");
	putb("leaf", "credit", &b);
	put("leaf", "bad-truncated", b.p, b.len - 1);
	buf_addc(&b, 0xc0);
	putb("leaf", "bad-trailing", &b);
	buf_reset(&b);

	l.kind = KIND_RETIRE;
	retire(&l.u.e.sub, 0x10);
	l.u.e.acct.prev = NO_INDEX;
	totals(&l.totals);
	if (codec_leaf_encode(&l, &b) != LD_OK)
		die("leaf");
	putb("leaf", "retire", &b);
	buf_reset(&b);

	l.kind = KIND_REVERSE;
	reverse(&l.u.e.sub, 0x20);
	if (codec_leaf_encode(&l, &b) != LD_OK)
		die("leaf");
	putb("leaf", "reverse", &b);
	buf_reset(&b);

	memset(&l, 0, sizeof(l));
	l.kind = KIND_ISSUER;
	l.index = 0;
	l.time = 1700000000;
	SET(l.u.issuer.id, "luzhou-green");
	SET(l.u.issuer.name, "Luzhou Green Bud Points");
	fill(l.u.issuer.pub, 32, 0x77);
	totals(&l.totals);
	if (codec_leaf_encode(&l, &b) != LD_OK)
		die("leaf");
	putb("leaf", "issuer", &b);
	buf_reset(&b);

	memset(&l, 0, sizeof(l));
	l.kind = KIND_METHOD;
	l.index = 1;
	l.time = 1700000001;
	fill(l.prev, 32, 0x33);
	SET(l.u.method.id, "transit-bus");
	SET(l.u.method.activity, "bus ride");
	SET(l.u.method.unit, "ride");
	l.u.method.grams_per_unit = 80;
	l.u.method.max_event = 800;
	l.u.method.max_day = 2400;
	l.u.method.valid_from = 19723;		/* 2024-01-01 */
	l.u.method.max_age = 30;
	SET(l.u.method.reference, "https://example.org/method/transit-bus");
	totals(&l.totals);
	if (codec_leaf_encode(&l, &b) != LD_OK)
		die("leaf");
	putb("leaf", "method", &b);
	buf_reset(&b);

	memset(&l, 0, sizeof(l));
	l.kind = KIND_BATCH;
	l.index = 1200;
	l.time = 1700000100;
	SET(l.u.batch.issuer, "luzhou-green");
	l.u.batch.n = 6;
	fill(l.u.batch.root, 32, 0x01);
	fill(l.u.batch.sig, 64, 0x80);
	l.u.batch.nruns = 2;
	l.u.batch.runs = runs;
	totals(&l.totals);
	if (codec_leaf_encode(&l, &b) != LD_OK)
		die("leaf");
	putb("leaf", "batch", &b);
	buf_free(&b);
	/* A depth bomb and a huge array claim. */
	put("leaf", "bad-deep", "\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x90", 13);
	put("leaf", "bad-claim", "\xdd\xff\xff\xff\xff\x01", 6);
}

/* ---- batches --------------------------------------------------------------- */

static void
make_batch(struct codec_batch *r, struct entry_sub *subs)
{
	memset(r, 0, sizeof(*r));
	SET(r->issuer, "luzhou-green");
	credit(&subs[0], 0xa0, 1);
	credit(&subs[1], 0xb0, 0);
	retire(&subs[2], 0xc0);
	reverse(&subs[3], 0xe0);
	r->n = 4;
	r->subs = subs;
	fill(r->sig, 64, 0x55);
}

static void
batch_seeds(void)
{
	struct codec_batch	 r;
	struct entry_sub		 subs[4];
	struct buf		 b = { 0 };

	make_batch(&r, subs);
	if (codec_batch_encode(&r, &b) != LD_OK)
		die("batch");
	putb("batch", "four", &b);
	/* One object: amplified, as many objects as a body can hold. */
	put("batch", "one-object", "\x00", 1);
	put("batch", "bad-truncated", b.p, b.len - 3);
	buf_reset(&b);
	r.n = 1;
	if (codec_batch_encode(&r, &b) != LD_OK)
		die("batch");
	putb("batch", "one", &b);
	buf_reset(&b);
	r.subs[0].units = 0;		/* refused: units must be positive */
	if (codec_batch_encode(&r, &b) != LD_OK)
		die("batch");
	putb("batch", "bad-units", &b);
	buf_reset(&b);
	r.n = 0;
	if (codec_batch_encode(&r, &b) != LD_OK)
		die("batch");
	putb("batch", "bad-empty", &b);
	/* A non-canonical integer width (uint16 for 4) that still decodes. */
	put("batch", "wide-int", "\x93\xa1x\x91\x98\xcd\x00\x04\xa1u\xa1m"
	    "\x01\x01\x01\xc4\x20" "0123456789abcdef0123456789abcdef"
	    "\xc0\xc4\x40" "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef", 2 + 2 + 1 + 3 + 2 + 2 + 3 +
	    2 + 32 + 1 + 2 + 64);
	buf_free(&b);
}

/* ---- JSON ------------------------------------------------------------------ */

static void
json_seeds(struct sig_key *issuer)
{
	struct codec_batch	 r;
	struct entry_sub		 subs[4];
	struct entry_method	 m;
	struct buf		 b = { 0 };
	struct json		*o;
	char			*vk, *s;

	make_batch(&r, subs);
	o = form_batch_to_json(&r);
	json_render(o, &b);
	json_free(o);
	putb("json_batch", "batch", &b);
	buf_reset(&b);

	r.n = 1;
	o = form_batch_to_json(&r);
	json_render_pretty(o, &b);
	json_free(o);
	putb("json_batch", "batch-pretty", &b);
	buf_reset(&b);

	puts_("json_batch", "time-and-string-u64",
	    "{\"issuer\":\"a\",\"entries\":[{\"kind\":\"credit\","
	    "\"account\":\"u:1\",\"method\":\"m\",\"units\":\"18446744073709551615\","
	    "\"grams\":1,\"time\":\"2024-07-25T23:30:00-05:00\",\"dedup\":"
	    "\"00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff\","
	    "\"evidence\":null}],\"signature\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\"}");
	puts_("json_batch", "bad-dup-key", "{\"issuer\":\"a\",\"issuer\":\"b\"}");
	/* One token: amplified, as many values as a text can hold. */
	puts_("json_batch", "one-token", "0");

	vk = sig_vkey(issuer);
	s = xasprintf("{\"vkey\":\"%s\",\"name\":\"Luzhou Green Bud Points\"}", vk);
	puts_("json_batch", "issuer", s);
	free(s);
	free(vk);

	memset(&m, 0, sizeof(m));
	SET(m.id, "transit-bus");
	SET(m.activity, "bus ride");
	SET(m.unit, "ride");
	m.grams_per_unit = 80;
	m.max_event = 800;
	m.max_day = 2400;
	m.valid_from = 19723;
	m.max_age = 30;
	SET(m.reference, "https://example.org/m");
	o = form_method_to_json(&m);
	json_render(o, &b);
	json_free(o);
	putb("json_batch", "method", &b);
	buf_free(&b);
}

/* ---- input (JSON Lines, CSV) ------------------------------------------------ */

static void
input_seeds(void)
{
	struct entry_sub	 s;
	struct buf	 b = { 0 };
	struct json	*o;

	credit(&s, 0x01, 1);
	o = form_sub_to_json(&s);
	json_render(o, &b);
	json_free(o);
	buf_addc(&b, '\n');
	retire(&s, 0x02);
	o = form_sub_to_json(&s);
	json_render(o, &b);
	json_free(o);
	buf_adds(&b, "\n\n");
	reverse(&s, 0x03);
	o = form_sub_to_json(&s);
	json_render(o, &b);
	json_free(o);
	buf_addc(&b, '\n');
	putb("input", "jsonl", &b);
	buf_free(&b);
	puts_("input", "csv",
	    "account,method,units,grams,time,dedup,evidence\n"
	    "user:1,transit-bus,4,320,2024-07-25T08:01:13Z,"
	    "0001020304050607080910111213141516171819202122232425262728293031,\n"
	    "user:2,transit-bus,1,80,2024-07-25,"
	    "a001020304050607080910111213141516171819202122232425262728293031,"
	    "4041424344454647484940414243444546474849404142434445464748494041\n");
	puts_("input", "csv-kind-day",
	    "kind,day,account,method,units,grams,dedup\n"
	    "credit,2024-02-29,u,m,1,1,"
	    "0001020304050607080910111213141516171819202122232425262728293031\n");
	puts_("input", "bad-csv-repeat", "account,account\nx,y\n");
	puts_("input", "bad-jsonl", "{\"kind\":\"credit\"}\n{\n");
}

/* ---- notes, checkpoints, receipts --------------------------------------------- */

/* A complete subtree hash over leaves[], for merkle_prove_*. */
static uint8_t	tree_leaves[64][32];

static int
node_fn(void *arg, unsigned level, uint64_t index, uint8_t out[32])
{
	uint8_t	l[32], r[32];

	(void)arg;
	if (level == 0) {
		memcpy(out, tree_leaves[index], 32);
		return 0;
	}
	node_fn(arg, level - 1, 2 * index, l);
	node_fn(arg, level - 1, 2 * index + 1, r);
	merkle_node_hash(out, l, r);
	return 0;
}

static void
note_seeds(struct sig_key *log, struct sig_key *cosigner)
{
	struct buf		 cp = { 0 }, note = { 0 }, line = { 0 }, b = { 0 };
	struct checkpoint	 c;
	struct merkle_proof	 p;
	uint8_t			 extra[40];
	uint64_t		 size = 13, i;

	for (i = 0; i < 64; i++) {
		uint8_t leaf[8];

		memcpy(leaf, &i, 8);
		merkle_leaf_hash(tree_leaves[i], leaf, 8);
	}
	fill(extra, sizeof(extra), 0x61);
	merkle_leaf_hash(tree_leaves[5], extra, sizeof(extra));

	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", sig_key_name(log));
	c.size = size;
	if (merkle_root(node_fn, NULL, size, c.root) != MERKLE_OK)
		die("root");
	checkpoint_format(&c, &cp);
	if (note_sign((const char *)cp.p, cp.len, log, &note) != LD_OK)
		die("sign");
	putb("note", "checkpoint", &note);
	if (note_cosign((const char *)cp.p, cp.len, cosigner, 1700000000,
	    &line) != LD_OK)
		die("cosign");
	buf_add(&b, note.p, note.len);
	buf_add(&b, line.p, line.len);
	putb("note", "cosigned", &b);
	buf_reset(&b);
	buf_add(&b, cp.p, cp.len);
	buf_adds(&b, "extension line\n\n\xe2\x80\x94 other.example/x AAAAAQID\n");
	putb("note", "extension", &b);
	buf_reset(&b);
	puts_("note", "bad-nosig", "a\n1\nAAAA\n\n");
	puts_("note", "bad-space-name",
	    "t\n\n\xe2\x80\x94 a\xc2\xa0" "b AAAAAQID\n");

	if (merkle_prove_inclusion(node_fn, NULL, 5, size, &p) != MERKLE_OK)
		die("prove");
	tlog_proof_format(extra, sizeof(extra), 5, &p, (const char *)note.p,
	    note.len, &b);
	putb("tlog_proof", "receipt", &b);
	buf_reset(&b);
	tlog_proof_format(NULL, 0, 5, &p, (const char *)note.p, note.len, &b);
	putb("tlog_proof", "no-extra", &b);
	buf_reset(&b);
	p.n = 0;
	tlog_proof_format(extra, 3, 0, &p, (const char *)note.p, note.len, &b);
	putb("tlog_proof", "short-extra", &b);
	buf_free(&b);
	buf_free(&cp);
	buf_free(&note);
	buf_free(&line);
}

/* ---- Merkle proofs (f_proof's format) ------------------------------------------ */

/*
 * f_proof input: mode byte, u64 a, u64 b (little-endian), 32-byte h1,
 * 32-byte h2, then proof hashes, 32 bytes each.
 */
static void
proof_seed(const char *name, uint8_t mode, uint64_t a, uint64_t bb,
    const uint8_t *h1, const uint8_t *h2, const struct merkle_proof *p)
{
	struct buf	b = { 0 };

	buf_addc(&b, mode);
	buf_add(&b, &a, 8);
	buf_add(&b, &bb, 8);
	buf_add(&b, h1, 32);
	buf_add(&b, h2, 32);
	for (size_t i = 0; p != NULL && i < p->n; i++)
		buf_add(&b, p->path[i], 32);
	putb("proof", name, &b);
	buf_free(&b);
}

static void
proof_seeds(void)
{
	struct merkle_proof	p;
	uint8_t			r1[32], r2[32], z[32] = { 0 };

	/* Raw (differential) mode: real proofs. */
	merkle_root(node_fn, NULL, 13, r2);
	merkle_prove_inclusion(node_fn, NULL, 5, 13, &p);
	proof_seed("incl-5-13", 2, 5, 13, tree_leaves[5], r2, &p);
	merkle_root(node_fn, NULL, 64, r2);
	merkle_prove_inclusion(node_fn, NULL, 63, 64, &p);
	proof_seed("incl-63-64", 2, 63, 64, tree_leaves[63], r2, &p);
	merkle_root(node_fn, NULL, 7, r1);
	merkle_root(node_fn, NULL, 13, r2);
	merkle_prove_consistency(node_fn, NULL, 7, 13, &p);
	proof_seed("cons-7-13", 3, 7, 13, r1, r2, &p);
	merkle_root(node_fn, NULL, 8, r1);
	merkle_root(node_fn, NULL, 50, r2);
	merkle_prove_consistency(node_fn, NULL, 8, 50, &p);
	proof_seed("cons-8-50", 3, 8, 50, r1, r2, &p);
	/* Blind mode: the trivial cases and refusals. */
	merkle_sha256(r1, z, 32);
	proof_seed("blind-incl-1", 0, 0, 1, r1, z, NULL);
	proof_seed("blind-cons-eq", 1, 9, 9, z, z, NULL);
	merkle_prove_inclusion(node_fn, NULL, 5, 13, &p);
	proof_seed("blind-incl-5-13", 0, 5, 13, tree_leaves[5], z, &p);
	proof_seed("blind-cons-big", 1, 1, UINT64_MAX, z, z, &p);
}

/* ---- small text seeds ------------------------------------------------------------ */

static void
text_seeds(struct sig_key *log, struct sig_key *cosigner)
{
	char	*s;

	puts_("tile", "level0", "tile/0/000");
	puts_("tile", "groups", "tile/0/x001/x234/067");
	puts_("tile", "partial", "tile/2/x001/067.p/255");
	puts_("tile", "entries", "tile/entries/x123/456.p/7");
	puts_("tile", "max", "tile/63/x018/x446/x744/x073/x709/x551/615");
	puts_("tile", "bad-x000", "tile/0/x000/001");
	puts_("tile", "bad-width", "tile/0/000.p/256");

	puts_("query", "two", "index=17&size=1024");
	puts_("query", "empty", "");
	puts_("query", "hex", "hash=00ff&n=0");
	puts_("query", "bad-repeat", "size=1&size=2");
	puts_("query", "bad-nokey", "=1&");

	s = sig_vkey(log);
	puts_("vkey", "log", s);
	free(s);
	s = sig_vkey(cosigner);
	puts_("vkey", "cosigner", s);
	free(s);
	s = sig_skey(log);
	puts_("vkey", "skey", s);
	wipe_secure(s, strlen(s));
	free(s);
	puts_("vkey", "bad-id",
	    "x+00000000+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

	puts_("b64", "empty", "");
	puts_("b64", "one", "YQ==");
	puts_("b64", "two", "YWI=");
	puts_("b64", "three", "YWJj");
	puts_("b64", "bad-bits", "YR==");
	puts_("b64", "date", "2024-02-29");
	puts_("b64", "rfc3339", "2024-07-25T23:59:60.5+01:00");
	puts_("b64", "bad-date", "2023-02-29");
}

int
main(int argc, char **argv)
{
	struct sig_key	*log, *issuer, *cosigner;

	if (argc != 2)
		die("usage: mkseeds DIR");
	outdir = argv[1];
	if (sig_keygen("ledger.example.org/carbon/2026", SIG_TYPE_ED25519,
	    &log) != LD_OK ||
	    sig_keygen("luzhou-green", SIG_TYPE_ED25519, &issuer) != LD_OK ||
	    sig_keygen("witness.example.org", SIG_TYPE_COSIGN,
	    &cosigner) != LD_OK)
		die("keygen");
	leaf_seeds();
	batch_seeds();
	json_seeds(issuer);
	input_seeds();
	note_seeds(log, cosigner);
	proof_seeds();
	text_seeds(log, cosigner);
	sig_key_free(log);
	sig_key_free(issuer);
	sig_key_free(cosigner);
	return 0;
}
