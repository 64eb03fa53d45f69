/* prefetch.c - entry bundles fetched, split, hashed and decoded ahead. */
/*
 * ledger-audit sync replays leaves on its main thread (rules and the
 * mirror's store, one writer). Everything before that needs no state: the
 * download of each entry bundle, the split of its length-prefixed
 * entries, their leaf hashes and their strict decoding. A second thread
 * does that here, a few bundles ahead, with its own keep-alive
 * connections (PF_INFLIGHT requests in flight), and hands the bundles
 * over in order through a bounded queue (PF_QUEUE bundles: at most
 * about 12 MB of bodies and decoded leaves). It also looks up, in the
 * mirror's B-trees, the dedup keys, day sums and accounts the replay
 * will ask for (hints, as ledgerd's verifier makes them for its
 * sequencer), so that the replay finds them answered. Nothing is trusted
 * here: the caller checks every hash against the signed tree, as before.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "err.h"
#include "fetch.h"
#include "merkle.h"
#include "prefetch.h"
#include "rules_store.h"
#include "xmalloc.h"

/* The largest entry bundle tlog-tiles allows: 256 entries, each a 2-byte
 * length and at most 65535 bytes. */
#define PF_BUNDLE_MAX	((size_t)MERKLE_TILE_WIDTH * (2 + 65535))

#define PF_INFLIGHT	4	/* bundle requests in flight */
#define PF_QUEUE	32	/* ready bundles waiting for the replay */

struct slot {
	struct prefetch_bundle	*b;	/* requested, or NULL: free */
};

struct prefetch {
	struct fetch		*f;
	struct store		*st;		/* for hints, or NULL */
	uint64_t		 next_req, next_out, end;	/* bundle numbers */
	uint64_t		 size;
	struct slot		 slots[PF_INFLIGHT];
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct prefetch_bundle	*q[PF_QUEUE];	/* ready, in order */
	unsigned		 qhead, qlen;
	int			 stop, done;
};

/* Bundle n's width in a tree of size entries. */
static unsigned
width_of(const struct prefetch *pf, uint64_t n)
{
	uint64_t	end = (n + 1) * MERKLE_TILE_WIDTH;

	return end <= pf->size ? MERKLE_TILE_WIDTH :
	    (unsigned)(pf->size - n * MERKLE_TILE_WIDTH);
}

void
prefetch_bundle_free(struct prefetch_bundle *b)
{
	size_t	i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nent; i++)
		if (b->ent[i].decoded)
			entry_leaf_free(&b->ent[i].leaf);
	free(b->ent);
	store_hints_free(b->hints);
	buf_free(&b->body);
	free(b);
}

/* The B-tree lookups the rules will make for b's entries. */
static void
hint(struct store *st, struct prefetch_bundle *b)
{
	struct store_txn	*rt;
	const struct entry_leaf	*l;
	size_t			 i;

	if (st == NULL || b->nent == 0 || store_begin(st, 1, &rt) != LD_OK)
		return;
	b->hints = store_hints_new(rt, 3 * b->nent);
	for (i = 0; i < b->nent; i++) {
		l = &b->ent[i].leaf;
		if (b->ent[i].decoded && l->kind >= KIND_CREDIT &&
		    rules_store_hint_sub(b->hints, l->u.e.issuer.s,
		    &l->u.e.sub) != LD_OK)
			break;
	}
	store_hints_done(b->hints);
	store_abort(rt);
}

/* Split, hash and decode a received bundle (on the prefetch thread). */
static void
prepare(struct prefetch_bundle *b)
{
	struct prefetch_ent	*e;
	size_t		 off = 0, elen;

	b->ent = xcalloc(b->w, sizeof(*b->ent));
	while (b->nent < b->w) {
		if (b->body.len - off < 2 || (elen = (size_t)b->body.p[off] <<
		    8 | b->body.p[off + 1]) > b->body.len - off - 2) {
			b->rc = LD_EBADPROOF;
			return;
		}
		off += 2;
		e = &b->ent[b->nent++];
		e->p = b->body.p + off;
		e->len = elen;
		merkle_leaf_hash(e->hash, e->p, e->len);
		e->decoded = codec_leaf_decode(e->p, e->len, &e->leaf) ==
		    LD_OK;
		off += elen;
	}
	if (off != b->body.len)
		b->rc = LD_EBADPROOF;
}

static void
got(void *arg, struct fetch_resp *resp)
{
	struct slot		*s = arg;
	struct prefetch_bundle	*b = s->b;

	if (resp->status != 200) {
		b->rc = resp->status == 0 ? LD_ENET : (resp->status == 404 ?
		    LD_ENOTFOUND : LD_ENET);
		if (resp->status == 0)
			snprintf(b->err, sizeof(b->err), "GET %s: %s", b->path,
			    resp->error);
		else
			snprintf(b->err, sizeof(b->err), "GET %s: HTTP %d",
			    b->path, resp->status);
		return;
	}
	b->body = resp->body;
	memset(&resp->body, 0, sizeof(resp->body));	/* moved to b */
	b->arrived = 1;
}

/* Request bundle pf->next_req into a free slot. */
static int
request(struct prefetch *pf, struct slot *s)
{
	struct merkle_tile	 tile;
	struct prefetch_bundle	*b = xcalloc(1, sizeof(*b));

	b->n = pf->next_req++;
	b->w = width_of(pf, b->n);
	tile.level = MERKLE_TILE_ENTRIES;
	tile.index = b->n;
	tile.width = b->w;
	b->path[0] = '/';
	if (merkle_tile_path(&tile, b->path + 1, sizeof(b->path) - 1) !=
	    MERKLE_OK)
		b->rc = LD_EINVAL;
	s->b = b;
	if (b->rc == LD_OK && fetch_start(pf->f, "GET", b->path, NULL, NULL,
	    NULL, NULL, 0, got, s) != LD_OK) {
		b->rc = LD_ENET;
		snprintf(b->err, sizeof(b->err), "GET %s: cannot start the "
		    "request", b->path);
	}
	return b->rc;
}

