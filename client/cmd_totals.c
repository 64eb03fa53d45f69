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
#include "xmalloc.h"

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
	struct ld_error	 e;
	struct entry_leaf		 l;
	struct json		*doc = NULL, *out;
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
	    (issuer && entry_valid_id(issuer, strlen(issuer)) != LD_OK))
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
	if (json_get_str(json_get(doc, "receipt"), &r, &rlen) != LD_OK) {
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
		json_set(out, "log_key", json_str(sig_key_name(log)));
		json_set(out, "verified", json_bool(1));
		json_set(out, "proved", json_str("the log committed to these "
		    "counters at this size (inclusion proof verified)"));
		json_set(out, "not_proved",
		    json_str(issuer ? "that the counters "
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
		    "checkpoint signed by %s)%s\n"
		    "not proved here: that the counters add up; an auditor's "
		    "replay of the log recomputes them\n",
		    (unsigned long long)l.index, (unsigned long long)cp.size,
		    sig_key_name(log), issuer ? "; not proved: that no newer "
		    "entry of the issuer exists" : ", its last entry");
	}
	entry_leaf_free(&l);
	rc = CLI_EXIT_OK;
done:
	json_free(doc);
	fetch_close(f);
	sig_key_free(log);
	return rc;
}
