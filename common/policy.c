/* policy.c - C2SP tlog-policy: parse a policy file, check a checkpoint. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "file.h"
#include "note.h"
#include "policy.h"
#include "policy_priv.h"
#include "sig.h"
#include "xmalloc.h"

struct tok {
	const char	*p;
	size_t		 len;
};

static int
fail(struct ld_error *e, int code, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(struct ld_error *e, int code, size_t line, const char *fmt, ...)
{
	char	msg[400];
	va_list	ap;

	if (e == NULL)
		return code;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		return ld_error_set(e, code, "policy", UINT64_MAX,
		    "line %zu: %s", line, msg);
	return ld_error_set(e, code, "policy", UINT64_MAX, "%s", msg);
}

static int
tok_is(const struct tok *t, const char *s)
{
	return t->len == strlen(s) && memcmp(t->p, s, t->len) == 0;
}

static char *
tok_dup(const struct tok *t)
{
	char	*s = xmalloc(t->len + 1);

	memcpy(s, t->p, t->len);
	s[t->len] = '\0';
	return s;
}

/* Print a token for a message: cut, with bytes outside ASCII escaped. */
static const char *
tok_show(const struct tok *t, char *out, size_t outlen)
{
	size_t	i, o = 0;

	for (i = 0; i < t->len && o + 5 < outlen; i++) {
		unsigned char c = (unsigned char)t->p[i];

		if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
	}
	if (i < t->len && o + 4 < outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

static long
node_find(const struct policy *p, const struct tok *t)
{
	size_t	i;

	for (i = 0; i < p->nnodes; i++)
		if (strlen(p->nodes[i].name) == t->len &&
		    memcmp(p->nodes[i].name, t->p, t->len) == 0)
			return (long)i;
	return -1;
}

/* A new name for a witness or a group: not "none", not taken. */
static int
check_new_name(const struct policy *p, const struct tok *t, size_t line,
    struct ld_error *e)
{
	char	show[80];
	long	j;

	if (t->len > POLICY_NAME_MAX)
		return fail(e, LD_ETOOBIG, line, "a name longer than %d bytes",
		    POLICY_NAME_MAX);
	if (tok_is(t, "none"))
		return fail(e, LD_EINVAL, line, "\"none\" is predefined "
		    "(quorum none) and cannot be defined");
	if ((j = node_find(p, t)) >= 0)
		return fail(e, LD_EINVAL, line, "%s is already defined on "
		    "line %zu (witnesses and groups share one namespace)",
		    tok_show(t, show, sizeof(show)), p->nodes[j].line);
	if (p->nnodes >= MAX_NODES)
		return fail(e, LD_ETOOBIG, line, "too many names");
	return LD_OK;
}

/* Parse a vkey of type want; refuse a key already in p. */
static int
parse_key(const struct policy *p, const struct tok *t, uint8_t want,
    const char *what, size_t line, struct sig_key **out, struct ld_error *e)
{
	struct sig_key	*k;
	const uint8_t	*pub;
	char		 show[80];
	size_t		 i;
	int		 rc;

	rc = sig_key_from_vkey(t->p, t->len, &k);
	if (rc == LD_EWEAKKEY)
		return fail(e, LD_EINVAL, line, "%s key %s is a weak Ed25519 "
		    "key (small order or not canonical)", what,
		    tok_show(t, show, sizeof(show)));
	if (rc != LD_OK)
		return fail(e, LD_EINVAL, line, "%s key %s is not a verifier "
		    "key this program supports (name+id+base64 of type 0x01 "
		    "or 0x04 and an Ed25519 key; ML-DSA-44 0x06 is not "
		    "supported)", what, tok_show(t, show, sizeof(show)));
	if (sig_key_type(k) != want) {
		fail(e, LD_EINVAL, line, "%s key %s has type 0x%02x; a %s key "
		    "must be type 0x%02x (%s)", what,
		    tok_show(t, show, sizeof(show)), sig_key_type(k), what,
		    want, want == SIG_TYPE_ED25519 ? "a log's Ed25519 note "
		    "signature" : "an Ed25519 cosignature/v1");
		sig_key_free(k);
		return LD_EINVAL;
	}
	pub = sig_key_pub(k);
	for (i = 0; i < p->nlogs; i++)
		if (memcmp(sig_key_pub(p->logs[i].key), pub, SIG_PUB_LEN) == 0)
			goto dup;
	for (i = 0; i < p->nwits; i++)
		if (memcmp(sig_key_pub(p->wits[i].key), pub, SIG_PUB_LEN) == 0)
			goto dup;
	*out = k;
	return LD_OK;
dup:
	sig_key_free(k);
	return fail(e, LD_EINVAL, line, "%s key %s: the same public key is "
	    "already listed (as log %s or witness %s); duplicate keys are "
	    "not allowed, under any name", what,
	    tok_show(t, show, sizeof(show)),
	    i < p->nlogs ? sig_key_name(p->logs[i].key) : "-",
	    i < p->nwits ? p->wits[i].name : "-");
}

static int
parse_url(const struct tok *t, size_t line, char **out, struct ld_error *e)
{
	*out = NULL;
	if (t == NULL)
		return LD_OK;
	if (t->len > POLICY_URL_MAX)
		return fail(e, LD_ETOOBIG, line, "a URL longer than %d bytes",
		    POLICY_URL_MAX);
	*out = tok_dup(t);
	return LD_OK;
}

static int
parse_log(struct policy *p, const struct tok *t, size_t n, size_t line,
    struct ld_error *e)
{
	struct plog	l = { 0 };
	int		rc;

	if (n < 2 || n > 3)
		return fail(e, LD_EINVAL, line, "want \"log <vkey> [<url>]\", "
		    "got %zu items", n);
	if (p->nlogs >= POLICY_MAX_LOGS)
		return fail(e, LD_ETOOBIG, line, "more than %d logs",
		    POLICY_MAX_LOGS);
	if ((rc = parse_key(p, &t[1], SIG_TYPE_ED25519, "log", line, &l.key,
	    e)) != LD_OK)
		return rc;
	if ((rc = parse_url(n == 3 ? &t[2] : NULL, line, &l.url, e)) !=
	    LD_OK) {
		sig_key_free(l.key);
		return rc;
	}
	p->logs[p->nlogs++] = l;
	return LD_OK;
}

static int
parse_witness(struct policy *p, const struct tok *t, size_t n, size_t line,
    struct ld_error *e)
{
	struct pwit	 w = { 0 };
	struct pnode	*nd;
	int		 rc;

	if (n < 3 || n > 4)
		return fail(e, LD_EINVAL, line, "want \"witness <name> <vkey> "
		    "[<url>]\", got %zu items", n);
	if (p->nwits >= POLICY_MAX_WITNESSES)
		return fail(e, LD_ETOOBIG, line, "more than %d witnesses",
		    POLICY_MAX_WITNESSES);
	if ((rc = check_new_name(p, &t[1], line, e)) != LD_OK)
		return rc;
	if ((rc = parse_key(p, &t[2], SIG_TYPE_COSIGN, "witness", line,
	    &w.key, e)) != LD_OK)
		return rc;
	if ((rc = parse_url(n == 4 ? &t[3] : NULL, line, &w.url, e)) !=
	    LD_OK) {
		sig_key_free(w.key);
		return rc;
	}
	w.name = tok_dup(&t[1]);
	nd = &p->nodes[p->nnodes++];
	nd->name = w.name;
	nd->group = 0;
	nd->idx = p->nwits;
	nd->line = line;
	p->wits[p->nwits++] = w;
	return LD_OK;
}

/* A threshold: decimal digits, 1 <= k <= n. */
static int
parse_k(const struct tok *t, size_t n, size_t line, size_t *k,
    struct ld_error *e)
{
	char	show[80];
	size_t	i, v = 0;

	if (tok_is(t, "all")) {
		*k = n;
		return LD_OK;
	}
	if (tok_is(t, "any")) {
		*k = 1;
		return LD_OK;
	}
	for (i = 0; i < t->len; i++) {
		if (t->p[i] < '0' || t->p[i] > '9')
			return fail(e, LD_EINVAL, line, "threshold %s is not "
			    "a decimal number, \"all\" or \"any\"",
			    tok_show(t, show, sizeof(show)));
		if (v <= MAX_NODES)
			v = v * 10 + (size_t)(t->p[i] - '0');
	}
	if (t->len == 0 || v < 1 || v > n)
		return fail(e, LD_EINVAL, line, "threshold %s out of range: "
		    "1 <= k <= %zu (the number of members)",
		    tok_show(t, show, sizeof(show)), n);
	*k = v;
	return LD_OK;
}

static int
parse_group(struct policy *p, const struct tok *t, size_t n, size_t line,
    struct ld_error *e)
{
	struct pgroup	 g = { 0 };
	struct pnode	*nd;
	char		 show[80];
	size_t		 i, j;
	long		 m;
	int		 rc;

	if (n < 4)
		return fail(e, LD_EINVAL, line, "want \"group <name> "
		    "<k>|all|any <member>...\" with at least one member");
	if (p->ngroups >= POLICY_MAX_GROUPS)
		return fail(e, LD_ETOOBIG, line, "more than %d groups",
		    POLICY_MAX_GROUPS);
	if ((rc = check_new_name(p, &t[1], line, e)) != LD_OK)
		return rc;
	g.n = n - 3;
	if ((rc = parse_k(&t[2], g.n, line, &g.k, e)) != LD_OK)
		return rc;
	g.members = xcalloc(g.n, sizeof(*g.members));
	for (i = 0; i < g.n; i++) {
		if (tok_is(&t[3 + i], "none")) {
			rc = fail(e, LD_EINVAL, line, "\"none\" cannot be a "
			    "group member");
			goto bad;
		}
		if ((m = node_find(p, &t[3 + i])) < 0) {
			rc = fail(e, LD_EINVAL, line, "member %s is not "
			    "defined on a line above",
			    tok_show(&t[3 + i], show, sizeof(show)));
			goto bad;
		}
		for (j = 0; j < i; j++)
			if (g.members[j] == (int)m)
				break;
		if (j < i || p->nodes[m].member_line != 0) {
			rc = fail(e, LD_EINVAL, line, "%s is already a member "
			    "of a group (line %zu); each name may be a "
			    "member only once",
			    tok_show(&t[3 + i], show, sizeof(show)),
			    j < i ? line : p->nodes[m].member_line);
			goto bad;
		}
		g.members[i] = (int)m;
	}
	for (i = 0; i < g.n; i++)
		p->nodes[g.members[i]].member_line = line;
	g.name = tok_dup(&t[1]);
	nd = &p->nodes[p->nnodes++];
	nd->name = g.name;
	nd->group = 1;
	nd->idx = p->ngroups;
	nd->line = line;
	p->groups[p->ngroups++] = g;
	return LD_OK;
bad:
	free(g.members);
	return rc;
}

static int
parse_quorum(struct policy *p, const struct tok *t, size_t n, size_t line,
    struct ld_error *e)
{
	char	show[80];
	long	m;

	if (n != 2)
		return fail(e, LD_EINVAL, line, "want \"quorum <name>|none\", "
		    "got %zu items", n);
	if (p->quorum_line != 0)
		return fail(e, LD_EINVAL, line, "a second quorum line (the "
		    "first is line %zu); exactly one is allowed",
		    p->quorum_line);
	if (tok_is(&t[1], "none"))
		m = -1;
	else if ((m = node_find(p, &t[1])) < 0)
		return fail(e, LD_EINVAL, line, "quorum %s is not a witness "
		    "or group defined on a line above",
		    tok_show(&t[1], show, sizeof(show)));
	p->quorum = (int)m;
	p->quorum_line = line;
	return LD_OK;
}

/* Split a line into items separated by spaces and tabs. */
static int
tokenize(const char *s, size_t len, struct tok *t, size_t *n, size_t line,
    struct ld_error *e)
{
	size_t	i = 0, start;

	*n = 0;
	while (i < len) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
		if (*n >= MAX_TOKENS)
			return fail(e, LD_ETOOBIG, line, "more than %d items "
			    "on one line", MAX_TOKENS);
		t[*n].p = s + start;
		t[*n].len = i - start;
		(*n)++;
	}
	return LD_OK;
}

static int
parse_line(struct policy *p, const char *s, size_t len, size_t line,
    struct ld_error *e)
{
	struct tok	t[MAX_TOKENS];
	char		show[80];
	size_t		i, n;
	int		rc;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\t' || (c >= 0x20 && c != 0x7f))
			continue;
		return fail(e, LD_EINVAL, line, "byte 0x%02x at column %zu is "
		    "not allowed (only tab, newline, 0x20-0x7e and 0x80-0xff"
		    "%s)", c, i + 1, c == '\r' ? "; CRLF line ends?" : "");
	}
	if ((rc = tokenize(s, len, t, &n, line, e)) != LD_OK)
		return rc;
	if (n == 0 || t[0].p[0] == '#')
		return LD_OK;
	if (tok_is(&t[0], "log"))
		return parse_log(p, t, n, line, e);
	if (tok_is(&t[0], "witness"))
		return parse_witness(p, t, n, line, e);
	if (tok_is(&t[0], "group"))
		return parse_group(p, t, n, line, e);
	if (tok_is(&t[0], "quorum"))
		return parse_quorum(p, t, n, line, e);
	return fail(e, LD_EINVAL, line, "unknown keyword %s (want log, "
	    "witness, group or quorum)", tok_show(&t[0], show, sizeof(show)));
}

