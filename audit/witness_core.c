/* witness_core.c - the witness's add-checkpoint decision and its
 * atomic update of the state. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "merkle.h"
#include "note.h"
#include "policy.h"
#include "sig.h"
#include "tlog_witness.h"
#include "witness_core.h"
#include "witness_state.h"


static void
reply(struct witness_core_reply *out, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
reply(struct witness_core_reply *out, int status, const char *fmt, ...)
{
	va_list	ap;

	out->status = status;
	out->content_type = "text/plain";
	buf_reset(&out->body);
	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
}


/* Append the signature line s to b, as note.h writes it. */
static void
add_line(struct buf *b, const struct note_sig *s)
{
	uint8_t	raw[4 + NOTE_SIG_MAX];
	char	b64[((4 + NOTE_SIG_MAX) + 2) / 3 * 4 + 1];

	raw[0] = (uint8_t)(s->id >> 24);
	raw[1] = (uint8_t)(s->id >> 16);
	raw[2] = (uint8_t)(s->id >> 8);
	raw[3] = (uint8_t)s->id;
	memcpy(raw + 4, s->sig, s->len);
	b64_encode(b64, raw, 4 + s->len);
	buf_printf(b, "\xe2\x80\x94 %s %s\n", s->name, b64);
}

/* The timestamp of k's cosignature in n, or 0. */
/* The time of k's cosignature on n, or 0. */
static uint64_t
cosig_time(const struct note *n, const struct sig_key *k)
{
	const struct note_sig	*s = note_sig_of(n, k);

	return s != NULL ? note_cosig_time(s) : 0;
}

/*
 * 404 or 403, else LD_OK with the log signature lines that verified
 * appended to logsigs.
 */
static int
check_log(const struct policy *p, const struct tlog_witness_req *req,
    struct witness_core_reply *out, struct buf *logsigs)
{
	const struct sig_key	*k;
	const struct note_sig	*s;
	size_t			 i, ok = 0;
	long			 li;

	li = policy_log_find(p, req->cp.origin, 0);
	if (li < 0) {
		reply(out, 404, "unknown origin %s", req->cp.origin);
		return LD_ENOTFOUND;
	}
	for (; li >= 0; li = policy_log_find(p, req->cp.origin,
	    (size_t)li + 1)) {
		k = policy_log_key(p, (size_t)li);
		if ((s = note_sig_of(&req->note, k)) == NULL)
			continue;
		if (note_verify(&req->note, &k, 1, NULL) != LD_OK) {
			reply(out, 403, "the signature of log key %s+%08x "
			    "does not verify", sig_key_name(k), sig_key_id(k));
			return LD_EBADSIG;
		}
		for (i = 0; i < req->note.nsigs; i++)
			if (req->note.sigs[i].id == sig_key_id(k) &&
			    strcmp(req->note.sigs[i].name, sig_key_name(k)) ==
			    0)
				add_line(logsigs, &req->note.sigs[i]);
		ok++;
	}
	if (ok == 0) {
		reply(out, 403, "no signature by a log key of origin %s",
		    req->cp.origin);
		return LD_EBADSIG;
	}
	return LD_OK;
}

/* 422 unless req's checkpoint is consistent with cur; LD_OK if it is. */
static int
check_consistency(const struct tlog_witness_req *req,
    const uint8_t cur_root[32], struct witness_core_reply *out)
{
	struct merkle_proof	pr;
	uint8_t			empty[32];

	merkle_empty_root(empty);
	if (req->cp.size == 0 && memcmp(req->cp.root, empty, 32) != 0) {
		reply(out, 422, "a checkpoint of size 0 whose root is not "
		    "SHA-256(\"\")");
		return LD_EBADPROOF;
	}
	if (req->old == 0) {
		if (req->nproof != 0) {
			reply(out, 422, "old size 0 with %zu proof lines (the "
			    "proof must be empty)", req->nproof);
			return LD_EBADPROOF;
		}
		return LD_OK;
	}
	if (req->old == req->cp.size) {
		if (memcmp(req->cp.root, cur_root, 32) != 0) {
			reply(out, 422, "size %" PRIu64 " as cosigned, with "
			    "another root hash (a fork)", req->old);
			return LD_EBADPROOF;
		}
		if (req->nproof != 0) {
			reply(out, 422, "old size equals size, with %zu proof "
			    "lines (the proof must be empty)", req->nproof);
			return LD_EBADPROOF;
		}
		return LD_OK;
	}
	pr.n = req->nproof;
	memcpy(pr.path, req->proof, req->nproof * 32);
	if (merkle_verify_consistency(req->old, req->cp.size, cur_root,
	    req->cp.root, &pr) != MERKLE_OK) {
		reply(out, 422, "the consistency proof from %" PRIu64 " to %"
		    PRIu64 " does not verify against the cosigned root",
		    req->old, req->cp.size);
		return LD_EBADPROOF;
	}
	return LD_OK;
}

