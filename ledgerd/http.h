/* http.h - the libevent evhttp adapter: listener, requests, replies. */
/*
 * With conn.c, the only part of ledgerd that includes <event2/...>. One
 * event loop on the main thread serves every request; replies computed
 * elsewhere (the sequencer, the parser) come back through
 * http_reply_async, which is thread-safe. What a request means is the
 * layer above's: http_open takes its hooks (route.c, main.c), so this
 * file includes no handler's header.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ledgerd.h"

struct http_req;	/* an evhttp_request */
struct http_body;	/* a request body moved out of its request */

/* What the loop calls in the layer above (on the loop thread). */
struct http_hooks {
	void	(*handle)(struct ledgerd *, struct http_req *);	/* answer */
	void	(*replied)(const char *uri, int status);	/* count */
	void	(*drain)(struct ledgerd *);	/* stopping: take no more */
	int	(*idle)(struct ledgerd *);	/* nothing left to answer */
};

/* Bind host:port and prepare the loop; LD_ESYS with a logged reason. */
int	http_open(struct ledgerd *, const char *listen,
	    const struct http_hooks *, struct http **);
/* Run until SIGTERM/SIGINT, then drain: stop accepting, let the
 * sequencer finish, flush the replies, return. */
int	http_run(struct http *);
void	http_free(struct http *);
/* The bound port (for tests that listen on port 0). */
int	http_port(struct http *);

const char	*http_method(struct http_req *);	/* "GET", "POST", ... */
/* The decoded path, without query; NULL if it does not decode. */
const char	*http_path(struct http_req *);
const char	*http_query(struct http_req *);		/* raw, or NULL */
const char	*http_header(struct http_req *, const char *name);
/* How many times the request carries header name (any case). */
size_t		 http_header_count(struct http_req *, const char *name);
size_t		 http_body_len(struct http_req *);
/* Copy the body (at most max bytes) into b without flattening it. */
int		 http_body(struct http_req *, struct buf *b, size_t max);
/*
 * Move the body (at most max bytes, else LD_ETOOBIG) out of the request
 * without copying it, for another thread: http_body_flat copies it into
 * b, http_body_free frees it (one thread at a time, any thread).
 */
int		 http_body_take(struct http_req *, size_t max,
		    struct http_body **);
void		 http_body_flat(struct http_body *, struct buf *b);
void		 http_body_free(struct http_body *);
int		 http_peer_loopback(struct http_req *);
/* Whether the client prefers JSON (Accept or Content-Type). */
int		 http_wants_json(struct http_req *);

void	http_set_header(struct http_req *, const char *name, const char *val);
/* The Cache-Control header of the request's reply if it is a 200 sent
 * on the loop thread (a static string; route.c's cache column). */
void	http_cache_ok(struct http_req *, const char *cache_control);
/* Reply now (loop thread only). */
void	http_reply(struct http_req *, int status, const char *ctype,
	    const void *body, size_t len);
/* Reply from any thread; body is taken over (and freed). */
void	http_reply_async(struct http *, struct http_req *, int status,
	    const char *ctype, struct buf *body, int retry_after);

/* The connection gauges and counters for /metrics. */
uint64_t	http_open_conns(struct http *);
void		http_metrics(struct http *, struct buf *out);

#endif /* HTTP_H */
