/* t_policy.c - unit tests for C2SP tlog-policy (common/policy.c). */
/*
 * The spec's example (two organisations, nested groups) with generated
 * keys, evaluated on checkpoints cosigned by every interesting subset;
 * quorum none; a single-witness quorum; every error class of the parser,
 * each with its line number; the limits; a witness that did not cosign
 * (the message names who did and who is missing); a bad cosignature of a
 * listed witness (the whole note refused); a zero timestamp (not
 * counted); unknown keys ignored; key rotation of a log.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "note.h"
#include "policy.h"
#include "sig.h"
#include "t.h"
#include "xmalloc.h"

#define ORIGIN	"ledger.example.org/carbon/2026"
#define NW	8

static struct sig_key	*logk, *logk2, *wk[NW];
static char		*logv, *logv2, *wv[NW];
static const char *const wname[NW] = {
	"X1", "X2", "X3", "Y1", "Y2", "Y3", "A", "B"
};

static void
keys_init(void)
{
	char	name[64];
	size_t	i;

	if (logk != NULL)
		return;
	T_ASSERT_EQ(sig_keygen(ORIGIN, SIG_TYPE_ED25519, &logk), LD_OK);
	T_ASSERT_EQ(sig_keygen(ORIGIN, SIG_TYPE_ED25519, &logk2), LD_OK);
	logv = sig_vkey(logk);
	logv2 = sig_vkey(logk2);
	for (i = 0; i < NW; i++) {
		snprintf(name, sizeof(name), "witness.example/%s", wname[i]);
		T_ASSERT_EQ(sig_keygen(name, SIG_TYPE_COSIGN, &wk[i]), LD_OK);
		wv[i] = sig_vkey(wk[i]);
	}
}

static void
keys_free(void)
{
	size_t	i;

	sig_key_free(logk);
	sig_key_free(logk2);
	free(logv);
	free(logv2);
	for (i = 0; i < NW; i++) {
		sig_key_free(wk[i]);
		free(wv[i]);
	}
}

/* The spec's example policy, with our keys. */
static void
spec_example(struct buf *b)
{
	buf_reset(b);
	buf_printf(b, "log %s\n\n", logv);
	buf_printf(b, "witness X1 %s\nwitness X2 %s\nwitness X3 %s\n",
	    wv[0], wv[1], wv[2]);
	buf_adds(b, "group X-witnesses 2 X1 X2 X3\n\n");
	buf_printf(b, "witness Y1 %s\nwitness Y2 %s\nwitness Y3 %s\n",
	    wv[3], wv[4], wv[5]);
	buf_adds(b, "group Y-witnesses any Y1 Y2 Y3\n\n");
	buf_adds(b, "group X-and-Y all X-witnesses Y-witnesses\n");
	buf_adds(b, "quorum X-and-Y\n");
}

static struct policy *
parse_ok(const struct buf *b)
{
	struct policy	*p = NULL;
	struct ld_error	 e = { 0 };
	int		 rc;

	rc = policy_parse((const char *)b->p, b->len, &p, &e);
	if (rc != LD_OK)
		fprintf(stderr, "policy_parse: %s\n", e.msg);
	T_ASSERT_EQ(rc, LD_OK);
	return p;
}

/*
 * A checkpoint of size, signed by log key lk (or none), cosigned at
 * time t by the witnesses whose bit is set in mask, parsed into n.
 */
static void
make_cp(struct note *n, const struct sig_key *lk, uint64_t size,
    unsigned mask, uint64_t t)
{
	struct checkpoint	c = { .size = size };
	struct buf		text = { 0 }, b = { 0 };
	size_t			i;

	snprintf(c.origin, sizeof(c.origin), "%s", ORIGIN);
	memset(c.root, (int)size, sizeof(c.root));
	checkpoint_format(&c, &text);
	if (lk != NULL)
		T_ASSERT_EQ(note_sign((const char *)text.p, text.len, lk, &b),
		    LD_OK);
	else {
		/* A line of a key the policy does not know. */
		struct sig_key	*other = NULL;

		T_ASSERT_EQ(sig_keygen("other.example", SIG_TYPE_ED25519,
		    &other), LD_OK);
		T_ASSERT_EQ(note_sign((const char *)text.p, text.len, other,
		    &b), LD_OK);
		sig_key_free(other);
	}
	for (i = 0; i < NW; i++)
		if (mask & (1u << i))
			T_ASSERT_EQ(note_cosign((const char *)text.p, text.len,
			    wk[i], t, &b), LD_OK);
	T_ASSERT_EQ(note_parse((const char *)b.p, b.len, n), LD_OK);
	buf_free(&text);
	buf_free(&b);
}

