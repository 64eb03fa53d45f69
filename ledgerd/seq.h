/* seq.h - the sequencer's threads and queues: jobs to the ledger core. */
/*
 * Two threads, each fed by a queue of the same type: the verifier
 * (core_verify: batch roots and Ed25519 signatures, B-tree lookups made
 * ahead) and the sequencer (core_group: one group commit for all that
 * queued while the previous group ran). Admin jobs skip the verifier.
 * Neither thread knows HTTP: each job's completion callback answers it.
 */
#ifndef SEQ_H
#define SEQ_H

#include <stddef.h>

#include "core.h"
#include "ledgerd.h"

/* A list of jobs and the queue entries they count (a batch's entries). */
struct seq_queue {
	struct core_job	*head, **tail;
	size_t		 n;
};

/* Open the ledger core (core_open) and start both threads. */
int	seq_start(struct ledgerd *, struct seq **);
/*
 * Queue a job (taken over on LD_OK). LD_EBUSY when the queues already
 * hold entries and j's would take them past ld->queue_max, or when
 * draining; the job is then the caller's.
 */
int	seq_push(struct seq *, struct core_job *);
/* Refuse new jobs from now on. */
void	seq_drain(struct seq *);
/* Nothing queued and nothing in progress. */
int	seq_idle(struct seq *);
/* Finish what is queued, stop and join the threads, free. */
void	seq_stop(struct seq *);
/* Entries waiting in both queues, for metrics. */
size_t	seq_queued(struct seq *);

#endif /* SEQ_H */
