/* main.c - ledger-audit(1): mirror, replay, report, claims, cross-log checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "checkpoint.h"
#include "claim.h"
#include "cli.h"
#include "codec.h"
#include "day.h"
#include "err.h"
#include "file.h"
#include "form.h"
#include "json.h"
#include "log.h"
#include "merkle.h"
#include "note.h"
#include "policy.h"
#include "report.h"
#include "rules_store.h"
#include "sig.h"
#include "store.h"
#include "sync.h"
#include "tlog_proof.h"
#include "trust.h"
#include "u64.h"
#include "witness.h"
#include "xmalloc.h"

/* The help of every command (--help), and the text of a usage error. */
static const char usage[] =
    "usage: ledger-audit sync --log URL (--vkey VKEY | --policy FILE)\n"
    "                         --state DIR [--json]\n"
    "                         [--cacert FILE]  (https: trust only the\n"
    "                         CA certificates in FILE, not the system's)\n"
    "                         (--policy: a C2SP tlog-policy; the log's\n"
    "                         checkpoint must meet its quorum)\n"
    "       ledger-audit report --state DIR [--json | --md FILE | "
    "--html FILE]\n"
    "       ledger-audit verify-claim --state DIR --issuer ID --grams N "
    "[--until TIME] [--json]\n"
    "       ledger-audit cross --state DIR1 --state DIR2 [...] [--json]\n"
    "       ledger-audit check-receipt --state DIR [--json] RECEIPT...\n"
    "       ledger-audit witness --listen HOST:PORT --key WITNESS_KEY "
    "--policy FILE\n"
    "                            --state DIR [--replay [--cacert FILE]]\n"
    "                            (a C2SP tlog-witness for the logs of FILE;\n"
    "                            --replay: cosign only what it mirrored and\n"
    "                            replayed with no finding; docs/witnesses.md)\n"
    "exit: 0 every check passed (signatures by the --vkey key, proofs, every\n"
    "      rule replayed) and nothing found, 1 a finding or a failed check,\n"
    "      2 usage, 3 network\n";

/* Every command takes every option; each checks those it needs. */
struct opts {
	const char	*log, *vkey, *state[16], *md, *html, *issuer, *until;
	const char	*cacert, *listen, *key, *policy;
	char		*vkey_text;	/* --vkey read from a file, owned */
	int		 nstate, json, replay;
	uint64_t	 grams;
	int		 have_grams;
};

/* --vkey: a vkey, or a file holding one. */
static void
opt_vkey(void *arg, const char *v)
{
	struct opts	*o = arg;
	char		*text;
	size_t		 len;

	if (file_read(v, 4096, &text, &len) == LD_OK) {
		while (len > 0 && text[len - 1] == '\n')
			text[--len] = '\0';
		free(o->vkey_text);
		o->vkey = o->vkey_text = text;
	} else
		o->vkey = v;
}

static void
opt_state(void *arg, const char *dir)
{
	struct opts	*o = arg;

	if (o->nstate == 16)
		cli_usage(usage);
	o->state[o->nstate++] = dir;
}

static void
opt_grams(void *arg, const char *v)
{
	struct opts	*o = arg;

	if (u64_parse(v, strlen(v), &o->grams))
		cli_usage(usage);
	o->have_grams = 1;
}