int
policy_parse(const char *s, size_t len, struct policy **out,
    struct ld_error *e)
{
	struct policy	*p;
	const char	*nl;
	size_t		 off = 0, line = 0;
	int		 rc;

	if (len > POLICY_MAX_BYTES)
		return fail(e, LD_ETOOBIG, 0, "the policy is over %d bytes",
		    POLICY_MAX_BYTES);
	p = xcalloc(1, sizeof(*p));
	p->quorum = -1;
	while (off < len) {
		line++;
		nl = memchr(s + off, '\n', len - off);
		if (nl == NULL) {
			rc = fail(e, LD_EINVAL, line, "no newline at the end "
			    "of the last line (every line ends in \"\\n\")");
			goto bad;
		}
		if ((rc = parse_line(p, s + off, (size_t)(nl - (s + off)),
		    line, e)) != LD_OK)
			goto bad;
		off = (size_t)(nl - s) + 1;
	}
	if (p->quorum_line == 0) {
		rc = fail(e, LD_EINVAL, 0, "no quorum line (a policy has "
		    "exactly one: \"quorum <name>\" or \"quorum none\")");
		goto bad;
	}
	*out = p;
	return LD_OK;
bad:
	policy_free(p);
	return rc;
}

int
policy_load(const char *path, struct policy **out, struct ld_error *e)
{
	char	*s;
	size_t	 len;
	int	 rc;

	if ((rc = file_read(path, POLICY_MAX_BYTES, &s, &len)) != LD_OK)
		return fail(e, rc, 0, "%s: %s", path, rc == LD_ETOOBIG ?
		    "over the policy size limit" : ld_strerror(rc));
	rc = policy_parse(s, len, out, e);
	free(s);
	if (rc != LD_OK && e != NULL) {
		char	msg[sizeof(e->msg)];

		snprintf(msg, sizeof(msg), "%s", e->msg);
		ld_error_set(e, rc, "policy", UINT64_MAX, "%s: %s", path, msg);
	}
	return rc;
}

