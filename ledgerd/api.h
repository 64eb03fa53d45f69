/* api.h - the write routes (submit, admin) and the checkpoint. */
#ifndef API_H
#define API_H

#include "ledgerd.h"
#include "util.h"

struct http_req;

/* Route one request (event-loop thread). */
void	api_handle(struct ledgerd *, struct http_req *);
/* Reply with an error now (loop thread only). */
void	api_fail(struct http_req *, int json, int ld_err, const char *rule,
	    long pos, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif /* API_H */
