/* load.c - a loopback HTTP load generator and a null route, over libevent. */
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
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>

#include "bench.h"
#include "load.h"

#define GRACE_NS	(10ULL * 1000000000ULL)	/* for in-flight requests */
#define MAX_HEAD	(64u << 10)

struct run;

struct conn {
	struct run		*run;
	unsigned		 id;
	struct bufferevent	*bev;
	int			 state;		/* 0 idle, 1 head, 2 body */
	int			 status;
	int			 close_after;
	int			 fails;		/* consecutive connect errors */
	size_t			 clen;
	uint64_t		 t_sent;
	struct load_req		 req;
};

struct run {
	struct event_base	*base;
	struct sockaddr_in	 sa;
	struct conn		*conns;
	unsigned		 n, active;
	load_gen_fn		*gen;
	void			*arg;
	uint64_t		 t0, deadline, last_done;
	int			 stopping;
	uint32_t		*lat;		/* microseconds */
	size_t			 nlat, cap;
	struct load_result	*res;
};

static void	conn_open(struct conn *);

void
load_head(struct load_req *r, const char *method, const char *path,
    const char *ctype, const char *extra, size_t body_len)
{
	int	n;

	if (ctype != NULL)
		n = snprintf(r->head, sizeof(r->head), "%s %s HTTP/1.1\r\n"
		    "Host: 127.0.0.1\r\nContent-Type: %s\r\n%s%s"
		    "Content-Length: %zu\r\n\r\n", method, path, ctype,
		    extra ? extra : "", extra ? "\r\n" : "", body_len);
	else
		n = snprintf(r->head, sizeof(r->head), "%s %s HTTP/1.1\r\n"
		    "Host: 127.0.0.1\r\n%s%sContent-Length: %zu\r\n\r\n",
		    method, path, extra ? extra : "", extra ? "\r\n" : "",
		    body_len);
	if (n < 0 || (size_t)n >= sizeof(r->head))
		abort();
	r->head_len = (size_t)n;
}

static void
conn_idle(struct conn *c)
{
	struct run	*r = c->run;

	c->state = 0;
	if (r->active > 0 && --r->active == 0)
		event_base_loopbreak(r->base);
}

static void
send_next(struct conn *c)
{
	struct run	*r = c->run;
	struct evbuffer	*out;

	if (r->stopping) {
		conn_idle(c);
		return;
	}
	if (r->gen(r->arg, c->id, &c->req) != 0) {
		r->res->exhausted = 1;
		conn_idle(c);
		return;
	}
	out = bufferevent_get_output(c->bev);
	evbuffer_add(out, c->req.head, c->req.head_len);
	if (c->req.body_len > 0)
		evbuffer_add_reference(out, c->req.body, c->req.body_len,
		    NULL, NULL);
	c->t_sent = bench_now_ns();
	c->state = 1;
	c->status = 0;
	c->close_after = 0;
}

static void
record(struct conn *c)
{
	struct run	*r = c->run;
	uint64_t	 now = bench_now_ns();

	if (now > r->deadline)
		return;			/* finished in the grace period */
	if (c->status < 200 || c->status > 299) {
		r->res->errors++;
		if (r->res->bad_status == 0)
			r->res->bad_status = c->status;
		return;
	}
	r->res->requests++;
	r->last_done = now;
	if (r->nlat == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 65536;
		r->lat = realloc(r->lat, r->cap * sizeof(*r->lat));
		if (r->lat == NULL)
			abort();
	}
	r->lat[r->nlat++] = (uint32_t)((now - c->t_sent + 500) / 1000);
}

