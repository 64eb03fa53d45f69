/* t_witness.c - unit tests for the tlog-witness bodies
 * (common/tlog_witness.c) and the witness's decision and state
 * (audit/witness_core.c, audit/witness_state.c). */
/*
 * The spec's example request; every malformation of a request, a
 * response and a 409 body; then a witness over real trees (a node store
 * that can fork at a chosen leaf) answering every status of the spec's
 * table; a restart (the state reloaded from disk refuses a fork); and
 * the race of two requests with the same old size (only one cosigns).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "b64.h"
#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "merkle.h"
#include "note.h"
#include "policy.h"
#include "sig.h"
#include "t.h"
#include "tlog_witness.h"
#include "witness_core.h"
#include "witness_state.h"
#include "xmalloc.h"

#define EM	"\xe2\x80\x94"
#define ORIGIN	"ledger.example.org/carbon/2026"
#define ORIGIN2	"other.example.org/log"
#define NOW	1765000000ULL

/* tlog-witness.md's example request. */
static const char	spec_req[] =
    "old 20852014\n"
    "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
    "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
    "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n"
    "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n"
    "\n"
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    EM " example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJ"
    "urmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    EM " example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmH"
    "XnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n";

static int
req_rc(const char *s, size_t len)
{
	struct tlog_witness_req	r;
	int			rc;

	rc = tlog_witness_req_parse(s, len, &r);
	if (rc != LD_OK)
		T_ASSERT(r.note.text == NULL && r.nproof == 0 && r.old == 0);
	tlog_witness_req_free(&r);
	return rc;
}

static void
test_req_spec_example(void)
{
	struct tlog_witness_req	r;
	uint8_t			h[32];
	size_t			hl;

	T_ASSERT_EQ(tlog_witness_req_parse(spec_req, strlen(spec_req), &r),
	    LD_OK);
	T_ASSERT_EQ(r.old, 20852014);
	T_ASSERT_EQ(r.nproof, 4);
	T_ASSERT_EQ(b64_decode(h, &hl, "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/"
	    "6QgPd8=", 44), LD_OK);
	T_ASSERT_MEM(r.proof[2], h, 32);
	T_ASSERT_STR(r.cp.origin, "example.com/behind-the-sofa");
	T_ASSERT_EQ(r.cp.size, 20852163);
	T_ASSERT_EQ(r.note.nsigs, 2);
	tlog_witness_req_free(&r);
	tlog_witness_req_free(&r);	/* safe twice */
}

/* spec_req with its first n bytes replaced by head. */
static int
req_with_head(const char *head, size_t n)
{
	struct buf	b = { 0 };
	int		rc;

	buf_adds(&b, head);
	buf_adds(&b, spec_req + n);
	rc = req_rc((const char *)b.p, b.len);
	buf_free(&b);
	return rc;
}

