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
 *
 * Contract. A struct fetch (fetch_open, freed by fetch_close with any
 * requests still in flight) owns its own libevent base and connections:
 * one thread at a time per struct fetch; separate ones may run on
 * separate threads. fetch_open ignores SIGPIPE for the whole process. A
 * response is plain data: status 0 and a reason in error on a transport
 * failure, else the HTTP status (any, 4xx and 5xx included: the caller
 * judges it), Content-Type, Retry-After (under an hour) and the body.
 * Out of memory exits.
 */
#ifndef FETCH_H
#define FETCH_H

#include <stddef.h>

#include "buf.h"

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
 * in err (errlen bytes), and *out NULL. timeout_secs <= 0 means 60.
 * Nothing is connected yet. The url is copied.
 */
int	fetch_open(const char *url, const char *cacert, int timeout_secs,
	    char *err, size_t errlen, struct fetch **out);
/* Close connections, drop in-flight requests without calling their done
 * callbacks, free f; NULL is a no-op. */
void	fetch_close(struct fetch *);
/* The url as given to fetch_open, owned by f (valid until fetch_close). */
const char *fetch_url(struct fetch *);
/* 1 if a secret may travel to this server: https, or a loopback host
 * (127.0.0.0/8, ::1 or "localhost"). */
int	fetch_confidential(struct fetch *);
/* The largest response body accepted for requests started from now on
 * (default FETCH_MAX_BODY). */
void	fetch_set_max_body(struct fetch *, size_t max);

/*
 * Start a request (method "GET" or "POST"); headers may be NULL. body is
 * copied, and so are the header strings. done runs inside fetch_wait;
 * resp is valid during the call only (to keep the body, move resp->body
 * out and zero it: what is left is freed after done returns). LD_OK,
 * LD_EBUSY when FETCH_MAX_INFLIGHT requests are in flight, LD_ENET if
 * the request cannot be sent (done is then never called).
 */
int	fetch_start(struct fetch *, const char *method, const char *path,
	    const char *ctype, const char *accept, const char *auth,
	    const void *body, size_t len, fetch_done_fn *done, void *arg);
/* Run until at least one request completes (or none is in flight),
 * calling the done callbacks of those that did. */
void	fetch_wait(struct fetch *);
/* Requests started and not yet completed. */
size_t	fetch_inflight(struct fetch *);

/* Blocking forms, waiting for a free slot first (fetch_wait, which also
 * completes the other requests in flight). resp is zeroed first and is
 * the caller's: free it with fetch_resp_free in every case. LD_OK for
 * any HTTP answer (check resp->status), LD_ENET on a transport failure
 * (resp->error says why). */
int	fetch_get(struct fetch *, const char *path, const char *accept,
	    struct fetch_resp *resp);
int	fetch_post(struct fetch *, const char *path, const char *ctype,
	    const char *accept, const char *auth, const void *body, size_t len,
	    struct fetch_resp *resp);
void	fetch_resp_free(struct fetch_resp *);

#endif /* FETCH_H */
