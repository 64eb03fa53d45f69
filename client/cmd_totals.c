/* cmd_totals.c - ledger totals: running counters from a verified receipt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "checkpoint.h"
#include "cmd.h"
#include "err.h"
#include "form.h"
#include "json.h"
#include "tlog_proof.h"
#include "xmalloc.h"

int
cmd_totals(int argc, char **argv)
{
	static const char help[] =
	    "usage: ledger totals --server URL (--vkey VKEY | --policy FILE)\n"
	    "                     [--issuer ID] [--json]\n"
	    "The log's (or an issuer's) running counters, from a leaf whose\n"
	    "receipt verifies against a signed checkpoint: proves that the\n"
	    "log committed to them at that size, not that they add up (an\n"
	    "auditor's replay recomputes them). Under a policy whose\n"
	    "witnesses include an auditor cosigner (a key name ending in\n"
	    "/replayed) that cosigned, it says the auditor replayed them.\n"
	    CMD_HELP_POLICY CMD_HELP_TLS;
	struct sig_key		*log = NULL;
	struct policy		*pol = NULL;
	struct trust		 t, key;
	struct trust_cp		 tc;
	struct tlog_proof	 tp;
	struct buf		 desc = { 0 }, rep = { 0 };
	struct fetch		*f;
	struct checkpoint	 cp;
	uint64_t		 rsize;
	size_t			 nrep;
	struct ld_error	 e;
	struct entry_leaf		 l;
	struct json		*doc = NULL, *out;
	const char		*server = NULL, *issuer = NULL, *r;
	const char		*cacert = NULL, *policy = NULL;
	char			*path;
	size_t			 rlen;
	int			 json = 0, rc;
	const struct cli_opt	 opts[] = {
		CLI_OPT_SERVER(&server),
		CLI_OPT_CACERT(&cacert),
		CMD_OPT_VKEY('k', &log),
		CMD_OPT_POLICY(&policy),
		{ .name = "issuer", .letter = 'i', .arg = "ID", .str = &issuer },
		CLI_OPT_JSON(&json),
		CLI_OPT_END,
	};

	if (cli_parse(argc, argv, 1, opts, help) != argc ||
	    (issuer && entry_valid_id(issuer, strlen(issuer)) != LD_OK))
		cli_usage(help);
	cmd_trust(&t, log, policy, &pol, help);
	trust_init(&key, t.log, NULL, NULL, NULL);
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
	if (json_get_str(json_get(doc, "receipt"), &r, &rlen) != LD_OK) {
		printf("no entries yet\n");
		rc = CLI_EXIT_OK;
		goto done;
	}
	/* The receipt against the log's key, then its checkpoint under
	 * the trust: cosigned, or a prefix of the cosigned one. */
	if (client_verify_receipt(r, rlen, &key, &l, &tc, &e) != LD_OK) {
		fprintf(stderr, "ledger: FAILED: %s\n", e.msg);
		rc = CLI_EXIT_FAIL;
		goto done;
	}
	if (t.policy != NULL) {
		if (tlog_proof_parse(r, rlen, &tp) != LD_OK) {
			entry_leaf_free(&l);
			rc = CLI_EXIT_FAIL;
			goto done;
		}
		rc = client_cover(f, &t, tp.checkpoint, tp.checkpoint_len, &tc,
		    NULL, NULL, &e);
		tlog_proof_free(&tp);
		if (rc != LD_OK) {
			fprintf(stderr, "ledger: FAILED: %s\n", e.msg);
			entry_leaf_free(&l);
			rc = rc == LD_EBADSIG || rc == LD_EBADPROOF ||
			    rc == LD_EINVAL ? CLI_EXIT_FAIL : cmd_exit_for(&e);
			goto done;
		}
	}
	cp = tc.cp;
	trust_describe(&t, &tc, &desc);
	nrep = trust_replayed(&t, &tc, &rep);
	rsize = tc.prefix_of ? tc.prefix_of : cp.size;
	if ((issuer == NULL && l.index + 1 != cp.size) ||
	    (issuer != NULL && (l.kind < KIND_CREDIT ||
	    strcmp(l.u.e.issuer.s, issuer) != 0))) {
		fprintf(stderr, "ledger: FAILED: the receipt is not for %s\n",
		    issuer ? "an entry of that issuer" : "the last leaf");
		entry_leaf_free(&l);
		rc = CLI_EXIT_FAIL;
		goto done;
	}
	if (json) {
		out = issuer ? json_obj() : form_totals_to_json(&l.totals);
		if (issuer) {
			json_set(out, "issuer", json_str(issuer));
			json_set(out, "credited_grams",
			    json_u64(l.u.e.iss.credited));
			json_set(out, "retired_grams",
			    json_u64(l.u.e.iss.retired));
			json_set(out, "reversed_grams",
			    json_u64(l.u.e.iss.reversed));
		}
		json_set(out, "index", json_u64(l.index));
		json_set(out, "checkpoint_size", json_u64(cp.size));
		json_set(out, "log_key", json_str(sig_key_name(t.log)));
		json_set(out, "trust", trust_json(&t, &tc));
		json_set(out, "verified", json_bool(1));
		json_set(out, "proved", json_str("the log committed to these "
		    "counters at this size (inclusion proof verified)"));
		json_set(out, "replayed_by", nrep ?
		    json_str(buf_cstr(&rep)) : json_nil());
		json_set(out, "replayed_at_size", nrep ? json_u64(rsize) :
		    json_nil());
		json_set(out, "not_proved",
		    json_str(issuer && nrep ? "that no newer entry of the "
		    "issuer exists" : nrep ? "that the auditor replayed "
		    "honestly (its cosignature attests it; not replayed here)" : issuer ? "that the counters "
		    "add up (an auditor's replay recomputes them); that no "
		    "newer entry of the issuer exists" : "that the counters "
		    "add up (an auditor's replay recomputes them)"));
		{
			struct buf b = { 0 };

			json_render(out, &b);
			printf("%.*s\n", (int)b.len, b.p);
			buf_free(&b);
		}
		json_free(out);
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
		    "checkpoint %s)%s\n",
		    (unsigned long long)l.index, (unsigned long long)cp.size,
		    buf_cstr(&desc), issuer ? "; not proved: that no newer "
		    "entry of the issuer exists" : ", its last entry");
		if (nrep)
			printf("replayed: the counters were replayed by %s at "
			    "size %llu (its cosignature attests that it "
			    "mirrored the log to that size, replayed every rule "
			    "and recomputed every total with no finding)\n",
			    buf_cstr(&rep), (unsigned long long)rsize);
		else
			printf("not proved here: that the counters add up; an "
			    "auditor's replay of the log recomputes them\n");
	}
	entry_leaf_free(&l);
	rc = CLI_EXIT_OK;
done:
	json_free(doc);
	buf_free(&desc);
	buf_free(&rep);
	fetch_close(f);
	sig_key_free(log);
	policy_free(pol);
	return rc;
}
