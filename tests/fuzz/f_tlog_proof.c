/* f_tlog_proof.c - fuzz tlog_proof_parse and tlog_proof_verify (receipts). */
/*
 * Invariants: an accepted receipt formats (tlog_proof_format of its
 * parsed extra, index, proof and checkpoint) to exactly the input; and
 * tlog_proof_verify against a log key generated once here never accepts
 * it, since the fuzzer cannot forge that key's Ed25519 signature.
 */
#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "fuzz.h"
#include "merkle.h"
#include "note.h"
#include "sig.h"
#include "tlog_proof.h"

static struct sig_key	*key;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlog_proof	p;
	struct checkpoint	c;
	struct buf		b = { 0 };
	int			rc;

	if (key == NULL &&
	    sig_keygen("ledger.example.org/carbon/2026", SIG_TYPE_ED25519,
	    &key) != LD_OK)
		abort();
	rc = tlog_proof_parse((const char *)data, size, &p);
	if (rc != LD_OK) {
		CHECK(rc == LD_EINVAL || rc == LD_ETOOBIG);
		CHECK(p.extra == NULL && p.checkpoint == NULL);
		return 0;
	}
	CHECK(p.proof.n <= MERKLE_MAX_PROOF);
	CHECK(p.checkpoint != NULL && p.checkpoint_len > 0);
	CHECK((p.extra == NULL) == (p.extra_len == 0));
	tlog_proof_format(p.extra, p.extra_len, p.index, &p.proof,
	    p.checkpoint, p.checkpoint_len, &b);
	CHECK(same_bytes(b.p, b.len, data, size));
	rc = tlog_proof_verify(&p, key, &c);
	CHECK(rc != LD_OK);
	buf_free(&b);
	tlog_proof_free(&p);
	return 0;
}