/* Parse the status line and the headers we need from a complete head. */
static int
parse_head(struct conn *c, const char *p, size_t len)
{
	const char	*e = p + len, *line, *nl;
	int		 have_len = 0;

	if (len < 12 || strncmp(p, "HTTP/1.", 7) != 0)
		return -1;
	c->status = atoi(p + 9);
	c->clen = 0;
	for (line = memchr(p, '\n', len); line && line + 1 < e; line = nl) {
		line++;
		nl = memchr(line, '\n', (size_t)(e - line));
		if (nl == NULL)
			break;
		if ((size_t)(nl - line) > 15 &&
		    strncasecmp(line, "Content-Length:", 15) == 0) {
			c->clen = strtoull(line + 15, NULL, 10);
			have_len = 1;
		} else if ((size_t)(nl - line) > 11 &&
		    strncasecmp(line, "Connection:", 11) == 0 &&
		    strncasecmp(line + 11, " close", 6) == 0)
			c->close_after = 1;
	}
	if (!have_len && c->status != 204 && c->status != 304)
		return -1;
	return 0;
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct conn		*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer_ptr	 pos;
	size_t			 hlen;

	for (;;) {
		if (c->state == 1) {
			pos = evbuffer_search(in, "\r\n\r\n", 4, NULL);
			if (pos.pos < 0) {
				if (evbuffer_get_length(in) > MAX_HEAD)
					goto bad;
				return;
			}
			hlen = (size_t)pos.pos + 4;
			if (parse_head(c, (const char *)evbuffer_pullup(in,
			    (ev_ssize_t)hlen), hlen) != 0)
				goto bad;
			evbuffer_drain(in, hlen);
			c->run->res->bytes_in += hlen;
			c->state = 2;
		}
		if (c->state != 2)
			return;		/* unexpected bytes: ignore */
		if (evbuffer_get_length(in) < c->clen)
			return;
		evbuffer_drain(in, c->clen);
		c->run->res->bytes_in += c->clen;
		record(c);
		if (c->close_after) {
			bufferevent_free(c->bev);
			c->bev = NULL;
			c->state = 0;
			if (c->run->stopping)
				conn_idle(c);
			else
				conn_open(c);
			return;
		}
		send_next(c);
		if (c->state != 1)
			return;
	}
bad:
	fprintf(stderr, "load: connection %u: unparseable response\n", c->id);
	c->run->res->errors++;
	bufferevent_free(c->bev);
	c->bev = NULL;
	conn_idle(c);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn	*c = arg;
	struct run	*r = c->run;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		c->fails = 0;
		send_next(c);
		return;
	}
	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	/* The server closed or the connection failed. */
	if (c->state != 0)
		r->res->errors++;
	bufferevent_free(c->bev);
	c->bev = NULL;
	if (r->stopping || ++c->fails > 3) {
		if (c->fails > 3)
			fprintf(stderr, "load: connection %u: cannot connect "
			    "to 127.0.0.1:%d\n", c->id, ntohs(r->sa.sin_port));
		conn_idle(c);
		return;
	}
	c->state = 0;
	conn_open(c);
}

static void
conn_open(struct conn *c)
{
	struct run	*r = c->run;
	int		 fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("load: socket");
		conn_idle(c);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->bev = bufferevent_socket_new(r->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		abort();
	bufferevent_setcb(c->bev, on_read, NULL, on_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->state = 1;		/* counts as in flight until connected */
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&r->sa,
	    sizeof(r->sa)) != 0) {
		r->res->errors++;
		bufferevent_free(c->bev);
		c->bev = NULL;
		conn_idle(c);
	}
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct run	*r = arg;

	(void)fd;
	(void)what;
	r->stopping = 1;
	if (r->active == 0)
		event_base_loopbreak(r->base);
}

static void
on_grace(evutil_socket_t fd, short what, void *arg)
{
	struct run	*r = arg;

	(void)fd;
	(void)what;
	fprintf(stderr, "load: %u requests still in flight %.0f s after the "
	    "deadline; abandoned\n", r->active, GRACE_NS / 1e9);
	event_base_loopbreak(r->base);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const uint32_t *v, size_t n, double p)
{
	size_t	i;

	if (n == 0)
		return 0;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i] / 1000.0;
}

