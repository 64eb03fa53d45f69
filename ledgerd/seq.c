/* seq.c - the sequencer's threads and queues: jobs to the ledger core. */
#include <pthread.h>
#include <stdlib.h>

#include "core.h"
#include "err.h"
#include "log.h"
#include "seq.h"
#include "store.h"
#include "xmalloc.h"

struct seq {
	struct ledgerd		*ld;
	struct core		*core;		/* the sequencer thread's */
	pthread_mutex_t		 mu;		/* both queues and flags */
	pthread_cond_t		 cv;		/* the sequencer's queue */
	pthread_cond_t		 vcv;		/* the verifier's queue */
	struct seq_queue	 q, vq;		/* sequencer, verifier */
	int			 draining;
	int			 stop, busy;	/* sequencer */
	int			 vstop, vbusy;	/* verifier */
	pthread_t		 thr, vthr;
	int			 started, vstarted;
};

static void
queue_init(struct seq_queue *q)
{
	q->head = NULL;
	q->tail = &q->head;
	q->n = 0;
}

static void
queue_add(struct seq_queue *q, struct core_job *j)
{
	j->next = NULL;
	*q->tail = j;
	q->tail = &j->next;
	q->n += core_job_size(j);
}

/* Take the whole list; the caller counts it out of q->n. */
static struct core_job *
queue_take(struct seq_queue *q)
{
	struct core_job	*jobs = q->head;

	q->head = NULL;
	q->tail = &q->head;
	return jobs;
}

/*
 * The verifier thread: admission work off both the event loop and the
 * sequencer. Each job goes on to the sequencer as soon as it is checked.
 */
static void *
verify_main(void *arg)
{
	struct seq		*s = arg;
	struct core_keys	*keys = core_keys_new();
	struct core_job		*jobs, *j, *next;
	struct store_txn	*t;

	pthread_setname_np(pthread_self(), "ledgerd-verify");
	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (s->vq.head == NULL && !s->vstop)
			pthread_cond_wait(&s->vcv, &s->mu);
		if (s->vq.head == NULL && s->vstop) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		jobs = queue_take(&s->vq);
		s->vbusy = 1;
		pthread_mutex_unlock(&s->mu);
		if (store_begin(s->ld->store, 1, &t) != LD_OK)
			t = NULL;
		for (j = jobs; j; j = next) {
			next = j->next;
			core_verify(s->ld, keys, t, j);
			/* On to the sequencer at once: it may be idle. */
			pthread_mutex_lock(&s->mu);
			s->vq.n -= core_job_size(j);
			queue_add(&s->q, j);
			if (next == NULL)
				s->vbusy = 0;
			pthread_cond_signal(&s->cv);
			pthread_mutex_unlock(&s->mu);
		}
		store_abort(t);
	}
	core_keys_free(keys);
	return NULL;
}

static void *
seq_main(void *arg)
{
	struct seq	*s = arg;
	struct core_job	*jobs;

	pthread_setname_np(pthread_self(), "ledgerd-seq");
	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (s->q.head == NULL && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->q.head == NULL && s->stop) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		jobs = queue_take(&s->q);
		s->q.n = 0;
		s->busy = 1;
		pthread_mutex_unlock(&s->mu);
		core_group(s->core, jobs);	/* hands each job on */
		pthread_mutex_lock(&s->mu);
		s->busy = 0;
		pthread_mutex_unlock(&s->mu);
	}
	return NULL;
}

int
seq_start(struct ledgerd *ld, struct seq **out)
{
	struct seq	*s = xcalloc(1, sizeof(*s));
	int		 rc;

	s->ld = ld;
	queue_init(&s->q);
	queue_init(&s->vq);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	pthread_cond_init(&s->vcv, NULL);
	if ((rc = core_open(ld, &s->core)) != LD_OK)
		goto fail;
	if (pthread_create(&s->thr, NULL, seq_main, s) != 0) {
		rc = LD_ESYS;
		goto fail;
	}
	s->started = 1;
	if (pthread_create(&s->vthr, NULL, verify_main, s) != 0)
		fatalx("cannot start the verifier thread");
	s->vstarted = 1;
	*out = s;
	return LD_OK;
fail:
	core_free(s->core);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	pthread_cond_destroy(&s->vcv);
	free(s);
	return rc;
}

int
seq_push(struct seq *s, struct core_job *j)
{
	size_t	n = core_job_size(j), queued;

	pthread_mutex_lock(&s->mu);
	queued = s->q.n + s->vq.n;
	if (s->draining || (queued > 0 && queued + n > s->ld->queue_max)) {
		pthread_mutex_unlock(&s->mu);
		return LD_EBUSY;
	}
	if (j->kind == CORE_SUBMIT) {
		queue_add(&s->vq, j);
		pthread_cond_signal(&s->vcv);
	} else {
		queue_add(&s->q, j);
		pthread_cond_signal(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return LD_OK;
}

void
seq_drain(struct seq *s)
{
	pthread_mutex_lock(&s->mu);
	s->draining = 1;
	pthread_mutex_unlock(&s->mu);
}

int
seq_idle(struct seq *s)
{
	int	idle;

	pthread_mutex_lock(&s->mu);
	idle = s->q.head == NULL && !s->busy && s->vq.head == NULL &&
	    !s->vbusy;
	pthread_mutex_unlock(&s->mu);
	return idle;
}

size_t
seq_queued(struct seq *s)
{
	size_t	n;

	pthread_mutex_lock(&s->mu);
	n = s->q.n + s->vq.n;
	pthread_mutex_unlock(&s->mu);
	return n;
}

void
seq_stop(struct seq *s)
{
	if (s == NULL)
		return;
	/* The verifier first: it hands everything it holds on. */
	pthread_mutex_lock(&s->mu);
	s->vstop = 1;
	s->draining = 1;
	pthread_cond_signal(&s->vcv);
	pthread_mutex_unlock(&s->mu);
	if (s->vstarted)
		pthread_join(s->vthr, NULL);
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (s->started)
		pthread_join(s->thr, NULL);
	core_free(s->core);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	pthread_cond_destroy(&s->vcv);
	free(s);
}
