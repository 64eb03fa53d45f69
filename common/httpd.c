/* httpd.c - the libevent evhttp adapter: listener, requests, replies. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/thread.h>

#include "buf.h"
#include "conn.h"
#include "err.h"
#include "httpd.h"
#include "log.h"
#include "u64.h"
#include "xmalloc.h"

/* A call handed over from another thread, to run on the loop. */
struct async_call {
	void			(*fn)(void *);
	void			*arg;
	struct async_call	*next;
};

struct httpd {
	void			*ctx;
	uint64_t		 max_conns;
	struct httpd_hooks	 hooks;		/* the layer above */
	struct conns		*conns;		/* the limit and deadlines */
	struct event_base	*base;
	struct evhttp		*evh;
	struct evhttp_bound_socket *bound;
	struct event		*ev_term, *ev_int, *ev_async, *ev_drain;
	int			 port;
	int			 stopping;

	pthread_mutex_t		 mu;
	struct async_call	*head, **tail;

	/* Loop-thread caches for the request being handled. */
	struct evhttp_request	*cache_req;
	char			*path;
	struct evkeyvalq	 params;
	int			 params_ok;
	const char		*ok_cache;	/* Cache-Control of a 200 */

	struct buf		 refusal;	/* the raw 503 at the cap */
};

static struct httpd	*the_http;	/* for the loop-thread accessors */

/* Forget the loop-thread caches of the request being handled. */
static void
cache_drop(struct httpd *h)
{
	free(h->path);
	h->path = NULL;
	if (h->params_ok)
		evhttp_clear_headers(&h->params);
	h->params_ok = 0;
	h->ok_cache = NULL;
	h->cache_req = NULL;
}

static void
dispatch(struct evhttp_request *req, void *arg)
{
	struct httpd	*h = arg;

	conns_request(h->conns, req);
	h->hooks.handle(h->ctx, (struct httpd_req *)req);
	/* Drop the per-request caches. */
	if (h->cache_req == req)
		cache_drop(h);
}

void
httpd_reply(struct httpd_req *r, int status, const char *ctype,
    const void *body, size_t len)
{
	struct evhttp_request	*req = (struct evhttp_request *)r;
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evbuffer		*eb = evbuffer_new();

	if (eb == NULL)
		fatalx("out of memory (evbuffer_new)");
	if (status == 200 && the_http != NULL && the_http->cache_req == req &&
	    the_http->ok_cache != NULL)
		evhttp_add_header(out, "Cache-Control", the_http->ok_cache);
	if (ctype != NULL)
		evhttp_add_header(out, "Content-Type", ctype);
	if (len)
		evbuffer_add(eb, body, len);
	if (the_http != NULL && the_http->hooks.replied != NULL)
		the_http->hooks.replied(evhttp_request_get_uri(req), status);
	evhttp_send_reply(req, status, NULL, eb);
	evbuffer_free(eb);
}

void
httpd_call(struct httpd *h, void (*fn)(void *), void *arg)
{
	struct async_call	*a = xcalloc(1, sizeof(*a));

	a->fn = fn;
	a->arg = arg;
	pthread_mutex_lock(&h->mu);
	*h->tail = a;
	h->tail = &a->next;
	pthread_mutex_unlock(&h->mu);
	event_active(h->ev_async, EV_READ, 0);
}

static void
on_async(evutil_socket_t fd, short what, void *arg)
{
	struct httpd		*h = arg;
	struct async_call	*a, *next;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&h->mu);
	a = h->head;
	h->head = NULL;
	h->tail = &h->head;
	pthread_mutex_unlock(&h->mu);
	for (; a != NULL; a = next) {
		next = a->next;
		a->fn(a->arg);
		free(a);
	}
}

/* While draining: exit once the sequencer is idle and replies are out. */
static void
on_drain(evutil_socket_t fd, short what, void *arg)
{
	struct httpd	*h = arg;
	struct timeval	 tv = { 0, 200000 };
	int		 empty;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&h->mu);
	empty = h->head == NULL;
	pthread_mutex_unlock(&h->mu);
	if (empty && (h->hooks.idle == NULL || h->hooks.idle(h->ctx))) {
		/* A last turn of the loop to flush what was just sent. */
		event_base_loopexit(h->base, &tv);
		return;
	}
	tv.tv_usec = 20000;
	evtimer_add(h->ev_drain, &tv);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct httpd	*h = arg;
	struct timeval	 tv = { 0, 0 };

	(void)what;
	if (h->stopping)
		return;
	log_info("signal %d: draining and stopping", (int)sig);
	h->stopping = 1;
	if (h->bound != NULL) {
		conns_set_listener(h->conns, NULL);
		evhttp_del_accept_socket(h->evh, h->bound);
		h->bound = NULL;
	}
	if (h->hooks.drain != NULL)
		h->hooks.drain(h->ctx);
	evtimer_add(h->ev_drain, &tv);
}

