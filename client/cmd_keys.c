/* cmd_keys.c - ledger keygen and ledger admin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "err.h"
#include "file.h"
#include "json.h"
#include "wipe.h"
#include "xmalloc.h"

struct sig_key *
cmd_vkey(const char *arg)
{
	struct sig_key	*k;
	char		*s = NULL;
	size_t		 len;
	int		 rc;

	if ((rc = sig_key_from_vkey(arg, strlen(arg), &k)) == LD_OK)
		return k;
	if (rc == LD_EWEAKKEY)
		goto weak;
	/* Else a file holding the vkey. */
	if (file_read(arg[0] == '@' ? arg + 1 : arg, 4096, &s, &len) !=
	    LD_OK) {
		fprintf(stderr, "ledger: --vkey %s is neither a verifier key "
		    "(name+id+base64) nor a readable file\n", arg);
		exit(CLI_EXIT_USAGE);
	}
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	if ((rc = sig_key_from_vkey(s, len, &k)) == LD_EWEAKKEY)
		goto weak;
	if (rc != LD_OK) {
		fprintf(stderr, "ledger: %s does not hold a verifier key\n",
		    arg);
		exit(CLI_EXIT_USAGE);
	}
	free(s);
	return k;
weak:
	fprintf(stderr, "ledger: --vkey %s: a weak Ed25519 public key (of "
	    "small order, or not a canonical encoding of a curve point); "
	    "nothing signed with it can be trusted\n", arg);
	exit(CLI_EXIT_USAGE);
}

void
cmd_vkey_opt(void *kp, const char *arg)
{
	struct sig_key	**k = kp;

	sig_key_free(*k);	/* the last --vkey counts */
	*k = cmd_vkey(arg);
}

struct fetch *
cmd_server(const char *url, const char *cacert)
{
	struct fetch	*f;
	char		 err[512];

	if (url == NULL)
		cli_usage("ledger: --server URL is required\n");
	if (fetch_open(url, cacert, 120, err, sizeof(err), &f) != LD_OK) {
		fprintf(stderr, "ledger: --server %s\n", err);
		exit(CLI_EXIT_USAGE);
	}
	return f;
}

int
cmd_exit_for(const struct ld_error *e)
{
	switch (e->code) {
	case LD_ENET:
	case LD_EBUSY:
	case LD_EFULL:
	case LD_ESYS:
	case LD_ECORRUPT:
		return CLI_EXIT_NET;
	default:
		return CLI_EXIT_FAIL;
	}
}

int
cmd_keygen(int argc, char **argv)
{
	static const char help[] =
	    "usage: ledger keygen [--witness] --id ISSUER_ID --out FILE\n"
	    "Write an Ed25519 signing key (C2SP signed-note private key,\n"
	    "mode 0600) to FILE and its verifier key to FILE.vkey; print the\n"
	    "verifier key, which the operator registers.\n"
	    "With --witness, a cosigner key (C2SP tlog-cosignature,\n"
	    "cosignature/v1, vkey type 0x04) named NAME, a key name such as\n"
	    "witness.example.org/w1 (1..255 bytes, no '+' or space): its\n"
	    "vkey goes on a \"witness\" line of a tlog-policy file.\n";
	struct sig_key	*k;
	const char	*id = NULL, *out = NULL;
	int		 witness = 0;
	const struct cli_opt opts[] = {
		{ .name = "id", .letter = 'i', .arg = "ISSUER_ID", .str = &id },
		{ .name = "out", .letter = 'o', .arg = "FILE", .str = &out },
		{ .name = "witness", .flag = &witness },
		CLI_OPT_END,
	};
	char		*skey, *vkey, *line, *vpath;
	int		 rc;

	if (cli_parse(argc, argv, 1, opts, help) != argc || id == NULL ||
	    out == NULL)
		cli_usage(help);
	if (witness && !sig_valid_name(id, strlen(id))) {
		fprintf(stderr, "ledger: --id of a witness key must be a key "
		    "name: 1..255 bytes, no '+', space or control character\n");
		return CLI_EXIT_USAGE;
	}
	if (!witness && entry_valid_id(id, strlen(id)) != LD_OK) {
		fprintf(stderr, "ledger: --id must be 1..64 of "
		    "[A-Za-z0-9._-]\n");
		return CLI_EXIT_USAGE;
	}
	if (sig_keygen(id, witness ? SIG_TYPE_COSIGN : SIG_TYPE_ED25519,
	    &k) != LD_OK) {
		fprintf(stderr, "ledger: cannot generate a key\n");
		return CLI_EXIT_FAIL;
	}
	skey = sig_skey(k);
	line = xasprintf("%s\n", skey);
	rc = file_write(out, line, strlen(line), 0600, 1);
	wipe_secure(skey, strlen(skey));
	wipe_secure(line, strlen(line));
	free(skey);
	free(line);
	if (rc != LD_OK) {
		fprintf(stderr, "ledger: %s: %s\n", out, rc == LD_EEXIST ?
		    "exists (refusing to overwrite a key)" : ld_strerror(rc));
		sig_key_free(k);
		return CLI_EXIT_FAIL;
	}
	vkey = sig_vkey(k);
	line = xasprintf("%s\n", vkey);
	vpath = xasprintf("%s.vkey", out);
	if (file_write(vpath, line, strlen(line), 0644, 0) != LD_OK)
		fprintf(stderr, "ledger: warning: cannot write %s\n", vpath);
	printf("%s\n", vkey);
	free(vpath);
	free(line);
	free(vkey);
	sig_key_free(k);
	return CLI_EXIT_OK;
}

