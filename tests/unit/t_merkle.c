/* t_merkle.c - unit tests for libmerkle (merkle/merkle.h). */
/*
 * The references live here and share no code with the library: SHA-256
 * straight from OpenSSL's EVP interface, the recursive MTH, PATH and
 * PROOF of RFC 6962 2.1, and the closed-form verifiers of
 * transparency-dev/merkle (proof/verify.go). The library is checked
 * against the published RFC 6962 vectors (TLOG.md 5.2-5.4), against the
 * references for every tree of up to 300 leaves and every proof of up to
 * 64, against random proofs in a tree of 100,001 leaves held in an
 * in-memory node store, and, through "virtual" trees whose leaves are all
 * equal and through synthetic proofs, at 64-bit sizes.
 *
 * Replay a run with: t_merkle SEED
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "merkle.h"
#include "t.h"

#define BIG_N		100001	/* leaves of the shared random-test tree */
#define SMALL_N		300	/* sizes checked against the naive MTH */
#define EXH_N		64	/* every proof of every tree up to this size */
#define MUT_N		20	/* every proof mutated up to this size */
#define ALLBITS_N	8	/* ... with all 256 bits of every hash */
#define RAND_PROOFS	2000	/* random proofs of each kind */
#define MAX_MSGS	200	/* failure messages printed at most */

/* Failure with context; counts like T_ASSERT. */
#define CHECK(c, ...) do {						\
	if (!(c))							\
		failf(__FILE__, __LINE__, #c, __VA_ARGS__);		\
} while (0)

static void	failf(const char *, int, const char *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

/*
 * A node store: the hashes merkle_tree_append emitted, by (level, index).
 * The callback counts its reads, refuses any node not emitted yet or not
 * inside [0, bound) (a proof for size n must not look past leaf n - 1),
 * and can be told to fail its fail_at-th read. A virtual store has every
 * node: all leaves are vz[0], so the node at level l is vz[l].
 */
struct store {
	uint8_t		(*h[MERKLE_MAX_LEVELS])[32];
	uint64_t	 cap[MERKLE_MAX_LEVELS];
	uint64_t	 have[MERKLE_MAX_LEVELS];
	int		 virt;
	uint64_t	 bound;
	uint64_t	 reads;
	uint64_t	 fail_at;
	uint64_t	 bad;
	int		 quiet;		/* bad reads expected: no message */
};

/* Where the naive references take leaf and complete-subtree hashes. */
struct ref {
	uint8_t		(*leaf)[32];	/* leaf hashes, unless virt */
	struct store	*full;		/* checked complete subtrees, or NULL */
	int		 virt;		/* every leaf is vz[0] */
};

static EVP_MD		*ref_md;
static EVP_MD_CTX	*ref_ctx;
static int		 msgs;

static uint8_t		 vz[MERKLE_MAX_LEVELS][32];
static struct store	 vstore;

static struct store	 big;
static uint8_t		(*big_leaf)[32];
static uint8_t		(*big_root)[32];
static int		 big_ready;
static struct ref	 big_naive;	/* pure recursion over big_leaf */
static struct ref	 big_fast;	/* same, complete subtrees from big */
static struct ref	 virt_ref;

static uint64_t		 n_rejected, n_aliases;

/* The RFC 6962 reference tree (TLOG.md 5.2). */
static const char *const rfc_data[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};

static const struct {
	const char	*name;
	const char	*hex;
} rfc_nodes[] = {
	{ "h0", "6e340b9cffb37a989ca544e6bb780a2c"
	    "78901d3fb33738768511a30617afa01d" },
	{ "h1", "96a296d224f285c67bee93c30f8a3091"
	    "57f0daa35dc5b87e410b78630a09cfc7" },
	{ "h2", "0298d122906dcfc10892cb53a73992fc"
	    "5b9f493ea4c9badb27b791b4127a7fe7" },
	{ "h3", "07506a85fd9dd2f120eb694f86011e5b"
	    "b4662e5c415a62917033d4a9624487e7" },
	{ "h4", "bc1a0643b12e4d2d7c77918f44e0f4f7"
	    "9a838b6cf9ec5b5c283e1f4d88599e6b" },
	{ "h5", "4271a26be0d8a84f0bd54c8c302e7cb3"
	    "a3b5d1fa6780a40bcce2873477dab658" },
	{ "h6", "b08693ec2e721597130641e8211e7eed"
	    "ccb4c26413963eee6c1e2ed16ffb1a5f" },
	{ "h7", "46f6ffadd3d06a09ff3c5860d2755c8b"
	    "9819db7df44251788c7d8e3180de8eb1" },
	{ "L1[0]", "fac54203e7cc696cf0dfcb42c92a1d9d"
	    "baf70ad9e621f4bd8d98662f00e3c125" },
	{ "L1[1]", "5f083f0a1a33ca076a95279832580db3"
	    "e0ef4584bdff1f54c8a360f50de3031e" },
	{ "L1[2]", "0ebc5d3437fbe2db158b9f126a1d118e"
	    "308181031d0a949f8dededebc558ef6a" },
	{ "L1[3]", "ca854ea128ed050b41b35ffc1b87b8eb"
	    "2bde461e9e3b5596ece6b9d5975a0ae0" },
	{ "L2[0]", "d37ee418976dd95753c1c73862b9398f"
	    "a2a2cf9b4ff0fdfe8b30cd95209614b7" },
	{ "L2[1]", "6b47aaf29ee3c2af9af889bc1fb9254d"
	    "abd31177f16232dd6aab035ca39bf6e4" },
	{ "L3[0]", "5dc9da79a70659a9ad559cb701ded9a2"
	    "ab9d823aad2f4960cfe370eff4604328" },
	{ "E", "837dbb152e9b079010717e84e865da4e"
	    "bc0fa198a806d59d31bf15accef22d0e" },
};

static const char *const rfc_roots[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* Compact range per size, largest subtree first (CompactTrees()). */
static const char *const rfc_frontier[9][3] = {
	{ NULL },
	{ "h0" },
	{ "L1[0]" },
	{ "L1[0]", "h2" },
	{ "L2[0]" },
	{ "L2[0]", "h4" },
	{ "L2[0]", "L1[2]" },
	{ "L2[0]", "L1[2]", "h6" },
	{ "L3[0]" },
};

static const struct {
	uint64_t	 leaf, size;
	const char	*proof[4];
} rfc_incl[] = {
	{ 0, 1, { NULL } },
	{ 0, 8, { "h1", "L1[1]", "L2[1]" } },
	{ 5, 8, { "h4", "L1[3]", "L2[0]" } },
	{ 2, 3, { "L1[0]" } },
	{ 1, 5, { "h0", "L1[1]", "h4" } },
	{ 3, 8, { "h2", "L1[0]", "L2[1]" } },
	{ 7, 8, { "h6", "L1[2]", "L2[0]" } },
	{ 6, 7, { "L1[2]", "L2[0]" } },
	{ 4, 7, { "h5", "h6", "L2[0]" } },
	{ 0, 7, { "h1", "L1[1]", "E" } },
	{ 3, 7, { "h2", "L1[0]", "E" } },
};

static const struct {
	uint64_t	 first, second;
	const char	*proof[5];
} rfc_cons[] = {
	{ 1, 1, { NULL } },
	{ 1, 8, { "h1", "L1[1]", "L2[1]" } },
	{ 6, 8, { "L1[2]", "L1[3]", "L2[0]" } },
	{ 2, 5, { "L1[1]", "h4" } },
	{ 6, 7, { "L1[2]", "h6", "L2[0]" } },
	{ 1, 2, { "h1" } },
	{ 2, 8, { "L1[1]", "L2[1]" } },
	{ 3, 7, { "h2", "h3", "L1[0]", "E" } },
	{ 4, 7, { "E" } },
	{ 4, 8, { "L2[1]" } },
	{ 3, 8, { "h2", "h3", "L1[0]", "L2[1]" } },
	{ 5, 8, { "h4", "h5", "L1[3]", "L2[0]" } },
	{ 7, 8, { "h6", "h7", "L1[2]", "L2[0]" } },
};

static void
failf(const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list	ap;

	t_failed_checks++;
	if (++msgs > MAX_MSGS) {
		if (msgs == MAX_MSGS + 1)
			fprintf(stderr, "(further failures not shown)\n");
		return;
	}
	fprintf(stderr, "%s:%d: check failed: %s: ", file, line, expr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n, size)) == NULL) {
		perror("calloc");
		exit(2);
	}
	return p;
}

/* Bit helpers, written out rather than shared with the library. */
static unsigned
bitlen(uint64_t x)
{
	unsigned	n = 0;

	while (x != 0) {
		n++;
		x >>= 1;
	}
	return n;
}

static unsigned
popcount(uint64_t x)
{
	unsigned	n = 0;

	for (; x != 0; x &= x - 1)
		n++;
	return n;
}

static unsigned
ctz(uint64_t x)
{
	unsigned	n = 0;

	if (x == 0)
		return 64;
	while (!(x & 1)) {
		n++;
		x >>= 1;
	}
	return n;
}

static unsigned
trailing_ones(uint64_t x)
{
	return ctz(~x);
}

static unsigned
ceil_log2(uint64_t n)
{
	return n <= 1 ? 0 : bitlen(n - 1);
}

/* Largest power of two smaller than n, n >= 2. */
static uint64_t
pow2_below(uint64_t n)
{
	return 1ULL << (bitlen(n - 1) - 1);
}

/* Callback reads allowed for one proof or root in a tree of size n. */
static uint64_t
max_reads(uint64_t n)
{
	return 3 * (uint64_t)ceil_log2(n) + 3;
}

static int
nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	fprintf(stderr, "bad hex digit %c\n", c);
	abort();
}

static size_t
unhex(uint8_t *out, size_t cap, const char *hex)
{
	size_t	i, n = strlen(hex);

	if (n % 2 != 0 || n / 2 > cap)
		abort();
	for (i = 0; i < n / 2; i++)
		out[i] = (uint8_t)(nibble(hex[2 * i]) << 4 |
		    nibble(hex[2 * i + 1]));
	return n / 2;
}

static void
hash_hex(uint8_t out[32], const char *hex)
{
	if (unhex(out, 32, hex) != 32)
		abort();
}

/* The §5.2 hash called name ("h3", "L1[2]", "E"). */
static void
rfc_node(uint8_t out[32], const char *name)
{
	size_t	i;

	for (i = 0; i < T_NCASES(rfc_nodes); i++)
		if (strcmp(rfc_nodes[i].name, name) == 0) {
			hash_hex(out, rfc_nodes[i].hex);
			return;
		}
	fprintf(stderr, "no node %s\n", name);
	abort();
}

/* SHA-256(a || b || c) through EVP, independent of libmerkle. */
static void
ref_sha(uint8_t out[32], const void *a, size_t alen, const void *b,
    size_t blen, const void *c, size_t clen)
{
	unsigned int	len = 0;

	if (ref_ctx == NULL) {
		ref_md = EVP_MD_fetch(NULL, "SHA256", NULL);
		ref_ctx = EVP_MD_CTX_new();
		if (ref_md == NULL || ref_ctx == NULL)
			abort();
	}
	if (EVP_DigestInit_ex2(ref_ctx, ref_md, NULL) != 1 ||
	    EVP_DigestUpdate(ref_ctx, a, alen) != 1 ||
	    EVP_DigestUpdate(ref_ctx, b, blen) != 1 ||
	    EVP_DigestUpdate(ref_ctx, c, clen) != 1 ||
	    EVP_DigestFinal_ex(ref_ctx, out, &len) != 1 || len != 32)
		abort();
}

static void
ref_leaf(uint8_t out[32], const void *data, size_t len)
{
	static const uint8_t	zero = 0x00;

	ref_sha(out, &zero, 1, data, len, "", 0);
}

/* out may alias l or r: EVP reads both before writing out. */
static void
ref_node(uint8_t out[32], const uint8_t l[32], const uint8_t r[32])
{
	static const uint8_t	one = 0x01;

	ref_sha(out, &one, 1, l, 32, r, 32);
}

/* Leaf data of the test trees: distinct bytes for every i. */
static size_t
leaf_data(uint8_t buf[16], uint64_t i)
{
	size_t	k, len = 8 + (size_t)(i % 5);

	for (k = 0; k < 8; k++)
		buf[k] = (uint8_t)(i >> (8 * k));
	for (; k < len; k++)
		buf[k] = (uint8_t)(0xa5 + k);
	return len;
}

static void
random_hash(uint8_t out[32])
{
	uint64_t	v;
	size_t		k;

	for (k = 0; k < 32; k += 8) {
		v = t_rand();
		memcpy(out + k, &v, 8);
	}
}

static void
store_init(struct store *s, uint64_t leaves)
{
	unsigned	l;

	memset(s, 0, sizeof(*s));
	for (l = 0; l < MERKLE_MAX_LEVELS && (leaves >> l) != 0; l++) {
		s->cap[l] = leaves >> l;
		s->h[l] = xcalloc((size_t)s->cap[l], 32);
	}
	s->bound = UINT64_MAX;
}

static void
store_free(struct store *s)
{
	unsigned	l;

	for (l = 0; l < MERKLE_MAX_LEVELS; l++)
		free(s->h[l]);
	memset(s, 0, sizeof(*s));
}

/* Keep the nodes of one append; they come in order, level by level. */
static void
store_add(struct store *s, const struct merkle_node *nd, size_t n)
{
	size_t	k;

	for (k = 0; k < n; k++, nd++) {
		CHECK(nd->level < MERKLE_MAX_LEVELS, "level %u", nd->level);
		if (nd->level >= MERKLE_MAX_LEVELS)
			continue;
		CHECK(nd->index == s->have[nd->level],
		    "level %u index %" PRIu64 " expected %" PRIu64, nd->level,
		    nd->index, s->have[nd->level]);
		if (nd->index != s->have[nd->level] ||
		    nd->index >= s->cap[nd->level])
			continue;
		memcpy(s->h[nd->level][nd->index], nd->hash, 32);
		s->have[nd->level]++;
	}
}

/* Get ready for one library call on a tree of bound leaves. */
static void
store_arm(struct store *s, uint64_t bound)
{
	s->bound = bound;
	s->reads = 0;
	s->bad = 0;
	s->fail_at = 0;
	s->quiet = 0;
}

static int
store_get(void *arg, unsigned level, uint64_t index, uint8_t out[32])
{
	struct store	*s = arg;

	s->reads++;
	if (s->fail_at != 0 && s->reads == s->fail_at)
		return -1;
	if (level >= MERKLE_MAX_LEVELS || index >= (s->bound >> level) ||
	    (!s->virt && index >= s->have[level])) {
		if (s->bad++ == 0 && !s->quiet && msgs < MAX_MSGS)
			fprintf(stderr, "store: read of node (%u, %" PRIu64
			    ") outside a tree of %" PRIu64 " leaves\n", level,
			    index, s->bound);
		return 1;
	}
	memcpy(out, s->virt ? vz[level] : s->h[level][index], 32);
	return 0;
}

