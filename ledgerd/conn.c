/* conn.c - every client connection: the limit and the request deadline. */
/*
 * libevent 2.1's evhttp has neither an accept hook nor a deadline for a
 * whole request (its timeout restarts at every byte read, so a client
 * sending one byte every few seconds keeps a connection forever). Both
 * come from evhttp's bufferevent hook: conn_bev creates each
 * connection's bufferevent and keeps a reference to it, so this module
 * sees every connection open, and sees it closed when evhttp has freed
 * it (its callbacks are cleared then; the reference keeps the object,
 * and the descriptor, until the next sweep lets go of it).
 *
 * A connection must deliver each whole request within the request
 * timeout of opening or of its previous reply; a sweep four times a
 * second closes those that did not, unless a request of theirs is being
 * answered. At the connection limit the listener stops accepting (new
 * connections wait in the kernel's backlog) until a tenth have closed.
 *
 * Bytes held: every byte a connection receives is counted (an evbuffer
 * callback on its input, which runs before evhttp reads it) until its
 * request has been answered (or the connection closes), so the sum is
 * what evhttp buffers for requests not yet answered: headers and bodies
 * being read, bodies waiting for their reply. When a connection's bytes
 * take the sum past the cap, and its request is not already being
 * answered, this module takes its bufferevent from evhttp, answers 503
 * itself (the reply set by conns_set_refusal), discards what else the
 * client sends until it closes or the request timeout passes, and then
 * frees the connection, and the bytes it held, through evhttp.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <event2/buffer.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "conn.h"
#include "log.h"
#include "util.h"

struct conn {
	struct bufferevent	*bev;
	struct conns		*cs;
	int64_t			 deadline;	/* monotonic ms */
	int			 busy;		/* a request is being answered */
	int			 fd;		/* -1 until adopted */
	uint64_t		 held;		/* bytes received, not answered */
	struct evbuffer_cb_entry *cb;		/* counts them */
	void			*refused;	/* its evhttp connection, once
						 * refused (503) by this module */
	struct conn		*prev, *next;
};

struct conns {
	struct event_base	*base;
	struct evconnlistener	*listener;
	struct event		*ev_sweep;
	struct conn		*head;		/* unadopted ones first */
	struct conn		**byfd;
	size_t			 nfd;
	uint64_t		 open, max, timeouts;
	uint64_t		 held, held_max, refusals;
	const char		*refusal;	/* the raw 503 reply */
	size_t			 refusal_len;
	int64_t			 timeout_ms;
	int			 paused;
};

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Note the descriptors of the connections opened since the last call. */
static void
adopt(struct conns *cs)
{
	struct conn	*c;
	int		 fd;

	for (c = cs->head; c != NULL && c->fd < 0; c = c->next) {
		fd = bufferevent_getfd(c->bev);
		if (fd >= 0 && (size_t)fd < cs->nfd) {
			c->fd = fd;
			cs->byfd[fd] = c;
		}
	}
}

static void
pause_check(struct conns *cs)
{
	if (cs->listener == NULL)
		return;
	if (!cs->paused && cs->open >= cs->max) {
		evconnlistener_disable(cs->listener);
		cs->paused = 1;
		log_warnx("%llu connections: at the limit, not accepting more",
		    (unsigned long long)cs->open);
	} else if (cs->paused && cs->open < cs->max - cs->max / 10) {
		evconnlistener_enable(cs->listener);
		cs->paused = 0;
	}
}

static void
release(struct conns *cs, struct conn *c)
{
	if (c->fd >= 0 && cs->byfd[c->fd] == c)
		cs->byfd[c->fd] = NULL;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		cs->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	cs->held -= c->held;
	evbuffer_remove_cb_entry(bufferevent_get_input(c->bev), c->cb);
	bufferevent_decref(c->bev);
	free(c);
	cs->open--;
}

/* A refused connection is over: evhttp frees it and its request. */
static void
refused_done(struct conns *cs, struct conn *c)
{
	struct evhttp_connection *evcon = c->refused;

	bufferevent_setcb(c->bev, NULL, NULL, NULL, NULL);
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	evhttp_connection_free(evcon);
	release(cs, c);
}

/* Discard what the client of a refused request goes on sending. */
static void
refused_read(struct bufferevent *bev, void *arg)
{
	(void)arg;
	evbuffer_drain(bufferevent_get_input(bev),
	    evbuffer_get_length(bufferevent_get_input(bev)));
}

/* The 503 is out: no more writing; wait for the client to close. */
static void
refused_written(struct bufferevent *bev, void *arg)
{
	(void)arg;
	if (bufferevent_getfd(bev) >= 0)
		shutdown(bufferevent_getfd(bev), SHUT_WR);
}

static void
refused_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn	*c = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		refused_done(c->cs, c);
}

/*
 * Take the connection from evhttp and answer 503. Its bytes count until
 * they are freed with the connection (at the client's close, or within
 * the request timeout); those that follow are discarded, uncounted.
 */
