/* t_account.c - client/client_account.c against forged account pages. */
/*
 * A dishonest server can sign what it likes with the log's key: here the
 * test holds that key, builds leaves with chosen counters and links, a
 * tree over them, a signed checkpoint and the JSON page ledgerd would
 * serve, and checks that client_account_page/finish refuse every lie an
 * honest leaf could not tell: another account's entry, a broken or
 * looping chain, a counter that is not the running sum (each of
 * credited, retired, reversed, in the newest leaf or an older one), a
 * reversal of another account's credit or of one credit twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "checkpoint.h"
#include "client.h"
#include "client_account.h"
#include "codec.h"
#include "err.h"
#include "json.h"
#include "merkle.h"
#include "note.h"
#include "sig.h"
#include "t.h"

#define MAXLEAVES	16

struct forged {
	struct entry_leaf	l[MAXLEAVES];
	size_t		n;
	uint8_t		hash[MAXLEAVES][32];
	struct buf	enc[MAXLEAVES];
};

static struct sig_key	*logkey;

/* Complete subtree hashes from the leaf hashes (merkle_node_fn). */
static int
node(void *arg, unsigned level, uint64_t index, uint8_t out[32])
{
	struct forged	*f = arg;
	uint64_t	 w = 1ULL << level, i;
	uint8_t		 h[MAXLEAVES][32];

	if ((index + 1) * w > f->n)
		return MERKLE_EINVAL;
	for (i = 0; i < w; i++)
		memcpy(h[i], f->hash[index * w + i], 32);
	return merkle_subtree_hash((const uint8_t (*)[32])h, w, out);
}

/* An entry leaf of issuer city, with the counters as given. */
static void
add(struct forged *f, int kind, const char *account, uint64_t grams,
    uint64_t target, uint64_t prev, uint64_t cr, uint64_t re, uint64_t rv)
{
	struct entry_leaf	*l = &f->l[f->n];

	memset(l, 0, sizeof(*l));
	l->kind = (uint8_t)kind;
	l->index = f->n;
	l->time = 1720000000 + f->n;
	STR_SET(l->u.e.issuer, "city", 4);
	l->u.e.batch = 0;
	l->u.e.pos = (uint32_t)f->n;
	l->u.e.sub.kind = (uint8_t)kind;
	if (kind != KIND_REVERSE)
		STR_SET(l->u.e.sub.account, account, strlen(account));
	if (kind == KIND_CREDIT) {
		STR_SET(l->u.e.sub.method, "transit.bus.v1", 14);
		l->u.e.sub.units = grams / 80;
	}
	if (kind == KIND_RETIRE)
		STR_SET(l->u.e.sub.text, "Green Conference", 16);
	if (kind == KIND_REVERSE) {
		l->u.e.sub.target = target;
		STR_SET(l->u.e.sub.text, "duplicate", 9);
	}
	if (kind != KIND_REVERSE)
		l->u.e.sub.grams = grams;
	l->u.e.sub.day = 19900;
	l->u.e.sub.dedup[0] = (uint8_t)f->n;
	l->u.e.sub.dedup[1] = 1;
	l->u.e.acct.credited = cr;
	l->u.e.acct.retired = re;
	l->u.e.acct.reversed = rv;
	l->u.e.acct.prev = prev;
	l->u.e.iss.prev = NO_INDEX;
	f->n++;
}

static void
seal(struct forged *f)
{
	size_t	i;

	for (i = 0; i < f->n; i++) {
		buf_reset(&f->enc[i]);
		T_ASSERT_EQ(codec_leaf_encode(&f->l[i], &f->enc[i]), LD_OK);
		merkle_leaf_hash(f->hash[i], f->enc[i].p, f->enc[i].len);
	}
}

static void
forged_free(struct forged *f)
{
	size_t	i;

	for (i = 0; i < MAXLEAVES; i++)
		buf_free(&f->enc[i]);
}

/* The page ledgerd serves for an account whose entries are idx[0..k),
 * newest first, with "last" = idx[0]. */
