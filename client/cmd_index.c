/* cmd_index.c - what ledger get and ledger receipt share: GET ROUTE/INDEX. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "cmd_index.h"
#include "err.h"
#include "u64.h"
#include "xmalloc.h"

/* GET path and print or return the body; exits on failure. */
static int
get_text(const char *server, const char *cacert, const char *path,
    const char *accept, struct buf *out)
{
	struct fetch		*f = cmd_server(server, cacert);
	struct fetch_resp	 resp;
	struct ld_error	 e;

	if (fetch_get(f, path, accept, &resp) != LD_OK ||
	    resp.status != 200) {
		client_error_reply(&resp, &e);
		fprintf(stderr, "ledger: %s: %s\n", path, e.msg);
		fetch_resp_free(&resp);
		fetch_close(f);
		return e.code == LD_ENOTFOUND || resp.status == 404 ?
		    CLI_EXIT_FAIL : cmd_exit_for(&e);
	}
	buf_add(out, resp.body.p, resp.body.len);
	fetch_resp_free(&resp);
	fetch_close(f);
	return CLI_EXIT_OK;
}

int
cmd_index(int argc, char **argv, const char *help, const char *route,
    const char *accept)
{
	struct buf	 b = { 0 };
	const char	*server = NULL, *cacert = NULL;
	char		*path;
	uint64_t	 idx;
	int		 first, rc;
	const struct cli_opt opts[] = {
		CLI_OPT_SERVER(&server),
		CLI_OPT_CACERT(&cacert),
		CLI_OPT_JSON(NULL),	/* accepted and ignored */
		CLI_OPT_END,
	};

	first = cli_parse(argc, argv, 1, opts, help);
	if (first + 1 != argc || u64_parse(argv[first],
	    strlen(argv[first]), &idx) != LD_OK)
		cli_usage(help);
	path = xasprintf("%s/%llu", route, (unsigned long long)idx);
	rc = get_text(server, cacert, path, accept, &b);
	if (rc == CLI_EXIT_OK)
		fwrite(b.p, 1, b.len, stdout);
	free(path);
	buf_free(&b);
	return rc;
}
