/* refresh.c - receipts moved onto a newer, cosigned checkpoint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "client.h"
#include "err.h"
#include "json.h"
#include "merkle.h"
#include "refresh.h"
#include "tlog_proof.h"
#include "trust.h"

int
refresh_to_fetch(struct fetch *f, const struct trust *t,
    struct refresh_to *to, struct ld_error *e)
{
	to->t = t;
	buf_reset(&to->note);
	memset(e, 0, sizeof(*e));
	return client_checkpoint(f, t, &to->tc, &to->note, e);
}

void
refresh_to_free(struct refresh_to *to)
{
	buf_free(&to->note);
	memset(to, 0, sizeof(*to));
}

/* The server's inclusion proof of index at size into p. */
static int
get_inclusion(struct fetch *f, uint64_t index, uint64_t size,
    struct merkle_proof *p, struct ld_error *e)
{
	struct json		*doc = NULL;
	const struct json	*arr;
	char			 path[96];
	uint64_t		 v;
	size_t			 i;
	int			 rc;

	snprintf(path, sizeof(path), "/v1/proof/inclusion?index=%llu&size=%llu",
	    (unsigned long long)index, (unsigned long long)size);
	if ((rc = client_get_json(f, path, &doc, e)) != LD_OK)
		return rc == LD_ENOTFOUND ? LD_ENET : rc;
	arr = json_get(doc, "proof");
	p->n = json_len(arr);
	rc = LD_OK;
	if (json_get_u64(json_get(doc, "index"), &v) != LD_OK || v != index ||
	    json_get_u64(json_get(doc, "size"), &v) != LD_OK || v != size ||
	    p->n > MERKLE_MAX_PROOF)
		rc = LD_EINVAL;
	for (i = 0; rc == LD_OK && i < p->n; i++)
		if (json_get_hex(json_at(arr, i), p->path[i], 32) != LD_OK)
			rc = LD_EINVAL;
	json_free(doc);
	if (rc != LD_OK)
		ld_error_set(e, LD_EINVAL, "reply", UINT64_MAX, "bad inclusion "
		    "proof reply for index %llu at size %llu",
		    (unsigned long long)index, (unsigned long long)size);
	return rc;
}

int
refresh_receipt(struct fetch *f, const struct refresh_to *to,
    const char *text, size_t len, struct buf *out, uint64_t *old_size,
    struct ld_error *e)
{
	struct trust		 key;
	struct trust_cp		 old, check;
	struct tlog_proof	 p;
	struct merkle_proof	 np;
	struct buf		 nr = { 0 };
	uint8_t			 leaf[32];
	int			 rc;

	memset(e, 0, sizeof(*e));
	trust_init(&key, to->t->log, NULL, NULL, NULL);
	/* The old receipt, with the log key alone: not cosigned yet. */
	if ((rc = client_verify_receipt(text, len, &key, NULL, &old, e)) !=
	    LD_OK)
		return rc;
	if (old_size != NULL)
		*old_size = old.cp.size;
	if (tlog_proof_parse(text, len, &p) != LD_OK)
		return ld_error_set(e, LD_EBADPROOF, "receipt-format",
		    UINT64_MAX, "not a c2sp.org/tlog-proof@v1 receipt");
	if (p.checkpoint_len == to->note.len &&
	    memcmp(p.checkpoint, to->note.p, to->note.len) == 0) {
		rc = LD_EEXIST;
		goto out;
	}
	if (old.cp.size > to->tc.cp.size) {
		rc = ld_error_set(e, LD_ESTALE, "stale", UINT64_MAX, "the "
		    "server's checkpoint that meets the trust (size %llu) is "
		    "older than the receipt's (size %llu): the witnesses lag; "
		    "try again later", (unsigned long long)to->tc.cp.size,
		    (unsigned long long)old.cp.size);
		goto out;
	}
	if ((rc = client_consistency(f, &old.cp, &to->tc.cp, e)) != LD_OK)
		goto out;
	if ((rc = get_inclusion(f, p.index, to->tc.cp.size, &np, e)) != LD_OK)
		goto out;
	merkle_leaf_hash(leaf, p.extra, p.extra_len);
	if (merkle_verify_inclusion(p.index, to->tc.cp.size, leaf, &np,
	    to->tc.cp.root) != MERKLE_OK) {
		rc = ld_error_set(e, LD_EBADPROOF, "inclusion", UINT64_MAX,
		    "the server's inclusion proof of index %llu at size %llu "
		    "does not verify", (unsigned long long)p.index,
		    (unsigned long long)to->tc.cp.size);
		goto out;
	}
	tlog_proof_format(p.extra, p.extra_len, p.index, &np,
	    (const char *)to->note.p, to->note.len, &nr);
	/* The new receipt, as a verifier will check it offline. */
	if ((rc = client_verify_receipt((const char *)nr.p, nr.len, to->t,
	    NULL, &check, e)) != LD_OK)
		goto out;
	buf_add(out, nr.p, nr.len);
	rc = LD_OK;
out:
	buf_free(&nr);
	tlog_proof_free(&p);
	return rc;
}
