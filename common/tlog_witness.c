/* tlog_witness.c - C2SP tlog-witness add-checkpoint bodies. */
#include <inttypes.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "note.h"
#include "tlog_witness.h"
#include "u64.h"

#define HASH_B64_LEN	44	/* base64 of 32 bytes, with its padding */

int
tlog_witness_req_parse(const char *body, size_t len,
    struct tlog_witness_req *r)
{
	const char	*p = body, *end = body + len, *nl;
	uint8_t		 h[33];
	size_t		 hlen;
	int		 rc;

	memset(r, 0, sizeof(*r));
	if (len > TLOG_WITNESS_MAX_BODY)
		return LD_ETOOBIG;
	/* "old N\n" */
	if ((nl = memchr(p, '\n', len)) == NULL || nl - p < 5 ||
	    memcmp(p, "old ", 4) != 0 ||
	    u64_parse(p + 4, (size_t)(nl - p) - 4, &r->old) != LD_OK)
		goto bad;
	p = nl + 1;
	/* Proof lines up to the empty line. */
	for (;;) {
		if (p == end || (nl = memchr(p, '\n', (size_t)(end - p))) ==
		    NULL)
			goto bad;
		if (nl == p)
			break;
		if (r->nproof == TLOG_WITNESS_MAX_PROOF) {
			memset(r, 0, sizeof(*r));
			return LD_ETOOBIG;
		}
		if (nl - p != HASH_B64_LEN ||
		    b64_decode(h, &hlen, p, HASH_B64_LEN) != LD_OK ||
		    hlen != 32)
			goto bad;
		memcpy(r->proof[r->nproof++], h, 32);
		p = nl + 1;
	}
	p++;
	if ((rc = note_parse(p, (size_t)(end - p), &r->note)) != LD_OK) {
		memset(r, 0, sizeof(*r));
		return rc;
	}
	if (checkpoint_parse(r->note.text, r->note.text_len, &r->cp) !=
	    LD_OK) {
		tlog_witness_req_free(r);
		return LD_EINVAL;
	}
	return LD_OK;
bad:
	memset(r, 0, sizeof(*r));
	return LD_EINVAL;
}

void
tlog_witness_req_free(struct tlog_witness_req *r)
{
	if (r == NULL)
		return;
	note_free(&r->note);
	memset(r, 0, sizeof(*r));
}

int
tlog_witness_req_format(uint64_t old, const uint8_t (*proof)[32],
    size_t nproof, const char *cp, size_t cplen, struct buf *b)
{
	struct note	n;
	char		line[HASH_B64_LEN + 1];
	size_t		i, start = b->len;
	int		rc;

	if (nproof > TLOG_WITNESS_MAX_PROOF || (old == 0 && nproof > 0))
		return LD_EINVAL;
	if ((rc = note_parse(cp, cplen, &n)) != LD_OK)
		return rc == LD_ETOOBIG ? LD_ETOOBIG : LD_EINVAL;
	note_free(&n);
	buf_printf(b, "old %" PRIu64 "\n", old);
	for (i = 0; i < nproof; i++) {
		b64_encode(line, proof[i], 32);
		buf_add(b, line, HASH_B64_LEN);
		buf_addc(b, '\n');
	}
	buf_addc(b, '\n');
	buf_add(b, cp, cplen);
	if (b->len - start > TLOG_WITNESS_MAX_BODY) {
		b->len = start;
		return LD_ETOOBIG;
	}
	return LD_OK;
}

int
tlog_witness_resp_parse(const char *text, size_t text_len,
    const char *body, size_t len, struct note *out)
{
	struct buf	b = { 0 };
	size_t		i, lines = 0;
	int		rc;

	memset(out, 0, sizeof(*out));
	if (len > TLOG_WITNESS_MAX_RESP)
		return LD_ETOOBIG;
	if (!note_text_valid(text, text_len) || len == 0 ||
	    body[len - 1] != '\n')
		return LD_EINVAL;
	for (i = 0; i < len; i++)
		lines += body[i] == '\n';
	if (lines > TLOG_WITNESS_MAX_COSIGS)
		return LD_ETOOBIG;
	buf_add(&b, text, text_len);
	buf_addc(&b, '\n');
	buf_add(&b, body, len);
	rc = note_parse((const char *)b.p, b.len, out);
	/* The note's text must be exactly text: a body starting with a
	 * blank line or with text lines would move the split. */
	if (rc == LD_OK && (out->text_len != text_len ||
	    out->nsigs != lines)) {
		note_free(out);
		rc = LD_EINVAL;
	}
	buf_free(&b);
	return rc == LD_OK ? LD_OK : rc == LD_ETOOBIG ? LD_ETOOBIG : LD_EINVAL;
}

int
tlog_witness_size_parse(const char *body, size_t len, uint64_t *size)
{
	if (len < 2 || body[len - 1] != '\n')
		return LD_EINVAL;
	return u64_parse(body, len - 1, size) == LD_OK ? LD_OK : LD_EINVAL;
}

void
tlog_witness_size_format(uint64_t size, struct buf *b)
{
	buf_printf(b, "%" PRIu64 "\n", size);
}
