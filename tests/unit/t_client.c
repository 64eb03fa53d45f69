/* t_client.c - unit tests for the client library's submit reply check. */
/*
 * client_submit_reply turns ledgerd's msgpack reply into one receipt per
 * submitted entry. A reply can be entirely genuine (a checkpoint signed by
 * the log, proofs that verify) and still answer with a receipt for another
 * entry than the one sent: only the check that each leaf holds exactly its
 * entry catches that. These tests build such replies over a real two-leaf
 * tree signed by a generated log key, for new entries and for duplicates.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "checkpoint.h"
#include "client.h"
#include "codec.h"
#include "err.h"
#include "merkle.h"
#include "note.h"
#include "sig.h"
#include "t.h"

#define ORIGIN	"example.org/t-client"
#define DAY	19929u

static struct entry_sub
credit(const char *account, uint64_t grams, const char *dedup)
{
	struct entry_sub	s;

	memset(&s, 0, sizeof(s));
	s.kind = KIND_CREDIT;
	STR_SET(s.account, account, strlen(account));
	STR_SET(s.method, "transit.bus.v1", 14);
	s.units = grams / 80;
	s.grams = grams;
	s.day = DAY;
	merkle_sha256(s.dedup, dedup, strlen(dedup));
	return s;
}

/* The leaf bytes of entry s of issuer "city" at index. */
static void
leaf_of(const struct entry_sub *s, uint64_t index, struct buf *out)
{
	struct entry_leaf	l;

	memset(&l, 0, sizeof(l));
	l.kind = s->kind;
	l.index = index;
	l.time = (uint64_t)DAY * 86400;
	STR_SET(l.u.e.issuer, "city", 4);
	l.u.e.batch = 0;
	l.u.e.pos = (uint32_t)index;
	l.u.e.sub = *s;
	l.u.e.acct.prev = NO_INDEX;
	l.u.e.iss.prev = NO_INDEX;
	buf_reset(out);
	T_ASSERT_EQ(codec_leaf_encode(&l, out), LD_OK);
}

/*
 * A reply for a batch of two entries over the tree [leaf0, leaf1] (size
 * 2), the checkpoint signed by log. dup1: entry 1 of the batch is a
 * duplicate answered with leaf 0 and its proof, and entry 0 is the new
 * leaf 1; else entries 0 and 1 are the new leaves 0 and 1.
 */
static void
reply(const struct sig_key *log, const struct buf *leaf0,
    const struct buf *leaf1, int dup1, struct buf *out)
{
	struct merkle_tree	t;
	struct checkpoint	c;
	struct buf		text = { 0 }, note = { 0 };
	uint8_t			h0[32], h1[32];

	merkle_leaf_hash(h0, leaf0->p, leaf0->len);
	merkle_leaf_hash(h1, leaf1->p, leaf1->len);
	merkle_tree_init(&t);
	merkle_tree_append(&t, h0, NULL, NULL);
	merkle_tree_append(&t, h1, NULL, NULL);
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", ORIGIN);
	c.size = 2;
	merkle_tree_root(&t, c.root);
	checkpoint_format(&c, &text);
	T_ASSERT_EQ(note_sign((const char *)text.p, text.len, log, &note),
	    LD_OK);
	buf_reset(out);
	codec_put_map(out, 9);
	codec_put_cstr(out, "checkpoint");
	codec_put_str(out, (const char *)note.p, note.len);
	codec_put_cstr(out, "size");
	codec_put_u64(out, 2);
	codec_put_cstr(out, "start");
	codec_put_u64(out, dup1 ? 1 : 0);
	codec_put_cstr(out, "leaves");
	if (dup1) {
		codec_put_array(out, 1);
		codec_put_bin(out, leaf1->p, leaf1->len);
		codec_put_cstr(out, "left");
		codec_put_array(out, 1);
		codec_put_bin(out, h0, 32);
	} else {
		codec_put_array(out, 2);
		codec_put_bin(out, leaf0->p, leaf0->len);
		codec_put_bin(out, leaf1->p, leaf1->len);
		codec_put_cstr(out, "left");
		codec_put_array(out, 0);
	}
	codec_put_cstr(out, "right");
	codec_put_array(out, 0);
	codec_put_cstr(out, "entries");
	codec_put_array(out, 2);
	codec_put_array(out, 2);
	codec_put_u64(out, dup1 ? 1 : 0);
	codec_put_bool(out, 0);
	codec_put_array(out, 2);
	codec_put_u64(out, dup1 ? 0 : 1);
	codec_put_bool(out, dup1);
	codec_put_cstr(out, "dups");
	if (dup1) {
		/* Leaf 0 and its inclusion proof in size 2: [h1]. */
		codec_put_array(out, 1);
		codec_put_array(out, 3);
		codec_put_u64(out, 0);
		codec_put_bin(out, leaf0->p, leaf0->len);
		codec_put_array(out, 1);
		codec_put_bin(out, h1, 32);
	} else
		codec_put_array(out, 0);
	codec_put_cstr(out, "duplicate");
	codec_put_bool(out, 0);
	buf_free(&text);
	buf_free(&note);
}

