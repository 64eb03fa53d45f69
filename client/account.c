/* account.c - verify an account's chain against signed checkpoints. */
/*
 * GET /v1/accounts/ISSUER/ACCOUNT pages are newest first. Every page
 * carries the checkpoint its inclusion proofs are against; later pages'
 * checkpoints must be consistent with the first. Each entry's leaf must
 * verify, belong to the issuer, and be exactly the index the previous
 * one named as the account's previous entry, down to "none": nothing is
 * left out, nothing slipped in. The balance is recomputed from the
 * entries and compared with the newest leaf's counters and the server.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "err.h"
#include "json.h"

static int
fail(struct client_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct client_err *e, int code, const char *fmt, ...)
{
	va_list	ap;

	e->code = code;
	e->pos = -1;
	snprintf(e->rule, sizeof(e->rule), "account");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int
client_get_json(struct fetch *f, const char *path, struct jv **doc,
    struct client_err *e)
{
	struct fetch_resp	resp;
	int			rc;

	if (fetch_get(f, path, "application/json", &resp) != LD_OK ||
	    resp.status != 200) {
		client_error_reply(&resp, e);
		if (resp.status == 404)
			e->code = LD_ENOTFOUND;
		fetch_resp_free(&resp);
		return e->code ? e->code : LD_ENET;
	}
	rc = jv_parse((const char *)resp.body.p, resp.body.len, doc, NULL, 0);
	fetch_resp_free(&resp);
	return rc == LD_OK ? LD_OK : fail(e, LD_EINVAL, "the reply is not JSON");
}

/* Verify one listed entry against (size, root) and decode its leaf. */
static int
verify_entry(const struct jv *o, uint64_t size, const uint8_t root[32],
    uint64_t *index, struct leaf *l, const char **why)
{
	struct merkle_proof	 p;
	const struct jv		*pr = jv_get(o, "proof");
	const char		*b64;
	uint8_t			*leaf, h[32];
	size_t			 len, llen, i;
	int			 rc = LD_EBADPROOF;

	*why = "malformed entry";
	if (jv_get_u64(jv_get(o, "index"), index) != LD_OK ||
	    jv_get_str(jv_get(o, "leaf"), &b64, &len) != LD_OK ||
	    (p.n = jv_len(pr)) > MERKLE_MAX_PROOF)
		return LD_EINVAL;
	leaf = xmalloc(b64_decoded_max(len));
	if (b64_decode(leaf, &llen, b64, len) != LD_OK)
		goto done;
	for (i = 0; i < p.n; i++)
		if (jv_get_hex(jv_at(pr, i), p.path[i], 32) != LD_OK)
			goto done;
	merkle_leaf_hash(h, leaf, llen);
	*why = "its inclusion proof does not verify against the checkpoint";
	if (merkle_verify_inclusion(*index, size, h, &p, root) != MERKLE_OK)
		goto done;
	*why = "its leaf does not decode";
	if (codec_leaf_decode(leaf, llen, l) != LD_OK)
		goto done;
	rc = LD_OK;
done:
	free(leaf);
	return rc;
}

void
client_account_free(struct client_account *a)
{
	size_t	i;

	for (i = 0; i < a->n; i++)
		leaf_free(&a->leaves[i]);
	free(a->leaves);
	free(a->index);
	memset(a, 0, sizeof(*a));
}

/* Recompute the counters from the entries; check the newest leaf's. */
static int
recompute(struct client_account *a, struct client_err *e)
{
	size_t	i, k;

	for (i = 0; i < a->n; i++) {
		const struct leaf *l = &a->leaves[i];

		if (l->kind == KIND_CREDIT)
			a->credited += l->u.e.sub.grams;
		else if (l->kind == KIND_RETIRE)
			a->retired += l->u.e.sub.grams;
		else {
			for (k = 0; k < a->n &&
			    a->index[k] != l->u.e.sub.target; k++)
				;
			if (k == a->n)
				return fail(e, LD_EBADPROOF, "reversal %llu "
				    "targets %llu, not an entry of this "
				    "account", (unsigned long long)a->index[i],
				    (unsigned long long)l->u.e.sub.target);
			a->reversed += a->leaves[k].u.e.sub.grams;
		}
	}
	if (a->n > 0 && (a->leaves[0].u.e.acct.credited != a->credited ||
	    a->leaves[0].u.e.acct.retired != a->retired ||
	    a->leaves[0].u.e.acct.reversed != a->reversed))
		return fail(e, LD_EBADPROOF, "the account's counters in entry "
		    "%llu do not match its entries",
		    (unsigned long long)a->index[0]);
	a->balance = (int64_t)a->credited - (int64_t)a->retired -
	    (int64_t)a->reversed;
	return LD_OK;
}

