/* cmd.h - the ledger CLI's commands and their shared helpers. */
#ifndef CMD_H
#define CMD_H

#include "client.h"
#include "sig.h"

#define EXIT_OK		0
#define EXIT_FAIL	1	/* verification failed or rejected */
#define EXIT_USAGE	2
#define EXIT_NET	3	/* network or server error */

/* --cacert FILE, taken by every command that takes --server. */
#define CMD_OPT_CACERT	0x100
#define CMD_HELP_TLS \
    "--server is http[s]://host[:port][/prefix]. https verifies the server's\n" \
    "certificate chain and name; --cacert FILE trusts only the CA\n" \
    "certificates in FILE (PEM) instead of the system's store.\n"

int	cmd_keygen(int, char **);
int	cmd_admin(int, char **);
int	cmd_submit(int, char **);
int	cmd_verify(int, char **);
int	cmd_checkpoint(int, char **);
int	cmd_get(int, char **);
int	cmd_receipt(int, char **);
int	cmd_account(int, char **);
int	cmd_totals(int, char **);

/* --help: print text to stdout and exit 0. */
void	cmd_help(const char *text) __attribute__((noreturn));
/* Print text to stderr and exit 2. */
void	cmd_usage(const char *text) __attribute__((noreturn));
/* A verifier key from text or @file / a file path; exits 2 if bad. */
struct sig_key	*cmd_vkey(const char *arg);
/* Open the server URL (https: trusting cacert, or the system's CAs if
 * NULL); exits 2 if the URL is malformed or cacert unusable. */
struct fetch	*cmd_server(const char *url, const char *cacert);
/* Exit status for an error: 3 for network/server, 1 otherwise. */
int	cmd_exit_for(const struct client_err *);

#endif /* CMD_H */
