/* cmd_account.c - ledger account and ledger totals: verified reads for users. */
/*
 * Nothing the server says is taken on trust: every entry comes with an
 * inclusion proof against a checkpoint signed by the log key, the
 * account's chain of previous-entry indexes is walked with no gaps, and
 * the balance is recomputed from the entries themselves.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "codec.h"
#include "err.h"
#include "form.h"
#include "json.h"
#include "util.h"

struct acct_entry {
	uint64_t	index;
	struct leaf	leaf;
};

/* GET a JSON document; exits with a message on failure. */
static int
get_json(struct fetch *f, const char *path, struct jv **doc,
    struct client_err *e)
{
	struct fetch_resp	resp;
	int			rc;

	memset(e, 0, sizeof(*e));
	if (fetch_get(f, path, "application/json", &resp) != LD_OK ||
	    resp.status != 200) {
		client_error_reply(&resp, e);
		if (resp.status == 404)
			e->code = LD_ENOTFOUND;
		fetch_resp_free(&resp);
		return e->code ? e->code : LD_ENET;
	}
	rc = jv_parse((const char *)resp.body.p, resp.body.len, doc, NULL, 0);
	fetch_resp_free(&resp);
	if (rc != LD_OK) {
		snprintf(e->msg, sizeof(e->msg), "the reply is not JSON");
		e->code = LD_EINVAL;
	}
	return rc;
}

/* Verify one listed entry against (size, root); decode its leaf. */
static int
verify_entry(const struct jv *o, uint64_t size, const uint8_t root[32],
    struct acct_entry *out, const char **why)
{
	struct merkle_proof	 p;
	const struct jv		*pr = jv_get(o, "proof");
	const char		*b64;
	uint8_t			*leaf, h[32];
	size_t			 len, llen, i;
	int			 rc = LD_EBADPROOF;

	*why = "malformed entry";
	if (jv_get_u64(jv_get(o, "index"), &out->index) != LD_OK ||
	    jv_get_str(jv_get(o, "leaf"), &b64, &len) != LD_OK ||
	    (p.n = jv_len(pr)) > MERKLE_MAX_PROOF)
		return LD_EINVAL;
	leaf = xmalloc(b64_decoded_max(len));
	if (b64_decode(leaf, &llen, b64, len) != LD_OK)
		goto done;
	for (i = 0; i < p.n; i++)
		if (jv_get_hex(jv_at(pr, i), p.path[i], 32) != LD_OK)
			goto done;
	merkle_leaf_hash(h, leaf, llen);
	*why = "its inclusion proof does not verify against the checkpoint";
	if (merkle_verify_inclusion(out->index, size, h, &p, root) != MERKLE_OK)
		goto done;
	*why = "its leaf does not decode";
	if (codec_leaf_decode(leaf, llen, &out->leaf) != LD_OK)
		goto done;
	rc = LD_OK;
done:
	free(leaf);
	return rc;
}

