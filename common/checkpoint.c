/* checkpoint.c - the body of a C2SP checkpoint: parse, format, open. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "note.h"
#include "sig.h"
#include "u64.h"

#define ROOT_B64_LEN		44		/* base64 of 32 bytes */

int
checkpoint_parse(const char *text, size_t len, struct checkpoint *c)
{
	struct checkpoint	 cp;
	const char		*line[3] = { NULL, NULL, NULL }, *nl;
	size_t			 ll[3] = { 0, 0, 0 }, off = 0, nlines = 0, l;
	size_t			 rootlen;
	uint8_t			 root[ROOT_B64_LEN];

	memset(&cp, 0, sizeof(cp));
	if (!note_text_valid(text, len))
		return LD_EINVAL;
	while (off < len) {
		nl = memchr(text + off, '\n', len - off);
		l = (size_t)(nl - (text + off));
		if (l == 0)
			return LD_EINVAL;
		if (nlines < 3) {
			line[nlines] = text + off;
			ll[nlines] = l;
		} else
			cp.nextensions++;
		nlines++;
		off += l + 1;
	}
	if (nlines < 3 || ll[0] > CHECKPOINT_ORIGIN_MAX)
		return LD_EINVAL;
	memcpy(cp.origin, line[0], ll[0]);
	cp.origin[ll[0]] = '\0';
	if (u64_parse(line[1], ll[1], &cp.size) != LD_OK)
		return LD_EINVAL;
	if (ll[2] != ROOT_B64_LEN ||
	    b64_decode(root, &rootlen, line[2], ll[2]) != LD_OK ||
	    rootlen != 32)
		return LD_EINVAL;
	memcpy(cp.root, root, 32);
	*c = cp;
	return LD_OK;
}

void
checkpoint_format(const struct checkpoint *c, struct buf *b)
{
	char	root[ROOT_B64_LEN + 1];

	b64_encode(root, c->root, 32);
	buf_printf(b, "%s\n%" PRIu64 "\n%s\n", c->origin, c->size, root);
}

int
checkpoint_open(const char *s, size_t len, const struct sig_key *log,
    struct checkpoint *c)
{
	struct note		n;
	struct checkpoint	cp;
	const struct sig_key *const	keys[1] = { log };
	int			rc;

	if (note_parse(s, len, &n) != LD_OK)
		return LD_EINVAL;
	if (note_verify(&n, keys, 1, NULL) != LD_OK) {
		rc = LD_EBADSIG;
		goto done;
	}
	if (checkpoint_parse(n.text, n.text_len, &cp) != LD_OK) {
		rc = LD_EINVAL;
		goto done;
	}
	/* The log's key signed a checkpoint, but of another log. */
	if (strcmp(cp.origin, sig_key_name(log)) != 0) {
		rc = LD_EBADSIG;
		goto done;
	}
	if (cp.nextensions > 0) {
		rc = LD_ERULE;
		goto done;
	}
	*c = cp;
	rc = LD_OK;
done:
	note_free(&n);
	return rc;
}
