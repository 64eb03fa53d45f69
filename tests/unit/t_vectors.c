/* t_vectors.c - the transparency-dev/merkle JSON proof vectors. */
/*
 * Every *.json file under the inclusion/ and consistency/ trees of the
 * test-data directory is one case (subtreeinclusion/ and
 * subtreeconsistency/ are an extension libmerkle does not offer):
 *
 *	inclusion	{leafIdx, treeSize, root, leafHash, proof, wantErr}
 *	consistency	{size1, size2, root1, root2, proof, wantErr}
 *
 * Hashes are base64; "proof" may be null (empty). Our wire formats carry
 * 32-byte hashes only, so a hash of any other length is refused before
 * the verifier runs: that counts as an error verdict. A case passes iff
 * (verdict is an error) == wantErr. The directory is argv[1], else
 * $MERKLE_TESTDATA, else DEFAULT_DIR relative to the current directory
 * (the repository root). Output is that of t.h's t_main.
 */
#define _POSIX_C_SOURCE 200809L

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "merkle.h"

#define DEFAULT_DIR \
	"../shared/specs/testdata/transparency-dev-merkle/testdata"
#define MIN_FILES	100

struct files {
	char	**v;
	size_t	  n, cap;
};

/*
 * Files whose wantErr we knowingly do not meet, and why. The case passes
 * only if the divergence shows exactly as described: the 32-byte rule
 * refuses a file the Go verifier (which compares byte strings of any
 * length) accepts.
 */
static const struct {
	const char	*path;
	const char	*why;
} divergent[] = {
	{ "consistency/additional/sizes-are-equal-one-and-proof-is-empty.json",
	    "12-byte roots cannot be carried by our 32-byte wire format" },
};

/* What one file says and what we make of it. */
struct verdict {
	int		 error;		/* the input is refused */
	int		 by_length;	/* ... because a hash is not 32 bytes */
	int		 rc;		/* merkle_verify_*, when it ran */
	const char	*malformed;	/* the file itself is unusable */
};

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL) {
		perror("realloc");
		exit(2);
	}
	return p;
}

static char *
join(const char *a, const char *b)
{
	size_t	 na = strlen(a), nb = strlen(b);
	char	*p = xrealloc(NULL, na + nb + 2);

	memcpy(p, a, na);
	p[na] = '/';
	memcpy(p + na + 1, b, nb + 1);
	return p;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t	ns = strlen(s), nx = strlen(suffix);

	return ns >= nx && strcmp(s + ns - nx, suffix) == 0;
}