/* Parse the options after the command; returns the first operand's index. */
static int
parse(int argc, char **argv, struct opts *o)
{
	const struct cli_opt opts[] = {
		{ .name = "log", .letter = 'l', .arg = "URL", .str = &o->log },
		CLI_OPT_CACERT(&o->cacert),
		CLI_OPT_VKEY('k', opt_vkey, o),
		{ .name = "policy", .letter = 'P', .arg = "FILE",
		    .str = &o->policy },
		{ .name = "state", .letter = 's', .arg = "DIR", .fn = opt_state,
		    .ctx = o },
		CLI_OPT_JSON(&o->json),
		{ .name = "md", .letter = 'm', .arg = "FILE", .str = &o->md },
		{ .name = "html", .letter = 'H', .arg = "FILE", .str = &o->html },
		{ .name = "issuer", .letter = 'i', .arg = "ID",
		    .str = &o->issuer },
		{ .name = "grams", .letter = 'g', .arg = "N", .fn = opt_grams,
		    .ctx = o },
		{ .name = "until", .letter = 'u', .arg = "TIME",
		    .str = &o->until },
		{ .name = "listen", .arg = "HOST:PORT", .str = &o->listen },
		{ .name = "key", .arg = "FILE", .str = &o->key },
		{ .name = "replay", .flag = &o->replay },
		CLI_OPT_END,
	};

	memset(o, 0, sizeof(*o));
	return cli_parse(argc, argv, 2, opts, usage);
}

static void
print_doc(struct json *o)
{
	struct buf	b = { 0 };

	json_render(o, &b);
	printf("%.*s\n", (int)b.len, b.p);
	buf_free(&b);
}

/*
 * The auditor's clock for future-time findings: now, or for tests the UTC
 * seconds in LEDGER_AUDIT_NOW (docs/auditors.md); a bad value is a usage
 * error rather than a silently wrong clock.
 */
static uint64_t
audit_clock(void)
{
	const char	*s = getenv("LEDGER_AUDIT_NOW");
	uint64_t	 v;
	time_t		 t;

	if (s != NULL) {
		if (u64_parse(s, strlen(s), &v) != LD_OK) {
			fprintf(stderr, "ledger-audit: LEDGER_AUDIT_NOW must be "
			    "UTC seconds\n");
			exit(CLI_EXIT_USAGE);
		}
		return v;
	}
	t = time(NULL);
	return t < 0 ? 0 : (uint64_t)t;
}

/*
 * What sync trusts: the --vkey key alone, or the --policy file with its
 * log key (--vkey, if given too, must be one of its logs). Exits 2 on a
 * bad key or policy, or when they disagree.
 */
static void
sync_trust(const struct opts *o, struct trust *t, struct sig_key **log,
    struct policy **pol)
{
	struct ld_error	e;
	int		rc;

	*log = NULL;
	*pol = NULL;
	memset(&e, 0, sizeof(e));
	if (o->vkey != NULL && (rc = sig_key_from_vkey(o->vkey,
	    strlen(o->vkey), log)) != LD_OK) {
		fprintf(stderr, "ledger-audit: --vkey is not a verifier key%s"
		    "\n", rc == LD_EWEAKKEY ? " (a weak Ed25519 key)" : "");
		exit(CLI_EXIT_USAGE);
	}
	if (o->policy != NULL && policy_load(o->policy, pol, &e) != LD_OK) {
		fprintf(stderr, "ledger-audit: --policy: %s\n", e.msg);
		exit(CLI_EXIT_USAGE);
	}
	if (trust_init(t, *log, *pol, o->policy, &e) != LD_OK) {
		fprintf(stderr, "ledger-audit: --policy %s: %s\n", o->policy,
		    e.msg);
		exit(CLI_EXIT_USAGE);
	}
}

