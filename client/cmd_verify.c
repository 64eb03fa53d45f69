/* cmd_verify.c - ledger verify: receipts checked offline. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "checkpoint.h"
#include "cmd.h"
#include "day.h"
#include "err.h"
#include "file.h"
#include "form.h"
#include "hex.h"
#include "json.h"
#include "merkle.h"
#include "note.h"
#include "tlog_proof.h"

/* One line describing a leaf, for people. */
static void
print_leaf(const struct entry_leaf *l, const char *prefix)
{
	char		day[16];
	int64_t		bal = 0;

	printf("%sindex %llu: %s", prefix, (unsigned long long)l->index,
	    entry_kind_name(l->kind));
	switch (l->kind) {
	case KIND_CREDIT:
		day_format(day, sizeof(day), l->u.e.sub.day);
		entry_account_balance(&l->u.e.acct, &bal);
		printf(" %llu g to %s/%s (%s, %llu units, %s), balance %lld g",
		    (unsigned long long)l->u.e.sub.grams, l->u.e.issuer.s,
		    l->u.e.sub.account.s, l->u.e.sub.method.s,
		    (unsigned long long)l->u.e.sub.units, day, (long long)bal);
		break;
	case KIND_RETIRE:
		day_format(day, sizeof(day), l->u.e.sub.day);
		entry_account_balance(&l->u.e.acct, &bal);
		printf(" %llu g from %s/%s for \"%s\" (%s), balance %lld g",
		    (unsigned long long)l->u.e.sub.grams, l->u.e.issuer.s,
		    l->u.e.sub.account.s, l->u.e.sub.text.s, day,
		    (long long)bal);
		break;
	case KIND_REVERSE:
		printf(" of entry %llu by %s (\"%s\")",
		    (unsigned long long)l->u.e.sub.target, l->u.e.issuer.s,
		    l->u.e.sub.text.s);
		break;
	case KIND_ISSUER:
		printf(" %s \"%s\"", l->u.issuer.id.s, l->u.issuer.name.s);
		break;
	case KIND_METHOD:
		printf(" %s: %llu g per %s", l->u.method.id.s,
		    (unsigned long long)l->u.method.grams_per_unit,
		    l->u.method.unit.s);
		break;
	case KIND_BATCH:
		printf(" of %u entries by %s", l->u.batch.n,
		    l->u.batch.issuer.s);
		break;
	}
	putchar('\n');
}

/* What ledger verify prints: per receipt, failures, and the tally. */
struct vout {
	int		json, quiet;
	uint64_t	verified, failed;
};

