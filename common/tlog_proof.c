/* tlog_proof.c - c2sp.org/tlog-proof@v1 receipts: parse, format, verify. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "merkle.h"
#include "note.h"
#include "sig.h"
#include "tlog_proof.h"
#include "trust.h"
#include "u64.h"
#include "xmalloc.h"

#define ROOT_B64_LEN		44		/* base64 of 32 bytes */

#define PROOF_HEADER		"c2sp.org/tlog-proof@v1\n"
#define PROOF_HEADER_LEN	(sizeof(PROOF_HEADER) - 1)
#define PROOF_EXTRA_MAX		65535
#define PROOF_EXTRA_B64_MAX	((PROOF_EXTRA_MAX + 2) / 3 * 4)
/* The longest receipt that can be valid: every part at its limit. */
#define PROOF_MAX		(PROOF_HEADER_LEN + 6 + PROOF_EXTRA_B64_MAX + \
				    1 + 6 + 20 + 1 + \
				    MERKLE_MAX_PROOF * (ROOT_B64_LEN + 1) + \
				    1 + NOTE_MAX)

/* The next line from *off: *line and its length *ll without the '\n'. */
static int
next_line(const char *s, size_t len, size_t *off, const char **line,
    size_t *ll)
{
	const char	*nl;

	if (*off >= len ||
	    (nl = memchr(s + *off, '\n', len - *off)) == NULL)
		return LD_EINVAL;
	*line = s + *off;
	*ll = (size_t)(nl - *line);
	*off += *ll + 1;
	return LD_OK;
}

int
tlog_proof_parse(const char *s, size_t len, struct tlog_proof *p)
{
	struct tlog_proof	 tp;
	struct note		 n;
	const char		*line;
	size_t			 off = PROOF_HEADER_LEN, ll, hlen;
	uint8_t			 h[ROOT_B64_LEN];
	int			 rc = LD_EINVAL;

	memset(p, 0, sizeof(*p));
	memset(&tp, 0, sizeof(tp));
	if (len > PROOF_MAX)
		return LD_ETOOBIG;
	if (len < PROOF_HEADER_LEN ||
	    memcmp(s, PROOF_HEADER, PROOF_HEADER_LEN) != 0)
		return LD_EINVAL;
	if (next_line(s, len, &off, &line, &ll) != LD_OK)
		goto done;
	if (ll >= 6 && memcmp(line, "extra ", 6) == 0) {
		line += 6;
		ll -= 6;
		if (ll == 0 || ll > PROOF_EXTRA_B64_MAX)
			goto done;
		tp.extra = xmalloc(b64_decoded_max(ll));
		if (b64_decode(tp.extra, &tp.extra_len, line, ll) != LD_OK ||
		    tp.extra_len == 0 || tp.extra_len > PROOF_EXTRA_MAX)
			goto done;
		if (next_line(s, len, &off, &line, &ll) != LD_OK)
			goto done;
	}
	if (ll < 6 || memcmp(line, "index ", 6) != 0 ||
	    u64_parse(line + 6, ll - 6, &tp.index) != LD_OK)
		goto done;
	for (;;) {
		if (next_line(s, len, &off, &line, &ll) != LD_OK)
			goto done;
		if (ll == 0)
			break;
		if (tp.proof.n == MERKLE_MAX_PROOF || ll != ROOT_B64_LEN ||
		    b64_decode(h, &hlen, line, ll) != LD_OK || hlen != 32)
			goto done;
		memcpy(tp.proof.path[tp.proof.n++], h, 32);
	}
	/* The rest is the checkpoint note, verbatim. */
	if ((rc = note_parse(s + off, len - off, &n)) != LD_OK)
		goto done;
	note_free(&n);
	tp.checkpoint_len = len - off;
	tp.checkpoint = xmalloc(tp.checkpoint_len + 1);
	memcpy(tp.checkpoint, s + off, tp.checkpoint_len);
	tp.checkpoint[tp.checkpoint_len] = '\0';
	*p = tp;
	memset(&tp, 0, sizeof(tp));
	rc = LD_OK;
done:
	tlog_proof_free(&tp);
	return rc;
}

