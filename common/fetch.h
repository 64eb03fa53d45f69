/* fetch.h - a small HTTP/1.1 client over libevent for the CLIs. */
/*
 * One struct fetch talks to one server (http://host:port[/prefix]) over a
 * pool of keep-alive connections, so several requests can be in flight.
 * Requests are started with fetch_start and completed in fetch_wait;
 * fetch_get/fetch_post are the blocking one-request forms. Transport
 * failures are LD_ENET with a reason in resp->error.
 */
#ifndef FETCH_H
#define FETCH_H

#include <stddef.h>

#include "util.h"

#define FETCH_MAX_INFLIGHT	16

struct fetch;

struct fetch_resp {
	int		status;		/* HTTP status, 0 on transport failure */
	struct buf	body;
	char		ctype[64];
	int		retry_after;	/* seconds, or 0 */
	char		error[384];	/* transport failure, if any */
};

typedef void fetch_done_fn(void *arg, struct fetch_resp *resp);

/* Parse url; LD_EINVAL for anything but http://host[:port][/prefix]. */
int	fetch_open(const char *url, int timeout_secs, struct fetch **);
void	fetch_close(struct fetch *);
const char *fetch_url(struct fetch *);

/*
 * Start a request (method "GET" or "POST"); headers may be NULL. body is
 * copied. done runs inside fetch_wait; resp is valid during the call
 * only. LD_EBUSY when FETCH_MAX_INFLIGHT requests are in flight.
 */
int	fetch_start(struct fetch *, const char *method, const char *path,
	    const char *ctype, const char *accept, const char *auth,
	    const void *body, size_t len, fetch_done_fn *done, void *arg);
/* Run until at least one request completes (or none is in flight). */
void	fetch_wait(struct fetch *);
size_t	fetch_inflight(struct fetch *);

/* Blocking forms; resp must be freed with fetch_resp_free. */
int	fetch_get(struct fetch *, const char *path, const char *accept,
	    struct fetch_resp *resp);
int	fetch_post(struct fetch *, const char *path, const char *ctype,
	    const char *accept, const char *auth, const void *body, size_t len,
	    struct fetch_resp *resp);
void	fetch_resp_free(struct fetch_resp *);

#endif /* FETCH_H */
