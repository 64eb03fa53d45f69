/* t_trust.c - unit tests for common/trust.c: what a verifier trusts. */
/*
 * trust_init (the log key alone; a policy's only log; --vkey agreeing or
 * not with the policy; several logs), trust_open with the key alone and
 * under a 2-of-3 policy (accepted, a missing witness named, a bad line
 * of a listed witness, a zero timestamp, quorum none, wrong log key,
 * extension lines, not a note), what trust_describe, trust_rule,
 * trust_json and trust_replayed say, and receipts through
 * tlog_proof_verify_trust, whose cache never lets a note opened under the
 * key alone pass for one opened under a policy.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "json.h"
#include "merkle.h"
#include "note.h"
#include "policy.h"
#include "sig.h"
#include "t.h"
#include "tlog_proof.h"
#include "trust.h"

#define ORIGIN	"example.org/trust"
#define NW	4

static struct sig_key	*logk, *otherk, *wk[NW];
static char		*logv, *otherv, *wv[NW];
static const char *const wkey[NW] = {
	"witness.example/w1", "witness.example/w2", "witness.example/w3",
	"audit.ngo.example/replayed"
};

static void
keys_init(void)
{
	size_t	i;

	if (logk != NULL)
		return;
	T_ASSERT_EQ(sig_keygen(ORIGIN, SIG_TYPE_ED25519, &logk), LD_OK);
	T_ASSERT_EQ(sig_keygen(ORIGIN, SIG_TYPE_ED25519, &otherk), LD_OK);
	logv = sig_vkey(logk);
	otherv = sig_vkey(otherk);
	for (i = 0; i < NW; i++) {
		T_ASSERT_EQ(sig_keygen(wkey[i], SIG_TYPE_COSIGN, &wk[i]),
		    LD_OK);
		wv[i] = sig_vkey(wk[i]);
	}
}

static void
keys_free(void)
{
	size_t	i;

	sig_key_free(logk);
	sig_key_free(otherk);
	free(logv);
	free(otherv);
	for (i = 0; i < NW; i++) {
		sig_key_free(wk[i]);
		free(wv[i]);
	}
}

/* Parse policy text; the caller frees it. */
static struct policy *
pol(const char *text)
{
	struct policy	*p = NULL;
	struct ld_error	 e = { 0 };

	if (policy_parse(text, strlen(text), &p, &e) != LD_OK)
		fprintf(stderr, "policy_parse: %s\n", e.msg);
	T_ASSERT(p != NULL);
	return p;
}

/* 2 of {w1, w2, w3}, and (with ngo) all of that group and ngo. */
static struct policy *
pol23(int ngo)
{
	struct buf	 b = { 0 };
	struct policy	*p;

	buf_printf(&b, "log %s\nwitness w1 %s\nwitness w2 %s\nwitness w3 %s\n"
	    "group g 2 w1 w2 w3\n", logv, wv[0], wv[1], wv[2]);
	if (ngo)
		buf_printf(&b, "witness ngo %s\ngroup g-ngo all g ngo\n"
		    "quorum g-ngo\n", wv[3]);
	else
		buf_adds(&b, "quorum g\n");
	p = pol(buf_cstr(&b));
	buf_free(&b);
	return p;
}

/*
 * A checkpoint note of size with root byte r, signed by lk, cosigned at
 * time t by the witnesses whose bit is in mask; bad: a line of witness
 * bad-1 made over another text (a line that does not verify).
 */