static int
cmd_sync(int argc, char **argv)
{
	struct sync_opts	so;
	struct sync_result	r;
	struct opts		o;
	struct json		*d;
	struct trust		t;
	struct sig_key		*log;
	struct policy		*pol;
	struct buf		desc = { 0 };
	int			rc;

	if (parse(argc, argv, &o) != argc || o.log == NULL ||
	    (o.vkey == NULL && o.policy == NULL) || o.nstate != 1)
		cli_usage(usage);
	sync_trust(&o, &t, &log, &pol);
	memset(&so, 0, sizeof(so));
	so.url = o.log;
	so.cacert = o.cacert;
	so.trust = &t;
	so.state = o.state[0];
	so.progress = !o.json && isatty(2);
	so.now = audit_clock();
	rc = sync_run(&so, &r);
	free(o.vkey_text);
	if (rc == LD_OK)
		trust_describe(&t, &r.tc, &desc);
	if (o.json) {
		d = json_obj();
		json_set(d, "ok", json_bool(rc == LD_OK &&
		    r.findings_total == 0));
		json_set(d, "size", json_u64(r.size));
		json_set(d, "previous_size", json_u64(r.old_size));
		json_set(d, "mirrored", json_u64(r.start));
		json_set(d, "new_findings", json_u64(r.findings_new));
		json_set(d, "findings", json_u64(r.findings_total +
		    (rc != LD_OK ? r.findings_before : 0)));
		json_set(d, "fork", json_bool(r.fork));
		json_set(d, "root_mismatch", json_bool(r.root_mismatch));
		json_set(d, "stale", json_bool(r.stale));
		if (r.stale)
			json_set(d, "note", json_str(r.error));
		json_set(d, "seconds",
		    json_u64((uint64_t)(r.seconds * 1000) / 1000));
		if (rc == LD_OK)
			json_set(d, "trust", trust_json(&t, &r.tc));
		if (rc != LD_OK)
			json_set(d, "error", json_str(r.error));
		print_doc(d);
		json_free(d);
	} else if (rc != LD_OK)
		fprintf(stderr, "ledger-audit: %s%s\n", r.fork ? "FORK: " :
		    r.root_mismatch ? "ROOT MISMATCH: " : "", r.error);
	else if (r.stale)
		printf("%s; %llu findings\n", r.error,
		    (unsigned long long)r.findings_total);
	else
		printf("verified %llu entries (%llu new) in %.2f s, %.0f "
		    "entries/s; %llu findings (%llu new); checkpoint of size "
		    "%llu %s\n",
		    (unsigned long long)r.size, (unsigned long long)r.entries,
		    r.seconds, r.seconds > 0 ? (double)r.entries / r.seconds :
		    0.0, (unsigned long long)r.findings_total,
		    (unsigned long long)r.findings_new,
		    (unsigned long long)r.size, buf_cstr(&desc));
	buf_free(&desc);
	sig_key_free(log);
	policy_free(pol);
	if (rc == LD_ENET)
		return CLI_EXIT_NET;
	if (rc == LD_EINVAL)
		return CLI_EXIT_USAGE;
	return rc == LD_OK && r.findings_total == 0 ? CLI_EXIT_OK :
	    CLI_EXIT_FAIL;
}

/* Open a state directory read-only. */
static struct store *
open_state(const char *dir, struct store_txn **t)
{
	struct store	*st;

	if (store_open(&st, dir, 0, 1) != LD_OK) {
		fprintf(stderr, "ledger-audit: %s is not a mirror (run "
		    "ledger-audit sync first)\n", dir);
		exit(CLI_EXIT_USAGE);
	}
	if (store_begin(st, 1, t) != LD_OK) {
		fprintf(stderr, "ledger-audit: cannot read %s\n", dir);
		exit(CLI_EXIT_USAGE);
	}
	return st;
}

