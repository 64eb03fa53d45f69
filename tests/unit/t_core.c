/* t_core.c - unit tests for ledgerd's writer (core.c) and its queues
 * (seq.c), with a temporary LMDB store and no HTTP. */
/*
 * An identical retry of a batch gets the same indexes and appends
 * nothing; a batch retried after part of it was logged records the
 * logged part as duplicate runs in its batch leaf; a group holding a
 * batch the rules refuse half-way re-runs without it, and the others
 * commit contiguously; a full queue refuses with LD_EBUSY.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "codec.h"
#include "core.h"
#include "cp.h"
#include "entry.h"
#include "err.h"
#include "rules.h"
#include "seq.h"
#include "sig.h"
#include "store.h"
#include "t.h"
#include "xmalloc.h"

#define ORIGIN	"example.org/t-core"
#define ISSUER	"luzhou-green"
#define METHOD	"transit-bus"

struct env {
	char		 dir[64];
	struct ledgerd	 ld;
	struct core	*core;
	struct sig_key	*ik;		/* the issuer's key */
	uint32_t	 day;		/* today, UTC */
	uint64_t	 dedup;		/* the next dedup key's number */
};

/* What a completion callback saw. */
struct done {
	int		 calls;
	int		 err;
	char		 rule[48];
	long		 pos;
	int		 had_cp;
	uint64_t	 cp_size;
	uint64_t	 start;
	uint32_t	 nleaves, n;
	uint64_t	 index[8];
	uint8_t		 dup[8];
	uint32_t	 ndups;
	uint32_t	 dups_proved;	/* proofs that verify at cp */
};

/* Record what the job's result says, check the duplicates' proofs
 * against its checkpoint's root, free the job (it is the callback's). */
static void
on_done(void *arg, struct core_job *j)
{
	struct done		*d = arg;
	const struct core_result *r = &j->res;
	const uint8_t		*h = r->dup_paths.p;
	struct merkle_proof	 p;
	uint8_t			 lh[32];
	uint32_t		 i, k = 0;

	d->calls++;
	d->err = r->err.code;
	snprintf(d->rule, sizeof(d->rule), "%s", r->err.rule);
	d->pos = r->err.pos;
	d->had_cp = r->cp != NULL;
	d->cp_size = r->cp != NULL ? r->cp->size : 0;
	d->start = r->start;
	d->nleaves = r->nleaves;
	d->n = r->n;
	d->ndups = r->ndups;
	for (i = 0; i < r->n && i < 8; i++) {
		d->index[i] = r->index[i];
		d->dup[i] = r->dup[i];
	}
	for (i = 0; r->cp != NULL && i < r->n; i++) {
		if (!r->dup[i])
			continue;
		merkle_leaf_hash(lh, r->dup_leaves.p + r->dup_offs[k],
		    r->dup_offs[k + 1] - r->dup_offs[k]);
		p.n = r->dup_npath[k++];
		memcpy(p.path, h, p.n * 32);
		h += p.n * 32;
		d->dups_proved += merkle_verify_inclusion(r->index[i],
		    r->cp->size, lh, &p, r->cp->root) == MERKLE_OK;
	}
	core_job_free(j);
}

static void
env_open(struct env *e)
{
	memset(e, 0, sizeof(*e));
	strcpy(e->dir, "/tmp/t_core.XXXXXX");
	T_ASSERT(mkdtemp(e->dir) != NULL);
	T_ASSERT_EQ(store_open(&e->ld.store, e->dir, 1ULL << 30, 0), LD_OK);
	e->ld.origin = xstrdup(ORIGIN);
	e->ld.queue_max = LEDGERD_QUEUE_MAX;
	pthread_mutex_init(&e->ld.cp_mu, NULL);
	T_ASSERT_EQ(sig_keygen(ORIGIN, SIG_TYPE_ED25519, &e->ld.key), LD_OK);
	T_ASSERT_EQ(sig_keygen(ISSUER, SIG_TYPE_ED25519, &e->ik), LD_OK);
	e->day = (uint32_t)(time(NULL) / 86400) - 1;
}

static void
env_close(struct env *e)
{
	char	cmd[128];

	core_free(e->core);
	cp_set(&e->ld, NULL);
	store_close(e->ld.store);
	sig_key_free(e->ld.key);
	sig_key_free(e->ik);
	free(e->ld.origin);
	pthread_mutex_destroy(&e->ld.cp_mu);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", e->dir);
	T_ASSERT(system(cmd) == 0);
}