/* RFC 6962 2.1 MTH of leaves [lo, hi), recursively. */
static void
ref_mth(const struct ref *r, uint64_t lo, uint64_t hi, uint8_t out[32])
{
	uint8_t		a[32], b[32];
	uint64_t	n = hi - lo, k;
	unsigned	l;

	if (n == 0) {
		ref_sha(out, "", 0, "", 0, "", 0);
		return;
	}
	if ((n & (n - 1)) == 0 && lo % n == 0) {
		l = ctz(n);
		if (r->virt) {
			memcpy(out, vz[l], 32);
			return;
		}
		if (r->full != NULL && (lo >> l) < r->full->have[l]) {
			memcpy(out, r->full->h[l][lo >> l], 32);
			return;
		}
	}
	if (n == 1) {
		memcpy(out, r->leaf[lo], 32);
		return;
	}
	k = pow2_below(n);
	ref_mth(r, lo, lo + k, a);
	ref_mth(r, lo + k, hi, b);
	ref_node(out, a, b);
}

static uint8_t *
ref_push(struct merkle_proof *p)
{
	if (p->n >= MERKLE_MAX_PROOF) {
		fprintf(stderr, "reference proof too long\n");
		abort();
	}
	return p->path[p->n++];
}

/* RFC 6962 2.1.1 PATH(m, D[lo:hi]); m is an absolute leaf index. */
static void
ref_path(const struct ref *r, uint64_t m, uint64_t lo, uint64_t hi,
    struct merkle_proof *p)
{
	uint64_t	k;

	if (hi - lo <= 1)
		return;
	k = pow2_below(hi - lo);
	if (m < lo + k) {
		ref_path(r, m, lo, lo + k, p);
		ref_mth(r, lo + k, hi, ref_push(p));
	} else {
		ref_path(r, m, lo + k, hi, p);
		ref_mth(r, lo, lo + k, ref_push(p));
	}
}

/* RFC 6962 2.1.2 SUBPROOF(m, D[lo:hi], b); m counts leaves from lo. */
static void
ref_subproof(const struct ref *r, uint64_t m, uint64_t lo, uint64_t hi,
    int b, struct merkle_proof *p)
{
	uint64_t	k;

	if (m == hi - lo) {
		if (!b)
			ref_mth(r, lo, hi, ref_push(p));
		return;
	}
	k = pow2_below(hi - lo);
	if (m <= k) {
		ref_subproof(r, m, lo, lo + k, b, p);
		ref_mth(r, lo + k, hi, ref_push(p));
	} else {
		ref_subproof(r, m - k, lo + k, hi, 0, p);
		ref_mth(r, lo, lo + k, ref_push(p));
	}
}

static void
ref_inclusion(const struct ref *r, uint64_t idx, uint64_t size,
    struct merkle_proof *p)
{
	p->n = 0;
	ref_path(r, idx, 0, size, p);
}

static void
ref_consistency(const struct ref *r, uint64_t m, uint64_t n,
    struct merkle_proof *p)
{
	p->n = 0;
	if (m > 0 && m < n)
		ref_subproof(r, m, 0, n, 1, p);
}

/* transparency-dev/merkle decompInclProof: inner + border. */
static size_t
ref_inclusion_len(uint64_t idx, uint64_t size)
{
	unsigned	inner = bitlen(idx ^ (size - 1));

	return inner + (inner < 64 ? popcount(idx >> inner) : 0);
}

/* RootFromInclusionProof (closed form). */
static int
ref_inclusion_root(uint64_t idx, uint64_t size, const uint8_t leaf[32],
    const struct merkle_proof *p, uint8_t out[32])
{
	unsigned	inner, i;

	if (idx >= size || p->n != ref_inclusion_len(idx, size))
		return -1;
	inner = bitlen(idx ^ (size - 1));
	memcpy(out, leaf, 32);
	for (i = 0; i < p->n; i++) {
		if (i < inner && !((idx >> i) & 1))
			ref_node(out, out, p->path[i]);
		else
			ref_node(out, p->path[i], out);
	}
	return 0;
}

static int
ref_verify_inclusion(uint64_t idx, uint64_t size, const uint8_t leaf[32],
    const struct merkle_proof *p, const uint8_t root[32])
{
	uint8_t	r[32];

	return ref_inclusion_root(idx, size, leaf, p, r) == 0 &&
	    memcmp(r, root, 32) == 0;
}

/* Go VerifyConsistency: the proof length for 0 < m < n, else 0. */
static size_t
ref_consistency_len(uint64_t m, uint64_t n)
{
	unsigned	inner, border, shift;

	if (m == 0 || m >= n)
		return 0;
	inner = bitlen((m - 1) ^ (n - 1));
	border = inner < 64 ? popcount((m - 1) >> inner) : 0;
	shift = ctz(m);
	return (m != (1ULL << shift)) + (inner - shift) + border;
}

/*
 * The two roots a consistency proof for 0 < m < n implies; r1 is the
 * seed when m is a power of two.
 */
static int
ref_consistency_roots(uint64_t m, uint64_t n, const uint8_t r1[32],
    const struct merkle_proof *p, uint8_t h1[32], uint8_t h2[32])
{
	const uint8_t	*seed, *c;
	uint64_t	 mask;
	unsigned	 inner, border, shift, i;
	size_t		 start;

	if (m == 0 || m >= n || p->n != ref_consistency_len(m, n))
		return -1;
	inner = bitlen((m - 1) ^ (n - 1));
	border = inner < 64 ? popcount((m - 1) >> inner) : 0;
	shift = ctz(m);
	inner -= shift;
	if (m == (1ULL << shift)) {
		seed = r1;
		start = 0;
	} else {
		seed = p->path[0];
		start = 1;
	}
	mask = (m - 1) >> shift;
	memcpy(h1, seed, 32);
	memcpy(h2, seed, 32);
	for (i = 0; i < inner; i++) {
		c = p->path[start + i];
		if ((mask >> i) & 1) {
			ref_node(h1, c, h1);
			ref_node(h2, c, h2);
		} else
			ref_node(h2, h2, c);
	}
	for (i = 0; i < border; i++) {
		c = p->path[start + inner + i];
		ref_node(h1, c, h1);
		ref_node(h2, c, h2);
	}
	return 0;
}

static int
ref_verify_consistency(uint64_t m, uint64_t n, const uint8_t r1[32],
    const uint8_t r2[32], const struct merkle_proof *p)
{
	uint8_t	h1[32], h2[32];

	if (n < m)
		return 0;
	if (m == n)
		return p->n == 0 && memcmp(r1, r2, 32) == 0;
	if (m == 0 || p->n == 0)
		return 0;
	return ref_consistency_roots(m, n, r1, p, h1, h2) == 0 &&
	    memcmp(h1, r1, 32) == 0 && memcmp(h2, r2, 32) == 0;
}

static int
proof_eq(const struct merkle_proof *a, const struct merkle_proof *b)
{
	return a->n == b->n && a->n <= MERKLE_MAX_PROOF &&
	    memcmp(a->path, b->path, a->n * 32) == 0;
}

static void
virt_init(void)
{
	static const uint8_t	data[] = "virtual leaf";
	unsigned		l;

	ref_leaf(vz[0], data, sizeof(data) - 1);
	for (l = 1; l < MERKLE_MAX_LEVELS; l++)
		ref_node(vz[l], vz[l - 1], vz[l - 1]);
	memset(&vstore, 0, sizeof(vstore));
	vstore.virt = 1;
	virt_ref.virt = 1;
}

/*
 * Check every stored node of [lo, hi) against the naive recursion and
 * count them per level; out gets MTH(lo, hi).
 */
static void
big_check(uint64_t lo, uint64_t hi, uint8_t out[32], uint64_t seen[])
{
	uint8_t		a[32], b[32];
	uint64_t	n = hi - lo, k;
	unsigned	l;

	if (n == 1)
		memcpy(out, big_leaf[lo], 32);
	else {
		k = pow2_below(n);
		big_check(lo, lo + k, a, seen);
		big_check(lo + k, hi, b, seen);
		ref_node(out, a, b);
	}
	if ((n & (n - 1)) == 0 && lo % n == 0) {
		l = ctz(n);
		seen[l]++;
		CHECK((lo >> l) < big.have[l] &&
		    memcmp(big.h[l][lo >> l], out, 32) == 0,
		    "stored node (%u, %" PRIu64 ")", l, lo >> l);
	}
}

/*
 * The shared tree: BIG_N leaves appended once, every emitted node kept
 * in big and checked against the naive MTH, and the root of every size.
 */
static void
big_build(void)
{
	struct merkle_tree	t;
	struct merkle_node	out[MERKLE_MAX_LEVELS];
	uint8_t			buf[16], root[32];
	uint64_t		i, seen[MERKLE_MAX_LEVELS];
	size_t			n;
	unsigned		l;
	int			rc;

	if (big_ready)
		return;
	big_ready = 1;
	big_leaf = xcalloc(BIG_N, 32);
	big_root = xcalloc(BIG_N + 1, 32);
	store_init(&big, BIG_N);
	big_naive.leaf = big_leaf;
	big_fast.leaf = big_leaf;
	big_fast.full = &big;
	merkle_tree_init(&t);
	merkle_tree_root(&t, big_root[0]);
	for (i = 0; i < BIG_N; i++) {
		ref_leaf(big_leaf[i], buf, leaf_data(buf, i));
		n = 0;
		rc = merkle_tree_append(&t, big_leaf[i], out, &n);
		CHECK(rc == MERKLE_OK && n == 1 + trailing_ones(i),
		    "append %" PRIu64 ": rc %d n %zu", i, rc, n);
		if (rc == MERKLE_OK && n <= MERKLE_MAX_LEVELS)
			store_add(&big, out, n);
		merkle_tree_root(&t, big_root[i + 1]);
	}
	for (l = 0; l < MERKLE_MAX_LEVELS; l++) {
		CHECK(big.have[l] == big.cap[l], "level %u: %" PRIu64
		    " nodes, want %" PRIu64, l, big.have[l], big.cap[l]);
		seen[l] = 0;
	}
	big_check(0, BIG_N, root, seen);
	CHECK(memcmp(root, big_root[BIG_N], 32) == 0, "root of %d", BIG_N);
	for (l = 0; l < MERKLE_MAX_LEVELS; l++)
		CHECK(seen[l] == big.cap[l], "level %u: %" PRIu64 " checked",
		    l, seen[l]);
}

static void
test_strerror(void)
{
	static const int	 codes[] = { MERKLE_OK, MERKLE_EINVAL,
	    MERKLE_EPROOF, MERKLE_ENODE, MERKLE_ESIZE };
	const char		*s[T_NCASES(codes)];
	size_t			 i, j;

	T_ASSERT_EQ(MERKLE_OK, 0);
	for (i = 0; i < T_NCASES(codes); i++) {
		s[i] = merkle_strerror(codes[i]);
		CHECK(s[i] != NULL && s[i][0] != '\0', "code %d", codes[i]);
		CHECK(i == 0 || codes[i] < 0, "code %d", codes[i]);
	}
	for (i = 0; i < T_NCASES(codes); i++)
		for (j = i + 1; j < T_NCASES(codes); j++)
			CHECK(codes[i] != codes[j] && s[i] != NULL &&
			    s[j] != NULL && strcmp(s[i], s[j]) != 0,
			    "codes %d and %d", codes[i], codes[j]);
	T_ASSERT(merkle_strerror(-99) != NULL);
	T_ASSERT(merkle_strerror(1) != NULL);
	T_ASSERT(merkle_strerror(INT_MIN) != NULL);
}