void
policy_free(struct policy *p)
{
	size_t	i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nlogs; i++) {
		sig_key_free(p->logs[i].key);
		free(p->logs[i].url);
	}
	for (i = 0; i < p->nwits; i++) {
		sig_key_free(p->wits[i].key);
		free(p->wits[i].name);
		free(p->wits[i].url);
	}
	for (i = 0; i < p->ngroups; i++) {
		free(p->groups[i].name);
		free(p->groups[i].members);
	}
	free(p);
}

void
policy_format(const struct policy *p, struct buf *b)
{
	const struct pnode	*nd;
	const struct pgroup	*g;
	char			*v;
	size_t			 i, j;

	for (i = 0; i < p->nlogs; i++) {
		v = sig_vkey(p->logs[i].key);
		buf_printf(b, "log %s%s%s\n", v, p->logs[i].url ? " " : "",
		    p->logs[i].url ? p->logs[i].url : "");
		free(v);
	}
	for (i = 0; i < p->nnodes; i++) {
		nd = &p->nodes[i];
		if (!nd->group) {
			v = sig_vkey(p->wits[nd->idx].key);
			buf_printf(b, "witness %s %s%s%s\n", nd->name, v,
			    p->wits[nd->idx].url ? " " : "",
			    p->wits[nd->idx].url ? p->wits[nd->idx].url : "");
			free(v);
			continue;
		}
		g = &p->groups[nd->idx];
		buf_printf(b, "group %s %zu", nd->name, g->k);
		for (j = 0; j < g->n; j++)
			buf_printf(b, " %s", p->nodes[g->members[j]].name);
		buf_addc(b, '\n');
	}
	buf_printf(b, "quorum %s\n", policy_quorum(p));
}

size_t
policy_nlogs(const struct policy *p)
{
	return p->nlogs;
}

const char *
policy_log_origin(const struct policy *p, size_t i)
{
	return sig_key_name(p->logs[i].key);
}

const struct sig_key *
policy_log_key(const struct policy *p, size_t i)
{
	return p->logs[i].key;
}

const char *
policy_log_url(const struct policy *p, size_t i)
{
	return p->logs[i].url;
}

long
policy_log_find(const struct policy *p, const char *origin, size_t from)
{
	size_t	i;

	for (i = from; i < p->nlogs; i++)
		if (strcmp(sig_key_name(p->logs[i].key), origin) == 0)
			return (long)i;
	return -1;
}

size_t
policy_nwitnesses(const struct policy *p)
{
	return p->nwits;
}

const char *
policy_witness_name(const struct policy *p, size_t i)
{
	return p->wits[i].name;
}

const struct sig_key *
policy_witness_key(const struct policy *p, size_t i)
{
	return p->wits[i].key;
}

const char *
policy_witness_url(const struct policy *p, size_t i)
{
	return p->wits[i].url;
}

const char *
policy_quorum(const struct policy *p)
{
	return p->quorum < 0 ? "none" : p->nodes[p->quorum].name;
}