static struct core_job *
issuer_job(struct env *e, struct done *d)
{
	struct core_job	*j = core_job_new(CORE_ISSUER, on_done, d);

	STR_SET(j->issuer.id, ISSUER, strlen(ISSUER));
	STR_SET(j->issuer.name, "Luzhou Green Transit", 20);
	memcpy(j->issuer.pub, sig_key_pub(e->ik), 32);
	return j;
}

static struct core_job *
method_job(const char *id, struct done *d)
{
	struct core_job	*j = core_job_new(CORE_METHOD, on_done, d);

	STR_SET(j->method.id, id, strlen(id));
	STR_SET(j->method.activity, "a bus ride", 10);
	STR_SET(j->method.unit, "ride", 4);
	STR_SET(j->method.reference, "https://example.org/methods", 27);
	j->method.grams_per_unit = 80;
	j->method.max_event = 800;
	j->method.max_day = 100000;
	j->method.valid_from = 0;
	j->method.max_age = 3650;
	return j;
}

/* A credit of units rides (80 g each) with dedup key number k. */
static void
credit(struct env *e, struct entry_sub *s, uint64_t k, uint64_t units)
{
	memset(s, 0, sizeof(*s));
	s->kind = KIND_CREDIT;
	STR_SET(s->account, "alice", 5);
	STR_SET(s->method, METHOD, strlen(METHOD));
	s->units = units;
	s->grams = 80 * units;
	s->day = e->day;
	memcpy(s->dedup, "t_core dedup key ", 17);
	memcpy(s->dedup + 24, &k, 8);
}

/* A batch of the credits with dedup numbers keys[0..n), signed. */
static struct core_job *
batch_job(struct env *e, const uint64_t *keys, uint32_t n,
    const uint64_t *units, struct done *d)
{
	struct core_job	*j = core_job_new(CORE_SUBMIT, on_done, d);
	struct buf	 msg = { 0 };
	uint8_t		 root[32];
	uint32_t	 i;

	STR_SET(j->batch.issuer, ISSUER, strlen(ISSUER));
	j->batch.n = n;
	j->batch.subs = xcalloc(n, sizeof(struct entry_sub));
	for (i = 0; i < n; i++)
		credit(e, &j->batch.subs[i], keys[i], units ? units[i] : 1);
	rules_batch_root(j->batch.subs, n, root);
	rules_batch_message(ORIGIN, ISSUER, n, root, &msg);
	T_ASSERT_EQ(sig_sign(e->ik, msg.p, msg.len, j->batch.sig), LD_OK);
	buf_free(&msg);
	return j;
}

/* Run a list of jobs as one group (their callbacks free them). */
static void
group(struct env *e, struct core_job *jobs)
{
	core_group(e->core, jobs);
}

static void
run1(struct env *e, struct core_job *j)
{
	j->next = NULL;
	group(e, j);
}

/* A log with the issuer and the method registered (leaves 0 and 1). */
static void
setup(struct env *e)
{
	struct done	d1 = { 0 }, d2 = { 0 };

	env_open(e);
	T_ASSERT_EQ(core_open(&e->ld, &e->core), LD_OK);
	run1(e, issuer_job(e, &d1));
	run1(e, method_job(METHOD, &d2));
	T_ASSERT_EQ(d1.err, LD_OK);
	T_ASSERT_EQ(d2.err, LD_OK);
	T_ASSERT_EQ(core_size(e->core), 2);
}

static void
test_idempotent_retry(void)
{
	struct env	e;
	struct done	d1 = { 0 }, d2 = { 0 };
	uint64_t	keys[3] = { 1, 2, 3 };
	uint32_t	i;

	setup(&e);
	run1(&e, batch_job(&e, keys, 3, NULL, &d1));
	T_ASSERT_EQ(d1.calls, 1);
	T_ASSERT_EQ(d1.err, LD_OK);
	T_ASSERT(d1.had_cp);
	/* The batch leaf at 2, the entries at 3, 4, 5. */
	T_ASSERT_EQ(d1.start, 2);
	T_ASSERT_EQ(d1.nleaves, 4);
	T_ASSERT_EQ(d1.cp_size, 6);
	for (i = 0; i < 3; i++) {
		T_ASSERT_EQ(d1.index[i], 3 + i);
		T_ASSERT_EQ(d1.dup[i], 0);
	}
	/* The same batch again: the same indexes, nothing appended. */
	run1(&e, batch_job(&e, keys, 3, NULL, &d2));
	T_ASSERT_EQ(d2.err, LD_OK);
	T_ASSERT_EQ(d2.nleaves, 0);
	T_ASSERT_EQ(d2.cp_size, 6);
	T_ASSERT_EQ(core_size(e.core), 6);
	for (i = 0; i < 3; i++) {
		T_ASSERT_EQ(d2.index[i], d1.index[i]);
		T_ASSERT_EQ(d2.dup[i], 1);
	}
	/* Each with its logged leaf and a proof at the new checkpoint. */
	T_ASSERT_EQ(d1.ndups, 0);
	T_ASSERT_EQ(d2.ndups, 3);
	T_ASSERT_EQ(d2.dups_proved, 3);
	env_close(&e);
}

