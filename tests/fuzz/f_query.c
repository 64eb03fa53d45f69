/* f_query.c - fuzz query_parse, the read path's query-string parser. */
/*
 * The input is the query string (up to its first NUL). Invariants on
 * LD_OK: at most QUERY_MAX pairs; every key is in the allowed list,
 * non-empty and unique; keys and values lie inside the string; joining
 * "key=value" with "&" gives back exactly the string; query_param finds
 * each value. An empty string gives no pairs. On LD_EINVAL a reason.
 */
#include "err.h"
#include "fuzz.h"
#include "query.h"

static const char *const allowed[] = { "index", "size", "hash", "n",
    "old", NULL };

static int
in_list(const char *k, size_t len)
{
	size_t	i;

	for (i = 0; allowed[i] != NULL; i++)
		if (strlen(allowed[i]) == len && memcmp(allowed[i], k, len) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct query	 q;
	char		*s = fuzz_strdup(data, size), *join;
	const char	*why = NULL, *v, *end;
	size_t		 i, j, len, vlen, off = 0;
	uint64_t	 u;
	int		 rc;

	len = strlen(s);
	end = s + len;
	rc = query_parse(s, allowed, &q, &why);
	if (rc != LD_OK) {
		CHECK(rc == LD_EINVAL && why != NULL);
		free(s);
		return 0;
	}
	CHECK(q.n <= QUERY_MAX);
	CHECK((q.n == 0) == (len == 0));
	join = malloc(len + 1);
	CHECK(join != NULL);
	for (i = 0; i < q.n; i++) {
		CHECK(q.klen[i] >= 1 && in_list(q.key[i], q.klen[i]));
		CHECK(q.key[i] >= s && q.key[i] + q.klen[i] <= end);
		CHECK(q.val[i] >= s && q.val[i] + q.vlen[i] <= end);
		CHECK(memchr(q.key[i], '=', q.klen[i]) == NULL);
		CHECK(memchr(q.val[i], '&', q.vlen[i]) == NULL);
		for (j = 0; j < i; j++)
			CHECK(q.klen[j] != q.klen[i] ||
			    memcmp(q.key[j], q.key[i], q.klen[i]) != 0);
		CHECK(off + q.klen[i] + 1 + q.vlen[i] + (i > 0) <= len);
		if (i > 0)
			join[off++] = '&';
		memcpy(join + off, q.key[i], q.klen[i]);
		off += q.klen[i];
		join[off++] = '=';
		memcpy(join + off, q.val[i], q.vlen[i]);
		off += q.vlen[i];
	}
	CHECK(same_bytes(join, off, s, len));
	for (i = 0; i < q.n; i++) {
		char key[8];

		CHECK(q.klen[i] < sizeof(key));
		memcpy(key, q.key[i], q.klen[i]);
		key[q.klen[i]] = '\0';
		v = query_param(&q, key, &vlen);
		CHECK(v == q.val[i] && vlen == q.vlen[i]);
		(void)query_u64(&q, key, &u);
	}
	free(join);
	free(s);
	return 0;
}