/* Hand b to the replay; 0 once told to stop. */
static int
deliver(struct prefetch *pf, struct prefetch_bundle *b)
{
	pthread_mutex_lock(&pf->mu);
	while (pf->qlen == PF_QUEUE && !pf->stop)
		pthread_cond_wait(&pf->cv, &pf->mu);
	if (pf->stop) {
		pthread_mutex_unlock(&pf->mu);
		prefetch_bundle_free(b);
		return 0;
	}
	pf->q[(pf->qhead + pf->qlen++) % PF_QUEUE] = b;
	pthread_cond_broadcast(&pf->cv);
	pthread_mutex_unlock(&pf->mu);
	return 1;
}

static int
stopping(struct prefetch *pf)
{
	int	v;

	pthread_mutex_lock(&pf->mu);
	v = pf->stop;
	pthread_mutex_unlock(&pf->mu);
	return v;
}

static void *
pf_main(void *arg)
{
	struct prefetch		*pf = arg;
	struct prefetch_bundle	*b;
	struct slot		*s;
	unsigned		 i;
	int			 failed = 0;

	while (pf->next_out < pf->end && !failed && !stopping(pf)) {
		/* Keep PF_INFLIGHT requests going, one slot per bundle in
		 * order: slot k holds bundle next_out + k. */
		for (i = 0; i < PF_INFLIGHT; i++) {
			s = &pf->slots[(pf->next_out + i) % PF_INFLIGHT];
			if (s->b == NULL && pf->next_req < pf->end &&
			    pf->next_req == pf->next_out + i &&
			    request(pf, s) != LD_OK)
				break;
		}
		s = &pf->slots[pf->next_out % PF_INFLIGHT];
		while (s->b->rc == LD_OK && !s->b->arrived &&
		    fetch_inflight(pf->f) > 0)
			fetch_wait(pf->f);
		b = s->b;
		s->b = NULL;
		pf->next_out++;
		if (b->rc == LD_OK && !b->arrived) {
			b->rc = LD_ENET;
			snprintf(b->err, sizeof(b->err), "GET %s: no answer",
			    b->path);
		}
		if (b->rc == LD_OK) {
			prepare(b);
			hint(pf->st, b);
		}
		failed = b->rc != LD_OK && b->rc != LD_EBADPROOF;
		if (!deliver(pf, b))
			break;
	}
	/* Let requests still in flight finish before the fetch closes. */
	while (fetch_inflight(pf->f) > 0)
		fetch_wait(pf->f);
	for (i = 0; i < PF_INFLIGHT; i++) {
		prefetch_bundle_free(pf->slots[i].b);
		pf->slots[i].b = NULL;
	}
	pthread_mutex_lock(&pf->mu);
	pf->done = 1;
	pthread_cond_broadcast(&pf->cv);
	pthread_mutex_unlock(&pf->mu);
	return NULL;
}

int
prefetch_start(const char *url, const char *cacert, struct store *st,
    uint64_t first, uint64_t size, struct prefetch **out)
{
	struct prefetch	*pf = xcalloc(1, sizeof(*pf));
	char		 err[256];
	int		 rc;

	if ((rc = fetch_open(url, cacert, 60, err, sizeof(err), &pf->f)) !=
	    LD_OK) {
		free(pf);
		return rc;
	}
	fetch_set_max_body(pf->f, PF_BUNDLE_MAX);
	pf->st = st;
	pf->size = size;
	pf->next_req = pf->next_out = first;
	pf->end = (size + MERKLE_TILE_WIDTH - 1) / MERKLE_TILE_WIDTH;
	pthread_mutex_init(&pf->mu, NULL);
	pthread_cond_init(&pf->cv, NULL);
	if (pthread_create(&pf->thread, NULL, pf_main, pf) != 0) {
		fetch_close(pf->f);
		free(pf);
		return LD_ESYS;
	}
	*out = pf;
	return LD_OK;
}

struct prefetch_bundle *
prefetch_next(struct prefetch *pf)
{
	struct prefetch_bundle	*b = NULL;

	pthread_mutex_lock(&pf->mu);
	while (pf->qlen == 0 && !pf->done)
		pthread_cond_wait(&pf->cv, &pf->mu);
	if (pf->qlen > 0) {
		b = pf->q[pf->qhead];
		pf->qhead = (pf->qhead + 1) % PF_QUEUE;
		pf->qlen--;
		pthread_cond_broadcast(&pf->cv);
	}
	pthread_mutex_unlock(&pf->mu);
	return b;
}

void
prefetch_stop(struct prefetch *pf)
{
	if (pf == NULL)
		return;
	pthread_mutex_lock(&pf->mu);
	pf->stop = 1;
	pthread_cond_broadcast(&pf->cv);
	pthread_mutex_unlock(&pf->mu);
	pthread_join(pf->thread, NULL);
	while (pf->qlen > 0) {
		prefetch_bundle_free(pf->q[pf->qhead]);
		pf->qhead = (pf->qhead + 1) % PF_QUEUE;
		pf->qlen--;
	}
	pthread_mutex_destroy(&pf->mu);
	pthread_cond_destroy(&pf->cv);
	fetch_close(pf->f);
	free(pf);
}
