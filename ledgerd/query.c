/* query.c - strict query-string parsing for the read path. */
#include <string.h>

#include "err.h"
#include "query.h"
#include "u64.h"


/* Split a query into k=v pairs; only keys in allowed; each at most once. */
int
query_parse(const char *q, const char *const *allowed, struct query *p,
    const char **why)
{
	const char	*s, *amp, *eq;
	size_t		 i, j, len;

	memset(p, 0, sizeof(*p));
	if (q == NULL || *q == '\0')
		return LD_OK;
	for (s = q;; s = amp + 1) {
		amp = strchr(s, '&');
		len = amp ? (size_t)(amp - s) : strlen(s);
		eq = memchr(s, '=', len);
		if (eq == NULL || eq == s || p->n == QUERY_MAX) {
			*why = "query must be key=value pairs joined by &";
			return LD_EINVAL;
		}
		p->key[p->n] = s;
		p->klen[p->n] = (size_t)(eq - s);
		p->val[p->n] = eq + 1;
		p->vlen[p->n] = len - p->klen[p->n] - 1;
		for (i = 0; allowed[i] != NULL; i++)
			if (strlen(allowed[i]) == p->klen[p->n] &&
			    memcmp(allowed[i], s, p->klen[p->n]) == 0)
				break;
		if (allowed[i] == NULL) {
			*why = "unknown query parameter";
			return LD_EINVAL;
		}
		for (j = 0; j < p->n; j++)
			if (p->klen[j] == p->klen[p->n] &&
			    memcmp(p->key[j], s, p->klen[j]) == 0) {
				*why = "a query parameter is repeated";
				return LD_EINVAL;
			}
		p->n++;
		if (amp == NULL)
			break;
	}
	return LD_OK;
}

/* The value of key, or NULL. */
const char *
query_param(const struct query *p, const char *key, size_t *len)
{
	size_t	i;

	for (i = 0; i < p->n; i++)
		if (strlen(key) == p->klen[i] &&
		    memcmp(key, p->key[i], p->klen[i]) == 0) {
			*len = p->vlen[i];
			return p->val[i];
		}
	return NULL;
}

/* A u64 parameter: 1 if present and valid, 0 if absent, -1 if bad. */
int
query_u64(const struct query *p, const char *key, uint64_t *v)
{
	const char	*s;
	size_t		 len;

	if ((s = query_param(p, key, &len)) == NULL)
		return 0;
	return u64_parse(s, len, v) == LD_OK ? 1 : -1;
}