/* policy_check of a checkpoint cosigned by mask: its code; e's message
 * in msg if not NULL. */
static int
check_mask(const struct policy *p, unsigned mask, struct policy_result *r,
    struct ld_error *e)
{
	struct note	n;
	int		rc;

	make_cp(&n, logk, 1000, mask, 1700000000);
	memset(e, 0, sizeof(*e));
	rc = policy_check(p, &n, r, e);
	note_free(&n);
	return rc;
}

#define M(i)	(1u << (i))

static void
test_spec_example(void)
{
	struct buf		b = { 0 };
	struct policy		*p;
	struct policy_result	r;
	struct ld_error		e;

	keys_init();
	spec_example(&b);
	if ((p = parse_ok(&b)) == NULL)
		goto out;
	T_ASSERT_EQ(policy_nlogs(p), 1);
	T_ASSERT_STR(policy_log_origin(p, 0), ORIGIN);
	T_ASSERT(policy_log_url(p, 0) == NULL);
	T_ASSERT_EQ(policy_nwitnesses(p), 6);
	T_ASSERT_STR(policy_witness_name(p, 4), "Y2");
	T_ASSERT_EQ(sig_key_id(policy_witness_key(p, 4)), sig_key_id(wk[4]));
	T_ASSERT_STR(policy_quorum(p), "X-and-Y");
	/* The canonical form: thresholds as numbers, no blank lines; it
	 * parses back and formats to the same bytes. */
	{
		struct buf	f = { 0 }, g = { 0 }, want = { 0 };
		struct policy	*q;

		policy_format(p, &f);
		buf_printf(&want, "log %s\nwitness X1 %s\nwitness X2 %s\n"
		    "witness X3 %s\ngroup X-witnesses 2 X1 X2 X3\n"
		    "witness Y1 %s\nwitness Y2 %s\nwitness Y3 %s\n"
		    "group Y-witnesses 1 Y1 Y2 Y3\n"
		    "group X-and-Y 2 X-witnesses Y-witnesses\n"
		    "quorum X-and-Y\n", logv, wv[0], wv[1], wv[2], wv[3],
		    wv[4], wv[5]);
		T_ASSERT_STR(buf_cstr(&f), buf_cstr(&want));
		if ((q = parse_ok(&f)) != NULL) {
			policy_format(q, &g);
			T_ASSERT_STR(buf_cstr(&g), buf_cstr(&f));
			policy_free(q);
		}
		buf_free(&f);
		buf_free(&g);
		buf_free(&want);
	}
	/* 2 of X and 1 of Y: met. */
	T_ASSERT_EQ(check_mask(p, M(0) | M(2) | M(4), &r, &e), LD_OK);
	T_ASSERT(r.quorum_met);
	T_ASSERT_EQ(r.log, 0);
	T_ASSERT_EQ(r.size, 1000);
	T_ASSERT_EQ(r.cosig[0], POLICY_COSIG_OK);
	T_ASSERT_EQ(r.cosig[1], POLICY_COSIG_MISSING);
	T_ASSERT_EQ(r.time[2], 1700000000);
	/* Every X and every Y. */
	T_ASSERT_EQ(check_mask(p, 0x3f, &r, &e), LD_OK);
	/* 1 of X and all of Y: X-witnesses not met. */
	T_ASSERT_EQ(check_mask(p, M(1) | M(3) | M(4) | M(5), &r, &e),
	    LD_EBADSIG);
	T_ASSERT(!r.quorum_met);
	T_ASSERT_STR(e.rule, "quorum-not-met");
	T_ASSERT_STR(e.msg, "quorum X-and-Y needs all of {X-witnesses (2 of "
	    "{X1, X2, X3}), Y-witnesses (any of {Y1, Y2, Y3})}; cosigned by "
	    "X2, Y1, Y2, Y3; missing X1, X3");
	/* All of X, none of Y. */
	T_ASSERT_EQ(check_mask(p, M(0) | M(1) | M(2), &r, &e), LD_EBADSIG);
	/* No cosignature at all. */
	T_ASSERT_EQ(check_mask(p, 0, &r, &e), LD_EBADSIG);
	T_ASSERT(r.log == 0 && !r.quorum_met);
	/* Cosignatures of witnesses outside the policy do not count. */
	T_ASSERT_EQ(check_mask(p, M(0) | M(6) | M(7), &r, &e), LD_EBADSIG);
	policy_free(p);
out:
	buf_free(&b);
}

