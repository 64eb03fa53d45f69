/* conn.h - every client connection: the limit and the request deadline. */
#ifndef CONN_H
#define CONN_H

#include <stdint.h>

struct conns;
struct event_base;
struct evhttp;
struct evhttp_request;
struct evconnlistener;

/*
 * Track every connection evh accepts from now on: at most max open (the
 * listener set with conns_set_listener pauses at the limit), and each
 * whole request within timeout_s of the connection opening or of its
 * previous reply, else the connection is closed.
 */
struct conns	*conns_new(struct event_base *, struct evhttp *evh,
		    uint64_t max, unsigned timeout_s);
/* The listener to pause at the limit, or NULL once it is gone. */
void		 conns_set_listener(struct conns *, struct evconnlistener *);
/* A whole request arrived: no deadline until its reply is sent. */
void		 conns_request(struct conns *, struct evhttp_request *);
/*
 * The cap on request bodies (conn.c says how they are reserved): a body
 * whose reservation would take the sum past held_max is answered with
 * reply (a whole raw HTTP response, kept by the caller) and closed.
 * small is the longest header block (evhttp's limit), max_body the
 * largest body evhttp reads. No cap until this is called.
 */
void		 conns_set_refusal(struct conns *, uint64_t held_max,
		    uint64_t small, uint64_t max_body, const char *reply,
		    size_t len);
uint64_t	 conns_held(const struct conns *);	/* bytes now */
uint64_t	 conns_reserved(const struct conns *);	/* for bodies */
uint64_t	 conns_refusals(const struct conns *);	/* 503s so far */
uint64_t	 conns_open(const struct conns *);
uint64_t	 conns_timeouts(const struct conns *);	/* closed for it */
int		 conns_accepting(const struct conns *);
/* After evhttp_free: let go of the connections' last references. */
void		 conns_free(struct conns *);

#endif /* CONN_H */