/* Print a failure (always, also with --quiet) and count it. */
static int
vfail(struct vout *v, const char *name, const char *rule, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
vfail(struct vout *v, const char *name, const char *rule, const char *fmt,
    ...)
{
	struct json	*o;
	struct buf	 b = { 0 };
	char		 msg[512];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	v->failed++;
	if (v->json) {
		o = json_obj();
		json_set(o, "receipt", json_str(name));
		json_set(o, "ok", json_bool(0));
		json_set(o, "failed", json_str(rule));
		json_set(o, "message", json_str(msg));
		json_render(o, &b);
		printf("%.*s\n", (int)b.len, b.p);
		json_free(o);
		buf_free(&b);
	} else
		printf("%s: FAILED: %s: %s\n", name, rule, msg);
	return CLI_EXIT_FAIL;
}

/*
 * A receipts line's own claims, each compared with the signed receipt:
 * "index" with the proof's index (the leaf says the same), "leaf_hash"
 * with the hash of the leaf in the receipt. "line" (a line number of the
 * submitted file) and "duplicate" (whether that submission found the entry
 * already logged) are facts about the submission, which no receipt holds:
 * they are checked for form only and never shown as verified.
 */
struct rline {
	const char	*receipt;
	size_t		 rlen;
	uint64_t	 index, line;
	uint8_t		 leaf_hash[32];
	int		 duplicate;
};

static int
rline_parse(const struct json *doc, struct rline *rl, const char **why,
    const char **unknown)
{
	static const char *const keys[] = { "line", "index", "leaf_hash",
	    "duplicate", "receipt", NULL };
	const char	*k;
	size_t		 n;

	if (!json_is_obj(doc)) {
		*why = "not a JSON object";
		return LD_EINVAL;
	}
	if ((k = json_unknown_key(doc, keys)) != NULL) {
		*why = "a field ledger submit does not write (this tool "
		    "cannot check it)";
		/* Named only if it is short printable ASCII. */
		*unknown = k;
		for (n = 0; k[n] != '\0'; n++)
			if (k[n] < 0x20 || k[n] > 0x7e || n >= 64) {
				*unknown = NULL;
				break;
			}
		return LD_EINVAL;
	}
	if (json_get_str(json_get(doc, "receipt"), &rl->receipt, &rl->rlen) !=
	    LD_OK) {
		*why = "no \"receipt\" string";
		return LD_EINVAL;
	}
	if (json_get_u64(json_get(doc, "line"), &rl->line) != LD_OK ||
	    rl->line == 0) {
		*why = "\"line\" must be a line number (1 or more)";
		return LD_EINVAL;
	}
	if (json_get_u64(json_get(doc, "index"), &rl->index) != LD_OK) {
		*why = "\"index\" must be an unsigned integer";
		return LD_EINVAL;
	}
	if (json_get_hex(json_get(doc, "leaf_hash"), rl->leaf_hash, 32) !=
	    LD_OK) {
		*why = "\"leaf_hash\" must be 64 hex digits";
		return LD_EINVAL;
	}
	if (json_get_bool(json_get(doc, "duplicate"),
	    &rl->duplicate) != LD_OK) {
		*why = "\"duplicate\" must be true or false";
		return LD_EINVAL;
	}
	return LD_OK;
}

/*
 * Verify one receipt text, and with rl the receipts line's claims against
 * it; print the record (unless quiet) or the failure.
 */
static int
verify_one(const char *name, const char *text, size_t len,
    const struct rline *rl, const struct trust *t,
    struct tlog_proof_seen *seen, struct vout *v)
{
	struct ld_error	e;
	struct trust_cp		tc;
	struct checkpoint	cp;
	struct buf		desc = { 0 };
	struct tlog_proof	p;
	struct entry_leaf		l;
	struct json		*o, *a;
	struct buf		b = { 0 };
	uint8_t			h[32];
	char			hex[65];
	int			rc;

	memset(&e, 0, sizeof(e));
	if (client_verify_receipt_seen(text, len, t, seen, &l, &tc, &e) !=
	    LD_OK)
		return vfail(v, name, e.rule, "%s", e.msg);
	cp = tc.cp;
	rc = CLI_EXIT_FAIL;
	if (rl != NULL) {
		/* The receipt parsed and verified above: its leaf's hash. */
		if (tlog_proof_parse(text, len, &p) != LD_OK) {
			vfail(v, name, "receipt-format",
			    "the receipt does not parse");
			goto out;
		}
		merkle_leaf_hash(h, p.extra, p.extra_len);
		tlog_proof_free(&p);
		if (rl->index != l.index) {
			vfail(v, name, "index", "the line says index %llu, the "
			    "signed receipt proves index %llu",
			    (unsigned long long)rl->index,
			    (unsigned long long)l.index);
			goto out;
		}
		if (memcmp(rl->leaf_hash, h, 32) != 0) {
			hex_encode(hex, h, 32);
			vfail(v, name, "leaf_hash", "the line's leaf_hash is "
			    "not the hash of the receipt's leaf (%s)", hex);
			goto out;
		}
	}
	v->verified++;
	rc = CLI_EXIT_OK;
	if (v->quiet)
		goto out;
	if (v->json) {
		o = json_obj();
		json_set(o, "receipt", json_str(name));
		json_set(o, "ok", json_bool(1));
		json_set(o, "checkpoint_size", json_u64(cp.size));
		json_set(o, "trust", trust_json(t, &tc));
		if (rl != NULL) {
			a = json_arr();
			json_push(a, json_str("index"));
			json_push(a, json_str("leaf_hash"));
			json_set(o, "line_fields_checked", a);
			a = json_arr();
			json_push(a, json_str("line"));
			json_push(a, json_str("duplicate"));
			json_set(o, "line_fields_not_checkable", a);
		}
		json_set(o, "leaf", form_leaf_to_json(&l));
		json_render(o, &b);
		printf("%.*s\n", (int)b.len, b.p);
		json_free(o);
		buf_free(&b);
	} else {
		if (t->policy != NULL)
			trust_describe(t, &tc, &desc);
		printf("%s: OK in %s at size %llu%s%s%s: ", name, cp.origin,
		    (unsigned long long)cp.size, rl != NULL ?
		    " (index and leaf_hash match)" : "", t->policy ?
		    "; checkpoint " : "", t->policy ? buf_cstr(&desc) : "");
		print_leaf(&l, "");
	}
out:
	buf_free(&desc);
	entry_leaf_free(&l);
	return rc;
}

int
cmd_verify(int argc, char **argv)
{
	static const char help[] =
	    "usage: ledger verify (--vkey VKEY | --policy FILE) [--json] [--quiet]\n"
	    "                     RECEIPT...\n"
	    "Offline: each RECEIPT is a .tlog-proof file or a receipts JSONL\n"
	    "from ledger submit. Checks each receipt's checkpoint signature\n"
	    "by VKEY and its inclusion proof, and a JSONL line's index and\n"
	    "leaf_hash against its receipt (its line and duplicate cannot be\n"
	    "checked: no receipt holds them). Ends with \"N verified, N\n"
	    "failed\" (on stderr with --json); --quiet prints only failures\n"
	    "and that line. Exit 1 if any fails. Under --policy each\n"
	    "receipt's checkpoint must also carry its quorum of cosignatures\n"
	    "(ledger receipt --refresh brings receipts a cosigned checkpoint).\n"
	    CMD_HELP_POLICY;
	struct sig_key	*log = NULL;
	struct policy	*pol = NULL;
	struct trust	 t;
	struct buf	 qd = { 0 };
	const char	*policy = NULL;
	struct tlog_proof_seen seen;
	struct vout	 v;
	struct rline	 rl;
	struct json	*doc;
	char		*text, *line, *save = NULL, name[512], *vk;
	const char	*why, *unknown;
	size_t		 len;
	int		 first, i, n;
	const struct cli_opt opts[] = {
		CMD_OPT_VKEY('k', &log),
		CMD_OPT_POLICY(&policy),
		CLI_OPT_JSON(&v.json),
		{ .name = "quiet", .letter = 'q', .flag = &v.quiet },
		CLI_OPT_END,
	};

	memset(&v, 0, sizeof(v));
	first = cli_parse(argc, argv, 1, opts, help);
	if (first == argc)
		cli_usage(help);
	cmd_trust(&t, log, policy, &pol, help);
	/* Receipts of one batch share a checkpoint: its signature is
	 * checked once, every inclusion proof each time. */
	memset(&seen, 0, sizeof(seen));
	for (i = first; i < argc; i++) {
		if (file_read(argv[i], 1u << 30, &text, &len) != LD_OK) {
			vfail(&v, argv[i], "file", "cannot read the file");
			continue;
		}
		if (len >= 22 && memcmp(text, "c2sp.org/tlog-proof@v1", 22) ==
		    0) {
			verify_one(argv[i], text, len, NULL, &t, &seen, &v);
			free(text);
			continue;
		}
		/* Receipts JSONL: one {"line", "receipt", ...} per line. */
		n = 0;
		for (line = strtok_r(text, "\n", &save); line;
		    line = strtok_r(NULL, "\n", &save)) {
			n++;
			snprintf(name, sizeof(name), "%s:%d", argv[i], n);
			doc = NULL;
			memset(&rl, 0, sizeof(rl));
			why = "not JSON";
			unknown = NULL;
			if (json_parse(line, strlen(line), &doc, NULL, 0) !=
			    LD_OK || rline_parse(doc, &rl, &why, &unknown) !=
			    LD_OK)
				vfail(&v, name, "receipt-line",
				    "not a receipts line: %s%s%s%s", why,
				    unknown ? ": \"" : "",
				    unknown ? unknown : "", unknown ? "\"" : "");
			else
				verify_one(name, rl.receipt, rl.rlen, &rl, &t,
				    &seen, &v);
			json_free(doc);
		}
		if (n == 0)
			vfail(&v, argv[i], "file", "empty");
		free(text);
	}
	vk = sig_vkey(t.log);
	if (!v.quiet && !v.json && v.verified > 0 && t.policy == NULL)
		printf("checked: each receipt's checkpoint signature by %s and "
		    "its inclusion proof at the checkpoint's size\n", vk);
	else if (!v.quiet && !v.json && v.verified > 0) {
		trust_rule(&t, &qd);
		printf("checked: each receipt's checkpoint signature by %s, "
		    "its cosignatures under policy %s (%s), and its inclusion "
		    "proof at the checkpoint's size\n", vk, policy,
		    buf_cstr(&qd));
	}
	fprintf(v.json ? stderr : stdout, "%llu verified, %llu failed\n",
	    (unsigned long long)v.verified, (unsigned long long)v.failed);
	free(vk);
	tlog_proof_seen_free(&seen);
	buf_free(&qd);
	sig_key_free(log);
	policy_free(pol);
	return v.failed > 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
