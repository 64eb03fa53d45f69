/* note.c - C2SP signed notes, checkpoints and tlog-proof receipts. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "merkle.h"
#include "note.h"
#include "sig.h"
#include "util.h"

#define EM_DASH_SP		"\xe2\x80\x94 "	/* U+2014 U+0020 */
#define EM_DASH_SP_LEN		4
#define COSIG_LEN		(8 + SIG_LEN)	/* timestamp || Ed25519 */
#define COSIG_TIME_MAX		((uint64_t)INT64_MAX)
/* Decoded bytes of the longest signature line base64 we accept. */
#define SIG_B64_MAX		((4 + NOTE_SIG_MAX + 2) / 3 * 4)
#define SIG_RAW_MAX		(SIG_B64_MAX / 4 * 3 + 3)
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

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

/*
 * Whether s is strict UTF-8 (no overlong forms, no surrogates, nothing
 * above U+10FFFF) without ASCII control characters other than '\n'.
 */
static int
valid_text(const char *s, size_t len)
{
	const uint8_t	*p = (const uint8_t *)s;
	size_t		 i = 0, n, k;
	uint8_t		 lo, hi;

	while (i < len) {
		uint8_t c = p[i];

		if (c < 0x80) {
			if (c < 0x20 && c != '\n')
				return 0;
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else
			return 0;
		if (len - i - 1 < n)
			return 0;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return 0;
		for (k = 2; k <= n; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
		i += n + 1;
	}
	return 1;
}

/* Valid note text: non-empty, valid, ending in '\n'. */
static int
valid_note_text(const char *text, size_t len)
{
	return len > 0 && text[len - 1] == '\n' && valid_text(text, len);
}

/*
 * Whether name (valid UTF-8) contains a Unicode space beyond ASCII:
 * U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F,
 * U+205F, U+3000. sig_valid_name already refuses the ASCII ones.
 */
static int
has_unicode_space(const char *name, size_t len)
{
	const uint8_t	*p = (const uint8_t *)name;
	size_t		 i;

	for (i = 0; i < len; i++) {
		if (p[i] == 0xc2 && i + 1 < len &&
		    (p[i + 1] == 0x85 || p[i + 1] == 0xa0))
			return 1;
		if (i + 2 >= len)
			continue;
		if (p[i] == 0xe1 && p[i + 1] == 0x9a && p[i + 2] == 0x80)
			return 1;
		if (p[i] == 0xe2 && p[i + 1] == 0x80 &&
		    (p[i + 2] <= 0x8a || p[i + 2] == 0xa8 ||
		    p[i + 2] == 0xa9 || p[i + 2] == 0xaf))
			return 1;
		if (p[i] == 0xe2 && p[i + 1] == 0x81 && p[i + 2] == 0x9f)
			return 1;
		if (p[i] == 0xe3 && p[i + 1] == 0x80 && p[i + 2] == 0x80)
			return 1;
	}
	return 0;
}

static int
valid_key_name(const char *name, size_t len)
{
	return sig_valid_name(name, len) && !has_unicode_space(name, len);
}

/* Parse one signature line of len bytes, without its '\n'. */
static int
parse_sig_line(const char *s, size_t len, struct note_sig *sig)
{
	uint8_t		 raw[SIG_RAW_MAX];
	const char	*sp, *b64;
	size_t		 namelen, b64len, rawlen;

	if (len < EM_DASH_SP_LEN || memcmp(s, EM_DASH_SP, EM_DASH_SP_LEN) != 0)
		return LD_EINVAL;
	s += EM_DASH_SP_LEN;
	len -= EM_DASH_SP_LEN;
	if ((sp = memchr(s, ' ', len)) == NULL)
		return LD_EINVAL;
	namelen = (size_t)(sp - s);
	if (!valid_key_name(s, namelen))
		return LD_EINVAL;
	b64 = sp + 1;
	b64len = len - namelen - 1;
	if (b64len > SIG_B64_MAX)
		return LD_ETOOBIG;
	if (b64_decode(raw, &rawlen, b64, b64len) != LD_OK || rawlen < 5)
		return LD_EINVAL;
	if (rawlen - 4 > NOTE_SIG_MAX)
		return LD_ETOOBIG;
	memcpy(sig->name, s, namelen);
	sig->name[namelen] = '\0';
	sig->id = get_be32(raw);
	sig->len = rawlen - 4;
	sig->sig = xmemdup(raw + 4, sig->len);
	return LD_OK;
}

int
note_parse(const char *s, size_t len, struct note *out)
{
	struct note	 n = { 0 };
	const char	*p, *end, *nl;
	size_t		 i, split = 0, count;
	int		 rc = LD_EINVAL, found = 0;

	memset(out, 0, sizeof(*out));
	if (len > NOTE_MAX)
		return LD_ETOOBIG;
	if (!valid_text(s, len))
		return LD_EINVAL;
	/* The text ends at the last blank line. */
	for (i = len; i >= 2; i--) {
		if (s[i - 1] == '\n' && s[i - 2] == '\n') {
			split = i - 2;
			found = 1;
			break;
		}
	}
	if (!found)
		return LD_EINVAL;
	p = s + split + 2;
	end = s + len;
	if (p == end || end[-1] != '\n')
		return LD_EINVAL;
	for (count = 0, nl = p; nl < end; nl++)
		if (*nl == '\n')
			count++;
	if (count > NOTE_MAX_SIGS)
		return LD_ETOOBIG;

	n.sigs = xcalloc(count, sizeof(*n.sigs));
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if ((rc = parse_sig_line(p, (size_t)(nl - p),
		    &n.sigs[n.nsigs])) != LD_OK)
			goto done;
		n.nsigs++;
		p = nl + 1;
	}
	n.text_len = split + 1;
	n.text = xmalloc(n.text_len + 1);
	memcpy(n.text, s, n.text_len);
	n.text[n.text_len] = '\0';
	*out = n;
	memset(&n, 0, sizeof(n));
	rc = LD_OK;
done:
	note_free(&n);
	return rc;
}

void
note_free(struct note *n)
{
	size_t	i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nsigs; i++)
		free(n->sigs[i].sig);
	free(n->sigs);
	free(n->text);
	memset(n, 0, sizeof(*n));
}