/* Run client_submit_reply on a reply for batch b; the code it returns. */
static int
check(const struct buf *r, const struct codec_batch *b,
    const struct sig_key *log, struct ld_error *e, uint64_t idx[2])
{
	struct client_receipt	out[2];
	int			rc, i;

	memset(out, 0, sizeof(out));
	memset(e, 0, sizeof(*e));
	rc = client_submit_reply(r->p, r->len, b, log, out, e);
	for (i = 0; i < 2; i++) {
		if (idx != NULL)
			idx[i] = out[i].index;
		/* Each receipt made stands on its own, offline. */
		if (rc == LD_OK && log != NULL) {
			struct trust	t;

			trust_init(&t, log, NULL, NULL, NULL);
			T_ASSERT_EQ(client_verify_receipt((const char *)
			    out[i].text.p, out[i].text.len, &t, NULL, NULL,
			    e), LD_OK);
		}
		client_receipt_free(&out[i]);
	}
	return rc;
}

static void
test_reply_holds_entries(void)
{
	struct sig_key		*log;
	struct codec_batch	 b;
	struct entry_sub		 subs[2], other;
	struct ld_error	 e;
	struct buf		 l0 = { 0 }, l1 = { 0 }, lx = { 0 }, r = { 0 };
	uint64_t		 idx[2];

	T_ASSERT_EQ(sig_keygen(ORIGIN, SIG_TYPE_ED25519, &log), LD_OK);
	subs[0] = credit("u-1", 80, "a0");
	subs[1] = credit("u-2", 160, "a1");
	other = credit("u-2", 160, "someone else's ride");
	memset(&b, 0, sizeof(b));
	STR_SET(b.issuer, "city", 4);
	b.n = 2;
	b.subs = subs;

	/* Honest: leaves 0 and 1 hold entries 0 and 1. */
	leaf_of(&subs[0], 0, &l0);
	leaf_of(&subs[1], 1, &l1);
	reply(log, &l0, &l1, 0, &r);
	T_ASSERT_EQ(check(&r, &b, log, &e, idx), LD_OK);
	T_ASSERT_EQ(idx[0], 0);
	T_ASSERT_EQ(idx[1], 1);

	/* A genuine receipt (signed, included) for another entry. */
	leaf_of(&other, 1, &lx);
	reply(log, &l0, &lx, 0, &r);
	T_ASSERT_EQ(check(&r, &b, log, &e, NULL), LD_EBADPROOF);
	T_ASSERT(strstr(e.msg, "the leaf for entry 1 is not that entry") !=
	    NULL);
	/* The same without the log key: the leaf check alone catches it. */
	T_ASSERT_EQ(check(&r, &b, NULL, &e, NULL), LD_EBADPROOF);
	/* Another issuer's leaf with the same entry is not it either. */
	{
		struct entry_leaf	l;

		T_ASSERT_EQ(codec_leaf_decode(l1.p, l1.len, &l), LD_OK);
		STR_SET(l.u.e.issuer, "ghost", 5);
		buf_reset(&lx);
		T_ASSERT_EQ(codec_leaf_encode(&l, &lx), LD_OK);
		entry_leaf_free(&l);
	}
	reply(log, &l0, &lx, 0, &r);
	T_ASSERT_EQ(check(&r, &b, log, &e, NULL), LD_EBADPROOF);

	/* Duplicates: entry 1 already logged at index 0, entry 0 new. */
	leaf_of(&subs[1], 0, &l0);
	leaf_of(&subs[0], 1, &l1);
	reply(log, &l0, &l1, 1, &r);
	T_ASSERT_EQ(check(&r, &b, log, &e, idx), LD_OK);
	T_ASSERT_EQ(idx[0], 1);
	T_ASSERT_EQ(idx[1], 0);
	/* ... answered with a genuine receipt of another logged entry. */
	leaf_of(&other, 0, &lx);
	reply(log, &lx, &l1, 1, &r);
	T_ASSERT_EQ(check(&r, &b, log, &e, NULL), LD_EBADPROOF);
	T_ASSERT(strstr(e.msg, "the leaf for duplicate entry 1 is not that "
	    "entry") != NULL);

	buf_free(&l0);
	buf_free(&l1);
	buf_free(&lx);
	buf_free(&r);
	sig_key_free(log);
}

int
main(int argc, char **argv)
{
	static const struct t_case	cases[] = {
		T_CASE(test_reply_holds_entries),
	};

	return t_main(argc, argv, "t_client", cases, T_NCASES(cases));
}