static void
test_quorum_none(void)
{
	struct buf		b = { 0 };
	struct policy		*p;
	struct policy_result	r;
	struct ld_error		e = { 0 };
	struct note		n;

	keys_init();
	buf_printf(&b, "# a log alone\nlog %s https://log.example/\n"
	    "quorum none\n", logv);
	if ((p = parse_ok(&b)) == NULL)
		goto out;
	T_ASSERT_STR(policy_log_url(p, 0), "https://log.example/");
	T_ASSERT_STR(policy_quorum(p), "none");
	T_ASSERT_EQ(policy_nwitnesses(p), 0);
	make_cp(&n, logk, 5, 0, 0);
	T_ASSERT_EQ(policy_check(p, &n, &r, &e), LD_OK);
	T_ASSERT(r.quorum_met);
	note_free(&n);
	/* Not signed by the log: refused even with quorum none. */
	make_cp(&n, NULL, 5, M(0), 1);
	T_ASSERT_EQ(policy_check(p, &n, &r, &e), LD_EBADSIG);
	T_ASSERT_STR(e.rule, "no-log-signature");
	T_ASSERT(r.log == -1 && !r.quorum_met);
	note_free(&n);
	buf_reset(&b);
	policy_describe(p, &r, &b);
	T_ASSERT_STR(buf_cstr(&b), "quorum none: no cosignature needed");
	policy_free(p);
out:
	buf_free(&b);
}

