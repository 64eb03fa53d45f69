/* cmd_account.c - ledger account and ledger totals: verified reads for users. */
/*
 * Nothing the server says is taken on trust: every entry comes with an
 * inclusion proof against a checkpoint signed by the log key, the
 * account's chain of previous-entry indexes is walked with no gaps, and
 * the balance is recomputed from the entries themselves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "acctstate.h"
#include "codec.h"
#include "cpstate.h"
#include "err.h"
#include "form.h"
#include "json.h"
#include "util.h"

int
cmd_account(int argc, char **argv)
{
	static const char help[] =
	    "usage: ledger account --server URL --vkey VKEY --issuer ID "
	    "[--state DIR] [--json]\n"
	    "                      ACCOUNT\n"
	    "Every entry of the account, each inclusion-verified against a\n"
	    "signed checkpoint and checked to be the account's, the chain\n"
	    "walked with no gaps, every entry's counters and the balance\n"
	    "recomputed. --state DIR remembers the newest entry and the\n"
	    "checkpoint verified, and refuses an answer that goes back.\n"
	    "Exit 1 if anything fails to verify.\n" CMD_HELP_TLS;
	struct sig_key		*log = NULL;
	struct fetch		*f;
	struct client_account	 a;
	struct client_err	 e;
	struct jv		*out, *arr, *chk;
	struct buf		 b = { 0 };
	const char		*server = NULL, *issuer = NULL, *state = NULL;
	const char		*cacert = NULL, *account;
	char			 day[16];
	size_t			 i;
	int			 json = 0, rc;
	const struct cli_opt	 opts[] = {
		CLI_OPT_SERVER(&server),
		CLI_OPT_CACERT(&cacert),
		CMD_OPT_VKEY('k', &log),
		{ .name = "issuer", .letter = 'i', .arg = "ID", .str = &issuer },
		{ .name = "state", .letter = 'S', .arg = "DIR", .str = &state },
		CLI_OPT_JSON(&json),
		CLI_OPT_END,
	};

	if (cli_parse(argc, argv, 1, opts, help) + 1 != argc || log == NULL ||
	    issuer == NULL)
		cli_usage(help);
	account = argv[argc - 1];
	f = cmd_server(server, cacert);
	rc = client_account(f, log, issuer, account, &a, &e);
	if (state != NULL && (rc == LD_OK || rc == LD_ENOTFOUND)) {
		int found = rc == LD_OK, r2;

		if ((r2 = acctstate_check(state, issuer, account, &a,
		    found, &e)) != LD_OK)
			rc = r2;
		else if (found && (r2 = cpstate_check(f, state, log, &a.cp,
		    (const char *)a.note.p, a.note.len, &e)) != LD_OK &&
		    r2 != LD_ESTALE)
			rc = r2;
		else if (found && acctstate_save(state, issuer, account,
		    &a) != LD_OK) {
			fprintf(stderr, "ledger: cannot write %s\n", state);
			rc = LD_ESYS;
			e.code = LD_ESYS;
			snprintf(e.msg, sizeof(e.msg), "cannot write %s",
			    state);
		}
	}
	if (rc == LD_ENOTFOUND) {
		fprintf(stderr, "ledger: no such account in the log\n");
		rc = CLI_EXIT_FAIL;
	} else if (rc == LD_EBADSIG || rc == LD_EBADPROOF) {
		fprintf(stderr, "ledger: FAILED: %s\n", e.msg);
		rc = CLI_EXIT_FAIL;
	} else if (rc != LD_OK) {
		fprintf(stderr, "ledger: %s\n", e.msg);
		rc = cmd_exit_for(&e);
	} else if (json) {
		out = jv_obj();
		arr = jv_arr();
		jv_set(out, "issuer", jv_str(issuer));
		jv_set(out, "account", jv_str(account));
		jv_set(out, "checkpoint_size", jv_u64(a.cp.size));
		jv_set(out, "credited_grams", jv_u64(a.credited));
		jv_set(out, "retired_grams", jv_u64(a.retired));
		jv_set(out, "reversed_grams", jv_u64(a.reversed));
		jv_set(out, "balance_grams", jv_i64(a.balance));
		jv_set(out, "verified", jv_bool(1));
		jv_set(out, "log_key", jv_str(sig_key_name(log)));
		chk = jv_arr();
		jv_push(chk, jv_str("every entry's inclusion proof against the "
		    "signed checkpoint"));
		jv_push(chk, jv_str("every entry is this issuer's and this "
		    "account's"));
		jv_push(chk, jv_str("the chain is complete from the newest "
		    "entry the server named"));
		jv_push(chk, jv_str("every entry's counters are the sums of "
		    "the entries up to it"));
		if (state)
			jv_push(chk, jv_str("no rollback against the state "
			    "directory"));
		jv_set(out, "checked", chk);
		chk = jv_arr();
		if (!state)
			jv_push(chk, jv_str("that the server named the "
			    "account's newest entry (use --state DIR)"));
		jv_push(chk, jv_str("that each credit obeys its methodology "
		    "(an auditor's replay checks the rules)"));
		jv_set(out, "not_checked", chk);
		for (i = 0; i < a.n; i++)
			jv_push(arr, form_leaf_to_json(&a.leaves[i]));
		jv_set(out, "entries", arr);
		jv_render_json(out, &b);
		printf("%.*s\n", (int)b.len, b.p);
		buf_free(&b);
		jv_free(out);
		rc = CLI_EXIT_OK;
	} else {
		printf("%-10s %-10s %-8s %10s %12s  %s\n", "index", "day",
		    "kind", "grams", "balance", "detail");
		for (i = a.n; i-- > 0;) {
			const struct leaf *l = &a.leaves[i];
			int64_t b2 = 0;

			account_balance(&l->u.e.acct, &b2);
			format_day(day, sizeof(day), l->u.e.sub.day);
			printf("%-10llu %-10s %-8s %10llu %12lld  %s\n",
			    (unsigned long long)a.index[i], day,
			    kind_name(l->kind),
			    (unsigned long long)(l->kind == KIND_REVERSE ? 0 :
			    l->u.e.sub.grams), (long long)b2,
			    l->kind == KIND_CREDIT ? l->u.e.sub.method.s :
			    l->u.e.sub.text.s);
		}
		printf("balance %lld g (credited %llu, retired %llu, reversed "
		    "%llu), recomputed from the account's %zu entries\n"
		    "verified: every entry's inclusion proof against the "
		    "checkpoint of %s at size %llu signed by %s; each entry is "
		    "%s account %s; the chain is complete from the newest entry "
		    "the server named; every entry's counters are the sums of "
		    "the entries up to it\n"
		    "%s\n"
		    "not verified here: that each credit obeys its "
		    "methodology (an auditor's replay checks the rules)\n",
		    (long long)a.balance, (unsigned long long)a.credited,
		    (unsigned long long)a.retired,
		    (unsigned long long)a.reversed, a.n, a.cp.origin,
		    (unsigned long long)a.cp.size, sig_key_name(log), issuer,
		    account, state ? "newest entry: no rollback against "
		    "the state directory" : "not verified: that the server "
		    "named the account's newest entry (use --state DIR to "
		    "refuse rollbacks)");
		rc = CLI_EXIT_OK;
	}
	client_account_free(&a);
	fetch_close(f);
	sig_key_free(log);
	return rc;
}

int
cmd_totals(int argc, char **argv)
{
	static const char help[] =
	    "usage: ledger totals --server URL --vkey VKEY [--issuer ID] "
	    "[--json]\n"
	    "The log's (or an issuer's) running counters, from a leaf whose\n"
	    "receipt verifies against a signed checkpoint: proves that the\n"
	    "log committed to them at that size, not that they add up (an\n"
	    "auditor's replay recomputes them).\n";
	struct sig_key		*log = NULL;
	struct fetch		*f;
	struct checkpoint	 cp;
	struct client_err	 e;
	struct leaf		 l;
	struct jv		*doc = NULL, *out;
	const char		*server = NULL, *issuer = NULL, *r;
	const char		*cacert = NULL;
	char			*path;
	size_t			 rlen;
	int			 json = 0, rc;
	const struct cli_opt	 opts[] = {
		CLI_OPT_SERVER(&server),
		CLI_OPT_CACERT(&cacert),
		CMD_OPT_VKEY('k', &log),
		{ .name = "issuer", .letter = 'i', .arg = "ID", .str = &issuer },
		CLI_OPT_JSON(&json),
		CLI_OPT_END,
	};

	if (cli_parse(argc, argv, 1, opts, help) != argc || log == NULL ||
	    (issuer && valid_id(issuer, strlen(issuer)) != LD_OK))
		cli_usage(help);
	f = cmd_server(server, cacert);
	path = issuer ? xasprintf("/v1/issuers/%s", issuer) :
	    xstrdup("/v1/totals");
	memset(&e, 0, sizeof(e));
	rc = client_get_json(f, path, &doc, &e);
	free(path);
	if (rc != LD_OK) {
		fprintf(stderr, "ledger: %s\n", e.msg);
		rc = cmd_exit_for(&e);
		goto done;
	}
	if (jv_get_str(jv_get(doc, "receipt"), &r, &rlen) != LD_OK) {
		printf("no entries yet\n");
		rc = CLI_EXIT_OK;
		goto done;
	}
	if (client_verify_receipt(r, rlen, log, &l, &cp, &e) != LD_OK) {
		fprintf(stderr, "ledger: FAILED: %s\n", e.msg);
		rc = CLI_EXIT_FAIL;
		goto done;
	}
	if ((issuer == NULL && l.index + 1 != cp.size) ||
	    (issuer != NULL && (l.kind < KIND_CREDIT ||
	    strcmp(l.u.e.issuer.s, issuer) != 0))) {
		fprintf(stderr, "ledger: FAILED: the receipt is not for %s\n",
		    issuer ? "an entry of that issuer" : "the last leaf");
		leaf_free(&l);
		rc = CLI_EXIT_FAIL;
		goto done;
	}
	if (json) {
		out = issuer ? jv_obj() : form_totals_to_json(&l.totals);
		if (issuer) {
			jv_set(out, "issuer", jv_str(issuer));
			jv_set(out, "credited_grams", jv_u64(l.u.e.iss.credited));
			jv_set(out, "retired_grams", jv_u64(l.u.e.iss.retired));
			jv_set(out, "reversed_grams", jv_u64(l.u.e.iss.reversed));
		}
		jv_set(out, "index", jv_u64(l.index));
		jv_set(out, "checkpoint_size", jv_u64(cp.size));
		jv_set(out, "log_key", jv_str(sig_key_name(log)));
		jv_set(out, "verified", jv_bool(1));
		jv_set(out, "proved", jv_str("the log committed to these "
		    "counters at this size (inclusion proof verified)"));
		jv_set(out, "not_proved", jv_str(issuer ? "that the counters "
		    "add up (an auditor's replay recomputes them); that no "
		    "newer entry of the issuer exists" : "that the counters "
		    "add up (an auditor's replay recomputes them)"));
		{
			struct buf b = { 0 };

			jv_render_json(out, &b);
			printf("%.*s\n", (int)b.len, b.p);
			buf_free(&b);
		}
		jv_free(out);
	} else {
		if (issuer)
			printf("%s: credited %llu g, retired %llu g, reversed "
			    "%llu g\n", issuer,
			    (unsigned long long)l.u.e.iss.credited,
			    (unsigned long long)l.u.e.iss.retired,
			    (unsigned long long)l.u.e.iss.reversed);
		else
			printf("%s: credited %llu g, retired %llu g, reversed "
			    "%llu g; %llu credits, %llu retirements, %llu "
			    "reversals, %llu issuers, %llu methods\n",
			    cp.origin, (unsigned long long)l.totals.credited,
			    (unsigned long long)l.totals.retired,
			    (unsigned long long)l.totals.reversed,
			    (unsigned long long)l.totals.count[KIND_CREDIT],
			    (unsigned long long)l.totals.count[KIND_RETIRE],
			    (unsigned long long)l.totals.count[KIND_REVERSE],
			    (unsigned long long)l.totals.count[KIND_ISSUER],
			    (unsigned long long)l.totals.count[KIND_METHOD]);
		printf("proved: the log committed to these counters in entry "
		    "%llu at size %llu (inclusion proof verified against the "
		    "checkpoint signed by %s)%s\n"
		    "not proved here: that the counters add up; an auditor's "
		    "replay of the log recomputes them\n",
		    (unsigned long long)l.index, (unsigned long long)cp.size,
		    sig_key_name(log), issuer ? "; not proved: that no newer "
		    "entry of the issuer exists" : ", its last entry");
	}
	leaf_free(&l);
	rc = CLI_EXIT_OK;
done:
	jv_free(doc);
	fetch_close(f);
	sig_key_free(log);
	return rc;
}
