/* route.c - the route table: dispatch, per-route metrics, 404 and 405. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "buf.h"
#include "cp.h"
#include "err.h"
#include "httpd.h"
#include "metrics.h"
#include "read.h"
#include "route.h"
#include "seq.h"
#include "witness.h"

static void	get_metrics(struct ledgerd *, struct httpd_req *, const char *);

struct route {
	const char	*method;	/* "GET" (HEAD too) or "POST" */
	int		 prefix;	/* path is a prefix of the request's */
	const char	*path;
	/* One of: */
	void		(*fn)(struct ledgerd *, struct httpd_req *,
			    const char *path);
	read_fn		*read;		/* in a read transaction (read_run) */
	const char	*label;		/* route="..." in /metrics */
	const char	*cache;		/* Cache-Control of its 200 replies, or
					 * NULL: the handler's (per request) */
};

#define NO_STORE	"no-store"
#define IMMUTABLE	"public, max-age=31536000, immutable"

/*
 * The labels appear in /metrics in the order of their first row (see
 * label_of for which label a reply counts under).
 */
static const struct route routes[] = {
	{ "POST", 0, "/v1/submit",	api_submit, NULL, "submit", NULL },
	{ "POST", 0, "/v1/admin/issuers", api_issuers, NULL, "admin", NULL },
	{ "POST", 0, "/v1/admin/methods", api_methods, NULL, "admin", NULL },
	{ "GET",  0, "/checkpoint",	api_checkpoint, NULL, "checkpoint",
	    NO_STORE },
	/* A tile's content never changes, partial ones included. */
	{ "GET",  1, "/tile/",		NULL, read_tile, "tile", IMMUTABLE },
	{ "GET",  0, "/v1/proof/inclusion", NULL, read_inclusion, "proof",
	    NULL },
	{ "GET",  0, "/v1/proof/consistency", NULL, read_consistency, "proof",
	    NULL },
	{ "GET",  1, "/v1/entries/",	NULL, read_entry, "entries", NULL },
	{ "GET",  1, "/v1/receipt/",	NULL, read_receipt, "receipt",
	    NO_STORE },
	{ "GET",  0, "/v1/lookup",	NULL, read_lookup, "lookup", NULL },
	{ "GET",  1, "/v1/accounts/",	NULL, read_account, "accounts", NULL },
	{ "GET",  0, "/v1/issuers",	NULL, read_issuers, "issuers", NULL },
	{ "GET",  1, "/v1/issuers/",	NULL, read_issuer, "issuers", NULL },
	{ "GET",  0, "/v1/totals",	NULL, read_totals, "totals", NULL },
	{ "GET",  0, "/v1/methods",	NULL, read_methods, "methods", NULL },
	{ "GET",  0, "/healthz",	NULL, read_health, "healthz", NO_STORE },
	{ "GET",  0, "/metrics",	get_metrics, NULL, "metrics", NO_STORE },
};
#define NROUTES		(sizeof(routes) / sizeof(routes[0]))

static const int statuses[] = { 200, 400, 401, 404, 405, 409, 413, 422,
    500, 503, 507, 0 };
#define NSTATUSES	(sizeof(statuses) / sizeof(statuses[0]))
/* By the first row of each label; [NROUTES] is "other". */
static uint64_t	req_count[NROUTES + 1][NSTATUSES];