void
tlog_proof_free(struct tlog_proof *p)
{
	if (p == NULL)
		return;
	free(p->extra);
	free(p->checkpoint);
	memset(p, 0, sizeof(*p));
}

void
tlog_proof_format(const uint8_t *extra, size_t extra_len, uint64_t index,
    const struct merkle_proof *proof, const char *checkpoint,
    size_t checkpoint_len, struct buf *b)
{
	char	h[ROOT_B64_LEN + 1], *e;
	size_t	i;

	buf_adds(b, PROOF_HEADER);
	if (extra != NULL && extra_len > 0) {
		e = xmalloc(b64_encoded_len(extra_len) + 1);
		b64_encode(e, extra, extra_len);
		buf_printf(b, "extra %s\n", e);
		free(e);
	}
	buf_printf(b, "index %" PRIu64 "\n", index);
	for (i = 0; proof != NULL && i < proof->n && i < MERKLE_MAX_PROOF;
	    i++) {
		b64_encode(h, proof->path[i], 32);
		buf_adds(b, h);
		buf_addc(b, '\n');
	}
	buf_addc(b, '\n');
	buf_add(b, checkpoint, checkpoint_len);
}

int
tlog_proof_verify(const struct tlog_proof *p, const struct sig_key *log,
    struct checkpoint *c)
{
	return tlog_proof_verify_seen(p, log, NULL, c);
}

void
tlog_proof_seen_free(struct tlog_proof_seen *seen)
{
	buf_free(&seen->text);
	memset(seen, 0, sizeof(*seen));
}

/* Whether seen holds exactly this note, opened under this trust. */
static int
seen_has(const struct tlog_proof_seen *seen, const char *text, size_t len,
    const struct trust *t)
{
	return seen != NULL && seen->text.len == len && len > 0 &&
	    memcmp(seen->text.p, text, len) == 0 &&
	    seen->policy == t->policy &&
	    strcmp(seen->key_name, sig_key_name(t->log)) == 0 &&
	    memcmp(seen->key_pub, sig_key_pub(t->log), 32) == 0;
}

int
tlog_proof_verify_seen(const struct tlog_proof *p, const struct sig_key *log,
    struct tlog_proof_seen *seen, struct checkpoint *c)
{
	struct trust	t;
	struct trust_cp	tc;
	int		rc;

	if (trust_init(&t, log, NULL, NULL, NULL) != LD_OK)
		return LD_EINVAL;
	if ((rc = tlog_proof_verify_trust(p, &t, seen, &tc, NULL)) == LD_OK &&
	    c != NULL)
		*c = tc.cp;
	return rc;
}

int
tlog_proof_verify_trust(const struct tlog_proof *p, const struct trust *t,
    struct tlog_proof_seen *seen, struct trust_cp *out, struct ld_error *e)
{
	struct trust_cp	tc;
	uint8_t		leaf[32];
	int		rc;

	if (p->checkpoint == NULL || p->proof.n > MERKLE_MAX_PROOF)
		return LD_EINVAL;
	if (seen_has(seen, p->checkpoint, p->checkpoint_len, t))
		tc = seen->tc;
	else {
		if ((rc = trust_open(t, p->checkpoint, p->checkpoint_len,
		    &tc, e)) != LD_OK)
			return rc;
		if (seen != NULL) {
			buf_reset(&seen->text);
			buf_add(&seen->text, p->checkpoint, p->checkpoint_len);
			snprintf(seen->key_name, sizeof(seen->key_name), "%s",
			    sig_key_name(t->log));
			memcpy(seen->key_pub, sig_key_pub(t->log), 32);
			seen->policy = t->policy;
			seen->tc = tc;
		}
	}
	/* The leaf is the extra data: without it nothing is proved. */
	if (p->extra == NULL || p->extra_len == 0)
		return LD_EINVAL;
	merkle_leaf_hash(leaf, p->extra, p->extra_len);
	if (merkle_verify_inclusion(p->index, tc.cp.size, leaf, &p->proof,
	    tc.cp.root) != MERKLE_OK)
		return LD_EBADPROOF;
	if (out != NULL)
		*out = tc;
	return LD_OK;
}
