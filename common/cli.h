/* cli.h - command-line options, usage and --help for ledger and ledger-audit. */
#ifndef CLI_H
#define CLI_H

/* The exit codes of ledger and ledger-audit. */
#define CLI_EXIT_OK	0
#define CLI_EXIT_FAIL	1	/* a verification failed, a rejection, a finding */
#define CLI_EXIT_USAGE	2	/* a bad command line or local input */
#define CLI_EXIT_NET	3	/* a network or server error */

/*
 * One option of a command: --name, and -letter too if letter is not 0.
 * arg names its argument ("URL"), NULL for a flag. When it is met, in
 * command-line order: the argument is stored in *str, or *flag is set to
 * 1, or fn(ctx, argument) is called (argument NULL for a flag); an option
 * with none of the three is accepted and ignored. A table ends with an
 * entry whose name is NULL; --help and -h are always added.
 */
struct cli_opt {
	const char	 *name;
	int		  letter;
	const char	 *arg;
	const char	**str;
	int		 *flag;
	void		(*fn)(void *ctx, const char *arg);
	void		 *ctx;
};

/* The options both programs share, declared once. */
#define CLI_OPT_SERVER(p)	{ .name = "server", .letter = 's', \
				  .arg = "URL", .str = (p) }
#define CLI_OPT_CACERT(p)	{ .name = "cacert", .arg = "FILE", .str = (p) }
#define CLI_OPT_JSON(p)		{ .name = "json", .letter = 'j', .flag = (p) }
/* --vkey VKEY, taken by fn (it reads a key, or a file holding one). */
#define CLI_OPT_VKEY(l, f, c)	{ .name = "vkey", .letter = (l), \
				  .arg = "VKEY", .fn = (f), .ctx = (c) }
#define CLI_OPT_END		{ .name = 0 }

/*
 * Parse the options of argv[first ..] against opts with getopt_long
 * (operands are moved after the options). --help or -h prints help to
 * stdout and exits CLI_EXIT_OK; an unknown option or a missing argument
 * (getopt names it first) prints help to stderr and exits CLI_EXIT_USAGE.
 * Returns the index in argv of the first operand.
 */
int	cli_parse(int argc, char **argv, int first, const struct cli_opt *opts,
	    const char *help);
/* --help: text to stdout, exit CLI_EXIT_OK. */
void	cli_help(const char *text) __attribute__((noreturn));
/* A usage error: text to stderr, exit CLI_EXIT_USAGE. */
void	cli_usage(const char *text) __attribute__((noreturn));

#endif /* CLI_H */
