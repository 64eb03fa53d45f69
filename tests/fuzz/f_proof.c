/* f_proof.c - fuzz merkle_verify_inclusion and merkle_verify_consistency. */
/*
 * Input: a mode byte, u64 a and u64 b (little-endian), 32-byte h1 and h2,
 * then the proof: every further whole 32 bytes is one hash (more than
 * MERKLE_MAX_PROOF of them must be refused with MERKLE_ESIZE unread).
 *
 *   mode & 3 == 0  inclusion, index a, size b, leaf h1, root SHA-256(h2)
 *   mode & 3 == 1  consistency a -> b, roots SHA-256(h1), SHA-256(h2)
 *   mode & 3 == 2  inclusion, as 0 but root h2 itself
 *   mode & 3 == 3  consistency, as 1 but roots h1 and h2 themselves
 *
 * Modes 0 and 1 are "blind": the root is a SHA-256 of 32 input bytes,
 * which no RFC 6962 node hash (SHA-256 of 65 bytes) can equal, so the
 * fuzzer cannot steer a random proof to it (libFuzzer copies compared
 * bytes into inputs, so with a raw root it soon builds real proofs).
 * There the verifiers may accept only the trivial cases, exactly:
 *   inclusion:   a == 0, b == 1, no proof hashes, h1 == SHA-256(h2);
 *   consistency: a == b, no proof hashes, h1 == h2.
 * Modes 2 and 3 compare with an independent reference written from the
 * recursive definitions of RFC 6962 2.1.1 (PATH) and 2.1.2 (SUBPROOF):
 * accepted exactly when the reference accepts, and real proofs can be
 * found. In every mode the return code is the one the API documents
 * (EINVAL, then ESIZE for a wrong count, then EPROOF), and
 * merkle_inclusion_len / merkle_consistency_len match the reference.
 */
#include "fuzz.h"
#include "merkle.h"

