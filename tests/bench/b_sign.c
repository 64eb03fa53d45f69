/* b_sign.c - checkpoint signing beside OpenSSL's raw Ed25519 rate. */
/*
 * After each group commit ledgerd computes the tree root and signs a
 * checkpoint (ledgerd/cp.c: cp_sign, note_sign, sig_sign). Here
 * that path runs on a 10^6-leaf tree (root from the frontier, the
 * checkpoint text, the signed note) beside the raw rate: one EVP_PKEY,
 * EVP_DigestSign over a message of the same length, as `openssl speed
 * ed25519` measures it. Best of argv[1] rounds of 0.3 s each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "bench.h"
#include "buf.h"
#include "checkpoint.h"
#include "cp.h"
#include "err.h"
#include "ledgerd.h"
#include "merkle.h"
#include "note.h"
#include "sig.h"

#define ORIGIN	"bench.example.org/carbon/2026"

static double
best_rate(int rounds, void (*fn)(void *), void *arg)
{
	uint64_t	t0, t, n;
	double		best = 0, rate;
	int		r;

	for (r = 0; r < rounds; r++) {
		n = 0;
		t0 = bench_now_ns();
		do {
			fn(arg);
			n++;
			t = bench_now_ns();
		} while (t - t0 < 300000000ULL);
		rate = (double)n / ((double)(t - t0) / 1e9);
		if (rate > best)
			best = rate;
	}
	return best;
}

struct raw {
	EVP_MD_CTX	*ctx;
	uint8_t		 msg[256];
	size_t		 len;
};

static void
raw_sign(void *arg)
{
	struct raw	*r = arg;
	uint8_t		 sig[64];
	size_t		 siglen = sizeof(sig);

	r->msg[0]++;
	if (EVP_DigestSign(r->ctx, sig, &siglen, r->msg, r->len) != 1)
		abort();
}

struct wrap {
	struct sig_key	*k;
	const uint8_t	*msg;
	size_t		 len;
};

static void
wrap_sign(void *arg)
{
	struct wrap	*w = arg;
	uint8_t		 sig[64];

	if (sig_sign(w->k, w->msg, w->len, sig) != LD_OK)
		abort();
}

struct ckpt {
	struct ledgerd		*ld;
	struct merkle_tree	 tree;
};

static void
ckpt_sign(void *arg)
{
	struct ckpt	*c = arg;
	uint8_t		 root[32];

	merkle_tree_root(&c->tree, root);
	cp_put(cp_sign(c->ld, c->tree.size, root));
}

int
main(int argc, char **argv)
{
	struct ledgerd	 ld;
	struct ckpt	 c;
	struct raw	 raw;
	struct wrap	 w;
	struct checkpoint cp;
	struct buf	 body = { 0 };
	EVP_PKEY	*pkey;
	uint64_t	 i;
	double		 rraw, rwrap, rckpt;
	int		 rounds = argc > 1 ? atoi(argv[1]) : 3, l;

	memset(&ld, 0, sizeof(ld));
	if (sig_keygen(ORIGIN, SIG_TYPE_ED25519, &ld.key) != LD_OK)
		abort();
	ld.origin = (char *)ORIGIN;
	/* A 10^6-leaf tree's frontier (what store_tree loads). */
	memset(&c, 0, sizeof(c));
	c.ld = &ld;
	merkle_tree_init(&c.tree);
	c.tree.size = 1000000;
	for (l = 0; l < 64; l++)
		for (i = 0; i < 32; i++)
			c.tree.sub[l][i] = (uint8_t)(l * 31 + i);
	/* The checkpoint text, to sign raw and through sig_sign. */
	memset(&cp, 0, sizeof(cp));
	snprintf(cp.origin, sizeof(cp.origin), "%s", ORIGIN);
	cp.size = c.tree.size;
	checkpoint_format(&cp, &body);

	if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL ||
	    (raw.ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(raw.ctx, NULL, NULL, NULL, pkey) != 1)
		abort();
	memcpy(raw.msg, body.p, body.len);
	raw.len = body.len;
	w.k = ld.key;
	w.msg = body.p;
	w.len = body.len;

	rraw = best_rate(rounds, raw_sign, &raw);
	rwrap = best_rate(rounds, wrap_sign, &w);
	rckpt = best_rate(rounds, ckpt_sign, &c);
	bench_row("checkpoint: root + note + sign (cp_sign)", rckpt,
	    "signs/s", "OpenSSL Ed25519 EVP_DigestSign", rraw);
	bench_row("  sig_sign alone (EVP ctx per signature)", rwrap, "signs/s",
	    "OpenSSL Ed25519 EVP_DigestSign", rraw);

	EVP_MD_CTX_free(raw.ctx);
	EVP_PKEY_free(pkey);
	buf_free(&body);
	sig_key_free(ld.key);
	return 0;
}
