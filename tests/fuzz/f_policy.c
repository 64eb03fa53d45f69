/* f_policy.c - fuzz policy_parse and policy_check (C2SP tlog-policy). */
/*
 * Invariants:
 * - policy_parse answers LD_OK, LD_EINVAL or LD_ETOOBIG; on failure it
 *   returns no policy and an error message, "line N: ..." with N at most
 *   the number of lines of the input (or a whole-file message);
 * - an accepted policy is within the limits, its log keys are type 0x01
 *   and its witness keys type 0x04, no two keys share a public key;
 * - its canonical form (policy_format) parses, and formats to the same
 *   bytes (a fixed point);
 * - policy_check of a checkpoint signed and cosigned by keys generated
 *   in the harness (which no input can name: they are random) never
 *   succeeds: no policy accepts what its keys did not sign.
 */
#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "fuzz.h"
#include "note.h"
#include "policy.h"
#include "sig.h"

/* A checkpoint of the first log's origin, signed by a fresh log key of
 * that name and cosigned by fresh keys named as every witness key. */
static void
check_forged(const struct policy *p)
{
	struct checkpoint	 c = { .size = 1 };
	struct policy_result	 r;
	struct ld_error		 e;
	struct buf		 text = { 0 }, b = { 0 };
	struct sig_key		*k;
	struct note		 n;
	size_t			 i;

	if (policy_nlogs(p) == 0)
		return;
	snprintf(c.origin, sizeof(c.origin), "%s", policy_log_origin(p, 0));
	checkpoint_format(&c, &text);
	if (sig_keygen(c.origin, SIG_TYPE_ED25519, &k) != LD_OK)
		abort();
	if (note_sign((const char *)text.p, text.len, k, &b) != LD_OK) {
		/* An origin note text cannot carry: nothing to forge. */
		sig_key_free(k);
		goto out;
	}
	sig_key_free(k);
	for (i = 0; i < policy_nwitnesses(p); i++) {
		if (sig_keygen(sig_key_name(policy_witness_key(p, i)),
		    SIG_TYPE_COSIGN, &k) != LD_OK)
			abort();
		CHECK(note_cosign((const char *)text.p, text.len, k, 1, &b) ==
		    LD_OK);
		sig_key_free(k);
	}
	if (note_parse((const char *)b.p, b.len, &n) == LD_OK) {
		CHECK(policy_check(p, &n, &r, &e) != LD_OK);
		CHECK(!r.quorum_met || r.log == -1);
		note_free(&n);
	}
out:
	buf_free(&text);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy	*p = NULL, *q = NULL;
	struct ld_error	 e = { 0 };
	struct buf	 f1 = { 0 }, f2 = { 0 };
	size_t		 i, j, lines = 0;
	unsigned long	 n;
	int		 rc;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	rc = policy_parse((const char *)data, size, &p, &e);
	if (rc != LD_OK) {
		CHECK(rc == LD_EINVAL || rc == LD_ETOOBIG);
		CHECK(p == NULL && e.code == rc && e.msg[0] != '\0');
		if (sscanf(e.msg, "line %lu:", &n) == 1)
			CHECK(n >= 1 && n <= lines + 1);
		return 0;
	}
	CHECK(p != NULL);
	CHECK(policy_nlogs(p) <= POLICY_MAX_LOGS);
	CHECK(policy_nwitnesses(p) <= POLICY_MAX_WITNESSES);
	for (i = 0; i < policy_nlogs(p); i++) {
		CHECK(sig_key_type(policy_log_key(p, i)) == SIG_TYPE_ED25519);
		CHECK(policy_log_find(p, policy_log_origin(p, i), 0) <=
		    (long)i);
	}
	for (i = 0; i < policy_nwitnesses(p); i++)
		CHECK(sig_key_type(policy_witness_key(p, i)) ==
		    SIG_TYPE_COSIGN);
	for (i = 0; i < policy_nlogs(p) + policy_nwitnesses(p); i++)
		for (j = i + 1; j < policy_nlogs(p) + policy_nwitnesses(p);
		    j++) {
			const struct sig_key *a = i < policy_nlogs(p) ?
			    policy_log_key(p, i) :
			    policy_witness_key(p, i - policy_nlogs(p));
			const struct sig_key *b = j < policy_nlogs(p) ?
			    policy_log_key(p, j) :
			    policy_witness_key(p, j - policy_nlogs(p));

			CHECK(memcmp(sig_key_pub(a), sig_key_pub(b), 32) != 0);
		}
	policy_format(p, &f1);
	CHECK(policy_parse((const char *)f1.p, f1.len, &q, &e) == LD_OK);
	policy_format(q, &f2);
	CHECK(same_bytes(f1.p, f1.len, f2.p, f2.len));
	check_forged(p);
	policy_free(p);
	policy_free(q);
	buf_free(&f1);
	buf_free(&f2);
	return 0;
}