/* Collect the *.json files under base/rel, as paths relative to base. */
static int
walk(const char *base, const char *rel, struct files *f)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		*dir, *path, *full;
	int		 rc = 0;

	dir = join(base, rel);
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "t_vectors: %s: %s\n", dir, strerror(errno));
		free(dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		path = join(rel, de->d_name);
		full = join(base, path);
		if (stat(full, &st) != 0) {
			fprintf(stderr, "t_vectors: %s: %s\n", full,
			    strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			if (walk(base, path, f) != 0)
				rc = -1;
		} else if (S_ISREG(st.st_mode) && ends_with(path, ".json")) {
			if (f->n == f->cap) {
				f->cap = f->cap ? 2 * f->cap : 256;
				f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
			}
			f->v[f->n++] = path;
			path = NULL;
		}
		free(path);
		free(full);
	}
	closedir(d);
	free(dir);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The whole file, NUL-terminated. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	*fp;
	char	*buf = NULL;
	size_t	 n = 0, cap = 0, r;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? 2 * cap : 8192;
			buf = xrealloc(buf, cap);
		}
		r = fread(buf + n, 1, cap - n - 1, fp);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(fp)) {
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode standard padded base64 (Go's encoding/json for []byte). 0: out
 * has the 32 bytes; 1: well-formed but not 32 bytes; -1: not base64.
 */
static int
b64_hash(const char *s, uint8_t out[32])
{
	size_t		len = strlen(s), i, k, n = 0, pad = 0;
	uint32_t	acc;
	int		v;

	if (len % 4 != 0)
		return -1;
	if (len > 0 && s[len - 1] == '=')
		pad = len > 1 && s[len - 2] == '=' ? 2 : 1;
	for (i = 0; i < len; i++) {
		if (i >= len - pad)
			continue;
		if (b64_value(s[i]) < 0)
			return -1;
	}
	if (len / 4 * 3 - pad != 32)
		return 1;
	for (i = 0; i < len; i += 4) {
		acc = 0;
		for (k = 0; k < 4; k++) {
			v = i + k >= len - pad ? 0 : b64_value(s[i + k]);
			acc = acc << 6 | (uint32_t)v;
		}
		for (k = 0; k < 3 && n < 32; k++)
			out[n++] = (uint8_t)(acc >> (16 - 8 * k));
	}
	return 0;
}

/*
 * The exact value of the unsigned integer member key. Jansson holds
 * integers as long long, too small for 2^64 - 1, so the file is loaded
 * with JSON_DECODE_INT_AS_REAL and the digits are read from the text;
 * the double Jansson made of them must agree.
 */
static int
get_u64(json_t *obj, const char *raw, const char *key, uint64_t *out)
{
	json_t		*v = json_object_get(obj, key);
	const char	*p = raw;
	char		 pat[64];
	uint64_t	 x;
	unsigned	 d;

	if (v == NULL || !json_is_number(v))
		return -1;
	snprintf(pat, sizeof(pat), "\"%s\"", key);
	while ((p = strstr(p, pat)) != NULL) {
		if (p > raw && p[-1] == '\\') {
			p++;
			continue;
		}
		p += strlen(pat);
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p != ':')
			continue;
		p++;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' &&
		    p[1] <= '9'))
			return -1;
		for (x = 0; *p >= '0' && *p <= '9'; p++) {
			d = (unsigned)(*p - '0');
			if (x > (UINT64_MAX - d) / 10)
				return -1;
			x = x * 10 + d;
		}
		if (*p == '.' || *p == 'e' || *p == 'E')
			return -1;
		if ((double)x != json_number_value(v))
			return -1;
		*out = x;
		return 0;
	}
	return -1;
}

/* Decode the hash member key; sets v->error on a length mismatch. */
static int
get_hash(json_t *obj, const char *key, uint8_t out[32], struct verdict *v)
{
	json_t	*s = json_object_get(obj, key);
	int	 rc;

	if (s == NULL || !json_is_string(s)) {
		v->malformed = "a hash is not a string";
		return -1;
	}
	if ((rc = b64_hash(json_string_value(s), out)) < 0) {
		v->malformed = "a hash is not base64";
		return -1;
	}
	if (rc > 0)
		v->error = v->by_length = 1;
	return 0;
}

static int
get_proof(json_t *obj, struct merkle_proof *p, struct verdict *v)
{
	json_t	*a = json_object_get(obj, "proof"), *e;
	size_t	 i;
	int	 rc;

	p->n = 0;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a)) {
		v->malformed = "proof is not an array";
		return -1;
	}
	for (i = 0; i < json_array_size(a); i++) {
		e = json_array_get(a, i);
		if (!json_is_string(e)) {
			v->malformed = "a proof hash is not a string";
			return -1;
		}
		if (p->n == MERKLE_MAX_PROOF) {
			v->error = 1;		/* more than any tree needs */
			continue;
		}
		if ((rc = b64_hash(json_string_value(e), p->path[p->n])) < 0) {
			v->malformed = "a proof hash is not base64";
			return -1;
		}
		if (rc > 0)
			v->error = v->by_length = 1;
		else
			p->n++;
	}
	return 0;
}