/* A witness that did not cosign, a zero timestamp, a bad cosignature. */
static void
test_single_and_threshold(void)
{
	struct buf		b = { 0 };
	struct policy		*p;
	struct policy_result	r;
	struct ld_error		e;
	struct note		n;

	keys_init();
	buf_printf(&b, "log %s\nwitness A %s https://a.example/w\n"
	    "witness B %s\nwitness C %s\ngroup Q 2 A B C\nquorum Q\n", logv,
	    wv[6], wv[7], wv[0]);
	if ((p = parse_ok(&b)) == NULL)
		goto out;
	T_ASSERT_STR(policy_witness_url(p, 0), "https://a.example/w");
	T_ASSERT(policy_witness_url(p, 1) == NULL);
	T_ASSERT_EQ(check_mask(p, M(6), &r, &e), LD_EBADSIG);
	T_ASSERT_STR(e.rule, "quorum-not-met");
	T_ASSERT_STR(e.msg, "quorum Q needs 2 of {A, B, C}; cosigned by A; "
	    "missing B, C");
	T_ASSERT_EQ(check_mask(p, M(6) | M(0), &r, &e), LD_OK);
	/* A zero timestamp makes no statement: not counted. */
	make_cp(&n, logk, 1000, M(6) | M(7), 0);
	memset(&e, 0, sizeof(e));
	T_ASSERT_EQ(policy_check(p, &n, &r, &e), LD_EBADSIG);
	T_ASSERT_EQ(r.cosig[0], POLICY_COSIG_ZERO_TIME);
	T_ASSERT_STR(e.msg, "quorum Q needs 2 of {A, B, C}; cosigned by "
	    "none; missing A (timestamp 0, not counted), B (timestamp 0, not "
	    "counted), C");
	note_free(&n);
	/* A cosignature of a listed witness that fails: the note is
	 * refused whole, though A and C alone meet the quorum. */
	make_cp(&n, logk, 1000, M(6) | M(7) | M(0), 7);
	n.sigs[3].sig[20] ^= 1;		/* B's line */
	memset(&e, 0, sizeof(e));
	T_ASSERT_EQ(policy_check(p, &n, &r, &e), LD_EBADSIG);
	T_ASSERT_STR(e.rule, "bad-cosignature");
	T_ASSERT(strstr(e.msg, "witness B (witness.example/B+") != NULL);
	note_free(&n);
	/* A bad log signature. */
	make_cp(&n, logk, 1000, M(6) | M(0), 7);
	n.sigs[0].sig[3] ^= 0x40;
	T_ASSERT_EQ(policy_check(p, &n, &r, &e), LD_EBADSIG);
	T_ASSERT_STR(e.rule, "bad-log-signature");
	note_free(&n);
	/* A line with a listed witness's name but another key ID: an
	 * unknown key, ignored (signed-note). */
	make_cp(&n, logk, 1000, M(6) | M(0), 7);
	n.sigs[1].id ^= 1;		/* C's line */
	T_ASSERT_EQ(policy_check(p, &n, &r, &e), LD_EBADSIG);
	T_ASSERT_STR(e.rule, "quorum-not-met");
	T_ASSERT_EQ(r.cosig[0], POLICY_COSIG_OK);
	T_ASSERT_EQ(r.cosig[2], POLICY_COSIG_MISSING);
	note_free(&n);
	policy_free(p);
	/* A single witness as the quorum. */
	buf_reset(&b);
	buf_printf(&b, "log %s\nwitness A %s\nquorum A\n", logv, wv[6]);
	if ((p = parse_ok(&b)) == NULL)
		goto out;
	T_ASSERT_EQ(check_mask(p, M(6), &r, &e), LD_OK);
	T_ASSERT_EQ(check_mask(p, M(7), &r, &e), LD_EBADSIG);
	T_ASSERT_STR(e.msg, "quorum A needs witness A; cosigned by none; "
	    "missing A");
	policy_free(p);
out:
	buf_free(&b);
}

/* Another origin; key rotation (two keys of one origin). */
static void
test_logs(void)
{
	struct buf		b = { 0 };
	struct policy		*p;
	struct policy_result	r;
	struct ld_error		e = { 0 };
	struct note		n;
	struct sig_key		*other;
	char			*ov;

	keys_init();
	T_ASSERT_EQ(sig_keygen("other.example/log", SIG_TYPE_ED25519, &other),
	    LD_OK);
	ov = sig_vkey(other);
	buf_printf(&b, "log %s\nlog %s\nquorum none\n", ov, logv2);
	if ((p = parse_ok(&b)) == NULL)
		goto out;
	T_ASSERT_EQ(policy_log_find(p, ORIGIN, 0), 1);
	T_ASSERT_EQ(policy_log_find(p, ORIGIN, 2), -1);
	T_ASSERT_EQ(policy_log_find(p, "nope", 0), -1);
	/* Signed by logk, which is not listed: refused. */
	make_cp(&n, logk, 3, 0, 0);
	T_ASSERT_EQ(policy_check(p, &n, &r, &e), LD_EBADSIG);
	T_ASSERT_STR(e.rule, "no-log-signature");
	note_free(&n);
	make_cp(&n, logk2, 3, 0, 0);
	T_ASSERT_EQ(policy_check(p, &n, &r, &e), LD_OK);
	T_ASSERT_EQ(r.log, 1);
	note_free(&n);
	policy_free(p);
	/* A policy without the origin. */
	buf_reset(&b);
	buf_printf(&b, "log %s\nquorum none\n", ov);
	if ((p = parse_ok(&b)) == NULL)
		goto out;
	make_cp(&n, logk, 3, 0, 0);
	T_ASSERT_EQ(policy_check(p, &n, &r, &e), LD_EBADSIG);
	T_ASSERT_STR(e.rule, "unknown-origin");
	note_free(&n);
	policy_free(p);
out:
	sig_key_free(other);
	free(ov);
	buf_free(&b);
}

