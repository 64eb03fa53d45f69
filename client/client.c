/* client.c - the ledger client library: submit, receipts, verification. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "client.h"
#include "err.h"
#include "json.h"
#include "merkle.h"
#include "receipt.h"
#include "rules.h"
#include "xmalloc.h"

static int
set_err(struct ld_error *e, int code, const char *rule, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
set_err(struct ld_error *e, int code, const char *rule, const char *fmt,
    ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ld_error_vset(e, code, rule, UINT64_MAX, fmt, ap);
	va_end(ap);
	return code;
}

int
client_sign_batch(struct codec_batch *b, const char *origin,
    const struct sig_key *key)
{
	struct buf	msg = { 0 };
	uint8_t		root[32];
	int		rc;

	if (strcmp(sig_key_name(key), b->issuer.s) != 0)
		return LD_EINVAL;
	rules_batch_root(b->subs, b->n, root);
	rules_batch_message(origin, b->issuer.s, b->n, root, &msg);
	rc = sig_sign(key, msg.p, msg.len, b->sig);
	buf_free(&msg);
	return rc;
}

int
client_batch_body(const struct codec_batch *b, struct buf *body)
{
	return codec_batch_encode(b, body);
}

void
client_receipt_free(struct client_receipt *r)
{
	buf_free(&r->text);
}

void
client_error_reply(const struct fetch_resp *r, struct ld_error *e)
{
	struct json	*doc = NULL;
	struct codec_tree	*c = NULL;
	const struct codec_obj *root;
	const uint8_t	*p;
	const char	*s;
	size_t		 len;
	uint64_t	 v;
	int		 code = r->status == 503 ? LD_EBUSY :
			    r->status == 507 ? LD_EFULL :
			    r->status >= 500 || r->status == 0 ? LD_ENET :
			    r->status == 401 ? LD_EAUTH :
			    r->status == 409 ? LD_EEXIST :
			    r->status == 413 ? LD_ETOOBIG :
			    r->status == 422 ? LD_ERULE : LD_EINVAL;

	set_err(e, code, "", "HTTP %d", r->status);
	e->status = r->status;
	if (r->status == 0) {
		snprintf(e->msg, sizeof(e->msg), "%s", r->error);
		return;
	}
	if (strncmp(r->ctype, "application/json", 16) == 0 &&
	    json_parse((const char *)r->body.p, r->body.len, &doc, NULL, 0) ==
	    LD_OK) {
		if (json_get_str(json_get(doc, "message"), &s, &len) == LD_OK)
			snprintf(e->msg, sizeof(e->msg), "%.*s", (int)len, s);
		if (json_get_str(json_get(doc, "rule"), &s, &len) == LD_OK)
			snprintf(e->rule, sizeof(e->rule), "%.*s", (int)len, s);
		if (json_get_u64(json_get(doc, "position"), &v) == LD_OK)
			e->pos = (long)v;
		json_free(doc);
	} else if (codec_tree_parse(r->body.p, r->body.len, &c,
	    &root) == LD_OK) {
		if (codec_get_bytes(codec_get(root, "message"), &p,
		    &len) == LD_OK)
			snprintf(e->msg, sizeof(e->msg), "%.*s", (int)len, p);
		if (codec_get_bytes(codec_get(root, "rule"), &p, &len) == LD_OK)
			snprintf(e->rule, sizeof(e->rule), "%.*s", (int)len, p);
		if (codec_get_u64(codec_get(root, "position"), &v) == LD_OK)
			e->pos = (long)v;
		codec_tree_free(c);
	}
}

/* Read n 32-byte hashes from a msgpack array. */
static int
read_hashes(const struct codec_obj *a, uint8_t (*out)[32], size_t max,
    size_t *n)
{
	const uint8_t	*p;
	size_t		 i, len;

	*n = codec_len(a);
	if (*n > max)
		return LD_EINVAL;
	for (i = 0; i < *n; i++) {
		if (codec_get_bytes(codec_at(a, i), &p, &len) != LD_OK ||
		    len != 32)
			return LD_EINVAL;
		memcpy(out[i], p, 32);
	}
	return LD_OK;
}