static void
mk(struct buf *b, const struct sig_key *lk, uint64_t size,
    const uint8_t root[32], unsigned mask, uint64_t t, int bad, int ext)
{
	struct checkpoint	c = { .size = size };
	struct buf		text = { 0 }, other = { 0 };
	size_t			i;

	snprintf(c.origin, sizeof(c.origin), "%s", ORIGIN);
	memcpy(c.root, root, 32);
	checkpoint_format(&c, &text);
	if (ext)
		buf_adds(&text, "an extension\n");
	buf_reset(b);
	T_ASSERT_EQ(note_sign((const char *)text.p, text.len, lk, b), LD_OK);
	for (i = 0; i < NW; i++)
		if (mask & (1u << i))
			T_ASSERT_EQ(note_cosign((const char *)text.p, text.len,
			    wk[i], t, b), LD_OK);
	if (bad) {
		c.size++;
		checkpoint_format(&c, &other);
		T_ASSERT_EQ(note_cosign((const char *)other.p, other.len,
		    wk[bad - 1], t, b), LD_OK);
	}
	buf_free(&text);
	buf_free(&other);
}

static const uint8_t R[32] = { 7 };

static void
test_init(void)
{
	struct trust	 t;
	struct ld_error	 e = { 0 };
	struct policy	*p, *p2;
	struct buf	 b = { 0 };

	keys_init();
	T_ASSERT_EQ(trust_init(&t, logk, NULL, NULL, &e), LD_OK);
	T_ASSERT(t.log == logk && t.policy == NULL);
	T_ASSERT_EQ(trust_init(&t, NULL, NULL, NULL, &e), LD_EINVAL);
	p = pol23(0);
	/* The policy's only log: its key, not the caller's. */
	T_ASSERT_EQ(trust_init(&t, NULL, p, "p", &e), LD_OK);
	T_ASSERT(t.log == policy_log_key(p, 0) && t.policy == p);
	T_ASSERT_EQ(trust_init(&t, logk, p, "p", &e), LD_OK);
	T_ASSERT(t.log == policy_log_key(p, 0));
	/* Same name, another key: not the policy's log. */
	T_ASSERT_EQ(trust_init(&t, otherk, p, "p.policy", &e), LD_EINVAL);
	T_ASSERT(strstr(e.msg, "is not a log of p.policy") != NULL);
	buf_printf(&b, "log %s\nlog %s\nquorum none\n", logv, otherv);
	p2 = pol(buf_cstr(&b));
	T_ASSERT_EQ(trust_init(&t, NULL, p2, "two", &e), LD_EINVAL);
	T_ASSERT(strstr(e.msg, "two lists 2 logs") != NULL);
	T_ASSERT_EQ(trust_init(&t, otherk, p2, "two", &e), LD_OK);
	T_ASSERT(t.log == policy_log_key(p2, 1));
	policy_free(p);
	policy_free(p2);
	buf_free(&b);
}

static void
test_open_key(void)
{
	struct trust	t;
	struct trust_cp	c;
	struct ld_error	e = { 0 };
	struct buf	b = { 0 };

	keys_init();
	trust_init(&t, logk, NULL, NULL, NULL);
	mk(&b, logk, 42, R, 0, 0, 0, 0);
	T_ASSERT_EQ(trust_open(&t, (char *)b.p, b.len, &c, &e), LD_OK);
	T_ASSERT_EQ(c.cp.size, 42);
	T_ASSERT_MEM(c.cp.root, R, 32);
	T_ASSERT_EQ(c.prefix_of, 0);
	/* Signed by another key of the same name. */
	mk(&b, otherk, 42, R, 0, 0, 0, 0);
	T_ASSERT_EQ(trust_open(&t, (char *)b.p, b.len, &c, &e), LD_EBADSIG);
	T_ASSERT_STR(e.rule, "checkpoint-signature");
	T_ASSERT_EQ(trust_open(&t, "not a note", 10, &c, &e), LD_EINVAL);
	T_ASSERT_STR(e.rule, "checkpoint-format");
	mk(&b, logk, 42, R, 0, 0, 0, 1);
	T_ASSERT_EQ(trust_open(&t, (char *)b.p, b.len, &c, &e), LD_ERULE);
	T_ASSERT_STR(e.msg, CHECKPOINT_EXT_MSG);
	/* Cosignatures do not matter with the key alone. */
	mk(&b, logk, 42, R, 1, 100, 0, 0);
	T_ASSERT_EQ(trust_open(&t, (char *)b.p, b.len, &c, NULL), LD_OK);
	buf_free(&b);
}