int
load_run(int port, unsigned nconns, double seconds, load_gen_fn *gen,
    void *arg, struct load_result *res)
{
	struct event_config	*cfg;
	struct event		*ev_dl, *ev_grace;
	struct run		 r;
	struct timeval		 tv;
	uint64_t		 end;
	unsigned		 i;

	signal(SIGPIPE, SIG_IGN);
	memset(res, 0, sizeof(*res));
	memset(&r, 0, sizeof(r));
	r.res = res;
	r.gen = gen;
	r.arg = arg;
	r.n = nconns;
	r.sa.sin_family = AF_INET;
	r.sa.sin_port = htons((uint16_t)port);
	r.sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* The client loop needs no locks even if the bench made libevent
	 * thread-aware for the null route. */
	if ((cfg = event_config_new()) == NULL)
		abort();
	event_config_set_flag(cfg, EVENT_BASE_FLAG_NOLOCK);
	r.base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (r.base == NULL)
		abort();
	r.conns = calloc(nconns, sizeof(*r.conns));
	if (r.conns == NULL)
		abort();
	r.t0 = bench_now_ns();
	r.deadline = r.t0 + (uint64_t)(seconds * 1e9);
	ev_dl = evtimer_new(r.base, on_deadline, &r);
	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	evtimer_add(ev_dl, &tv);
	ev_grace = evtimer_new(r.base, on_grace, &r);
	tv.tv_sec += GRACE_NS / 1000000000ULL;
	evtimer_add(ev_grace, &tv);
	r.active = nconns;
	for (i = 0; i < nconns; i++) {
		r.conns[i].run = &r;
		r.conns[i].id = i;
		conn_open(&r.conns[i]);
	}
	if (r.active > 0)
		event_base_dispatch(r.base);
	end = bench_now_ns();
	/* Early end (generator dry, or every connection failed): the time
	 * is up to the last completion. */
	if (!r.stopping && r.last_done > r.t0)
		end = r.last_done;
	if (end > r.deadline)
		end = r.deadline;
	res->seconds = (double)(end - r.t0) / 1e9;
	res->rps = res->seconds > 0 ? (double)res->requests / res->seconds : 0;
	qsort(r.lat, r.nlat, sizeof(*r.lat), cmp_u32);
	res->p50_ms = pct(r.lat, r.nlat, 0.50);
	res->p99_ms = pct(r.lat, r.nlat, 0.99);
	res->max_ms = r.nlat ? r.lat[r.nlat - 1] / 1000.0 : 0;
	for (i = 0; i < nconns; i++)
		if (r.conns[i].bev != NULL)
			bufferevent_free(r.conns[i].bev);
	event_free(ev_dl);
	event_free(ev_grace);
	event_base_free(r.base);
	free(r.conns);
	free(r.lat);
	return res->requests > 0 ? 0 : -1;
}

/* ---- the null route ------------------------------------------------------ */

struct null_srv {
	struct event_base		*base;
	struct evhttp			*evh;
	pthread_t			 thr;
};

static char	null_body[100];	/* 100 bytes of 'n', set by null_start */

/* As common/httpd.c send_reply: headers, a fresh evbuffer, send. */
static void
null_cb(struct evhttp_request *req, void *arg)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evbuffer		*eb = evbuffer_new();

	(void)arg;
	if (eb == NULL)
		abort();
	evhttp_add_header(out, "Content-Type", "application/octet-stream");
	evbuffer_add(eb, null_body, 100);
	evhttp_send_reply(req, 200, NULL, eb);
	evbuffer_free(eb);
}

static void *
null_main(void *arg)
{
	struct null_srv	*s = arg;

	event_base_dispatch(s->base);
	return NULL;
}

int
null_start(struct null_srv **out, int *port)
{
	struct null_srv			*s = calloc(1, sizeof(*s));
	struct evhttp_bound_socket	*bound;
	struct sockaddr_in		 sa;
	socklen_t			 slen = sizeof(sa);
	evutil_socket_t			 fd;
	int				 one = 1;

	if (s == NULL || evthread_use_pthreads() != 0)
		abort();
	memset(null_body, 'n', sizeof(null_body));
	signal(SIGPIPE, SIG_IGN);
	if ((s->base = event_base_new()) == NULL ||
	    (s->evh = evhttp_new(s->base)) == NULL)
		abort();
	/* ledgerd's settings (common/httpd.c, ledgerd.h). */
	evhttp_set_max_headers_size(s->evh, 16u << 10);
	evhttp_set_max_body_size(s->evh, 32u << 20);
	evhttp_set_timeout(s->evh, 30);
	evhttp_set_allowed_methods(s->evh, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
	evhttp_set_default_content_type(s->evh, "text/plain; charset=utf-8");
	evhttp_set_gencb(s->evh, null_cb, s);
	/* The listener as common/httpd.c makes it: SO_REUSEADDR,
	 * TCP_NODELAY (inherited by accepted sockets), backlog 4096. */
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	bound = NULL;
	if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == 0 && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one)) == 0 && bind(fd, (struct sockaddr *)&sa,
	    sizeof(sa)) == 0 && listen(fd, 4096) == 0 &&
	    evutil_make_socket_nonblocking(fd) == 0 &&
	    evutil_make_socket_closeonexec(fd) == 0)
		bound = evhttp_accept_socket_with_handle(s->evh, fd);
	else if (fd >= 0)
		close(fd);
	if (bound == NULL || getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&sa, &slen) != 0) {
		fprintf(stderr, "null route: cannot listen on 127.0.0.1\n");
		evhttp_free(s->evh);
		event_base_free(s->base);
		free(s);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	if (pthread_create(&s->thr, NULL, null_main, s) != 0)
		abort();
	*out = s;
	return 0;
}

void
null_stop(struct null_srv *s)
{
	if (s == NULL)
		return;
	event_base_loopbreak(s->base);
	pthread_join(s->thr, NULL);
	evhttp_free(s->evh);
	event_base_free(s->base);
	free(s);
}