/* Whitespace, tabs, comments; a group defined after the quorum. */
static void
test_syntax_ok(void)
{
	struct buf	b = { 0 };
	struct policy	*p;

	keys_init();
	buf_printf(&b, "\t# comment\n   \n \tlog\t%s \t\n#\xe2\x84\xaa\n"
	    "witness \xe2\x84\xaa %s\nwitness K %s\n"
	    "group g 01 \xe2\x84\xaa K\nquorum g  \ngroup h any g\n", logv,
	    wv[0], wv[1]);
	if ((p = parse_ok(&b)) == NULL)
		goto out;
	T_ASSERT_EQ(policy_nwitnesses(p), 2);
	T_ASSERT_STR(policy_witness_name(p, 0), "\xe2\x84\xaa");
	T_ASSERT_STR(policy_quorum(p), "g");
	policy_free(p);
	/* Only the quorum is mandatory. */
	buf_reset(&b);
	buf_adds(&b, "quorum none\n");
	if ((p = parse_ok(&b)) == NULL)
		goto out;
	T_ASSERT_EQ(policy_nlogs(p), 0);
	policy_free(p);
out:
	buf_free(&b);
}

/* policy_parse of b must fail with code, e.msg containing want. */
static void
bad(const struct buf *b, int code, const char *want, int line)
{
	struct policy	*p = NULL;
	struct ld_error	 e = { 0 };
	int		 rc;

	rc = policy_parse((const char *)b->p, b->len, &p, &e);
	if (rc != code || strstr(e.msg, want) == NULL) {
		fprintf(stderr, "t_policy.c:%d: want %d \"%s\", got %d \"%s\""
		    "\n", line, code, want, rc, e.msg);
		t_failed_checks++;
	}
	T_ASSERT(p == NULL);
	policy_free(p);
}

#define BAD(code, want)	bad(&b, (code), (want), __LINE__)