int
cmd_account(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "vkey", required_argument, NULL, 'k' },
		{ "issuer", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char help[] =
	    "usage: ledger account --server URL --vkey VKEY --issuer ID "
	    "[--json] ACCOUNT\n"
	    "Every entry of the account, each inclusion-verified against a\n"
	    "signed checkpoint, the chain walked with no gaps and the balance\n"
	    "recomputed. Exit 1 if anything fails to verify.\n";
	struct sig_key		*log = NULL;
	struct fetch		*f;
	struct checkpoint	 cp, first;
	struct client_err	 e;
	struct acct_entry	*ents = NULL;
	struct jv		*doc = NULL, *out, *arr;
	const struct jv		*list;
	const char		*server = NULL, *issuer = NULL, *acct, *why;
	const char		*note;
	char			*path, day[16];
	size_t			 n = 0, cap = 0, i, k, nlen;
	uint64_t		 cursor = NO_INDEX, expect = NO_INDEX, srv_bal;
	uint64_t		 cred = 0, ret = 0, rev = 0, tgt;
	int64_t			 bal;
	int			 c, json = 0, rc = EXIT_OK, have_first = 0;

	while ((c = getopt_long(argc, argv, "s:k:i:jh", opts, NULL)) != -1) {
		switch (c) {
		case 's': server = optarg; break;
		case 'k': log = cmd_vkey(optarg); break;
		case 'i': issuer = optarg; break;
		case 'j': json = 1; break;
		default: cmd_usage(help);
		}
	}
	if (log == NULL || issuer == NULL || optind + 1 != argc)
		cmd_usage(help);
	acct = argv[optind];
	if (valid_id(issuer, strlen(issuer)) != LD_OK ||
	    valid_account(acct, strlen(acct)) != LD_OK)
		cmd_usage(help);
	f = cmd_server(server);
	for (;;) {
		if (cursor == NO_INDEX)
			path = xasprintf("/v1/accounts/%s/%s?limit=1000",
			    issuer, acct);
		else
			path = xasprintf("/v1/accounts/%s/%s?limit=1000&"
			    "cursor=%llu", issuer, acct,
			    (unsigned long long)cursor);
		rc = get_json(f, path, &doc, &e);
		free(path);
		if (rc != LD_OK) {
			fprintf(stderr, "ledger: %s\n", e.code == LD_ENOTFOUND ?
			    "no such account in the log" : e.msg);
			rc = e.code == LD_ENOTFOUND ? EXIT_FAIL :
			    cmd_exit_for(&e);
			goto out;
		}
		/* Each page carries the checkpoint its proofs are against. */
		if (jv_get_str(jv_get(doc, "checkpoint"), &note, &nlen) !=
		    LD_OK || checkpoint_open(note, nlen, log, &cp) != LD_OK) {
			fprintf(stderr, "ledger: FAILED: the account page's "
			    "checkpoint is not signed by %s\n",
			    sig_key_name(log));
			rc = EXIT_FAIL;
			goto out;
		}
		if (!have_first) {
			first = cp;
			have_first = 1;
			if (jv_get_u64(jv_get(doc, "last"), &expect) != LD_OK)
				expect = NO_INDEX;
		} else if (client_consistency(f, &first, &cp, &e) != LD_OK) {
			fprintf(stderr, "ledger: FAILED: %s\n", e.msg);
			rc = EXIT_FAIL;
			goto out;
		}
		list = jv_get(doc, "entries");
		for (i = 0; i < jv_len(list); i++) {
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				ents = xreallocarray(ents, cap, sizeof(*ents));
			}
			if (verify_entry(jv_at(list, i), cp.size, cp.root,
			    &ents[n], &why) != LD_OK) {
				fprintf(stderr, "ledger: FAILED: entry %zu of "
				    "the account: %s\n", n, why);
				rc = EXIT_FAIL;
				goto out;
			}
			/* The chain: exactly the index the last one named. */
			if (ents[n].index != expect ||
			    ents[n].leaf.kind < KIND_CREDIT ||
			    strcmp(ents[n].leaf.u.e.issuer.s, issuer) != 0) {
				fprintf(stderr, "ledger: FAILED: the account "
				    "chain is broken at entry %llu (expected "
				    "%llu): an entry was left out or another "
				    "slipped in\n", (unsigned long long)
				    ents[n].index, (unsigned long long)expect);
				n++;
				rc = EXIT_FAIL;
				goto out;
			}
			expect = ents[n].leaf.u.e.acct.prev;
			n++;
		}
		if (jv_get_u64(jv_get(doc, "next_cursor"), &cursor) != LD_OK)
			break;
		if (cursor != expect) {
			fprintf(stderr, "ledger: FAILED: the next page does not "
			    "start where the chain points\n");
			rc = EXIT_FAIL;
			goto out;
		}
		jv_free(doc);
		doc = NULL;
	}
	if (expect != NO_INDEX) {
		fprintf(stderr, "ledger: FAILED: the chain does not end (entry "
		    "%llu is missing)\n", (unsigned long long)expect);
		rc = EXIT_FAIL;
		goto out;
	}
	/* Recompute the balance from the entries themselves. */
	for (i = 0; i < n; i++) {
		const struct leaf *l = &ents[i].leaf;

		if (l->kind == KIND_CREDIT)
			cred += l->u.e.sub.grams;
		else if (l->kind == KIND_RETIRE)
			ret += l->u.e.sub.grams;
		else {
			tgt = l->u.e.sub.target;
			for (k = 0; k < n && ents[k].index != tgt; k++)
				;
			if (k == n) {
				fprintf(stderr, "ledger: FAILED: reversal %llu "
				    "targets %llu, not in this account\n",
				    (unsigned long long)ents[i].index,
				    (unsigned long long)tgt);
				rc = EXIT_FAIL;
				goto out;
			}
			rev += ents[k].leaf.u.e.sub.grams;
		}
	}
	if (n > 0 && (ents[0].leaf.u.e.acct.credited != cred ||
	    ents[0].leaf.u.e.acct.retired != ret ||
	    ents[0].leaf.u.e.acct.reversed != rev)) {
		fprintf(stderr, "ledger: FAILED: the account's counters in "
		    "entry %llu do not match its entries\n",
		    (unsigned long long)ents[0].index);
		rc = EXIT_FAIL;
		goto out;
	}
	bal = (int64_t)cred - (int64_t)ret - (int64_t)rev;
	if (n > 0 && jv_get_u64(jv_get(doc, "balance_grams"), &srv_bal) ==
	    LD_OK && (int64_t)srv_bal != bal) {
		fprintf(stderr, "ledger: FAILED: the server says the balance "
		    "is %llu g, the entries say %lld g\n",
		    (unsigned long long)srv_bal, (long long)bal);
		rc = EXIT_FAIL;
		goto out;
	}
	if (json) {
		out = jv_obj();
		arr = jv_arr();
		jv_set(out, "issuer", jv_str(issuer));
		jv_set(out, "account", jv_str(acct));
		jv_set(out, "checkpoint_size", jv_u64(first.size));
		jv_set(out, "credited_grams", jv_u64(cred));
		jv_set(out, "retired_grams", jv_u64(ret));
		jv_set(out, "reversed_grams", jv_u64(rev));
		jv_set(out, "balance_grams", jv_i64(bal));
		jv_set(out, "verified", jv_bool(1));
		for (i = 0; i < n; i++)
			jv_push(arr, form_leaf_to_json(&ents[i].leaf));
		jv_set(out, "entries", arr);
		{
			struct buf b = { 0 };

			jv_render_json(out, &b);
			printf("%.*s\n", (int)b.len, b.p);
			buf_free(&b);
		}
		jv_free(out);
	} else {
		printf("%-10s %-10s %-8s %10s %12s  %s\n", "index", "day",
		    "kind", "grams", "balance", "detail");
		for (i = n; i-- > 0;) {
			const struct leaf *l = &ents[i].leaf;
			int64_t b2 = 0;

			account_balance(&l->u.e.acct, &b2);
			format_day(day, sizeof(day), l->u.e.sub.day);
			printf("%-10llu %-10s %-8s %10llu %12lld  %s\n",
			    (unsigned long long)ents[i].index, day,
			    kind_name(l->kind),
			    (unsigned long long)(l->kind == KIND_REVERSE ? 0 :
			    l->u.e.sub.grams), (long long)b2,
			    l->kind == KIND_CREDIT ? l->u.e.sub.method.s :
			    l->u.e.sub.text.s);
		}
		printf("balance %lld g (credited %llu, retired %llu, reversed "
		    "%llu): %zu entries, chain complete, every inclusion proof "
		    "verified against %s size %llu\n", (long long)bal,
		    (unsigned long long)cred, (unsigned long long)ret,
		    (unsigned long long)rev, n, first.origin,
		    (unsigned long long)first.size);
	}
	rc = EXIT_OK;