static struct json *
page(struct forged *f, const uint64_t *idx, size_t k)
{
	struct checkpoint	 c;
	struct merkle_proof	 p;
	struct buf		 body = { 0 }, note = { 0 };
	struct json		*o = json_obj(), *arr = json_arr(), *e, *pr;
	size_t			 i, j;

	seal(f);
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", sig_key_name(logkey));
	c.size = f->n;
	T_ASSERT_EQ(merkle_root(node, f, f->n, c.root), MERKLE_OK);
	checkpoint_format(&c, &body);
	T_ASSERT_EQ(note_sign((char *)body.p, body.len, logkey, &note), LD_OK);
	json_set(o, "checkpoint", json_strn((char *)note.p, note.len));
	json_set(o, "size", json_u64(f->n));
	json_set(o, "last", k ? json_u64(idx[0]) : json_nil());
	for (i = 0; i < k; i++) {
		e = json_obj();
		json_set(e, "index", json_u64(idx[i]));
		json_set(e, "leaf", json_b64(f->enc[idx[i]].p,
		    f->enc[idx[i]].len));
		T_ASSERT_EQ(merkle_prove_inclusion(node, f, idx[i], f->n, &p),
		    MERKLE_OK);
		pr = json_arr();
		for (j = 0; j < p.n; j++)
			json_push(pr, json_hex(p.path[j], 32));
		json_set(e, "proof", pr);
		json_push(arr, e);
	}
	json_set(o, "entries", arr);
	json_set(o, "next_cursor", json_nil());
	buf_free(&body);
	buf_free(&note);
	return o;
}

/* Verify the page for (city, account); LD_OK or the error. */
static int
check(struct forged *f, const char *account, const uint64_t *idx, size_t k,
    char *msg, size_t msglen)
{
	struct client_account	 a;
	struct ld_error	 e;
	struct json		*doc = page(f, idx, k);
	uint64_t		 next;
	int			 rc;

	struct trust		 t;

	memset(&a, 0, sizeof(a));
	memset(&e, 0, sizeof(e));
	trust_init(&t, logkey, NULL, NULL, NULL);
	rc = client_account_page(&a, doc, &t, "city", account, NULL,
	    &next, &e);
	if (rc == LD_OK)
		rc = client_account_finish(&a, &e);
	snprintf(msg, msglen, "%s", e.msg);
	if (rc != LD_OK)
		printf("#   refused: %s\n", e.msg);
	client_account_free(&a);
	json_free(doc);
	return rc;
}

/*
 * The honest account u-1: 0 credit 160, 1 credit 80 (u-2's), 2 credit
 * 80, 3 retire 100, 4 reverse 2 (80 g): credited 240, retired 100,
 * reversed 80; u-1's chain is 4 -> 3 -> 2 -> 0.
 */
static void
honest(struct forged *f)
{
	memset(f, 0, sizeof(*f));
	add(f, KIND_CREDIT, "u-1", 160, 0, NO_INDEX, 160, 0, 0);
	add(f, KIND_CREDIT, "u-2", 80, 0, NO_INDEX, 80, 0, 0);
	add(f, KIND_CREDIT, "u-1", 80, 0, 0, 240, 0, 0);
	add(f, KIND_RETIRE, "u-1", 100, 0, 2, 240, 100, 0);
	add(f, KIND_REVERSE, "", 0, 2, 3, 240, 100, 80);
}

static const uint64_t	chain[] = { 4, 3, 2, 0 };
static char		msg[512];

static void
test_honest_account_verifies(void)
{
	struct forged	f;

	honest(&f);
	T_ASSERT_EQ(check(&f, "u-1", chain, 4, msg, sizeof(msg)), LD_OK);
	forged_free(&f);
}

static void
test_another_accounts_chain_is_refused(void)
{
	struct forged	f;
	uint64_t	u2[] = { 1 };

	honest(&f);
	/* u-2's genuine chain, asked for as u-1's. */
	T_ASSERT_EQ(check(&f, "u-1", u2, 1, msg, sizeof(msg)), LD_EBADPROOF);
	T_ASSERT(strstr(msg, "not an entry of city account u-1") != NULL);
	T_ASSERT_EQ(check(&f, "u-2", u2, 1, msg, sizeof(msg)), LD_OK);
	forged_free(&f);
}

static void
test_every_counter_is_checked(void)
{
	struct forged	f;
	int		which, at;

	/* Each of the three counters, in the newest leaf and an older one. */
	for (at = 0; at < 2; at++)
		for (which = 0; which < 3; which++) {
			struct entry_account_ctr *c;

			honest(&f);
			c = &f.l[at == 0 ? 4 : 3].u.e.acct;
			if (which == 0)
				c->credited += 80;
			else if (which == 1)
				c->retired -= 1;
			else
				c->reversed += 1;
			T_ASSERT_EQ(check(&f, "u-1", chain, 4, msg,
			    sizeof(msg)), LD_EBADPROOF);
			T_ASSERT(strstr(msg, "are not the sums") != NULL);
			forged_free(&f);
		}
}

