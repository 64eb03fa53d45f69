/* policycheck.c - evaluate a checkpoint under a C2SP tlog-policy. */
/*
 * usage: policycheck POLICY CHECKPOINT
 * Prints policy_describe's line (and the refusal's rule on failure);
 * exits 0 if policy_check accepts the checkpoint (a listed log's
 * signature, the quorum met), 1 if it refuses it, 2 on unreadable input.
 * A test tool for tests/e2e/witness.sh until the clients take --policy.
 */
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "err.h"
#include "file.h"
#include "note.h"
#include "policy.h"

int
main(int argc, char **argv)
{
	struct policy		*p = NULL;
	struct policy_result	 r;
	struct ld_error		 e = { 0 };
	struct note		 n = { 0 };
	struct buf		 d = { 0 };
	char			*s = NULL;
	size_t			 len;
	int			 rc, ret = 2;

	if (argc != 3) {
		fprintf(stderr, "usage: policycheck POLICY CHECKPOINT\n");
		return 2;
	}
	if (policy_load(argv[1], &p, &e) != LD_OK) {
		fprintf(stderr, "policycheck: %s\n", e.msg);
		goto out;
	}
	if (file_read(argv[2], NOTE_MAX, &s, &len) != LD_OK ||
	    note_parse(s, len, &n) != LD_OK) {
		fprintf(stderr, "policycheck: %s is not a signed note\n",
		    argv[2]);
		goto out;
	}
	rc = policy_check(p, &n, &r, &e);
	policy_describe(p, &r, &d);
	if (rc == LD_OK)
		printf("accepted at size %llu: %.*s\n",
		    (unsigned long long)r.size, (int)d.len, (const char *)d.p);
	else
		printf("refused (%s): %s\n", e.rule, e.msg);
	ret = rc == LD_OK ? 0 : 1;
out:
	buf_free(&d);
	note_free(&n);
	free(s);
	policy_free(p);
	return ret;
}
