/* f_tlog_witness.c - fuzz the tlog-witness add-checkpoint bodies and the
 * witness's decision. */
/*
 * Invariants:
 * - tlog_witness_req_parse answers LD_OK, LD_EINVAL or LD_ETOOBIG and
 *   leaves a zeroed request on failure; an accepted request has at most
 *   63 proof lines, and tlog_witness_req_format of its parts (old, the
 *   proof, the checkpoint note: the input after the empty line) gives
 *   back exactly the input (or LD_EINVAL for old 0 with a proof, which
 *   the format refuses and the witness answers 422);
 * - witness_core_decide on an accepted request, with a policy whose only
 *   log key is generated in the harness (so no input holds a signature
 *   by it) and an empty state, answers 404 or 403 and never cosigns;
 * - tlog_witness_resp_parse of the input as a response: an accepted one
 *   is the given text and one signature line per input line;
 * - tlog_witness_size_parse: an accepted size formats back to the input.
 */
#include "buf.h"
#include "err.h"
#include "fuzz.h"
#include "note.h"
#include "policy.h"
#include "sig.h"
#include "tlog_witness.h"
#include "witness_core.h"
#include "witness_state.h"

static struct policy	*pol;
static struct sig_key	*wkey;

static void
setup(void)
{
	struct sig_key	*k;
	struct buf	 b = { 0 };
	char		*v;

	/* The origin of the seeds; any other origin gets 404. */
	if (sig_keygen("example.com/behind-the-sofa", SIG_TYPE_ED25519, &k) !=
	    LD_OK || sig_keygen("witness.example/fuzz", SIG_TYPE_COSIGN,
	    &wkey) != LD_OK)
		abort();
	v = sig_vkey(k);
	buf_printf(&b, "log %s\nquorum none\n", v);
	if (policy_parse((const char *)b.p, b.len, &pol, NULL) != LD_OK)
		abort();
	free(v);
	sig_key_free(k);
	buf_free(&b);
}

static void
check_req(const uint8_t *data, size_t size)
{
	struct tlog_witness_req		 r;
	struct witness_state_rec	 cur = { 0 };
	struct witness_core_reply	 out = { 0 };
	struct buf			 b = { 0 }, next = { 0 };
	const char			*cp;
	size_t				 i;
	int				 rc;

	rc = tlog_witness_req_parse((const char *)data, size, &r);
	if (rc != LD_OK) {
		CHECK(rc == LD_EINVAL || rc == LD_ETOOBIG);
		CHECK(r.old == 0 && r.nproof == 0 && r.note.text == NULL &&
		    r.note.sigs == NULL);
		return;
	}
	CHECK(r.nproof <= TLOG_WITNESS_MAX_PROOF);
	/* The checkpoint starts after "old N\n", the proof lines, "\n". */
	cp = (const char *)data;
	for (i = 0; i < 2 + r.nproof; i++)
		cp = (const char *)memchr(cp, '\n',
		    size - (size_t)(cp - (const char *)data)) + 1;
	rc = tlog_witness_req_format(r.old, (const uint8_t (*)[32])r.proof,
	    r.nproof, cp, size - (size_t)(cp - (const char *)data), &b);
	if (r.old == 0 && r.nproof > 0)
		CHECK(rc == LD_EINVAL && b.len == 0);
	else
		CHECK(rc == LD_OK && same_bytes(b.p, b.len, data, size));
	CHECK(witness_core_decide(pol, wkey, &r, &cur, 1, &out, &next) ==
	    LD_OK);
	CHECK(out.status == 404 || out.status == 403);
	CHECK(next.len == 0 && out.body.len == 0);
	witness_core_reply_free(&out);
	tlog_witness_req_free(&r);
	buf_free(&b);
	buf_free(&next);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	text[] = "example.com/behind-the-sofa\n"
	    "20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
	struct note		n;
	struct buf		b = { 0 };
	uint64_t		v;
	size_t			i, lines = 0;

	if (pol == NULL)
		setup();
	check_req(data, size);
	if (tlog_witness_resp_parse(text, sizeof(text) - 1,
	    (const char *)data, size, &n) == LD_OK) {
		for (i = 0; i < size; i++)
			lines += data[i] == '\n';
		CHECK(n.text_len == sizeof(text) - 1 &&
		    memcmp(n.text, text, n.text_len) == 0);
		CHECK(n.nsigs == lines && lines >= 1);
		note_free(&n);
	} else
		CHECK(n.text == NULL && n.nsigs == 0);
	if (tlog_witness_size_parse((const char *)data, size, &v) == LD_OK) {
		tlog_witness_size_format(v, &b);
		CHECK(same_bytes(b.p, b.len, data, size));
		buf_free(&b);
	}
	return 0;
}