static void
test_errors(void)
{
	struct buf	 b = { 0 };
	struct sig_key	*same = NULL;
	char		*samev, *twin;

	keys_init();
	/* Syntax. */
	buf_reset(&b);
	buf_printf(&b, "log %s\nquorum none", logv);
	BAD(LD_EINVAL, "line 2: no newline at the end");
	buf_reset(&b);
	buf_printf(&b, "log %s\r\nquorum none\n", logv);
	BAD(LD_EINVAL, "line 1: byte 0x0d at column");
	buf_reset(&b);
	buf_adds(&b, "# \x01\nquorum none\n");
	BAD(LD_EINVAL, "line 1: byte 0x01");
	buf_reset(&b);
	buf_adds(&b, "quorum none\n#\x7f\n");
	BAD(LD_EINVAL, "line 2: byte 0x7f");
	buf_reset(&b);
	buf_adds(&b, "quorum none\nwitnesses A B\n");
	BAD(LD_EINVAL, "line 2: unknown keyword witnesses");
	buf_reset(&b);
	buf_printf(&b, "log %s http://x extra\nquorum none\n", logv);
	BAD(LD_EINVAL, "line 1: want \"log <vkey> [<url>]\", got 4 items");
	buf_reset(&b);
	buf_adds(&b, "log\nquorum none\n");
	BAD(LD_EINVAL, "line 1: want \"log");
	buf_reset(&b);
	buf_printf(&b, "witness A %s u v\nquorum none\n", wv[0]);
	BAD(LD_EINVAL, "line 1: want \"witness");
	/* Quorum. */
	buf_reset(&b);
	buf_printf(&b, "log %s\n", logv);
	BAD(LD_EINVAL, "no quorum line");
	buf_reset(&b);
	buf_adds(&b, "quorum none\nquorum none\n");
	BAD(LD_EINVAL, "line 2: a second quorum line (the first is line 1)");
	buf_reset(&b);
	buf_printf(&b, "quorum A\nwitness A %s\n", wv[0]);
	BAD(LD_EINVAL, "line 1: quorum A is not a witness or group defined");
	buf_reset(&b);
	buf_adds(&b, "quorum\n");
	BAD(LD_EINVAL, "line 1: want \"quorum <name>|none\"");
	/* Names. */
	buf_reset(&b);
	buf_printf(&b, "witness none %s\nquorum none\n", wv[0]);
	BAD(LD_EINVAL, "line 1: \"none\" is predefined");
	buf_reset(&b);
	buf_printf(&b, "witness A %s\nwitness A %s\nquorum A\n", wv[0],
	    wv[1]);
	BAD(LD_EINVAL, "line 2: A is already defined on line 1");
	buf_reset(&b);
	buf_printf(&b, "witness A %s\ngroup A any A\nquorum A\n", wv[0]);
	BAD(LD_EINVAL, "line 2: A is already defined on line 1");
	buf_reset(&b);
	buf_printf(&b, "witness A %s\ngroup g any A B\nwitness B %s\n"
	    "quorum g\n", wv[0], wv[1]);
	BAD(LD_EINVAL, "line 2: member B is not defined on a line above");
	buf_reset(&b);
	buf_printf(&b, "witness A %s\ngroup g any A none\nquorum g\n", wv[0]);
	BAD(LD_EINVAL, "line 2: \"none\" cannot be a group member");
	/* Each name a member at most once: in one group, or in two. */
	buf_reset(&b);
	buf_printf(&b, "witness A %s\nwitness B %s\ngroup g 2 A B A\n"
	    "quorum g\n", wv[0], wv[1]);
	BAD(LD_EINVAL, "line 3: A is already a member of a group (line 3)");
	buf_reset(&b);
	buf_printf(&b, "witness A %s\nwitness B %s\ngroup g any A\n"
	    "group h all B A\nquorum h\n", wv[0], wv[1]);
	BAD(LD_EINVAL, "line 4: A is already a member of a group (line 3)");
	buf_reset(&b);
	buf_printf(&b, "witness A %s\nwitness %0300d %s\nquorum A\n", wv[0], 7,
	    wv[1]);
	BAD(LD_ETOOBIG, "line 2: a name longer than 255 bytes");
	/* Thresholds. */
	buf_reset(&b);
	buf_printf(&b, "witness A %s\nwitness B %s\ngroup g 0 A B\n"
	    "quorum g\n", wv[0], wv[1]);
	BAD(LD_EINVAL, "line 3: threshold 0 out of range: 1 <= k <= 2");
	buf_reset(&b);
	buf_printf(&b, "witness A %s\nwitness B %s\ngroup g 3 A B\n"
	    "quorum g\n", wv[0], wv[1]);
	BAD(LD_EINVAL, "line 3: threshold 3 out of range");
	buf_reset(&b);
	buf_printf(&b, "witness A %s\nwitness B %s\n"
	    "group g 99999999999999999999999 A B\nquorum g\n", wv[0], wv[1]);
	BAD(LD_EINVAL, "line 3: threshold 9999");
	buf_reset(&b);
	buf_printf(&b, "witness A %s\ngroup g -1 A\nquorum g\n", wv[0]);
	BAD(LD_EINVAL, "line 2: threshold -1 is not a decimal number");
	buf_reset(&b);
	buf_printf(&b, "witness A %s\ngroup g some A\nquorum g\n", wv[0]);
	BAD(LD_EINVAL, "line 2: threshold some is not");
	buf_reset(&b);
	buf_printf(&b, "witness A %s\ngroup g any\nquorum g\n", wv[0]);
	BAD(LD_EINVAL, "line 2: want \"group <name> <k>|all|any <member>...\" "
	    "with at least one member");
	/* Keys. */
	buf_reset(&b);
	buf_printf(&b, "log %s\nquorum none\n", wv[0]);
	BAD(LD_EINVAL, "line 1: log key witness.example/X1+");
	BAD(LD_EINVAL, "has type 0x04; a log key must be type 0x01");
	buf_reset(&b);
	buf_printf(&b, "witness A %s\nquorum A\n", logv);
	BAD(LD_EINVAL, "has type 0x01; a witness key must be type 0x04");
	buf_reset(&b);
	buf_adds(&b, "log example.com+00000000+AAAA\nquorum none\n");
	BAD(LD_EINVAL, "line 1: log key example.com+00000000+AAAA is not a "
	    "verifier key");
	/* Duplicate keys: the same key, the same public key under another
	 * name, and one public key as log and as witness. */
	buf_reset(&b);
	buf_printf(&b, "witness A %s\nwitness B %s\nquorum A\n", wv[0], wv[0]);
	BAD(LD_EINVAL, "line 2: witness key");
	BAD(LD_EINVAL, "the same public key is already listed (as log - or "
	    "witness A)");
	T_ASSERT_EQ(sig_key_from_pub("elsewhere.example/w", SIG_TYPE_COSIGN,
	    sig_key_pub(wk[0]), &same), LD_OK);
	samev = sig_vkey(same);
	sig_key_free(same);
	buf_reset(&b);
	buf_printf(&b, "witness A %s\nwitness B %s\nquorum A\n", wv[0], samev);
	BAD(LD_EINVAL, "line 2: witness key elsewhere.example/w+");
	free(samev);
	T_ASSERT_EQ(sig_key_from_pub(ORIGIN, SIG_TYPE_ED25519,
	    sig_key_pub(wk[0]), &same), LD_OK);
	twin = sig_vkey(same);
	sig_key_free(same);
	buf_reset(&b);
	buf_printf(&b, "witness A %s\nlog %s\nquorum A\n", wv[0], twin);
	BAD(LD_EINVAL, "line 2: log key");
	BAD(LD_EINVAL, "already listed (as log - or witness A)");
	buf_reset(&b);
	buf_printf(&b, "log %s\nlog %s\nquorum none\n", logv, logv);
	BAD(LD_EINVAL, "line 2: log key");
	free(twin);
	buf_free(&b);
}

