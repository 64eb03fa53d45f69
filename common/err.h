/* err.h - the project's one error space: 0 or a negative LD_E* code. */
/*
 * Contract for every header of common/: a function that can fail returns
 * LD_OK (0) or one of these negative codes, never errno or -1; its comment
 * names the codes it returns. A function that cannot fail returns void.
 * Unless a comment says otherwise, out-parameters are written only on
 * LD_OK.
 */
#ifndef ERR_H
#define ERR_H

#include <stdarg.h>
#include <stdint.h>

enum {
	LD_OK		=  0,
	LD_EINVAL	= -1,	/* malformed input or argument */
	LD_ENOTFOUND	= -2,	/* no such entry, key or record */
	LD_ETOOBIG	= -3,	/* over a documented limit */
	LD_ECORRUPT	= -4,	/* stored data fails its own checks */
	LD_EBADSIG	= -5,	/* a signature does not verify */
	LD_EBADPROOF	= -6,	/* a Merkle proof does not verify */
	LD_EFULL	= -7,	/* disk or map full */
	LD_ESYS		= -8,	/* see errno; logged where it happened */
	LD_EEXIST	= -9,	/* already exists with different content */
	LD_ERULE	= -10,	/* a ledger rule is broken */
	LD_EAUTH	= -11,	/* unknown issuer, bad token */
	LD_EBUSY	= -12,	/* queue full, try again later */
	LD_EOVERFLOW	= -13,	/* a u64 sum would overflow */
	LD_ENET		= -14,	/* network or server error (clients) */
	LD_ERETRY	= -15,	/* the snapshot moved on: begin again */
	LD_EWEAKKEY	= -16,	/* a weak or non-canonical Ed25519 key */
	LD_ESTALE	= -17,	/* an older checkpoint, consistent with a
				 * newer one seen before (clients) */
	LD_EMETHOD	= -18,	/* a known path, another method (servers) */
};

/*
 * Why something was refused, shared by the rules (rules.h), the ledger
 * core (ledgerd/core.h) and the client (client.h): an LD_* code, the
 * stable name of the rule broken ("over-cap-event", ...; "" for none), a
 * message, the position in the batch and the conflicting leaf. Fields a
 * layer does not know keep their "none" value: pos -1, index NO_INDEX
 * (entry.h) or 0 where never set, status 0 outside the client.
 */
struct ld_error {
	int		code;		/* LD_OK or an LD_* code */
	int		status;		/* the client: a reply's HTTP status */
	long		pos;		/* position in the batch, or -1 */
	uint64_t	index;		/* the conflicting leaf, or NO_INDEX */
	char		rule[48];	/* stable rule name, or "" */
	char		msg[512];
};

/*
 * Fill e: code, rule ("" or NULL for none), the conflicting leaf (or
 * UINT64_MAX), the formatted message (cut at 511 bytes); status 0 and
 * pos -1 (the caller sets them after, where it knows them). Returns
 * code; e may be NULL (then only code is returned). Any thread; e is the
 * caller's.
 */
int	ld_error_set(struct ld_error *e, int code, const char *rule,
	    uint64_t index, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
int	ld_error_vset(struct ld_error *e, int code, const char *rule,
	    uint64_t index, const char *fmt, va_list ap)
	    __attribute__((format(printf, 5, 0)));

/*
 * A static, constant description of an LD_* code ("unknown error" for any
 * other value); never NULL, never freed. Any thread.
 */
const char	*ld_strerror(int err);

#endif /* ERR_H */
