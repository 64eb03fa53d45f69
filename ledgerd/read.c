/* read.c - the read path: tiles, proofs, entries, lookups, totals. */
#include <string.h>

#include "http.h"
#include "read.h"

int
read_handle(struct ledgerd *ld, struct http_req *req, const char *path)
{
	(void)ld;
	if (strcmp(path, "/healthz") == 0) {
		http_reply(req, 200, "text/plain; charset=utf-8", "ok\n", 3);
		return 1;
	}
	return 0;
}
