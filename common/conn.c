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
 * request has been answered (or the connection closes): what evhttp
 * buffers for requests not yet answered (the metric). The cap is on
 * bodies, by reservation: this module also reads each request's header
 * block as it arrives (a copy, of at most small bytes) and, at its end,
 * reserves the body's Content-Length (the largest body allowed for a
 * chunked one, or when the header block could not be read). A body whose
 * reservation would take the sum of reservations past the cap is
 * refused: this module takes the connection's bufferevent from evhttp,
 * answers 503 itself (the reply set by conns_set_refusal), discards what
 * else the client sends until it closes or the request timeout passes,
 * and then frees the connection through evhttp. Bodies admitted are
 * never cut off, so the cap holds: bodies held <= reservations <= cap.
 * A reservation ends when its request has been answered.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
#include "xmalloc.h"

struct conn {
	struct bufferevent	*bev;
	struct conns		*cs;
	int64_t			 deadline;	/* monotonic ms */
	int			 busy;		/* a request is being answered */
	int			 fd;		/* -1 until adopted */
	uint64_t		 held;		/* bytes received, not answered */
	uint64_t		 reserved;	/* for the body being read */
	char			*hdr;		/* the header block so far */
	size_t			 hdr_len;
	int			 admitted;	/* headers read, body reserved */
	int			 refuse_next;	/* refuse at its next bytes */
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
	uint64_t		 held, reserved, held_max, held_small, max_body;
	uint64_t		 refusals;
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
	cs->reserved -= c->reserved;
	free(c->hdr);
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

/*
 * The body a header block announces: its Content-Length (the first, as
 * evhttp reads it), the largest allowed for a chunked one, 0 for none.
 */
static uint64_t
body_need(const struct conns *cs, const char *h, size_t len)
{
	static const char	cl[] = "\ncontent-length:", te[] =
				    "\ntransfer-encoding:";
	size_t			i;
	uint64_t		v = 0;

	for (i = 0; i < len; i++) {
		if (len - i > sizeof(te) - 1 &&
		    strncasecmp(h + i, te, sizeof(te) - 1) == 0)
			return cs->max_body;
		if (len - i > sizeof(cl) - 1 &&
		    strncasecmp(h + i, cl, sizeof(cl) - 1) == 0) {
			for (i += sizeof(cl) - 1; i < len && (h[i] == ' ' ||
			    h[i] == '\t'); i++)
				;
			/* Not plain digits ("+1", "0x1"): assume the largest. */
			if (i == len || h[i] < '0' || h[i] > '9' ||
			    (i + 1 < len && h[i + 1] == 'x'))
				return cs->max_body;
			for (; i < len && h[i] >= '0' && h[i] <= '9'; i++) {
				if (v > cs->max_body)
					break;
				v = v * 10 + (uint64_t)(h[i] - '0');
			}
			return v;
		}
	}
	return 0;
}

/*
 * Read the header block from n new bytes at the end of eb; at its end,
 * reserve the body, or refuse the request. Returns whether to refuse.
 */
static int
admit(struct conns *cs, struct conn *c, struct evbuffer *eb, size_t n)
{
	struct evbuffer_ptr	 pos;
	size_t			 room, take, from, i;
	uint64_t		 need;

	room = cs->held_small - c->hdr_len;
	take = n < room ? n : room;
	from = c->hdr_len > 3 ? c->hdr_len - 3 : 0;
	if (take > 0) {
		/* As long as what arrived (a slow client costs no more). */
		c->hdr = xrealloc(c->hdr, c->hdr_len + take);
		evbuffer_ptr_set(eb, &pos, evbuffer_get_length(eb) - n,
		    EVBUFFER_PTR_SET);
		if (evbuffer_copyout_from(eb, &pos, c->hdr + c->hdr_len,
		    take) != (ev_ssize_t)take)
			take = 0;
		c->hdr_len += take;
	}
	for (i = from; i + 4 <= c->hdr_len; i++)
		if (memcmp(c->hdr + i, "\r\n\r\n", 4) == 0)
			break;
	if (i + 4 > c->hdr_len && c->hdr_len < cs->held_small)
		return 0;			/* more to come */
	/* The end, or a block too long to read: assume the largest body. */
	need = i + 4 <= c->hdr_len ? body_need(cs, c->hdr, i + 2) :
	    cs->max_body;
	free(c->hdr);
	c->hdr = NULL;
	c->hdr_len = 0;
	c->admitted = 1;
	if (need > cs->max_body)
		need = 0;		/* evhttp refuses it (413) unread */
	if (need > 0 && cs->reserved + need > cs->held_max)
		return 1;
	c->reserved = need;
	cs->reserved += need;
	return 0;
}

/* Bytes arrived on a connection (before evhttp reads them). */
static void
on_input(struct evbuffer *eb, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct conn	*c = arg;
	struct conns	*cs = c->cs;

	if (info->n_added == 0 || c->refused != NULL)
		return;
	c->held += info->n_added;
	cs->held += info->n_added;
	if (c->busy || cs->refusal == NULL)
		return;
	if (c->refuse_next || (!c->admitted && admit(cs, c, eb,
	    info->n_added)))
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

	struct conns	*cs = c->cs;
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	size_t		 n = evbuffer_get_length(in);

	(void)req;
	c->busy = 0;
	c->deadline = now_ms() + cs->timeout_ms;
	/* The request and its body are freed once this returns; what is
	 * left in the input is the start of the next request. */
	cs->held -= c->held;
	c->held = n;
	cs->held += n;
	cs->reserved -= c->reserved;
	c->reserved = 0;
	c->admitted = 0;
	free(c->hdr);
	c->hdr = NULL;
	c->hdr_len = 0;
	/* Not here, inside evhttp's reply: at the next bytes. */
	if (n > 0 && cs->refusal != NULL && admit(cs, c, in, n))
		c->refuse_next = 1;
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
conns_set_refusal(struct conns *cs, uint64_t held_max, uint64_t small,
    uint64_t max_body, const char *reply, size_t len)
{
	cs->held_max = held_max;
	cs->held_small = small;
	cs->max_body = max_body;
	cs->refusal = reply;
	cs->refusal_len = len;
}

uint64_t
conns_held(const struct conns *cs)
{
	return cs->held;
}

uint64_t
conns_reserved(const struct conns *cs)
{
	return cs->reserved;
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