static void
test_hash(void)
{
	uint8_t		data[256], a[32], b[32], want[32], h[8][32];
	size_t		len, i;

	merkle_empty_root(a);
	hash_hex(want, rfc_roots[0]);
	T_ASSERT_MEM(a, want, 32);
	merkle_sha256(a, "", 0);
	T_ASSERT_MEM(a, want, 32);
	merkle_sha256(a, "abc", 3);
	hash_hex(want, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	T_ASSERT_MEM(a, want, 32);
	for (len = 0; len <= sizeof(data); len++) {
		for (i = 0; i < len; i++)
			data[i] = (uint8_t)t_rand();
		merkle_sha256(a, data, len);
		ref_sha(want, data, len, "", 0, "", 0);
		CHECK(memcmp(a, want, 32) == 0, "sha256 of %zu bytes", len);
		merkle_leaf_hash(a, data, len);
		ref_leaf(want, data, len);
		CHECK(memcmp(a, want, 32) == 0, "leaf hash of %zu bytes", len);
	}
	for (i = 0; i < 8; i++) {
		len = unhex(data, sizeof(data), rfc_data[i]);
		merkle_leaf_hash(h[i], data, len);
		hash_hex(want, rfc_nodes[i].hex);
		CHECK(memcmp(h[i], want, 32) == 0, "leaf hash %zu", i);
	}
	for (i = 0; i < 4; i++) {
		merkle_node_hash(a, h[2 * i], h[2 * i + 1]);
		hash_hex(want, rfc_nodes[8 + i].hex);
		CHECK(memcmp(a, want, 32) == 0, "L1[%zu]", i);
	}
	/* out may alias l or r, or both. */
	rfc_node(want, "L1[0]");
	memcpy(a, h[0], 32);
	merkle_node_hash(a, a, h[1]);
	T_ASSERT_MEM(a, want, 32);
	memcpy(b, h[1], 32);
	merkle_node_hash(b, h[0], b);
	T_ASSERT_MEM(b, want, 32);
	ref_node(want, h[2], h[2]);
	memcpy(a, h[2], 32);
	merkle_node_hash(a, a, a);
	T_ASSERT_MEM(a, want, 32);
	/* random node hashes */
	for (i = 0; i < 1000; i++) {
		random_hash(a);
		random_hash(b);
		ref_node(want, a, b);
		merkle_node_hash(data, a, b);
		CHECK(memcmp(data, want, 32) == 0, "node hash %zu", i);
	}
}

/* The 8-leaf tree: roots, frontier, emitted nodes, stored roots. */
static void
test_rfc_tree(void)
{
	struct merkle_tree	t;
	struct merkle_node	out[MERKLE_MAX_LEVELS];
	struct store		s;
	uint8_t			data[32], leaf[32], root[32], want[32];
	char			name[16];
	uint64_t		size;
	size_t			n, k, len;
	unsigned		l;
	int			rc;

	store_init(&s, 8);
	merkle_tree_init(&t);
	T_ASSERT_EQ(t.size, 0);
	for (size = 0; size <= 8; size++) {
		merkle_tree_root(&t, root);
		hash_hex(want, rfc_roots[size]);
		CHECK(memcmp(root, want, 32) == 0, "tree root %" PRIu64, size);
		/* the compact range: sub[l] for every set bit, high first */
		k = 0;
		for (l = MERKLE_MAX_LEVELS; l-- > 0;) {
			if (!((size >> l) & 1))
				continue;
			CHECK(k < 3 && rfc_frontier[size][k] != NULL,
			    "size %" PRIu64, size);
			if (k >= 3 || rfc_frontier[size][k] == NULL)
				break;
			rfc_node(want, rfc_frontier[size][k]);
			CHECK(memcmp(t.sub[l], want, 32) == 0,
			    "size %" PRIu64 " sub[%u] != %s", size, l,
			    rfc_frontier[size][k]);
			k++;
		}
		CHECK(k == 3 || rfc_frontier[size][k] == NULL,
		    "size %" PRIu64 " frontier", size);
		if (size == 8)
			break;
		len = unhex(data, sizeof(data), rfc_data[size]);
		merkle_leaf_hash(leaf, data, len);
		rc = merkle_tree_append(&t, leaf, out, &n);
		CHECK(rc == MERKLE_OK, "append %" PRIu64 ": %d", size, rc);
		CHECK(n == 1 + trailing_ones(size), "append %" PRIu64
		    ": %zu nodes", size, n);
		T_ASSERT_EQ(t.size, size + 1);
		for (k = 0; k < n && k < MERKLE_MAX_LEVELS; k++) {
			CHECK(out[k].level == k && out[k].index == size >> k,
			    "append %" PRIu64 " node %zu: (%u, %" PRIu64 ")",
			    size, k, out[k].level, out[k].index);
			if (k == 0)
				snprintf(name, sizeof(name), "h%" PRIu64,
				    out[k].index);
			else
				snprintf(name, sizeof(name), "L%u[%" PRIu64 "]",
				    out[k].level, out[k].index);
			rfc_node(want, name);
			CHECK(memcmp(out[k].hash, want, 32) == 0, "%s", name);
		}
		store_add(&s, out, n);
	}
	for (size = 0; size <= 8; size++) {
		store_arm(&s, size);
		rc = merkle_root(store_get, &s, size, root);
		hash_hex(want, rfc_roots[size]);
		CHECK(rc == MERKLE_OK && memcmp(root, want, 32) == 0,
		    "merkle_root %" PRIu64 ": rc %d", size, rc);
		CHECK(s.reads == popcount(size) && s.bad == 0, "merkle_root %"
		    PRIu64 ": %" PRIu64 " reads", size, s.reads);
	}
	/* the ephemeral node MTH(d4..d6) and the stored ones */
	store_arm(&s, 7);
	rc = merkle_range_hash(store_get, &s, 4, 7, root);
	rfc_node(want, "E");
	CHECK(rc == MERKLE_OK && memcmp(root, want, 32) == 0, "E: rc %d", rc);
	store_arm(&s, 8);
	rc = merkle_range_hash(store_get, &s, 4, 8, root);
	rfc_node(want, "L2[1]");
	CHECK(rc == MERKLE_OK && memcmp(root, want, 32) == 0, "L2[1]: %d", rc);
	store_free(&s);
}

static struct store rfc_store;

static void
rfc_store_build(void)
{
	struct merkle_tree	t;
	struct merkle_node	out[MERKLE_MAX_LEVELS];
	uint8_t			data[32], leaf[32];
	size_t			i, n, len;

	if (rfc_store.h[0] != NULL)
		return;
	store_init(&rfc_store, 8);
	merkle_tree_init(&t);
	for (i = 0; i < 8; i++) {
		len = unhex(data, sizeof(data), rfc_data[i]);
		merkle_leaf_hash(leaf, data, len);
		if (merkle_tree_append(&t, leaf, out, &n) == MERKLE_OK &&
		    n <= MERKLE_MAX_LEVELS)
			store_add(&rfc_store, out, n);
	}
}

static void
test_rfc_proofs(void)
{
	struct merkle_proof	p, want;
	uint8_t			leaf[32], r1[32], r2[32];
	size_t			i, k;
	int			rc;

	rfc_store_build();
	for (i = 0; i < T_NCASES(rfc_incl); i++) {
		want.n = 0;
		for (k = 0; k < 4 && rfc_incl[i].proof[k] != NULL; k++)
			rfc_node(ref_push(&want), rfc_incl[i].proof[k]);
		store_arm(&rfc_store, rfc_incl[i].size);
		p.n = 99;
		rc = merkle_prove_inclusion(store_get, &rfc_store,
		    rfc_incl[i].leaf, rfc_incl[i].size, &p);
		CHECK(rc == MERKLE_OK && proof_eq(&p, &want) &&
		    rfc_store.bad == 0, "inclusion %" PRIu64 " in %" PRIu64
		    ": rc %d, %zu hashes", rfc_incl[i].leaf, rfc_incl[i].size,
		    rc, p.n);
		CHECK(merkle_inclusion_len(rfc_incl[i].leaf, rfc_incl[i].size)
		    == want.n, "inclusion_len %" PRIu64 " %" PRIu64,
		    rfc_incl[i].leaf, rfc_incl[i].size);
		rfc_node(leaf, rfc_nodes[rfc_incl[i].leaf].name);
		hash_hex(r1, rfc_roots[rfc_incl[i].size]);
		rc = merkle_verify_inclusion(rfc_incl[i].leaf,
		    rfc_incl[i].size, leaf, &want, r1);
		CHECK(rc == MERKLE_OK, "verify inclusion %" PRIu64 " in %"
		    PRIu64 ": %d", rfc_incl[i].leaf, rfc_incl[i].size, rc);
		CHECK(ref_verify_inclusion(rfc_incl[i].leaf, rfc_incl[i].size,
		    leaf, &want, r1), "reference verifier, row %zu", i);
	}
	for (i = 0; i < T_NCASES(rfc_cons); i++) {
		want.n = 0;
		for (k = 0; k < 5 && rfc_cons[i].proof[k] != NULL; k++)
			rfc_node(ref_push(&want), rfc_cons[i].proof[k]);
		store_arm(&rfc_store, rfc_cons[i].second);
		p.n = 99;
		rc = merkle_prove_consistency(store_get, &rfc_store,
		    rfc_cons[i].first, rfc_cons[i].second, &p);
		CHECK(rc == MERKLE_OK && proof_eq(&p, &want) &&
		    rfc_store.bad == 0, "consistency %" PRIu64 " -> %" PRIu64
		    ": rc %d, %zu hashes", rfc_cons[i].first,
		    rfc_cons[i].second, rc, p.n);
		CHECK(merkle_consistency_len(rfc_cons[i].first,
		    rfc_cons[i].second) == want.n, "consistency_len %" PRIu64
		    " %" PRIu64, rfc_cons[i].first, rfc_cons[i].second);
		hash_hex(r1, rfc_roots[rfc_cons[i].first]);
		hash_hex(r2, rfc_roots[rfc_cons[i].second]);
		rc = merkle_verify_consistency(rfc_cons[i].first,
		    rfc_cons[i].second, r1, r2, &want);
		CHECK(rc == MERKLE_OK, "verify consistency %" PRIu64 " -> %"
		    PRIu64 ": %d", rfc_cons[i].first, rfc_cons[i].second, rc);
		CHECK(ref_verify_consistency(rfc_cons[i].first,
		    rfc_cons[i].second, r1, r2, &want),
		    "reference verifier, row %zu", i);
	}
}

/* Incremental tree vs naive MTH for every size 0..SMALL_N. */
static void
test_small_trees(void)
{
	struct merkle_tree	t, copy;
	struct merkle_node	out[MERKLE_MAX_LEVELS];
	uint8_t			buf[16], root[32], want[32], h[32];
	uint64_t		i, lo;
	size_t			n, k;
	unsigned		l;
	int			rc;

	big_build();
	merkle_tree_init(&t);
	memset(&copy, 0, sizeof(copy));
	for (i = 0; i <= SMALL_N; i++) {
		ref_mth(&big_naive, 0, i, want);
		merkle_tree_root(&t, root);
		CHECK(memcmp(root, want, 32) == 0, "tree root %" PRIu64, i);
		CHECK(t.size == i, "size %" PRIu64, t.size);
		store_arm(&big, i);
		rc = merkle_root(store_get, &big, i, root);
		CHECK(rc == MERKLE_OK && memcmp(root, want, 32) == 0,
		    "merkle_root %" PRIu64 ": %d", i, rc);
		CHECK(big.reads == popcount(i) && big.bad == 0,
		    "merkle_root %" PRIu64 ": %" PRIu64 " reads", i, big.reads);
		if (i == SMALL_N)
			break;
		merkle_leaf_hash(h, buf, leaf_data(buf, i));
		CHECK(memcmp(h, big_leaf[i], 32) == 0, "leaf %" PRIu64, i);
		if (i == SMALL_N / 2)
			copy = t;
		n = 0;
		rc = merkle_tree_append(&t, h, out, &n);
		CHECK(rc == MERKLE_OK, "append %" PRIu64 ": %d", i, rc);
		CHECK(n == 1 + trailing_ones(i), "append %" PRIu64
		    ": %zu nodes", i, n);
		for (k = 0; k < n && k < MERKLE_MAX_LEVELS; k++) {
			l = out[k].level;
			CHECK(l == k && out[k].index == i >> k, "append %"
			    PRIu64 " node %zu: (%u, %" PRIu64 ")", i, k, l,
			    out[k].index);
			if (l != k)
				continue;
			lo = out[k].index << l;
			ref_mth(&big_naive, lo, lo + (1ULL << l), want);
			CHECK(memcmp(out[k].hash, want, 32) == 0, "append %"
			    PRIu64 " node (%u, %" PRIu64 ")", i, l,
			    out[k].index);
		}
	}
	/* a copy is an independent tree; out may be NULL */
	for (i = SMALL_N / 2; i < SMALL_N; i++) {
		n = 99;
		rc = merkle_tree_append(&copy, big_leaf[i], NULL, &n);
		CHECK(rc == MERKLE_OK && n == 1 + trailing_ones(i),
		    "append without out %" PRIu64 ": rc %d n %zu", i, rc, n);
	}
	merkle_tree_root(&copy, root);
	merkle_tree_root(&t, want);
	T_ASSERT_MEM(root, want, 32);
	T_ASSERT_EQ(copy.size, t.size);
}

/*
 * merkle_subtree_hash of n = 1..256 hashes at several offsets is the root
 * of the tree built from those hashes alone; other n are refused.
 */
static void
test_subtree_hash(void)
{
	uint8_t			h[512][32], got[32], want[32];
	struct merkle_tree	t;
	size_t			n, off, i;
	uint32_t		v;

	for (i = 0; i < 512; i++) {
		v = (uint32_t)i;
		merkle_leaf_hash(h[i], &v, sizeof(v));
	}
	for (n = 1; n <= MERKLE_TILE_WIDTH; n *= 2)
		for (off = 0; off + n <= 512; off += 96) {
			merkle_tree_init(&t);
			for (i = 0; i < n; i++)
				merkle_tree_append(&t, h[off + i], NULL, NULL);
			merkle_tree_root(&t, want);
			CHECK(merkle_subtree_hash(
			    (const uint8_t (*)[32])h + off, n, got) ==
			    MERKLE_OK && memcmp(got, want, 32) == 0,
			    "n %zu at %zu", n, off);
		}
	T_ASSERT_EQ(merkle_subtree_hash((const uint8_t (*)[32])h, 0, got),
	    MERKLE_EINVAL);
	T_ASSERT_EQ(merkle_subtree_hash((const uint8_t (*)[32])h, 3, got),
	    MERKLE_EINVAL);
	T_ASSERT_EQ(merkle_subtree_hash((const uint8_t (*)[32])h, 512, got),
	    MERKLE_EINVAL);
}

/* merkle_range_hash over every range of the first 64 leaves. */
static void
test_range_hash(void)
{
	uint8_t		h[32], want[32];
	uint64_t	s, e, w, unaligned = 0;
	int		rc;

	big_build();
	for (s = 0; s < 64; s++)
		for (e = s + 1; e <= 64; e++) {
			for (w = 1; w < e - s; w <<= 1)
				;
			store_arm(&big, e);
			rc = merkle_range_hash(store_get, &big, s, e, h);
			/*
			 * merkle.h only promises aligned ranges. Others
			 * may be refused, or hashed as the list D[s:e].
			 */
			if (s % w != 0) {
				CHECK(rc == MERKLE_EINVAL || rc == MERKLE_OK,
				    "unaligned [%" PRIu64 ", %" PRIu64 "): %d",
				    s, e, rc);
				if (rc != MERKLE_OK)
					continue;
				unaligned++;
			}
			ref_mth(&big_naive, s, e, want);
			CHECK(rc == MERKLE_OK && memcmp(h, want, 32) == 0,
			    "[%" PRIu64 ", %" PRIu64 "): %d", s, e, rc);
			CHECK(big.reads == popcount(e - s) && big.bad == 0,
			    "[%" PRIu64 ", %" PRIu64 "): %" PRIu64 " reads",
			    s, e, big.reads);
		}
	printf("# range_hash: %" PRIu64 " unaligned ranges of the first 64 "
	    "leaves accepted (as the MTH of D[start:end])\n", unaligned);
	store_arm(&big, BIG_N);
	T_ASSERT_EQ(merkle_range_hash(store_get, &big, 5, 3, h),
	    MERKLE_EINVAL);
	T_ASSERT_EQ(merkle_range_hash(store_get, &big, UINT64_MAX, 0, h),
	    MERKLE_EINVAL);
	T_ASSERT_EQ(big.reads, 0);
	/* at the top of a 64-bit tree */
	store_arm(&vstore, UINT64_MAX);
	rc = merkle_range_hash(store_get, &vstore, 1ULL << 63, UINT64_MAX, h);
	ref_mth(&virt_ref, 1ULL << 63, UINT64_MAX, want);
	CHECK(rc == MERKLE_OK && memcmp(h, want, 32) == 0 &&
	    vstore.reads == 63 && vstore.bad == 0, "[2^63, 2^64-1): %d", rc);
	store_arm(&vstore, UINT64_MAX);
	rc = merkle_range_hash(store_get, &vstore, 0, 1ULL << 63, h);
	CHECK(rc == MERKLE_OK && memcmp(h, vz[63], 32) == 0 &&
	    vstore.reads == 1, "[0, 2^63): %d", rc);
	store_arm(&vstore, UINT64_MAX);
	rc = merkle_range_hash(store_get, &vstore, 1ULL << 62,
	    (1ULL << 62) * 3, h);
	CHECK(rc == MERKLE_EINVAL, "[2^62, 3*2^62): %d", rc);
	store_arm(&vstore, UINT64_MAX);
	rc = merkle_range_hash(store_get, &vstore, 1, 3, h);
	CHECK(rc == MERKLE_EINVAL, "[1, 3): %d", rc);
}

static void
test_exhaustive_inclusion(void)
{
	struct merkle_proof	p, want;
	uint8_t			root[EXH_N + 1][32];
	uint64_t		n, i;
	int			rc;

	big_build();
	for (n = 0; n <= EXH_N; n++)
		ref_mth(&big_naive, 0, n, root[n]);
	for (n = 1; n <= EXH_N; n++)
		for (i = 0; i < n; i++) {
			store_arm(&big, n);
			rc = merkle_prove_inclusion(store_get, &big, i, n, &p);
			CHECK(rc == MERKLE_OK && big.bad == 0, "prove %" PRIu64
			    " in %" PRIu64 ": %d", i, n, rc);
			CHECK(big.reads <= max_reads(n), "prove %" PRIu64
			    " in %" PRIu64 ": %" PRIu64 " reads", i, n,
			    big.reads);
			ref_inclusion(&big_naive, i, n, &want);
			CHECK(proof_eq(&p, &want), "prove %" PRIu64 " in %"
			    PRIu64 ": not RFC 6962 PATH (%zu vs %zu hashes)",
			    i, n, p.n, want.n);
			CHECK(merkle_inclusion_len(i, n) == want.n &&
			    ref_inclusion_len(i, n) == want.n,
			    "inclusion_len(%" PRIu64 ", %" PRIu64 ") = %zu",
			    i, n, merkle_inclusion_len(i, n));
			rc = merkle_verify_inclusion(i, n, big_leaf[i], &want,
			    root[n]);
			CHECK(rc == MERKLE_OK, "verify %" PRIu64 " in %" PRIu64
			    ": %d", i, n, rc);
			CHECK(ref_verify_inclusion(i, n, big_leaf[i], &want,
			    root[n]), "reference %" PRIu64 " in %" PRIu64, i,
			    n);
		}
}

static void
test_exhaustive_consistency(void)
{
	struct merkle_proof	p, want;
	uint8_t			root[EXH_N + 1][32];
	uint64_t		n, m;
	int			rc;

	big_build();
	for (n = 0; n <= EXH_N; n++)
		ref_mth(&big_naive, 0, n, root[n]);
	for (n = 0; n <= EXH_N; n++)
		for (m = 0; m <= n; m++) {
			store_arm(&big, n);
			p.n = 99;
			rc = merkle_prove_consistency(store_get, &big, m, n,
			    &p);
			CHECK(rc == MERKLE_OK && big.bad == 0, "prove %" PRIu64
			    " -> %" PRIu64 ": %d", m, n, rc);
			CHECK(big.reads <= max_reads(n), "prove %" PRIu64
			    " -> %" PRIu64 ": %" PRIu64 " reads", m, n,
			    big.reads);
			ref_consistency(&big_naive, m, n, &want);
			CHECK(proof_eq(&p, &want), "prove %" PRIu64 " -> %"
			    PRIu64 ": not RFC 6962 PROOF (%zu vs %zu hashes)",
			    m, n, p.n, want.n);
			CHECK(merkle_consistency_len(m, n) == want.n &&
			    ref_consistency_len(m, n) == want.n,
			    "consistency_len(%" PRIu64 ", %" PRIu64 ") = %zu",
			    m, n, merkle_consistency_len(m, n));
			rc = merkle_verify_consistency(m, n, root[m], root[n],
			    &want);
			if (m == 0 && n > 0) {
				CHECK(rc < 0, "verify 0 -> %" PRIu64 ": %d",
				    n, rc);
				continue;
			}
			CHECK(rc == MERKLE_OK, "verify %" PRIu64 " -> %" PRIu64
			    ": %d", m, n, rc);
			CHECK(ref_verify_consistency(m, n, root[m], root[n],
			    &want), "reference %" PRIu64 " -> %" PRIu64, m, n);
		}
}

/* Whether bit b of a hash is flipped in this round: all, or one a byte. */
static int
flip_bit(size_t b, size_t salt, int allbits)
{
	return allbits || b % 8 == (b / 8 + salt) % 8;
}

/* Insert h at pos into a copy of p. */
static void
proof_insert(struct merkle_proof *q, const struct merkle_proof *p,
    size_t pos, const uint8_t h[32])
{
	q->n = p->n + 1;
	memcpy(q->path, p->path, pos * 32);
	memcpy(q->path[pos], h, 32);
	memcpy(q->path[pos + 1], p->path[pos], (p->n - pos) * 32);
}

static void
proof_drop(struct merkle_proof *q, const struct merkle_proof *p, size_t pos)
{
	q->n = p->n - 1;
	memcpy(q->path, p->path, pos * 32);
	memcpy(q->path[pos], p->path[pos + 1], (p->n - pos - 1) * 32);
}

/*
 * Every single-bit change of a proof hash, the leaf or the root; other
 * indexes and sizes; a hash more or less; neighbours swapped. An index
 * or size change is refused unless that tree shape folds the very same
 * hash chain (e.g. leaf 0 of 7 and of 8), which RFC 9162 accepts: the
 * reference verifier decides those.
 */
static void
mutate_inclusion(uint64_t idx, uint64_t size, const uint8_t leaf[32],
    const struct merkle_proof *p, const uint8_t root[32], int allbits)
{
	struct merkle_proof	q;
	uint8_t			l[32], r[32], x[32], *target;
	uint64_t		idxs[14], sizes[14], i2, s2;
	size_t			j, b, k, ni, ns;
	int			rc, want;

	rc = merkle_verify_inclusion(idx, size, leaf, p, root);
	CHECK(rc == MERKLE_OK, "unmutated %" PRIu64 " in %" PRIu64 ": %d",
	    idx, size, rc);
	q = *p;
	memcpy(l, leaf, 32);
	memcpy(r, root, 32);
	for (j = 0; j < p->n + 2; j++) {
		target = j < p->n ? q.path[j] : j == p->n ? l : r;
		for (b = 0; b < 256; b++) {
			if (!flip_bit(b, j, allbits))
				continue;
			target[b / 8] ^= (uint8_t)(1 << (b % 8));
			rc = merkle_verify_inclusion(idx, size, l, &q, r);
			target[b / 8] ^= (uint8_t)(1 << (b % 8));
			n_rejected++;
			CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " in %" PRIu64
			    ", bit %zu of hash %zu (of %zu + leaf + root): %d",
			    idx, size, b, j, p->n, rc);
		}
	}
	ni = 0;
	idxs[ni++] = idx + 1;
	idxs[ni++] = idx - 1;
	idxs[ni++] = idx ^ 1;
	idxs[ni++] = idx ^ 2;
	idxs[ni++] = idx ^ 4;
	idxs[ni++] = idx ^ 8;
	idxs[ni++] = idx << 1;
	idxs[ni++] = idx >> 1;
	idxs[ni++] = size;
	idxs[ni++] = size - 1;
	idxs[ni++] = size + 1;
	idxs[ni++] = 0;
	idxs[ni++] = UINT64_MAX;
	ns = 0;
	sizes[ns++] = size + 1;
	sizes[ns++] = size - 1;
	sizes[ns++] = size ^ 1;
	sizes[ns++] = size ^ 2;
	sizes[ns++] = size ^ 4;
	sizes[ns++] = size * 2;
	sizes[ns++] = size / 2;
	sizes[ns++] = size + 2;
	sizes[ns++] = idx;
	sizes[ns++] = idx + 1;
	sizes[ns++] = 0;
	sizes[ns++] = UINT64_MAX;
	sizes[ns++] = size + 8;
	for (j = 0; j <= ni; j++)
		for (k = 0; k <= ns; k++) {
			i2 = j < ni ? idxs[j] : idx;
			s2 = k < ns ? sizes[k] : size;
			if (i2 == idx && s2 == size)
				continue;
			rc = merkle_verify_inclusion(i2, s2, leaf, p, root);
			n_rejected++;
			if (i2 >= s2) {
				CHECK(rc == MERKLE_EINVAL, "index %" PRIu64
				    " >= size %" PRIu64 ": %d", i2, s2, rc);
				continue;
			}
			want = ref_verify_inclusion(i2, s2, leaf, p, root);
			if (want) {
				n_aliases++;
				n_rejected--;
			}
			CHECK(want ? rc == MERKLE_OK : rc == MERKLE_EPROOF ||
			    rc == MERKLE_ESIZE, "proof of %" PRIu64 " in %"
			    PRIu64 " as %" PRIu64 " in %" PRIu64 ": %d, "
			    "reference %s", idx, size, i2, s2, rc,
			    want ? "accepts" : "refuses");
			if (p->n != ref_inclusion_len(i2, s2))
				CHECK(rc == MERKLE_ESIZE, "proof of %" PRIu64
				    " in %" PRIu64 " as %" PRIu64 " in %" PRIu64
				    ": %d, want ESIZE", idx, size, i2, s2, rc);
		}
	for (j = 0; j <= p->n && p->n < MERKLE_MAX_PROOF; j++)
		for (k = 0; k < 4; k++) {
			if (k == 3 && p->n == 0)
				continue;
			if (k == 0)
				random_hash(x);
			else
				memcpy(x, k == 1 ? leaf : k == 2 ? root :
				    p->path[j < p->n ? j : j - 1], 32);
			proof_insert(&q, p, j, x);
			rc = merkle_verify_inclusion(idx, size, leaf, &q, root);
			n_rejected++;
			CHECK(rc == MERKLE_ESIZE, "%" PRIu64 " in %" PRIu64
			    ": hash inserted at %zu: %d", idx, size, j, rc);
		}
	for (j = 0; j < p->n; j++) {
		proof_drop(&q, p, j);
		rc = merkle_verify_inclusion(idx, size, leaf, &q, root);
		n_rejected++;
		CHECK(rc == MERKLE_ESIZE, "%" PRIu64 " in %" PRIu64
		    ": hash %zu dropped: %d", idx, size, j, rc);
	}
	for (j = 0; j + 1 < p->n; j++) {
		q = *p;
		memcpy(q.path[j], p->path[j + 1], 32);
		memcpy(q.path[j + 1], p->path[j], 32);
		rc = merkle_verify_inclusion(idx, size, leaf, &q, root);
		n_rejected++;
		CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " in %" PRIu64
		    ": hashes %zu, %zu swapped: %d", idx, size, j, j + 1, rc);
	}
	if (memcmp(leaf, root, 32) != 0) {
		rc = merkle_verify_inclusion(idx, size, root, p, leaf);
		n_rejected++;
		CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " in %" PRIu64
		    ": leaf and root swapped: %d", idx, size, rc);
	}
}