int
witness_core_decide(const struct policy *p, const struct sig_key *key,
    const struct tlog_witness_req *req, const struct witness_state_rec *cur,
    uint64_t now, struct witness_core_reply *out, struct buf *next)
{
	struct buf	logsigs = { 0 }, line = { 0 };
	uint64_t	cur_size = cur->found ? cur->cp.size : 0, t;
	uint8_t		zero[32] = { 0 };
	int		rc;

	if (sig_key_type(key) != SIG_TYPE_COSIGN || !sig_key_has_private(key) ||
	    now == 0)
		return LD_EINVAL;
	if (check_log(p, req, out, &logsigs) != LD_OK)
		goto done;
	if (req->old > req->cp.size) {
		reply(out, 400, "old size %" PRIu64 " is over the checkpoint's "
		    "size %" PRIu64, req->old, req->cp.size);
		goto done;
	}
	if (req->old != cur_size) {
		reply(out, 409, "old size %" PRIu64 ", but the latest "
		    "cosigned size is %" PRIu64, req->old, cur_size);
		out->content_type = TLOG_WITNESS_SIZE_TYPE;
		out->size = cur_size;
		tlog_witness_size_format(cur_size, &out->body);
		goto done;
	}
	if (check_consistency(req, cur->found ? cur->cp.root : zero, out) !=
	    LD_OK)
		goto done;
	/* Never a timestamp older than the last one for this origin. */
	t = now;
	if (cur->found && cosig_time(&cur->note, key) > t)
		t = cosig_time(&cur->note, key);
	if ((rc = note_cosign(req->note.text, req->note.text_len, key, t,
	    &line)) != LD_OK) {
		reply(out, 500, "cannot cosign: %s", ld_strerror(rc));
		goto done;
	}
	reply(out, 200, "cosigned size %" PRIu64 " at %" PRIu64,
	    req->cp.size, t);
	buf_add(&out->body, line.p, line.len);
	buf_add(next, req->note.text, req->note.text_len);
	buf_addc(next, '\n');
	buf_add(next, logsigs.p, logsigs.len);
	buf_add(next, line.p, line.len);
done:
	buf_free(&logsigs);
	buf_free(&line);
	return LD_OK;
}

struct add_ctx {
	const struct policy		*p;
	const struct sig_key		*key;
	const struct tlog_witness_req	*req;
	uint64_t			 now;
	struct witness_core_reply	*out;
};

static int
add_fn(const struct witness_state_rec *cur, void *arg, struct buf *next)
{
	struct add_ctx	*c = arg;

	return witness_core_decide(c->p, c->key, c->req, cur, c->now, c->out,
	    next);
}

int
witness_core_add(const struct policy *p, const struct sig_key *key,
    struct witness_state *st, const char *body, size_t len, uint64_t now,
    struct witness_core_reply *out)
{
	struct tlog_witness_req	req;
	struct add_ctx		c = { p, key, &req, now, out };
	int			rc;

	memset(out, 0, sizeof(*out));
	if ((rc = tlog_witness_req_parse(body, len, &req)) != LD_OK) {
		reply(out, 400, "a malformed add-checkpoint body (%s)",
		    ld_strerror(rc));
		return LD_OK;
	}
	rc = witness_state_update(st, req.cp.origin, add_fn, &c);
	if (rc != LD_OK) {
		reply(out, 500, "the witness state for %s: %s", req.cp.origin,
		    ld_strerror(rc));
		out->size = 0;
	}
	tlog_witness_req_free(&req);
	return rc;
}

int
witness_core_latest(const struct policy *p, struct witness_state *st,
    const char *hash, size_t len, struct buf *b)
{
	struct witness_state_rec	rec;
	char				name[WITNESS_STATE_NAME_LEN + 1];
	size_t				i;
	int				rc;

	if (len != WITNESS_STATE_NAME_LEN)
		return LD_ENOTFOUND;
	for (i = 0; i < policy_nlogs(p); i++) {
		witness_state_name(policy_log_origin(p, i), name);
		if (memcmp(name, hash, len) == 0)
			break;
	}
	if (i == policy_nlogs(p))
		return LD_ENOTFOUND;
	rc = witness_state_read(st, policy_log_origin(p, i), &rec);
	if (rc == LD_OK && !rec.found)
		rc = LD_ENOTFOUND;
	if (rc == LD_OK)
		buf_add(b, rec.raw, rec.raw_len);
	witness_state_rec_free(&rec);
	return rc;
}

void
witness_core_reply_free(struct witness_core_reply *r)
{
	if (r == NULL)
		return;
	buf_free(&r->body);
	memset(r, 0, sizeof(*r));
}