/* Whether leaf bytes p hold exactly entry s of issuer. */
static int
leaf_holds(const uint8_t *p, size_t len, const char *issuer,
    const struct entry_sub *s, struct buf *tmp)
{
	struct entry_leaf	l;
	size_t		mark;
	int		same;

	if (codec_leaf_decode(p, len, &l) != LD_OK)
		return 0;
	if (l.kind < KIND_CREDIT || strcmp(l.u.e.issuer.s, issuer) != 0) {
		entry_leaf_free(&l);
		return 0;
	}
	buf_reset(tmp);
	codec_sub_encode(&l.u.e.sub, tmp);
	mark = tmp->len;
	codec_sub_encode(s, tmp);
	same = tmp->len == 2 * mark &&
	    memcmp(tmp->p, tmp->p + mark, mark) == 0;
	entry_leaf_free(&l);
	return same;
}

int
client_submit_reply(const uint8_t *p, size_t len, const struct codec_batch *b,
    const struct sig_key *log, struct client_receipt *out,
    struct ld_error *e)
{
	struct buf		 tmp = { 0 };
	uint32_t		 n = b->n;
	struct codec_tree		*c = NULL;
	const struct codec_obj	*root, *leaves, *ents, *dups, *ent, *d = NULL;
	struct receipt_span	 rs;
	struct merkle_proof	 proof;
	struct tlog_proof_seen	 seen;
	struct trust		 t;
	uint8_t			 left[MERKLE_MAX_LEVELS][32];
	uint8_t			 right[MERKLE_SPAN_MAX_RIGHT][32];
	const uint8_t		**lv = NULL, *cp, *lp;
	size_t			*ll = NULL, nleft, nright, cplen, nl, i, k, plen;
	uint64_t		 size, start, idx, di;
	int			 dup, rc = LD_EBADPROOF, have_span = 0;

