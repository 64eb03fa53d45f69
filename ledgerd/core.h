/* core.h - the ledger writer: admission, the rules, appending, the group
 * commit and its proofs; plain results, no HTTP and no threads. */
/*
 * The writer's state (the rules' head and cache, the tree) belongs to
 * core.c and is touched by one thread at a time: the sequencer's
 * (seq.c). A group of jobs runs in one LMDB write transaction; a job the
 * rules refuse is dropped and the group re-run without it, so a refused
 * batch leaves no trace. After the commit (fsync), one checkpoint is
 * signed and each job's completion callback gets its result, the new
 * checkpoint and a read transaction to build proofs from. core_verify is
 * the admission work that may run ahead on another thread (the batch
 * root, the issuer's signature, the B-tree lookups).
 */
#ifndef CORE_H
#define CORE_H

#include "buf.h"
#include "codec.h"
#include "entry.h"
#include "err.h"
#include "ledgerd.h"
#include "merkle.h"

struct store_hints;
struct store_txn;

enum core_kind {
	CORE_SUBMIT,
	CORE_ISSUER,
	CORE_METHOD,
};

/* What a job produced: a refusal, or the leaves it appended. */
struct core_result {
	struct ld_error	 err;		/* code LD_OK, or why it was refused */
	/* Leaves appended: [start, start + nleaves). */
	uint64_t	 start;
	uint32_t	 nleaves;
	struct buf	 leaves;	/* concatenated leaf bytes */
	size_t		*offs;		/* nleaves + 1 offsets into leaves */
	uint8_t		 left[MERKLE_MAX_LEVELS][32];
	size_t		 nleft;
	/* Per submitted position: its leaf index and whether it was a dup. */
	uint64_t	*index;
	uint8_t		*dup;
	uint32_t	 n;
	int		 duplicate;	/* admin: identical registration */
	/*
	 * The receipts' data, filled after the commit when err.code is
	 * LD_OK: the checkpoint cp (a reference, released with the job),
	 * the right side of the new leaves' span at cp->size, and for each
	 * duplicate position (in order) its logged leaf and inclusion proof
	 * at cp->size. Enough to render every receipt without the store.
	 */
	struct cp	*cp;
	uint8_t		 right[MERKLE_SPAN_MAX_RIGHT][32];
	size_t		 nright;
	uint32_t	 ndups;
	struct buf	 dup_leaves;	/* concatenated leaf bytes */
	size_t		*dup_offs;	/* ndups + 1 offsets into dup_leaves */
	struct buf	 dup_paths;	/* concatenated proof hashes */
	size_t		*dup_npath;	/* hashes in each duplicate's proof */
};

struct core_job;

/*
 * Called once per job, with its result complete (j->res: a refusal, or
 * the indexes and the receipts' data), on the thread that finished it:
 * the sequencer, or the parser for a body that does not parse. From then
 * on the job is the callback's: it frees it with core_job_free, on any
 * thread (the HTTP layer renders the reply on the event loop).
 */
typedef void	 core_done_fn(void *arg, struct core_job *j);

struct core_job {
	enum core_kind		 kind;
	struct codec_batch	 batch;		/* CORE_SUBMIT */
	struct entry_issuer	 issuer;	/* CORE_ISSUER */
	struct entry_method	 method;	/* CORE_METHOD */
	core_done_fn		*done;
	void			*arg;
	struct core_job		*next;		/* the queue's and group's */
	/* Filled by core_verify (submissions), ahead of the group. */
	int			 verified;	/* sig_ok and root are set */
	int			 sig_ok;
	uint8_t			 root[32];
	struct store_hints	*hints;		/* B-tree lookups made ahead */
	/* Filled by core_group. */
	struct core_result	 res;
};

struct core;
struct core_keys;

/* A job (zeroed) with its completion; core_job_free frees all it holds. */
struct core_job	*core_job_new(enum core_kind, core_done_fn *, void *arg);
void		 core_job_free(struct core_job *);
/* Size of a job in queue entries: a batch's entries, else 1. */
size_t		 core_job_size(const struct core_job *);
/* Refuse j (format like printf) without running it; returns err. The
 * caller then hands j to j->done. */
int		 core_job_fail(struct core_job *j, int err, const char *rule,
		    long pos, uint64_t index, const char *fmt, ...)
		    __attribute__((format(printf, 6, 7)));

/* Load the chain head and tree, sign the current checkpoint. */
int	core_open(struct ledgerd *, struct core **);
void	core_free(struct core *);
/*
 * Run jobs (a list through next) as one group: append, commit, sign,
 * fill each result's receipts' data, then hand each job to its done
 * callback, in order (the jobs are the callbacks' from then on). Writer
 * thread only.
 */
void	core_group(struct core *, struct core_job *jobs);
/* Size of the tree the writer holds (writer thread only). */
uint64_t core_size(const struct core *);

/* The verifier's cache of issuer keys (one per verifying thread). */
struct core_keys *core_keys_new(void);
void	core_keys_free(struct core_keys *);
/*
 * Admission ahead of the group, in the read transaction t: the batch
 * root, the issuer signature and the hints. A job whose issuer is not
 * registered yet stays unverified (core_group checks it itself).
 */
void	core_verify(struct ledgerd *, struct core_keys *, struct store_txn *t,
	    struct core_job *);

/* Inclusion proof of index in the tree of size (the read path's too). */
int	core_prove(struct store_txn *, uint64_t index, uint64_t size,
	    struct merkle_proof *);

#endif /* CORE_H */
