/* policy_check.c - C2SP tlog-policy: check a cosigned checkpoint
 * against a policy, and say what it lacks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "note.h"
#include "policy.h"
#include "policy_priv.h"
#include "sig.h"

/* e's rule and message (NULL e: only the code). */
#define fail(e, code, rule, ...) \
	ld_error_set((e), (code), (rule), UINT64_MAX, __VA_ARGS__)

/* Whether node m is satisfied, given sat[] of the nodes before it. */
static int
node_sat(const struct policy *p, const struct policy_result *r,
    const int *sat, size_t m)
{
	const struct pgroup	*g;
	size_t			 i, c = 0;

	if (!p->nodes[m].group)
		return r->cosig[p->nodes[m].idx] == POLICY_COSIG_OK;
	g = &p->groups[p->nodes[m].idx];
	for (i = 0; i < g->n; i++)
		c += sat[g->members[i]] != 0;
	return c >= g->k;
}

static int
quorum_met(const struct policy *p, const struct policy_result *r)
{
	int	sat[MAX_NODES];
	size_t	m;

	if (p->quorum < 0)
		return 1;
	/* Members are defined before their group: one pass in order. */
	for (m = 0; m < p->nnodes; m++)
		sat[m] = node_sat(p, r, sat, m);
	return sat[p->quorum];
}

int
policy_check(const struct policy *p, const struct note *n,
    struct policy_result *r, struct ld_error *e)
{
	const struct sig_key	*k;
	const struct note_sig	*s;
	struct checkpoint	 c;
	struct buf		 d = { 0 };
	size_t			 i;
	long			 li;
	int			 rc;

	memset(r, 0, sizeof(*r));
	r->log = -1;
	if (n == NULL || n->text == NULL ||
	    checkpoint_parse(n->text, n->text_len, &c) != LD_OK)
		return fail(e, LD_EINVAL, "not-a-checkpoint",
		    "not a checkpoint");
	r->size = c.size;
	if (policy_log_find(p, c.origin, 0) < 0)
		return fail(e, LD_EBADSIG, "unknown-origin", "origin %s is not "
		    "a log of the policy", c.origin);
	/* Every line of a listed log key of this origin must verify. */
	for (li = policy_log_find(p, c.origin, 0); li >= 0;
	    li = policy_log_find(p, c.origin, (size_t)li + 1)) {
		k = p->logs[li].key;
		if (note_sig_of(n, k) == NULL)
			continue;
		if (note_verify(n, &k, 1, NULL) != LD_OK)
			return fail(e, LD_EBADSIG, "bad-log-signature", "the "
			    "signature of log key %s+%08x does not verify",
			    sig_key_name(k), sig_key_id(k));
		if (r->log < 0)
			r->log = (int)li;
	}
	if (r->log < 0)
		return fail(e, LD_EBADSIG, "no-log-signature", "no signature "
		    "by a log key of the policy for origin %s", c.origin);
	for (i = 0; i < p->nwits; i++) {
		k = p->wits[i].key;
		if ((s = note_sig_of(n, k)) == NULL)
			continue;
		if (note_verify(n, &k, 1, NULL) != LD_OK)
			return fail(e, LD_EBADSIG, "bad-cosignature", "the "
			    "cosignature of witness %s (%s+%08x) does not "
			    "verify; a note with a failing signature of a "
			    "known key is refused whole", p->wits[i].name,
			    sig_key_name(k), sig_key_id(k));
		r->time[i] = note_cosig_time(s);
		r->cosig[i] = r->time[i] == 0 ? POLICY_COSIG_ZERO_TIME :
		    POLICY_COSIG_OK;
	}
	if ((r->quorum_met = quorum_met(p, r)))
		return LD_OK;
	policy_describe(p, r, &d);
	rc = fail(e, LD_EBADSIG, "quorum-not-met", "%s", buf_cstr(&d));
	buf_free(&d);
	return rc;
}

/* "name" or "name (k of {...})" for a nested group. */
static void
describe_node(const struct policy *p, size_t m, int top, struct buf *b)
{
	const struct pgroup	*g;
	size_t			 i;

	if (!top)
		buf_adds(b, p->nodes[m].name);
	if (!p->nodes[m].group)
		return;
	g = &p->groups[p->nodes[m].idx];
	if (!top)
		buf_adds(b, " (");
	else
		buf_printf(b, "%s needs ", p->nodes[m].name);
	if (g->k == g->n && g->n > 1)
		buf_adds(b, "all of {");
	else if (g->k == 1 && g->n > 1)
		buf_adds(b, "any of {");
	else
		buf_printf(b, "%zu of {", g->k);
	for (i = 0; i < g->n; i++) {
		if (i > 0)
			buf_adds(b, ", ");
		describe_node(p, (size_t)g->members[i], 0, b);
	}
	buf_addc(b, '}');
	if (!top)
		buf_addc(b, ')');
}

/* Mark the witnesses node m reaches. */
static void
reach(const struct policy *p, size_t m, int *w)
{
	const struct pgroup	*g;
	size_t			 i;

	if (!p->nodes[m].group) {
		w[p->nodes[m].idx] = 1;
		return;
	}
	g = &p->groups[p->nodes[m].idx];
	for (i = 0; i < g->n; i++)
		reach(p, (size_t)g->members[i], w);
}

void
policy_describe(const struct policy *p, const struct policy_result *r,
    struct buf *b)
{
	int	w[POLICY_MAX_WITNESSES] = { 0 };
	size_t	i, nok = 0, nmiss = 0;

	if (p->quorum < 0) {
		buf_adds(b, "quorum none: no cosignature needed");
		return;
	}
	buf_adds(b, "quorum ");
	if (p->nodes[p->quorum].group)
		describe_node(p, (size_t)p->quorum, 1, b);
	else
		buf_printf(b, "%s needs witness %s",
		    p->nodes[p->quorum].name, p->nodes[p->quorum].name);
	reach(p, (size_t)p->quorum, w);
	buf_adds(b, "; cosigned by ");
	for (i = 0; i < p->nwits; i++)
		if (w[i] && r->cosig[i] == POLICY_COSIG_OK)
			buf_printf(b, "%s%s", nok++ ? ", " : "",
			    p->wits[i].name);
	if (nok == 0)
		buf_adds(b, "none");
	buf_adds(b, "; missing ");
	for (i = 0; i < p->nwits; i++)
		if (w[i] && r->cosig[i] != POLICY_COSIG_OK)
			buf_printf(b, "%s%s%s", nmiss++ ? ", " : "",
			    p->wits[i].name,
			    r->cosig[i] == POLICY_COSIG_ZERO_TIME ?
			    " (timestamp 0, not counted)" : "");
	if (nmiss == 0)
		buf_adds(b, "none");
}
