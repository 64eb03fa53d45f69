/* trust.c - what a verifier trusts (the log's key alone, or a C2SP
 * tlog-policy) and opening a signed checkpoint under it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "json.h"
#include "note.h"
#include "policy.h"
#include "sig.h"
#include "trust.h"

/* e's rule and message (NULL e: only the code). */
#define fail(e, code, rule, ...) \
	ld_error_set((e), (code), (rule), UINT64_MAX, __VA_ARGS__)

static const char *
pname(const struct trust *t)
{
	return t->policy_name != NULL ? t->policy_name : "the policy";
}

int
trust_init(struct trust *t, const struct sig_key *log, const struct policy *p,
    const char *name, struct ld_error *e)
{
	const struct sig_key	*k;
	size_t			 i, n;

	memset(t, 0, sizeof(*t));
	t->policy_name = name;
	if (p == NULL) {
		if (log == NULL)
			return fail(e, LD_EINVAL, "trust", "no log key");
		t->log = log;
		return LD_OK;
	}
	t->policy = p;
	n = policy_nlogs(p);
	if (log == NULL) {
		if (n != 1)
			return fail(e, LD_EINVAL, "trust", "%s lists %zu logs: "
			    "--vkey says which one to use", pname(t), n);
		t->log = policy_log_key(p, 0);
		return LD_OK;
	}
	for (i = 0; i < n; i++) {
		k = policy_log_key(p, i);
		if (strcmp(sig_key_name(k), sig_key_name(log)) == 0 &&
		    sig_key_type(k) == sig_key_type(log) &&
		    memcmp(sig_key_pub(k), sig_key_pub(log), 32) == 0) {
			t->log = k;
			return LD_OK;
		}
	}
	return fail(e, LD_EINVAL, "trust", "the log key %s+%08x is not a log "
	    "of %s", sig_key_name(log), sig_key_id(log), pname(t));
}

int
trust_open(const struct trust *t, const char *s, size_t len,
    struct trust_cp *out, struct ld_error *e)
{
	struct trust_cp	 c;
	struct note	 n;
	struct ld_error	 pe;
	int		 rc;

	memset(&c, 0, sizeof(c));
	c.pr.log = -1;
	rc = checkpoint_open(s, len, t->log, &c.cp);
	if (rc == LD_ERULE)
		return fail(e, LD_ERULE, "checkpoint-extensions", "%s",
		    CHECKPOINT_EXT_MSG);
	if (rc == LD_EINVAL)
		return fail(e, LD_EINVAL, "checkpoint-format", "not a signed "
		    "checkpoint note");
	if (rc != LD_OK)
		return fail(e, LD_EBADSIG, "checkpoint-signature", "the "
		    "checkpoint is not signed by %s (wrong key or tampered "
		    "checkpoint)", sig_key_name(t->log));
	if (t->policy != NULL) {
		if (note_parse(s, len, &n) != LD_OK)
			return fail(e, LD_EINVAL, "checkpoint-format", "not a "
			    "signed checkpoint note");
		memset(&pe, 0, sizeof(pe));
		rc = policy_check(t->policy, &n, &c.pr, &pe);
		note_free(&n);
		if (rc != LD_OK)
			return fail(e, rc == LD_EINVAL ? LD_EINVAL : LD_EBADSIG,
			    pe.rule, "the checkpoint of size %llu does not "
			    "satisfy %s: %s", (unsigned long long)c.cp.size,
			    pname(t), pe.msg);
	}
	*out = c;
	return LD_OK;
}

/* The witnesses whose cosignature counted, ", "-joined; how many. */
static size_t
cosigners(const struct trust *t, const struct trust_cp *c, struct buf *b)
{
	size_t	i, n = 0;

	for (i = 0; i < policy_nwitnesses(t->policy); i++)
		if (c->pr.cosig[i] == POLICY_COSIG_OK)
			buf_printf(b, "%s%s", n++ ? ", " : "",
			    policy_witness_name(t->policy, i));
	return n;
}

