/* client_account.c - verify an account's chain against signed checkpoints. */
/*
 * GET /v1/accounts/ISSUER/ACCOUNT pages are newest first. Every page
 * carries the checkpoint its inclusion proofs are against; later pages'
 * checkpoints must be consistent with the first. Each entry's leaf must
 * verify, be an entry of that issuer and that account (a reversal: of a
 * credit of that account), and be exactly the index the previous one
 * named as the account's previous entry, down to "none", with indexes
 * strictly decreasing: nothing is left out, nothing slipped in, and a
 * walk always ends. Then, oldest first, every entry's account counters
 * must be the running sums of the entries up to it, and the balance is
 * recomputed and compared with the server's figure.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "client.h"
#include "client_account.h"
#include "err.h"
#include "json.h"
#include "xmalloc.h"

static int
fail(struct ld_error *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct ld_error *e, int code, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ld_error_vset(e, code, "account", UINT64_MAX, fmt, ap);
	va_end(ap);
	return code;
}

/* Verify one listed entry against (size, root) and decode its leaf. */
static int
verify_entry(const struct json *o, uint64_t size, const uint8_t root[32],
    uint64_t *index, struct entry_leaf *l, const char **why)
{
	struct merkle_proof	 p;
	const struct json		*pr = json_get(o, "proof");
	const char		*b64;
	uint8_t			*leaf, h[32];
	size_t			 len, llen, i;
	int			 rc = LD_EBADPROOF;

	*why = "malformed entry";
	if (json_get_u64(json_get(o, "index"), index) != LD_OK ||
	    json_get_str(json_get(o, "leaf"), &b64, &len) != LD_OK ||
	    (p.n = json_len(pr)) > MERKLE_MAX_PROOF)
		return LD_EINVAL;
	leaf = xmalloc(b64_decoded_max(len));
	if (b64_decode(leaf, &llen, b64, len) != LD_OK)
		goto done;
	for (i = 0; i < p.n; i++)
		if (json_get_hex(json_at(pr, i), p.path[i], 32) != LD_OK)
			goto done;
	merkle_leaf_hash(h, leaf, llen);
	*why = "its inclusion proof does not verify against the checkpoint";
	if (merkle_verify_inclusion(*index, size, h, &p, root) != MERKLE_OK)
		goto done;
	*why = "its leaf does not decode";
	if (codec_leaf_decode(leaf, llen, l) != LD_OK)
		goto done;
	*why = "its leaf carries another index than its proof";
	if (l->index != *index) {
		entry_leaf_free(l);
		goto done;
	}
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
		entry_leaf_free(&a->leaves[i]);
	free(a->leaves);
	free(a->index);
	buf_free(&a->note);
	buf_free(&a->cnote);
	memset(a, 0, sizeof(*a));
}

/* Position of index in the account's entries, or a->n. */
static size_t
find(const struct client_account *a, uint64_t index)
{
	size_t	k;

	for (k = 0; k < a->n && a->index[k] != index; k++)
		;
	return k;
}

/* Add g to *sum, refusing a wrap. */
static int
add(uint64_t *sum, uint64_t g)
{
	if (*sum > UINT64_MAX - g)
		return LD_EOVERFLOW;
	*sum += g;
	return LD_OK;
}

/*
 * Oldest first: recompute the running counters, check every entry's
 * own counters against them, and every reversal's target.
 */