static void
test_req_malformed(void)
{
	struct buf	b = { 0 };
	const char	*cp = strstr(spec_req, "\n\n") + 2;
	size_t		 i;

	T_ASSERT_EQ(req_with_head("old 020852014\n", 13), LD_EINVAL);
	T_ASSERT_EQ(req_with_head("old  20852014\n", 13), LD_EINVAL);
	T_ASSERT_EQ(req_with_head("old -20852014\n", 13), LD_EINVAL);
	T_ASSERT_EQ(req_with_head("Old 20852014\n", 13), LD_EINVAL);
	T_ASSERT_EQ(req_with_head("old 20852014 \n", 13), LD_EINVAL);
	T_ASSERT_EQ(req_with_head("old 20852014\r\n", 13), LD_EINVAL);
	T_ASSERT_EQ(req_with_head("old 99999999999999999999\n", 13),
	    LD_EINVAL);
	T_ASSERT_EQ(req_with_head("old \n", 13), LD_EINVAL);
	T_ASSERT_EQ(req_with_head("old 18446744073709551615\n", 13), LD_OK);
	/* A proof line of 31 bytes, one with a space, no padding. */
	T_ASSERT_EQ(req_with_head("old 1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAA=\n", 13 + 45), LD_EINVAL);
	T_ASSERT_EQ(req_with_head("old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temv"
	    "uZZDDpkaw= \n", 13 + 45), LD_EINVAL);
	T_ASSERT_EQ(req_with_head("old 1\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temv"
	    "uZZDDpkaw\n", 13 + 45), LD_EINVAL);
	/* No empty line: the checkpoint read as proof lines. */
	buf_adds(&b, "old 0\n");
	buf_adds(&b, cp);
	T_ASSERT_EQ(req_rc((const char *)b.p, b.len), LD_EINVAL);
	/* old 0, no proof, the checkpoint: fine. 63 proof lines: fine;
	 * 64: too big. */
	buf_reset(&b);
	buf_adds(&b, "old 0\n\n");
	buf_adds(&b, cp);
	T_ASSERT_EQ(req_rc((const char *)b.p, b.len), LD_OK);
	buf_reset(&b);
	buf_adds(&b, "old 1\n");
	for (i = 0; i < 63; i++)
		buf_adds(&b, "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n");
	buf_addc(&b, '\n');
	buf_adds(&b, cp);
	T_ASSERT_EQ(req_rc((const char *)b.p, b.len), LD_OK);
	buf_reset(&b);
	buf_adds(&b, "old 1\n");
	for (i = 0; i < 64; i++)
		buf_adds(&b, "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n");
	buf_addc(&b, '\n');
	buf_adds(&b, cp);
	T_ASSERT_EQ(req_rc((const char *)b.p, b.len), LD_ETOOBIG);
	/* Two empty lines; a note that is not a checkpoint; no signature;
	 * a truncated last line; nothing at all. */
	buf_reset(&b);
	buf_adds(&b, "old 0\n\n\n");
	buf_adds(&b, cp);
	T_ASSERT_EQ(req_rc((const char *)b.p, b.len), LD_EINVAL);
	buf_reset(&b);
	buf_adds(&b, "old 0\n\nhello\n\n" EM " example.com/behind-the-sofa "
	    "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1"
	    "gGzGku9nTo+zyWE+xeMcTOAYQ8=\n");
	T_ASSERT_EQ(req_rc((const char *)b.p, b.len), LD_EINVAL);
	buf_reset(&b);
	buf_adds(&b, "old 0\n\nexample.com/behind-the-sofa\n20852163\n"
	    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
	T_ASSERT_EQ(req_rc((const char *)b.p, b.len), LD_EINVAL);
	T_ASSERT_EQ(req_rc(spec_req, strlen(spec_req) - 1), LD_EINVAL);
	T_ASSERT_EQ(req_rc("", 0), LD_EINVAL);
	T_ASSERT_EQ(req_rc("old 0\n", 6), LD_EINVAL);
	/* Over the size limit. */
	buf_reset(&b);
	while (b.len <= TLOG_WITNESS_MAX_BODY)
		buf_adds(&b, "old 0\n");
	T_ASSERT_EQ(req_rc((const char *)b.p, b.len), LD_ETOOBIG);
	buf_free(&b);
}

static void
test_req_format(void)
{
	struct tlog_witness_req	r;
	struct buf		b = { 0 };
	const char		*cp = strstr(spec_req, "\n\n") + 2;

	T_ASSERT_EQ(tlog_witness_req_parse(spec_req, strlen(spec_req), &r),
	    LD_OK);
	T_ASSERT_EQ(tlog_witness_req_format(r.old,
	    (const uint8_t (*)[32])r.proof, r.nproof, cp, strlen(cp), &b),
	    LD_OK);
	T_ASSERT(b.len == strlen(spec_req) &&
	    memcmp(b.p, spec_req, b.len) == 0);
	buf_reset(&b);
	T_ASSERT_EQ(tlog_witness_req_format(0,
	    (const uint8_t (*)[32])r.proof, 1, cp, strlen(cp), &b), LD_EINVAL);
	T_ASSERT_EQ(tlog_witness_req_format(5,
	    (const uint8_t (*)[32])r.proof, 64, cp, strlen(cp), &b),
	    LD_EINVAL);
	T_ASSERT_EQ(tlog_witness_req_format(5, NULL, 0, "x\n", 2, &b),
	    LD_EINVAL);
	T_ASSERT_EQ(b.len, 0);
	tlog_witness_req_free(&r);
	buf_free(&b);
}

static void
test_resp_and_size(void)
{
	static const char	text[] = "example.com/behind-the-sofa\n20852163\n"
	    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
	static const char	l2[] = EM " witness.example/w2 AWui8Sk55XjYLOij"
	    "ihBjhqEH6nS1ndDymE0a+6idX7pLcnoB+dhnz0854aLZgrrKbYKA7nC3HNJhm/kWl7"
	    "oJlqU3rXXvpysAdyP3wQ==\n";
	struct note		n;
	struct sig_key		*w1 = NULL;
	struct buf		b = { 0 }, line = { 0 };
	const struct sig_key	*keys[1];
	const char		*l1;
	uint64_t		size;

	/* A cosignature line of a key we hold and the spec's example line
	 * of a key we do not know: both parse; note_verify with our key
	 * checks ours and ignores the other. */
	T_ASSERT_EQ(sig_keygen("witness.example.com/w1", SIG_TYPE_COSIGN,
	    &w1), LD_OK);
	T_ASSERT_EQ(note_cosign(text, strlen(text), w1, 1679315147, &line),
	    LD_OK);
	l1 = buf_cstr(&line);
	buf_adds(&b, l1);
	buf_adds(&b, l2);
	T_ASSERT_EQ(tlog_witness_resp_parse(text, strlen(text),
	    (const char *)b.p, b.len, &n), LD_OK);
	T_ASSERT_EQ(n.nsigs, 2);
	T_ASSERT(n.text_len == strlen(text));
	keys[0] = w1;
	T_ASSERT_EQ(note_verify(&n, keys, 1, NULL), LD_OK);
	note_free(&n);
	/* A flipped bit in our line: refused by note_verify. */
	b.p[20] ^= 1;
	T_ASSERT_EQ(tlog_witness_resp_parse(text, strlen(text),
	    (const char *)b.p, b.len, &n), LD_OK);
	T_ASSERT_EQ(note_verify(&n, keys, 1, NULL), LD_EBADSIG);
	note_free(&n);
	sig_key_free(w1);
	/* Empty, a text line, a blank line first, no final newline. */
	T_ASSERT_EQ(tlog_witness_resp_parse(text, strlen(text), "", 0, &n),
	    LD_EINVAL);
	buf_reset(&b);
	buf_adds(&b, "hello\n");
	buf_adds(&b, l1);
	T_ASSERT_EQ(tlog_witness_resp_parse(text, strlen(text),
	    (const char *)b.p, b.len, &n), LD_EINVAL);
	buf_reset(&b);
	buf_adds(&b, "\n");
	buf_adds(&b, l1);
	T_ASSERT_EQ(tlog_witness_resp_parse(text, strlen(text),
	    (const char *)b.p, b.len, &n), LD_EINVAL);
	T_ASSERT(n.text == NULL && n.nsigs == 0);
	T_ASSERT_EQ(tlog_witness_resp_parse(text, strlen(text), l1,
	    strlen(l1) - 1, &n), LD_EINVAL);
	buf_free(&b);
	buf_free(&line);
	/* 409 bodies. */
	T_ASSERT_EQ(tlog_witness_size_parse("5\n", 2, &size), LD_OK);
	T_ASSERT_EQ(size, 5);
	T_ASSERT_EQ(tlog_witness_size_parse("0\n", 2, &size), LD_OK);
	T_ASSERT_EQ(size, 0);
	T_ASSERT_EQ(tlog_witness_size_parse("05\n", 3, &size), LD_EINVAL);
	T_ASSERT_EQ(tlog_witness_size_parse("5", 1, &size), LD_EINVAL);
	T_ASSERT_EQ(tlog_witness_size_parse("5\n\n", 3, &size), LD_EINVAL);
	T_ASSERT_EQ(tlog_witness_size_parse(" 5\n", 3, &size), LD_EINVAL);
	T_ASSERT_EQ(tlog_witness_size_parse("\n", 1, &size), LD_EINVAL);
	tlog_witness_size_format(18446744073709551615ULL, &b);
	T_ASSERT_STR(buf_cstr(&b), "18446744073709551615\n");
	T_ASSERT_EQ(tlog_witness_size_parse((const char *)b.p, b.len, &size),
	    LD_OK);
	T_ASSERT(size == UINT64_MAX);
	buf_free(&b);
}

/*
 * A tree whose leaf i is "leaf i", or "fork i" from leaf fork_at on.
 */
struct tree {
	uint64_t	fork_at;
};

static int
node_fn(void *arg, unsigned level, uint64_t index, uint8_t out[32])
{
	const struct tree	*t = arg;
	uint8_t			 l[32], r[32];
	char			 s[64];

	if (level == 0) {
		snprintf(s, sizeof(s), "%s %" PRIu64,
		    index < t->fork_at ? "leaf" : "fork", index);
		merkle_leaf_hash(out, s, strlen(s));
		return 0;
	}
	node_fn(arg, level - 1, 2 * index, l);
	node_fn(arg, level - 1, 2 * index + 1, r);
	merkle_node_hash(out, l, r);
	return 0;
}

static struct sig_key	*logk, *logk2, *badk, *wkey, *wpub;
static struct policy	*pol;
static char		 dir[64];

static void
fixture(void)
{
	struct ld_error	 e;
	struct buf	 b = { 0 };
	char		*v1, *v2, *wv;

	if (pol != NULL)
		return;
	T_ASSERT_EQ(sig_keygen(ORIGIN, SIG_TYPE_ED25519, &logk), LD_OK);
	T_ASSERT_EQ(sig_keygen(ORIGIN2, SIG_TYPE_ED25519, &logk2), LD_OK);
	T_ASSERT_EQ(sig_keygen(ORIGIN, SIG_TYPE_ED25519, &badk), LD_OK);
	T_ASSERT_EQ(sig_keygen("witness.example.org/w1", SIG_TYPE_COSIGN,
	    &wkey), LD_OK);
	wv = sig_vkey(wkey);
	T_ASSERT_EQ(sig_key_from_vkey(wv, strlen(wv), &wpub), LD_OK);
	v1 = sig_vkey(logk);
	v2 = sig_vkey(logk2);
	/* The witness's policy: only log lines matter to it. */
	buf_printf(&b, "log %s\nlog %s https://other.example.org/\n"
	    "quorum none\n", v1, v2);
	T_ASSERT_EQ(policy_parse((const char *)b.p, b.len, &pol, &e), LD_OK);
	free(v1);
	free(v2);
	free(wv);
	buf_free(&b);
}

static void
fixture_free(void)
{
	sig_key_free(logk);
	sig_key_free(logk2);
	sig_key_free(badk);
	sig_key_free(wkey);
	sig_key_free(wpub);
	policy_free(pol);
}

static void
new_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/t_witness.XXXXXX");
	T_ASSERT(mkdtemp(dir) != NULL);
}