static void
test_open_policy(void)
{
	struct trust	 t;
	struct trust_cp	 c;
	struct ld_error	 e = { 0 };
	struct buf	 b = { 0 };
	struct policy	*p = pol23(0), *pn;
	char		 none[256];

	keys_init();
	T_ASSERT_EQ(trust_init(&t, NULL, p, "p23", NULL), LD_OK);
	mk(&b, logk, 9, R, 3, 100, 0, 0);
	T_ASSERT_EQ(trust_open(&t, (char *)b.p, b.len, &c, &e), LD_OK);
	T_ASSERT_EQ(c.pr.quorum_met, 1);
	T_ASSERT_EQ(c.pr.cosig[0], POLICY_COSIG_OK);
	T_ASSERT_EQ(c.pr.cosig[1], POLICY_COSIG_OK);
	T_ASSERT_EQ(c.pr.cosig[2], POLICY_COSIG_MISSING);
	/* One of two: refused, naming who cosigned and who is missing. */
	mk(&b, logk, 9, R, 1, 100, 0, 0);
	T_ASSERT_EQ(trust_open(&t, (char *)b.p, b.len, &c, &e), LD_EBADSIG);
	T_ASSERT_STR(e.rule, "quorum-not-met");
	T_ASSERT_STR(e.msg, "the checkpoint of size 9 does not satisfy p23: "
	    "quorum g needs 2 of {w1, w2, w3}; cosigned by w1; missing w2, w3");
	/* A bad line of listed w3 refuses two good ones. */
	mk(&b, logk, 9, R, 3, 100, 3, 0);
	T_ASSERT_EQ(trust_open(&t, (char *)b.p, b.len, &c, &e), LD_EBADSIG);
	T_ASSERT_STR(e.rule, "bad-cosignature");
	T_ASSERT(strstr(e.msg, "witness w3") != NULL);
	/* A bad line of an unlisted key (the auditor's, here) is ignored. */
	mk(&b, logk, 9, R, 3, 100, 4, 0);
	T_ASSERT_EQ(trust_open(&t, (char *)b.p, b.len, &c, &e), LD_OK);
	/* Zero timestamps do not count. */
	mk(&b, logk, 9, R, 7, 0, 0, 0);
	T_ASSERT_EQ(trust_open(&t, (char *)b.p, b.len, &c, &e), LD_EBADSIG);
	T_ASSERT(strstr(e.msg, "w1 (timestamp 0, not counted)") != NULL);
	/* The log's signature first: cosigned, but by another log key. */
	mk(&b, otherk, 9, R, 7, 100, 0, 0);
	T_ASSERT_EQ(trust_open(&t, (char *)b.p, b.len, &c, &e), LD_EBADSIG);
	T_ASSERT_STR(e.rule, "checkpoint-signature");
	/* quorum none: the log signature alone. */
	snprintf(none, sizeof(none), "log %s\nquorum none\n", logv);
	pn = pol(none);
	T_ASSERT_EQ(trust_init(&t, NULL, pn, "none", NULL), LD_OK);
	mk(&b, logk, 9, R, 0, 0, 0, 0);
	T_ASSERT_EQ(trust_open(&t, (char *)b.p, b.len, &c, &e), LD_OK);
	policy_free(pn);
	policy_free(p);
	buf_free(&b);
}

