/* cmd_checkpoint.c - ledger checkpoint: the latest checkpoint, verified. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "checkpoint.h"
#include "cmd.h"
#include "cpstate.h"
#include "err.h"
#include "hex.h"
#include "xmalloc.h"

/* --since FILE, which may be given more than once. */
struct since {
	const char	**v;
	int		  n;
};

static void
opt_since(void *arg, const char *file)
{
	struct since	*s = arg;

	s->v = xreallocarray(s->v, (size_t)s->n + 1, sizeof(*s->v));
	s->v[s->n++] = file;
}

int
cmd_checkpoint(int argc, char **argv)
{
	static const char help[] =
	    "usage: ledger checkpoint --server URL --vkey VKEY [--state DIR]\n"
	    "                         [--since CHECKPOINT_FILE]... [--json]\n"
	    "Fetch and verify the latest checkpoint. --state DIR remembers it\n"
	    "and proves it consistent with the last one seen there; --since\n"
	    "proves it consistent with a checkpoint you kept. Exit 1 on a\n"
	    "bad signature or an inconsistent (forked, rewritten) log.\n"
	    CMD_HELP_TLS;
	struct sig_key		*log = NULL;
	struct fetch		*f;
	struct checkpoint	 cp, old;
	struct ld_error	 e;
	struct buf		 note = { 0 };
	char			 root[65], *path = NULL, *text = NULL;
	const char		*server = NULL, *state = NULL;
	const char		*what = NULL, *cacert = NULL;
	size_t			 len;
	uint64_t		 stale = 0;
	int			 json = 0, rc, k;
	struct since		 since = { NULL, 0 };
	const struct cli_opt	 opts[] = {
		CLI_OPT_SERVER(&server),
		CLI_OPT_CACERT(&cacert),
		CMD_OPT_VKEY('k', &log),
		{ .name = "state", .letter = 'S', .arg = "DIR", .str = &state },
		{ .name = "since", .letter = 'i', .arg = "CHECKPOINT_FILE",
		    .fn = opt_since, .ctx = &since },
		CLI_OPT_JSON(&json),
		CLI_OPT_END,
	};

	if (cli_parse(argc, argv, 1, opts, help) != argc || log == NULL)
		cli_usage(help);
	f = cmd_server(server, cacert);
	memset(&e, 0, sizeof(e));
	rc = client_checkpoint(f, log, &cp, &note, &e);
	for (k = 0; rc == LD_OK && k < since.n; k++) {
		if ((rc = cpstate_load(since.v[k], log, &old, &text,
		    &len)) != LD_OK) {
			if (rc == LD_ERULE)
				fprintf(stderr, "ledger: %s: %s\n", since.v[k],
				    CHECKPOINT_EXT_MSG);
			else
				fprintf(stderr, "ledger: %s is not a checkpoint "
				    "signed by %s\n", since.v[k],
				    sig_key_name(log));
			return CLI_EXIT_USAGE;
		}
		rc = client_consistency(f, &old, &cp, &e);
		what = since.v[k];
		free(text);
		if (rc == LD_ESTALE) {
			stale = old.size;
			rc = LD_OK;
		}
	}
	if (rc == LD_OK && state != NULL) {
		path = xasprintf("%s/checkpoint", state);
		if (cpstate_load(path, log, &old, &text, &len) == LD_OK)
			what = path;
		free(text);
		rc = cpstate_check(f, state, log, &cp, (const char *)note.p,
		    note.len, &e);
		if (rc == LD_ESTALE) {
			stale = old.size;
			rc = LD_OK;
		}
	}
	if (rc != LD_OK) {
		if (what)
			fprintf(stderr, "ledger: %s (against %s)\n", e.msg,
			    what);
		else
			fprintf(stderr, "ledger: %s\n", e.msg);
		rc = cmd_exit_for(&e);
	} else {
		hex_encode(root, cp.root, 32);
		if (json)
			printf("{\"origin\":\"%s\",\"size\":%llu,\"root\":"
			    "\"%s\",\"verified\":true,\"consistent\":%s,"
			    "\"stale\":%s}\n", cp.origin,
			    (unsigned long long)cp.size, root,
			    what ? "true" : "null", stale ? "true" : "false");
		else if (stale)
			printf("%s: size %llu, root %s (signature by %s OK; "
			    "stale: older than size %llu seen before, and "
			    "consistent with it; the state keeps size %llu)\n",
			    cp.origin, (unsigned long long)cp.size, root,
			    sig_key_name(log), (unsigned long long)stale,
			    (unsigned long long)stale);
		else
			printf("%s: size %llu, root %s (signature by %s OK%s)"
			    "\n", cp.origin, (unsigned long long)cp.size, root,
			    sig_key_name(log), what ? ", consistent with the "
			    "last one seen" : "");
		rc = CLI_EXIT_OK;
	}
	free(since.v);
	free(path);
	buf_free(&note);
	fetch_close(f);
	sig_key_free(log);
	return rc;
}