/* The largest power of two below n (n >= 2). */
static uint64_t
split(uint64_t n)
{
	return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

/* Length of PATH(m, D[n]). */
static size_t
ref_incl_len(uint64_t m, uint64_t n)
{
	uint64_t	k;

	if (n == 1)
		return 0;
	k = split(n);
	return 1 + (m < k ? ref_incl_len(m, k) : ref_incl_len(m - k, n - k));
}

/* The root PATH(m, D[n]) = path[0..len) implies for leaf; 0 if misshapen. */
static int
ref_incl_root(uint64_t m, uint64_t n, const uint8_t leaf[32],
    const uint8_t (*path)[32], size_t len, uint8_t out[32])
{
	uint8_t		t[32];
	uint64_t	k;

	if (n == 1) {
		if (len != 0)
			return 0;
		memcpy(out, leaf, 32);
		return 1;
	}
	if (len == 0)
		return 0;
	k = split(n);
	if (m < k) {
		if (!ref_incl_root(m, k, leaf, path, len - 1, t))
			return 0;
		merkle_node_hash(out, t, path[len - 1]);
	} else {
		if (!ref_incl_root(m - k, n - k, leaf, path, len - 1, t))
			return 0;
		merkle_node_hash(out, path[len - 1], t);
	}
	return 1;
}

/* Length of SUBPROOF(m, D[n], b). */
static size_t
ref_cons_len(uint64_t m, uint64_t n, int b)
{
	uint64_t	k;

	if (m == n)
		return b ? 0 : 1;
	k = split(n);
	return 1 + (m <= k ? ref_cons_len(m, k, b) :
	    ref_cons_len(m - k, n - k, 0));
}

/*
 * The old and new subtree hashes SUBPROOF(m, D[n], b) = path[0..len)
 * implies, old_root standing for D[0:m] when b; 0 if misshapen.
 */
static int
ref_cons_roots(uint64_t m, uint64_t n, int b, const uint8_t old_root[32],
    const uint8_t (*path)[32], size_t len, uint8_t o[32], uint8_t nw[32])
{
	uint8_t		to[32], tn[32];
	uint64_t	k;

	if (m == n) {
		if (len != (b ? 0u : 1u))
			return 0;
		memcpy(o, b ? old_root : path[0], 32);
		memcpy(nw, o, 32);
		return 1;
	}
	if (len == 0)
		return 0;
	k = split(n);
	if (m <= k) {
		if (!ref_cons_roots(m, k, b, old_root, path, len - 1, to, tn))
			return 0;
		memcpy(o, to, 32);
		merkle_node_hash(nw, tn, path[len - 1]);
	} else {
		if (!ref_cons_roots(m - k, n - k, 0, old_root, path, len - 1,
		    to, tn))
			return 0;
		merkle_node_hash(o, path[len - 1], to);
		merkle_node_hash(nw, path[len - 1], tn);
	}
	return 1;
}

static uint64_t
get_le64(const uint8_t *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static struct merkle_proof	proof;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		 h1[32], h2[32], r1[32], r2[32], o[32], nw[32];
	uint64_t	 a, b;
	size_t		 nhash, want;
	int		 mode, blind, rc, expect, ok;

	if (size < 1 + 8 + 8 + 32 + 32)
		return 0;
	mode = data[0] & 3;
	blind = mode < 2;
	a = get_le64(data + 1);
	b = get_le64(data + 9);
	memcpy(h1, data + 17, 32);
	memcpy(h2, data + 49, 32);
	nhash = (size - 81) / 32;
	memset(&proof, 0, sizeof(proof));
	proof.n = nhash;
	memcpy(proof.path, data + 81,
	    32 * (nhash < MERKLE_MAX_PROOF ? nhash : MERKLE_MAX_PROOF));

	if (mode == 0 || mode == 2) {
		if (blind)
			merkle_sha256(r2, h2, 32);
		else
			memcpy(r2, h2, 32);
		rc = merkle_verify_inclusion(a, b, h1, &proof, r2);
		if (a >= b) {
			CHECK(merkle_inclusion_len(a, b) == 0);
			expect = MERKLE_EINVAL;
		} else {
			want = ref_incl_len(a, b);
			CHECK(merkle_inclusion_len(a, b) == want);
			if (nhash != want)
				expect = MERKLE_ESIZE;
			else {
				CHECK(ref_incl_root(a, b, h1,
				    (const uint8_t (*)[32])proof.path, nhash,
				    o));
				ok = memcmp(o, r2, 32) == 0;
				expect = ok ? MERKLE_OK : MERKLE_EPROOF;
			}
		}
		if (rc != expect)
			fprintf(stderr, "inclusion %llu/%llu, %zu hashes: "
			    "got %d, want %d\n", (unsigned long long)a,
			    (unsigned long long)b, nhash, rc, expect);
		CHECK(rc == expect);
		if (blind)
			CHECK((rc == MERKLE_OK) == (a == 0 && b == 1 &&
			    nhash == 0 && memcmp(h1, r2, 32) == 0));
		return 0;
	}

	if (blind) {
		merkle_sha256(r1, h1, 32);
		merkle_sha256(r2, h2, 32);
	} else {
		memcpy(r1, h1, 32);
		memcpy(r2, h2, 32);
	}
	rc = merkle_verify_consistency(a, b, r1, r2, &proof);
	if (a > b)
		expect = MERKLE_EINVAL;
	else if (nhash > MERKLE_MAX_PROOF)
		expect = MERKLE_ESIZE;
	else if (a == b)
		expect = nhash != 0 ? MERKLE_ESIZE :
		    memcmp(r1, r2, 32) == 0 ? MERKLE_OK : MERKLE_EPROOF;
	else if (a == 0)
		expect = MERKLE_EINVAL;
	else {
		want = ref_cons_len(a, b, 1);
		CHECK(merkle_consistency_len(a, b) == want);
		if (nhash != want)
			expect = MERKLE_ESIZE;
		else {
			CHECK(ref_cons_roots(a, b, 1, r1,
			    (const uint8_t (*)[32])proof.path, nhash, o, nw));
			ok = memcmp(o, r1, 32) == 0 && memcmp(nw, r2, 32) == 0;
			expect = ok ? MERKLE_OK : MERKLE_EPROOF;
		}
	}
	if (a >= b || a == 0)
		CHECK(merkle_consistency_len(a, b) == 0);
	if (rc != expect)
		fprintf(stderr, "consistency %llu -> %llu, %zu hashes: "
		    "got %d, want %d\n", (unsigned long long)a,
		    (unsigned long long)b, nhash, rc, expect);
	CHECK(rc == expect);
	if (blind)
		CHECK((rc == MERKLE_OK) == (a == b && nhash == 0 &&
		    memcmp(h1, h2, 32) == 0));
	return 0;
}