/*
 * Bind and listen with a deep backlog (evhttp_bind_socket uses 128, and a
 * burst of connections then waits on SYN retransmits).
 */
static struct evhttp_bound_socket *
listen_on(struct evhttp *evh, const char *host, uint16_t port)
{
	struct evutil_addrinfo	 hints, *ai = NULL;
	char			 portstr[8];
	evutil_socket_t		 fd;
	int			 one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = EVUTIL_AI_PASSIVE;
	snprintf(portstr, sizeof(portstr), "%u", port);
	if (evutil_getaddrinfo(host, portstr, &hints, &ai) != 0 || ai == NULL)
		return NULL;
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	/*
	 * TCP_NODELAY is inherited by accepted sockets on Linux: replies go
	 * out at once instead of waiting on Nagle and delayed ACKs (40 ms a
	 * request for a client that reads many small tiles in a row).
	 */
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 || setsockopt(fd, IPPROTO_TCP, TCP_NODELAY,
	    &one, sizeof(one)) != 0 || bind(fd, ai->ai_addr,
	    (socklen_t)ai->ai_addrlen) != 0 || listen(fd, 4096) != 0 ||
	    evutil_make_socket_nonblocking(fd) != 0 ||
	    evutil_make_socket_closeonexec(fd) != 0) {
		if (fd >= 0)
			close(fd);
		evutil_freeaddrinfo(ai);
		return NULL;
	}
	evutil_freeaddrinfo(ai);
	return evhttp_accept_socket_with_handle(evh, fd);
}

/* The reply to a request refused at the cap on bytes held (conn.c). */
static void
refusal_make(struct buf *out, const char *json)
{
	size_t	len = strlen(json);

	buf_printf(out, "HTTP/1.1 503 Service Unavailable\r\n"
	    "Content-Type: application/json\r\nRetry-After: 1\r\n"
	    "Connection: close\r\nContent-Length: %zu\r\n\r\n", len);
	buf_add(out, json, len);
}

