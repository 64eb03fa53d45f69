/* parse.c - submission bodies parsed off the event loop. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "core.h"
#include "err.h"
#include "form.h"
#include "httpd.h"
#include "json.h"
#include "log.h"
#include "parse.h"
#include "seq.h"
#include "xmalloc.h"

struct pjob {
	struct httpd_body	*body;
	int			 body_json;
	core_done_fn		*done;
	void			*arg;
	struct pjob		*next;
};

struct parser {
	struct ledgerd		*ld;
	pthread_t		 thr;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct pjob		*head, **tail;
	int			 busy, stop, started;
};

/* Refuse j from this thread: its completion answers and frees it. */
static void
fail(struct core_job *j, int err, const char *rule, long pos, const char *msg)
{
	core_job_fail(j, err, rule, pos, NO_INDEX, "%s", msg);
	j->done(j->arg, j);
}

static void
parse_one(struct parser *p, struct pjob *pj)
{
	struct core_job	*j = core_job_new(CORE_SUBMIT, pj->done, pj->arg);
	struct buf	 body = { 0 };
	struct json	*doc = NULL;
	const char	*why = "malformed";
	char		 err[160], msg[256];
	long		 pos = -1;
	int		 rc;

	httpd_body_flat(pj->body, &body);
	httpd_body_free(pj->body);
	pj->body = NULL;
	if (pj->body_json) {
		if ((rc = json_parse_limited((const char *)body.p, body.len,
		    &form_batch_limits, &doc, err, sizeof(err))) != LD_OK) {
			snprintf(msg, sizeof(msg), rc == LD_ETOOBIG ? "the body "
			    "is larger than any batch: %s" : "body is not a JSON "
			    "batch: %s", err);
			fail(j, rc, rc == LD_ETOOBIG ? "batch-size" : "json", -1,
			    msg);
			buf_free(&body);
			return;
		}
		rc = form_batch_from_json(doc, &j->batch, &pos, &why);
		json_free(doc);
	} else
		rc = codec_batch_decode(body.p, body.len, &j->batch, &pos,
		    &why);
	if (rc != LD_OK) {
		if (pos >= 0) {
			snprintf(msg, sizeof(msg), "entry %ld: %s", pos, why);
			fail(j, rc, "entry", pos, msg);
		} else
			fail(j, rc, "batch", -1, why);
		buf_free(&body);
		return;
	}
	buf_free(&body);
	if (seq_push(p->ld->seq, j) != LD_OK)
		fail(j, LD_EBUSY, "queue-full", -1, "the submission "
		    "queue is full or the server is stopping; retry after a "
		    "second");
}

static void *
parser_main(void *arg)
{
	struct parser	*p = arg;
	struct pjob	*pj;

	pthread_setname_np(pthread_self(), "ledgerd-parse");
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->head == NULL && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->head == NULL)
			break;
		pj = p->head;
		if ((p->head = pj->next) == NULL)
			p->tail = &p->head;
		p->busy = 1;
		pthread_mutex_unlock(&p->mu);
		parse_one(p, pj);
		free(pj);
		pthread_mutex_lock(&p->mu);
		p->busy = 0;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int
parser_start(struct ledgerd *ld, struct parser **out)
{
	struct parser	*p = xcalloc(1, sizeof(*p));

	p->ld = ld;
	p->tail = &p->head;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (pthread_create(&p->thr, NULL, parser_main, p) != 0) {
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		free(p);
		return LD_ESYS;
	}
	p->started = 1;
	*out = p;
	return LD_OK;
}

void
parser_push(struct parser *p, struct httpd_body *body, int body_json,
    core_done_fn *done, void *arg)
{
	struct pjob	*pj = xcalloc(1, sizeof(*pj));

	pj->body = body;
	pj->body_json = body_json;
	pj->done = done;
	pj->arg = arg;
	pthread_mutex_lock(&p->mu);
	*p->tail = pj;
	p->tail = &pj->next;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

int
parser_idle(struct parser *p)
{
	int	idle;

	pthread_mutex_lock(&p->mu);
	idle = p->head == NULL && !p->busy;
	pthread_mutex_unlock(&p->mu);
	return idle;
}

void
parser_stop(struct parser *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	if (p->started)
		pthread_join(p->thr, NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}
