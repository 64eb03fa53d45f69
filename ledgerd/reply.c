/* reply.c - replies as bytes: the error table, error bodies, receipts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "core.h"
#include "cp.h"
#include "err.h"
#include "json.h"
#include "merkle.h"
#include "receipt.h"
#include "reply.h"
#include "xmalloc.h"

/* The one table from error codes to HTTP statuses. */
static const struct {
	int		 err;
	int		 status;
	const char	*name;
} status_table[] = {
	{ LD_OK,	200, "ok" },
	{ LD_EINVAL,	400, "malformed" },
	{ LD_EAUTH,	401, "unauthorized" },
	{ LD_EBADSIG,	401, "bad-signature" },
	{ LD_ENOTFOUND,	404, "not-found" },
	{ LD_EMETHOD,	405, "method-not-allowed" },
	{ LD_EEXIST,	409, "conflict" },
	{ LD_ETOOBIG,	413, "too-large" },
	{ LD_ERULE,	422, "rule" },
	{ LD_EOVERFLOW,	422, "overflow" },
	{ LD_EBADPROOF,	422, "bad-proof" },
	{ LD_EBUSY,	503, "busy" },
	{ LD_EFULL,	507, "disk-full" },
	{ LD_ECORRUPT,	500, "corrupt" },
	{ LD_ESYS,	500, "internal" },
};

int
reply_status(int err)
{
	size_t	i;

	for (i = 0; i < sizeof(status_table) / sizeof(status_table[0]); i++)
		if (status_table[i].err == err)
			return status_table[i].status;
	return 500;
}

const char *
reply_error_name(int err)
{
	size_t	i;

	for (i = 0; i < sizeof(status_table) / sizeof(status_table[0]); i++)
		if (status_table[i].err == err)
			return status_table[i].name;
	return "internal";
}

void
reply_error_body(struct buf *b, int json, int err, const char *rule,
    const char *msg, long pos, uint64_t index)
{
	struct json	*o = json_obj();

	json_set(o, "error", json_str(reply_error_name(err)));
	if (rule != NULL)
		json_set(o, "rule", json_str(rule));
	json_set(o, "message", json_str(msg));
	if (pos >= 0)
		json_set(o, "position", json_u64((uint64_t)pos));
	if (index != NO_INDEX)
		json_set(o, "index", json_u64(index));
	if (json) {
		json_render(o, b);
		buf_addc(b, '\n');
	} else
		json_render_msgpack(o, b);
	json_free(o);
}

/* The msgpack receipt data. */
static void
receipts_msgpack(const struct core_result *r, struct buf *out)
{
	const struct cp	*cp = r->cp;
	const uint8_t	*h = r->dup_paths.p;
	size_t		 k, m;
	uint32_t	 i, d = 0;

	codec_put_map(out, 9);
	codec_put_cstr(out, "checkpoint");
	codec_put_str(out, cp->text, cp->len);
	codec_put_cstr(out, "size");
	codec_put_u64(out, cp->size);
	codec_put_cstr(out, "start");
	codec_put_u64(out, r->start);
	codec_put_cstr(out, "leaves");
	codec_put_array(out, r->nleaves);
	for (i = 0; i < r->nleaves; i++)
		codec_put_bin(out, r->leaves.p + r->offs[i], r->offs[i + 1] -
		    r->offs[i]);
	codec_put_cstr(out, "left");
	codec_put_array(out, r->nleaves ? (uint32_t)r->nleft : 0);
	for (k = 0; r->nleaves && k < r->nleft; k++)
		codec_put_bin(out, r->left[k], 32);
	codec_put_cstr(out, "right");
	codec_put_array(out, (uint32_t)r->nright);
	for (k = 0; k < r->nright; k++)
		codec_put_bin(out, r->right[k], 32);
	codec_put_cstr(out, "entries");
	codec_put_array(out, r->n);
	for (i = 0; i < r->n; i++) {
		codec_put_array(out, 2);
		codec_put_u64(out, r->index[i]);
		codec_put_bool(out, r->dup[i]);
	}
	/* Each duplicate with its own leaf and proof. */
	codec_put_cstr(out, "dups");
	codec_put_array(out, r->ndups);
	for (i = 0; i < r->n; i++) {
		if (!r->dup[i])
			continue;
		codec_put_array(out, 3);
		codec_put_u64(out, r->index[i]);
		codec_put_bin(out, r->dup_leaves.p + r->dup_offs[d],
		    r->dup_offs[d + 1] - r->dup_offs[d]);
		codec_put_array(out, (uint32_t)r->dup_npath[d]);
		for (m = 0; m < r->dup_npath[d]; m++, h += 32)
			codec_put_bin(out, h, 32);
		d++;
	}
	codec_put_cstr(out, "duplicate");
	codec_put_bool(out, r->duplicate);
}