static void
test_describe(void)
{
	struct trust	 t;
	struct trust_cp	 c;
	struct buf	 b = { 0 }, d = { 0 };
	struct json	*j;
	struct policy	*p = pol23(0);

	keys_init();
	trust_init(&t, logk, NULL, NULL, NULL);
	mk(&b, logk, 9, R, 3, 100, 0, 0);
	T_ASSERT_EQ(trust_open(&t, (char *)b.p, b.len, &c, NULL), LD_OK);
	trust_describe(&t, &c, &d);
	T_ASSERT_STR(buf_cstr(&d), "signed by " ORIGIN);
	buf_reset(&d);
	trust_rule(&t, &d);
	T_ASSERT_EQ(d.len, 0);
	j = trust_json(&t, &c);
	buf_reset(&d);
	json_render(j, &d);
	T_ASSERT_STR(buf_cstr(&d), "{\"log_key\":\"" ORIGIN "\",\"policy\":"
	    "null,\"quorum\":null,\"quorum_met\":null,\"cosigned_by\":[],"
	    "\"quorum_rule\":null,\"prefix_of\":null}");
	json_free(j);

	trust_init(&t, NULL, p, "p23", NULL);
	T_ASSERT_EQ(trust_open(&t, (char *)b.p, b.len, &c, NULL), LD_OK);
	buf_reset(&d);
	trust_describe(&t, &c, &d);
	T_ASSERT_STR(buf_cstr(&d), "signed by " ORIGIN " and cosigned by "
	    "w1, w2 (policy p23: quorum g needs 2 of {w1, w2, w3})");
	buf_reset(&d);
	trust_rule(&t, &d);
	T_ASSERT_STR(buf_cstr(&d), "quorum g needs 2 of {w1, w2, w3}");
	c.prefix_of = 12;
	buf_reset(&d);
	trust_describe(&t, &c, &d);
	T_ASSERT_STR(buf_cstr(&d), "signed by " ORIGIN ", a prefix "
	    "(consistency proof verified) of the checkpoint of size 12 signed "
	    "by " ORIGIN " and cosigned by w1, w2 (policy p23: quorum g needs "
	    "2 of {w1, w2, w3})");
	j = trust_json(&t, &c);
	buf_reset(&d);
	json_render(j, &d);
	T_ASSERT_STR(buf_cstr(&d), "{\"log_key\":\"" ORIGIN "\",\"policy\":"
	    "\"p23\",\"quorum\":\"g\",\"quorum_met\":true,\"cosigned_by\":"
	    "[\"w1\",\"w2\"],\"quorum_rule\":\"quorum g needs 2 of {w1, w2, "
	    "w3}\",\"prefix_of\":12}");
	json_free(j);
	policy_free(p);
	buf_free(&b);
	buf_free(&d);
}

static void
test_replayed(void)
{
	struct trust	 t;
	struct trust_cp	 c;
	struct buf	 b = { 0 }, d = { 0 };
	struct policy	*p = pol23(1), *p0 = pol23(0);

	keys_init();
	trust_init(&t, NULL, p, "aud", NULL);
	mk(&b, logk, 9, R, 1 | 4 | 8, 100, 0, 0);
	T_ASSERT_EQ(trust_open(&t, (char *)b.p, b.len, &c, NULL), LD_OK);
	T_ASSERT_EQ(trust_replayed(&t, &c, &d), 1);
	T_ASSERT_STR(buf_cstr(&d), "ngo (audit.ngo.example/replayed)");
	/* Witnesses whose key names do not end in /replayed: none. */
	trust_init(&t, NULL, p0, "p23", NULL);
	T_ASSERT_EQ(trust_open(&t, (char *)b.p, b.len, &c, NULL), LD_OK);
	buf_reset(&d);
	T_ASSERT_EQ(trust_replayed(&t, &c, &d), 0);
	T_ASSERT_EQ(d.len, 0);
	/* The key alone: nobody replayed anything. */
	trust_init(&t, logk, NULL, NULL, NULL);
	T_ASSERT_EQ(trust_open(&t, (char *)b.p, b.len, &c, NULL), LD_OK);
	T_ASSERT_EQ(trust_replayed(&t, &c, &d), 0);
	/* Without the auditor's line the auditor's policy refuses. */
	trust_init(&t, NULL, p, "aud", NULL);
	mk(&b, logk, 9, R, 1 | 2 | 4, 100, 0, 0);
	T_ASSERT_EQ(trust_open(&t, (char *)b.p, b.len, &c, NULL), LD_EBADSIG);
	policy_free(p);
	policy_free(p0);
	buf_free(&b);
	buf_free(&d);
}

