/* entry.c - kinds, field checks and small helpers of the domain. */
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "err.h"

static const char *const kind_names[] = {
	NULL, "issuer", "method", "batch", "credit", "retire", "reverse",
};

const char *
entry_kind_name(int kind)
{
	return kind >= 1 && kind <= KIND_MAX ? kind_names[kind] : NULL;
}

int
entry_kind_from_name(const char *s, size_t len)
{
	int	k;

	for (k = 1; k <= KIND_MAX; k++)
		if (strlen(kind_names[k]) == len &&
		    memcmp(kind_names[k], s, len) == 0)
			return k;
	return 0;
}

void
entry_leaf_free(struct entry_leaf *l)
{
	if (l != NULL && l->kind == KIND_BATCH) {
		free(l->u.batch.runs);
		l->u.batch.runs = NULL;
		l->u.batch.nruns = 0;
	}
}

int
entry_account_balance(const struct entry_account_ctr *a, int64_t *bal)
{
	__int128	b = (__int128)a->credited - a->retired - a->reversed;

	if (b > INT64_MAX || b < INT64_MIN)
		return LD_EOVERFLOW;
	*bal = (int64_t)b;
	return LD_OK;
}

static int
id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int
entry_valid_id(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > ID_MAX)
		return LD_EINVAL;
	for (i = 0; i < len; i++)
		if (!id_char(s[i]))
			return LD_EINVAL;
	return LD_OK;
}

int
entry_valid_account(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > ACCOUNT_MAX)
		return LD_EINVAL;
	for (i = 0; i < len; i++)
		if (!id_char(s[i]) && s[i] != ':' && s[i] != '~')
			return LD_EINVAL;
	return LD_OK;
}

int
entry_valid_text(const char *s, size_t len, size_t max)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, k;
	uint32_t		 cp;

	if (len == 0 || len > max)
		return LD_EINVAL;
	while (i < len) {
		if (p[i] < 0x80) {
			if (p[i] < 0x20 || p[i] == 0x7f)
				return LD_EINVAL;
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = p[i] & 0x1f;
		} else if ((p[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = p[i] & 0x0f;
		} else if ((p[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = p[i] & 0x07;
		} else
			return LD_EINVAL;
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				return LD_EINVAL;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		/* No overlong forms, surrogates or values past U+10FFFF. */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff) ||
		    (cp >= 0x80 && cp < 0xa0))
			return LD_EINVAL;
		i += n + 1;
	}
	return LD_OK;
}

int
entry_str_set(char *dst, uint16_t *dlen, size_t max, const char *s, size_t n)
{
	if (n > max)
		return LD_ETOOBIG;
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
	*dlen = (uint16_t)n;
	return LD_OK;
}

int
entry_sub_check(const struct entry_sub *s, const char **why)
{
	switch (s->kind) {
	case KIND_CREDIT:
		if (entry_valid_account(s->account.s,
		    s->account.len) != LD_OK) {
			*why = "account must be 1..64 of [A-Za-z0-9._:~-]";
			return LD_EINVAL;
		}
		if (entry_valid_id(s->method.s, s->method.len) != LD_OK) {
			*why = "method must be 1..64 of [A-Za-z0-9._-]";
			return LD_EINVAL;
		}
		if (s->units == 0 || s->grams == 0) {
			*why = "units and grams must be positive";
			return LD_EINVAL;
		}
		break;
	case KIND_RETIRE:
		if (entry_valid_account(s->account.s,
		    s->account.len) != LD_OK) {
			*why = "account must be 1..64 of [A-Za-z0-9._:~-]";
			return LD_EINVAL;
		}
		if (s->grams == 0) {
			*why = "grams must be positive";
			return LD_EINVAL;
		}
		if (entry_valid_text(s->text.s, s->text.len,
		    TEXT_MAX) != LD_OK) {
			*why = "beneficiary must be 1..256 bytes of UTF-8 text";
			return LD_EINVAL;
		}
		break;
	case KIND_REVERSE:
		if (entry_valid_text(s->text.s, s->text.len,
		    TEXT_MAX) != LD_OK) {
			*why = "reason must be 1..256 bytes of UTF-8 text";
			return LD_EINVAL;
		}
		break;
	default:
		*why = "unknown entry kind";
		return LD_EINVAL;
	}
	return LD_OK;
}