void
route_dispatch(struct ledgerd *ld, struct httpd_req *req)
{
	const struct route	*r;
	const char		*m = httpd_method(req), *path = httpd_path(req);
	char			 allow[16];
	int			 get = strcmp(m, "GET") == 0 ||
				    strcmp(m, "HEAD") == 0;
	size_t			 i;

	if (path == NULL) {
		api_fail(req, 1, LD_EINVAL, "path", -1, "the path does not "
		    "decode");
		return;
	}
	/*
	 * Two lengths make the body's end ambiguous (request smuggling
	 * through a proxy that reads the other one): refuse, and close.
	 */
	if (httpd_header_count(req, "Content-Length") > 1) {
		httpd_set_header(req, "Connection", "close");
		api_fail(req, 1, LD_EINVAL, "content-length", -1,
		    "more than one Content-Length header");
		return;
	}
	allow[0] = '\0';
	for (i = 0; i < NROUTES; i++) {
		r = &routes[i];
		if (r->prefix ? strncmp(path, r->path, strlen(r->path)) != 0 :
		    strcmp(path, r->path) != 0)
			continue;
		if (r->method[0] == 'G' ? !get : strcmp(m, r->method) != 0) {
			/* The path is known: say which methods it takes. */
			snprintf(allow, sizeof(allow), "%s",
			    r->method[0] == 'G' ? "GET, HEAD" : r->method);
			continue;
		}
		if (r->cache != NULL)
			httpd_cache_ok(req, r->cache);
		if (r->read != NULL)
			read_run(ld, req, path, r->read);
		else
			r->fn(ld, req, path);
		return;
	}
	if (allow[0] != '\0') {
		httpd_set_header(req, "Allow", allow);
		api_fail(req, 1, LD_EMETHOD, "method", -1, "%s takes %s, not %s",
		    path, allow, m);
		return;
	}
	api_fail(req, 1, LD_ENOTFOUND, "route", -1, "no route for %s %s", m,
	    path);
}

/*
 * The row counting for uri: among the first rows of each label, the first
 * whose paths' common prefix (that of all the rows of its label) starts
 * uri, e.g. "/v1/proof/" for the two proofs; else "other".
 */
static size_t
label_of(const char *uri)
{
	static size_t	plen[NROUTES];	/* 0: not the first of its label */
	static int	ready;
	size_t		i, k, n;

	if (!ready) {
		for (i = 0; i < NROUTES; i++) {
			for (k = 0; strcmp(routes[k].label,
			    routes[i].label) != 0; k++)
				;
			if (k == i) {
				plen[i] = strlen(routes[i].path);
				continue;
			}
			for (n = 0; n < plen[k] &&
			    routes[i].path[n] == routes[k].path[n]; n++)
				;
			plen[k] = n;
		}
		ready = 1;
	}
	for (i = 0; uri != NULL && i < NROUTES; i++)
		if (plen[i] != 0 && strncmp(uri, routes[i].path, plen[i]) == 0)
			return i;
	return NROUTES;
}

void
route_count(const char *uri, int status)
{
	size_t	k;

	for (k = 0; k < NSTATUSES - 1 && statuses[k] != status; k++)
		;
	req_count[label_of(uri)][k]++;
}

void
route_metrics(struct buf *out)
{
	size_t	r, k;

	buf_printf(out, "# HELP ledger_http_requests_total Requests answered, "
	    "by route and status (0 = other).\n# TYPE ledger_http_requests_total"
	    " counter\n");
	for (r = 0; r <= NROUTES; r++)
		for (k = 0; k < NSTATUSES; k++)
			if (req_count[r][k] != 0)
				buf_printf(out, "ledger_http_requests_total{route="
				    "\"%s\",status=\"%d\"} %llu\n", r < NROUTES ?
				    routes[r].label : "other", statuses[k],
				    (unsigned long long)req_count[r][k]);
}

/* GET /metrics: the writer's and store's, the routes', the connections'. */
static void
get_metrics(struct ledgerd *ld, struct httpd_req *req, const char *path)
{
	struct cp	*cp = cp_get(ld);
	struct buf	 b = { 0 };

	(void)path;
	metrics_render(ld, cp, seq_queued(ld->seq), &b);
	cp_put(cp);
	route_metrics(&b);
	if (ld->wit != NULL)
		witness_metrics(ld->wit, &b);
	httpd_metrics(ld->http, &b);
	httpd_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", b.p,
	    b.len);
	buf_free(&b);
}