static void
rm_dir(void)
{
	char	cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	T_ASSERT_EQ(system(cmd), 0);
}

/*
 * A request body: old, the consistency proof from old to size in tree t
 * (or none when proof is 0), the checkpoint of origin at size signed by
 * k (the root of t at size, or root if not NULL).
 */
static void
make_req(struct buf *b, const char *origin, const struct sig_key *k,
    const struct tree *t, uint64_t old, uint64_t size, int proof,
    const uint8_t *root)
{
	struct checkpoint	c = { .size = size };
	struct merkle_proof	pr = { 0 };
	struct buf		text = { 0 }, note = { 0 };

	snprintf(c.origin, sizeof(c.origin), "%s", origin);
	if (root != NULL)
		memcpy(c.root, root, 32);
	else
		T_ASSERT_EQ(merkle_root(node_fn, (void *)t, size, c.root),
		    MERKLE_OK);
	if (proof && old <= size)
		T_ASSERT_EQ(merkle_prove_consistency(node_fn, (void *)t, old,
		    size, &pr), MERKLE_OK);
	checkpoint_format(&c, &text);
	T_ASSERT_EQ(note_sign((const char *)text.p, text.len, k, &note),
	    LD_OK);
	buf_reset(b);
	T_ASSERT_EQ(tlog_witness_req_format(old,
	    (const uint8_t (*)[32])pr.path, pr.n, (const char *)note.p,
	    note.len, b), LD_OK);
	buf_free(&text);
	buf_free(&note);
}