/* At least 32 logs, witnesses and groups; more than the limits refused;
 * a file over POLICY_MAX_BYTES refused. */
static void
test_limits(void)
{
	struct buf	 b = { 0 }, tail = { 0 };
	struct sig_key	*k;
	struct policy	*p;
	char		*v, name[64];
	size_t		 i;

	for (i = 0; i < POLICY_MAX_LOGS; i++) {
		snprintf(name, sizeof(name), "log%zu.example", i);
		T_ASSERT_EQ(sig_keygen(name, SIG_TYPE_ED25519, &k), LD_OK);
		v = sig_vkey(k);
		buf_printf(&b, "log %s\n", v);
		free(v);
		sig_key_free(k);
	}
	for (i = 0; i < POLICY_MAX_WITNESSES; i++) {
		snprintf(name, sizeof(name), "w%zu.example", i);
		T_ASSERT_EQ(sig_keygen(name, SIG_TYPE_COSIGN, &k), LD_OK);
		v = sig_vkey(k);
		buf_printf(&b, "witness w%zu %s\n", i, v);
		free(v);
		sig_key_free(k);
	}
	/* Groups g0 = {w0}, gi = {g(i-1), wi}: a chain 64 deep. */
	buf_adds(&b, "group g0 all w0\n");
	for (i = 1; i < POLICY_MAX_GROUPS; i++)
		buf_printf(&b, "group g%zu 2 g%zu w%zu\n", i, i - 1, i);
	buf_printf(&b, "quorum g%d\n", POLICY_MAX_GROUPS - 1);
	if ((p = parse_ok(&b)) != NULL) {
		T_ASSERT_EQ(policy_nlogs(p), POLICY_MAX_LOGS);
		T_ASSERT_EQ(policy_nwitnesses(p), POLICY_MAX_WITNESSES);
		policy_free(p);
	}
	/* One more of each. */
	T_ASSERT_EQ(sig_keygen("one.more", SIG_TYPE_ED25519, &k), LD_OK);
	v = sig_vkey(k);
	buf_add(&tail, b.p, b.len);
	buf_printf(&tail, "log %s\n", v);
	free(v);
	sig_key_free(k);
	bad(&tail, LD_ETOOBIG, "more than 64 logs", __LINE__);
	buf_reset(&tail);
	T_ASSERT_EQ(sig_keygen("one.more", SIG_TYPE_COSIGN, &k), LD_OK);
	v = sig_vkey(k);
	buf_add(&tail, b.p, b.len);
	buf_printf(&tail, "witness extra %s\n", v);
	free(v);
	sig_key_free(k);
	bad(&tail, LD_ETOOBIG, "more than 64 witnesses", __LINE__);
	buf_reset(&tail);
	buf_add(&tail, b.p, b.len);
	buf_adds(&tail, "group extra any g63\n");
	bad(&tail, LD_ETOOBIG, "more than 64 groups", __LINE__);
	buf_reset(&tail);
	buf_adds(&tail, "quorum none\n");
	while (tail.len <= POLICY_MAX_BYTES)
		buf_adds(&tail, "# padding padding padding padding padding\n");
	bad(&tail, LD_ETOOBIG, "over 262144 bytes", __LINE__);
	buf_free(&tail);
	buf_free(&b);
}

