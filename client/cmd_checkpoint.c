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
#include "json.h"
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
	    "usage: ledger checkpoint --server URL (--vkey VKEY | --policy FILE)\n"
	    "                         [--state DIR] [--since CHECKPOINT_FILE]...\n"
	    "                         [--json]\n"
	    "Fetch and verify the latest checkpoint. --state DIR remembers it\n"
	    "and proves it consistent with the last one seen there; --since\n"
	    "proves it consistent with a checkpoint you kept. Exit 1 on a\n"
	    "bad signature, a checkpoint below the policy's quorum or an\n"
	    "inconsistent (forked, rewritten) log. Under --policy the --since\n"
	    "files and the state's checkpoint must meet the policy too.\n"
	    CMD_HELP_POLICY CMD_HELP_TLS;
	struct sig_key		*log = NULL;
	struct policy		*pol = NULL;
	struct trust		 t;
	struct fetch		*f;
	struct trust_cp		 tc, old;
	struct checkpoint	 cp;
	struct json		*o;
	struct buf		 desc = { 0 }, jb = { 0 };
	struct ld_error	 e;
	struct buf		 note = { 0 };
	char			 root[65], *path = NULL, *text = NULL;
	const char		*server = NULL, *state = NULL;
	const char		*what = NULL, *cacert = NULL, *policy = NULL;
	size_t			 len;
	uint64_t		 stale = 0;
	int			 json = 0, rc, k;
	struct since		 since = { NULL, 0 };
	const struct cli_opt	 opts[] = {
		CLI_OPT_SERVER(&server),
		CLI_OPT_CACERT(&cacert),
		CMD_OPT_VKEY('k', &log),
		CMD_OPT_POLICY(&policy),
		{ .name = "state", .letter = 'S', .arg = "DIR", .str = &state },
		{ .name = "since", .letter = 'i', .arg = "CHECKPOINT_FILE",
		    .fn = opt_since, .ctx = &since },
		CLI_OPT_JSON(&json),
		CLI_OPT_END,
	};

	if (cli_parse(argc, argv, 1, opts, help) != argc)
		cli_usage(help);
	cmd_trust(&t, log, policy, &pol, help);
	f = cmd_server(server, cacert);
	memset(&e, 0, sizeof(e));
	rc = client_checkpoint(f, &t, &tc, &note, &e);
	cp = tc.cp;
	for (k = 0; rc == LD_OK && k < since.n; k++) {
		if ((rc = cpstate_load(since.v[k], &t, &old, &text, &len,
		    &e)) != LD_OK) {
			fprintf(stderr, "ledger: %s: %s\n", since.v[k], e.msg);
			rc = rc == LD_EBADSIG && t.policy != NULL ?
			    CLI_EXIT_FAIL : CLI_EXIT_USAGE;
			goto done;
		}
		rc = client_consistency(f, &old.cp, &cp, &e);
		what = since.v[k];
		free(text);
		if (rc == LD_ESTALE) {
			stale = old.cp.size;
			rc = LD_OK;
		}
	}
	if (rc == LD_OK && state != NULL) {
		path = xasprintf("%s/checkpoint", state);
		if (cpstate_load(path, &t, &old, &text, &len, NULL) == LD_OK)
			what = path;
		free(text);
		rc = cpstate_check(f, state, &t, &cp, (const char *)note.p,
		    note.len, &e);
		if (rc == LD_ESTALE) {
			stale = old.cp.size;
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
		trust_describe(&t, &tc, &desc);
		if (json) {
			o = json_obj();
			json_set(o, "origin", json_str(cp.origin));
			json_set(o, "size", json_u64(cp.size));
			json_set(o, "root", json_str(root));
			json_set(o, "verified", json_bool(1));
			json_set(o, "consistent", what ? json_bool(1) :
			    json_nil());
			json_set(o, "stale", json_bool(stale != 0));
			json_set(o, "trust", trust_json(&t, &tc));
			json_render(o, &jb);
			printf("%.*s\n", (int)jb.len, jb.p);
			json_free(o);
		} else if (t.policy == NULL && stale)
			printf("%s: size %llu, root %s (signature by %s OK; "
			    "stale: older than size %llu seen before, and "
			    "consistent with it; the state keeps size %llu)\n",
			    cp.origin, (unsigned long long)cp.size, root,
			    sig_key_name(t.log), (unsigned long long)stale,
			    (unsigned long long)stale);
		else if (t.policy == NULL)
			printf("%s: size %llu, root %s (signature by %s OK%s)"
			    "\n", cp.origin, (unsigned long long)cp.size, root,
			    sig_key_name(t.log), what ? ", consistent with the "
			    "last one seen" : "");
		else if (stale)
			printf("%s: size %llu, root %s: checkpoint %s; stale: "
			    "older than size %llu seen before, and consistent "
			    "with it; the state keeps size %llu\n", cp.origin,
			    (unsigned long long)cp.size, root, buf_cstr(&desc),
			    (unsigned long long)stale,
			    (unsigned long long)stale);
		else
			printf("%s: size %llu, root %s: checkpoint %s%s\n",
			    cp.origin, (unsigned long long)cp.size, root,
			    buf_cstr(&desc), what ? "; consistent with the "
			    "last one seen" : "");
		rc = CLI_EXIT_OK;
	}
done:
	free(since.v);
	free(path);
	buf_free(&note);
	buf_free(&desc);
	buf_free(&jb);
	fetch_close(f);
	sig_key_free(log);
	policy_free(pol);
	return rc;
}