/* Send b; check the status; return it. */
static int
send(struct witness_state *st, const struct buf *b, uint64_t now,
    struct witness_core_reply *r)
{
	int	rc;

	rc = witness_core_add(pol, wkey, st, (const char *)b->p, b->len, now,
	    r);
	T_ASSERT(rc == LD_OK || r->status == 500);
	return r->status;
}

/* The 200 reply's line verifies over the request's checkpoint with the
 * witness's public key; its timestamp is want. */
static void
check_cosig(const struct buf *req, const struct witness_core_reply *r,
    uint64_t want)
{
	struct tlog_witness_req	q;
	struct note		n;
	const struct sig_key	*keys[1] = { wpub };
	uint64_t		t = 0;
	size_t			i;

	T_ASSERT_EQ(tlog_witness_req_parse((const char *)req->p, req->len,
	    &q), LD_OK);
	T_ASSERT_EQ(tlog_witness_resp_parse(q.note.text, q.note.text_len,
	    (const char *)r->body.p, r->body.len, &n), LD_OK);
	T_ASSERT_EQ(n.nsigs, 1);
	T_ASSERT_EQ(note_verify(&n, keys, 1, NULL), LD_OK);
	if (n.nsigs == 1 && n.sigs[0].len == 72)
		for (i = 0; i < 8; i++)
			t = t << 8 | n.sigs[0].sig[i];
	T_ASSERT_EQ(t, want);
	note_free(&n);
	tlog_witness_req_free(&q);
}