	if (codec_tree_parse(p, len, &c, &root) != LD_OK)
		return set_err(e, LD_EINVAL, "reply", "the reply is not msgpack");
	memset(&seen, 0, sizeof(seen));
	/* Receipts at commit time: signed by the log, not cosigned yet. */
	if (log != NULL)
		trust_init(&t, log, NULL, NULL, NULL);
	leaves = codec_get(root, "leaves");
	ents = codec_get(root, "entries");
	dups = codec_get(root, "dups");
	nl = codec_len(leaves);
	if (codec_get_bytes(codec_get(root, "checkpoint"), &cp,
	    &cplen) != LD_OK ||
	    codec_get_u64(codec_get(root, "size"), &size) != LD_OK ||
	    codec_get_u64(codec_get(root, "start"), &start) != LD_OK ||
	    codec_len(ents) != n ||
	    read_hashes(codec_get(root, "left"), left, MERKLE_MAX_LEVELS,
	    &nleft) != LD_OK ||
	    read_hashes(codec_get(root, "right"), right, MERKLE_SPAN_MAX_RIGHT,
	    &nright) != LD_OK) {
		set_err(e, LD_EINVAL, "reply", "the reply lacks fields");
		goto done;
	}
	if (nl > 0) {
		lv = xcalloc(nl, sizeof(*lv));
		ll = xcalloc(nl, sizeof(*ll));
		for (i = 0; i < nl; i++)
			if (codec_get_bytes(codec_at(leaves, i), &lv[i],
			    &ll[i]) !=
			    LD_OK) {
				set_err(e, LD_EINVAL, "reply", "bad leaf");
				goto done;
			}
		if (receipt_span_init(&rs, (const char *)cp, cplen, size,
		    start, lv, ll, nl, (const uint8_t (*)[32])left, nleft,
		    (const uint8_t (*)[32])right, nright) != LD_OK) {
			set_err(e, LD_EBADPROOF, "reply",
			    "the reply's boundary hashes do not fit its range");
			goto done;
		}
		have_span = 1;
	}
	for (i = 0; i < n; i++) {
		ent = codec_at(ents, i);
		buf_reset(&out[i].text);
		if (codec_get_u64(codec_at(ent, 0), &idx) != LD_OK ||
		    codec_get_bool(codec_at(ent, 1), &dup) != LD_OK) {
			set_err(e, LD_EINVAL, "reply", "bad entry %zu", i);
			goto done;
		}
		out[i].index = idx;
		out[i].duplicate = dup;
		if (have_span && idx >= start && idx < start + nl && !dup) {
			if (!leaf_holds(lv[idx - start], ll[idx - start],
			    b->issuer.s, &b->subs[i], &tmp)) {
				set_err(e, LD_EBADPROOF, "reply",
				    "the leaf for entry %zu is not that entry", i);
				goto done;
			}
			merkle_leaf_hash(out[i].leaf_hash, lv[idx - start],
			    ll[idx - start]);
			if (receipt_span_get(&rs, idx, lv[idx - start],
			    ll[idx - start], &out[i].text) != LD_OK) {
				set_err(e, LD_EBADPROOF, "reply",
				    "no proof for entry %zu", i);
				goto done;
			}
		} else {
			/* A duplicate: its own leaf and proof in "dups". */
			for (k = 0; k < codec_len(dups); k++) {
				d = codec_at(dups, k);
				if (codec_get_u64(codec_at(d, 0),
				    &di) == LD_OK &&
				    di == idx)
					break;
			}
			if (k == codec_len(dups) ||
			    codec_get_bytes(codec_at(d, 1), &lp,
			    &plen) != LD_OK ||
			    read_hashes(codec_at(d, 2), proof.path,
			    MERKLE_MAX_PROOF, &proof.n) != LD_OK) {
				set_err(e, LD_EINVAL, "reply",
				    "no receipt for duplicate entry %zu", i);
				goto done;
			}
			if (!leaf_holds(lp, plen, b->issuer.s, &b->subs[i],
			    &tmp)) {
				set_err(e, LD_EBADPROOF, "reply",
				    "the leaf for duplicate entry %zu is not that "
				    "entry", i);
				goto done;
			}
			merkle_leaf_hash(out[i].leaf_hash, lp, plen);
			tlog_proof_format(lp, plen, idx, &proof,
			    (const char *)cp, cplen, &out[i].text);
		}
		/* One checkpoint for the whole reply: its signature is
		 * checked once (seen), each inclusion proof every time. */
		if (log != NULL && client_verify_receipt_seen(
		    (const char *)out[i].text.p, out[i].text.len, &t, &seen,
		    NULL, NULL, e) != LD_OK)
			goto done;
	}
	rc = LD_OK;
done:
	tlog_proof_seen_free(&seen);
	buf_free(&tmp);
	if (have_span)
		receipt_span_free(&rs);
	free(lv);
	free(ll);
	codec_tree_free(c);
	return rc;
}

int
client_submit(struct fetch *f, struct codec_batch *b, const struct sig_key *log,
    struct client_receipt *out, struct ld_error *e)
{
	struct fetch_resp	resp;
	struct buf		body = { 0 };
	unsigned		delay = 100000, tries = 0;
	int			rc;

	if ((rc = client_batch_body(b, &body)) != LD_OK)
		return set_err(e, rc, "encode", "cannot encode the batch");
	for (;;) {
		rc = fetch_post(f, "/v1/submit", "application/msgpack",
		    "application/msgpack", NULL, body.p, body.len, &resp);
		if (rc == LD_OK && resp.status == 200) {
			rc = client_submit_reply(resp.body.p, resp.body.len,
			    b, log, out, e);
			break;
		}
		client_error_reply(&resp, e);
		rc = e->code;
		/* Resubmission is idempotent: retrying is always safe. */
		if ((rc == LD_ENET || rc == LD_EBUSY) && ++tries < 8) {
			fetch_resp_free(&resp);
			usleep(resp.retry_after > 0 ?
			    (unsigned)resp.retry_after * 1000000 : delay);
			delay = delay < 3200000 ? delay * 2 : delay;
			continue;
		}
		break;
	}
	fetch_resp_free(&resp);
	buf_free(&body);
	return rc;
}

