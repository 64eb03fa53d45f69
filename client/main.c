/* main.c - ledger(1): keys, submission, receipts and checks for issuers and users. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "cmd.h"
#include "err.h"
#include "form.h"
#include "json.h"
#include "log.h"
#include "util.h"

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
	{ "receipt", cmd_receipt, "fetch an entry's receipt" },
	{ "account", cmd_account, "an account's entries and balance, verified" },
	{ "totals", cmd_totals, "the log's or an issuer's totals, verified" },
};

void
cmd_help(const char *text)
{
	fputs(text, stdout);
	exit(EXIT_OK);
}

void
cmd_usage(const char *text)
{
	fprintf(stderr, "%s", text);
	exit(EXIT_USAGE);
}

static void
usage(void)
{
	size_t	i;

	fprintf(stderr, "usage: ledger COMMAND [options]   (ledger COMMAND "
	    "--help for each)\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(stderr, "  %-11s %s\n", commands[i].name,
		    commands[i].help);
	fprintf(stderr, "\nexit codes: 0 ok, 1 verification failed or "
	    "rejected, 2 usage, 3 network or server error\n");
	exit(EXIT_USAGE);
}

int
main(int argc, char **argv)
{
	size_t	i;

	log_init("ledger", 1);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)
		usage();
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "ledger: unknown command %s\n", argv[1]);
	usage();
}