/* The quorum's rule: policy_describe's text before "; cosigned by "
 * (names hold no spaces, so the cut is never inside one). */
static void
quorum_rule(const struct trust *t, const struct trust_cp *c, struct buf *b)
{
	struct buf	 d = { 0 };
	const char	*s, *cut;

	policy_describe(t->policy, &c->pr, &d);
	s = buf_cstr(&d);
	cut = strstr(s, "; cosigned by ");
	buf_add(b, s, cut != NULL ? (size_t)(cut - s) : strlen(s));
	buf_free(&d);
}

void
trust_rule(const struct trust *t, struct buf *b)
{
	struct trust_cp	none;

	if (t->policy == NULL)
		return;
	memset(&none, 0, sizeof(none));
	quorum_rule(t, &none, b);
}

void
trust_describe(const struct trust *t, const struct trust_cp *c,
    struct buf *b)
{
	struct buf	w = { 0 };

	buf_printf(b, "signed by %s", sig_key_name(t->log));
	if (t->policy == NULL)
		return;
	if (c->prefix_of != 0 && c->prefix_of == c->cp.size)
		buf_printf(b, ", the same tree (same size and root) as the "
		    "checkpoint signed by %s", sig_key_name(t->log));
	else if (c->prefix_of != 0)
		buf_printf(b, ", a prefix (consistency proof verified) of the "
		    "checkpoint of size %llu signed by %s",
		    (unsigned long long)c->prefix_of, sig_key_name(t->log));
	if (cosigners(t, c, &w) > 0)
		buf_printf(b, " and cosigned by %s", buf_cstr(&w));
	buf_free(&w);
	buf_printf(b, " (policy %s: ", pname(t));
	quorum_rule(t, c, b);
	buf_addc(b, ')');
}

struct json *
trust_json(const struct trust *t, const struct trust_cp *c)
{
	struct json	*o = json_obj(), *a;
	struct buf	 b = { 0 };
	size_t		 i;

	json_set(o, "log_key", json_str(sig_key_name(t->log)));
	if (t->policy == NULL) {
		json_set(o, "policy", json_nil());
		json_set(o, "quorum", json_nil());
		json_set(o, "quorum_met", json_nil());
		json_set(o, "cosigned_by", json_arr());
		json_set(o, "quorum_rule", json_nil());
		json_set(o, "prefix_of", json_nil());
		return o;
	}
	json_set(o, "policy", json_str(pname(t)));
	json_set(o, "quorum", json_str(policy_quorum(t->policy)));
	json_set(o, "quorum_met", json_bool(c->pr.quorum_met));
	a = json_arr();
	for (i = 0; i < policy_nwitnesses(t->policy); i++)
		if (c->pr.cosig[i] == POLICY_COSIG_OK)
			json_push(a, json_str(policy_witness_name(t->policy,
			    i)));
	json_set(o, "cosigned_by", a);
	quorum_rule(t, c, &b);
	json_set(o, "quorum_rule", json_str(buf_cstr(&b)));
	buf_free(&b);
	json_set(o, "prefix_of", c->prefix_of ? json_u64(c->prefix_of) :
	    json_nil());
	return o;
}

size_t
trust_replayed(const struct trust *t, const struct trust_cp *c,
    struct buf *b)
{
	const char	*kn;
	size_t		 i, n = 0, kl, sl = strlen(TRUST_REPLAYED_SUFFIX);

	if (t->policy == NULL)
		return 0;
	for (i = 0; i < policy_nwitnesses(t->policy); i++) {
		if (c->pr.cosig[i] != POLICY_COSIG_OK)
			continue;
		kn = sig_key_name(policy_witness_key(t->policy, i));
		kl = strlen(kn);
		if (kl <= sl || strcmp(kn + kl - sl,
		    TRUST_REPLAYED_SUFFIX) != 0)
			continue;
		buf_printf(b, "%s%s (%s)", n++ ? ", " : "",
		    policy_witness_name(t->policy, i), kn);
	}
	return n;
}