static void
mutate_consistency(uint64_t m, uint64_t n, const uint8_t r1[32],
    const uint8_t r2[32], const struct merkle_proof *p, int allbits)
{
	struct merkle_proof	q;
	uint8_t			a[32], b2[32], x[32], *target;
	uint64_t		olds[12], news[12], m2, n2;
	size_t			j, b, k, no, nn;
	int			rc, want;

	rc = merkle_verify_consistency(m, n, r1, r2, p);
	CHECK(rc == MERKLE_OK, "unmutated %" PRIu64 " -> %" PRIu64 ": %d",
	    m, n, rc);
	q = *p;
	memcpy(a, r1, 32);
	memcpy(b2, r2, 32);
	for (j = 0; j < p->n + 2; j++) {
		target = j < p->n ? q.path[j] : j == p->n ? a : b2;
		for (b = 0; b < 256; b++) {
			if (!flip_bit(b, j, allbits))
				continue;
			target[b / 8] ^= (uint8_t)(1 << (b % 8));
			rc = merkle_verify_consistency(m, n, a, b2, &q);
			target[b / 8] ^= (uint8_t)(1 << (b % 8));
			n_rejected++;
			CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " -> %" PRIu64
			    ", bit %zu of hash %zu (of %zu + 2 roots): %d",
			    m, n, b, j, p->n, rc);
		}
	}
	if (memcmp(r1, r2, 32) != 0) {
		rc = merkle_verify_consistency(m, n, r2, r1, p);
		n_rejected++;
		CHECK(rc != MERKLE_OK, "%" PRIu64 " -> %" PRIu64
		    ": roots swapped: %d", m, n, rc);
	}
	no = 0;
	olds[no++] = m + 1;
	olds[no++] = m - 1;
	olds[no++] = m ^ 1;
	olds[no++] = m ^ 2;
	olds[no++] = m ^ 4;
	olds[no++] = m * 2;
	olds[no++] = m / 2;
	olds[no++] = 0;
	olds[no++] = n;
	olds[no++] = n + 1;
	olds[no++] = UINT64_MAX;
	nn = 0;
	news[nn++] = n + 1;
	news[nn++] = n - 1;
	news[nn++] = n ^ 1;
	news[nn++] = n ^ 2;
	news[nn++] = n * 2;
	news[nn++] = n / 2;
	news[nn++] = m;
	news[nn++] = m - 1;
	news[nn++] = 0;
	news[nn++] = UINT64_MAX;
	news[nn++] = n + 8;
	for (j = 0; j <= no; j++)
		for (k = 0; k <= nn; k++) {
			m2 = j < no ? olds[j] : m;
			n2 = k < nn ? news[k] : n;
			if (m2 == m && n2 == n)
				continue;
			rc = merkle_verify_consistency(m2, n2, r1, r2, p);
			n_rejected++;
			if (m2 > n2) {
				CHECK(rc == MERKLE_EINVAL, "old %" PRIu64
				    " > new %" PRIu64 ": %d", m2, n2, rc);
				continue;
			}
			want = ref_verify_consistency(m2, n2, r1, r2, p);
			if (want) {
				n_aliases++;
				n_rejected--;
			}
			CHECK(want ? rc == MERKLE_OK : rc < 0, "proof %" PRIu64
			    " -> %" PRIu64 " as %" PRIu64 " -> %" PRIu64
			    ": %d, reference %s", m, n, m2, n2, rc,
			    want ? "accepts" : "refuses");
			if (m2 > 0 && m2 < n2 &&
			    p->n != ref_consistency_len(m2, n2))
				CHECK(rc == MERKLE_ESIZE, "proof %" PRIu64
				    " -> %" PRIu64 " as %" PRIu64 " -> %" PRIu64
				    ": %d, want ESIZE", m, n, m2, n2, rc);
		}
	for (j = 0; j <= p->n && p->n < MERKLE_MAX_PROOF; j++)
		for (k = 0; k < 4; k++) {
			if (k == 3 && p->n == 0)
				continue;
			if (k == 0)
				random_hash(x);
			else
				memcpy(x, k == 1 ? r1 : k == 2 ? r2 :
				    p->path[j < p->n ? j : j - 1], 32);
			proof_insert(&q, p, j, x);
			rc = merkle_verify_consistency(m, n, r1, r2, &q);
			n_rejected++;
			if (m < n)
				CHECK(rc == MERKLE_ESIZE, "%" PRIu64 " -> %"
				    PRIu64 ": hash inserted at %zu: %d", m, n,
				    j, rc);
			else
				CHECK(rc < 0, "%" PRIu64 " -> %" PRIu64
				    ": hash inserted at %zu: %d", m, n, j, rc);
		}
	for (j = 0; j < p->n; j++) {
		proof_drop(&q, p, j);
		rc = merkle_verify_consistency(m, n, r1, r2, &q);
		n_rejected++;
		CHECK(rc == MERKLE_ESIZE, "%" PRIu64 " -> %" PRIu64
		    ": hash %zu dropped: %d", m, n, j, rc);
	}
	for (j = 0; j + 1 < p->n; j++) {
		q = *p;
		memcpy(q.path[j], p->path[j + 1], 32);
		memcpy(q.path[j + 1], p->path[j], 32);
		rc = merkle_verify_consistency(m, n, r1, r2, &q);
		n_rejected++;
		CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " -> %" PRIu64
		    ": hashes %zu, %zu swapped: %d", m, n, j, j + 1, rc);
	}
}

static void
test_mutation(void)
{
	struct merkle_proof	p;
	uint8_t			root[MUT_N + 1][32];
	uint64_t		n, i, rejected = n_rejected;
	uint64_t		aliases = n_aliases;
	int			rc;

	big_build();
	for (n = 0; n <= MUT_N; n++)
		ref_mth(&big_naive, 0, n, root[n]);
	for (n = 1; n <= MUT_N; n++)
		for (i = 0; i < n; i++) {
			store_arm(&big, n);
			rc = merkle_prove_inclusion(store_get, &big, i, n, &p);
			CHECK(rc == MERKLE_OK, "prove %" PRIu64 " in %" PRIu64
			    ": %d", i, n, rc);
			if (rc == MERKLE_OK)
				mutate_inclusion(i, n, big_leaf[i], &p, root[n],
				    n <= ALLBITS_N);
		}
	for (n = 1; n <= MUT_N; n++)
		for (i = 1; i <= n; i++) {
			store_arm(&big, n);
			rc = merkle_prove_consistency(store_get, &big, i, n,
			    &p);
			CHECK(rc == MERKLE_OK, "prove %" PRIu64 " -> %" PRIu64
			    ": %d", i, n, rc);
			if (rc == MERKLE_OK)
				mutate_consistency(i, n, root[i], root[n], &p,
				    n <= ALLBITS_N);
		}
	printf("# mutation: %" PRIu64 " mutated proofs refused, %" PRIu64
	    " index/size changes folding the same hash chain accepted\n",
	    n_rejected - rejected, n_aliases - aliases);
}