int
httpd_open(const struct httpd_config *cfg, const struct httpd_hooks *hooks,
    void *ctx, struct httpd **out)
{
	struct httpd		*h = xcalloc(1, sizeof(*h));
	struct sockaddr_storage	 ss;
	struct rlimit		 rl;
	socklen_t		 slen = sizeof(ss);
	char			*host, *colon;
	uint64_t		 port;

	h->max_conns = cfg->max_conns;
	if (evthread_use_pthreads() != 0)
		fatalx("evthread_use_pthreads failed");
	/* Room for many idle connections: the soft limit up to the hard. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 128 &&
	    h->max_conns > rl.rlim_cur - 64)
		h->max_conns = rl.rlim_cur - 64;
	signal(SIGPIPE, SIG_IGN);
	h->ctx = ctx;
	h->hooks = *hooks;
	pthread_mutex_init(&h->mu, NULL);
	h->tail = &h->head;
	host = xstrdup(cfg->listen);
	colon = strrchr(host, ':');
	if (colon == NULL || u64_parse(colon + 1, strlen(colon + 1), &port) ||
	    port > 65535) {
		log_warnx("--listen must be HOST:PORT, not %s", cfg->listen);
		free(host);
		free(h);
		return LD_EINVAL;
	}
	*colon = '\0';
	if ((h->base = event_base_new()) == NULL ||
	    (h->evh = evhttp_new(h->base)) == NULL)
		fatalx("libevent initialisation failed");
	evhttp_set_max_headers_size(h->evh, cfg->max_headers);
	evhttp_set_max_body_size(h->evh, cfg->max_body);
	evhttp_set_timeout(h->evh, (int)cfg->io_timeout);
	evhttp_set_allowed_methods(h->evh, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
	evhttp_set_default_content_type(h->evh, "text/plain; charset=utf-8");
	evhttp_set_gencb(h->evh, dispatch, h);
	h->bound = listen_on(h->evh, host, (uint16_t)port);
	if (h->bound == NULL) {
		log_warn("cannot listen on %s", cfg->listen);
		free(host);
		evhttp_free(h->evh);
		event_base_free(h->base);
		free(h);
		return LD_ESYS;
	}
	free(host);
	if (getsockname(evhttp_bound_socket_get_fd(h->bound),
	    (struct sockaddr *)&ss, &slen) == 0)
		h->port = ntohs(ss.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&ss)->sin6_port :
		    ((struct sockaddr_in *)&ss)->sin_port);
	h->ev_term = evsignal_new(h->base, SIGTERM, on_signal, h);
	h->ev_int = evsignal_new(h->base, SIGINT, on_signal, h);
	h->ev_async = event_new(h->base, -1, 0, on_async, h);
	h->ev_drain = evtimer_new(h->base, on_drain, h);
	h->conns = conns_new(h->base, h->evh, h->max_conns,
	    cfg->request_timeout);
	conns_set_listener(h->conns, evhttp_bound_socket_get_listener(h->bound));
	refusal_make(&h->refusal, cfg->refusal_json);
	conns_set_refusal(h->conns, cfg->max_buffered, cfg->max_headers,
	    cfg->max_body, (const char *)h->refusal.p, h->refusal.len);
	if (!h->ev_term || !h->ev_int || !h->ev_async || !h->ev_drain ||
	    evsignal_add(h->ev_term, NULL) || evsignal_add(h->ev_int, NULL))
		fatalx("libevent: cannot set up events");
	the_http = h;
	*out = h;
	return LD_OK;
}

int
httpd_port(struct httpd *h)
{
	return h->port;
}

uint64_t
httpd_max_conns(struct httpd *h)
{
	return h->max_conns;
}

int
httpd_run(struct httpd *h)
{
	return event_base_dispatch(h->base) < 0 ? LD_ESYS : LD_OK;
}

void
httpd_free(struct httpd *h)
{
	if (h == NULL)
		return;
	on_async(-1, 0, h);
	event_free(h->ev_term);
	event_free(h->ev_int);
	event_free(h->ev_async);
	event_free(h->ev_drain);
	evhttp_free(h->evh);
	conns_free(h->conns);
	buf_free(&h->refusal);
	event_base_free(h->base);
	pthread_mutex_destroy(&h->mu);
	free(h);
	the_http = NULL;
}

/* Make the caches belong to r. */
static void
cache_for(struct evhttp_request *r)
{
	struct httpd	*h = the_http;

	if (h->cache_req == r)
		return;
	cache_drop(h);
	h->cache_req = r;
}

const char *
httpd_method(struct httpd_req *r)
{
	switch (evhttp_request_get_command((struct evhttp_request *)r)) {
	case EVHTTP_REQ_GET:	return "GET";
	case EVHTTP_REQ_POST:	return "POST";
	case EVHTTP_REQ_HEAD:	return "HEAD";
	case EVHTTP_REQ_OPTIONS: return "OPTIONS";
	default:		return "OTHER";
	}
}

const char *
httpd_path(struct httpd_req *r)
{
	struct evhttp_request	*req = (struct evhttp_request *)r;
	const struct evhttp_uri	*u = evhttp_request_get_evhttp_uri(req);
	const char		*p;
	size_t			 len;

	cache_for(req);
	if (the_http->path != NULL)
		return the_http->path;
	if (u == NULL || (p = evhttp_uri_get_path(u)) == NULL)
		return NULL;
	the_http->path = evhttp_uridecode(p, 0, &len);
	if (the_http->path != NULL && strlen(the_http->path) != len) {
		free(the_http->path);	/* an encoded NUL */
		the_http->path = NULL;
	}
	return the_http->path;
}

const char *
httpd_query(struct httpd_req *r)
{
	const struct evhttp_uri	*u =
	    evhttp_request_get_evhttp_uri((struct evhttp_request *)r);

	return u ? evhttp_uri_get_query(u) : NULL;
}

const char *
httpd_header(struct httpd_req *r, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(
	    (struct evhttp_request *)r), name);
}

size_t
httpd_header_count(struct httpd_req *r, const char *name)
{
	struct evkeyvalq	*h = evhttp_request_get_input_headers(
	    (struct evhttp_request *)r);
	struct evkeyval		*kv;
	size_t			 n = 0;

	for (kv = h->tqh_first; kv != NULL; kv = kv->next.tqe_next)
		if (strcasecmp(kv->key, name) == 0)
			n++;
	return n;
}

size_t
httpd_body_len(struct httpd_req *r)
{
	return evbuffer_get_length(evhttp_request_get_input_buffer(
	    (struct evhttp_request *)r));
}

int
httpd_body(struct httpd_req *r, struct buf *b, size_t max)
{
	struct evbuffer	*eb = evhttp_request_get_input_buffer(
	    (struct evhttp_request *)r);
	size_t		 len = evbuffer_get_length(eb);

	if (len > max)
		return LD_ETOOBIG;
	buf_reserve(b, len);
	/* copyout walks the chain: no pullup of a large body. */
	if (evbuffer_copyout(eb, b->p + b->len, len) != (ev_ssize_t)len)
		return LD_ESYS;
	b->len += len;
	return LD_OK;
}

