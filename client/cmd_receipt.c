/* cmd_receipt.c - ledger receipt: an entry's receipt by its index, or
 * receipts refreshed onto the server's cosigned checkpoint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "cmd.h"
#include "cmd_index.h"
#include "err.h"
#include "file.h"
#include "json.h"
#include "refresh.h"

static const char help[] =
    "usage: ledger receipt --server URL INDEX > r.tlog-proof\n"
    "       ledger receipt --refresh --server URL (--policy FILE | --vkey "
    "VKEY)\n"
    "                      RECEIPTS...\n"
    "The first form prints entry INDEX's receipt against the current\n"
    "checkpoint. --refresh rewrites each RECEIPTS file (a .tlog-proof or\n"
    "a receipts JSONL from ledger submit) in place, atomically: each\n"
    "receipt's checkpoint is replaced by the server's current one, which\n"
    "must meet the policy (its quorum of cosignatures), with a new\n"
    "inclusion proof, after the server's consistency proof shows the\n"
    "new checkpoint extends the receipt's. A receipt that cannot be\n"
    "refreshed (it does not verify, the log forked, or the cosigned\n"
    "checkpoint is older than it) is reported and left unchanged; exit 1\n"
    "if any, 3 on a network error.\n"
    CMD_HELP_POLICY CMD_HELP_TLS;

/* The tally of a --refresh run. */
struct tally {
	unsigned long	refreshed, current, failed, net;
};

/* Refresh one receipt text into out (the new text, or a copy of the old
 * one when it stays); report it under name. */
static void
one(struct fetch *f, const struct refresh_to *to, const char *name,
    const char *text, size_t len, struct buf *out, struct tally *ty)
{
	struct ld_error	e;
	uint64_t	old = 0;
	int		rc;

	rc = refresh_receipt(f, to, text, len, out, &old, &e);
	if (rc == LD_OK) {
		ty->refreshed++;
		printf("%s: refreshed: checkpoint size %llu -> %llu\n", name,
		    (unsigned long long)old,
		    (unsigned long long)to->tc.cp.size);
		return;
	}
	buf_add(out, text, len);
	if (rc == LD_EEXIST) {
		ty->current++;
		printf("%s: already against the checkpoint of size %llu\n",
		    name, (unsigned long long)to->tc.cp.size);
		return;
	}
	if (cmd_exit_for(&e) == CLI_EXIT_NET)
		ty->net++;
	else
		ty->failed++;
	printf("%s: NOT REFRESHED: %s: %s (left unchanged)\n", name,
	    e.rule[0] ? e.rule : "error", e.msg);
}

/* Refresh every receipt of the file path; write it back if any changed. */
static void
refresh_file(struct fetch *f, const struct refresh_to *to, const char *path,
    struct tally *ty)
{
	struct buf	 out = { 0 }, r = { 0 };
	struct json	*doc;
	struct stat	 sb;
	const char	*s, *nl, *rt;
	char		*text, name[512];
	size_t		 len, rl;
	unsigned long	 before = ty->refreshed, n = 0;

	if (file_read(path, 1u << 30, &text, &len) != LD_OK) {
		printf("%s: NOT REFRESHED: file: cannot read it\n", path);
		ty->failed++;
		return;
	}
	if (len >= 22 && memcmp(text, "c2sp.org/tlog-proof@v1", 22) == 0)
		one(f, to, path, text, len, &out, ty);
	else
		for (s = text; s < text + len; s = nl + 1) {
			nl = memchr(s, '\n', (size_t)(text + len - s));
			if (nl == NULL)
				nl = text + len;
			snprintf(name, sizeof(name), "%s:%lu", path, ++n);
			doc = NULL;
			buf_reset(&r);
			if (json_parse(s, (size_t)(nl - s), &doc, NULL, 0) !=
			    LD_OK || json_get_str(json_get(doc, "receipt"),
			    &rt, &rl) != LD_OK) {
				printf("%s: NOT REFRESHED: receipt-line: not a "
				    "receipts line (left unchanged)\n", name);
				ty->failed++;
				buf_add(&out, s, (size_t)(nl - s));
			} else {
				unsigned long k = ty->refreshed;

				one(f, to, name, rt, rl, &r, ty);
				if (ty->refreshed > k) {
					json_set(doc, "receipt", json_strn(
					    (const char *)r.p, r.len));
					json_render(doc, &out);
				} else
					buf_add(&out, s, (size_t)(nl - s));
			}
			json_free(doc);
			if (nl < text + len)
				buf_addc(&out, '\n');
		}
	if (ty->refreshed > before) {
		if (stat(path, &sb) != 0 || file_write(path, out.p, out.len,
		    sb.st_mode & 0777, 0) != LD_OK) {
			printf("%s: NOT WRITTEN: cannot write it (left "
			    "unchanged)\n", path);
			ty->failed += ty->refreshed - before;
			ty->refreshed = before;
		} else
			printf("%s: written (%lu receipt%s refreshed)\n", path,
			    ty->refreshed - before,
			    ty->refreshed - before == 1 ? "" : "s");
	}
	buf_free(&r);
	buf_free(&out);
	free(text);
}

static int
refresh(int argc, char **argv)
{
	struct sig_key		*log = NULL;
	struct policy		*pol = NULL;
	struct trust		 t;
	struct refresh_to	 to;
	struct ld_error		 e;
	struct fetch		*f;
	struct tally		 ty;
	struct buf		 d = { 0 };
	const char		*server = NULL, *cacert = NULL, *policy = NULL;
	int			 first, i, rc, dummy = 0;
	const struct cli_opt	 opts[] = {
		CLI_OPT_SERVER(&server),
		CLI_OPT_CACERT(&cacert),
		CMD_OPT_VKEY('k', &log),
		CMD_OPT_POLICY(&policy),
		{ .name = "refresh", .letter = 'r', .flag = &dummy },
		CLI_OPT_END,
	};

	first = cli_parse(argc, argv, 1, opts, help);
	if (first == argc)
		cli_usage(help);
	cmd_trust(&t, log, policy, &pol, help);
	f = cmd_server(server, cacert);
	memset(&to, 0, sizeof(to));
	memset(&ty, 0, sizeof(ty));
	if ((rc = refresh_to_fetch(f, &t, &to, &e)) != LD_OK) {
		fprintf(stderr, "ledger: nothing refreshed: %s\n", e.msg);
		rc = rc == LD_EBADSIG || rc == LD_EBADPROOF ? CLI_EXIT_FAIL :
		    cmd_exit_for(&e);
		goto out;
	}
	trust_describe(&t, &to.tc, &d);
	for (i = first; i < argc; i++)
		refresh_file(f, &to, argv[i], &ty);
	printf("%lu refreshed, %lu already current, %lu not refreshed; onto "
	    "the checkpoint of size %llu %s\n", ty.refreshed, ty.current,
	    ty.failed + ty.net, (unsigned long long)to.tc.cp.size,
	    buf_cstr(&d));
	rc = ty.net ? CLI_EXIT_NET : ty.failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
out:
	buf_free(&d);
	refresh_to_free(&to);
	fetch_close(f);
	sig_key_free(log);
	policy_free(pol);
	return rc;
}

int
cmd_receipt(int argc, char **argv)
{
	int	i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--refresh") == 0 ||
		    strcmp(argv[i], "-r") == 0)
			return refresh(argc, argv);
	return cmd_index(argc, argv, help, "/v1/receipt", NULL);
}