static void
test_retry_records_duplicate_runs(void)
{
	struct env		 e;
	struct done		 d1 = { 0 }, d2 = { 0 };
	uint64_t		 first[2] = { 10, 11 }, all[4] = { 10, 11, 12, 13 };
	struct store_txn	*t;
	const uint8_t		*p;
	size_t			 len;
	struct entry_leaf		 l;

	setup(&e);
	run1(&e, batch_job(&e, first, 2, NULL, &d1));
	T_ASSERT_EQ(d1.err, LD_OK);
	T_ASSERT_EQ(d1.index[0], 3);
	T_ASSERT_EQ(d1.index[1], 4);
	/* The whole batch after its first half was logged. */
	run1(&e, batch_job(&e, all, 4, NULL, &d2));
	T_ASSERT_EQ(d2.err, LD_OK);
	T_ASSERT_EQ(d2.start, 5);		/* its batch leaf */
	T_ASSERT_EQ(d2.nleaves, 3);		/* that and 2 new entries */
	T_ASSERT_EQ(d2.index[0], 3);
	T_ASSERT_EQ(d2.index[1], 4);
	T_ASSERT_EQ(d2.dup[0], 1);
	T_ASSERT_EQ(d2.dup[1], 1);
	T_ASSERT_EQ(d2.index[2], 6);
	T_ASSERT_EQ(d2.index[3], 7);
	T_ASSERT_EQ(d2.dup[2], 0);
	T_ASSERT_EQ(d2.dup[3], 0);
	T_ASSERT_EQ(d2.ndups, 2);
	T_ASSERT_EQ(d2.dups_proved, 2);
	/* The batch leaf says so: one run, positions 0-1 at index 3. */
	T_ASSERT_EQ(store_begin(e.ld.store, 1, &t), LD_OK);
	T_ASSERT_EQ(store_leaf_get(t, 5, &p, &len), LD_OK);
	T_ASSERT_EQ(codec_leaf_decode(p, len, &l), LD_OK);
	T_ASSERT_EQ(l.kind, KIND_BATCH);
	T_ASSERT_EQ(l.u.batch.n, 4);
	T_ASSERT_EQ(l.u.batch.nruns, 1);
	if (l.u.batch.nruns == 1) {
		T_ASSERT_EQ(l.u.batch.runs[0].pos, 0);
		T_ASSERT_EQ(l.u.batch.runs[0].count, 2);
		T_ASSERT_EQ(l.u.batch.runs[0].index, 3);
	}
	entry_leaf_free(&l);
	store_abort(t);
	env_close(&e);
}

static void
test_group_reruns_without_refused(void)
{
	struct env		 e;
	struct done		 d1 = { 0 }, d2 = { 0 }, d3 = { 0 };
	uint64_t		 k1[2] = { 20, 21 }, k2[2] = { 22, 23 };
	uint64_t		 k3[2] = { 24, 25 };
	uint64_t		 over[2] = { 1, 11 };	/* 880 g > 800 */
	struct core_job		*a, *b, *c;
	struct store_txn	*t;
	const uint8_t		*p;
	size_t			 len;
	struct entry_leaf		 l;

	setup(&e);
	a = batch_job(&e, k1, 2, NULL, &d1);
	/* Refused by the rules after its batch leaf and first entry were
	 * appended in the group's transaction. */
	b = batch_job(&e, k2, 2, over, &d2);
	c = batch_job(&e, k3, 2, NULL, &d3);
	a->next = b;
	b->next = c;
	c->next = NULL;
	group(&e, a);
	T_ASSERT_EQ(d1.err, LD_OK);
	T_ASSERT_EQ(d2.err, LD_ERULE);
	T_ASSERT_EQ(d2.pos, 1);
	T_ASSERT(!d2.had_cp);
	T_ASSERT_EQ(d3.err, LD_OK);
	T_ASSERT_EQ(d1.calls + d2.calls + d3.calls, 3);
	/* a at 2-4, c right after it at 5-7: nothing of b. */
	T_ASSERT_EQ(d1.start, 2);
	T_ASSERT_EQ(d3.start, 5);
	T_ASSERT_EQ(d3.index[0], 6);
	T_ASSERT_EQ(d3.index[1], 7);
	T_ASSERT_EQ(core_size(e.core), 8);
	T_ASSERT_EQ(d3.cp_size, 8);
	T_ASSERT_EQ(store_begin(e.ld.store, 1, &t), LD_OK);
	T_ASSERT_EQ(store_leaf_get(t, 5, &p, &len), LD_OK);
	T_ASSERT_EQ(codec_leaf_decode(p, len, &l), LD_OK);
	T_ASSERT_EQ(l.kind, KIND_BATCH);
	T_ASSERT_EQ(l.u.batch.n, 2);
	entry_leaf_free(&l);
	T_ASSERT_EQ(store_leaf_get(t, 8, &p, &len), LD_ENOTFOUND);
	store_abort(t);
	/* b's dedup keys were not used: b without its bad entry commits. */
	run1(&e, batch_job(&e, k2, 1, NULL, &d2));
	T_ASSERT_EQ(d2.err, LD_OK);
	T_ASSERT_EQ(d2.dup[0], 0);
	T_ASSERT_EQ(d2.index[0], 9);
	env_close(&e);
}

