/* cmd_keygen.c - ledger keygen: an issuer's signing key and verifier key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "file.h"
#include "wipe.h"
#include "xmalloc.h"

int
cmd_keygen(int argc, char **argv)
{
	static const char help[] =
	    "usage: ledger keygen [--witness] --id ISSUER_ID --out FILE\n"
	    "Write an Ed25519 signing key (C2SP signed-note private key,\n"
	    "mode 0600) to FILE and its verifier key to FILE.vkey; print the\n"
	    "verifier key, which the operator registers.\n"
	    "With --witness, a cosigner key (C2SP tlog-cosignature,\n"
	    "cosignature/v1, vkey type 0x04) named NAME, a key name such as\n"
	    "witness.example.org/w1 (1..255 bytes, no '+' or space): its\n"
	    "vkey goes on a \"witness\" line of a tlog-policy file.\n";
	struct sig_key	*k;
	const char	*id = NULL, *out = NULL;
	int		 witness = 0;
	const struct cli_opt opts[] = {
		{ .name = "id", .letter = 'i', .arg = "ISSUER_ID", .str = &id },
		{ .name = "out", .letter = 'o', .arg = "FILE", .str = &out },
		{ .name = "witness", .flag = &witness },
		CLI_OPT_END,
	};
	char		*skey, *vkey, *line, *vpath;
	int		 rc;

	if (cli_parse(argc, argv, 1, opts, help) != argc || id == NULL ||
	    out == NULL)
		cli_usage(help);
	if (witness && !sig_valid_name(id, strlen(id))) {
		fprintf(stderr, "ledger: --id of a witness key must be a key "
		    "name: 1..255 bytes, no '+', space or control character\n");
		return CLI_EXIT_USAGE;
	}
	if (!witness && entry_valid_id(id, strlen(id)) != LD_OK) {
		fprintf(stderr, "ledger: --id must be 1..64 of "
		    "[A-Za-z0-9._-]\n");
		return CLI_EXIT_USAGE;
	}
	if (sig_keygen(id, witness ? SIG_TYPE_COSIGN : SIG_TYPE_ED25519,
	    &k) != LD_OK) {
		fprintf(stderr, "ledger: cannot generate a key\n");
		return CLI_EXIT_FAIL;
	}
	skey = sig_skey(k);
	line = xasprintf("%s\n", skey);
	rc = file_write(out, line, strlen(line), 0600, 1);
	wipe_secure(skey, strlen(skey));
	wipe_secure(line, strlen(line));
	free(skey);
	free(line);
	if (rc != LD_OK) {
		fprintf(stderr, "ledger: %s: %s\n", out, rc == LD_EEXIST ?
		    "exists (refusing to overwrite a key)" : ld_strerror(rc));
		sig_key_free(k);
		return CLI_EXIT_FAIL;
	}
	vkey = sig_vkey(k);
	line = xasprintf("%s\n", vkey);
	vpath = xasprintf("%s.vkey", out);
	if (file_write(vpath, line, strlen(line), 0644, 0) != LD_OK)
		fprintf(stderr, "ledger: warning: cannot write %s\n", vpath);
	printf("%s\n", vkey);
	free(vpath);
	free(line);
	free(vkey);
	sig_key_free(k);
	return CLI_EXIT_OK;
}
