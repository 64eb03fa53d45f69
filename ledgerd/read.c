/* read.c - the read path: tiles, proofs, entries, lookups, totals. */
/*
 * Every handler reads through one LMDB read transaction (it never blocks
 * the writer) and answers for the current signed checkpoint: nothing
 * beyond its size is served. Query strings are parsed strictly: known
 * parameters only, each once, canonical decimal or lowercase hex.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "buf.h"
#include "codec.h"
#include "core.h"
#include "cp.h"
#include "err.h"
#include "export.h"
#include "form.h"
#include "hex.h"
#include "httpd.h"
#include "json.h"
#include "query.h"
#include "read.h"
#include "rules_store.h"
#include "u64.h"

#define ACCOUNT_PAGE	100
/* A page stops after the entry that takes it past this many bytes of
 * entries (as compact JSON), whatever the limit; next_cursor goes on. */
#define ACCOUNT_PAGE_BYTES	(256u << 10)

static void
reply_doc(struct httpd_req *req, struct json *o, int cacheable)
{
	struct buf	b = { 0 };
	int		json = httpd_wants_json(req);

	if (json) {
		json_render(o, &b);
		buf_addc(&b, '\n');
	} else
		json_render_msgpack(o, &b);
	httpd_set_header(req, "Access-Control-Allow-Origin", "*");
	httpd_set_header(req, "Cache-Control", cacheable ?
	    "public, max-age=31536000, immutable" : "no-store");
	httpd_reply(req, 200, json ? "application/json" : "application/msgpack",
	    b.p, b.len);
	buf_free(&b);
	json_free(o);
}