/* A completion that holds the sequencer thread until released. */
struct gate {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 entered, open, calls, busy;
};

static void
on_gate(void *arg, struct core_job *j)
{
	struct gate	*g = arg;

	pthread_mutex_lock(&g->mu);
	g->calls++;
	g->busy += j->res.err.code == LD_EBUSY;
	g->entered = 1;
	pthread_cond_broadcast(&g->cv);
	while (!g->open)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
	core_job_free(j);
}

static void
test_full_queue_busy(void)
{
	struct env	 e;
	struct seq	*s = NULL;
	struct gate	 g;
	struct done	 d = { 0 };
	struct core_job	*j;
	int		 tries;

	env_open(&e);
	memset(&g, 0, sizeof(g));
	pthread_mutex_init(&g.mu, NULL);
	pthread_cond_init(&g.cv, NULL);
	e.ld.queue_max = 2;
	T_ASSERT_EQ(seq_start(&e.ld, &s), LD_OK);
	if (s == NULL)
		goto out;
	/* The first job holds the sequencer in its completion. */
	j = method_job("m0", NULL);
	j->done = on_gate;
	j->arg = &g;
	T_ASSERT_EQ(seq_push(s, j), LD_OK);
	pthread_mutex_lock(&g.mu);
	while (!g.entered)
		pthread_cond_wait(&g.cv, &g.mu);
	pthread_mutex_unlock(&g.mu);
	/* Two entries fit; a third is refused, and stays the caller's. */
	T_ASSERT_EQ(seq_push(s, method_job("m1", &d)), LD_OK);
	T_ASSERT_EQ(seq_push(s, method_job("m2", &d)), LD_OK);
	T_ASSERT_EQ(seq_queued(s), 2);
	j = method_job("m3", &d);
	T_ASSERT_EQ(seq_push(s, j), LD_EBUSY);
	core_job_free(j);
	/* Released, the queue empties and takes jobs again. */
	pthread_mutex_lock(&g.mu);
	g.open = 1;
	pthread_cond_broadcast(&g.cv);
	pthread_mutex_unlock(&g.mu);
	for (tries = 0; tries < 500 && !seq_idle(s); tries++)
		usleep(10000);
	T_ASSERT_EQ(d.calls, 2);
	T_ASSERT_EQ(seq_push(s, method_job("m3", &d)), LD_OK);
	/* Draining: refused whatever the room. */
	seq_drain(s);
	j = method_job("m4", &d);
	T_ASSERT_EQ(seq_push(s, j), LD_EBUSY);
	core_job_free(j);
	seq_stop(s);
	T_ASSERT_EQ(d.calls, 3);
	T_ASSERT_EQ(g.calls, 1);
out:
	pthread_mutex_destroy(&g.mu);
	pthread_cond_destroy(&g.cv);
	env_close(&e);
}

int
main(int argc, char **argv)
{
	static const struct t_case	cases[] = {
		T_CASE(test_idempotent_retry),
		T_CASE(test_retry_records_duplicate_runs),
		T_CASE(test_group_reruns_without_refused),
		T_CASE(test_full_queue_busy),
	};

	return t_main(argc, argv, "t_core", cases, T_NCASES(cases));
}
