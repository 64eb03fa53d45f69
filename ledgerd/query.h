/* query.h - strict query-string parsing for the read path. */
/*
 * "k=v&k=v": only the allowed keys, each at most once, no empty keys, at
 * most QUERY_MAX pairs. Values are not percent-decoded: every value the
 * API takes is a decimal number or lowercase hex, so '%' never belongs.
 * Views point into the query string.
 */
#ifndef QUERY_H
#define QUERY_H

#include <stddef.h>
#include <stdint.h>

#define QUERY_MAX	4

struct query {
	size_t		 n;
	const char	*key[QUERY_MAX];
	size_t		 klen[QUERY_MAX];
	const char	*val[QUERY_MAX];
	size_t		 vlen[QUERY_MAX];
};

/* Parse q (NULL or "" is empty); why gets a reason on LD_EINVAL. */
int		 query_parse(const char *q, const char *const *allowed,
		    struct query *p, const char **why);
/* The value of key and its length, or NULL. */
const char	*query_param(const struct query *p, const char *key,
		    size_t *len);
/* A decimal u64: 1 if present and canonical, 0 if absent, -1 if bad. */
int		 query_u64(const struct query *p, const char *key, uint64_t *v);

#endif /* QUERY_H */
