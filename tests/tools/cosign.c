/* cosign.c - append cosignature/v1 lines to a signed checkpoint, for tests. */
/*
 *	cosign [--time T] [--bad] WITNESS_KEY... < CHECKPOINT > COSIGNED
 *
 * Reads a signed note (a checkpoint served by ledgerd) on stdin and
 * writes it back with one cosignature/v1 line (note_cosign, C2SP
 * tlog-cosignature) per WITNESS_KEY file, a private key made by `ledger
 * keygen --witness`, in the order given, each at time T (default: now).
 * --bad flips one bit of the last line's signature, so that the line is
 * that witness's but does not verify. Stands in for witnesses in the
 * e2e tests of clients under a policy (tests/e2e/policy.sh); it checks
 * nothing itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "b64.h"
#include "buf.h"
#include "err.h"
#include "file.h"
#include "note.h"
#include "sig.h"
#include "u64.h"

static void
usage(void)
{
	fprintf(stderr, "usage: cosign [--time T] [--bad] WITNESS_KEY... "
	    "< CHECKPOINT > COSIGNED\n");
	exit(2);
}

/* Flip one bit in the signature of the last line of b (after the key ID
 * and the timestamp): decode, flip, re-encode. */
static void
spoil_last(struct buf *b)
{
	char	*s = (char *)b->p, *sp, *end;
	uint8_t	 raw[256];
	char	 enc[400];
	size_t	 n;

	end = s + b->len - 1;		/* the final "\n" */
	for (sp = end; sp > s && *sp != ' '; sp--)
		;
	if (b64_decode(raw, &n, sp + 1, (size_t)(end - sp - 1)) != LD_OK ||
	    n < 13) {
		fprintf(stderr, "cosign: cannot decode the last line\n");
		exit(1);
	}
	raw[n - 1] ^= 0x01;
	b64_encode(enc, raw, n);
	b->len = (size_t)(sp + 1 - s);
	buf_adds(b, enc);
	buf_addc(b, '\n');
}

int
main(int argc, char **argv)
{
	struct buf	 in = { 0 }, out = { 0 };
	struct note	 n;
	struct sig_key	*k;
	char		 chunk[4096], *text;
	size_t		 r, len;
	uint64_t	 t = (uint64_t)time(NULL);
	int		 i, bad = 0, nkeys = 0;

	while ((r = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_add(&in, chunk, r);
	if (note_parse((const char *)in.p, in.len, &n) != LD_OK) {
		fprintf(stderr, "cosign: stdin is not a signed note\n");
		return 1;
	}
	buf_add(&out, in.p, in.len);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--bad") == 0) {
			bad = 1;
			continue;
		}
		if (strcmp(argv[i], "--time") == 0) {
			if (++i == argc || u64_parse(argv[i], strlen(argv[i]),
			    &t) != LD_OK)
				usage();
			continue;
		}
		if (file_read(argv[i], 4096, &text, &len) != LD_OK) {
			fprintf(stderr, "cosign: cannot read %s\n", argv[i]);
			return 1;
		}
		while (len > 0 && text[len - 1] == '\n')
			len--;
		if (sig_key_from_skey(text, len, &k) != LD_OK) {
			fprintf(stderr, "cosign: %s is not a private key\n",
			    argv[i]);
			return 1;
		}
		free(text);
		if (note_cosign(n.text, n.text_len, k, t, &out) != LD_OK) {
			fprintf(stderr, "cosign: %s cannot cosign (not a "
			    "cosigner key?)\n", argv[i]);
			return 1;
		}
		sig_key_free(k);
		nkeys++;
	}
	if (nkeys == 0)
		usage();
	if (bad)
		spoil_last(&out);
	fwrite(out.p, 1, out.len, stdout);
	note_free(&n);
	buf_free(&in);
	buf_free(&out);
	return 0;
}
