/* api.h - HTTP routes: request parsing, the error table, replies. */
#ifndef API_H
#define API_H

#include "ledgerd.h"
#include "util.h"

struct http_req;

/* Route one request (event-loop thread). */
void	api_handle(struct ledgerd *, struct http_req *);
/* The HTTP status for an LD_* code (one table for every reply). */
int	api_status(int ld_err);
/* A short machine-readable error name for an LD_* code. */
const char *api_error_name(int ld_err);
/* Reply with an error now (loop thread only). */
void	api_fail(struct http_req *, int json, int ld_err, const char *rule,
	    long pos, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/*
 * Build an error body {error, message, ...} as JSON or msgpack into b;
 * pos and index are omitted when negative / NO_INDEX.
 */
void	api_error_body(struct buf *b, int json, int ld_err, const char *rule,
	    const char *msg, long pos, uint64_t index);

#endif /* API_H */
