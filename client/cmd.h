/* cmd.h - the ledger CLI's commands and what they all share (cmd.c). */
#ifndef CMD_H
#define CMD_H

#include "cli.h"
#include "client.h"
#include "err.h"
#include "policy.h"
#include "sig.h"
#include "trust.h"

/* The TLS paragraph of the help of the commands that take --server. */
#define CMD_HELP_TLS \
    "--server is http[s]://host[:port][/prefix]. https verifies the server's\n" \
    "certificate chain and name; --cacert FILE trusts only the CA\n" \
    "certificates in FILE (PEM) instead of the system's store.\n"

/* The commands, one per file: cmd_NAME.c defines cmd_NAME. */
int	cmd_keygen(int, char **);
int	cmd_admin(int, char **);
int	cmd_submit(int, char **);
int	cmd_verify(int, char **);
int	cmd_checkpoint(int, char **);
int	cmd_get(int, char **);
int	cmd_receipt(int, char **);
int	cmd_account(int, char **);
int	cmd_totals(int, char **);

/* cmd.c */
/* A verifier key from text or @file / a file path; exits 2 if bad. */
struct sig_key	*cmd_vkey(const char *arg);
/* --vkey VKEY (letter: its short form) into *kp, by cmd_vkey. */
#define CMD_OPT_VKEY(letter, kp)	CLI_OPT_VKEY(letter, cmd_vkey_opt, kp)
void	cmd_vkey_opt(void *kp, const char *arg);
/* Open the server URL (https: trusting cacert, or the system's CAs if
 * NULL); exits 2 if the URL is malformed or cacert unusable. */
struct fetch	*cmd_server(const char *url, const char *cacert);
/* --policy FILE: a C2SP tlog-policy (cmd_trust reads it). */
#define CMD_OPT_POLICY(p)	{ .name = "policy", .letter = 'P', \
				  .arg = "FILE", .str = (p) }
/* The help paragraph of the commands that take --policy. */
#define CMD_HELP_POLICY \
    "--policy FILE (a C2SP tlog-policy) accepts only checkpoints signed by\n" \
    "its log and cosigned by its quorum of witnesses; the log key comes\n" \
    "from its log line (--vkey, if also given, must be that key).\n"
/*
 * What the command trusts, into *t: the --vkey key log alone, or the
 * policy in the file policy_path (*pp gets it: policy_free it after t's
 * last use) with its log key (log, if given, must be one of its logs).
 * Exits 2 (usage) with a message if neither is given, the file is not a
 * policy, or the two disagree. log stays the caller's.
 */
void	cmd_trust(struct trust *t, const struct sig_key *log,
	    const char *policy_path, struct policy **pp, const char *help);
/* Exit status for an error: 3 for network/server, 1 otherwise. */
int	cmd_exit_for(const struct ld_error *);

#endif /* CMD_H */