int
client_verify_receipt(const char *text, size_t len, const struct trust *t,
    struct entry_leaf *l, struct trust_cp *c, struct ld_error *e)
{
	return client_verify_receipt_seen(text, len, t, NULL, l, c, e);
}

int
client_verify_receipt_seen(const char *text, size_t len,
    const struct trust *t, struct tlog_proof_seen *seen,
    struct entry_leaf *l, struct trust_cp *c, struct ld_error *e)
{
	struct tlog_proof	p;
	struct trust_cp		cp;
	struct entry_leaf	lf;
	int			rc;

	if ((rc = tlog_proof_parse(text, len, &p)) != LD_OK)
		return set_err(e, LD_EBADPROOF, "receipt-format",
		    "not a c2sp.org/tlog-proof@v1 receipt");
	memset(e, 0, sizeof(*e));
	rc = tlog_proof_verify_trust(&p, t, seen, &cp, e);
	if (rc == LD_ERULE) {
		rc = set_err(e, LD_EBADPROOF, "checkpoint-extensions", "%s",
		    CHECKPOINT_EXT_MSG);
		goto done;
	}
	if (rc == LD_EINVAL && e->code == LD_OK) {
		rc = set_err(e, LD_EBADPROOF, "receipt-format",
		    "the receipt carries no leaf (no extra line)");
		goto done;
	}
	if (rc == LD_EBADSIG || rc == LD_EINVAL) {
		/* trust_open said why (signature, cosignatures, quorum). */
		e->code = rc = LD_EBADSIG;
		goto done;
	}
	if (rc != LD_OK) {
		set_err(e, LD_EBADPROOF, "inclusion",
		    "the leaf is not in the tree: inclusion proof of index "
		    "%llu fails against the checkpoint root",
		    (unsigned long long)p.index);
		goto done;
	}
	if (codec_leaf_decode(p.extra, p.extra_len, &lf) != LD_OK) {
		uint64_t v;

		if (codec_leaf_version(p.extra, p.extra_len, &v) == LD_OK &&
		    v != LEAF_VERSION)
			rc = set_err(e, LD_EBADPROOF, "leaf", "the leaf in "
			    "the receipt is of leaf format version %llu; this "
			    "program reads version %d only",
			    (unsigned long long)v, LEAF_VERSION);
		else
			rc = set_err(e, LD_EBADPROOF, "leaf",
			    "the leaf in the receipt does not decode");
		goto done;
	}
	if (lf.index != p.index) {
		entry_leaf_free(&lf);
		rc = set_err(e, LD_EBADPROOF, "leaf-index",
		    "the leaf says index %llu, the proof %llu",
		    (unsigned long long)lf.index, (unsigned long long)p.index);
		goto done;
	}
	if (l != NULL)
		*l = lf;
	else
		entry_leaf_free(&lf);
	if (c != NULL)
		*c = cp;
	rc = LD_OK;
done:
	tlog_proof_free(&p);
	return rc;
}

int
client_checkpoint(struct fetch *f, const struct trust *t, struct trust_cp *c,
    struct buf *note, struct ld_error *e)
{
	struct fetch_resp	resp;
	int			rc;