static int
recompute(struct client_account *a, struct ld_error *e)
{
	size_t	i, k, j;

	a->credited = a->retired = a->reversed = 0;
	for (i = a->n; i-- > 0;) {
		const struct entry_leaf *l = &a->leaves[i];
		int rc = LD_OK;

		if (l->kind == KIND_CREDIT)
			rc = add(&a->credited, l->u.e.sub.grams);
		else if (l->kind == KIND_RETIRE)
			rc = add(&a->retired, l->u.e.sub.grams);
		else {
			/* Reverses a credit of this account, made before
			 * it, and reversed only once. */
			k = find(a, l->u.e.sub.target);
			if (k == a->n || k <= i ||
			    a->leaves[k].kind != KIND_CREDIT)
				return fail(e, LD_EBADPROOF, "reversal %llu "
				    "targets %llu, not an earlier credit of "
				    "this account",
				    (unsigned long long)a->index[i],
				    (unsigned long long)l->u.e.sub.target);
			for (j = i + 1; j < a->n; j++)
				if (a->leaves[j].kind == KIND_REVERSE &&
				    a->leaves[j].u.e.sub.target ==
				    l->u.e.sub.target)
					return fail(e, LD_EBADPROOF, "credit "
					    "%llu is reversed twice (entries "
					    "%llu and %llu)", (unsigned long
					    long)l->u.e.sub.target,
					    (unsigned long long)a->index[j],
					    (unsigned long long)a->index[i]);
			rc = add(&a->reversed, a->leaves[k].u.e.sub.grams);
		}
		if (rc != LD_OK)
			return fail(e, LD_EBADPROOF, "the account's sums "
			    "overflow at entry %llu",
			    (unsigned long long)a->index[i]);
		if (l->u.e.acct.credited != a->credited ||
		    l->u.e.acct.retired != a->retired ||
		    l->u.e.acct.reversed != a->reversed)
			return fail(e, LD_EBADPROOF, "the account's counters "
			    "in entry %llu (credited %llu, retired %llu, "
			    "reversed %llu) are not the sums of its entries "
			    "up to it (%llu, %llu, %llu)",
			    (unsigned long long)a->index[i],
			    (unsigned long long)l->u.e.acct.credited,
			    (unsigned long long)l->u.e.acct.retired,
			    (unsigned long long)l->u.e.acct.reversed,
			    (unsigned long long)a->credited,
			    (unsigned long long)a->retired,
			    (unsigned long long)a->reversed);
	}
	{
		struct entry_account_ctr c = { a->credited, a->retired, a->reversed,
		    NO_INDEX };

		if (entry_account_balance(&c, &a->balance) != LD_OK)
			return fail(e, LD_EBADPROOF, "the account's balance "
			    "does not fit in 64 bits");
	}
	return LD_OK;
}

int
client_account_page(struct client_account *a, const struct json *doc,
    const struct trust *t, const char *issuer, const char *account,
    struct fetch *f, uint64_t *next, struct ld_error *e)
{
	struct checkpoint	 cp;
	struct trust_cp		 tc;
	struct trust		 key;
	const struct json		*list;
	const char		*note, *why;
	size_t			 nlen, i, cap;
	uint64_t		 srv;
	int			 rc;