#define SEND(want) do {							\
	witness_core_reply_free(&r);					\
	T_ASSERT_EQ(send(st, &b, now, &r), (want));			\
	if (r.status != (want))						\
		fprintf(stderr, "  why: %s\n", r.why);			\
} while (0)

static void
test_statuses(void)
{
	struct tree			 t = { UINT64_MAX };
	struct witness_state		*st = NULL;
	struct witness_core_reply	 r = { 0 };
	struct witness_state_rec	 rec;
	struct buf			 b = { 0 };
	uint8_t				 root[32];
	uint64_t			 now = NOW;

	fixture();
	new_dir();
	T_ASSERT_EQ(witness_state_open(dir, &st), LD_OK);
	/* 400: not a request. */
	buf_adds(&b, "old 0\n\nnot a note\n");
	SEND(400);
	/* 404: an origin the policy does not list. */
	{
		struct sig_key	*k = NULL;

		T_ASSERT_EQ(sig_keygen("stranger.example", SIG_TYPE_ED25519,
		    &k), LD_OK);
		make_req(&b, "stranger.example", k, &t, 0, 3, 0, NULL);
		SEND(404);
		sig_key_free(k);
	}
	/* 403: signed by another key of the origin; a bad signature. */
	make_req(&b, ORIGIN, badk, &t, 0, 3, 0, NULL);
	SEND(403);
	make_req(&b, ORIGIN, logk, &t, 0, 3, 0, NULL);
	b.p[b.len - 10] ^= 1;		/* inside the signature's base64 */
	SEND(403);
	/* 400: old over size (checked before the state). */
	make_req(&b, ORIGIN, logk, &t, 7, 3, 0, NULL);
	SEND(400);
	/* 422: size 0 whose root is not the empty tree's. */
	memset(root, 7, sizeof(root));
	make_req(&b, ORIGIN, logk, &t, 0, 0, 0, root);
	SEND(422);
	/* 200: size 0, empty root; then 0 -> 5 without a proof. */
	make_req(&b, ORIGIN, logk, &t, 0, 0, 0, NULL);
	SEND(200);
	make_req(&b, ORIGIN, logk, &t, 0, 5, 0, NULL);
	SEND(200);
	check_cosig(&b, &r, NOW);
	T_ASSERT_STR(r.content_type, "text/plain");
	/* 409: a client still at 0, with the size in the body. */
	make_req(&b, ORIGIN, logk, &t, 0, 9, 0, NULL);
	SEND(409);
	T_ASSERT_STR(r.content_type, "text/x.tlog.size");
	T_ASSERT_STR(buf_cstr(&r.body), "5\n");
	T_ASSERT_EQ(r.size, 5);
	make_req(&b, ORIGIN, logk, &t, 4, 9, 1, NULL);
	SEND(409);
	/* 5 -> 9 with the proof: 200, a later time. */
	now = NOW + 10;
	make_req(&b, ORIGIN, logk, &t, 5, 9, 1, NULL);
	SEND(200);
	check_cosig(&b, &r, NOW + 10);
	/* 422: a wrong proof (one hash changed). */
	make_req(&b, ORIGIN, logk, &t, 9, 13, 1, NULL);
	T_ASSERT(memcmp(b.p, "old 9\n", 6) == 0 && b.p[6 + 44] == '\n');
	b.p[10] = b.p[10] == 'A' ? 'B' : 'A';
	SEND(422);
	/* 422: a proof of a forked tree. */
	{
		struct tree	fork = { 7 };

		make_req(&b, ORIGIN, logk, &fork, 9, 13, 1, NULL);
		SEND(422);
		/* old == size with another root. */
		make_req(&b, ORIGIN, logk, &fork, 9, 9, 0, NULL);
		SEND(422);
	}
	/* old == size, same root, with a proof line: 422; without: 200,
	 * and a clock that went back does not move the time back. */
	make_req(&b, ORIGIN, logk, &t, 9, 9, 0, NULL);
	now = NOW - 100;
	SEND(200);
	check_cosig(&b, &r, NOW + 10);
	make_req(&b, ORIGIN, logk, &t, 5, 9, 1, NULL);
	memcpy(b.p, "old 9\n", 6);		/* same length: 5 -> 9 */
	SEND(422);
	/* 422: old 0 with a proof, on a log never cosigned. */
	make_req(&b, ORIGIN2, logk2, &t, 2, 6, 1, NULL);
	memcpy(b.p, "old 0\n", 6);
	SEND(422);
	/* The state: the second origin untouched; the first at 9. */
	T_ASSERT_EQ(witness_state_read(st, ORIGIN2, &rec), LD_OK);
	T_ASSERT(!rec.found);
	witness_state_rec_free(&rec);
	T_ASSERT_EQ(witness_state_read(st, ORIGIN, &rec), LD_OK);
	T_ASSERT(rec.found && rec.cp.size == 9);
	witness_state_rec_free(&rec);
	witness_core_reply_free(&r);
	witness_state_close(st);
	rm_dir();
	buf_free(&b);
}