	if (fetch_get(f, "/checkpoint", NULL, &resp) != LD_OK ||
	    resp.status != 200) {
		client_error_reply(&resp, e);
		fetch_resp_free(&resp);
		return e->code;
	}
	rc = trust_open(t, (const char *)resp.body.p, resp.body.len, c, e);
	if (rc == LD_ERULE)
		e->code = rc = LD_EBADPROOF;
	else if (rc != LD_OK)
		e->code = rc = LD_EBADSIG;
	if (rc != LD_OK) {
		char	m[sizeof(e->msg)];

		snprintf(m, sizeof(m), "%s", e->msg);
		snprintf(e->msg, sizeof(e->msg), "the server's checkpoint: "
		    "%.480s", m);
	} else if (note != NULL)
		buf_add(note, resp.body.p, resp.body.len);
	fetch_resp_free(&resp);
	return rc;
}

int
client_cover(struct fetch *f, const struct trust *t, const char *s,
    size_t len, struct trust_cp *c, struct buf *cnote, struct checkpoint *ccp,
    struct ld_error *e)
{
	struct trust	 key;
	struct trust_cp	 a, b;
	struct buf	 bn = { 0 };
	int		 rc;

	memset(e, 0, sizeof(*e));
	rc = trust_open(t, s, len, c, e);
	if (rc == LD_OK || t->policy == NULL ||
	    strcmp(e->rule, "quorum-not-met") != 0) {
		if (rc == LD_OK && cnote != NULL)
			buf_add(cnote, s, len);
		if (rc == LD_OK && ccp != NULL)
			*ccp = c->cp;
		return rc;
	}
	/* Signed by the log, not (yet) cosigned: cover it by the server's
	 * cosigned checkpoint. */
	trust_init(&key, t->log, NULL, NULL, NULL);
	if ((rc = trust_open(&key, s, len, &a, e)) != LD_OK)
		return rc;
	if ((rc = client_checkpoint(f, t, &b, &bn, e)) != LD_OK)
		goto out;
	if (b.cp.size < a.cp.size) {
		rc = set_err(e, LD_EBADSIG, "quorum-not-met", "the checkpoint "
		    "of size %llu the answer is against is not cosigned as %s "
		    "requires, and the newest cosigned checkpoint (size %llu) "
		    "does not cover it yet (the witnesses lag): not verified; "
		    "try again later", (unsigned long long)a.cp.size,
		    t->policy_name ? t->policy_name : "the policy",
		    (unsigned long long)b.cp.size);
		goto out;
	}
	if ((rc = client_consistency(f, &a.cp, &b.cp, e)) != LD_OK)
		goto out;
	a.pr = b.pr;
	a.prefix_of = b.cp.size;
	*c = a;
	if (cnote != NULL)
		buf_add(cnote, bn.p, bn.len);
	if (ccp != NULL)
		*ccp = b.cp;
out:
	buf_free(&bn);
	return rc;
}

int
client_get_json(struct fetch *f, const char *path, struct json **doc,
    struct ld_error *e)
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
	rc = json_parse((const char *)resp.body.p, resp.body.len, doc, NULL, 0);
	fetch_resp_free(&resp);
	return rc == LD_OK ? LD_OK : set_err(e, LD_EINVAL, "account",
	    "the reply is not JSON");
}

int
client_origin(struct fetch *f, char *origin, size_t len,
    struct ld_error *e)
{
	struct fetch_resp	 resp;
	const char		*nl;
	unsigned		 delay = 100000, tries;

	/* The server may be restarting: retry like a submission would. */
	for (tries = 0;; tries++) {
		if (fetch_get(f, "/checkpoint", NULL, &resp) == LD_OK &&
		    resp.status != 503)
			break;
		if (tries == 8)
			break;
		fetch_resp_free(&resp);
		usleep(delay);
		delay = delay < 3200000 ? delay * 2 : delay;
	}
	if (resp.status != 200) {
		client_error_reply(&resp, e);
		fetch_resp_free(&resp);
		return e->code;
	}
	nl = memchr(resp.body.p, '\n', resp.body.len);
	if (nl == NULL || (size_t)(nl - (char *)resp.body.p) >= len) {
		fetch_resp_free(&resp);
		return set_err(e, LD_EINVAL, "checkpoint",
		    "the server's checkpoint has no origin line");
	}
	memcpy(origin, resp.body.p, (size_t)(nl - (char *)resp.body.p));
	origin[nl - (char *)resp.body.p] = '\0';
	fetch_resp_free(&resp);
	return LD_OK;
}