out:
	for (i = 0; i < n; i++)
		leaf_free(&ents[i].leaf);
	free(ents);
	jv_free(doc);
	fetch_close(f);
	sig_key_free(log);
	return rc;
}

int
cmd_totals(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "vkey", required_argument, NULL, 'k' },
		{ "issuer", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char help[] =
	    "usage: ledger totals --server URL --vkey VKEY [--issuer ID] "
	    "[--json]\n"
	    "The log's (or an issuer's) running totals, from a leaf whose\n"
	    "receipt verifies against a signed checkpoint.\n";
	struct sig_key		*log = NULL;
	struct fetch		*f;
	struct checkpoint	 cp;
	struct client_err	 e;
	struct leaf		 l;
	struct jv		*doc = NULL, *out;
	const char		*server = NULL, *issuer = NULL, *r;
	char			*path;
	size_t			 rlen;
	int			 c, json = 0, rc;

	while ((c = getopt_long(argc, argv, "s:k:i:jh", opts, NULL)) != -1) {
		switch (c) {
		case 's': server = optarg; break;
		case 'k': log = cmd_vkey(optarg); break;
		case 'i': issuer = optarg; break;
		case 'j': json = 1; break;
		default: cmd_usage(help);
		}
	}
	if (log == NULL || optind != argc ||
	    (issuer && valid_id(issuer, strlen(issuer)) != LD_OK))
		cmd_usage(help);
	f = cmd_server(server);
	path = issuer ? xasprintf("/v1/issuers/%s", issuer) :
	    xstrdup("/v1/totals");
	rc = get_json(f, path, &doc, &e);
	free(path);
	if (rc != LD_OK) {
		fprintf(stderr, "ledger: %s\n", e.msg);
		rc = cmd_exit_for(&e);
		goto done;
	}
	if (jv_get_str(jv_get(doc, "receipt"), &r, &rlen) != LD_OK) {
		printf("no entries yet\n");
		rc = EXIT_OK;
		goto done;
	}
	if (client_verify_receipt(r, rlen, log, &l, &cp, &e) != LD_OK) {
		fprintf(stderr, "ledger: FAILED: %s\n", e.msg);
		rc = EXIT_FAIL;
		goto done;
	}
	if ((issuer == NULL && l.index + 1 != cp.size) ||
	    (issuer != NULL && (l.kind < KIND_CREDIT ||
	    strcmp(l.u.e.issuer.s, issuer) != 0))) {
		fprintf(stderr, "ledger: FAILED: the receipt is not for %s\n",
		    issuer ? "an entry of that issuer" : "the last leaf");
		leaf_free(&l);
		rc = EXIT_FAIL;
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
		jv_set(out, "verified", jv_bool(1));
		{
			struct buf b = { 0 };

			jv_render_json(out, &b);
			printf("%.*s\n", (int)b.len, b.p);
			buf_free(&b);
		}
		jv_free(out);
	} else if (issuer)
		printf("%s: credited %llu g, retired %llu g, reversed %llu g "
		    "(as of entry %llu, verified against %s size %llu)\n",
		    issuer, (unsigned long long)l.u.e.iss.credited,
		    (unsigned long long)l.u.e.iss.retired,
		    (unsigned long long)l.u.e.iss.reversed,
		    (unsigned long long)l.index, cp.origin,
		    (unsigned long long)cp.size);
	else
		printf("%s at size %llu: credited %llu g, retired %llu g, "
		    "reversed %llu g; %llu credits, %llu retirements, %llu "
		    "reversals, %llu issuers, %llu methods (verified)\n",
		    cp.origin, (unsigned long long)cp.size,
		    (unsigned long long)l.totals.credited,
		    (unsigned long long)l.totals.retired,
		    (unsigned long long)l.totals.reversed,
		    (unsigned long long)l.totals.count[KIND_CREDIT],
		    (unsigned long long)l.totals.count[KIND_RETIRE],
		    (unsigned long long)l.totals.count[KIND_REVERSE],
		    (unsigned long long)l.totals.count[KIND_ISSUER],
		    (unsigned long long)l.totals.count[KIND_METHOD]);
	leaf_free(&l);
	rc = EXIT_OK;
done:
	jv_free(doc);
	fetch_close(f);
	sig_key_free(log);
	return rc;
}
