/* cli.c - command-line options, usage and --help for ledger and ledger-audit. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

#define CLI_OPTS_MAX	32
#define CLI_VAL		0x100	/* getopt_long's value for --name of opts[i]:
				 * CLI_VAL + i (above every letter) */

void
cli_help(const char *text)
{
	fputs(text, stdout);
	exit(CLI_EXIT_OK);
}

void
cli_usage(const char *text)
{
	fputs(text, stderr);
	exit(CLI_EXIT_USAGE);
}

int
cli_parse(int argc, char **argv, int first, const struct cli_opt *opts,
    const char *help)
{
	struct option		 lo[CLI_OPTS_MAX + 2];
	char			 so[2 * CLI_OPTS_MAX + 2], *s = so;
	const struct cli_opt	*o;
	int			 n, i, c;

	for (n = 0; opts[n].name != NULL; n++) {
		if (n == CLI_OPTS_MAX)
			abort();	/* a table this long is a bug */
		lo[n].name = opts[n].name;
		lo[n].has_arg = opts[n].arg ? required_argument : no_argument;
		lo[n].flag = NULL;
		lo[n].val = CLI_VAL + n;
		if (opts[n].letter != 0) {
			*s++ = (char)opts[n].letter;
			if (opts[n].arg)
				*s++ = ':';
		}
	}
	lo[n] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[n + 1] = (struct option){ NULL, 0, NULL, 0 };
	*s++ = 'h';
	*s = '\0';
	optind = first;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (c == 'h')
			cli_help(help);
		o = NULL;
		if (c >= CLI_VAL && c < CLI_VAL + n)
			o = &opts[c - CLI_VAL];
		for (i = 0; o == NULL && i < n; i++)
			if (opts[i].letter != 0 && opts[i].letter == c)
				o = &opts[i];
		if (o == NULL)		/* '?': getopt said why */
			cli_usage(help);
		if (o->str != NULL)
			*o->str = optarg;
		else if (o->flag != NULL)
			*o->flag = 1;
		else if (o->fn != NULL)
			o->fn(o->ctx, optarg);
	}
	return optind;
}