/* A one-leaf log: its receipt under the key alone and a policy. */
static void
test_receipt(void)
{
	struct trust		 tk, tp;
	struct trust_cp		 c;
	struct tlog_proof_seen	 seen;
	struct tlog_proof	 pr;
	struct merkle_proof	 empty = { .n = 0 };
	struct ld_error		 e = { 0 };
	struct buf		 b = { 0 }, r = { 0 };
	struct policy		*p = pol23(0);
	uint8_t			 leaf[32];
	static const char	 data[] = "the leaf";

	keys_init();
	merkle_leaf_hash(leaf, (const uint8_t *)data, sizeof(data) - 1);
	trust_init(&tk, logk, NULL, NULL, NULL);
	trust_init(&tp, NULL, p, "p23", NULL);
	memset(&seen, 0, sizeof(seen));
	/* Signed by the log only. */
	mk(&b, logk, 1, leaf, 0, 0, 0, 0);
	tlog_proof_format((const uint8_t *)data, sizeof(data) - 1, 0, &empty,
	    (char *)b.p, b.len, &r);
	T_ASSERT_EQ(tlog_proof_parse((char *)r.p, r.len, &pr), LD_OK);
	T_ASSERT_EQ(tlog_proof_verify_trust(&pr, &tk, &seen, &c, &e), LD_OK);
	T_ASSERT_EQ(c.cp.size, 1);
	/* The note is cached as opened under the key alone: the policy
	 * must still refuse it. */
	T_ASSERT_EQ(tlog_proof_verify_trust(&pr, &tp, &seen, &c, &e),
	    LD_EBADSIG);
	T_ASSERT_STR(e.rule, "quorum-not-met");
	tlog_proof_free(&pr);
	/* Cosigned by two: the policy accepts, and says by whom. */
	mk(&b, logk, 1, leaf, 3, 100, 0, 0);
	buf_reset(&r);
	tlog_proof_format((const uint8_t *)data, sizeof(data) - 1, 0, &empty,
	    (char *)b.p, b.len, &r);
	T_ASSERT_EQ(tlog_proof_parse((char *)r.p, r.len, &pr), LD_OK);
	T_ASSERT_EQ(tlog_proof_verify_trust(&pr, &tp, &seen, &c, &e), LD_OK);
	T_ASSERT_EQ(c.pr.cosig[1], POLICY_COSIG_OK);
	/* From the cache too. */
	memset(&c, 0, sizeof(c));
	T_ASSERT_EQ(tlog_proof_verify_trust(&pr, &tp, &seen, &c, &e), LD_OK);
	T_ASSERT_EQ(c.pr.quorum_met, 1);
	/* Another leaf under the same cached checkpoint: inclusion fails. */
	pr.extra[0] ^= 1;
	T_ASSERT_EQ(tlog_proof_verify_trust(&pr, &tp, &seen, &c, &e),
	    LD_EBADPROOF);
	tlog_proof_free(&pr);
	tlog_proof_seen_free(&seen);
	policy_free(p);
	buf_free(&b);
	buf_free(&r);
}

int
main(int argc, char **argv)
{
	static const struct t_case	cases[] = {
		T_CASE(test_init),
		T_CASE(test_open_key),
		T_CASE(test_open_policy),
		T_CASE(test_describe),
		T_CASE(test_replayed),
		T_CASE(test_receipt),
	};
	int	rc;

	rc = t_main(argc, argv, "t_trust", cases, T_NCASES(cases));
	keys_free();
	return rc;
}