/* Append "— name base64(raw)\n" to b. */
static void
add_sig_line(struct buf *b, const char *name, const uint8_t *raw,
    size_t rawlen)
{
	char	b64[128];

	b64_encode(b64, raw, rawlen);
	buf_adds(b, EM_DASH_SP);
	buf_adds(b, name);
	buf_addc(b, ' ');
	buf_adds(b, b64);
	buf_addc(b, '\n');
}

/* The signature line length for name and rawlen signature bytes. */
static size_t
sig_line_len(const char *name, size_t rawlen)
{
	return EM_DASH_SP_LEN + strlen(name) + 1 + b64_encoded_len(rawlen) + 1;
}

int
note_sign(const char *text, size_t len, const struct sig_key *k,
    struct buf *b)
{
	uint8_t	raw[4 + SIG_LEN];
	int	rc;

	if (sig_key_type(k) != SIG_TYPE_ED25519 || !sig_key_has_private(k) ||
	    !valid_note_text(text, len))
		return LD_EINVAL;
	if (len > NOTE_MAX ||
	    len + 1 + sig_line_len(sig_key_name(k), sizeof(raw)) > NOTE_MAX)
		return LD_ETOOBIG;
	put_be32(raw, sig_key_id(k));
	if ((rc = sig_sign(k, text, len, raw + 4)) != LD_OK)
		return rc;
	buf_add(b, text, len);
	buf_addc(b, '\n');
	add_sig_line(b, sig_key_name(k), raw, sizeof(raw));
	return LD_OK;
}

/* "cosignature/v1\ntime <t>\n" || text */
static void
cosig_message(struct buf *m, uint64_t t, const char *text, size_t len)
{
	buf_printf(m, "cosignature/v1\ntime %" PRIu64 "\n", t);
	buf_add(m, text, len);
}

int
note_cosign(const char *text, size_t len, const struct sig_key *k,
    uint64_t t, struct buf *line)
{
	struct buf	m = { 0 };
	uint8_t		raw[4 + COSIG_LEN];
	int		rc;

	if (sig_key_type(k) != SIG_TYPE_COSIGN || !sig_key_has_private(k) ||
	    t > COSIG_TIME_MAX || !valid_note_text(text, len))
		return LD_EINVAL;
	if (len > NOTE_MAX)
		return LD_ETOOBIG;
	cosig_message(&m, t, text, len);
	put_be32(raw, sig_key_id(k));
	put_be64(raw + 4, t);
	if ((rc = sig_sign(k, m.p, m.len, raw + 12)) != LD_OK)
		goto done;
	add_sig_line(line, sig_key_name(k), raw, sizeof(raw));
	rc = LD_OK;
done:
	buf_free(&m);
	return rc;
}