/* POST a JSON document to an admin endpoint and print the result. */
static int
admin_post(const char *server, const char *cacert, const char *token_file,
    const char *path, struct json *doc, int json)
{
	struct fetch		*f = cmd_server(server, cacert);
	struct fetch_resp	 resp;
	struct ld_error	 e;
	struct buf		 body = { 0 };
	struct json		*r = NULL;
	uint64_t		 idx;
	int			 dup = 0, rc;
	char			*tok, *auth;
	size_t			 len;

	if (token_file == NULL)
		cli_usage("ledger admin: --token-file F is required\n");
	/* The token is a password: only over TLS or to this machine. */
	if (!fetch_confidential(f)) {
		fprintf(stderr, "ledger: refusing to send the admin token to "
		    "%s over plain http (not a loopback address); use "
		    "https://\n", fetch_url(f));
		fetch_close(f);
		return CLI_EXIT_USAGE;
	}
	if (file_read(token_file, 4096, &tok, &len) != LD_OK) {
		fprintf(stderr, "ledger: cannot read %s\n", token_file);
		return CLI_EXIT_USAGE;
	}
	while (len > 0 && (tok[len - 1] == '\n' || tok[len - 1] == ' '))
		tok[--len] = '\0';
	auth = xasprintf("Bearer %s", tok);
	wipe_secure(tok, len);
	free(tok);
	json_render(doc, &body);
	rc = fetch_post(f, path, "application/json", "application/json", auth,
	    body.p, body.len, &resp);
	wipe_secure(auth, strlen(auth));
	free(auth);
	buf_free(&body);
	if (rc != LD_OK || resp.status != 200) {
		client_error_reply(&resp, &e);
		fprintf(stderr, "ledger: %s: %s\n", path, e.msg);
		fetch_resp_free(&resp);
		fetch_close(f);
		return cmd_exit_for(&e);
	}
	if (json) {
		fwrite(resp.body.p, 1, resp.body.len, stdout);
	} else if (json_parse((const char *)resp.body.p, resp.body.len, &r,
	    NULL, 0) == LD_OK) {
		const struct json *e0 = json_at(json_get(r, "entries"), 0);

		if (json_get_u64(json_get(e0, "index"), &idx) == LD_OK) {
			json_get_bool(json_get(e0, "duplicate"), &dup);
			printf("%s at index %llu\n", dup ?
			    "already registered (identical)" : "registered",
			    (unsigned long long)idx);
		}
		json_free(r);
	}
	fetch_resp_free(&resp);
	fetch_close(f);
	return CLI_EXIT_OK;
}

int
cmd_admin(int argc, char **argv)
{
	static const char help[] =
	    "usage: ledger admin add-issuer --server URL --token-file F "
	    "--vkey VKEY --name NAME\n"
	    "       ledger admin add-method --server URL --token-file F "
	    "FILE.json\n"
	    "FILE.json: {\"id\", \"activity\", \"unit\", \"grams_per_unit\",\n"
	    "  \"max_grams_per_event\", \"max_grams_per_account_day\",\n"
	    "  \"valid_from\" (YYYY-MM-DD), \"max_event_age_days\", "
	    "\"reference\"}, all required\n" CMD_HELP_TLS
	    "The token goes only over https or to a loopback address.\n";
	const char	*server = NULL, *token = NULL, *vkey = NULL;
	const char	*cacert = NULL;
	const char	*name = NULL, *sub;
	struct json	*doc;
	char		*text, err[160];
	size_t		 len;
	int		 json = 0, rc, op;
	/* The vkey is sent as given: the server checks it. */
	const struct cli_opt opts[] = {
		CLI_OPT_SERVER(&server),
		CLI_OPT_CACERT(&cacert),
		{ .name = "token-file", .letter = 't', .arg = "F", .str = &token },
		{ .name = "vkey", .letter = 'k', .arg = "VKEY", .str = &vkey },
		{ .name = "name", .letter = 'n', .arg = "NAME", .str = &name },
		CLI_OPT_JSON(&json),
		CLI_OPT_END,
	};

	if (argc < 2)
		cli_usage(help);
	sub = argv[1];
	op = cli_parse(argc, argv, 2, opts, help);
	if (strcmp(sub, "add-issuer") == 0) {
		if (vkey == NULL || name == NULL || op != argc)
			cli_usage(help);
		doc = json_obj();
		json_set(doc, "vkey", json_str(vkey));
		json_set(doc, "name", json_str(name));
		rc = admin_post(server, cacert, token, "/v1/admin/issuers", doc, json);
	} else if (strcmp(sub, "add-method") == 0) {
		if (op + 1 != argc)
			cli_usage(help);
		if (file_read(argv[op], 1 << 20, &text, &len) != LD_OK) {
			fprintf(stderr, "ledger: cannot read %s\n",
			    argv[op]);
			return CLI_EXIT_USAGE;
		}
		if (json_parse(text, len, &doc, err, sizeof(err)) != LD_OK) {
			fprintf(stderr, "ledger: %s: %s\n", argv[op], err);
			free(text);
			return CLI_EXIT_USAGE;
		}
		free(text);
		rc = admin_post(server, cacert, token, "/v1/admin/methods", doc, json);
	} else
		cli_usage(help);
	json_free(doc);
	return rc;
}