int
client_consistency(struct fetch *f, const struct checkpoint *a,
    const struct checkpoint *b, struct ld_error *e)
{
	struct fetch_resp	 resp;
	struct merkle_proof	 p;
	struct json		*doc = NULL;
	const struct json		*arr;
	char			 path[96];
	size_t			 i;
	int			 rc;

	if (strcmp(a->origin, b->origin) != 0)
		return set_err(e, LD_EINVAL, "origin", "the checkpoints are of "
		    "different logs (%s, %s)", a->origin, b->origin);
	if (a->size > b->size) {
		/* Older than one seen: stale if b is a prefix of a. */
		rc = client_consistency(f, b, a, e);
		if (rc == LD_EBADPROOF)
			return set_err(e, LD_EBADPROOF, "fork", "the log "
			    "shrank: checkpoint %llu is older than checkpoint "
			    "%llu seen before and not consistent with it (the "
			    "log was rewritten or forked)", (unsigned long long)b->size,
			    (unsigned long long)a->size);
		if (rc != LD_OK && e->status >= 400 && e->status < 500)
			return set_err(e, LD_EBADPROOF, "unproven", "unproven: "
			    "the server serves checkpoint %llu, older than "
			    "checkpoint %llu seen before, and cannot prove it "
			    "a prefix of it (HTTP %d): not verified, and not "
			    "evidence of a fork (a lagging copy cannot prove "
			    "it either)", (unsigned long long)b->size,
			    (unsigned long long)a->size, e->status);
		if (rc != LD_OK)
			return rc;
		return set_err(e, LD_ESTALE, "stale", "stale: checkpoint %llu "
		    "is older than checkpoint %llu seen before, and "
		    "consistent with it (a lagging cache or a replay, not a "
		    "fork)", (unsigned long long)b->size,
		    (unsigned long long)a->size);
	}
	if (a->size == b->size || a->size == 0) {
		if (a->size == b->size && memcmp(a->root, b->root, 32) != 0)
			return set_err(e, LD_EBADPROOF, "fork", "two different "
			    "roots for size %llu", (unsigned long long)a->size);
		return LD_OK;
	}
	snprintf(path, sizeof(path), "/v1/proof/consistency?old=%llu&new=%llu",
	    (unsigned long long)a->size, (unsigned long long)b->size);
	if (fetch_get(f, path, "application/json", &resp) != LD_OK ||
	    resp.status != 200) {
		client_error_reply(&resp, e);
		fetch_resp_free(&resp);
		return e->code;
	}
	rc = json_parse((const char *)resp.body.p, resp.body.len, &doc, NULL,
	    0);
	fetch_resp_free(&resp);
	arr = json_get(doc, "proof");
	p.n = json_len(arr);
	if (rc != LD_OK || p.n > MERKLE_MAX_PROOF) {
		json_free(doc);
		return set_err(e, LD_EINVAL, "reply", "bad consistency reply");
	}
	for (i = 0; i < p.n; i++)
		if (json_get_hex(json_at(arr, i), p.path[i], 32) != LD_OK) {
			json_free(doc);
			return set_err(e, LD_EINVAL, "reply",
			    "bad consistency reply");
		}
	json_free(doc);
	if (merkle_verify_consistency(a->size, b->size, a->root, b->root, &p) !=
	    MERKLE_OK)
		return set_err(e, LD_EBADPROOF, "fork", "checkpoint %llu is "
		    "not consistent with checkpoint %llu: the log was "
		    "rewritten or forked", (unsigned long long)b->size,
		    (unsigned long long)a->size);
	return LD_OK;
}