int
httpd_body_take(struct httpd_req *r, size_t max, struct httpd_body **out)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(
	    (struct evhttp_request *)r), *eb;

	if (evbuffer_get_length(in) > max)
		return LD_ETOOBIG;
	if ((eb = evbuffer_new()) == NULL)
		fatalx("out of memory (evbuffer_new)");
	/* Moves the chains: no copy on the event loop. */
	if (evbuffer_add_buffer(eb, in) != 0)
		fatalx("evbuffer_add_buffer failed");
	*out = (struct httpd_body *)eb;
	return LD_OK;
}

void
httpd_body_flat(struct httpd_body *hb, struct buf *b)
{
	struct evbuffer	*eb = (struct evbuffer *)hb;
	size_t		 len = evbuffer_get_length(eb);

	buf_reserve(b, len);
	if (evbuffer_remove(eb, b->p + b->len, len) != (int)len)
		fatalx("evbuffer_remove failed");
	b->len += len;
}

void
httpd_body_free(struct httpd_body *hb)
{
	if (hb != NULL)
		evbuffer_free((struct evbuffer *)hb);
}

int
httpd_peer_loopback(struct httpd_req *r)
{
	struct evhttp_connection *c = evhttp_request_get_connection(
	    (struct evhttp_request *)r);
	const struct sockaddr	*sa;

	if (c == NULL || (sa = evhttp_connection_get_addr(c)) == NULL)
		return 0;
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr)
		    >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
		    &((const struct sockaddr_in6 *)sa)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) &&
		    a->s6_addr[12] == 127);
	}
	return 0;
}

int
httpd_wants_json(struct httpd_req *r)
{
	const char	*a = httpd_header(r, "Accept");
	const char	*ct = httpd_header(r, "Content-Type");

	if (a != NULL && strstr(a, "application/json") != NULL)
		return 1;
	if (a != NULL && strstr(a, "application/msgpack") != NULL)
		return 0;
	return ct != NULL && strncmp(ct, "application/json", 16) == 0;
}

void
httpd_cache_ok(struct httpd_req *r, const char *cache_control)
{
	cache_for((struct evhttp_request *)r);
	the_http->ok_cache = cache_control;
}

void
httpd_set_header(struct httpd_req *r, const char *name, const char *val)
{
	evhttp_add_header(evhttp_request_get_output_headers(
	    (struct evhttp_request *)r), name, val);
}

uint64_t
httpd_open_conns(struct httpd *h)
{
	return conns_open(h->conns);
}

void
httpd_metrics(struct httpd *h, struct buf *out)
{
	buf_printf(out, "# HELP ledger_http_open_connections Open client "
	    "connections.\n# TYPE ledger_http_open_connections "
	    "gauge\nledger_http_open_connections %llu\n",
	    (unsigned long long)conns_open(h->conns));
	buf_printf(out, "# HELP ledger_http_request_timeouts_total Connections "
	    "closed for not delivering a whole request in time.\n# TYPE "
	    "ledger_http_request_timeouts_total counter\n"
	    "ledger_http_request_timeouts_total %llu\n",
	    (unsigned long long)conns_timeouts(h->conns));
	buf_printf(out, "# HELP ledger_http_buffered_bytes Bytes received for "
	    "requests not yet answered.\n# TYPE ledger_http_buffered_bytes "
	    "gauge\nledger_http_buffered_bytes %llu\n",
	    (unsigned long long)conns_held(h->conns));
	buf_printf(out, "# HELP ledger_http_reserved_bytes Bytes reserved for "
	    "the bodies being read (at most --max-buffered).\n# TYPE "
	    "ledger_http_reserved_bytes gauge\nledger_http_reserved_bytes "
	    "%llu\n", (unsigned long long)conns_reserved(h->conns));
	buf_printf(out, "# HELP ledger_http_buffered_refusals_total Requests "
	    "answered 503 at the cap on bytes held (--max-buffered).\n# TYPE "
	    "ledger_http_buffered_refusals_total counter\n"
	    "ledger_http_buffered_refusals_total %llu\n",
	    (unsigned long long)conns_refusals(h->conns));
	buf_printf(out, "# HELP ledger_http_accepting Whether the listener "
	    "accepts (0 at the connection limit).\n# TYPE ledger_http_accepting "
	    "gauge\nledger_http_accepting %d\n", conns_accepting(h->conns));
}