static void
bad(struct httpd_req *req, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
bad(struct httpd_req *req, int err, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	api_fail(req, httpd_wants_json(req), err, "query", -1, "%s", msg);
}

static struct json *
proof_json(const struct merkle_proof *p)
{
	struct json	*a = json_arr();
	size_t		 i;

	for (i = 0; i < p->n; i++)
		json_push(a, json_hex(p->path[i], 32));
	return a;
}

/* ---- tiles ------------------------------------------------------------- */

static void
get_tile(struct ledgerd *ld, struct httpd_req *req, struct store_txn *t,
    const char *path, uint64_t size)
{
	struct merkle_tile	 tile;
	struct buf		 b = { 0 };
	int			 rc;

	(void)ld;
	if (merkle_tile_parse(path + 1, strlen(path + 1), &tile) !=
	    MERKLE_OK) {
		bad(req, LD_EINVAL, "%s is not a tile path "
		    "(tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>])",
		    path);
		return;
	}
	if (merkle_tile_check(&tile, size) != MERKLE_OK) {
		bad(req, LD_ENOTFOUND, "%s is beyond the tree", path);
		return;
	}
	rc = export_tile_bytes(t, &tile, &b);
	if (rc != LD_OK) {
		bad(req, LD_ECORRUPT, "%s: the store lacks a hash", path);
		buf_free(&b);
		return;
	}
	httpd_set_header(req, "Access-Control-Allow-Origin", "*");
	httpd_reply(req, 200, "application/octet-stream", b.p, b.len);
	buf_free(&b);
}

/* ---- proofs ------------------------------------------------------------ */

static void
get_inclusion(struct httpd_req *req, struct store_txn *t, uint64_t size)
{
	static const char *const keys[] = { "index", "size", NULL };
	struct merkle_proof	 p;
	struct query		 q;
	const char		*why;
	uint8_t			 h[32];
	uint64_t		 index, n = size;
	int			 r;
	struct json		*o;

	if (query_parse(httpd_query(req), keys, &q, &why) != LD_OK) {
		bad(req, LD_EINVAL, "%s (index=I[&size=N])", why);
		return;
	}
	if (query_u64(&q, "index", &index) != 1) {
		bad(req, LD_EINVAL, "%s", "index=I must be a decimal entry "
		    "index");
		return;
	}
	if ((r = query_u64(&q, "size", &n)) < 0) {
		bad(req, LD_EINVAL, "%s", "size=N must be a decimal tree size");
		return;
	}
	if (n > size) {
		bad(req, LD_ENOTFOUND, "%s", "size is beyond the latest "
		    "checkpoint");
		return;
	}
	if (index >= n) {
		bad(req, LD_EINVAL, "%s", "index must be below size");
		return;
	}
	/* The leaf hash is a level-0 node: read with the proof's lowest
	 * siblings, not rehashed from the leaf. */
	if (store_node_get(t, 0, index, h) != LD_OK ||
	    core_prove(t, index, n, &p) != LD_OK) {
		bad(req, LD_ECORRUPT, "%s", "the store lacks a hash");
		return;
	}
	o = json_obj();
	json_set(o, "index", json_u64(index));
	json_set(o, "size", json_u64(n));
	json_set(o, "leaf_hash", json_hex(h, 32));
	json_set(o, "proof", proof_json(&p));
	reply_doc(req, o, r == 1);
}

static void
get_consistency(struct httpd_req *req, struct store_txn *t, uint64_t size)
{
	static const char *const keys[] = { "old", "new", NULL };
	struct merkle_proof	 p;
	struct query		 q;
	const char		*why;
	uint64_t		 old, n;
	struct json		*o;

	if (query_parse(httpd_query(req), keys, &q, &why) != LD_OK) {
		bad(req, LD_EINVAL, "%s (old=M&new=N)", why);
		return;
	}
	if (query_u64(&q, "old", &old) != 1 || query_u64(&q, "new", &n) != 1) {
		bad(req, LD_EINVAL, "%s", "old=M and new=N must be decimal "
		    "tree sizes");
		return;
	}
	if (old > n) {
		bad(req, LD_EINVAL, "%s", "old must not be above new");
		return;
	}
	if (n > size) {
		bad(req, LD_ENOTFOUND, "%s", "new is beyond the latest "
		    "checkpoint");
		return;
	}
	if (merkle_prove_consistency(store_node_fn, t, old, n, &p) !=
	    MERKLE_OK) {
		bad(req, LD_ECORRUPT, "%s", "the store lacks a hash");
		return;
	}
	o = json_obj();
	json_set(o, "old", json_u64(old));
	json_set(o, "new", json_u64(n));
	json_set(o, "proof", proof_json(&p));
	reply_doc(req, o, 1);
}

/* ---- entries and receipts ------------------------------------------------ */

/*
 * The decimal entry index after prefix in path, within the checkpoint; on
 * -1 the 400 or 404 reply has been sent.
 */
static int
path_index(struct httpd_req *req, const char *path, size_t plen,
    const struct cp *cp, uint64_t *v)
{
	if (u64_parse(path + plen, strlen(path + plen), v) != LD_OK) {
		bad(req, LD_EINVAL, "%s: the index must be a decimal number",
		    path);
		return -1;
	}
	if (*v >= cp->size) {
		bad(req, LD_ENOTFOUND, "%s is beyond the latest checkpoint",
		    path);
		return -1;
	}
	return 0;
}

static struct json *
entry_json(struct store_txn *t, uint64_t index, const struct cp *cp,
    int with_proof)
{
	struct merkle_proof	 p;
	struct entry_leaf		 l;
	const uint8_t		*lp;
	uint8_t			 h[32];
	size_t			 len;
	struct json		*o;

	if (store_leaf_get(t, index, &lp, &len) != LD_OK ||
	    codec_leaf_decode(lp, len, &l) != LD_OK)
		return NULL;
	merkle_leaf_hash(h, lp, len);
	o = json_obj();
	json_set(o, "index", json_u64(index));
	json_set(o, "leaf", json_b64(lp, len));
	json_set(o, "leaf_hash", json_hex(h, 32));
	json_set(o, "entry", form_leaf_to_json(&l));
	if (with_proof && core_prove(t, index, cp->size, &p) == LD_OK)
		json_set(o, "proof", proof_json(&p));
	entry_leaf_free(&l);
	return o;
}

static void
get_entry(struct httpd_req *req, struct store_txn *t, const char *path,
    const struct cp *cp)
{
	struct json	*o;
	uint64_t	 index;

	if (path_index(req, path, strlen("/v1/entries/"), cp, &index) != 0)
		return;
	if ((o = entry_json(t, index, cp, 0)) == NULL) {
		bad(req, LD_ECORRUPT, "%s: the stored leaf is unreadable",
		    path);
		return;
	}
	reply_doc(req, o, 1);
}

/* Append the receipt of index against cp to b. */
static int
receipt(struct store_txn *t, uint64_t index, const struct cp *cp,
    struct buf *b)
{
	struct merkle_proof	 p;
	const uint8_t		*lp;
	size_t			 len;

	if (store_leaf_get(t, index, &lp, &len) != LD_OK ||
	    core_prove(t, index, cp->size, &p) != LD_OK)
		return LD_ECORRUPT;
	tlog_proof_format(lp, len, index, &p, cp->text, cp->len, b);
	return LD_OK;
}

static void
get_receipt(struct httpd_req *req, struct store_txn *t, const char *path,
    const struct cp *cp)
{
	struct buf	b = { 0 };
	uint64_t	index;

	if (path_index(req, path, strlen("/v1/receipt/"), cp, &index) != 0)
		return;
	if (receipt(t, index, cp, &b) != LD_OK) {
		bad(req, LD_ECORRUPT, "%s: the store lacks a hash", path);
		return;
	}
	httpd_set_header(req, "Access-Control-Allow-Origin", "*");
	httpd_reply(req, 200, "text/plain; charset=utf-8", b.p, b.len);
	buf_free(&b);
}

/* LD_ERETRY (nothing replied) when the snapshot moved on. */
static int
get_lookup(struct ledgerd *ld, struct httpd_req *req, struct store_txn *t,
    const struct cp *cp)
{
	static const char *const keys[] = { "dedup", "leaf_hash", NULL };
	struct query	 q;
	const char	*why, *v;
	uint8_t		 key[32];
	uint64_t	 index;
	size_t		 len;
	int		 rc, by_dedup;
	struct json	*o;

	if (query_parse(httpd_query(req), keys, &q, &why) != LD_OK ||
	    q.n != 1) {
		bad(req, LD_EINVAL, "%s", "give exactly one of dedup=HEX or "
		    "leaf_hash=HEX");
		return 0;
	}
	by_dedup = (v = query_param(&q, "dedup", &len)) != NULL;
	if (!by_dedup)
		v = query_param(&q, "leaf_hash", &len);
	if (hex_decode(key, 32, v, len) != LD_OK) {
		bad(req, LD_EINVAL, "%s", "the key must be 64 hex digits");
		return 0;
	}
	if (!by_dedup && !ld->leafhash_index) {
		bad(req, LD_ENOTFOUND, "%s", "this log keeps no index of leaf "
		    "hashes (ledgerd init --leaf-hash-index); look the entry "
		    "up by its dedup key, or read its index from its receipt");
		return 0;
	}
	rc = by_dedup ? rules_store_ops.dedup_get(t, key, &index) :
	    store_leafhash_get(t, key, &index);
	if (rc == LD_ERETRY)
		return rc;
	if (rc != LD_OK || index >= cp->size) {
		bad(req, LD_ENOTFOUND, "%s", "no such entry in the log");
		return 0;
	}
	o = json_obj();
	json_set(o, "index", json_u64(index));
	reply_doc(req, o, 0);
	return 0;
}

/* ---- accounts, issuers, totals ------------------------------------------- */

/* LD_ERETRY (nothing replied) when the snapshot moved on. */
static int
get_account(struct httpd_req *req, struct store_txn *t, const char *path,
    const struct cp *cp)
{
	static const char *const keys[] = { "cursor", "limit", NULL };
	struct entry_account_ctr	 a;
	struct query		 q;
	struct entry_leaf		 l;
	const char		*rest = path + strlen("/v1/accounts/"), *slash;
	const char		*why;
	const uint8_t		*lp;
	char			 issuer[ID_MAX + 1], account[ACCOUNT_MAX + 1];
	uint64_t		 cur, limit = ACCOUNT_PAGE, n = 0;
	size_t			 ilen, alen, len, bytes = 0;
	struct buf		 sz = { 0 };
	int64_t			 bal;
	int			 r, rc;
	struct json		*o, *arr, *e;

	slash = strchr(rest, '/');
	ilen = slash ? (size_t)(slash - rest) : 0;
	alen = slash ? strlen(slash + 1) : 0;
	if (slash == NULL || entry_valid_id(rest, ilen) != LD_OK ||
	    entry_valid_account(slash + 1, alen) != LD_OK) {
		bad(req, LD_EINVAL, "%s: want /v1/accounts/ISSUER/ACCOUNT",
		    path);
		return 0;
	}
	memcpy(issuer, rest, ilen);
	issuer[ilen] = '\0';
	memcpy(account, slash + 1, alen);
	account[alen] = '\0';
	if (query_parse(httpd_query(req), keys, &q, &why) != LD_OK ||
	    (r = query_u64(&q, "limit", &limit)) < 0 || limit == 0 ||
	    limit > 1000) {
		bad(req, LD_EINVAL, "%s", "query: cursor=INDEX, limit=1..1000");
		return 0;
	}
	if ((rc = rules_store_account(t, issuer, account, &a)) == LD_ERETRY)
		return rc;
	if (rc != LD_OK) {
		bad(req, LD_ENOTFOUND, "%s: no such account", path);
		return 0;
	}
	/* The account's last entry within the checkpoint, newest first. */
	cur = a.prev;
	while (cur != NO_INDEX && cur >= cp->size) {
		if (store_leaf_get(t, cur, &lp, &len) != LD_OK ||
		    codec_leaf_decode(lp, len, &l) != LD_OK)
			goto corrupt;
		cur = l.u.e.acct.prev;
		entry_leaf_free(&l);
	}
	o = json_obj();
	json_set(o, "issuer", json_str(issuer));
	json_set(o, "account", json_str(account));
	json_set(o, "checkpoint", json_strn(cp->text, cp->len));
	json_set(o, "size", json_u64(cp->size));
	json_set(o, "last", cur == NO_INDEX ? json_nil() : json_u64(cur));
	if ((r = query_u64(&q, "cursor", &cur)) < 0 ||
	    (r == 1 && cur >= cp->size)) {
		json_free(o);
		bad(req, LD_EINVAL, "%s", "cursor must be an index of the "
		    "account's from a previous page");
		return 0;
	}
	arr = json_arr();
	while (cur != NO_INDEX && n < limit && bytes < ACCOUNT_PAGE_BYTES) {
		if (store_leaf_get(t, cur, &lp, &len) != LD_OK ||
		    codec_leaf_decode(lp, len, &l) != LD_OK) {
			json_free(arr);
			json_free(o);
			goto corrupt;
		}
		if (l.kind < KIND_CREDIT || strcmp(l.u.e.issuer.s, issuer) ||
		    (l.kind != KIND_REVERSE &&
		    strcmp(l.u.e.sub.account.s, account) != 0)) {
			entry_leaf_free(&l);
			json_free(arr);
			json_free(o);
			buf_free(&sz);
			bad(req, LD_EINVAL, "%s", "cursor is not an entry of "
			    "this account");
			return 0;
		}
		if (n == 0 && entry_account_balance(&l.u.e.acct,
		    &bal) == LD_OK) {
			json_set(o, "credited_grams",
			    json_u64(l.u.e.acct.credited));
			json_set(o, "retired_grams",
			    json_u64(l.u.e.acct.retired));
			json_set(o, "reversed_grams",
			    json_u64(l.u.e.acct.reversed));
			json_set(o, "balance_grams", json_i64(bal));
		}
		e = entry_json(t, cur, cp, 1);
		if (e != NULL) {
			sz.len = 0;
			json_render(e, &sz);
			bytes += sz.len;
			json_push(arr, e);
		}
		cur = l.u.e.acct.prev;
		entry_leaf_free(&l);
		n++;
	}
	buf_free(&sz);
	json_set(o, "entries", arr);
	json_set(o, "next_cursor",
	    cur == NO_INDEX ? json_nil() : json_u64(cur));
	reply_doc(req, o, 0);
	return 0;
corrupt:
	buf_free(&sz);
	bad(req, LD_ECORRUPT, "%s: the stored chain is unreadable", path);
	return 0;
}

/* {totals, index, receipt} for the leaf at index. */
static struct json *
totals_doc(struct store_txn *t, uint64_t index, const struct cp *cp,
    struct entry_leaf *l)
{
	struct buf	 b = { 0 };
	struct json	*o = json_obj();

	json_set(o, "size", json_u64(cp->size));
	json_set(o, "index", json_u64(index));
	json_set(o, "totals", form_totals_to_json(&l->totals));
	if (receipt(t, index, cp, &b) == LD_OK)
		json_set(o, "receipt", json_strn((const char *)b.p, b.len));
	buf_free(&b);
	return o;
}

static void
get_totals(struct httpd_req *req, struct store_txn *t, const struct cp *cp)
{
	struct entry_leaf	 l;
	const uint8_t	*lp;
	size_t		 len;
	struct json	*o;

	if (cp->size == 0) {
		o = json_obj();
		json_set(o, "size", json_u64(0));
		json_set(o, "totals",
		    form_totals_to_json(&(struct entry_totals){ 0 }));
		reply_doc(req, o, 0);
		return;
	}
	if (store_leaf_get(t, cp->size - 1, &lp, &len) != LD_OK ||
	    codec_leaf_decode(lp, len, &l) != LD_OK) {
		bad(req, LD_ECORRUPT, "%s", "the last leaf is unreadable");
		return;
	}
	o = totals_doc(t, cp->size - 1, cp, &l);
	entry_leaf_free(&l);
	reply_doc(req, o, 0);
}

struct list_ctx {
	struct json	*arr;
	uint64_t	 size;
};

static int
list_issuer(void *arg, const struct rules_issuer_state *st)
{
	struct list_ctx	*c = arg;
	struct json	*o;
	struct sig_key	*k;
	char		*vkey;

	if (st->reg_index >= c->size)
		return 0;
	o = json_obj();
	json_set(o, "id", json_str(st->reg.id.s));
	json_set(o, "name", json_str(st->reg.name.s));
	if (sig_key_from_pub(st->reg.id.s, SIG_TYPE_ED25519, st->reg.pub,
	    &k) == LD_OK) {
		vkey = sig_vkey(k);
		json_set(o, "vkey", json_str(vkey));
		free(vkey);
		sig_key_free(k);
	}
	json_set(o, "index", json_u64(st->reg_index));
	json_push(c->arr, o);
	return 0;
}

static int
list_method(void *arg, const struct rules_method_state *st)
{
	struct list_ctx	*c = arg;
	struct json	*o;

	if (st->reg_index >= c->size)
		return 0;
	o = form_method_to_json(&st->reg);
	json_set(o, "index", json_u64(st->reg_index));
	json_push(c->arr, o);
	return 0;
}

static void
get_registry(struct httpd_req *req, struct store_txn *t, const struct cp *cp,
    int issuers)
{
	struct list_ctx	 c = { json_arr(), cp->size };
	struct json	*o = json_obj();

	if (issuers)
		rules_store_issuers(t, list_issuer, &c);
	else
		rules_store_methods(t, list_method, &c);
	json_set(o, "size", json_u64(cp->size));
	json_set(o, issuers ? "issuers" : "methods", c.arr);
	reply_doc(req, o, 0);
}

static void
get_issuer(struct httpd_req *req, struct store_txn *t, const char *path,
    const struct cp *cp)
{
	struct rules_issuer_state	 st;
	struct entry_leaf		 l;
	const char		*id = path + strlen("/v1/issuers/");
	const uint8_t		*lp;
	uint64_t		 last;
	size_t			 len;
	struct json		*o;

	if (entry_valid_id(id, strlen(id)) != LD_OK ||
	    rules_store_ops.issuer_get(t, id, &st) != LD_OK ||
	    st.reg_index >= cp->size) {
		bad(req, LD_ENOTFOUND, "%s: no such issuer", path);
		return;
	}
	/* The issuer's last entry within the checkpoint. */
	last = st.ctr.prev;
	while (last != NO_INDEX && last >= cp->size) {
		if (store_leaf_get(t, last, &lp, &len) != LD_OK ||
		    codec_leaf_decode(lp, len, &l) != LD_OK)
			goto corrupt;
		last = l.u.e.iss.prev;
		entry_leaf_free(&l);
	}
	if (last == NO_INDEX) {
		o = json_obj();
		json_set(o, "size", json_u64(cp->size));
		json_set(o, "index", json_nil());
	} else {
		if (store_leaf_get(t, last, &lp, &len) != LD_OK ||
		    codec_leaf_decode(lp, len, &l) != LD_OK)
			goto corrupt;
		o = totals_doc(t, last, cp, &l);
		json_set(o, "credited_grams", json_u64(l.u.e.iss.credited));
		json_set(o, "retired_grams", json_u64(l.u.e.iss.retired));
		json_set(o, "reversed_grams", json_u64(l.u.e.iss.reversed));
		entry_leaf_free(&l);
	}
	json_set(o, "id", json_str(st.reg.id.s));
	json_set(o, "name", json_str(st.reg.name.s));
	json_set(o, "registered_at", json_u64(st.reg_index));
	reply_doc(req, o, 0);
	return;
corrupt:
	bad(req, LD_ECORRUPT, "%s: the stored chain is unreadable", path);
}

/* ---- health and metrics --------------------------------------------------- */

static void
get_health(struct ledgerd *ld, struct httpd_req *req, struct store_txn *t,
    const struct cp *cp)
{
	const uint8_t	*p;
	size_t		 len;
	char		 msg[128];

	(void)ld;
	if (cp->size > 0 && store_leaf_get(t, cp->size - 1, &p, &len) !=
	    LD_OK) {
		httpd_reply(req, 503, "text/plain; charset=utf-8",
		    "store unreadable\n", 17);
		return;
	}
	snprintf(msg, sizeof(msg), "ok %llu\n", (unsigned long long)cp->size);
	httpd_reply(req, 200, "text/plain; charset=utf-8", msg, strlen(msg));
}

/*
 * Run a read-path handler in a read transaction at the current
 * checkpoint, with the event loop's node cache. Lookups in the deferred
 * indexes may ask for a fresh snapshot (LD_ERETRY, store.h): a few tries,
 * then 503.
 */
void
read_run(struct ledgerd *ld, struct httpd_req *req, const char *path,
    read_fn *fn)
{
	struct store_txn	*t;
	struct cp		*cp;
	int			 tries = 0, rc;

again:
	cp = cp_get(ld);
	if (store_begin(ld->store, 1, &t) != LD_OK) {
		cp_put(cp);
		api_fail(req, 1, LD_ESYS, "store", -1, "cannot read the store");
		return;
	}
	/* The event loop's cache of upper tree nodes (proofs, tiles). */
	if (ld->ncache == NULL)
		ld->ncache = store_ncache_new();
	store_txn_ncache(t, ld->ncache);
	rc = fn(ld, req, t, path, cp);
	store_abort(t);
	cp_put(cp);
	if (rc == LD_ERETRY) {
		if (++tries < 5)
			goto again;
		api_fail(req, 1, LD_EBUSY, "store", -1, "%s",
		    "the log is moving fast; try again");
	}
}

/* ---- the handlers, one per route (route.c) ------------------------------- */

int
read_tile(struct ledgerd *ld, struct httpd_req *req, struct store_txn *t,
    const char *path, const struct cp *cp)
{
	get_tile(ld, req, t, path, cp->size);
	return LD_OK;
}

int
read_inclusion(struct ledgerd *ld, struct httpd_req *req, struct store_txn *t,
    const char *path, const struct cp *cp)
{
	(void)ld;
	(void)path;
	get_inclusion(req, t, cp->size);
	return LD_OK;
}

int
read_consistency(struct ledgerd *ld, struct httpd_req *req, struct store_txn *t,
    const char *path, const struct cp *cp)
{
	(void)ld;
	(void)path;
	get_consistency(req, t, cp->size);
	return LD_OK;
}

int
read_entry(struct ledgerd *ld, struct httpd_req *req, struct store_txn *t,
    const char *path, const struct cp *cp)
{
	(void)ld;
	get_entry(req, t, path, cp);
	return LD_OK;
}

int
read_receipt(struct ledgerd *ld, struct httpd_req *req, struct store_txn *t,
    const char *path, const struct cp *cp)
{
	(void)ld;
	get_receipt(req, t, path, cp);
	return LD_OK;
}

int
read_lookup(struct ledgerd *ld, struct httpd_req *req, struct store_txn *t,
    const char *path, const struct cp *cp)
{
	(void)path;
	return get_lookup(ld, req, t, cp);
}

int
read_account(struct ledgerd *ld, struct httpd_req *req, struct store_txn *t,
    const char *path, const struct cp *cp)
{
	(void)ld;
	return get_account(req, t, path, cp);
}

int
read_totals(struct ledgerd *ld, struct httpd_req *req, struct store_txn *t,
    const char *path, const struct cp *cp)
{
	(void)ld;
	(void)path;
	get_totals(req, t, cp);
	return LD_OK;
}

int
read_issuers(struct ledgerd *ld, struct httpd_req *req, struct store_txn *t,
    const char *path, const struct cp *cp)
{
	(void)ld;
	(void)path;
	get_registry(req, t, cp, 1);
	return LD_OK;
}

int
read_methods(struct ledgerd *ld, struct httpd_req *req, struct store_txn *t,
    const char *path, const struct cp *cp)
{
	(void)ld;
	(void)path;
	get_registry(req, t, cp, 0);
	return LD_OK;
}

int
read_issuer(struct ledgerd *ld, struct httpd_req *req, struct store_txn *t,
    const char *path, const struct cp *cp)
{
	(void)ld;
	get_issuer(req, t, path, cp);
	return LD_OK;
}

int
read_health(struct ledgerd *ld, struct httpd_req *req, struct store_txn *t,
    const char *path, const struct cp *cp)
{
	(void)path;
	get_health(ld, req, t, cp);
	return LD_OK;
}
