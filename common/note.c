/* note.c - C2SP signed notes: parse, sign, cosign, verify. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "err.h"
#include "merkle.h"
#include "note.h"
#include "sig.h"
#include "xmalloc.h"

#define EM_DASH_SP		"\xe2\x80\x94 "	/* U+2014 U+0020 */
#define EM_DASH_SP_LEN		4
#define COSIG_LEN		(8 + SIG_LEN)	/* timestamp || Ed25519 */
#define COSIG_TIME_MAX		((uint64_t)INT64_MAX)
/* Decoded bytes of the longest signature line base64 we accept. */
#define SIG_B64_MAX		((4 + NOTE_SIG_MAX + 2) / 3 * 4)
#define SIG_RAW_MAX		(SIG_B64_MAX / 4 * 3 + 3)

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

int
note_text_valid(const char *text, size_t len)
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
	    !note_text_valid(text, len))
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
	    t > COSIG_TIME_MAX || !note_text_valid(text, len))
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

const struct note_sig *
note_sig_of(const struct note *n, const struct sig_key *k)
{
	size_t	i;

	for (i = 0; i < n->nsigs; i++)
		if (n->sigs[i].id == sig_key_id(k) &&
		    strcmp(n->sigs[i].name, sig_key_name(k)) == 0)
			return &n->sigs[i];
	return NULL;
}

uint64_t
note_cosig_time(const struct note_sig *s)
{
	uint64_t	t = 0;
	size_t		i;

	if (s->len != COSIG_LEN)
		return 0;
	for (i = 0; i < 8; i++)
		t = t << 8 | s->sig[i];
	return t;
}