/* A failing node callback aborts every call with MERKLE_ENODE. */
static void
test_node_failure(void)
{
	struct merkle_proof	p;
	uint8_t			h[32];
	uint64_t		n, i, k, reads = 0;
	int			rc, kind;

	big_build();
	for (kind = 0; kind < 3; kind++)
		for (n = 1; n <= MUT_N; n++)
			for (i = kind == 0 ? 0 : 1; i <= n; i++) {
				if (kind == 0 && i == n)
					continue;
				if (kind == 2 && i > 1)
					break;
				for (k = 0;; k++) {
					store_arm(&big, n);
					big.fail_at = k;
					if (kind == 0)
						rc = merkle_prove_inclusion(
						    store_get, &big, i, n, &p);
					else if (kind == 1)
						rc = merkle_prove_consistency(
						    store_get, &big, i, n, &p);
					else
						rc = merkle_root(store_get,
						    &big, n, h);
					if (k == 0) {
						CHECK(rc == MERKLE_OK, "kind %d"
						    " %" PRIu64 " %" PRIu64
						    ": %d", kind, i, n, rc);
						reads = big.reads;
						if (reads == 0)
							break;
						continue;
					}
					CHECK(rc == MERKLE_ENODE, "kind %d %"
					    PRIu64 " %" PRIu64 ", read %" PRIu64
					    " of %" PRIu64 " fails: %d", kind,
					    i, n, k, reads, rc);
					CHECK(big.reads == k, "kind %d: %"
					    PRIu64 " reads after a failure at %"
					    PRIu64, kind, big.reads, k);
					if (k == reads)
						break;
				}
			}
	store_arm(&big, 64);
	big.fail_at = 1;
	rc = merkle_range_hash(store_get, &big, 32, 64, h);
	T_ASSERT_EQ(rc, MERKLE_ENODE);
	/* a store without the node: also ENODE */
	store_arm(&big, 10);
	big.quiet = 1;
	rc = merkle_prove_inclusion(store_get, &big, 3, 12, &p);
	T_ASSERT_EQ(rc, MERKLE_ENODE);
	store_arm(&big, BIG_N);
	big.quiet = 1;
	rc = merkle_root(store_get, &big, (uint64_t)BIG_N + 1, h);
	T_ASSERT_EQ(rc, MERKLE_ENODE);
	big.bad = 0;
}

static void
test_edge_cases(void)
{
	static const uint64_t	 sizes[] = { 0, 1, 2, 7, 8, 1ULL << 63,
	    UINT64_MAX };
	struct merkle_proof	 p, *hp;
	uint8_t			 r1[32], r2[32], leaf[32];
	size_t			 i, j, len;
	int			 rc;

	big_build();
	memset(&p, 0, sizeof(p));
	memcpy(leaf, big_leaf[0], 32);
	memcpy(r1, big_root[8], 32);
	memcpy(r2, big_root[8], 32);
	/* index >= size */
	for (i = 0; i < T_NCASES(sizes); i++) {
		uint64_t bad[3] = { sizes[i], sizes[i] + 5, UINT64_MAX };

		for (j = 0; j < 3; j++) {
			if (bad[j] < sizes[i])
				continue;
			store_arm(&big, BIG_N);
			rc = merkle_prove_inclusion(store_get, &big, bad[j],
			    sizes[i], &p);
			CHECK(rc == MERKLE_EINVAL && big.reads == 0,
			    "prove %" PRIu64 " in %" PRIu64 ": %d", bad[j],
			    sizes[i], rc);
			p.n = 0;
			rc = merkle_verify_inclusion(bad[j], sizes[i], leaf, &p,
			    r1);
			CHECK(rc == MERKLE_EINVAL, "verify %" PRIu64 " in %"
			    PRIu64 ": %d", bad[j], sizes[i], rc);
			p.n = 3;
			rc = merkle_verify_inclusion(bad[j], sizes[i], leaf, &p,
			    r1);
			CHECK(rc == MERKLE_EINVAL, "verify %" PRIu64 " in %"
			    PRIu64 ": %d", bad[j], sizes[i], rc);
		}
	}
	/* old > new */
	for (i = 0; i < T_NCASES(sizes); i++)
		for (j = 0; j < T_NCASES(sizes); j++) {
			if (sizes[i] <= sizes[j])
				continue;
			store_arm(&big, BIG_N);
			rc = merkle_prove_consistency(store_get, &big, sizes[i],
			    sizes[j], &p);
			CHECK(rc == MERKLE_EINVAL && big.reads == 0,
			    "prove %" PRIu64 " -> %" PRIu64 ": %d", sizes[i],
			    sizes[j], rc);
			for (len = 0; len < 3; len++) {
				p.n = len;
				rc = merkle_verify_consistency(sizes[i],
				    sizes[j], r1, r2, &p);
				CHECK(rc == MERKLE_EINVAL, "verify %" PRIu64
				    " -> %" PRIu64 ": %d", sizes[i], sizes[j],
				    rc);
			}
		}
	/* old == new and old == 0: empty proofs, nothing read */
	for (i = 0; i < T_NCASES(sizes); i++) {
		store_arm(&big, BIG_N);
		p.n = 7;
		rc = merkle_prove_consistency(store_get, &big, sizes[i],
		    sizes[i], &p);
		CHECK(rc == MERKLE_OK && p.n == 0 && big.reads == 0,
		    "prove %" PRIu64 " -> itself: %d", sizes[i], rc);
		p.n = 7;
		rc = merkle_prove_consistency(store_get, &big, 0, sizes[i], &p);
		CHECK(rc == MERKLE_OK && p.n == 0 && big.reads == 0,
		    "prove 0 -> %" PRIu64 ": %d", sizes[i], rc);
		T_ASSERT_EQ(merkle_consistency_len(sizes[i], sizes[i]), 0);
		T_ASSERT_EQ(merkle_consistency_len(0, sizes[i]), 0);
		p.n = 0;
		rc = merkle_verify_consistency(sizes[i], sizes[i], r1, r1, &p);
		CHECK(rc == MERKLE_OK, "verify %" PRIu64 " -> itself: %d",
		    sizes[i], rc);
		r2[5] ^= 0x10;
		rc = merkle_verify_consistency(sizes[i], sizes[i], r1, r2, &p);
		r2[5] ^= 0x10;
		CHECK(rc == MERKLE_EPROOF, "verify %" PRIu64 " -> itself, "
		    "roots differ: %d", sizes[i], rc);
		p.n = 1;
		memcpy(p.path[0], r1, 32);
		rc = merkle_verify_consistency(sizes[i], sizes[i], r1, r1, &p);
		CHECK(rc < 0, "verify %" PRIu64 " -> itself, one hash: %d",
		    sizes[i], rc);
		if (sizes[i] == 0)
			continue;
		/* old == 0 < new proves nothing, whatever the proof */
		merkle_empty_root(r2);
		for (len = 0; len < 3; len++) {
			p.n = len;
			for (j = 0; j < len; j++)
				memcpy(p.path[j], r2, 32);
			rc = merkle_verify_consistency(0, sizes[i], r2, r2, &p);
			CHECK(rc < 0, "verify 0 -> %" PRIu64 " with %zu "
			    "hashes: %d", sizes[i], len, rc);
			rc = merkle_verify_consistency(0, sizes[i], r2, r1, &p);
			CHECK(rc < 0, "verify 0 -> %" PRIu64 " with %zu "
			    "hashes: %d", sizes[i], len, rc);
		}
		memcpy(r2, r1, 32);
	}
	/* 0 < old < new with an empty proof */
	p.n = 0;
	T_ASSERT_EQ(merkle_verify_consistency(1, 2, r1, r2, &p), MERKLE_ESIZE);
	T_ASSERT_EQ(merkle_verify_consistency(4, 8, r1, r1, &p), MERKLE_ESIZE);
	/*
	 * p->n beyond MERKLE_MAX_PROOF: refused, and nothing read past the
	 * array (a heap proof of exact size lets ASan see an overread).
	 */
	if ((hp = malloc(sizeof(*hp))) == NULL)
		abort();
	store_arm(&big, 8);
	T_ASSERT_EQ(merkle_prove_inclusion(store_get, &big, 0, 8, hp),
	    MERKLE_OK);
	for (i = 0; i < 4; i++) {
		static const size_t ns[4] = { MERKLE_MAX_PROOF + 1,
		    MERKLE_MAX_PROOF + 100, SIZE_MAX / 32 + 1, SIZE_MAX };

		hp->n = ns[i];
		rc = merkle_verify_inclusion(0, 8, big_leaf[0], hp,
		    big_root[8]);
		CHECK(rc == MERKLE_ESIZE, "inclusion with n = %zu: %d", ns[i],
		    rc);
		rc = merkle_verify_inclusion(5, UINT64_MAX, big_leaf[0], hp,
		    big_root[8]);
		CHECK(rc == MERKLE_ESIZE, "inclusion with n = %zu: %d", ns[i],
		    rc);
		rc = merkle_verify_consistency(1, 8, big_root[1], big_root[8],
		    hp);
		CHECK(rc == MERKLE_ESIZE, "consistency with n = %zu: %d",
		    ns[i], rc);
		rc = merkle_verify_consistency(3, UINT64_MAX, big_root[3],
		    big_root[8], hp);
		CHECK(rc == MERKLE_ESIZE, "consistency with n = %zu: %d",
		    ns[i], rc);
		rc = merkle_verify_consistency(8, 8, big_root[8], big_root[8],
		    hp);
		CHECK(rc < 0, "consistency 8 -> 8 with n = %zu: %d", ns[i],
		    rc);
	}
	hp->n = MERKLE_MAX_PROOF;
	rc = merkle_verify_inclusion(0, UINT64_MAX, big_leaf[0], hp,
	    big_root[8]);
	CHECK(rc == MERKLE_ESIZE, "inclusion with n = %d: %d",
	    MERKLE_MAX_PROOF, rc);
	free(hp);
	/* proof lengths at the edges */
	T_ASSERT_EQ(merkle_inclusion_len(0, 1), 0);
	T_ASSERT_EQ(merkle_inclusion_len(0, 2), 1);
	T_ASSERT_EQ(merkle_inclusion_len(0, UINT64_MAX), 64);
	T_ASSERT_EQ(merkle_inclusion_len(UINT64_MAX - 1, UINT64_MAX), 63);
	T_ASSERT_EQ(merkle_inclusion_len((1ULL << 63) - 1, 1ULL << 63), 63);
	T_ASSERT_EQ(merkle_consistency_len(1, 2), 1);
	T_ASSERT_EQ(merkle_consistency_len(1, UINT64_MAX), 64);
	T_ASSERT_EQ(merkle_consistency_len(UINT64_MAX - 1, UINT64_MAX),
	    ref_consistency_len(UINT64_MAX - 1, UINT64_MAX));
	T_ASSERT_EQ(merkle_consistency_len(3, UINT64_MAX),
	    ref_consistency_len(3, UINT64_MAX));
}

/* Appends that finish 64 subtrees at once, and the last possible one. */
static void
test_append_limits(void)
{
	struct merkle_tree	t, before;
	struct merkle_node	out[MERKLE_MAX_LEVELS];
	uint8_t			root[32], want[32];
	size_t			n, k;
	unsigned		l;
	int			rc;

	merkle_tree_init(&t);
	t.size = (1ULL << 63) - 1;
	for (l = 0; l < 63; l++)
		memcpy(t.sub[l], vz[l], 32);
	merkle_tree_root(&t, root);
	ref_mth(&virt_ref, 0, t.size, want);
	T_ASSERT_MEM(root, want, 32);
	n = 0;
	rc = merkle_tree_append(&t, vz[0], out, &n);
	T_ASSERT_EQ(rc, MERKLE_OK);
	T_ASSERT_EQ(n, 64);
	for (k = 0; k < n && k < MERKLE_MAX_LEVELS; k++)
		CHECK(out[k].level == k &&
		    out[k].index == ((1ULL << 63) - 1) >> k &&
		    memcmp(out[k].hash, vz[k], 32) == 0,
		    "node %zu: (%u, %" PRIu64 ")", k, out[k].level,
		    out[k].index);
	T_ASSERT_EQ(t.size, 1ULL << 63);
	merkle_tree_root(&t, root);
	T_ASSERT_MEM(root, vz[63], 32);
	rc = merkle_tree_append(&t, vz[0], out, &n);
	T_ASSERT(rc == MERKLE_OK && n == 1);
	merkle_tree_root(&t, root);
	ref_node(want, vz[63], vz[0]);
	T_ASSERT_MEM(root, want, 32);

	/* 2^64 - 2 -> 2^64 - 1, then full */
	merkle_tree_init(&t);
	t.size = UINT64_MAX - 1;
	for (l = 1; l < 64; l++)
		memcpy(t.sub[l], vz[l], 32);
	rc = merkle_tree_append(&t, vz[0], out, &n);
	T_ASSERT(rc == MERKLE_OK && n == 1);
	T_ASSERT(out[0].level == 0 && out[0].index == UINT64_MAX - 1);
	T_ASSERT_EQ(t.size, UINT64_MAX);
	merkle_tree_root(&t, root);
	ref_mth(&virt_ref, 0, UINT64_MAX, want);
	T_ASSERT_MEM(root, want, 32);
	before = t;
	rc = merkle_tree_append(&t, vz[0], out, &n);
	T_ASSERT_EQ(rc, MERKLE_EINVAL);
	T_ASSERT(memcmp(&t, &before, sizeof(t)) == 0);
	rc = merkle_tree_append(&t, vz[0], NULL, &n);
	T_ASSERT_EQ(rc, MERKLE_EINVAL);
	merkle_tree_root(&t, root);
	T_ASSERT_MEM(root, want, 32);
}

/* A random size in [1, max]: small, near a power of two, or uniform. */
static uint64_t
rand_size(uint64_t max)
{
	uint64_t	s;

	switch (t_rand_below(4)) {
	case 0:
		s = 1 + t_rand_below(64);
		break;
	case 1:
		s = (1ULL << t_rand_below(bitlen(max))) + t_rand_below(5) - 2;
		break;
	case 2:
		s = max - t_rand_below(3);
		break;
	default:
		s = 1 + t_rand_below(max);
		break;
	}
	if (s == 0 || s > max)
		s = s == 0 ? 1 : max;
	return s;
}

/* A random size anywhere in [1, 2^64 - 1]. */
static uint64_t
rand_size64(void)
{
	uint64_t	s;

	switch (t_rand_below(5)) {
	case 0:
		s = t_rand();
		break;
	case 1:
		s = t_rand() >> t_rand_below(64);
		break;
	case 2:
		s = (1ULL << t_rand_below(64)) + t_rand_below(5) - 2;
		break;
	case 3:
		s = UINT64_MAX - t_rand_below(4);
		break;
	default:
		s = 1 + t_rand_below(100);
		break;
	}
	return s == 0 ? 1 : s;
}

static uint64_t
rand_below_edge(uint64_t size)
{
	switch (t_rand_below(4)) {
	case 0:
		return 0;
	case 1:
		return size - 1;
	default:
		return t_rand_below(size);
	}
}

