/* entry.h - the ledger's domain: submitted entries, leaves, counters, limits. */
/*
 * Everything is a log entry (docs/protocol.md). Registrations (issuer,
 * method) are added by the operator; a batch leaf records an issuer's
 * signature over a submitted batch; credit, retire and reverse leaves
 * each carry one submitted entry and the running counters after it.
 *
 * Contract: plain values. Every struct here is self-contained (strings
 * inline, STR below) except a batch leaf's runs, which the leaf owns and
 * entry_leaf_free releases. The functions keep no state: any thread.
 */
#ifndef ENTRY_H
#define ENTRY_H

#include <stddef.h>
#include <stdint.h>

#define LEAF_VERSION		2	/* 2: methods state their event dates */
#define LEAF_MAX		65535	/* tlog-tiles 16-bit length prefix */
#define BATCH_MAX		10000	/* entries in one signed submission */
#define ID_MAX			64	/* issuer and method ids */
#define ACCOUNT_MAX		64
#define TEXT_MAX		256	/* names, beneficiary, reason, unit */
#define REFERENCE_MAX		1024	/* a method's reference text */
#define NO_INDEX		UINT64_MAX	/* "no previous entry" */

enum entry_kind {
	KIND_ISSUER	= 1,
	KIND_METHOD	= 2,
	KIND_BATCH	= 3,
	KIND_CREDIT	= 4,
	KIND_RETIRE	= 5,
	KIND_REVERSE	= 6,
	KIND_MAX	= 6,
};

/* Name of a kind ("credit"): a static string, or NULL for no kind. */
const char	*entry_kind_name(int kind);
/* Kind for a name of len bytes (exact, case-sensitive), or 0. */
int		 entry_kind_from_name(const char *s, size_t len);

/* A length-counted string held inline; always NUL-terminated too. */
#define STR(n)	struct { uint16_t len; char s[(n) + 1]; }

/* What an issuer submits: one credit, retirement or reversal. */
struct entry_sub {
	uint8_t		kind;		/* KIND_CREDIT, _RETIRE or _REVERSE */
	STR(ACCOUNT_MAX) account;	/* credit, retire */
	STR(ID_MAX)	method;		/* credit */
	uint64_t	units;		/* credit */
	uint64_t	grams;		/* credit, retire */
	uint64_t	target;		/* reverse: index of the credit */
	STR(TEXT_MAX)	text;		/* retire: beneficiary; reverse: reason */
	uint32_t	day;		/* UTC day of the event, days since 1970 */
	uint8_t		dedup[32];
	uint8_t		has_evidence;	/* credit */
	uint8_t		evidence[32];
};

struct entry_issuer {
	STR(ID_MAX)	id;
	STR(TEXT_MAX)	name;
	uint8_t		pub[32];	/* Ed25519; key name = id, type 0x01 */
};

struct entry_method {
	STR(ID_MAX)	id;
	STR(TEXT_MAX)	activity;
	STR(TEXT_MAX)	unit;
	uint64_t	grams_per_unit;
	uint64_t	max_event;	/* max grams per event */
	uint64_t	max_day;	/* max grams per account per UTC day */
	uint32_t	valid_from;	/* first event day covered (UTC day) */
	uint32_t	max_age;	/* max_event_age_days: the oldest event
					 * day accepted, in days before the
					 * integration day */
	STR(REFERENCE_MAX) reference;
};

/* Positions of a batch that were already in the log, as runs. */
struct entry_dup_run {
	uint32_t	pos;		/* first position in the batch */
	uint32_t	count;
	uint64_t	index;		/* leaf index of the first of them */
};

struct entry_batch {
	STR(ID_MAX)	 issuer;
	uint32_t	 n;		/* entries in the signed batch */
	uint8_t		 root[32];	/* MTH of the entries' encodings */
	uint8_t		 sig[64];
	uint32_t	 nruns;
	struct entry_dup_run	*runs;		/* owned; entry_leaf_free releases */
};

/* Running totals of the whole log, after the leaf. */
struct entry_totals {
	uint64_t	credited;	/* grams */
	uint64_t	retired;
	uint64_t	reversed;
	uint64_t	count[KIND_MAX + 1];	/* entries by kind; [0] unused */
};

/* An account's counters after the leaf. */
struct entry_account_ctr {
	uint64_t	credited;
	uint64_t	retired;
	uint64_t	reversed;
	uint64_t	prev;		/* the account's previous leaf, or NO_INDEX */
};

/* An issuer's counters after the leaf. */
struct entry_issuer_ctr {
	uint64_t	credited;
	uint64_t	retired;
	uint64_t	reversed;
	uint64_t	prev;		/* the issuer's previous leaf, or NO_INDEX */
};

/* A decoded leaf. Fields beyond the header depend on kind. */
struct entry_leaf {
	uint8_t			kind;
	uint64_t		index;
	uint64_t		time;	/* integration time, UTC seconds */
	uint8_t			prev[32];	/* leaf hash of index - 1 */
	union {
		struct entry_issuer	issuer;
		struct entry_method	method;
		struct entry_batch	batch;
		struct {
			STR(ID_MAX)		issuer;
			uint64_t		batch;	/* index of its batch leaf */
			uint32_t		pos;	/* position in that batch */
			struct entry_sub		sub;
			struct entry_account_ctr	acct;
			struct entry_issuer_ctr	iss;
		} e;
	} u;
	struct entry_totals		totals;
};

/* Free what a leaf owns (a batch's runs) and leave it safe to free again;
 * a no-op for other kinds and for NULL. The struct itself is the
 * caller's. */
void	entry_leaf_free(struct entry_leaf *);

/* An account's balance (credited - retired - reversed), may be negative:
 * LD_OK, or LD_EOVERFLOW (*bal untouched) outside int64_t. */
int	entry_account_balance(const struct entry_account_ctr *, int64_t *bal);

/* Field checks shared by every parser: LD_OK or LD_EINVAL. */
/* [A-Za-z0-9._-]{1,64}; an account also allows ':' and '~'. */
int	entry_valid_id(const char *s, size_t len);
int	entry_valid_account(const char *s, size_t len);
/* 1..max bytes of UTF-8 (no overlong forms, no surrogates), no C0 or C1
 * control characters and no DEL. */
int	entry_valid_text(const char *s, size_t len, size_t max);

/* Copy s of len bytes into a STR field and NUL-terminate it; LD_ETOOBIG
 * (the field untouched) if it does not fit. The bytes are not checked. */
#define STR_SET(f, p, n)	\
	entry_str_set((f).s, &(f).len, sizeof((f).s) - 1, (p), (n))
int	entry_str_set(char *dst, uint16_t *dlen, size_t max, const char *s,
	    size_t n);

/* Check one submitted entry's fields: LD_OK, or LD_EINVAL with *why a
 * static reason. */
int	entry_sub_check(const struct entry_sub *s, const char **why);

#endif /* ENTRY_H */