static void
test_a_broken_link_is_refused(void)
{
	struct forged	f;
	uint64_t	skip[] = { 4, 3, 0 };

	honest(&f);
	/* Entry 3 names 0 as its previous: entry 2 (a credit) left out. */
	f.l[3].u.e.acct.prev = 0;
	f.l[3].u.e.acct.credited = 160;
	f.l[4].u.e.acct.credited = 160;
	T_ASSERT(check(&f, "u-1", skip, 3, msg, sizeof(msg)) != LD_OK);
	forged_free(&f);
	/* The links as they are, a page that skips entry 2. */
	honest(&f);
	T_ASSERT_EQ(check(&f, "u-1", skip, 3, msg, sizeof(msg)),
	    LD_EBADPROOF);
	T_ASSERT(strstr(msg, "chain is broken") != NULL);
	forged_free(&f);
}

static void
test_a_looping_chain_is_refused(void)
{
	struct forged	f;
	uint64_t	loop[] = { 3, 4 };

	honest(&f);
	f.l[3].u.e.acct.prev = 4;
	T_ASSERT_EQ(check(&f, "u-1", loop, 2, msg, sizeof(msg)),
	    LD_EBADPROOF);
	T_ASSERT(strstr(msg, "not an earlier one") != NULL);
	forged_free(&f);
}

static void
test_reversal_of_another_accounts_credit(void)
{
	struct forged	f;

	honest(&f);
	f.l[4].u.e.sub.target = 1;	/* u-2's credit */
	T_ASSERT_EQ(check(&f, "u-1", chain, 4, msg, sizeof(msg)),
	    LD_EBADPROOF);
	T_ASSERT(strstr(msg, "not an earlier credit of this account") !=
	    NULL);
	forged_free(&f);
}

static void
test_reversal_of_a_later_credit(void)
{
	struct forged	f;
	uint64_t	later[] = { 5, 4, 3, 2, 0 };

	/* Entry 4 reverses credit 5, appended after it: no server could
	 * have checked a target that was not yet in the log. */
	honest(&f);
	f.l[4].u.e.sub.target = 5;
	add(&f, KIND_CREDIT, "u-1", 80, 0, 4, 320, 100, 80);
	T_ASSERT_EQ(check(&f, "u-1", later, 5, msg, sizeof(msg)),
	    LD_EBADPROOF);
	T_ASSERT(strstr(msg, "not an earlier credit of this account") !=
	    NULL);
	forged_free(&f);
}

static void
test_one_credit_reversed_twice(void)
{
	struct forged	f;
	uint64_t	twice[] = { 5, 4, 3, 2, 0 };

	honest(&f);
	add(&f, KIND_REVERSE, "", 0, 2, 4, 240, 100, 160);
	T_ASSERT_EQ(check(&f, "u-1", twice, 5, msg, sizeof(msg)),
	    LD_EBADPROOF);
	T_ASSERT(strstr(msg, "reversed twice") != NULL);
	forged_free(&f);
}

static void
test_leaf_index_must_match_its_proof(void)
{
	struct forged	f;

	honest(&f);
	f.l[2].index = 1;
	T_ASSERT_EQ(check(&f, "u-1", chain, 4, msg, sizeof(msg)),
	    LD_EBADPROOF);
	T_ASSERT(strstr(msg, "another index") != NULL);
	forged_free(&f);
}

static void
test_another_key_is_refused(void)
{
	struct forged	 f;
	struct sig_key	*mine = logkey;

	honest(&f);
	T_ASSERT_EQ(sig_keygen("example.org/t", SIG_TYPE_ED25519, &logkey),
	    LD_OK);
	{
		struct client_account	 a;
		struct ld_error	 e;
		struct json		*doc = page(&f, chain, 4);
		uint64_t		 next;

		struct trust		 t;

		memset(&a, 0, sizeof(a));
		memset(&e, 0, sizeof(e));
		trust_init(&t, mine, NULL, NULL, NULL);
		T_ASSERT_EQ(client_account_page(&a, doc, &t, "city", "u-1",
		    NULL, &next, &e), LD_EBADSIG);
		client_account_free(&a);
		json_free(doc);
	}
	sig_key_free(logkey);
	logkey = mine;
	forged_free(&f);
}

int
main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		T_CASE(test_honest_account_verifies),
		T_CASE(test_another_accounts_chain_is_refused),
		T_CASE(test_every_counter_is_checked),
		T_CASE(test_a_broken_link_is_refused),
		T_CASE(test_a_looping_chain_is_refused),
		T_CASE(test_reversal_of_another_accounts_credit),
		T_CASE(test_reversal_of_a_later_credit),
		T_CASE(test_one_credit_reversed_twice),
		T_CASE(test_leaf_index_must_match_its_proof),
		T_CASE(test_another_key_is_refused),
	};
	int	rc;

	if (sig_keygen("example.org/t", SIG_TYPE_ED25519, &logkey) != LD_OK)
		return 2;
	rc = t_main(argc, argv, "t_account", cases, T_NCASES(cases));
	sig_key_free(logkey);
	return rc;
}