/* Flip one random bit of a random hash among proof, a and b. */
static void
flip_random(struct merkle_proof *p, uint8_t a[32], uint8_t b[32],
    size_t *which, size_t *bit)
{
	uint8_t	*target;

	*which = (size_t)t_rand_below(p->n + 2);
	*bit = (size_t)t_rand_below(256);
	target = *which < p->n ? p->path[*which] : *which == p->n ? a : b;
	target[*bit / 8] ^= (uint8_t)(1 << (*bit % 8));
}

/* Random proofs in the 100,001-leaf tree. */
static void
test_random_big(void)
{
	struct merkle_proof	p, want;
	uint8_t			a[32], b[32], h[32];
	uint64_t		k, size, idx, old, max_r = 0;
	size_t			which, bit;
	int			rc;

	big_build();
	for (k = 0; k < RAND_PROOFS; k++) {
		size = rand_size(BIG_N);
		idx = rand_below_edge(size);
		store_arm(&big, size);
		rc = merkle_prove_inclusion(store_get, &big, idx, size, &p);
		CHECK(rc == MERKLE_OK && big.bad == 0, "prove %" PRIu64
		    " in %" PRIu64 ": %d", idx, size, rc);
		CHECK(big.reads <= max_reads(size), "prove %" PRIu64 " in %"
		    PRIu64 ": %" PRIu64 " reads", idx, size, big.reads);
		if (big.reads > max_r)
			max_r = big.reads;
		ref_inclusion(&big_fast, idx, size, &want);
		CHECK(proof_eq(&p, &want) &&
		    p.n == merkle_inclusion_len(idx, size), "prove %" PRIu64
		    " in %" PRIu64 ": not RFC 6962 PATH", idx, size);
		memcpy(a, big_leaf[idx], 32);
		memcpy(b, big_root[size], 32);
		rc = merkle_verify_inclusion(idx, size, a, &p, b);
		CHECK(rc == MERKLE_OK, "verify %" PRIu64 " in %" PRIu64
		    ": %d", idx, size, rc);
		CHECK(ref_verify_inclusion(idx, size, a, &p, b),
		    "reference %" PRIu64 " in %" PRIu64, idx, size);
		flip_random(&p, a, b, &which, &bit);
		rc = merkle_verify_inclusion(idx, size, a, &p, b);
		CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " in %" PRIu64
		    ", bit %zu of hash %zu flipped: %d", idx, size, bit,
		    which, rc);
		if (k % 50 == 0) {
			store_arm(&big, size);
			rc = merkle_root(store_get, &big, size, h);
			CHECK(rc == MERKLE_OK && big.reads == popcount(size) &&
			    memcmp(h, big_root[size], 32) == 0,
			    "merkle_root %" PRIu64 ": %d", size, rc);
		}
	}
	for (k = 0; k < RAND_PROOFS; k++) {
		size = rand_size(BIG_N);
		switch (t_rand_below(4)) {
		case 0:
			old = 1ULL << t_rand_below(bitlen(size));
			break;
		case 1:
			old = size - t_rand_below(size < 3 ? size : 3);
			break;
		default:
			old = 1 + t_rand_below(size);
			break;
		}
		store_arm(&big, size);
		rc = merkle_prove_consistency(store_get, &big, old, size, &p);
		CHECK(rc == MERKLE_OK && big.bad == 0, "prove %" PRIu64
		    " -> %" PRIu64 ": %d", old, size, rc);
		CHECK(big.reads <= max_reads(size), "prove %" PRIu64 " -> %"
		    PRIu64 ": %" PRIu64 " reads", old, size, big.reads);
		if (big.reads > max_r)
			max_r = big.reads;
		ref_consistency(&big_fast, old, size, &want);
		CHECK(proof_eq(&p, &want) &&
		    p.n == merkle_consistency_len(old, size), "prove %" PRIu64
		    " -> %" PRIu64 ": not RFC 6962 PROOF", old, size);
		memcpy(a, big_root[old], 32);
		memcpy(b, big_root[size], 32);
		rc = merkle_verify_consistency(old, size, a, b, &p);
		CHECK(rc == MERKLE_OK, "verify %" PRIu64 " -> %" PRIu64
		    ": %d", old, size, rc);
		CHECK(ref_verify_consistency(old, size, a, b, &p),
		    "reference %" PRIu64 " -> %" PRIu64, old, size);
		flip_random(&p, a, b, &which, &bit);
		rc = merkle_verify_consistency(old, size, a, b, &p);
		CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " -> %" PRIu64
		    ", bit %zu of hash %zu flipped: %d", old, size, bit,
		    which, rc);
	}
	printf("# random: %d inclusion and %d consistency proofs in %d "
	    "leaves, at most %" PRIu64 " node reads\n", RAND_PROOFS,
	    RAND_PROOFS, BIG_N, max_r);
}

/* Proofs in virtual trees of 64-bit sizes vs the naive recursion. */
static void
test_virtual_64bit(void)
{
	struct merkle_proof	p, want;
	uint8_t			r1[32], r2[32], h[32];
	uint64_t		size, idx, old;
	size_t			which, bit;
	int			k, j, rc;

	for (k = 0; k < 200; k++) {
		size = k < 4 ? UINT64_MAX - (uint64_t)k : rand_size64();
		store_arm(&vstore, size);
		rc = merkle_root(store_get, &vstore, size, r2);
		ref_mth(&virt_ref, 0, size, h);
		CHECK(rc == MERKLE_OK && memcmp(r2, h, 32) == 0 &&
		    vstore.reads == popcount(size) && vstore.bad == 0,
		    "merkle_root %" PRIu64 ": %d", size, rc);
		for (j = 0; j < 3; j++) {
			idx = j == 0 ? size - 1 : rand_below_edge(size);
			store_arm(&vstore, size);
			rc = merkle_prove_inclusion(store_get, &vstore, idx,
			    size, &p);
			CHECK(rc == MERKLE_OK && vstore.bad == 0 &&
			    vstore.reads <= max_reads(size), "prove %" PRIu64
			    " in %" PRIu64 ": %d, %" PRIu64 " reads", idx,
			    size, rc, vstore.reads);
			ref_inclusion(&virt_ref, idx, size, &want);
			CHECK(proof_eq(&p, &want) &&
			    p.n == merkle_inclusion_len(idx, size),
			    "prove %" PRIu64 " in %" PRIu64 ": not PATH", idx,
			    size);
			memcpy(h, vz[0], 32);
			memcpy(r1, r2, 32);
			rc = merkle_verify_inclusion(idx, size, h, &p, r1);
			CHECK(rc == MERKLE_OK, "verify %" PRIu64 " in %" PRIu64
			    ": %d", idx, size, rc);
			flip_random(&p, h, r1, &which, &bit);
			rc = merkle_verify_inclusion(idx, size, h, &p, r1);
			CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " in %" PRIu64
			    ", bit %zu of %zu: %d", idx, size, bit, which, rc);

			switch (j) {
			case 0:
				old = size == 1 ? 1 : size - 1;
				break;
			case 1:
				old = 1ULL << t_rand_below(bitlen(size));
				break;
			default:
				old = 1 + t_rand_below(size);
				break;
			}
			store_arm(&vstore, size);
			rc = merkle_prove_consistency(store_get, &vstore, old,
			    size, &p);
			CHECK(rc == MERKLE_OK && vstore.bad == 0 &&
			    vstore.reads <= max_reads(size), "prove %" PRIu64
			    " -> %" PRIu64 ": %d, %" PRIu64 " reads", old,
			    size, rc, vstore.reads);
			ref_consistency(&virt_ref, old, size, &want);
			CHECK(proof_eq(&p, &want) &&
			    p.n == merkle_consistency_len(old, size),
			    "prove %" PRIu64 " -> %" PRIu64 ": not PROOF", old,
			    size);
			ref_mth(&virt_ref, 0, old, r1);
			memcpy(h, r2, 32);
			rc = merkle_verify_consistency(old, size, r1, h, &p);
			CHECK(rc == MERKLE_OK, "verify %" PRIu64 " -> %" PRIu64
			    ": %d", old, size, rc);
			flip_random(&p, r1, h, &which, &bit);
			rc = merkle_verify_consistency(old, size, r1, h, &p);
			CHECK(rc == MERKLE_EPROOF, "%" PRIu64 " -> %" PRIu64
			    ", bit %zu of %zu: %d", old, size, bit, which, rc);
		}
	}
}

/*
 * Synthetic proofs of random hashes at 64-bit sizes: the closed-form
 * reference folds them into roots, the library must agree.
 */
static void
test_synthetic_64bit(void)
{
	struct merkle_proof	p;
	uint8_t			leaf[32], root[32], r1[32], r2[32];
	uint64_t		size, idx, old;
	size_t			len, j, which, bit, maxlen = 0;
	int			k, rc;

	for (k = 0; k < 2000; k++) {
		size = rand_size64();
		idx = rand_below_edge(size);
		len = ref_inclusion_len(idx, size);
		CHECK(merkle_inclusion_len(idx, size) == len,
		    "inclusion_len(%" PRIu64 ", %" PRIu64 ") = %zu, want %zu",
		    idx, size, merkle_inclusion_len(idx, size), len);
		p.n = len;
		for (j = 0; j < len; j++)
			random_hash(p.path[j]);
		random_hash(leaf);
		if (ref_inclusion_root(idx, size, leaf, &p, root) != 0)
			abort();
		rc = merkle_verify_inclusion(idx, size, leaf, &p, root);
		CHECK(rc == MERKLE_OK, "synthetic %" PRIu64 " in %" PRIu64
		    ": %d", idx, size, rc);
		p.n = len + 1;
		random_hash(p.path[len]);
		rc = merkle_verify_inclusion(idx, size, leaf, &p, root);
		CHECK(rc == MERKLE_ESIZE, "synthetic %" PRIu64 " in %" PRIu64
		    " + 1 hash: %d", idx, size, rc);
		if (len > 0) {
			p.n = len - 1;
			rc = merkle_verify_inclusion(idx, size, leaf, &p, root);
			CHECK(rc == MERKLE_ESIZE, "synthetic %" PRIu64 " in %"
			    PRIu64 " - 1 hash: %d", idx, size, rc);
		}
		p.n = len;
		flip_random(&p, leaf, root, &which, &bit);
		rc = merkle_verify_inclusion(idx, size, leaf, &p, root);
		CHECK(rc == MERKLE_EPROOF, "synthetic %" PRIu64 " in %" PRIu64
		    ", bit %zu of %zu: %d", idx, size, bit, which, rc);

		size = rand_size64();
		if (size == 1)
			size = 2;
		old = rand_below_edge(size);
		if (old == 0)
			old = t_rand_below(2) ? 1 : size - 1;
		len = ref_consistency_len(old, size);
		if (len > maxlen)
			maxlen = len;
		CHECK(merkle_consistency_len(old, size) == len,
		    "consistency_len(%" PRIu64 ", %" PRIu64 ") = %zu, want %zu",
		    old, size, merkle_consistency_len(old, size), len);
		p.n = len;
		for (j = 0; j < len; j++)
			random_hash(p.path[j]);
		random_hash(root);
		if (ref_consistency_roots(old, size, root, &p, r1, r2) != 0)
			abort();
		rc = merkle_verify_consistency(old, size, r1, r2, &p);
		CHECK(rc == MERKLE_OK, "synthetic %" PRIu64 " -> %" PRIu64
		    ": %d", old, size, rc);
		if (len < MERKLE_MAX_PROOF) {
			p.n = len + 1;
			random_hash(p.path[len]);
			rc = merkle_verify_consistency(old, size, r1, r2, &p);
			CHECK(rc == MERKLE_ESIZE, "synthetic %" PRIu64 " -> %"
			    PRIu64 " + 1 hash: %d", old, size, rc);
		}
		p.n = len - 1;
		rc = merkle_verify_consistency(old, size, r1, r2, &p);
		CHECK(rc == MERKLE_ESIZE, "synthetic %" PRIu64 " -> %" PRIu64
		    " - 1 hash: %d", old, size, rc);
		p.n = len;
		flip_random(&p, r1, r2, &which, &bit);
		rc = merkle_verify_consistency(old, size, r1, r2, &p);
		CHECK(rc == MERKLE_EPROOF, "synthetic %" PRIu64 " -> %" PRIu64
		    ", bit %zu of %zu: %d", old, size, bit, which, rc);
	}
	CHECK(maxlen <= MERKLE_MAX_PROOF, "consistency length %zu", maxlen);
}

/* Tiles. */

/* Hashes a tree of size has at tile level level (tree level 8 level). */
static uint64_t
ref_level_hashes(uint64_t size, int level)
{
	if (level < 0)
		level = 0;
	return level >= 8 ? 0 : size >> (8 * level);
}

/* A tile exists at size if it existed, maybe partial, at some size <= size. */
static int
ref_tile_exists(const struct merkle_tile *t, uint64_t size)
{
	uint64_t	h = ref_level_hashes(size, t->level);

	if (t->level < MERKLE_TILE_ENTRIES || t->level > 63 ||
	    t->width < 1 || t->width > 256)
		return 0;
	return t->index <= h / 256 && t->width <= h - t->index * 256;
}

/* Whether every hash of t can exist in a tree of at most 2^64-1 leaves. */
static int
ref_tile_representable(const struct merkle_tile *t)
{
	return ref_tile_exists(t, UINT64_MAX);
}

static void
ref_tile_path(const struct merkle_tile *t, char *buf, size_t len)
{
	unsigned	g[8];
	uint64_t	n = t->index;
	size_t		off;
	int		ng = 0;

	do {
		g[ng++] = (unsigned)(n % 1000);
		n /= 1000;
	} while (n != 0);
	if (t->level == MERKLE_TILE_ENTRIES)
		off = (size_t)snprintf(buf, len, "tile/entries/");
	else
		off = (size_t)snprintf(buf, len, "tile/%d/", t->level);
	while (ng-- > 1)
		off += (size_t)snprintf(buf + off, len - off, "x%03u/", g[ng]);
	off += (size_t)snprintf(buf + off, len - off, "%03u", g[0]);
	if (t->width < 256)
		snprintf(buf + off, len - off, ".p/%u", t->width);
}

/* Parse len bytes from a heap copy with nothing after them (for ASan). */
static int
parse_exact(const char *s, size_t len, struct merkle_tile *t)
{
	char	*copy;
	int	 rc;

	if ((copy = malloc(len ? len : 1)) == NULL)
		abort();
	memcpy(copy, s, len);
	rc = merkle_tile_parse(copy, len, t);
	free(copy);
	return rc;
}

