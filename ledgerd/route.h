/* route.h - the route table: dispatch, per-route metrics, 404. */
/*
 * Every route of ledgerd is one row of route.c's table: method, path
 * (exact or a prefix), handler, metric label, cache policy (the
 * Cache-Control of its 200 replies, or the handler's). A new route is
 * one row.
 * Event-loop thread only.
 */
#ifndef ROUTE_H
#define ROUTE_H

#include "buf.h"
#include "ledgerd.h"

struct httpd_req;

/* Answer one request: its row's handler, or 404 (httpd_open's handle). */
void	route_dispatch(struct ledgerd *, struct httpd_req *);
/* Count a reply sent for uri (the raw request URI) by its route label. */
void	route_count(const char *uri, int status);
/* The ledger_http_requests_total lines, by label and status. */
void	route_metrics(struct buf *out);

#endif /* ROUTE_H */
