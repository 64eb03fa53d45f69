/* attest.c - the auditor cosigner's check: mirror, replay, no finding. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest.h"
#include "checkpoint.h"
#include "err.h"
#include "note.h"
#include "finding.h"
#include "store.h"
#include "sync.h"
#include "xmalloc.h"

enum attest_verdict
attest_check(const struct attest_opts *o, const char *note, size_t len,
    struct attest_result *res)
{
	struct sync_opts	 so;
	struct sync_result	 sr;
	struct store		*st = NULL;
	struct store_txn	*t = NULL;
	int			 rc;

	memset(res, 0, sizeof(*res));
	memset(&so, 0, sizeof(so));
	so.url = o->url;
	so.cacert = o->cacert;
	so.vkey = o->vkey;
	so.state = o->state;
	so.mapsize = o->mapsize;
	so.now = (uint64_t)time(NULL);
	so.checkpoint = note;
	so.checkpoint_len = len;
	rc = sync_run(&so, &sr);
	res->size = sr.size;
	if (sr.fork) {
		/* Not consistent with what was mirrored: evidence kept. */
		buf_printf(&res->codes, "fork 1\n");
		snprintf(res->error, sizeof(res->error), "%s", sr.error);
		return res->verdict = ATTEST_FINDINGS;
	}
	if (rc != LD_OK || sr.root_mismatch) {
		/* The tiles could not be read, or not as signed (a fault in
		 * transit as much as the log's): nothing is cosigned. */
		snprintf(res->error, sizeof(res->error), "not mirrored: %.600s",
		    sr.error);
		return res->verdict = ATTEST_BEHIND;
	}
	if ((rc = store_open(&st, o->state, o->mapsize, 0)) != LD_OK ||
	    (rc = store_begin(st, 1, &t)) != LD_OK) {
		store_close(st);
		snprintf(res->error, sizeof(res->error), "%s: cannot read the "
		    "mirror: %s", o->state, ld_strerror(rc));
		return res->verdict = ATTEST_BEHIND;
	}
	res->findings = finding_tally(t, &res->codes);
	store_abort(t);
	store_close(st);
	if (res->findings > 0) {
		snprintf(res->error, sizeof(res->error), "%llu findings in the "
		    "log up to size %llu", (unsigned long long)res->findings,
		    (unsigned long long)res->size);
		return res->verdict = ATTEST_FINDINGS;
	}
	return res->verdict = ATTEST_CLEAN;
}

struct attest_worker {
	struct attest_opts	 o;
	pthread_t		 thr;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	char			*note;		/* the job, or NULL */
	size_t			 len;
	uint64_t		 size;		/* its checkpoint's size */
	attest_done_fn		*done;
	void			*arg;
	int			 stop;
};

static void *
worker_main(void *arg)
{
	struct attest_worker	*w = arg;
	struct attest_result	 res;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->note == NULL && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->note == NULL)
			break;
		pthread_mutex_unlock(&w->mu);
		attest_check(&w->o, w->note, w->len, &res);
		w->done(w->arg, &res);
		buf_free(&res.codes);
		pthread_mutex_lock(&w->mu);
		free(w->note);
		w->note = NULL;
		w->size = 0;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int
attest_worker_start(const struct attest_opts *o, struct attest_worker **out)
{
	struct attest_worker	*w = xcalloc(1, sizeof(*w));

	w->o = *o;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->thr, NULL, worker_main, w) != 0) {
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		free(w);
		return LD_ESYS;
	}
	*out = w;
	return LD_OK;
}

int
attest_worker_submit(struct attest_worker *w, const char *note, size_t len,
    attest_done_fn *done, void *arg)
{
	struct checkpoint	cp;
	struct note		n;
	uint64_t		size = 0;

	if (note_parse(note, len, &n) == LD_OK) {
		if (checkpoint_parse(n.text, n.text_len, &cp) == LD_OK)
			size = cp.size;
		note_free(&n);
	}
	pthread_mutex_lock(&w->mu);
	if (w->note != NULL || w->stop) {
		pthread_mutex_unlock(&w->mu);
		return LD_EBUSY;
	}
	w->note = xmemdup(note, len);
	w->len = len;
	w->size = size;
	w->done = done;
	w->arg = arg;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return LD_OK;
}

uint64_t
attest_worker_busy(struct attest_worker *w)
{
	uint64_t	size;

	pthread_mutex_lock(&w->mu);
	size = w->note != NULL ? (w->size > 0 ? w->size : 1) : 0;
	pthread_mutex_unlock(&w->mu);
	return size;
}

void
attest_worker_stop(struct attest_worker *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thr, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}
