/* fetch.h - a small HTTP/1.1 client over libevent for the CLIs. */
/*
 * One struct fetch talks to one server (http[s]://host:port[/prefix]) over
 * a pool of keep-alive connections, so several requests can be in flight.
 * Requests are started with fetch_start and completed in fetch_wait;
 * fetch_get/fetch_post are the blocking one-request forms. Transport
 * failures are LD_ENET with a reason in resp->error.
 *
 * https verifies the server's certificate chain (against --cacert or the
 * system store) and that it names the URL's host; a refused certificate
 * is a transport failure whose reason says why. Every request has a
 * maximum body size (fetch_set_max_body): a Content-Length over it, or a
 * body that grows past it, fails the request before the excess is read.
 */
#ifndef FETCH_H
#define FETCH_H

#include <stddef.h>

#include "util.h"

#define FETCH_MAX_INFLIGHT	16
#define FETCH_MAX_BODY		(256u << 20)

struct fetch;

struct fetch_resp {
	int		status;		/* HTTP status, 0 on transport failure */
	struct buf	body;
	char		ctype[64];
	int		retry_after;	/* seconds, or 0 */
	char		error[384];	/* transport failure, if any */
};

typedef void fetch_done_fn(void *arg, struct fetch_resp *resp);

/*
 * Parse url, http[s]://host[:port][/prefix] (host a name, an IPv4
 * address or a bracketed IPv6 one). For https, cacert names a PEM file
 * of the only CA certificates to trust; NULL trusts the system's store.
 * LD_EINVAL for a malformed url or an unusable cacert, with the reason
 * in err (errlen bytes).
 */
int	fetch_open(const char *url, const char *cacert, int timeout_secs,
	    char *err, size_t errlen, struct fetch **out);
void	fetch_close(struct fetch *);
const char *fetch_url(struct fetch *);
/* 1 if a secret may travel to this server: https, or a loopback host
 * (127.0.0.0/8, ::1 or "localhost"). */
int	fetch_confidential(struct fetch *);
/* The largest response body accepted for requests started from now on
 * (default FETCH_MAX_BODY). */
void	fetch_set_max_body(struct fetch *, size_t max);

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