static int
cmd_report(int argc, char **argv)
{
	struct store_txn	*t;
	struct store		*st;
	struct opts		 o;
	struct json		*r;
	struct buf		 b = { 0 };
	int			 nfind;

	if (parse(argc, argv, &o) != argc || o.nstate != 1)
		cli_usage(usage);
	st = open_state(o.state[0], &t);
	r = report_build(t, o.state[0]);
	nfind = (int)json_len(json_get(r, "findings"));
	if (o.json)
		print_doc(r);
	else if (o.md == NULL && o.html == NULL) {
		report_text(r, &b);
		fwrite(b.p, 1, b.len, stdout);
	}
	if (o.md != NULL) {
		buf_reset(&b);
		report_md(r, &b);
		if (file_write(o.md, b.p, b.len, 0644, 0) != LD_OK)
			fprintf(stderr, "ledger-audit: cannot write %s\n", o.md);
	}
	if (o.html != NULL) {
		buf_reset(&b);
		report_html(r, &b);
		if (file_write(o.html, b.p, b.len, 0644, 0) != LD_OK)
			fprintf(stderr, "ledger-audit: cannot write %s\n",
			    o.html);
	}
	buf_free(&b);
	json_free(r);
	store_abort(t);
	store_close(st);
	return nfind ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* The signed checkpoint held in a state directory. */
static int
state_checkpoint(const char *dir, struct checkpoint *c, char **note,
    size_t *len, struct sig_key **log)
{
	char	*path = xasprintf("%s/checkpoint", dir), *v;
	size_t	 vl;
	int	 rc;

	*note = NULL;
	rc = file_read(path, NOTE_MAX, note, len);
	free(path);
	if (rc != LD_OK)
		return rc;
	path = xasprintf("%s/log.vkey", dir);
	rc = file_read(path, 4096, &v, &vl);
	free(path);
	if (rc != LD_OK)
		return rc;
	while (vl > 0 && v[vl - 1] == '\n')
		vl--;
	rc = sig_key_from_vkey(v, vl, log);
	free(v);
	if (rc != LD_OK)
		return rc;
	return checkpoint_open(*note, *len, *log, c);
}

/* The receipt text of leaf index against the mirror's checkpoint. */
static int
mirror_receipt(struct store_txn *t, uint64_t index, const struct checkpoint *c,
    const char *note, size_t nlen, struct buf *out)
{
	struct merkle_proof	 p;
	const uint8_t		*lp;
	size_t			 len;

	if (store_leaf_get(t, index, &lp, &len) != LD_OK ||
	    merkle_prove_inclusion(store_node_fn, t, index, c->size, &p) !=
	    MERKLE_OK)
		return LD_ECORRUPT;
	tlog_proof_format(lp, len, index, &p, note, nlen, out);
	return LD_OK;
}

static int
cmd_verify_claim(int argc, char **argv)
{
	struct rules_issuer_state	 ist;
	struct claim_sum	 cs;
	struct store_txn	*t;
	struct store		*st;
	struct checkpoint	 c;
	struct sig_key		*log = NULL;
	struct opts		 o;
	struct buf		 rec = { 0 };
	struct json		*d;
	const struct json		*f;
	const char		*code;
	char			*note;
	size_t			 nlen, i, nf, len;
	uint64_t		 until = UINT64_MAX, fi;
	uint32_t		 day;
	int			 pass, rc;

	if (parse(argc, argv, &o) != argc || o.nstate != 1 || o.issuer == NULL ||
	    !o.have_grams)
		cli_usage(usage);
	if (o.until != NULL) {
		if (day_parse_utc(o.until, strlen(o.until), &day) != LD_OK) {
			fprintf(stderr, "ledger-audit: --until takes an RFC 3339"
			    " time or a date\n");
			return CLI_EXIT_USAGE;
		}
		/* Day granularity: up to the end of that UTC day. */
		until = (uint64_t)day * 86400 + 86399;
	}
	st = open_state(o.state[0], &t);
	if (state_checkpoint(o.state[0], &c, &note, &nlen, &log) != LD_OK) {
		fprintf(stderr, "ledger-audit: %s holds no verified checkpoint"
		    "\n", o.state[0]);
		return CLI_EXIT_USAGE;
	}
	if (rules_store_ops.issuer_get(t, o.issuer, &ist) != LD_OK) {
		fprintf(stderr, "ledger-audit: issuer %s is not in the log\n",
		    o.issuer);
		return CLI_EXIT_FAIL;
	}
	/* The auditor's own sums, from the entries it replayed. */
	if ((rc = claim_sum(t, c.size, o.issuer, until, &cs)) != LD_OK) {
		fprintf(stderr, "ledger-audit: cannot sum the mirror: %s\n",
		    ld_strerror(rc));
		return CLI_EXIT_FAIL;
	}
	nf = json_len(cs.findings);
	pass = o.grams <= cs.net && nf == 0;
	if (cs.last != NO_INDEX)
		mirror_receipt(t, cs.last, &c, note, nlen, &rec);
	if (o.json) {
		d = json_obj();
		json_set(d, "issuer", json_str(o.issuer));
		json_set(d, "claimed_grams", json_u64(o.grams));
		json_set(d, "ledger_grams", json_u64(cs.net));
		json_set(d, "credited_grams", json_u64(cs.credited));
		json_set(d, "reversed_grams", json_u64(cs.reversed));
		json_set(d, "entries_counted", json_u64(cs.entries));
		json_set(d, "verdict", json_str(o.grams > cs.net ? "INFLATED" :
		    nf ? "FINDINGS" : "PASS"));
		if (o.grams > cs.net)
			json_set(d, "inflated_by_grams",
			    json_u64(o.grams - cs.net));
		json_set(d, "checkpoint_size", json_u64(c.size));
		json_set(d, "recomputed", json_str("from the mirrored entries, "
		    "every rule replayed; not from the leaves' counters"));
		json_set(d, "index", cs.last == NO_INDEX ? json_nil() :
		    json_u64(cs.last));
		json_set(d, "receipt", cs.last == NO_INDEX ? json_nil() :
		    json_strn((char *)rec.p, rec.len));
		json_set(d, "findings", cs.findings);
		cs.findings = NULL;
		print_doc(d);
		json_free(d);
	} else {
		if (o.grams > cs.net)
			printf("INFLATED by %llu g: %s claims %llu g; the "
			    "ledger holds %llu g credited net of reversals",
			    (unsigned long long)(o.grams - cs.net), o.issuer,
			    (unsigned long long)o.grams,
			    (unsigned long long)cs.net);
		else if (nf)
			printf("NOT PASSED: %s claims %llu g; the ledger holds "
			    "%llu g credited net of reversals, but %zu "
			    "finding%s touch%s these sums", o.issuer,
			    (unsigned long long)o.grams,
			    (unsigned long long)cs.net, nf, nf == 1 ? "" : "s",
			    nf == 1 ? "es" : "");
		else
			printf("PASS: %s claims %llu g; the ledger holds %llu g "
			    "credited net of reversals", o.issuer,
			    (unsigned long long)o.grams,
			    (unsigned long long)cs.net);
		printf(" (checkpoint %s size %llu%s%s; recomputed from the "
		    "issuer's %llu credits and reversals in the mirror, every "
		    "rule replayed, not from the leaves' counters)\n", c.origin,
		    (unsigned long long)c.size, o.until ? ", until " : "",
		    o.until ? o.until : "", (unsigned long long)cs.entries);
		for (i = 0; i < nf; i++) {
			f = json_at(cs.findings, i);
			if (json_get_str(json_get(f, "code"), &code, &len) !=
			    LD_OK)
				continue;
			if (json_get_u64(json_get(f, "index"), &fi) == LD_OK)
				printf("finding %.*s at entry %llu\n", (int)len,
				    code, (unsigned long long)fi);
			else
				printf("finding %.*s (the whole log)\n",
				    (int)len, code);
		}
		if (cs.last != NO_INDEX)
			printf("proof: the issuer's last entry counted, entry "
			    "%llu:\n%.*s", (unsigned long long)cs.last,
			    (int)rec.len, rec.p);
	}
	claim_sum_free(&cs);
	buf_free(&rec);
	free(note);
	sig_key_free(log);
	store_abort(t);
	store_close(st);
	return pass ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

struct cross_ctx {
	struct store_txn	*other;
	const char		*a, *b;
	struct store_txn	*self;
	struct json		*pairs;
	int			 json;
};

static void
cross_pair(struct cross_ctx *x, const char *what, uint64_t ia, uint64_t ib)
{
	struct json	*o = json_obj(), *e;
	const uint8_t	*p;
	size_t		 len;
	struct entry_leaf	 l;
	int		 k;

	json_set(o, "kind", json_str(what));
	for (k = 0; k < 2; k++) {
		struct store_txn *t = k ? x->other : x->self;
		uint64_t i = k ? ib : ia;

		e = json_obj();
		json_set(e, "state", json_str(k ? x->b : x->a));
		json_set(e, "index", json_u64(i));
		if (store_leaf_get(t, i, &p, &len) == LD_OK &&
		    codec_leaf_decode(p, len, &l) == LD_OK) {
			json_set(e, "entry", form_leaf_to_json(&l));
			entry_leaf_free(&l);
		}
		json_set(o, k ? "b" : "a", e);
	}
	json_push(x->pairs, o);
	if (!x->json)
		printf("%s: %s entry %llu and %s entry %llu\n", what, x->a,
		    (unsigned long long)ia, x->b, (unsigned long long)ib);
}

static int
cross_dedup(void *arg, const uint8_t key[32], uint64_t ia)
{
	struct cross_ctx	*x = arg;
	uint64_t		 ib;

	if (rules_store_ops.dedup_get(x->other, key, &ib) == LD_OK)
		cross_pair(x, "duplicate-dedup", ia, ib);
	return 0;
}

static int
cross_evidence(void *arg, const char *key, size_t klen, const uint8_t *v,
    size_t vlen)
{
	struct cross_ctx	*x = arg;
	const uint8_t		*p;
	size_t			 len;
	uint64_t		 ia, ib;
	char			 k[80];

	if (vlen != 8 || klen >= sizeof(k))
		return 0;
	memcpy(k, key, klen);
	k[klen] = '\0';
	ia = u64_le_get(v);
	if (store_meta_get(x->other, k, &p, &len) == LD_OK && len == 8) {
		ib = u64_le_get(p);
		cross_pair(x, "duplicate-evidence", ia, ib);
	}
	return 0;
}

static int
cmd_cross(int argc, char **argv)
{
	struct store		*st[16];
	struct store_txn	*t[16];
	struct cross_ctx	 x;
	struct opts		 o;
	int			 i, j, n;

	if (parse(argc, argv, &o) != argc || o.nstate < 2)
		cli_usage(usage);
	for (i = 0; i < o.nstate; i++)
		st[i] = open_state(o.state[i], &t[i]);
	memset(&x, 0, sizeof(x));
	x.pairs = json_arr();
	x.json = o.json;
	for (i = 0; i < o.nstate; i++)
		for (j = i + 1; j < o.nstate; j++) {
			x.self = t[i];
			x.other = t[j];
			x.a = o.state[i];
			x.b = o.state[j];
			store_dedup_each(t[i], cross_dedup, &x);
			store_meta_each(t[i], "ev/", cross_evidence, &x);
		}
	n = (int)json_len(x.pairs);
	if (o.json) {
		struct json *d = json_obj();

		json_set(d, "pairs", x.pairs);
		print_doc(d);
		json_free(d);
	} else {
		printf("%d double claims across %d logs\n", n, o.nstate);
		json_free(x.pairs);
	}
	for (i = 0; i < o.nstate; i++) {
		store_abort(t[i]);
		store_close(st[i]);
	}
	return n ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

static int
cmd_check_receipt(int argc, char **argv)
{
	struct store_txn	*t;
	struct store		*st;
	struct checkpoint	 c, rc_cp;
	struct sig_key		*log = NULL;
	struct tlog_proof	 tp;
	struct merkle_proof	 p;
	struct opts		 o;
	const uint8_t		*lp;
	char			*note, *text;
	size_t			 nlen, len, llen;
	uint64_t		 idx = 0;
	int			 first, i, bad = 0, ok, v;
	const char		*why;

	first = parse(argc, argv, &o);
	if (o.nstate != 1 || first == argc)
		cli_usage(usage);
	st = open_state(o.state[0], &t);
	if (state_checkpoint(o.state[0], &c, &note, &nlen, &log) != LD_OK) {
		fprintf(stderr, "ledger-audit: %s holds no verified checkpoint"
		    "\n", o.state[0]);
		return CLI_EXIT_USAGE;
	}
	for (i = first; i < argc; i++) {
		ok = 0;
		why = "cannot read it";
		if (file_read(argv[i], 1 << 20, &text, &len) != LD_OK)
			goto report;
		why = "not a c2sp.org/tlog-proof@v1 receipt";
		if (tlog_proof_parse(text, len, &tp) != LD_OK) {
			free(text);
			goto report;
		}
		free(text);
		why = "its checkpoint or inclusion proof does not verify "
		    "with the log key";
		if ((v = tlog_proof_verify(&tp, log, &rc_cp)) != LD_OK) {
			if (v == LD_ERULE)
				why = "its " CHECKPOINT_EXT_MSG;
			goto done1;
		}
		why = "its checkpoint is newer than the audited one: sync first";
		if (rc_cp.size > c.size)
			goto done1;
		why = "its checkpoint is not consistent with the audited log "
		    "(a split view)";
		if (merkle_prove_consistency(store_node_fn, t, rc_cp.size,
		    c.size, &p) != MERKLE_OK || merkle_verify_consistency(
		    rc_cp.size, c.size, rc_cp.root, c.root, &p) != MERKLE_OK)
			goto done1;
		why = "the audited log holds other bytes at that index";
		if (store_leaf_get(t, tp.index, &lp, &llen) != LD_OK ||
		    llen != tp.extra_len || memcmp(lp, tp.extra, llen) != 0)
			goto done1;
		ok = 1;
done1:
		idx = tp.index;
		tlog_proof_free(&tp);
report:
		if (ok)
			printf("%s: OK: entry %llu is in the audited log at size "
			    "%llu\n", argv[i], (unsigned long long)idx,
			    (unsigned long long)c.size);
		else {
			printf("%s: FAILED: %s\n", argv[i], why);
			bad++;
		}
	}
	free(note);
	sig_key_free(log);
	store_abort(t);
	store_close(st);
	return bad ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* ledger-audit witness: serve C2SP tlog-witness until a signal. */
static int
cmd_witness(int argc, char **argv)
{
	struct witness_opts	wo;
	struct opts		o;

	if (parse(argc, argv, &o) != argc || o.listen == NULL ||
	    o.key == NULL || o.policy == NULL || o.nstate != 1 ||
	    o.log != NULL || o.vkey != NULL)
		cli_usage(usage);
	memset(&wo, 0, sizeof(wo));
	wo.listen = o.listen;
	wo.key = o.key;
	wo.policy = o.policy;
	wo.state = o.state[0];
	wo.replay = o.replay;
	wo.cacert = o.cacert;
	return witness_serve(&wo);
}

int
main(int argc, char **argv)
{
	log_init("ledger-audit", 1);
	if (argc < 2)
		cli_usage(usage);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		cli_help(usage);
	if (strcmp(argv[1], "sync") == 0)
		return cmd_sync(argc, argv);
	if (strcmp(argv[1], "report") == 0)
		return cmd_report(argc, argv);
	if (strcmp(argv[1], "verify-claim") == 0)
		return cmd_verify_claim(argc, argv);
	if (strcmp(argv[1], "cross") == 0)
		return cmd_cross(argc, argv);
	if (strcmp(argv[1], "check-receipt") == 0)
		return cmd_check_receipt(argc, argv);
	if (strcmp(argv[1], "witness") == 0)
		return cmd_witness(argc, argv);
	cli_usage(usage);
}