int
client_account(struct fetch *f, const struct sig_key *log, const char *issuer,
    const char *account, struct client_account *a, struct client_err *e)
{
	struct checkpoint	 cp;
	struct jv		*doc = NULL;
	const struct jv		*list;
	const char		*note, *why;
	char			*path;
	size_t			 nlen, i, cap = 0;
	uint64_t		 cursor = NO_INDEX, expect = NO_INDEX, srv;
	int			 rc, first = 1;

	memset(a, 0, sizeof(*a));
	memset(e, 0, sizeof(*e));
	if (valid_id(issuer, strlen(issuer)) != LD_OK ||
	    valid_account(account, strlen(account)) != LD_OK)
		return fail(e, LD_EINVAL, "bad issuer id or account");
	for (;;) {
		path = cursor == NO_INDEX ?
		    xasprintf("/v1/accounts/%s/%s?limit=1000", issuer,
		    account) : xasprintf("/v1/accounts/%s/%s?limit=1000&"
		    "cursor=%llu", issuer, account,
		    (unsigned long long)cursor);
		rc = client_get_json(f, path, &doc, e);
		free(path);
		if (rc != LD_OK)
			goto out;
		if (jv_get_str(jv_get(doc, "checkpoint"), &note, &nlen) !=
		    LD_OK || (rc = checkpoint_open(note, nlen, log, &cp)) !=
		    LD_OK) {
			rc = rc == LD_ERULE ? fail(e, LD_EBADPROOF, "the "
			    "page's checkpoint: %s", CHECKPOINT_EXT_MSG) :
			    fail(e, LD_EBADSIG, "the page's checkpoint is not "
			    "signed by %s", sig_key_name(log));
			goto out;
		}
		if (first) {
			a->cp = cp;
			first = 0;
			if (jv_get_u64(jv_get(doc, "last"), &expect) != LD_OK)
				expect = NO_INDEX;
			if (jv_get_u64(jv_get(doc, "balance_grams"), &srv) ==
			    LD_OK) {
				a->server_balance = (int64_t)srv;
				a->have_server_balance = 1;
			}
		} else if ((rc = client_consistency(f, &a->cp, &cp, e)) !=
		    LD_OK)
			goto out;
		list = jv_get(doc, "entries");
		for (i = 0; i < jv_len(list); i++) {
			if (a->n == cap) {
				cap = cap ? 2 * cap : 64;
				a->leaves = xreallocarray(a->leaves, cap,
				    sizeof(*a->leaves));
				a->index = xreallocarray(a->index, cap,
				    sizeof(*a->index));
			}
			if ((rc = verify_entry(jv_at(list, i), cp.size,
			    cp.root, &a->index[a->n], &a->leaves[a->n],
			    &why)) != LD_OK) {
				rc = fail(e, LD_EBADPROOF, "entry %zu of the "
				    "account: %s", a->n, why);
				goto out;
			}
			a->n++;
			if (a->index[a->n - 1] != expect ||
			    a->leaves[a->n - 1].kind < KIND_CREDIT ||
			    strcmp(a->leaves[a->n - 1].u.e.issuer.s,
			    issuer) != 0) {
				rc = fail(e, LD_EBADPROOF, "the account chain "
				    "is broken at entry %llu (expected %llu): "
				    "an entry was left out or another slipped "
				    "in", (unsigned long long)
				    a->index[a->n - 1],
				    (unsigned long long)expect);
				goto out;
			}
			expect = a->leaves[a->n - 1].u.e.acct.prev;
		}
		if (jv_get_u64(jv_get(doc, "next_cursor"), &cursor) != LD_OK)
			break;
		if (cursor != expect) {
			rc = fail(e, LD_EBADPROOF, "the next page does not "
			    "start where the chain points");
			goto out;
		}
		jv_free(doc);
		doc = NULL;
	}
	if (expect != NO_INDEX) {
		rc = fail(e, LD_EBADPROOF, "the chain does not end: entry "
		    "%llu is missing", (unsigned long long)expect);
		goto out;
	}
	if ((rc = recompute(a, e)) != LD_OK)
		goto out;
	if (a->have_server_balance && a->server_balance != a->balance)
		rc = fail(e, LD_EBADPROOF, "the server says the balance is "
		    "%lld g, the entries say %lld g",
		    (long long)a->server_balance, (long long)a->balance);
out:
	jv_free(doc);
	return rc;
}