/* The JSON receipts: one per submitted position. */
static void
receipts_json(const struct core_result *r, struct buf *out)
{
	const struct cp		*cp = r->cp;
	struct receipt_span	 rs;
	struct merkle_proof	 p;
	uint8_t			 h[32];
	const uint8_t		**lv = NULL, *lp, *hp = r->dup_paths.p;
	size_t			*ll = NULL, len;
	struct json		*o = json_obj(), *arr = json_arr(), *e;
	struct buf		 rec = { 0 };
	uint32_t		 i, d = 0;
	int			 have_span = 0;

	if (r->nleaves > 0) {
		lv = xcalloc(r->nleaves, sizeof(*lv));
		ll = xcalloc(r->nleaves, sizeof(*ll));
		for (i = 0; i < r->nleaves; i++) {
			lv[i] = r->leaves.p + r->offs[i];
			ll[i] = r->offs[i + 1] - r->offs[i];
		}
		if (receipt_span_init(&rs, cp->text, cp->len, cp->size,
		    r->start, lv, ll, r->nleaves,
		    (const uint8_t (*)[32])r->left, r->nleft,
		    (const uint8_t (*)[32])r->right, r->nright) == LD_OK)
			have_span = 1;
	}
	json_set(o, "checkpoint", json_strn(cp->text, cp->len));
	json_set(o, "size", json_u64(cp->size));
	for (i = 0; i < r->n; i++) {
		e = json_obj();
		json_set(e, "index", json_u64(r->index[i]));
		buf_reset(&rec);
		memset(h, 0, sizeof(h));
		if (!r->dup[i] && have_span) {
			uint64_t k = r->index[i] - r->start;

			merkle_leaf_hash(h, lv[k], ll[k]);
			receipt_span_get(&rs, r->index[i], lv[k], ll[k], &rec);
		} else if (r->dup[i]) {
			lp = r->dup_leaves.p + r->dup_offs[d];
			len = r->dup_offs[d + 1] - r->dup_offs[d];
			p.n = r->dup_npath[d++];
			memcpy(p.path, hp, p.n * 32);
			hp += p.n * 32;
			merkle_leaf_hash(h, lp, len);
			tlog_proof_format(lp, len, r->index[i], &p, cp->text,
			    cp->len, &rec);
		}
		json_set(e, "leaf_hash", json_hex(h, 32));
		json_set(e, "duplicate", json_bool(r->dup[i]));
		json_set(e, "receipt", json_strn((const char *)rec.p, rec.len));
		json_push(arr, e);
	}
	json_set(o, "entries", arr);
	json_render(o, out);
	buf_addc(out, '\n');
	json_free(o);
	if (have_span)
		receipt_span_free(&rs);
	free(lv);
	free(ll);
	buf_free(&rec);
}

int
reply_job(const struct core_job *j, int json, struct buf *out,
    const char **ctype)
{
	const struct core_result	*r = &j->res;
	int				 err = r->err.code;

	*ctype = json ? "application/json" : "application/msgpack";
	if (err == LD_OK && r->cp != NULL) {
		if (json)
			receipts_json(r, out);
		else
			receipts_msgpack(r, out);
		return 200;
	}
	if (err == LD_OK)
		reply_error_body(out, json, err = LD_ESYS, "store",
		    "cannot read the store", -1, NO_INDEX);
	else
		reply_error_body(out, json, err,
		    r->err.rule[0] != '\0' ? r->err.rule : NULL, r->err.msg,
		    r->err.pos, r->err.index);
	return reply_status(err);
}
