/* finding.h - the auditor's findings: their codes and how they are stored. */
#ifndef FINDING_H
#define FINDING_H

#include <stdint.h>

#include "buf.h"

#define FINDING_MAX_CODES	64	/* finding_codes has fewer */

struct store_txn;

/* Every finding code (NULL-terminated), as documented in
 * docs/auditors.md (tools/lint.sh compares them). */
extern const char *const finding_codes[];
/* The code a rule of common/rules.c is reported under. */
const char	*finding_code(const char *rule);
/* Store a finding (code, leaf index or NO_INDEX, related index or
 * NO_INDEX, message) in t: LD_EINVAL for an undocumented code. */
int	finding_store(struct store_txn *t, const char *code, uint64_t index,
	    uint64_t related, const char *msg);

/* The findings stored in t by code: appends "CODE N\n" for each code
 * found (in finding_codes' order) to out, returns how many in all. */
uint64_t finding_tally(struct store_txn *t, struct buf *out);

#endif /* FINDING_H */
