/* httpd.h - an HTTP server on libevent's evhttp: listener, requests, replies. */
/*
 * With conn.c (the connection limit and deadlines), the only server code
 * that includes <event2/...>; ledgerd and ledger-audit's witness both
 * serve through it. One event loop on the calling thread serves every
 * request; work finished on other threads comes back through
 * httpd_call, which is thread-safe, and is answered on the loop. What a
 * request means is the caller's: httpd_open takes its hooks and an
 * opaque context, so this file knows no route.
 */
#ifndef HTTPD_H
#define HTTPD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct httpd;		/* the server */
struct httpd_req;	/* an evhttp_request */
struct httpd_body;	/* a request body moved out of its request */

/* What the loop calls in the layer above (on the loop thread); ctx is
 * httpd_open's. replied, drain and idle may be NULL (idle: always). */
struct httpd_hooks {
	void	(*handle)(void *ctx, struct httpd_req *);	/* answer */
	void	(*replied)(const char *uri, int status);	/* count */
	void	(*drain)(void *ctx);	/* stopping: take no more */
	int	(*idle)(void *ctx);	/* nothing left to answer */
};

/* The server's limits (see ledgerd.h for ledgerd's defaults). */
struct httpd_config {
	const char	*listen;	/* HOST:PORT; port 0 picks one */
	uint64_t	 max_conns;	/* lowered to the fd limit less 64 */
	unsigned	 request_timeout; /* seconds to deliver a request */
	unsigned	 io_timeout;	/* seconds per read or write */
	uint64_t	 max_buffered;	/* bytes of bodies held at once */
	size_t		 max_headers;	/* bytes of a header block */
	size_t		 max_body;	/* bytes of one body */
	/* The JSON body of the 503 sent at max_buffered (copied). */
	const char	*refusal_json;
};

/*
 * Bind cfg->listen and prepare the loop (the caller's thread runs it);
 * LD_EINVAL for a bad HOST:PORT, LD_ESYS with a logged reason. One server
 * per process (the loop-thread accessors share it).
 */
int	httpd_open(const struct httpd_config *cfg, const struct httpd_hooks *,
	    void *ctx, struct httpd **);
/* Run until SIGTERM/SIGINT, then drain: stop accepting, call the drain
 * hook, wait for idle and flush the replies, return. */
int	httpd_run(struct httpd *);
void	httpd_free(struct httpd *);
/* The bound port (for tests that listen on port 0). */
int	httpd_port(struct httpd *);
/* The connection limit in force (cfg's, or lowered to the fd limit). */
uint64_t httpd_max_conns(struct httpd *);

const char	*httpd_method(struct httpd_req *);	/* "GET", "POST", ... */
/* The decoded path, without query; NULL if it does not decode. */
const char	*httpd_path(struct httpd_req *);
const char	*httpd_query(struct httpd_req *);		/* raw, or NULL */
const char	*httpd_header(struct httpd_req *, const char *name);
/* How many times the request carries header name (any case). */
size_t		 httpd_header_count(struct httpd_req *, const char *name);
size_t		 httpd_body_len(struct httpd_req *);
/* Copy the body (at most max bytes) into b without flattening it. */
int		 httpd_body(struct httpd_req *, struct buf *b, size_t max);
/*
 * Move the body (at most max bytes, else LD_ETOOBIG) out of the request
 * without copying it, for another thread: httpd_body_flat copies it into
 * b, httpd_body_free frees it (one thread at a time, any thread).
 */
int		 httpd_body_take(struct httpd_req *, size_t max,
		    struct httpd_body **);
void		 httpd_body_flat(struct httpd_body *, struct buf *b);
void		 httpd_body_free(struct httpd_body *);
int		 httpd_peer_loopback(struct httpd_req *);
/* Whether the client prefers JSON (Accept or Content-Type). */
int		 httpd_wants_json(struct httpd_req *);

void	httpd_set_header(struct httpd_req *, const char *name, const char *val);
/* The Cache-Control header of the request's reply if it is a 200 sent
 * on the loop thread (a static string; route.c's cache column). */
void	httpd_cache_ok(struct httpd_req *, const char *cache_control);
/* Reply now (loop thread only). */
void	httpd_reply(struct httpd_req *, int status, const char *ctype,
	    const void *body, size_t len);
/*
 * Run fn(arg) on the loop thread soon (in the order of the calls); any
 * thread. How work done elsewhere gets answered: fn replies there.
 */
void	httpd_call(struct httpd *, void (*fn)(void *), void *arg);

/* The connection gauges and counters for /metrics. */
uint64_t	httpd_open_conns(struct httpd *);
void		httpd_metrics(struct httpd *, struct buf *out);

#endif /* HTTPD_H */
