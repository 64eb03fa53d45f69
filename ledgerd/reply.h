/* reply.h - replies as bytes: the error table, error bodies, receipts. */
/*
 * Rendering only: no HTTP calls and no threads. The handlers (api.c,
 * read.c, parse.c) send what is rendered here.
 */
#ifndef REPLY_H
#define REPLY_H

#include <stdint.h>

#include "buf.h"
#include "ledgerd.h"

struct core_job;

/* The HTTP status for an LD_* code (one table for every reply). */
int		 reply_status(int ld_err);
/* A short machine-readable error name for an LD_* code. */
const char	*reply_error_name(int ld_err);
/*
 * Build an error body {error, message, ...} as JSON or msgpack into b;
 * pos and index are omitted when negative / NO_INDEX.
 */
void		 reply_error_body(struct buf *b, int json, int ld_err,
		    const char *rule, const char *msg, long pos, uint64_t index);
/*
 * A finished job's reply into out (JSON or msgpack) from its result
 * alone (no store): the receipts at j->res.cp, or its refusal. Returns
 * the HTTP status and sets *ctype (a static string). Any thread.
 */
int		 reply_job(const struct core_job *, int json, struct buf *out,
		    const char **ctype);

#endif /* REPLY_H */