/* Verify one signature line s of n with the matching key k. */
static int
verify_one(const struct note *n, const struct note_sig *s,
    const struct sig_key *k)
{
	struct buf	m = { 0 };
	uint64_t	t;
	int		rc = LD_EBADSIG;

	switch (sig_key_type(k)) {
	case SIG_TYPE_ED25519:
		if (s->len == SIG_LEN)
			rc = sig_verify(k, n->text, n->text_len, s->sig);
		break;
	case SIG_TYPE_COSIGN:
		if (s->len != COSIG_LEN)
			break;
		if ((t = get_be64(s->sig)) > COSIG_TIME_MAX)
			break;
		cosig_message(&m, t, n->text, n->text_len);
		rc = sig_verify(k, m.p, m.len, s->sig + 8);
		buf_free(&m);
		break;
	default:
		break;
	}
	return rc == LD_OK ? LD_OK : LD_EBADSIG;
}

static int
key_matches(const struct sig_key *k, const char *name, uint32_t id)
{
	return sig_key_id(k) == id && strcmp(sig_key_name(k), name) == 0;
}

int
note_verify(const struct note *n, const struct sig_key *const *keys,
    size_t nkeys, size_t *nverified)
{
	size_t	i, j, prev, count = 0;
	int	dup, ok;

	if (n == NULL || n->text == NULL)
		return LD_EINVAL;
	for (j = 0; j < nkeys; j++) {
		if (keys[j] == NULL)
			continue;
		/* A key listed twice (same name and ID) counts once. */
		for (dup = 0, prev = 0; prev < j && !dup; prev++)
			dup = keys[prev] != NULL &&
			    key_matches(keys[prev], sig_key_name(keys[j]),
			    sig_key_id(keys[j]));
		if (dup)
			continue;
		ok = 0;
		for (i = 0; i < n->nsigs; i++) {
			if (!key_matches(keys[j], n->sigs[i].name,
			    n->sigs[i].id))
				continue;
			if (verify_one(n, &n->sigs[i], keys[j]) != LD_OK)
				return LD_EBADSIG;
			ok = 1;
		}
		count += ok;
	}
	if (count == 0)
		return LD_EBADSIG;
	if (nverified != NULL)
		*nverified = count;
	return LD_OK;
}

int
checkpoint_parse(const char *text, size_t len, struct checkpoint *c)
{
	struct checkpoint	 cp;
	const char		*line[3] = { NULL, NULL, NULL }, *nl;
	size_t			 ll[3] = { 0, 0, 0 }, off = 0, nlines = 0, l;
	size_t			 rootlen;
	uint8_t			 root[ROOT_B64_LEN];

	memset(&cp, 0, sizeof(cp));
	if (!valid_note_text(text, len))
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
	if (parse_u64(line[1], ll[1], &cp.size) != LD_OK)
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
	    parse_u64(line + 6, ll - 6, &tp.index) != LD_OK)
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
note_seen_free(struct note_seen *seen)
{
	buf_free(&seen->text);
	memset(seen, 0, sizeof(*seen));
}

/* Whether seen holds exactly this note, verified with this key. */
static int
seen_has(const struct note_seen *seen, const char *text, size_t len,
    const struct sig_key *log)
{
	return seen != NULL && seen->text.len == len && len > 0 &&
	    memcmp(seen->text.p, text, len) == 0 &&
	    strcmp(seen->key_name, sig_key_name(log)) == 0 &&
	    memcmp(seen->key_pub, sig_key_pub(log), 32) == 0;
}

int
tlog_proof_verify_seen(const struct tlog_proof *p, const struct sig_key *log,
    struct note_seen *seen, struct checkpoint *c)
{
	struct checkpoint	cp;
	uint8_t			leaf[32];
	int			rc;

	if (p->checkpoint == NULL || p->proof.n > MERKLE_MAX_PROOF)
		return LD_EINVAL;
	if (seen_has(seen, p->checkpoint, p->checkpoint_len, log))
		cp = seen->cp;
	else {
		if ((rc = checkpoint_open(p->checkpoint, p->checkpoint_len,
		    log, &cp)) != LD_OK)
			return rc;
		if (seen != NULL) {
			buf_reset(&seen->text);
			buf_add(&seen->text, p->checkpoint, p->checkpoint_len);
			snprintf(seen->key_name, sizeof(seen->key_name), "%s",
			    sig_key_name(log));
			memcpy(seen->key_pub, sig_key_pub(log), 32);
			seen->cp = cp;
		}
	}
	/* The leaf is the extra data: without it nothing is proved. */
	if (p->extra == NULL || p->extra_len == 0)
		return LD_EINVAL;
	merkle_leaf_hash(leaf, p->extra, p->extra_len);
	if (merkle_verify_inclusion(p->index, cp.size, leaf, &p->proof,
	    cp.root) != MERKLE_OK)
		return LD_EBADPROOF;
	if (c != NULL)
		*c = cp;
	return LD_OK;
}
