/* cmd.c - what every command of ledger shares: --vkey, --server, exit codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "err.h"
#include "file.h"
#include "policy.h"
#include "trust.h"

struct sig_key *
cmd_vkey(const char *arg)
{
	struct sig_key	*k;
	char		*s = NULL;
	size_t		 len;
	int		 rc;

	if ((rc = sig_key_from_vkey(arg, strlen(arg), &k)) == LD_OK)
		return k;
	if (rc == LD_EWEAKKEY)
		goto weak;
	/* Else a file holding the vkey. */
	if (file_read(arg[0] == '@' ? arg + 1 : arg, 4096, &s, &len) !=
	    LD_OK) {
		fprintf(stderr, "ledger: --vkey %s is neither a verifier key "
		    "(name+id+base64) nor a readable file\n", arg);
		exit(CLI_EXIT_USAGE);
	}
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	if ((rc = sig_key_from_vkey(s, len, &k)) == LD_EWEAKKEY)
		goto weak;
	if (rc != LD_OK) {
		fprintf(stderr, "ledger: %s does not hold a verifier key\n",
		    arg);
		exit(CLI_EXIT_USAGE);
	}
	free(s);
	return k;
weak:
	fprintf(stderr, "ledger: --vkey %s: a weak Ed25519 public key (of "
	    "small order, or not a canonical encoding of a curve point); "
	    "nothing signed with it can be trusted\n", arg);
	exit(CLI_EXIT_USAGE);
}

void
cmd_vkey_opt(void *kp, const char *arg)
{
	struct sig_key	**k = kp;

	sig_key_free(*k);	/* the last --vkey counts */
	*k = cmd_vkey(arg);
}

struct fetch *
cmd_server(const char *url, const char *cacert)
{
	struct fetch	*f;
	char		 err[512];

	if (url == NULL)
		cli_usage("ledger: --server URL is required\n");
	if (fetch_open(url, cacert, 120, err, sizeof(err), &f) != LD_OK) {
		fprintf(stderr, "ledger: --server %s\n", err);
		exit(CLI_EXIT_USAGE);
	}
	return f;
}

void
cmd_trust(struct trust *t, const struct sig_key *log, const char *policy_path,
    struct policy **pp, const char *help)
{
	struct ld_error	e;

	*pp = NULL;
	if (log == NULL && policy_path == NULL)
		cli_usage(help);
	memset(&e, 0, sizeof(e));
	if (policy_path != NULL && policy_load(policy_path, pp, &e) != LD_OK) {
		fprintf(stderr, "ledger: --policy: %s\n", e.msg);
		exit(CLI_EXIT_USAGE);
	}
	if (trust_init(t, log, *pp, policy_path, &e) != LD_OK) {
		fprintf(stderr, "ledger: --policy %s: %s\n", policy_path,
		    e.msg);
		exit(CLI_EXIT_USAGE);
	}
}

int
cmd_exit_for(const struct ld_error *e)
{
	switch (e->code) {
	case LD_ENET:
	case LD_EBUSY:
	case LD_EFULL:
	case LD_ESYS:
	case LD_ECORRUPT:
		return CLI_EXIT_NET;
	default:
		return CLI_EXIT_FAIL;
	}
}