/* Run one file; *want gets wantErr, desc its description. */
static void
run_file(const char *base, const char *rel, struct verdict *v, int *want,
    char *desc, size_t desclen)
{
	struct merkle_proof	 p;
	json_error_t		 jerr;
	json_t			*obj = NULL, *w, *d;
	uint8_t			 h1[32], h2[32];
	uint64_t		 a, b;
	size_t			 len;
	char			*path, *raw;
	int			 incl;

	memset(v, 0, sizeof(*v));
	v->rc = 1;
	*want = -1;
	snprintf(desc, desclen, "?");
	incl = strncmp(rel, "inclusion/", 10) == 0;
	path = join(base, rel);
	raw = slurp(path, &len);
	free(path);
	if (raw == NULL) {
		v->malformed = "cannot read";
		return;
	}
	obj = json_loadb(raw, len, JSON_DECODE_INT_AS_REAL |
	    JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL || !json_is_object(obj)) {
		v->malformed = "not a JSON object";
		goto out;
	}
	if ((d = json_object_get(obj, "desc")) != NULL && json_is_string(d))
		snprintf(desc, desclen, "%s", json_string_value(d));
	if ((w = json_object_get(obj, "wantErr")) == NULL ||
	    !json_is_boolean(w)) {
		v->malformed = "no boolean wantErr";
		goto out;
	}
	*want = json_is_true(w);
	if (get_u64(obj, raw, incl ? "leafIdx" : "size1", &a) != 0 ||
	    get_u64(obj, raw, incl ? "treeSize" : "size2", &b) != 0) {
		v->malformed = "a size is not an unsigned 64-bit integer";
		goto out;
	}
	if (get_hash(obj, incl ? "root" : "root1", h1, v) != 0 ||
	    get_hash(obj, incl ? "leafHash" : "root2", h2, v) != 0 ||
	    get_proof(obj, &p, v) != 0 || v->error)
		goto out;
	if (incl)
		v->rc = merkle_verify_inclusion(a, b, h2, &p, h1);
	else
		v->rc = merkle_verify_consistency(a, b, h1, h2, &p);
	v->error = v->rc != MERKLE_OK;
out:
	json_decref(obj);
	free(raw);
}

int
main(int argc, char **argv)
{
	struct files	 f = { NULL, 0, 0 };
	struct verdict	 v;
	const char	*dir, *why;
	char		 desc[256];
	size_t		 i, k, passed = 0, failed = 0, nver = 0, nlen = 0;
	int		 want, ok;

	if (argc > 1)
		dir = argv[1];
	else if ((dir = getenv("MERKLE_TESTDATA")) == NULL || *dir == '\0')
		dir = DEFAULT_DIR;
	printf("# t_vectors: %s\n", dir);
	if (walk(dir, "inclusion", &f) != 0 ||
	    walk(dir, "consistency", &f) != 0)
		fprintf(stderr, "t_vectors: cannot read all of %s\n", dir);
	if (f.n > 0)
		qsort(f.v, f.n, sizeof(*f.v), cmp_str);
	for (i = 0; i < f.n; i++) {
		run_file(dir, f.v[i], &v, &want, desc, sizeof(desc));
		nver += v.rc != 1;
		nlen += v.by_length;
		why = NULL;
		for (k = 0; k < sizeof(divergent) / sizeof(divergent[0]); k++)
			if (strcmp(f.v[i], divergent[k].path) == 0)
				why = divergent[k].why;
		if (v.malformed != NULL)
			ok = 0;
		else if (why != NULL)
			ok = v.error != want && v.by_length;
		else
			ok = v.error == want;
		if (ok) {
			passed++;
			printf("ok %zu - %s%s%s\n", i + 1, f.v[i],
			    why ? " # divergence: " : "", why ? why : "");
			continue;
		}
		failed++;
		if (v.malformed != NULL)
			printf("not ok %zu - %s (%s: %s)\n", i + 1, f.v[i],
			    desc, v.malformed);
		else if (why != NULL)
			printf("not ok %zu - %s (%s: expected divergence "
			    "did not occur: %s)\n", i + 1, f.v[i], desc, why);
		else
			printf("not ok %zu - %s (%s: want %s, got %s%s%s)\n",
			    i + 1, f.v[i], desc, want ? "an error" : "success",
			    v.error ? "an error" : "success",
			    v.by_length ? ", a hash is not 32 bytes" :
			    v.rc != MERKLE_OK && v.rc != 1 ? ", " : "",
			    v.by_length ? "" : v.rc != MERKLE_OK && v.rc != 1 ?
			    merkle_strerror(v.rc) : "");
	}
	if (f.n < MIN_FILES) {
		failed++;
		printf("not ok %zu - at least %d vector files under %s "
		    "(found %zu)\n", f.n + 1, MIN_FILES, dir, f.n);
	}
	printf("# %zu files run through merkle_verify_*, %zu refused for a "
	    "hash that is not 32 bytes\n", nver, nlen);
	printf("t_vectors: %zu passed, %zu failed\n", passed, failed);
	for (i = 0; i < f.n; i++)
		free(f.v[i]);
	free(f.v);
	return failed ? 1 : 0;
}
