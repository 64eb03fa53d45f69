/* policy_priv.h - what the parts of the policy module share; not for
 * its callers. */
/*
 * The module is two files over one struct policy:
 *	policy.c	the parser, the canonical form, the accessors
 *	policy_check.c	checking a cosigned checkpoint, describing it
 */
#ifndef POLICY_PRIV_H
#define POLICY_PRIV_H

#include <stddef.h>

#include "policy.h"
#include "sig.h"

#define MAX_NODES	(POLICY_MAX_WITNESSES + POLICY_MAX_GROUPS)
/* "group <name> <k>" and at most every node once as a member. */
#define MAX_TOKENS	(3 + MAX_NODES + 1)

struct plog {
	struct sig_key	*key;
	char		*url;
};

struct pwit {
	char		*name;
	struct sig_key	*key;
	char		*url;
};

struct pgroup {
	char		*name;
	size_t		 k;
	size_t		 n;
	int		*members;	/* node indexes */
};

/* A name of the shared namespace: a witness or a group. */
struct pnode {
	const char	*name;		/* borrowed from its witness or group */
	int		 group;		/* 1: groups[idx], 0: wits[idx] */
	size_t		 idx;
	size_t		 line;		/* where it was defined */
	size_t		 member_line;	/* where it became a member, or 0 */
};

struct policy {
	struct plog	 logs[POLICY_MAX_LOGS];
	size_t		 nlogs;
	struct pwit	 wits[POLICY_MAX_WITNESSES];
	size_t		 nwits;
	struct pgroup	 groups[POLICY_MAX_GROUPS];
	size_t		 ngroups;
	struct pnode	 nodes[MAX_NODES];
	size_t		 nnodes;
	int		 quorum;	/* node index, -1 for none */
	size_t		 quorum_line;	/* 0 until the quorum line */
};

#endif /* POLICY_PRIV_H */
