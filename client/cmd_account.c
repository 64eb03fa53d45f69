/* cmd_account.c - ledger account: an account's entries, verified. */
/*
 * Nothing the server says is taken on trust: every entry comes with an
 * inclusion proof against a checkpoint signed by the log key, the
 * account's chain of previous-entry indexes is walked with no gaps, and
 * the balance is recomputed from the entries themselves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acctstate.h"
#include "buf.h"
#include "client_account.h"
#include "cmd.h"
#include "cpstate.h"
#include "day.h"
#include "err.h"
#include "form.h"
#include "json.h"

int
cmd_account(int argc, char **argv)
{
	static const char help[] =
	    "usage: ledger account --server URL (--vkey VKEY | --policy FILE)\n"
	    "                      --issuer ID [--state DIR] [--json] ACCOUNT\n"
	    "Every entry of the account, each inclusion-verified against a\n"
	    "signed checkpoint and checked to be the account's, the chain\n"
	    "walked with no gaps, every entry's counters and the balance\n"
	    "recomputed. --state DIR remembers the newest entry and the\n"
	    "checkpoint verified, and refuses an answer that goes back.\n"
	    "Exit 1 if anything fails to verify. Under --policy the\n"
	    "checkpoint must be cosigned by its quorum, or proved a prefix\n"
	    "of the server's cosigned one; an auditor cosigner (a key name\n"
	    "ending in /replayed) that cosigned it is named as having\n"
	    "replayed the counters.\n" CMD_HELP_POLICY CMD_HELP_TLS;
	struct sig_key		*log = NULL;
	struct policy		*pol = NULL;
	struct trust		 t;
	struct buf		 desc = { 0 }, rep = { 0 };
	size_t			 nrep = 0;
	uint64_t		 rsize = 0;
	struct fetch		*f;
	struct client_account	 a;
	struct ld_error	 e;
	struct json		*out, *arr, *chk;
	struct buf		 b = { 0 };
	const char		*server = NULL, *issuer = NULL, *state = NULL;
	const char		*cacert = NULL, *account, *policy = NULL;
	char			 day[16];
	size_t			 i;
	int			 json = 0, rc;
	const struct cli_opt	 opts[] = {
		CLI_OPT_SERVER(&server),
		CLI_OPT_CACERT(&cacert),
		CMD_OPT_VKEY('k', &log),
		CMD_OPT_POLICY(&policy),
		{ .name = "issuer", .letter = 'i', .arg = "ID", .str = &issuer },
		{ .name = "state", .letter = 'S', .arg = "DIR", .str = &state },
		CLI_OPT_JSON(&json),
		CLI_OPT_END,
	};

	if (cli_parse(argc, argv, 1, opts, help) + 1 != argc ||
	    issuer == NULL)
		cli_usage(help);
	cmd_trust(&t, log, policy, &pol, help);
	account = argv[argc - 1];
	f = cmd_server(server, cacert);
	rc = client_account(f, &t, issuer, account, &a, &e);
	if (state != NULL && (rc == LD_OK || rc == LD_ENOTFOUND)) {
		int found = rc == LD_OK, r2;

		if ((r2 = acctstate_check(state, issuer, account, &a,
		    found, &e)) != LD_OK)
			rc = r2;
		else if (found && (r2 = cpstate_check(f, state, &t, &a.ccp,
		    (const char *)a.cnote.p, a.cnote.len, &e)) != LD_OK &&
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
		nrep = trust_replayed(&t, &a.tc, &rep);
		rsize = a.tc.prefix_of ? a.tc.prefix_of : a.cp.size;
		out = json_obj();
		arr = json_arr();
		json_set(out, "issuer", json_str(issuer));
		json_set(out, "account", json_str(account));
		json_set(out, "checkpoint_size", json_u64(a.cp.size));
		json_set(out, "credited_grams", json_u64(a.credited));
		json_set(out, "retired_grams", json_u64(a.retired));
		json_set(out, "reversed_grams", json_u64(a.reversed));
		json_set(out, "balance_grams", json_i64(a.balance));
		json_set(out, "verified", json_bool(1));
		json_set(out, "log_key", json_str(sig_key_name(t.log)));
		json_set(out, "trust", trust_json(&t, &a.tc));
		json_set(out, "replayed_by", nrep ?
		    json_str(buf_cstr(&rep)) : json_nil());
		json_set(out, "replayed_at_size", nrep ? json_u64(rsize) :
		    json_nil());
		chk = json_arr();
		json_push(chk,
		    json_str("every entry's inclusion proof against the "
		    "signed checkpoint"));
		json_push(chk, json_str("every entry is this issuer's and this "
		    "account's"));
		json_push(chk, json_str("the chain is complete from the newest "
		    "entry the server named"));
		json_push(chk,
		    json_str("every entry's counters are the sums of "
		    "the entries up to it"));
		if (state)
			json_push(chk, json_str("no rollback against the state "
			    "directory"));
		json_set(out, "checked", chk);
		chk = json_arr();
		if (!state)
			json_push(chk, json_str("that the server named the "
			    "account's newest entry (use --state DIR)"));
		if (!nrep)
			json_push(chk,
			    json_str("that each credit obeys its methodology "
			    "(an auditor's replay checks the rules)"));
		json_set(out, "not_checked", chk);
		for (i = 0; i < a.n; i++)
			json_push(arr, form_leaf_to_json(&a.leaves[i]));
		json_set(out, "entries", arr);
		json_render(out, &b);
		printf("%.*s\n", (int)b.len, b.p);
		buf_free(&b);
		json_free(out);
		rc = CLI_EXIT_OK;
	} else {
		trust_describe(&t, &a.tc, &desc);
		nrep = trust_replayed(&t, &a.tc, &rep);
		rsize = a.tc.prefix_of ? a.tc.prefix_of : a.cp.size;
		printf("%-10s %-10s %-8s %10s %12s  %s\n", "index", "day",
		    "kind", "grams", "balance", "detail");
		for (i = a.n; i-- > 0;) {
			const struct entry_leaf *l = &a.leaves[i];
			int64_t b2 = 0;

			entry_account_balance(&l->u.e.acct, &b2);
			day_format(day, sizeof(day), l->u.e.sub.day);
			printf("%-10llu %-10s %-8s %10llu %12lld  %s\n",
			    (unsigned long long)a.index[i], day,
			    entry_kind_name(l->kind),
			    (unsigned long long)(l->kind == KIND_REVERSE ? 0 :
			    l->u.e.sub.grams), (long long)b2,
			    l->kind == KIND_CREDIT ? l->u.e.sub.method.s :
			    l->u.e.sub.text.s);
		}
		printf("balance %lld g (credited %llu, retired %llu, reversed "
		    "%llu), recomputed from the account's %zu entries\n"
		    "verified: every entry's inclusion proof against the "
		    "checkpoint of %s at size %llu %s; each entry is "
		    "%s account %s; the chain is complete from the newest entry "
		    "the server named; every entry's counters are the sums of "
		    "the entries up to it\n"
		    "%s\n",
		    (long long)a.balance, (unsigned long long)a.credited,
		    (unsigned long long)a.retired,
		    (unsigned long long)a.reversed, a.n, a.cp.origin,
		    (unsigned long long)a.cp.size, buf_cstr(&desc), issuer,
		    account, state ? "newest entry: no rollback against "
		    "the state directory" : "not verified: that the server "
		    "named the account's newest entry (use --state DIR to "
		    "refuse rollbacks)");
		if (nrep)
			printf("replayed: the counters were replayed by %s at "
			    "size %llu (its cosignature attests that it "
			    "mirrored the log to that size, replayed every rule, "
			    "each credit's methodology included, and recomputed "
			    "every total with no finding)\n", buf_cstr(&rep),
			    (unsigned long long)rsize);
		else
			printf("not verified here: that each credit obeys its "
			    "methodology (an auditor's replay checks the "
			    "rules)\n");
		rc = CLI_EXIT_OK;
	}
	client_account_free(&a);
	buf_free(&desc);
	buf_free(&rep);
	fetch_close(f);
	sig_key_free(log);
	policy_free(pol);
	return rc;
}
