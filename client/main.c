/* main.c - ledger(1): keys, submission, receipts and checks for issuers and users. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "log.h"

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*help;
} commands[] = {
	{ "keygen", cmd_keygen, "make an issuer signing key" },
	{ "admin", cmd_admin, "register issuers and methods (operator)" },
	{ "submit", cmd_submit, "submit entries in signed batches" },
	{ "verify", cmd_verify, "verify receipts offline" },
	{ "checkpoint", cmd_checkpoint, "fetch and verify the checkpoint" },
	{ "get", cmd_get, "show an entry" },
	{ "receipt", cmd_receipt, "fetch an entry's receipt, or refresh receipts" },
	{ "account", cmd_account, "an account's entries and balance, verified" },
	{ "totals", cmd_totals, "the log's or an issuer's totals, verified" },
};

/* The commands and exit codes: --help to stdout, else a usage error. */
static void
usage(int help)
{
	FILE	*fp = help ? stdout : stderr;
	size_t	 i;

	fprintf(fp, "usage: ledger COMMAND [options]   (ledger COMMAND "
	    "--help for each)\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-11s %s\n", commands[i].name,
		    commands[i].help);
	fprintf(fp, "\nexit codes: %d ok, %d verification failed or "
	    "rejected, %d usage, %d network or server error\n", CLI_EXIT_OK,
	    CLI_EXIT_FAIL, CLI_EXIT_USAGE, CLI_EXIT_NET);
	exit(help ? CLI_EXIT_OK : CLI_EXIT_USAGE);
}

int
main(int argc, char **argv)
{
	size_t	i;

	log_init("ledger", 1);
	if (argc < 2)
		usage(0);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		usage(1);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "ledger: unknown command %s\n", argv[1]);
	usage(0);
}