/* policy_load: a file, a missing one, a bad one (the path and the line
 * in the message). */
static void
test_load(void)
{
	struct policy	*p = NULL;
	struct ld_error	 e = { 0 };
	char		 path[] = "/tmp/t_policy.XXXXXX";
	FILE		*f;
	int		 fd;

	keys_init();
	T_ASSERT((fd = mkstemp(path)) >= 0);
	T_ASSERT((f = fdopen(fd, "w")) != NULL);
	fprintf(f, "log %s\nquorum none\n", logv);
	fclose(f);
	T_ASSERT_EQ(policy_load(path, &p, &e), LD_OK);
	if (p != NULL)
		T_ASSERT_STR(policy_log_origin(p, 0), ORIGIN);
	policy_free(p);
	p = NULL;
	T_ASSERT((f = fopen(path, "a")) != NULL);
	fputs("quorum none\n", f);
	fclose(f);
	T_ASSERT_EQ(policy_load(path, &p, &e), LD_EINVAL);
	T_ASSERT(p == NULL);
	T_ASSERT(strncmp(e.msg, path, strlen(path)) == 0 &&
	    strstr(e.msg, ": line 3: a second quorum line") != NULL);
	unlink(path);
	T_ASSERT_EQ(policy_load(path, &p, &e), LD_ENOTFOUND);
	T_ASSERT(strncmp(e.msg, path, strlen(path)) == 0);
}

/* A chain of nested groups evaluated exactly. */
static void
test_nested(void)
{
	struct buf		b = { 0 };
	struct policy		*p;
	struct policy_result	r;
	struct ld_error		e;

	keys_init();
	/* q = all of {g1, Y1}; g1 = 2 of {X1, g0, X2}; g0 = any of {A, B} */
	buf_printf(&b, "log %s\nwitness A %s\nwitness B %s\nwitness X1 %s\n"
	    "witness X2 %s\nwitness Y1 %s\ngroup g0 any A B\n"
	    "group g1 2 X1 g0 X2\ngroup q all g1 Y1\nquorum q\n", logv, wv[6],
	    wv[7], wv[0], wv[1], wv[3]);
	if ((p = parse_ok(&b)) == NULL)
		goto out;
	T_ASSERT_EQ(check_mask(p, M(7) | M(0) | M(3), &r, &e), LD_OK);
	T_ASSERT_EQ(check_mask(p, M(0) | M(1) | M(3), &r, &e), LD_OK);
	T_ASSERT_EQ(check_mask(p, M(6) | M(7) | M(3), &r, &e), LD_EBADSIG);
	T_ASSERT_EQ(check_mask(p, M(6) | M(0) | M(1), &r, &e), LD_EBADSIG);
	T_ASSERT_STR(e.msg, "quorum q needs all of {g1 (2 of {X1, g0 (any of "
	    "{A, B}), X2}), Y1}; cosigned by A, X1, X2; missing B, Y1");
	policy_free(p);
out:
	buf_free(&b);
}

int
main(int argc, char **argv)
{
	static const struct t_case	cases[] = {
		T_CASE(test_spec_example),
		T_CASE(test_quorum_none),
		T_CASE(test_single_and_threshold),
		T_CASE(test_logs),
		T_CASE(test_syntax_ok),
		T_CASE(test_errors),
		T_CASE(test_limits),
		T_CASE(test_nested),
		T_CASE(test_load),
	};
	int	rc;

	rc = t_main(argc, argv, "t_policy", cases, T_NCASES(cases));
	keys_free();
	return rc;
}