static void
refuse(struct conns *cs, struct conn *c)
{
	void	*evcon;

	bufferevent_getcb(c->bev, NULL, NULL, NULL, &evcon);
	if (evcon == NULL)
		return;
	c->refused = evcon;
	cs->refusals++;
	c->deadline = now_ms() + cs->timeout_ms;
	bufferevent_setcb(c->bev, refused_read, refused_written, refused_event,
	    c);
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	bufferevent_write(c->bev, cs->refusal, cs->refusal_len);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* Bytes arrived on a connection (before evhttp reads them). */
static void
on_input(struct evbuffer *eb, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct conn	*c = arg;
	struct conns	*cs = c->cs;

	(void)eb;
	if (info->n_added == 0 || c->refused != NULL)
		return;
	c->held += info->n_added;
	cs->held += info->n_added;
	if (cs->held > cs->held_max && !c->busy && cs->refusal != NULL)
		refuse(cs, c);
}

static void
on_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct conns		*cs = arg;
	struct conn		*c, *next;
	struct timeval		 tv = { 0, 250000 };
	int64_t			 now = now_ms();
	void			*evcon;

	(void)fd;
	(void)what;
	adopt(cs);
	for (c = cs->head; c != NULL; c = next) {
		next = c->next;
		/* evhttp passes its connection as the callbacks' argument
		 * and clears them when it frees the connection. */
		bufferevent_getcb(c->bev, NULL, NULL, NULL, &evcon);
		if (c->refused != NULL) {
			if (now >= c->deadline)
				refused_done(cs, c);
		} else if (evcon == NULL)
			release(cs, c);
		else if (!c->busy && now >= c->deadline) {
			cs->timeouts++;
			evhttp_connection_free(evcon);
			release(cs, c);
		}
	}
	pause_check(cs);
	evtimer_add(cs->ev_sweep, &tv);
}

static struct bufferevent *
conn_bev(struct event_base *base, void *arg)
{
	struct conns		*cs = arg;
	struct conn		*c;
	struct bufferevent	*bev;

	if ((bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)) ==
	    NULL)
		return NULL;		/* evhttp makes its own */
	c = xcalloc(1, sizeof(*c));
	bufferevent_incref(bev);
	c->bev = bev;
	c->cs = cs;
	c->fd = -1;
	c->deadline = now_ms() + cs->timeout_ms;
	c->cb = evbuffer_add_cb(bufferevent_get_input(bev), on_input, c);
	if (c->cb == NULL)
		fatalx("libevent: cannot watch a connection's input");
	c->next = cs->head;
	if (cs->head != NULL)
		cs->head->prev = c;
	cs->head = c;
	cs->open++;
	pause_check(cs);
	return bev;
}

struct conns *
conns_new(struct event_base *base, struct evhttp *evh, uint64_t max,
    unsigned timeout_s)
{
	struct conns	*cs = xcalloc(1, sizeof(*cs));
	struct rlimit	 rl;

	cs->base = base;
	cs->max = max;
	cs->held_max = UINT64_MAX;
	cs->timeout_ms = (int64_t)timeout_s * 1000;
	cs->nfd = 65536;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
	    && rl.rlim_cur > cs->nfd)
		cs->nfd = rl.rlim_cur < (1u << 22) ? rl.rlim_cur : (1u << 22);
	cs->byfd = xcalloc(cs->nfd, sizeof(*cs->byfd));
	if ((cs->ev_sweep = evtimer_new(base, on_sweep, cs)) == NULL)
		fatalx("libevent: cannot set up the connection sweep");
	evhttp_set_bevcb(evh, conn_bev, cs);
	on_sweep(-1, 0, cs);
	return cs;
}

void
conns_set_listener(struct conns *cs, struct evconnlistener *l)
{
	cs->listener = l;
	cs->paused = 0;
	if (l != NULL)
		pause_check(cs);
}

static void
on_done(struct evhttp_request *req, void *arg)
{
	struct conn	*c = arg;

	(void)req;
	c->busy = 0;
	c->deadline = now_ms() + c->cs->timeout_ms;
	/* The request and its body are freed once this returns. */
	c->cs->held -= c->held;
	c->held = 0;
}

void
conns_request(struct conns *cs, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent	*bev;
	struct conn		*c;
	int			 fd;

	if (evcon == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL)
		return;
	adopt(cs);
	fd = bufferevent_getfd(bev);
	if (fd < 0 || (size_t)fd >= cs->nfd || (c = cs->byfd[fd]) == NULL ||
	    c->bev != bev)
		return;			/* not ours: evhttp made it */
	c->busy = 1;
	evhttp_request_set_on_complete_cb(req, on_done, c);
}

uint64_t
conns_open(const struct conns *cs)
{
	return cs->open;
}

void
conns_set_refusal(struct conns *cs, uint64_t held_max, const char *reply,
    size_t len)
{
	cs->held_max = held_max;
	cs->refusal = reply;
	cs->refusal_len = len;
}

uint64_t
conns_held(const struct conns *cs)
{
	return cs->held;
}

uint64_t
conns_refusals(const struct conns *cs)
{
	return cs->refusals;
}

uint64_t
conns_timeouts(const struct conns *cs)
{
	return cs->timeouts;
}

int
conns_accepting(const struct conns *cs)
{
	return !cs->paused;
}

void
conns_free(struct conns *cs)
{
	if (cs == NULL)
		return;
	while (cs->head != NULL)
		release(cs, cs->head);
	event_free(cs->ev_sweep);
	free(cs->byfd);
	free(cs);
}
