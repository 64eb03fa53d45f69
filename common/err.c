/* err.c - descriptions of the LD_* error codes. */
#include <stdio.h>

#include "err.h"

const char *
ld_strerror(int err)
{
	switch (err) {
	case LD_OK:		return "success";
	case LD_EINVAL:		return "malformed input";
	case LD_ENOTFOUND:	return "not found";
	case LD_ETOOBIG:	return "over a limit";
	case LD_ECORRUPT:	return "stored data is corrupt";
	case LD_EBADSIG:	return "signature does not verify";
	case LD_EBADPROOF:	return "proof does not verify";
	case LD_EFULL:		return "disk full";
	case LD_ESYS:		return "system error";
	case LD_EEXIST:		return "already exists with different content";
	case LD_ERULE:		return "a ledger rule is broken";
	case LD_EAUTH:		return "not authorised";
	case LD_EBUSY:		return "busy, try again later";
	case LD_EOVERFLOW:	return "integer overflow";
	case LD_ENET:		return "network or server error";
	case LD_ERETRY:		return "the store moved on; try again";
	case LD_EWEAKKEY:	return "weak or non-canonical Ed25519 public key";
	case LD_EMETHOD:	return "method not allowed";
	case LD_ESTALE:		return "an older checkpoint than one seen before";
	default:		return "unknown error";
	}
}

int
ld_error_vset(struct ld_error *e, int code, const char *rule, uint64_t index,
    const char *fmt, va_list ap)
{
	if (e == NULL)
		return code;
	e->code = code;
	e->status = 0;
	e->pos = -1;
	e->index = index;
	snprintf(e->rule, sizeof(e->rule), "%s", rule != NULL ? rule : "");
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return code;
}

int
ld_error_set(struct ld_error *e, int code, const char *rule, uint64_t index,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ld_error_vset(e, code, rule, index, fmt, ap);
	va_end(ap);
	return code;
}
