/* seq.h - the sequencer: group commit of submissions on its own thread. */
/*
 * Jobs queue up while the sequencer thread commits the previous group.
 * Each group runs in one LMDB write transaction, one nested transaction
 * per job (a batch is all or nothing); the commit fsyncs, then the tree
 * advances, one checkpoint is signed and every job of the group is
 * answered. The event loop never waits for any of it. Submissions pass
 * first through a verifier thread (batch root and Ed25519 signature), so
 * that work overlaps the sequencer's commits.
 */
#ifndef SEQ_H
#define SEQ_H

#include "codec.h"
#include "entry.h"
#include "ledgerd.h"

struct http_req;
struct store_hints;

enum job_kind {
	JOB_SUBMIT,
	JOB_ISSUER,
	JOB_METHOD,
};

struct job {
	enum job_kind		 kind;
	struct http_req		*req;
	int			 json;		/* reply in JSON */
	struct batch_req	 batch;		/* JOB_SUBMIT */
	struct issuer_reg	 issuer;	/* JOB_ISSUER */
	struct method_reg	 method;	/* JOB_METHOD */
	struct job		*next;
	/* Filled by the verifier thread (submissions). */
	int			 verified;	/* sig_ok and root are set */
	int			 sig_ok;
	uint8_t			 root[32];
	struct store_hints	*hints;		/* B-tree lookups made ahead */
	/* Filled by the sequencer. */
	struct job_result	*res;
};

/* Load the chain head and tree, sign the current checkpoint, start. */
int	seq_start(struct ledgerd *, struct seq **);
/* Queue a job (taken over). LD_EBUSY when the queue is full or draining. */
int	seq_push(struct seq *, struct job *);
/* Refuse new jobs from now on. */
void	seq_drain(struct seq *);
/* Draining, nothing queued and nothing in progress. */
int	seq_idle(struct seq *);
/* Stop and join the thread (after draining). */
void	seq_stop(struct seq *);
/* Entries waiting, for metrics. */
size_t	seq_queued(struct seq *);

#endif /* SEQ_H */