	*next = NO_INDEX;
	if (json_get_str(json_get(doc, "checkpoint"), &note, &nlen) != LD_OK)
		return fail(e, LD_EBADSIG, "the page carries no checkpoint");
	/* The first page's checkpoint under t; later ones need the log's
	 * signature and consistency with it. */
	trust_init(&key, t->log, NULL, NULL, NULL);
	if (!a->started)
		rc = f != NULL ? client_cover(f, t, note, nlen, &tc, &a->cnote,
		    &a->ccp, e) : trust_open(t, note, nlen, &tc, e);
	else
		rc = trust_open(&key, note, nlen, &tc, e);
	if (rc == LD_ERULE)
		return fail(e, LD_EBADPROOF, "the page's checkpoint: %s",
		    CHECKPOINT_EXT_MSG);
	if (rc != LD_OK && rc != LD_EBADSIG && rc != LD_EINVAL &&
	    rc != LD_EBADPROOF)
		return rc;	/* the network, fetching the cosigned one */
	if (rc != LD_OK) {
		char	m[sizeof(e->msg)];

		snprintf(m, sizeof(m), "%s", e->msg);
		return fail(e, rc == LD_EBADPROOF ? LD_EBADPROOF : LD_EBADSIG,
		    "the page's checkpoint: %s", m);
	}
	cp = tc.cp;
	if (!a->started) {
		a->cp = cp;
		a->tc = tc;
		if (f == NULL) {
			a->ccp = cp;
			buf_add(&a->cnote, note, nlen);
		}
		a->started = 1;
		buf_add(&a->note, note, nlen);
		if (json_get_u64(json_get(doc, "last"), &a->expect) != LD_OK)
			a->expect = NO_INDEX;
		if (json_get_u64(json_get(doc, "balance_grams"),
		    &srv) == LD_OK) {
			a->server_balance = (int64_t)srv;
			a->have_server_balance = 1;
		}
	} else if (cp.size != a->cp.size ||
	    memcmp(cp.root, a->cp.root, 32) != 0) {
		if (f == NULL)
			return fail(e, LD_EBADPROOF, "pages are against "
			    "different checkpoints");
		if ((rc = client_consistency(f, &a->cp, &cp, e)) != LD_OK)
			return rc;
	}
	list = json_get(doc, "entries");
	for (i = 0; i < json_len(list); i++) {
		struct entry_leaf	*l;
		uint64_t	*ix;

		if (a->expect == NO_INDEX)
			return fail(e, LD_EBADPROOF, "the page lists entries "
			    "past the account's first one");
		cap = a->cap;
		if (a->n == cap) {
			a->cap = cap ? 2 * cap : 64;
			a->leaves = xreallocarray(a->leaves, a->cap,
			    sizeof(*a->leaves));
			a->index = xreallocarray(a->index, a->cap,
			    sizeof(*a->index));
		}
		l = &a->leaves[a->n];
		ix = &a->index[a->n];
		if (verify_entry(json_at(list, i), cp.size, cp.root, ix, l,
		    &why) != LD_OK)
			return fail(e, LD_EBADPROOF, "entry %zu of the "
			    "account: %s", a->n, why);
		a->n++;
		if (*ix != a->expect)
			return fail(e, LD_EBADPROOF, "the account chain is "
			    "broken at entry %llu (expected %llu): an entry "
			    "was left out or another slipped in",
			    (unsigned long long)*ix,
			    (unsigned long long)a->expect);
		if (l->kind < KIND_CREDIT ||
		    strcmp(l->u.e.issuer.s, issuer) != 0 ||
		    (l->kind != KIND_REVERSE &&
		    strcmp(l->u.e.sub.account.s, account) != 0))
			return fail(e, LD_EBADPROOF, "entry %llu is not an "
			    "entry of %s account %s (it is %s%s%s%s): the "
			    "server answered with another account's records",
			    (unsigned long long)*ix, issuer, account,
			    entry_kind_name(l->kind) ? entry_kind_name(l->kind) : "?",
			    l->kind >= KIND_CREDIT ? " of " : "",
			    l->kind >= KIND_CREDIT ? l->u.e.issuer.s : "",
			    l->kind >= KIND_CREDIT && l->kind != KIND_REVERSE ?
			    l->u.e.sub.account.s : "");
		if (l->u.e.acct.prev != NO_INDEX && l->u.e.acct.prev >= *ix)
			return fail(e, LD_EBADPROOF, "entry %llu names %llu "
			    "as the account's previous entry: not an earlier "
			    "one", (unsigned long long)*ix,
			    (unsigned long long)l->u.e.acct.prev);
		a->expect = l->u.e.acct.prev;
	}
	if (json_get_u64(json_get(doc, "next_cursor"), next) != LD_OK) {
		*next = NO_INDEX;
		return LD_OK;
	}
	if (*next != a->expect)
		return fail(e, LD_EBADPROOF, "the next page does not start "
		    "where the chain points");
	return LD_OK;
}

int
client_account_finish(struct client_account *a, struct ld_error *e)
{
	int	rc;

	if (!a->started)
		return fail(e, LD_EINVAL, "no page was verified");
	if (a->expect != NO_INDEX)
		return fail(e, LD_EBADPROOF, "the chain does not end: entry "
		    "%llu is missing", (unsigned long long)a->expect);
	if ((rc = recompute(a, e)) != LD_OK)
		return rc;
	if (a->have_server_balance && a->server_balance != a->balance)
		return fail(e, LD_EBADPROOF, "the server says the balance is "
		    "%lld g, the entries say %lld g",
		    (long long)a->server_balance, (long long)a->balance);
	return LD_OK;
}

int
client_account(struct fetch *f, const struct trust *t, const char *issuer,
    const char *account, struct client_account *a, struct ld_error *e)
{
	struct json	*doc = NULL;
	char		*path;
	uint64_t	 cursor = NO_INDEX;
	int		 rc;

	memset(a, 0, sizeof(*a));
	memset(e, 0, sizeof(*e));
	if (entry_valid_id(issuer, strlen(issuer)) != LD_OK ||
	    entry_valid_account(account, strlen(account)) != LD_OK)
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
			return rc;
		rc = client_account_page(a, doc, t, issuer, account, f,
		    &cursor, e);
		json_free(doc);
		if (rc != LD_OK)
			return rc;
		if (cursor == NO_INDEX)
			break;
	}
	return client_account_finish(a, e);
}