static void
test_tile_count(void)
{
	static const struct {
		uint64_t	size;
		unsigned	levels;
		uint64_t	full[3];
		unsigned	partial[3];
	} cases[] = {
		{ 0, 0, { 0 }, { 0 } },
		{ 1, 1, { 0 }, { 1 } },
		{ 255, 1, { 0 }, { 255 } },
		{ 256, 2, { 1, 0 }, { 0, 1 } },
		{ 257, 2, { 1, 0 }, { 1, 1 } },
		{ 65536, 3, { 256, 1, 0 }, { 0, 0, 1 } },
		{ 70000, 3, { 273, 1, 0 }, { 112, 17, 1 } },
		{ 1000000, 3, { 3906, 15, 0 }, { 64, 66, 15 } },
		{ UINT64_MAX, 8, { UINT64_MAX >> 8, UINT64_MAX >> 16,
		    UINT64_MAX >> 24 }, { 255, 255, 255 } },
	};
	static const unsigned	 high[] = { 64, 100, UINT_MAX };
	uint64_t		 full, size, h;
	unsigned		 partial, l;
	size_t			 i, k;

	for (i = 0; i < T_NCASES(cases); i++) {
		size = cases[i].size;
		CHECK(merkle_tile_levels(size) == cases[i].levels,
		    "levels(%" PRIu64 ") = %u", size, merkle_tile_levels(size));
		for (l = 0; l < 3; l++) {
			full = 99;
			partial = 99;
			merkle_tile_count(size, l, &full, &partial);
			CHECK(full == cases[i].full[l] &&
			    partial == cases[i].partial[l], "count(%" PRIu64
			    ", %u) = (%" PRIu64 ", %u)", size, l, full,
			    partial);
		}
	}
	for (i = 0; i < 5000; i++) {
		size = i < 300 ? i : rand_size64();
		l = size == 0 ? 0 : (bitlen(size) + 7) / 8;
		CHECK(merkle_tile_levels(size) == l, "levels(%" PRIu64 ") = %u",
		    size, merkle_tile_levels(size));
		for (l = 0; l < 64 + T_NCASES(high); l++) {
			k = l < 64 ? l : high[l - 64];
			h = k < 8 ? size >> (8 * k) : 0;
			merkle_tile_count(size, (unsigned)k, &full, &partial);
			CHECK(full == h / 256 && partial == h % 256,
			    "count(%" PRIu64 ", %zu) = (%" PRIu64 ", %u)",
			    size, k, full, partial);
			if (k < merkle_tile_levels(size))
				CHECK(full > 0 || partial > 0, "size %" PRIu64
				    " level %zu is empty", size, k);
			else
				CHECK(full == 0 && partial == 0, "size %"
				    PRIu64 " level %zu beyond", size, k);
		}
	}
}

static void
test_tile_path(void)
{
	static const struct {
		struct merkle_tile	 t;
		const char		*path;
	} cases[] = {
		{ { 0, 1234067, 256 }, "tile/0/x001/x234/067" },
		{ { 0, 0, 256 }, "tile/0/000" },
		{ { 0, 999, 256 }, "tile/0/999" },
		{ { 0, 1000, 256 }, "tile/0/x001/000" },
		{ { 0, 1000000, 256 }, "tile/0/x001/x000/000" },
		{ { 2, 5, 17 }, "tile/2/005.p/17" },
		{ { MERKLE_TILE_ENTRIES, 0, 7 }, "tile/entries/000.p/7" },
		{ { MERKLE_TILE_ENTRIES, 0, 256 }, "tile/entries/000" },
		{ { MERKLE_TILE_ENTRIES, 1234067, 255 },
		    "tile/entries/x001/x234/067.p/255" },
		{ { 0, 273, 112 }, "tile/0/273.p/112" },
		{ { 1, 1, 17 }, "tile/1/001.p/17" },
		{ { 1, 0, 1 }, "tile/1/000.p/1" },
		{ { 7, 0, 255 }, "tile/7/000.p/255" },
		{ { 0, 72057594037927935ULL, 255 },
		    "tile/0/x072/x057/x594/x037/x927/935.p/255" },
	};
	static const struct merkle_tile	bad[] = {
		{ 64, 0, 256 }, { -2, 0, 256 }, { INT_MIN, 0, 1 },
		{ INT_MAX, 0, 1 }, { 0, 0, 0 }, { 0, 0, 257 },
		{ MERKLE_TILE_ENTRIES, 0, 0 }, { 1, 5, UINT_MAX },
	};
	struct merkle_tile	t, u;
	char			buf[MERKLE_TILE_PATH_MAX + 16];
	char			want[MERKLE_TILE_PATH_MAX + 16];
	size_t			i, len, k;
	uint64_t		unrep = 0;
	int			rc, prc;

	for (i = 0; i < T_NCASES(cases); i++) {
		len = strlen(cases[i].path);
		memset(buf, 'Z', sizeof(buf));
		rc = merkle_tile_path(&cases[i].t, buf, MERKLE_TILE_PATH_MAX);
		CHECK(rc == MERKLE_OK && strcmp(buf, cases[i].path) == 0,
		    "path: %d \"%.*s\", want \"%s\"", rc,
		    MERKLE_TILE_PATH_MAX, buf, cases[i].path);
		memset(&u, 0xee, sizeof(u));
		rc = parse_exact(cases[i].path, len, &u);
		CHECK(rc == MERKLE_OK && u.level == cases[i].t.level &&
		    u.index == cases[i].t.index &&
		    u.width == cases[i].t.width, "parse \"%s\": %d (%d, %"
		    PRIu64 ", %u)", cases[i].path, rc, u.level, u.index,
		    u.width);
		/* exactly len + 1 bytes are needed, nothing written beyond */
		for (k = 0; k <= len + 1; k++) {
			memset(buf, 'Z', sizeof(buf));
			rc = merkle_tile_path(&cases[i].t, buf, k);
			CHECK(k <= len ? rc == MERKLE_EINVAL : rc == MERKLE_OK,
			    "\"%s\" into %zu bytes: %d", cases[i].path, k, rc);
			CHECK(buf[k] == 'Z' && buf[len + 1] == 'Z',
			    "\"%s\" into %zu bytes: wrote past the end",
			    cases[i].path, k);
		}
		CHECK(strcmp(buf, cases[i].path) == 0, "\"%s\"", cases[i].path);
	}
	for (i = 0; i < T_NCASES(bad); i++) {
		rc = merkle_tile_path(&bad[i], buf, sizeof(buf));
		CHECK(rc == MERKLE_EINVAL, "tile (%d, %" PRIu64 ", %u): %d",
		    bad[i].level, bad[i].index, bad[i].width, rc);
		for (k = 0; k < 3; k++)
			CHECK(merkle_tile_check(&bad[i], k == 0 ? 0 : k == 1 ?
			    70000 : UINT64_MAX) == MERKLE_EINVAL,
			    "check (%d, %" PRIu64 ", %u)", bad[i].level,
			    bad[i].index, bad[i].width);
	}
	/* the longest path fits MERKLE_TILE_PATH_MAX */
	t.level = MERKLE_TILE_ENTRIES;
	t.index = UINT64_MAX;
	t.width = 255;
	ref_tile_path(&t, want, sizeof(want));
	T_ASSERT(strlen(want) < MERKLE_TILE_PATH_MAX);
	t.level = 63;
	ref_tile_path(&t, want, sizeof(want));
	T_ASSERT(strlen(want) < MERKLE_TILE_PATH_MAX);

	/*
	 * Round trips. Tiles whose hashes can all exist in a 64-bit tree
	 * must round-trip. merkle.h does not say whether a tile beyond any
	 * 64-bit tree (level >= 8, huge index) has a path: path and parse
	 * must then at least agree.
	 */
	for (i = 0; i < 20000; i++) {
		t.level = (int)t_rand_below(65) - 1;
		if (i % 2 == 0 && t.level > 7)
			t.level = (int)t_rand_below(8);
		t.width = 1 + (unsigned)t_rand_below(256);
		if (i % 4 == 0)
			t.width = 256;
		switch (t_rand_below(4)) {
		case 0:
			t.index = t_rand_below(2000);
			break;
		case 1:
			t.index = t_rand() >> t_rand_below(64);
			break;
		case 2:
			/* the last tiles of a 64-bit tree, and just beyond */
			t.index = ref_level_hashes(UINT64_MAX, t.level) / 256 +
			    1 - t_rand_below(3);
			break;
		default:
			t.index = t_rand();
			break;
		}
		ref_tile_path(&t, want, sizeof(want));
		memset(buf, 'Z', sizeof(buf));
		rc = merkle_tile_path(&t, buf, MERKLE_TILE_PATH_MAX);
		memset(&u, 0xee, sizeof(u));
		prc = parse_exact(want, strlen(want), &u);
		if (ref_tile_representable(&t))
			CHECK(rc == MERKLE_OK, "path of (%d, %" PRIu64 ", %u): "
			    "%d", t.level, t.index, t.width, rc);
		else if (rc == MERKLE_OK)
			unrep++;
		if (rc == MERKLE_OK) {
			CHECK(strcmp(buf, want) == 0, "path \"%s\", want "
			    "\"%s\"", buf, want);
			CHECK(prc == MERKLE_OK && u.level == t.level &&
			    u.index == t.index && u.width == t.width,
			    "parse \"%s\": %d (%d, %" PRIu64 ", %u)", want,
			    prc, u.level, u.index, u.width);
		} else
			CHECK(prc != MERKLE_OK, "\"%s\": path refuses the "
			    "tile (%d) but parse accepts it", want, rc);
	}
	printf("# tiles: %" PRIu64 " round-tripped tiles lie beyond any "
	    "64-bit tree (level >= 8 or index too large); path and parse "
	    "accept them\n", unrep);
}

static void
test_tile_parse_bad(void)
{
	static const char *const bad[] = {
		"", "t", "tile", "tile/", "tile/0", "tile/0/", "tile/00/000",
		"tile/01/000", "tile/64/000", "tile/100/000", "tile/1000/000",
		"tile/-1/000", "tile/+1/000", "tile/0/00", "tile/0/0",
		"tile/0/0000", "tile/0/x000/001", "tile/0/x000/000",
		"tile/0/x001", "tile/0/x001/", "tile/0/x001/x002",
		"tile/0/001/002", "tile/0/x1/000", "tile/0/x0001/000",
		"tile/0/x001//000", "tile/0/X001/000", "tile/0/x001/x234/67",
		"tile/0/x001/x234/0670", "tile/0/000.p/0", "tile/0/000.p/256",
		"tile/0/000.p/300", "tile/0/000.p/07", "tile/0/000.p/007",
		"tile/0/000.p/", "tile/0/000.p", "tile/0/000.", "tile/0/000/",
		"tile/0/000?x", "tile/0/000.p/1/", "tile/0/000.p/1x",
		"tile/0/000.p/+1", "tile/0/000.p/-1", "tile/0/000.P/7",
		"tile/0/000.q/7", "tile/0/000p/7", "tile/0/000.p/1.p/1",
		"tile/0/000.p/7 ", "tile/0/000 ", " tile/0/000", "/tile/0/000",
		"TILE/0/000", "tile//000", "tile/0//000", "tile/ 0/000",
		"tile/0/ 000", "tile/0/abc", "tile/0/+00", "tile/0/-01",
		"tile/0/0x1", "tile/0/1e3", "tile/0/000\n", "tile/entries",
		"tile/entries/", "tile/entries/000.p/0",
		"tile/entries/000.p/256", "tile/entries/000.p/300",
		"tile/entries/000.p/07", "tile/entries/x000/001",
		"tile/entry/000", "tile/Entries/000", "tile/data/000",
		"tile/8/0/000", "tile/8/data/000",
		"tile/0/x018/x446/x744/x073/x709/x551/616",
		"tile/0/x019/x000/x000/x000/x000/x000/000",
		"tile/0/x001/x000/x000/x000/x000/x000/x000/000",
		"tile/0/x999/x999/x999/x999/x999/x999/x999/999",
		"tile/entries/x999/x999/x999/x999/x999/x999/x999/999.p/1",
	};
	static const struct {
		const char	*s;
		size_t		 len;
	} nul[] = {
		{ "tile/0/000\0", 11 }, { "tile/0\0/000", 11 },
		{ "tile/0/000.p/7\0", 15 }, { "tile/0/0\0000", 11 },
		{ "\0tile/0/000", 11 },
	};
	struct merkle_tile	t;
	size_t			i;
	int			rc;

	for (i = 0; i < T_NCASES(bad); i++) {
		rc = parse_exact(bad[i], strlen(bad[i]), &t);
		CHECK(rc == MERKLE_EINVAL, "parse \"%s\": %d", bad[i], rc);
	}
	for (i = 0; i < T_NCASES(nul); i++) {
		rc = parse_exact(nul[i].s, nul[i].len, &t);
		CHECK(rc == MERKLE_EINVAL, "parse with a NUL, case %zu: %d", i,
		    rc);
	}
	/* len, not the NUL, ends the path */
	rc = parse_exact("tile/0/0001", 10, &t);
	CHECK(rc == MERKLE_OK && t.level == 0 && t.index == 0 &&
	    t.width == 256, "prefix of tile/0/0001: %d", rc);
	rc = parse_exact("tile/0/000.p/12", 14, &t);
	CHECK(rc == MERKLE_OK && t.width == 1, "prefix of .p/12: %d", rc);
	rc = parse_exact("tile/63/000", 11, &t);
	CHECK(rc == MERKLE_OK && t.level == 63, "tile/63/000: %d", rc);
	rc = parse_exact("tile/0/x018/x446/x744/x073/x709/x551/615", 40, &t);
	CHECK(rc == MERKLE_OK ? t.index == UINT64_MAX : 1, "index 2^64-1");
	printf("# tiles: tile/0/<2^64-1> (beyond any tree) %s\n",
	    rc == MERKLE_OK ? "parses" : "is refused");
	for (i = 0; i < 1000; i++) {
		char	buf[24];
		size_t	k, len = 1 + (size_t)t_rand_below(sizeof(buf));

		for (k = 0; k < len; k++)
			buf[k] = "tile/entries0123456789x.p"[t_rand_below(25)];
		/* whatever the garbage, no crash and no overread */
		rc = parse_exact(buf, len, &t);
		CHECK(rc == MERKLE_OK || rc == MERKLE_EINVAL, "garbage: %d",
		    rc);
	}
}

