/* acctstate.c - what `ledger account --state DIR` remembers of each account. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "acctstate.h"
#include "buf.h"
#include "err.h"
#include "file.h"
#include "json.h"
#include "xmalloc.h"

/* What is kept of one account. */
struct held {
	uint64_t	index, size, credited, retired, reversed;
};

/* DIR/accounts/ISSUER~ACCOUNT: '~' is in no issuer id, '/' in neither. */
static char *
held_path(const char *dir, const char *issuer, const char *account)
{
	return xasprintf("%s/accounts/%s~%s", dir, issuer, account);
}

/* LD_OK, LD_ENOTFOUND (nothing held) or LD_ECORRUPT. */
static int
held_load(const char *dir, const char *issuer, const char *account,
    struct held *h)
{
	struct json	*doc = NULL;
	char		*path = held_path(dir, issuer, account), *text = NULL;
	size_t		 len;
	int		 rc;

	rc = file_read(path, 4096, &text, &len);
	free(path);
	if (rc != LD_OK)
		return LD_ENOTFOUND;
	rc = LD_ECORRUPT;
	if (json_parse(text, len, &doc, NULL, 0) == LD_OK &&
	    json_get_u64(json_get(doc, "index"), &h->index) == LD_OK &&
	    json_get_u64(json_get(doc, "size"), &h->size) == LD_OK &&
	    json_get_u64(json_get(doc, "credited_grams"),
	    &h->credited) == LD_OK &&
	    json_get_u64(json_get(doc, "retired_grams"),
	    &h->retired) == LD_OK &&
	    json_get_u64(json_get(doc, "reversed_grams"),
	    &h->reversed) == LD_OK)
		rc = LD_OK;
	json_free(doc);
	free(text);
	return rc;
}

int
acctstate_check(const char *dir, const char *issuer, const char *account,
    const struct client_account *a, int found, struct ld_error *e)
{
	struct held	 h;
	size_t		 k;
	int		 rc;

	if ((rc = held_load(dir, issuer, account, &h)) == LD_ENOTFOUND)
		return LD_OK;
	if (rc != LD_OK)
		return ld_error_set(e, LD_EINVAL, "rollback", UINT64_MAX,
		    "%s/accounts/%s~%s is not a state "
		    "file of ledger account", dir, issuer, account);
	if (!found || a->n == 0)
		return ld_error_set(e, LD_EBADPROOF, "rollback", UINT64_MAX,
		    "rollback: the server says %s "
		    "account %s has no entries, but entry %llu of it was "
		    "verified before at size %llu", issuer, account,
		    (unsigned long long)h.index, (unsigned long long)h.size);
	if (a->index[0] < h.index)
		return ld_error_set(e, LD_EBADPROOF, "rollback", UINT64_MAX,
		    "rollback: the server's newest "
		    "entry of the account is %llu (size %llu), but entry %llu "
		    "was verified before at size %llu: newer entries are "
		    "hidden", (unsigned long long)a->index[0],
		    (unsigned long long)a->cp.size,
		    (unsigned long long)h.index, (unsigned long long)h.size);
	for (k = 0; k < a->n && a->index[k] > h.index; k++)
		;
	if (k == a->n || a->index[k] != h.index)
		return ld_error_set(e, LD_EBADPROOF, "rollback", UINT64_MAX,
		    "another history: entry %llu, "
		    "verified before as the account's, is not in its chain "
		    "now", (unsigned long long)h.index);
	if (a->leaves[k].u.e.acct.credited != h.credited ||
	    a->leaves[k].u.e.acct.retired != h.retired ||
	    a->leaves[k].u.e.acct.reversed != h.reversed)
		return ld_error_set(e, LD_EBADPROOF, "rollback", UINT64_MAX,
		    "another history: entry %llu's "
		    "counters differ from those verified before",
		    (unsigned long long)h.index);
	return LD_OK;
}

int
acctstate_save(const char *dir, const char *issuer, const char *account,
    const struct client_account *a)
{
	struct json	*o;
	struct buf	 b = { 0 };
	char		*sub, *path;
	int		 rc;

	if (a->n == 0)
		return LD_OK;
	sub = xasprintf("%s/accounts", dir);
	if ((mkdir(dir, 0700) != 0 && errno != EEXIST) ||
	    (mkdir(sub, 0700) != 0 && errno != EEXIST)) {
		free(sub);
		return LD_ESYS;
	}
	free(sub);
	o = json_obj();
	json_set(o, "issuer", json_str(issuer));
	json_set(o, "account", json_str(account));
	json_set(o, "index", json_u64(a->index[0]));
	json_set(o, "size", json_u64(a->cp.size));
	json_set(o, "credited_grams", json_u64(a->leaves[0].u.e.acct.credited));
	json_set(o, "retired_grams", json_u64(a->leaves[0].u.e.acct.retired));
	json_set(o, "reversed_grams", json_u64(a->leaves[0].u.e.acct.reversed));
	json_render(o, &b);
	buf_add(&b, "\n", 1);
	json_free(o);
	path = held_path(dir, issuer, account);
	rc = file_write(path, b.p, b.len, 0600, 0);
	free(path);
	buf_free(&b);
	return rc;
}
