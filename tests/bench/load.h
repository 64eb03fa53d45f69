/* load.h - a loopback HTTP load generator and a null route, over libevent. */
/*
 * load_run drives N keep-alive connections to 127.0.0.1:port, one request
 * in flight on each, for a fixed time: a callback supplies every request
 * (pre-built bodies are sent by reference, not copied), each response is
 * read to its end (Content-Length), and the latency of each is recorded.
 * It reports requests/s and p50/p99 over the requests that completed in
 * the measured time. In-flight requests at the deadline are then let
 * finish (bounded), so the server is idle when load_run returns.
 *
 * null_start runs an evhttp server, set up as common/httpd.c sets up
 * its own, on a thread of the bench: any request gets a fixed 100-byte
 * body. It is the limit "the same libevent server, doing nothing else".
 */
#ifndef LOAD_H
#define LOAD_H

#include <stddef.h>
#include <stdint.h>

struct load_req {
	char		 head[1024];	/* request line and headers */
	size_t		 head_len;
	const void	*body;		/* sent by reference: keep it valid */
	size_t		 body_len;
};

/* Fill r for connection conn. Return 0, or -1 when this connection has
 * nothing more to send (the run ends early when all have stopped). */
typedef int load_gen_fn(void *arg, unsigned conn, struct load_req *r);

struct load_result {
	uint64_t	requests;	/* completed with a 2xx in time */
	uint64_t	errors;		/* non-2xx replies or transport errors */
	uint64_t	bytes_in;	/* response bytes (headers and bodies) */
	double		seconds;	/* measured time */
	double		rps;
	double		p50_ms, p99_ms, max_ms;
	int		bad_status;	/* the first non-2xx status, or 0 */
	int		exhausted;	/* the generator ran dry before time */
};

/* Build r->head: "METHOD path HTTP/1.1" with Host, Content-Length and,
 * when ctype is not NULL, Content-Type and extra (a full header line
 * without CRLF, or NULL). */
void	load_head(struct load_req *r, const char *method, const char *path,
	    const char *ctype, const char *extra, size_t body_len);

int	load_run(int port, unsigned nconns, double seconds, load_gen_fn *gen,
	    void *arg, struct load_result *res);

struct null_srv;
/* Start the null route on 127.0.0.1 (a free port). */
int	null_start(struct null_srv **, int *port);
void	null_stop(struct null_srv *);

#endif /* LOAD_H */