static void
test_tile_check(void)
{
	static const struct {
		uint64_t		size;
		struct merkle_tile	t;
		int			ok;
	} cases[] = {
		{ 70000, { 0, 0, 256 }, 1 },
		{ 70000, { 0, 272, 256 }, 1 },
		{ 70000, { 0, 273, 256 }, 0 },
		{ 70000, { 0, 273, 112 }, 1 },
		{ 70000, { 0, 273, 113 }, 0 },
		{ 70000, { 0, 273, 100 }, 1 },	/* partial of an older size */
		{ 70000, { 0, 273, 1 }, 1 },
		{ 70000, { 0, 272, 5 }, 1 },	/* full now, partial once */
		{ 70000, { 0, 274, 1 }, 0 },
		{ 70000, { MERKLE_TILE_ENTRIES, 272, 256 }, 1 },
		{ 70000, { MERKLE_TILE_ENTRIES, 273, 112 }, 1 },
		{ 70000, { MERKLE_TILE_ENTRIES, 273, 113 }, 0 },
		{ 70000, { MERKLE_TILE_ENTRIES, 273, 256 }, 0 },
		{ 70000, { 1, 0, 256 }, 1 },
		{ 70000, { 1, 1, 17 }, 1 },
		{ 70000, { 1, 1, 18 }, 0 },
		{ 70000, { 1, 1, 256 }, 0 },
		{ 70000, { 1, 2, 1 }, 0 },
		{ 70000, { 2, 0, 1 }, 1 },
		{ 70000, { 2, 0, 2 }, 0 },
		{ 70000, { 2, 0, 256 }, 0 },
		{ 70000, { 3, 0, 1 }, 0 },
		{ 70000, { 63, 0, 1 }, 0 },
		{ 70000, { 0, UINT64_MAX, 256 }, 0 },
		{ 70000, { 0, UINT64_MAX, 1 }, 0 },
		{ 70000, { 0, 0, 0 }, 0 },
		{ 70000, { 0, 0, 257 }, 0 },
		{ 70000, { 64, 0, 1 }, 0 },
		{ 70000, { -2, 0, 1 }, 0 },
		{ 256, { 0, 0, 256 }, 1 },
		{ 256, { 1, 0, 1 }, 1 },
		{ 256, { 1, 0, 2 }, 0 },
		{ 256, { 0, 1, 1 }, 0 },
		{ 255, { 0, 0, 256 }, 0 },
		{ 255, { 0, 0, 255 }, 1 },
		{ 255, { 1, 0, 1 }, 0 },
		{ 1, { 0, 0, 1 }, 1 },
		{ 1, { MERKLE_TILE_ENTRIES, 0, 1 }, 1 },
		{ 1, { 0, 0, 2 }, 0 },
		{ UINT64_MAX, { 7, 0, 255 }, 1 },
		{ UINT64_MAX, { 7, 0, 256 }, 0 },
		{ UINT64_MAX, { 8, 0, 1 }, 0 },
		{ UINT64_MAX, { 63, 0, 1 }, 0 },
		{ UINT64_MAX, { 0, 72057594037927934ULL, 256 }, 1 },
		{ UINT64_MAX, { 0, 72057594037927935ULL, 255 }, 1 },
		{ UINT64_MAX, { 0, 72057594037927935ULL, 256 }, 0 },
		{ UINT64_MAX, { 0, UINT64_MAX, 1 }, 0 },
		{ UINT64_MAX, { 1, 281474976710655ULL, 255 }, 1 },
		{ UINT64_MAX, { 1, 281474976710655ULL, 256 }, 0 },
	};
	struct merkle_tile	t;
	uint64_t		size, h, full;
	unsigned		partial, l;
	size_t			i;
	int			rc, want;

	for (i = 0; i < T_NCASES(cases); i++) {
		rc = merkle_tile_check(&cases[i].t, cases[i].size);
		CHECK(cases[i].ok ? rc == MERKLE_OK : rc == MERKLE_EINVAL,
		    "size %" PRIu64 " tile (%d, %" PRIu64 ", %u): %d",
		    cases[i].size, cases[i].t.level, cases[i].t.index,
		    cases[i].t.width, rc);
		CHECK(ref_tile_exists(&cases[i].t, cases[i].size) ==
		    cases[i].ok, "reference, case %zu", i);
		rc = merkle_tile_check(&cases[i].t, 0);
		CHECK(rc == MERKLE_EINVAL, "size 0 tile (%d, %" PRIu64
		    ", %u): %d", cases[i].t.level, cases[i].t.index,
		    cases[i].t.width, rc);
	}
	/* every tile merkle_tile_count lists exists, the next ones do not */
	for (i = 0; i < 3000; i++) {
		size = i < 600 ? i : rand_size64();
		for (l = 0; l <= merkle_tile_levels(size) && l < 64; l++) {
			merkle_tile_count(size, l, &full, &partial);
			t.level = i % 3 == 0 && l == 0 ? MERKLE_TILE_ENTRIES :
			    (int)l;
			t.width = 256;
			t.index = full - 1;
			if (full > 0)
				CHECK(merkle_tile_check(&t, size) == MERKLE_OK,
				    "size %" PRIu64 " full tile %u/%" PRIu64,
				    size, l, t.index);
			t.index = full;
			CHECK(merkle_tile_check(&t, size) == MERKLE_EINVAL,
			    "size %" PRIu64 " full tile %u/%" PRIu64, size, l,
			    t.index);
			t.width = partial + 1;
			CHECK(merkle_tile_check(&t, size) == MERKLE_EINVAL,
			    "size %" PRIu64 " tile %u/%" PRIu64 ".p/%u", size,
			    l, t.index, t.width);
			if (partial == 0)
				continue;
			t.width = partial;
			CHECK(merkle_tile_check(&t, size) == MERKLE_OK,
			    "size %" PRIu64 " tile %u/%" PRIu64 ".p/%u", size,
			    l, t.index, t.width);
		}
	}
	/* random tiles near the edge of random trees */
	for (i = 0; i < 20000; i++) {
		size = i < 1000 ? t_rand_below(70000) : rand_size64();
		t.level = (int)t_rand_below(10) - 1;
		h = ref_level_hashes(size, t.level);
		t.index = h / 256 + t_rand_below(3) - 1;
		if (t_rand_below(8) == 0)
			t.index = t_rand();
		switch (t_rand_below(4)) {
		case 0:
			t.width = 256;
			break;
		case 1:
			t.width = (unsigned)(h % 256) +
			    (unsigned)t_rand_below(3);
			break;
		default:
			t.width = 1 + (unsigned)t_rand_below(256);
			break;
		}
		if (t.width == 0)
			t.width = 1;
		want = ref_tile_exists(&t, size);
		rc = merkle_tile_check(&t, size);
		CHECK(want ? rc == MERKLE_OK : rc == MERKLE_EINVAL, "size %"
		    PRIu64 " tile (%d, %" PRIu64 ", %u): %d", size, t.level,
		    t.index, t.width, rc);
	}
}

/* Spans. */

/* The greedy compact range of [end, size): maximal aligned pieces. */
static size_t
ref_right_pieces(uint64_t end, uint64_t size, unsigned lv[], uint64_t ix[])
{
	size_t		n = 0;
	unsigned	l;

	while (end < size) {
		for (l = 63; l > 0; l--)
			if (end % (1ULL << l) == 0 && size - end >= (1ULL << l))
				break;
		lv[n] = l;
		ix[n++] = end >> l;
		end += 1ULL << l;
	}
	return n;
}

/*
 * One span of the big tree (or of the virtual one): every proof derived
 * through merkle_span_node must equal the store's; corrupt boundaries
 * must give proofs that fail.
 */
static void
check_span(struct store *st, const struct ref *r, uint64_t start,
    uint64_t end, uint64_t size)
{
	struct merkle_span	*sp;
	struct merkle_proof	 p, want;
	uint8_t			 left[MERKLE_MAX_LEVELS][32];
	uint8_t			 right[MERKLE_SPAN_MAX_RIGHT][32];
	uint8_t			 root[32], h[32], (*leaves)[32], (*scratch)[32];
	unsigned		 lv[MERKLE_SPAN_MAX_RIGHT];
	uint64_t		 ix[MERKLE_SPAN_MAX_RIGHT], i;
	size_t			 nleft = 0, nright = 0, k, nref;
	unsigned		 l;
	int			 rc, side;

	sp = xcalloc(1, sizeof(*sp));
	leaves = xcalloc((size_t)(end - start) + 1, 32);
	scratch = xcalloc(merkle_span_scratch_len(end - start), 32);
	for (i = start; i < end; i++)
		memcpy(leaves[i - start], st->virt ? vz[0] : st->h[0][i], 32);
	for (l = MERKLE_MAX_LEVELS; l-- > 0;)
		if ((start >> l) & 1)
			ref_mth(r, ((start >> l) - 1) << l, (start >> l) << l,
			    left[nleft++]);
	nref = ref_right_pieces(end, size, lv, ix);
	CHECK(merkle_span_right_len(end, size) == nref, "right_len(%" PRIu64
	    ", %" PRIu64 ") = %zu, want %zu", end, size,
	    merkle_span_right_len(end, size), nref);
	store_arm(st, size);
	rc = merkle_span_right(store_get, st, end, size, right, &nright);
	CHECK(rc == MERKLE_OK && nright == nref && st->bad == 0 &&
	    st->reads == nref, "span_right(%" PRIu64 ", %" PRIu64 "): %d, "
	    "%zu hashes", end, size, rc, nright);
	for (k = 0; k < nref && k < nright; k++) {
		ref_mth(r, ix[k] << lv[k], (ix[k] + 1) << lv[k], h);
		CHECK(memcmp(right[k], h, 32) == 0, "span_right(%" PRIu64
		    ", %" PRIu64 ") piece %zu", end, size, k);
	}
	ref_mth(r, 0, size, root);
	for (side = 0; side < 3; side++) {
		sp->start = start;
		sp->end = end;
		sp->size = size;
		sp->leaves = (const uint8_t (*)[32])leaves;
		sp->left = (const uint8_t (*)[32])left;
		sp->nleft = nleft;
		sp->right = (const uint8_t (*)[32])right;
		sp->nright = nright;
		sp->scratch = scratch;
		/* side 1, 2: one left or right boundary hash corrupted */
		if (side == 1 && nleft == 0)
			continue;
		if (side == 2 && nright == 0)
			continue;
		if (side == 1)
			left[t_rand_below(nleft)][t_rand_below(32)] ^= 0x20;
		if (side == 2)
			right[t_rand_below(nright)][t_rand_below(32)] ^= 0x20;
		rc = merkle_span_init(sp);
		CHECK(rc == MERKLE_OK, "span_init [%" PRIu64 ", %" PRIu64
		    ") of %" PRIu64 ": %d", start, end, size, rc);
		for (i = start; i < end && rc == MERKLE_OK; i++) {
			rc = merkle_prove_inclusion(merkle_span_node, sp, i,
			    size, &p);
			CHECK(rc == MERKLE_OK, "span [%" PRIu64 ", %" PRIu64
			    ") of %" PRIu64 ": proof of %" PRIu64 ": %d",
			    start, end, size, i, rc);
			if (rc != MERKLE_OK)
				break;
			memcpy(h, leaves[i - start], 32);
			if (side != 0) {
				rc = merkle_verify_inclusion(i, size, h, &p,
				    root);
				if ((side == 1 && i == start) ||
				    (side == 2 && i == end - 1))
					CHECK(rc == MERKLE_EPROOF, "span [%"
					    PRIu64 ", %" PRIu64 ") of %" PRIu64
					    ", corrupt %s boundary: proof of %"
					    PRIu64 ": %d", start, end, size,
					    side == 1 ? "left" : "right", i,
					    rc);
				rc = MERKLE_OK;
				continue;
			}
			store_arm(st, size);
			rc = merkle_prove_inclusion(store_get, st, i, size,
			    &want);
			CHECK(rc == MERKLE_OK && proof_eq(&p, &want),
			    "span [%" PRIu64 ", %" PRIu64 ") of %" PRIu64
			    ": proof of %" PRIu64 " differs", start, end,
			    size, i);
			rc = merkle_verify_inclusion(i, size, h, &p, root);
			CHECK(rc == MERKLE_OK, "span [%" PRIu64 ", %" PRIu64
			    ") of %" PRIu64 ": verify %" PRIu64 ": %d", start,
			    end, size, i, rc);
		}
	}
	/* boundaries of the wrong size */
	sp->nleft = nleft + 1;
	CHECK(merkle_span_init(sp) == MERKLE_EINVAL, "nleft + 1");
	sp->nleft = nleft;
	sp->nright = nright + 1;
	CHECK(merkle_span_init(sp) == MERKLE_EINVAL, "nright + 1");
	if (nright > 0) {
		sp->nright = nright - 1;
		CHECK(merkle_span_init(sp) == MERKLE_EINVAL, "nright - 1");
	}
	free(scratch);
	free(leaves);
	free(sp);
}

static void
test_span(void)
{
	struct merkle_tree	t;
	struct merkle_span	sp;
	uint8_t			out[MERKLE_MAX_LEVELS][32], want[32], data[32];
	uint8_t			right[MERKLE_SPAN_MAX_RIGHT][32];
	uint64_t		start, end, size;
	size_t			n, k, len;
	int			i;

	/* the frontier of the RFC tree */
	merkle_tree_init(&t);
	for (size = 0; size <= 8; size++) {
		n = merkle_tree_frontier(&t, out);
		CHECK(n == popcount(size), "frontier of %" PRIu64 ": %zu",
		    size, n);
		for (k = 0; k < n && k < 3; k++) {
			rfc_node(want, rfc_frontier[size][k]);
			CHECK(memcmp(out[k], want, 32) == 0, "frontier of %"
			    PRIu64 ": hash %zu", size, k);
		}
		if (size == 8)
			break;
		len = unhex(data, sizeof(data), rfc_data[size]);
		merkle_leaf_hash(want, data, len);
		merkle_tree_append(&t, want, NULL, &n);
	}
	big_build();
	check_span(&big, &big_fast, 0, 8, 8);
	check_span(&big, &big_fast, 3, 4, 8);
	check_span(&big, &big_fast, 0, 1000, 1000);
	check_span(&big, &big_fast, BIG_N - 1000, BIG_N, BIG_N);
	check_span(&big, &big_fast, 65535, 65537, BIG_N);
	for (i = 0; i < 60; i++) {
		size = rand_size(BIG_N);
		start = rand_below_edge(size);
		end = start + 1 + t_rand_below(i < 30 ? 16 : 256);
		if (end > size)
			end = size;
		check_span(&big, &big_fast, start, end, size);
	}
	/* 64-bit edges, in the virtual tree */
	check_span(&vstore, &virt_ref, (1ULL << 63) - 5, (1ULL << 63) + 7,
	    UINT64_MAX);
	check_span(&vstore, &virt_ref, UINT64_MAX - 9, UINT64_MAX, UINT64_MAX);
	check_span(&vstore, &virt_ref, 0, 3, UINT64_MAX);
	for (i = 0; i < 20; i++) {
		size = rand_size64();
		start = rand_below_edge(size);
		end = start + 1 + t_rand_below(20);
		if (end > size || end < start)
			end = size;
		check_span(&vstore, &virt_ref, start, end, size);
	}
	/* ranges out of order */
	store_arm(&big, BIG_N);
	CHECK(merkle_span_right(store_get, &big, 9, 8, right, &n) ==
	    MERKLE_EINVAL, "span_right(9, 8)");
	memset(&sp, 0, sizeof(sp));
	sp.start = 5;
	sp.end = 4;
	sp.size = 8;
	sp.nleft = 2;
	CHECK(merkle_span_init(&sp) == MERKLE_EINVAL, "start > end");
	sp.start = 4;
	sp.end = 9;
	sp.nleft = 1;
	CHECK(merkle_span_init(&sp) == MERKLE_EINVAL, "end > size");
}

int
main(int argc, char **argv)
{
	static const struct t_case	cases[] = {
		T_CASE(test_strerror),
		T_CASE(test_hash),
		T_CASE(test_rfc_tree),
		T_CASE(test_rfc_proofs),
		T_CASE(test_small_trees),
		T_CASE(test_range_hash),
		T_CASE(test_subtree_hash),
		T_CASE(test_exhaustive_inclusion),
		T_CASE(test_exhaustive_consistency),
		T_CASE(test_mutation),
		T_CASE(test_node_failure),
		T_CASE(test_edge_cases),
		T_CASE(test_append_limits),
		T_CASE(test_random_big),
		T_CASE(test_virtual_64bit),
		T_CASE(test_synthetic_64bit),
		T_CASE(test_tile_count),
		T_CASE(test_tile_path),
		T_CASE(test_tile_parse_bad),
		T_CASE(test_tile_check),
		T_CASE(test_span),
	};
	int				rc;

	virt_init();
	rc = t_main(argc, argv, "t_merkle", cases, T_NCASES(cases));
	store_free(&big);
	store_free(&rfc_store);
	free(big_leaf);
	free(big_root);
	EVP_MD_CTX_free(ref_ctx);
	EVP_MD_free(ref_md);
	return rc;
}