/* The monitoring read, and the record's file name and content. */
static void
test_monitoring(void)
{
	struct tree			 t = { UINT64_MAX };
	struct witness_state		*st = NULL;
	struct witness_core_reply	 r = { 0 };
	struct buf			 b = { 0 }, out = { 0 };
	struct note			 n;
	const struct sig_key		*keys[2] = { logk, wpub };
	char				 name[WITNESS_STATE_NAME_LEN + 1];
	char				 upper[WITNESS_STATE_NAME_LEN + 1];
	char				 path[160];
	size_t				 i, nv = 0;
	uint64_t			 now = NOW;

	fixture();
	new_dir();
	T_ASSERT_EQ(witness_state_open(dir, &st), LD_OK);
	witness_state_name(ORIGIN, name);
	/* sha256("ledger.example.org/carbon/2026"), from sha256sum. */
	T_ASSERT_STR(name, "74b04b30023465d5feef620770c1df7f62fdb750ea144016"
	    "46e87c02e38034cf");
	T_ASSERT_EQ(witness_core_latest(pol, st, name, 64, &out),
	    LD_ENOTFOUND);
	make_req(&b, ORIGIN, logk, &t, 0, 4, 0, NULL);
	SEND(200);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	T_ASSERT_EQ(access(path, R_OK), 0);
	T_ASSERT_EQ(witness_core_latest(pol, st, name, 64, &out), LD_OK);
	T_ASSERT_EQ(note_parse((const char *)out.p, out.len, &n), LD_OK);
	T_ASSERT_EQ(n.nsigs, 2);	/* the log's and the witness's */
	T_ASSERT_EQ(note_verify(&n, keys, 2, &nv), LD_OK);
	T_ASSERT_EQ(nv, 2);
	note_free(&n);
	/* Upper case, a prefix, another log never cosigned: 404. */
	for (i = 0; i <= WITNESS_STATE_NAME_LEN; i++)
		upper[i] = (char)(name[i] >= 'a' && name[i] <= 'f' ?
		    name[i] - 32 : name[i]);
	T_ASSERT_EQ(witness_core_latest(pol, st, upper, 64, &out),
	    LD_ENOTFOUND);
	T_ASSERT_EQ(witness_core_latest(pol, st, name, 63, &out),
	    LD_ENOTFOUND);
	witness_state_name(ORIGIN2, name);
	T_ASSERT_EQ(witness_core_latest(pol, st, name, 64, &out),
	    LD_ENOTFOUND);
	witness_core_reply_free(&r);
	witness_state_close(st);
	rm_dir();
	buf_free(&b);
	buf_free(&out);
}

/* A restart: the state reloaded from disk refuses a fork. */
static void
test_restart(void)
{
	struct tree			 t = { UINT64_MAX }, fork = { 10 };
	struct witness_state		*st = NULL;
	struct witness_core_reply	 r = { 0 };
	struct buf			 b = { 0 };
	char				 name[WITNESS_STATE_NAME_LEN + 1];
	char				 path[160];
	uint64_t			 now = NOW;
	FILE				*f;

	fixture();
	new_dir();
	T_ASSERT_EQ(witness_state_open(dir, &st), LD_OK);
	make_req(&b, ORIGIN, logk, &t, 0, 12, 0, NULL);
	SEND(200);
	witness_state_close(st);
	T_ASSERT_EQ(witness_state_open(dir, &st), LD_OK);
	/* The fork from leaf 10: at 12 (same size, other root), and at 20
	 * with its own proof from 12. */
	make_req(&b, ORIGIN, logk, &fork, 12, 12, 0, NULL);
	SEND(422);
	make_req(&b, ORIGIN, logk, &fork, 12, 20, 1, NULL);
	SEND(422);
	make_req(&b, ORIGIN, logk, &fork, 0, 20, 0, NULL);
	SEND(409);
	T_ASSERT_STR(buf_cstr(&r.body), "12\n");
	make_req(&b, ORIGIN, logk, &t, 12, 20, 1, NULL);
	SEND(200);
	witness_state_close(st);
	/* A corrupt record: 500, never a cosignature. */
	witness_state_name(ORIGIN, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	T_ASSERT((f = fopen(path, "w")) != NULL);
	if (f != NULL) {
		fputs("garbage\n", f);
		fclose(f);
	}
	T_ASSERT_EQ(witness_state_open(dir, &st), LD_OK);
	make_req(&b, ORIGIN, logk, &t, 20, 24, 1, NULL);
	witness_core_reply_free(&r);
	T_ASSERT_EQ(witness_core_add(pol, wkey, st, (const char *)b.p, b.len,
	    now, &r), LD_ECORRUPT);
	T_ASSERT_EQ(r.status, 500);
	T_ASSERT_EQ(r.body.len, 0);
	witness_core_reply_free(&r);
	witness_state_close(st);
	T_ASSERT_EQ(witness_state_open("/nonexistent/t_witness", &st),
	    LD_ENOTFOUND);
	rm_dir();
	buf_free(&b);
}

/* A write that fails: 500, no cosignature, the state unchanged. */
static void
test_write_failure(void)
{
	struct tree			 t = { UINT64_MAX };
	struct witness_state		*st = NULL;
	struct witness_core_reply	 r = { 0 };
	struct witness_state_rec	 rec;
	struct buf			 b = { 0 };
	char				 name[WITNESS_STATE_NAME_LEN + 1];
	char				 tmp[200];

	fixture();
	new_dir();
	T_ASSERT_EQ(witness_state_open(dir, &st), LD_OK);
	/* file_write's temp file is PATH.tmp.PID: a directory there makes
	 * the write fail after the decision to cosign. */
	witness_state_name(ORIGIN, name);
	snprintf(tmp, sizeof(tmp), "%s/%s.tmp.%ld", dir, name, (long)getpid());
	T_ASSERT_EQ(mkdir(tmp, 0700), 0);
	make_req(&b, ORIGIN, logk, &t, 0, 4, 0, NULL);
	T_ASSERT_EQ(witness_core_add(pol, wkey, st, (const char *)b.p, b.len,
	    NOW, &r), LD_ESYS);
	T_ASSERT_EQ(r.status, 500);
	T_ASSERT_EQ(r.body.len, 0);
	T_ASSERT_EQ(witness_state_read(st, ORIGIN, &rec), LD_OK);
	T_ASSERT(!rec.found);
	witness_state_rec_free(&rec);
	/* Once the disk is fine again, the same request is cosigned. */
	T_ASSERT_EQ(rmdir(tmp), 0);
	witness_core_reply_free(&r);
	T_ASSERT_EQ(witness_core_add(pol, wkey, st, (const char *)b.p, b.len,
	    NOW, &r), LD_OK);
	T_ASSERT_EQ(r.status, 200);
	witness_core_reply_free(&r);
	witness_state_close(st);
	rm_dir();
	buf_free(&b);
}

struct racer {
	struct witness_state		*st;
	const struct buf		*req;
	pthread_barrier_t		*bar;
	struct witness_core_reply	 r;
};

static void *
race_fn(void *arg)
{
	struct racer	*x = arg;

	pthread_barrier_wait(x->bar);
	witness_core_add(pol, wkey, x->st, (const char *)x->req->p,
	    x->req->len, NOW, &x->r);
	return NULL;
}

/*
 * The spec's race: two requests with the same old size N (to N+K and to
 * N+1). Only one cosigns; the other gets 409 with the winner's size;
 * the state is the winner's. Repeated, each round from the winner.
 */
static void
test_race(void)
{
	struct tree			 t = { UINT64_MAX };
	struct witness_state		*st = NULL;
	struct witness_core_reply	 r = { 0 };
	struct witness_state_rec	 rec;
	struct buf			 b = { 0 }, b1 = { 0 }, b2 = { 0 };
	struct racer			 x[2];
	pthread_barrier_t		 bar;
	pthread_t			 th[2];
	uint64_t			 n = 1, now = NOW, win, both = 0;
	int				 round, i, ok;

	fixture();
	new_dir();
	T_ASSERT_EQ(witness_state_open(dir, &st), LD_OK);
	make_req(&b, ORIGIN, logk, &t, 0, n, 0, NULL);
	SEND(200);
	pthread_barrier_init(&bar, NULL, 2);
	for (round = 0; round < 40; round++) {
		make_req(&b1, ORIGIN, logk, &t, n, n + 5, 1, NULL);
		make_req(&b2, ORIGIN, logk, &t, n, n + 1, 1, NULL);
		memset(x, 0, sizeof(x));
		x[0].st = x[1].st = st;
		x[0].req = &b1;
		x[1].req = &b2;
		x[0].bar = x[1].bar = &bar;
		for (i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, race_fn, &x[i]);
		for (i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		ok = (x[0].r.status == 200) + (x[1].r.status == 200);
		T_ASSERT_EQ(ok, 1);
		if (ok != 1)
			both++;
		win = x[0].r.status == 200 ? n + 5 : n + 1;
		T_ASSERT_EQ(x[0].r.status == 200 ? x[1].r.status :
		    x[0].r.status, 409);
		T_ASSERT_EQ(x[0].r.status == 200 ? x[1].r.size : x[0].r.size,
		    win);
		T_ASSERT_EQ(witness_state_read(st, ORIGIN, &rec), LD_OK);
		T_ASSERT_EQ(rec.cp.size, win);
		witness_state_rec_free(&rec);
		witness_core_reply_free(&x[0].r);
		witness_core_reply_free(&x[1].r);
		n = win;
	}
	T_ASSERT_EQ(both, 0);
	pthread_barrier_destroy(&bar);
	witness_core_reply_free(&r);
	witness_state_close(st);
	rm_dir();
	buf_free(&b);
	buf_free(&b1);
	buf_free(&b2);
}

/* witness_core_decide alone: a key that cannot cosign, time 0. */
static void
test_decide_args(void)
{
	struct tree			t = { UINT64_MAX };
	struct tlog_witness_req		q;
	struct witness_state_rec	cur = { 0 };
	struct witness_core_reply	r = { 0 };
	struct buf			b = { 0 }, next = { 0 };

	fixture();
	make_req(&b, ORIGIN, logk, &t, 0, 3, 0, NULL);
	T_ASSERT_EQ(tlog_witness_req_parse((const char *)b.p, b.len, &q),
	    LD_OK);
	T_ASSERT_EQ(witness_core_decide(pol, wpub, &q, &cur, NOW, &r, &next),
	    LD_EINVAL);
	T_ASSERT_EQ(witness_core_decide(pol, logk, &q, &cur, NOW, &r, &next),
	    LD_EINVAL);
	T_ASSERT_EQ(witness_core_decide(pol, wkey, &q, &cur, 0, &r, &next),
	    LD_EINVAL);
	T_ASSERT_EQ(next.len, 0);
	T_ASSERT_EQ(witness_core_decide(pol, wkey, &q, &cur, NOW, &r, &next),
	    LD_OK);
	T_ASSERT_EQ(r.status, 200);
	/* next = the checkpoint, its log line, the cosignature. */
	T_ASSERT(next.len > r.body.len &&
	    memcmp(next.p + next.len - r.body.len, r.body.p, r.body.len) == 0);
	tlog_witness_req_free(&q);
	witness_core_reply_free(&r);
	buf_free(&b);
	buf_free(&next);
}

int
main(int argc, char **argv)
{
	static const struct t_case	cases[] = {
		T_CASE(test_req_spec_example),
		T_CASE(test_req_malformed),
		T_CASE(test_req_format),
		T_CASE(test_resp_and_size),
		T_CASE(test_statuses),
		T_CASE(test_monitoring),
		T_CASE(test_restart),
		T_CASE(test_write_failure),
		T_CASE(test_race),
		T_CASE(test_decide_args),
	};
	int	rc;

	rc = t_main(argc, argv, "t_witness", cases, T_NCASES(cases));
	fixture_free();
	return rc;
}
